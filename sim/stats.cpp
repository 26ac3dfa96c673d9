// Statistics over replicate values (see stats.hpp).
#include "cxsim/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

// Boost.Math runs in double precision (BOOST_MATH_PROMOTE_DOUBLE_POLICY=false, set for the whole
// library in CMakeLists.txt): t quantiles stay accurate to ~1e-15, and the library runs under
// valgrind, whose x87 long double is only 64 bits.
#include <boost/math/distributions/students_t.hpp>

namespace cxsim {

namespace {

// Neumaier's compensated summation: the sum of a handful of replicates is exact to within one
// rounding, independent of their magnitudes and order of signs.
class CompensatedSum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    if (std::fabs(sum_) >= std::fabs(x)) {
      compensation_ += (sum_ - t) + x;
    } else {
      compensation_ += (x - t) + sum_;
    }
    sum_ = t;
  }
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0.0;
  double compensation_ = 0.0;
};

}  // namespace

Summary summarize(const std::vector<double>& replicates) {
  if (replicates.empty()) throw std::invalid_argument("summarize: no replicate values");
  Summary s;
  s.n = replicates.size();
  const double n = static_cast<double>(s.n);

  // An undefined replicate makes the metric undefined; an infinite one leaves no spread to report.
  bool any_inf = false;
  for (double x : replicates) {
    if (std::isnan(x)) {
      s.mean = std::numeric_limits<double>::quiet_NaN();
      return s;
    }
    if (std::isinf(x)) any_inf = true;
  }
  if (any_inf) {
    double sum = 0.0;
    for (double x : replicates) sum += x;  // +inf, -inf, or NaN for mixed signs
    s.mean = sum / n;
    return s;
  }

  // Identical replicates (e.g. a paired difference of identical runs): exact mean, zero spread.
  const bool identical =
      std::all_of(replicates.begin(), replicates.end(), [&](double x) { return x == replicates.front(); });
  if (identical) {
    s.mean = replicates.front();
  } else {
    // Corrected two-pass algorithm (Chan, Golub and LeVeque 1983): the first pass gives a mean,
    // the second sums squared deviations from it and removes the first-order error of that mean.
    CompensatedSum total;
    for (double x : replicates) total.add(x);
    const double mean0 = total.value() / n;
    CompensatedSum dev;
    CompensatedSum dev2;
    for (double x : replicates) {
      const double d = x - mean0;
      dev.add(d);
      dev2.add(d * d);
    }
    s.mean = mean0 + dev.value() / n;
    if (s.n >= 2) {
      const double ss = std::max(0.0, dev2.value() - dev.value() * dev.value() / n);
      s.sd = std::sqrt(ss / (n - 1.0));
    }
  }
  if (s.n < 2) return s;
  if (!s.sd) s.sd = 0.0;
  const double half = student_t_quantile(0.975, n - 1.0) * *s.sd / std::sqrt(n);
  s.ci95 = std::make_pair(s.mean - half, s.mean + half);
  return s;
}

double student_t_quantile(double p, double dof) {
  if (!(p > 0.0 && p < 1.0)) {
    throw std::invalid_argument("student_t_quantile: p must be in (0, 1), got " + std::to_string(p));
  }
  if (!(dof > 0.0) || std::isinf(dof)) {
    throw std::invalid_argument("student_t_quantile: dof must be positive and finite, got " + std::to_string(dof));
  }
  const boost::math::students_t dist(dof);
  return boost::math::quantile(dist, p);
}

}  // namespace cxsim
