// Erlang A carried through the day (sim/erlang_a.hpp): the uniformization against an independent
// dense matrix exponential and against exact transient laws, the stationary solution against
// closed forms and Erlang C, the Beta inversion of the offered wait against the sum of
// exponentials it replaces, a Monte Carlo check of the whole contact model, edge cases and input
// errors. Every tolerance is derived next to its check.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "erlang_a.hpp"

using cxsim::erlang_a_offered_wait_minutes;
using cxsim::erlang_a_offered_wait_minutes_boost;
using cxsim::erlang_a_stationary;
using cxsim::ErlangADay;
using cxsim::ErlangAInterval;
using cxsim::ErlangAStationary;
using cxsim::StateDistribution;

namespace {

constexpr double kMu = 1.0 / 9.0;      // aht 9 minutes
constexpr double kTheta = 1.0 / 15.0;  // mean patience 15 minutes
constexpr double kU = 0x1p-53;         // unit roundoff

double at(const StateDistribution& d, int k) {
  if (d.probability.empty()) return k == 0 ? 1.0 : 0.0;
  const int j = k - d.first_state;
  return j >= 0 && j < static_cast<int>(d.probability.size()) ? d.probability[static_cast<std::size_t>(j)] : 0.0;
}

int top(const StateDistribution& d) { return d.first_state + static_cast<int>(d.probability.size()) - 1; }

double l1(const StateDistribution& a, const StateDistribution& b) {
  double s = 0.0;
  const int lo = std::min(a.first_state, b.first_state);
  const int hi = std::max(top(a), top(b));
  for (int k = lo; k <= hi; ++k) s += std::abs(at(a, k) - at(b, k));
  return s;
}

StateDistribution from_vector(const std::vector<double>& p) {
  StateDistribution d;
  d.probability = p;
  return d;
}

double mean_busy(const StateDistribution& d, int c) {
  double s = 0.0;
  for (int k = d.first_state; k <= top(d); ++k) s += at(d, k) * std::min(k, c);
  return s;
}

// ---- Dense reference: exp(Q L) and phi1(Q L) = (1/L) int_0^L exp(Q t) dt ----
//
// Q is the generator truncated at N-1 (no arrivals there; the day below puts < 1e-20 of mass that
// high). Taylor series on A = Q L / 2^s with ||A||_1 <= 1/2 (30 terms: remainder < 0.5^31 / 31! <
// 1e-40), then s squarings with exp(2X) = exp(X)^2 and phi1(2X) = phi1(X) (exp(X) + I) / 2 (Moler &
// Van Loan 2003, "Nineteen dubious ways", scaling and squaring). Plain O(N^3) products: nothing in
// common with the banded uniformization under test.
using Dense = std::vector<double>;  // row-major N x N

void multiply(const Dense& a, const Dense& b, Dense& out, int n) {
  std::fill(out.begin(), out.end(), 0.0);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k) {
      const double aik = a[static_cast<std::size_t>(i * n + k)];
      if (aik == 0.0) continue;
      for (int j = 0; j < n; ++j)
        out[static_cast<std::size_t>(i * n + j)] += aik * b[static_cast<std::size_t>(k * n + j)];
    }
}

struct DenseStep {
  Dense exp_ql;   // exp(Q L)
  Dense phi1_ql;  // phi1(Q L)
};

DenseStep dense_interval(const ErlangAInterval& in, int n, double theta = kTheta) {
  Dense q(static_cast<std::size_t>(n * n), 0.0);
  for (int k = 0; k < n; ++k) {
    const double down = std::min(k, in.servers) * kMu + std::max(k - in.servers, 0) * theta;
    const double up = k + 1 < n ? in.arrivals_per_minute : 0.0;
    if (k > 0) q[static_cast<std::size_t>(k * n + k - 1)] = down * in.length_minutes;
    if (k + 1 < n) q[static_cast<std::size_t>(k * n + k + 1)] = up * in.length_minutes;
    q[static_cast<std::size_t>(k * n + k)] = -(down + up) * in.length_minutes;
  }
  double norm = 0.0;  // ||Q L||_1 (max column sum)
  for (int j = 0; j < n; ++j) {
    double col = 0.0;
    for (int i = 0; i < n; ++i) col += std::abs(q[static_cast<std::size_t>(i * n + j)]);
    norm = std::max(norm, col);
  }
  int s = 0;
  while (norm > 0.5) {
    norm /= 2.0;
    ++s;
  }
  for (double& x : q) x = std::ldexp(x, -s);
  Dense e(q.size(), 0.0), f(q.size(), 0.0), power(q.size(), 0.0), next(q.size());
  for (int i = 0; i < n; ++i) power[static_cast<std::size_t>(i * n + i)] = 1.0;  // A^0
  double factorial = 1.0;                                                        // k!
  for (int k = 0; k <= 30; ++k) {
    for (std::size_t j = 0; j < q.size(); ++j) {
      e[j] += power[j] / factorial;
      f[j] += power[j] / (factorial * (k + 1));
    }
    multiply(power, q, next, n);
    std::swap(power, next);
    factorial *= k + 1;
  }
  for (int r = 0; r < s; ++r) {
    Dense e_plus_i = e;
    for (int i = 0; i < n; ++i) e_plus_i[static_cast<std::size_t>(i * n + i)] += 1.0;
    multiply(f, e_plus_i, next, n);
    for (std::size_t j = 0; j < q.size(); ++j) f[j] = 0.5 * next[j];
    multiply(e, e, next, n);
    std::swap(e, next);
  }
  return {e, f};
}

std::vector<double> row_times(const std::vector<double>& p, const Dense& m, int n) {
  std::vector<double> out(static_cast<std::size_t>(n), 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      out[static_cast<std::size_t>(j)] += p[static_cast<std::size_t>(i)] * m[static_cast<std::size_t>(i * n + j)];
  return out;
}

// A small peaked day: c from 0 to 6, interval 2 overloaded (lambda = 0.9 > c mu = 0.667), an
// interval without arrivals and a closed one (c = 0: only abandonment).
std::vector<ErlangAInterval> small_peaked_day() {
  return {{0.10, 1, 30.0}, {0.35, 3, 30.0}, {0.90, 6, 30.0}, {0.50, 4, 30.0}, {0.0, 2, 30.0}, {0.05, 0, 30.0}};
}

// Poisson(m) probabilities 0..n-1 in log space.
std::vector<double> poisson_pmf(double m, int n) {
  std::vector<double> p(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) p[static_cast<std::size_t>(k)] = std::exp(-m + k * std::log(m) - std::lgamma(k + 1.0));
  return p;
}

// Erlang B by the recursion B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)); Erlang C from it.
double erlang_c_reference(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return c * b / (c - a * (1.0 - b));
}

// Uniform in (0, 1) from 53 random bits (never 0 or 1).
double uniform(std::mt19937_64& rng) { return ((rng() >> 11) + 0.5) * kU; }

// The intervals of a day: `agents` on average shaped by `weights`, offered load `load`.
std::vector<ErlangAInterval> shaped_day(double agents, double load, const std::vector<double>& weights,
                                        double length_minutes) {
  double mean = 0.0;
  for (double w : weights) mean += w;
  mean /= static_cast<double>(weights.size());
  std::vector<ErlangAInterval> day;
  for (double w : weights) {
    const int c = static_cast<int>(std::floor(agents * w / mean + 0.5 + 1e-9));
    day.push_back({load * agents * kMu * w / mean, c, length_minutes});
  }
  return day;
}

}  // namespace

// ---- 1. Against the dense computation ----

TEST(ErlangADense, EveryIntervalMatchesTheDenseExponential) {
  const int n = 100;
  const std::vector<ErlangAInterval> day = small_peaked_day();
  // The dense chain, interval by interval.
  std::vector<std::vector<double>> dense_pbar, dense_end;
  std::vector<double> p(static_cast<std::size_t>(n), 0.0);
  p[0] = 1.0;
  double dense_defect = 0.0;  // the dense method's own error: its row sums of exp(QL) should be 1
  for (const ErlangAInterval& in : day) {
    const DenseStep d = dense_interval(in, n);
    for (int i = 0; i < n; ++i) {
      double row = 0.0;
      for (int j = 0; j < n; ++j) row += d.exp_ql[static_cast<std::size_t>(i * n + j)];
      dense_defect = std::max(dense_defect, std::abs(row - 1.0));
    }
    dense_pbar.push_back(row_times(p, d.phi1_ql, n));
    p = row_times(p, d.exp_ql, n);
    dense_end.push_back(p);
  }
  ASSERT_LT(dense_defect, 1e-12);
  // Truncating the dense chain at N = 100 is harmless: the mass near the top is below 1e-20.
  EXPECT_LT(p[n - 1] + p[n - 2], 1e-20);
  // Allowance for the dense method itself: 10x its measured row-sum defect, plus 1e-13.
  const double dense_allowance = 10.0 * dense_defect + 1e-13;

  // The default tolerance, and a tight one just above the rounding floor (8 u per step, about
  // 1e-12 for this day's ~1000 steps).
  for (double tolerance : {1e-9, 1e-11}) {
    ErlangADay chain(tolerance);
    chain.solve(day, kMu, kTheta);
    double worst = 0.0;
    for (int i = 0; i < static_cast<int>(day.size()); ++i) {
      const StateDistribution pbar = chain.time_average(i);
      const double err = l1(pbar, from_vector(dense_pbar[static_cast<std::size_t>(i)]));
      worst = std::max(worst, err);
      // The bound the module reports must hold (it is its contract), and 1e-6 is the brief's bar.
      EXPECT_LE(err, chain.error_bound(i) + dense_allowance) << "interval " << i << " tolerance " << tolerance;
      EXPECT_LT(err, 1e-6);
      EXPECT_LE(chain.error_bound(i), tolerance);
      // Busy servers: |sum (p - q) min(k, c)| <= c L1.
      const double busy = mean_busy(from_vector(dense_pbar[static_cast<std::size_t>(i)]), day[i].servers);
      EXPECT_NEAR(chain.mean_busy_servers(i), busy, day[i].servers * (chain.error_bound(i) + dense_allowance));
    }
    const double end_err = l1(chain.end_distribution(), from_vector(dense_end.back()));
    EXPECT_LE(end_err, chain.end_error_bound() + dense_allowance);
    EXPECT_LE(chain.end_error_bound(), tolerance);
    std::cout << "[ info ] dense check, tolerance " << tolerance << ": max L1(pbar) " << worst << ", L1(end) "
              << end_err << ", reported bound " << chain.end_error_bound() << ", dense defect " << dense_defect << '\n';
  }
}

TEST(ErlangADense, IntermediateEndsCarryAcrossIntervals) {
  // Solving the first j intervals gives the dense distribution after j intervals (the state
  // carries from one interval to the next).
  const int n = 100;
  const std::vector<ErlangAInterval> day = small_peaked_day();
  std::vector<double> p(static_cast<std::size_t>(n), 0.0);
  p[0] = 1.0;
  for (std::size_t j = 0; j < day.size(); ++j) {
    p = row_times(p, dense_interval(day[j], n).exp_ql, n);
    ErlangADay chain;
    chain.solve(std::vector<ErlangAInterval>(day.begin(), day.begin() + static_cast<std::ptrdiff_t>(j) + 1), kMu,
                kTheta);
    EXPECT_LE(l1(chain.end_distribution(), from_vector(p)), chain.end_error_bound() + 1e-12) << "after " << j + 1;
  }
}

TEST(ErlangADense, VanishingPatienceUnderOverload) {
  // theta = 1e-9 and lambda = 2 c mu: the stationary queue would sit near 1e9 contacts, but a day of
  // 4 x 30 minutes only reaches about lambda L more; the chain must neither throw nor lose accuracy.
  // Dense reference with N = 120 (the state is at most the arrivals of the 2 hours, Poisson(53):
  // beyond 120 less than 1e-20).
  const double theta = 1e-9;
  const int n = 120;
  const std::vector<ErlangAInterval> day(4, ErlangAInterval{2.0 * 2 * kMu, 2, 30.0});
  const DenseStep step = dense_interval(day[0], n, theta);
  std::vector<double> p(static_cast<std::size_t>(n), 0.0);
  p[0] = 1.0;
  for (std::size_t i = 0; i < day.size(); ++i) p = row_times(p, step.exp_ql, n);
  ErlangADay chain;
  chain.solve(day, kMu, theta);
  EXPECT_LE(l1(chain.end_distribution(), from_vector(p)), chain.end_error_bound() + 1e-12);
  EXPECT_LE(chain.end_error_bound(), 1e-9);
}

// ---- Exact transient laws ----

TEST(ErlangATransient, ClosedChannelFromEmptyIsPoisson) {
  // c = 0: every contact only abandons, an M/M/inf queue with rate theta: from empty the state at
  // t is Poisson(m(t)), m(t) = (lambda / theta) (1 - e^{-theta t}).
  const double lambda = 0.8;
  const double length = 45.0;
  ErlangADay chain;
  chain.solve({{lambda, 0, length}}, kMu, kTheta);
  const double m_end = lambda / kTheta * (1.0 - std::exp(-kTheta * length));
  EXPECT_LE(l1(chain.end_distribution(), from_vector(poisson_pmf(m_end, 120))), chain.end_error_bound() + 1e-14);
  // pbar = (1/L) int Poisson(m(t)) dt by Simpson's rule; its error is estimated by halving the
  // step (Richardson) and allowed twice over.
  auto simpson = [&](int panels) {
    std::vector<double> acc(120, 0.0);
    const double h = length / panels;
    for (int j = 0; j <= panels; ++j) {
      const double w = (j == 0 || j == panels) ? 1.0 : (j % 2 == 1 ? 4.0 : 2.0);
      const double t = j * h;
      const std::vector<double> p = poisson_pmf(lambda / kTheta * (1.0 - std::exp(-kTheta * t)) + 1e-300, 120);
      for (int k = 0; k < 120; ++k) acc[static_cast<std::size_t>(k)] += w * p[static_cast<std::size_t>(k)] * h / 3.0;
    }
    for (double& x : acc) x /= length;
    return acc;
  };
  const std::vector<double> fine = simpson(4000);
  const double quadrature = l1(from_vector(fine), from_vector(simpson(2000)));
  EXPECT_LE(l1(chain.time_average(0), from_vector(fine)), chain.error_bound(0) + 2.0 * quadrature + 1e-14);
  // Its mean in closed form.
  const double mean_exact = lambda / kTheta * (1.0 - (1.0 - std::exp(-kTheta * length)) / (kTheta * length));
  EXPECT_NEAR(chain.time_average(0).mean(), mean_exact, 1e-9 * 120);
  EXPECT_EQ(chain.mean_busy_servers(0), 0.0);
  EXPECT_EQ(chain.occupancy(0), 0.0);
}

TEST(ErlangATransient, ClosedChannelDrainsBinomially) {
  // lambda = 0, c = 0, 7 contacts waiting: each leaves after its own Exp(theta) patience, so the
  // state at L is Binomial(7, e^{-theta L}).
  StateDistribution seven;
  seven.first_state = 7;
  seven.probability = {1.0};
  ErlangADay chain;
  chain.solve({{0.0, 0, 20.0}}, kMu, kTheta, seven);
  const double stay = std::exp(-kTheta * 20.0);
  std::vector<double> binomial(8);
  for (int k = 0; k <= 7; ++k)
    binomial[static_cast<std::size_t>(k)] = std::exp(std::lgamma(8.0) - std::lgamma(k + 1.0) - std::lgamma(8.0 - k)) *
                                            std::pow(stay, k) * std::pow(1.0 - stay, 7 - k);
  EXPECT_LE(l1(chain.end_distribution(), from_vector(binomial)), chain.end_error_bound() + 1e-14);
  // Time-averaged mean: 7 (1 - e^{-theta L}) / (theta L).
  EXPECT_NEAR(chain.time_average(0).mean(), 7.0 * (1.0 - stay) / (kTheta * 20.0), 7.0 * chain.error_bound(0) + 1e-13);
}

TEST(ErlangATransient, AmpleServersFromEmptyIsPoisson) {
  // More servers than the state ever reaches: M/M/inf with rate mu, Poisson(lambda/mu (1 - e^{-mu t})).
  ErlangADay chain;
  chain.solve({{2.0, 500, 30.0}}, kMu, kTheta);
  const double m = 2.0 / kMu * (1.0 - std::exp(-kMu * 30.0));
  EXPECT_LE(l1(chain.end_distribution(), from_vector(poisson_pmf(m, 200))), chain.end_error_bound() + 1e-14);
  EXPECT_NEAR(chain.mean_queue_length(0), 0.0, 1e-300);
}

// ---- 2. Stationary Erlang A ----

TEST(ErlangAStationary, MatchesTheClosedFormInLogSpace) {
  // pi_k proportional to (lambda/mu)^k / k! for k <= c and pi_c prod_{j=1..k-c} lambda / (c mu + j
  // theta) above, each log weight through lgamma, normalised by log-sum-exp. Log weights of size
  // M carry an absolute error of a few M u, so the L1 distance may be 8 u max|log w| + 1e-15.
  for (int c : {1, 10, 100, 500}) {
    for (double load : {0.5, 1.0, 1.5}) {
      const double lambda = load * c * kMu;
      const ErlangAStationary s = erlang_a_stationary(lambda, c, kMu, kTheta);
      const int hi = top(s.distribution) + 50;
      std::vector<double> logw(static_cast<std::size_t>(hi + 1));
      double log_top = -std::numeric_limits<double>::infinity();
      double biggest = 0.0;
      for (int k = 0; k <= hi; ++k) {
        double lw = 0.0;
        if (k <= c) {
          lw = k * std::log(lambda / kMu) - std::lgamma(k + 1.0);
        } else {
          lw = logw[static_cast<std::size_t>(k - 1)] + std::log(lambda / (c * kMu + (k - c) * kTheta));
        }
        logw[static_cast<std::size_t>(k)] = lw;
        log_top = std::max(log_top, lw);
        biggest = std::max(biggest, std::abs(lw));
      }
      double sum = 0.0;
      for (double lw : logw) sum += std::exp(lw - log_top);
      std::vector<double> p(logw.size());
      for (std::size_t k = 0; k < p.size(); ++k) p[k] = std::exp(logw[k] - log_top) / sum;
      EXPECT_LE(l1(s.distribution, from_vector(p)), 8.0 * kU * biggest + 1e-15) << "c=" << c << " load=" << load;
      EXPECT_NEAR(s.distribution.total(), 1.0, 1e-13);
    }
  }
}

TEST(ErlangAStationary, FlowBalanceIdentities) {
  // Two derivations of P(abandon) must agree: per arrival, sum_{k>=c} pi_k (q+1) theta / (c mu +
  // (q+1) theta) (patience Exp(theta) beats the Beta wait); per unit time, abandonments theta E[Q]
  // over arrivals lambda. And the served throughput lambda (1 - P(abandon)) = mu E[busy].
  // Both sides are sums of positive terms: relative 1e-12 leaves room for rounding over a few
  // thousand terms; pi is cut where less than 2e-20 of mass is left, which bounds the absolute
  // error of P(abandon) by 2e-20 and of theta E[Q] / lambda by 2e-20 theta (top state) / lambda.
  for (int c : {1, 6, 40, 300}) {
    for (double load : {0.3, 0.9, 1.2, 5.0}) {
      const double lambda = load * c * kMu;
      const ErlangAStationary s = erlang_a_stationary(lambda, c, kMu, kTheta);
      const double cut = 2e-20 * (1.0 + kTheta * top(s.distribution) / lambda);
      EXPECT_NEAR(s.p_abandon, kTheta * s.mean_queue_length / lambda, 1e-12 * s.p_abandon + cut);
      EXPECT_NEAR(lambda * (1.0 - s.p_abandon), kMu * s.mean_busy_servers, 1e-12 * lambda);
      // Service level: everything answered within a very long time is everything answered.
      EXPECT_NEAR(s.p_answered_within(1e5), 1.0 - s.p_abandon, 1e-12);
      EXPECT_NEAR(s.p_answered_within(0.0), 1.0 - s.p_wait, 1e-12);
    }
  }
}

TEST(ErlangAStationary, LongFlatIntervalConvergesToIt) {
  // After 3000 minutes (20 relaxation times 1/theta and more than 300 of 1/mu) the chain is at
  // stationarity to far below 1e-9; the end must be within the reported bound (<= 1e-9) of pi, and
  // the brief's 1e-8.
  for (int c : {1, 6, 14, 60}) {
    for (double load : {0.5, 0.95, 1.3}) {
      const double lambda = load * c * kMu;
      const ErlangAStationary s = erlang_a_stationary(lambda, c, kMu, kTheta);
      ErlangADay plain, shortcut;
      plain.solve({{lambda, c, 3000.0}}, kMu, kTheta, StateDistribution{}, false);
      shortcut.solve({{lambda, c, 3000.0}}, kMu, kTheta);
      EXPECT_LE(l1(plain.end_distribution(), s.distribution), plain.end_error_bound() + 1e-13);
      EXPECT_LE(l1(shortcut.end_distribution(), s.distribution), shortcut.end_error_bound() + 1e-13);
      EXPECT_LT(l1(plain.end_distribution(), s.distribution), 1e-8);
      EXPECT_LE(plain.end_error_bound(), 1e-9);
      EXPECT_LE(shortcut.end_error_bound(), 1e-9);
      // The shortcut changes pbar by no more than the two bounds together, and saves steps.
      EXPECT_LE(l1(plain.time_average(0), shortcut.time_average(0)), plain.error_bound(0) + shortcut.error_bound(0));
      EXPECT_EQ(shortcut.stats().steady_state_intervals, 1);
      EXPECT_LT(shortcut.stats().steps, plain.stats().steps / 2);
    }
  }
}

TEST(ErlangAStationary, TinyAbandonmentIsErlangC) {
  // theta -> 0 with load < 1: M/M/c. With r = lambda / (c mu), the Erlang A tail terms are those of
  // Erlang C times prod_i 1 / (1 + i theta / (c mu)), so |P_A(wait) - C| <= (theta / (c mu))
  // sum_j r^j j (j+1) / 2 = (theta / (c mu)) r / (1 - r)^3.
  const double theta = 1e-9;
  for (int c : {1, 10, 50}) {
    for (double r : {0.5, 0.85}) {
      const double lambda = r * c * kMu;
      const double erlang_c = erlang_c_reference(c, lambda / kMu);
      const double allowed = theta / (c * kMu) * r / std::pow(1.0 - r, 3.0);
      const ErlangAStationary s = erlang_a_stationary(lambda, c, kMu, theta);
      EXPECT_NEAR(s.p_wait, erlang_c, allowed) << "c=" << c << " r=" << r;
      // The transient chain after a long day: P(k >= c) at the end, within its bound. M/M/c relaxes
      // at about min(mu, (sqrt(c mu) - sqrt(lambda))^2) (the second near full load); 40 of those
      // times leave a distance near e^-40 to stationarity.
      ErlangADay chain;
      const double relaxation_rate = std::min(kMu, std::pow(std::sqrt(c * kMu) - std::sqrt(lambda), 2.0));
      chain.solve({{lambda, c, 40.0 / relaxation_rate}}, kMu, theta);
      double p_wait = 0.0;
      for (int k = c; k <= top(chain.end_distribution()); ++k) p_wait += at(chain.end_distribution(), k);
      EXPECT_NEAR(p_wait, erlang_c, allowed + chain.end_error_bound()) << "c=" << c << " r=" << r;
    }
  }
}

// ---- The offered wait: Beta identity and its inversion ----

TEST(ErlangAWait, InversionSolvesTheBetaDistributionFunction) {
  // V(u) = -log(x) / theta where P(B > x) = u for B ~ Beta(b, q+1): Boost's distribution function
  // at x must give back u. P(B > x) = P(1 - B < 1 - x) = I_{1-x}(q+1, b), with 1 - x =
  // -expm1(-theta V) formed without cancellation. V carries a relative error near 1e-15 (Newton
  // to quadratic convergence), which moves u by at most (density x V theta) 1e-15, well below
  // 1e-10 in the body and 1e-8 relative in the tails; an inversion error would not.
  for (int c : {1, 5, 140}) {
    for (int q : {0, 1, 4, 30, 255, 400}) {
      const double b = c * kMu / kTheta;
      double previous = 0.0;
      for (int j = 1; j < 200; ++j) {
        const double u = j / 200.0;
        const double v = erlang_a_offered_wait_minutes(c, c + q, kMu, kTheta, u);
        EXPECT_GE(v, previous) << "monotone in u";  // the coupling: larger u, longer wait
        previous = v;
        EXPECT_NEAR(boost::math::ibeta(q + 1.0, b, -std::expm1(-kTheta * v)), u, 1e-10)
            << "c=" << c << " q=" << q << " u=" << u;
      }
      // Tails too.
      for (double u : {1e-12, 1e-6, 0.999999, 1.0 - 1e-12}) {
        const double v = erlang_a_offered_wait_minutes(c, c + q, kMu, kTheta, u);
        EXPECT_NEAR(boost::math::ibeta(q + 1.0, b, -std::expm1(-kTheta * v)) / u, 1.0, 1e-8)
            << "c=" << c << " q=" << q << " u=" << u;
      }
    }
  }
}

TEST(ErlangAWait, FastInversionAgreesWithBoost) {
  // Both exact up to rounding: relative 1e-10 (Boost's ibetac_inv itself was seen 6e-12 off a
  // 50-digit root at b = 1e9, where the fast path matched every digit). Where Boost's x underflows
  // (b = 0.01, u -> 1: x near 1e-900) it returns V = infinity; the fast path then still gives a
  // finite V beyond -log(DBL_MIN) / theta.
  for (double b : {0.01, 0.3, 1.6667, 8.0, 433.0, 2330.0, 1e6}) {
    for (int n : {1, 2, 3, 5, 20, 100, 256}) {
      for (double u : {1e-9, 1e-3, 0.1, 0.2499, 0.25, 0.5, 0.9, 0.999, 1.0 - 1e-9}) {
        const double theta = 0.1;
        const int c = 100;
        const double mu = b * theta / c;
        const double fast = erlang_a_offered_wait_minutes(c, c + n - 1, mu, theta, u);
        const double reference = erlang_a_offered_wait_minutes_boost(c, c + n - 1, mu, theta, u);
        if (std::isinf(reference)) {
          EXPECT_GT(fast * theta, -std::log(std::numeric_limits<double>::min())) << "b=" << b << " n=" << n;
          continue;
        }
        EXPECT_NEAR(fast / reference, 1.0, 1e-10) << "b=" << b << " n=" << n << " u=" << u;
      }
    }
  }
}

TEST(ErlangAWait, BetaIdentityMatchesTheSumOfExponentials) {
  // V = sum_{m=0..q} E_m / (c mu + m theta) sampled literally, against the one-uniform Beta
  // inversion: exact moments E[V] = sum 1 / (c mu + m theta) and E[exp(-theta V)] = b / (b+q+1),
  // within 4 standard errors, and the two-sample Kolmogorov-Smirnov distance below its 1e-4
  // critical value 2.23 sqrt(2 / n) (sqrt(-ln(0.5e-4) / 2) = 2.23). Fixed seed.
  const int samples = 100000;
  std::mt19937_64 rng(20240611);
  for (int c : {1, 5}) {
    for (int q : {0, 3, 20}) {
      const double b = c * kMu / kTheta;
      std::vector<double> literal(samples), inverted(samples);
      for (int i = 0; i < samples; ++i) {
        double v = 0.0;
        for (int m = 0; m <= q; ++m) v += -std::log(uniform(rng)) / (c * kMu + m * kTheta);
        literal[static_cast<std::size_t>(i)] = v;
        inverted[static_cast<std::size_t>(i)] = erlang_a_offered_wait_minutes(c, c + q, kMu, kTheta, uniform(rng));
      }
      double mean_exact = 0.0, var_exact = 0.0;
      for (int m = 0; m <= q; ++m) {
        mean_exact += 1.0 / (c * kMu + m * kTheta);
        var_exact += 1.0 / ((c * kMu + m * kTheta) * (c * kMu + m * kTheta));
      }
      const double laplace_exact = b / (b + q + 1.0);
      // Var[exp(-theta V)] = E[B^2] - E[B]^2 with E[B^2] = b (b+1) / ((b+q+1)(b+q+2)).
      const double laplace_var = b * (b + 1.0) / ((b + q + 1.0) * (b + q + 2.0)) - laplace_exact * laplace_exact;
      for (const std::vector<double>* sample : {&literal, &inverted}) {
        double mean = 0.0, laplace = 0.0;
        for (double v : *sample) {
          mean += v;
          laplace += std::exp(-kTheta * v);
        }
        mean /= samples;
        laplace /= samples;
        EXPECT_NEAR(mean, mean_exact, 4.0 * std::sqrt(var_exact / samples)) << "c=" << c << " q=" << q;
        EXPECT_NEAR(laplace, laplace_exact, 4.0 * std::sqrt(laplace_var / samples)) << "c=" << c << " q=" << q;
      }
      std::sort(literal.begin(), literal.end());
      std::sort(inverted.begin(), inverted.end());
      double ks = 0.0;
      std::size_t i = 0, j = 0;
      while (i < literal.size() && j < inverted.size()) {
        if (literal[i] <= inverted[j])
          ++i;
        else
          ++j;
        ks = std::max(ks, std::abs(static_cast<double>(i) - static_cast<double>(j)) / samples);
      }
      EXPECT_LT(ks, 2.23 * std::sqrt(2.0 / samples)) << "c=" << c << " q=" << q;
    }
  }
}

TEST(ErlangAWait, EdgeValues) {
  EXPECT_EQ(erlang_a_offered_wait_minutes(5, 4, kMu, kTheta, 0.7), 0.0);  // a free server
  EXPECT_EQ(erlang_a_offered_wait_minutes(0, 0, kMu, kTheta, 0.7), std::numeric_limits<double>::infinity());
  EXPECT_EQ(erlang_a_offered_wait_minutes(0, 3, kMu, kTheta, 0.01), std::numeric_limits<double>::infinity());
  EXPECT_EQ(erlang_a_offered_wait_minutes(5, 5, kMu, kTheta, 0.0), 0.0);
  EXPECT_EQ(erlang_a_offered_wait_minutes(5, 5, kMu, kTheta, 1.0), std::numeric_limits<double>::infinity());
  // q = 0: V ~ Exp(c mu), so V(u) = -log(1 - u) / (c mu).
  EXPECT_NEAR(erlang_a_offered_wait_minutes(5, 5, kMu, kTheta, 0.5), std::log(2.0) / (5 * kMu), 1e-13);
}

// ---- 3. Monte Carlo of the whole contact model on a stationary day ----

TEST(ErlangAMonteCarlo, ContactsMatchTheStationaryClosedForms) {
  // A flat day that starts at its stationary distribution: every pbar_i is pi (within 1e-9).
  // Contacts draw the state they find from pbar_i, their offered wait V from the Beta inversion and
  // their patience from Exp(theta); they are answered iff V <= patience. P(abandon), the mean wait
  // of answered contacts and P(answered within 20 s) must match the closed forms within 4
  // standard errors (binomial for the shares, the sample standard deviation for the mean).
  const int contacts = 200000;
  std::mt19937_64 rng(7);
  for (double load : {0.95, 1.2}) {
    const int c = 10;
    const double lambda = load * c * kMu;
    const ErlangAStationary s = erlang_a_stationary(lambda, c, kMu, kTheta);
    std::vector<ErlangAInterval> day(20, ErlangAInterval{lambda, c, 30.0});
    ErlangADay chain;
    chain.solve(day, kMu, kTheta, s.distribution);
    int abandoned = 0, within = 0, answered = 0;
    double wait_sum = 0.0, wait_sq = 0.0;
    for (int i = 0; i < contacts; ++i) {
      const int interval = i % 20;
      const int k = chain.state_found(interval, uniform(rng));
      const double v = chain.offered_wait_minutes(interval, k, uniform(rng));
      const double patience = -std::log(uniform(rng)) / kTheta;
      if (v <= patience) {
        ++answered;
        wait_sum += v;
        wait_sq += v * v;
        if (v <= 20.0 / 60.0) ++within;
      } else {
        ++abandoned;
      }
    }
    const double n = contacts;
    const double p_ab = s.p_abandon;
    EXPECT_NEAR(abandoned / n, p_ab, 4.0 * std::sqrt(p_ab * (1.0 - p_ab) / n)) << "load " << load;
    const double p_sl = s.p_answered_within(20.0 / 60.0);
    EXPECT_NEAR(within / n, p_sl, 4.0 * std::sqrt(p_sl * (1.0 - p_sl) / n)) << "load " << load;
    const double mean = wait_sum / answered;
    const double sd = std::sqrt(wait_sq / answered - mean * mean);
    EXPECT_NEAR(mean, s.mean_answered_wait_minutes, 4.0 * sd / std::sqrt(static_cast<double>(answered)))
        << "load " << load;
    std::cout << "[ info ] load " << load << ": P(abandon) " << abandoned / n << " vs " << p_ab << ", ASA " << mean
              << " vs " << s.mean_answered_wait_minutes << ", SL(20 s) " << within / n << " vs " << p_sl << '\n';
  }
}

TEST(ErlangASampling, StateFoundInvertsTheTimeAverage) {
  // Over a grid of M uniforms, each state's share differs from pbar_i by at most 1/M (+ the dropped
  // mass, which goes to the top state); the state is nondecreasing in u.
  ErlangADay chain;
  chain.solve(small_peaked_day(), kMu, kTheta);
  const int grid = 100000;
  for (int i = 0; i < chain.interval_count(); ++i) {
    const StateDistribution pbar = chain.time_average(i);
    std::vector<int> count(pbar.probability.size(), 0);
    int previous = 0;
    for (int j = 0; j < grid; ++j) {
      const int k = chain.state_found(i, (j + 0.5) / grid);
      ASSERT_GE(k, pbar.first_state);
      ASSERT_LE(k, top(pbar));
      ASSERT_GE(k, previous);
      previous = k;
      ++count[static_cast<std::size_t>(k - pbar.first_state)];
    }
    for (std::size_t k = 0; k < count.size(); ++k)
      EXPECT_NEAR(count[k] / static_cast<double>(grid), pbar.probability[k], 1.0 / grid + chain.error_bound(i));
  }
}

// ---- 4. Edge cases ----

TEST(ErlangAEdge, NoArrivalsAndClosedIntervals) {
  // Starting empty with no arrivals nothing ever happens.
  ErlangADay idle;
  idle.solve({{0.0, 3, 30.0}, {0.0, 0, 30.0}}, kMu, kTheta);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(idle.time_average(i).first_state, 0);
    EXPECT_EQ(idle.time_average(i).probability.size(), 1u);
    EXPECT_DOUBLE_EQ(idle.time_average(i).probability[0], 1.0);
    EXPECT_EQ(idle.state_found(i, 0.999), 0);
  }
  // A closed interval: every contact's wait is infinite (it abandons), nobody is busy.
  ErlangADay closed;
  closed.solve({{0.5, 4, 30.0}, {0.5, 0, 30.0}}, kMu, kTheta);
  EXPECT_EQ(closed.mean_busy_servers(1), 0.0);
  EXPECT_EQ(closed.offered_wait_minutes(1, closed.state_found(1, 0.5), 0.5), std::numeric_limits<double>::infinity());
  EXPECT_EQ(closed.offered_wait_minutes(1, 0, 0.5), std::numeric_limits<double>::infinity());
  // In the open interval before it, a contact finding a free server does not wait.
  EXPECT_EQ(closed.offered_wait_minutes(0, 3, 0.5), 0.0);
}

TEST(ErlangAEdge, CarriedInitialDistributionContinuesTheDay) {
  // A 24-hour channel: day 2 started from day 1's end equals the second half of one 96-interval
  // run, within the two bounds.
  std::vector<double> weights;
  for (int i = 0; i < 48; ++i) weights.push_back(1.0 + 3.0 * std::exp(-0.5 * std::pow((i - 20) / 6.0, 2.0)));
  const std::vector<ErlangAInterval> one_day = shaped_day(8.0, 0.9, weights, 30.0);
  std::vector<ErlangAInterval> two_days = one_day;
  two_days.insert(two_days.end(), one_day.begin(), one_day.end());
  ErlangADay first, second, both;
  first.solve(one_day, kMu, kTheta);
  second.solve(one_day, kMu, kTheta, first.end_distribution());
  both.solve(two_days, kMu, kTheta);
  for (int i = 0; i < 48; ++i) {
    EXPECT_LE(l1(second.time_average(i), both.time_average(48 + i)),
              second.error_bound(i) + first.end_error_bound() + both.error_bound(48 + i))
        << i;
  }
  EXPECT_LE(l1(second.end_distribution(), both.end_distribution()),
            second.end_error_bound() + first.end_error_bound() + both.end_error_bound());
  EXPECT_LE(both.end_error_bound(), 1e-9);
  // Started at the stationary distribution, a flat day stays there.
  const ErlangAStationary s = erlang_a_stationary(0.7, 6, kMu, kTheta);
  ErlangADay flat;
  flat.solve({{0.7, 6, 30.0}, {0.7, 6, 30.0}}, kMu, kTheta, s.distribution);
  EXPECT_LE(l1(flat.time_average(1), s.distribution), flat.error_bound(1) + 1e-13);
}

TEST(ErlangAEdge, OneIntervalAndNinetySixAgree) {
  // Cutting a flat 24-hour day into 96 intervals of 15 minutes changes nothing: the end is the same
  // and the mean of the 96 time averages is the single one (within the bounds).
  const ErlangAInterval whole{1.0, 9, 1440.0};
  const std::vector<ErlangAInterval> pieces(96, ErlangAInterval{1.0, 9, 15.0});
  ErlangADay k1, k96;
  k1.solve({whole}, kMu, kTheta);
  k96.solve(pieces, kMu, kTheta);
  EXPECT_EQ(k96.interval_count(), 96);
  EXPECT_LE(l1(k1.end_distribution(), k96.end_distribution()), k1.end_error_bound() + k96.end_error_bound());
  StateDistribution average;
  average.probability.assign(200, 0.0);
  for (int i = 0; i < 96; ++i)
    for (int k = 0; k < 200; ++k) average.probability[static_cast<std::size_t>(k)] += at(k96.time_average(i), k) / 96.0;
  EXPECT_LE(l1(k1.time_average(0), average), k1.error_bound(0) + k96.end_error_bound());
  EXPECT_LE(k96.end_error_bound(), 1e-9);
  EXPECT_LE(k1.end_error_bound(), 1e-9);
}

TEST(ErlangAEdge, HeavyOverloadKeepsTheWindowToTheMass) {
  // lambda = 5 c mu: the queue settles near c + 4 c mu / theta. The window must stay within the
  // states where pi has mass above 1e-20 (the transient from empty is no wider than pi), and the
  // cap (which sets the uniformization rate) at most 3 states above that range.
  const int c = 20;
  const double lambda = 5.0 * c * kMu;
  const ErlangAStationary s = erlang_a_stationary(lambda, c, kMu, kTheta);
  ErlangADay chain;
  chain.solve(std::vector<ErlangAInterval>(20, ErlangAInterval{lambda, c, 30.0}), kMu, kTheta);
  EXPECT_LE(chain.stats().max_window_states, static_cast<int>(s.distribution.probability.size()));
  EXPECT_LE(chain.stats().max_cap_state, top(s.distribution) + 3);
  EXPECT_EQ(chain.stats().restarts, 0);
  EXPECT_LE(chain.end_error_bound(), 1e-9);
  EXPECT_LE(l1(chain.end_distribution(), s.distribution), chain.end_error_bound() + 1e-10);
  EXPECT_GT(chain.occupancy(19), 0.999);
  std::cout << "[ info ] overload: window " << chain.stats().max_window_states << " states, pi window "
            << s.distribution.probability.size() << ", cap " << chain.stats().max_cap_state << '\n';
}

TEST(ErlangAEdge, BuffersAreReusedAcrossSolves) {
  // The same solver reused for different days gives the results of a fresh one, bit for bit.
  ErlangADay reused;
  reused.solve(shaped_day(140.0, 1.15, {2, 3, 4, 4, 3}, 30.0), kMu, kTheta);
  reused.solve(small_peaked_day(), kMu, kTheta);
  ErlangADay fresh;
  fresh.solve(small_peaked_day(), kMu, kTheta);
  for (int i = 0; i < fresh.interval_count(); ++i) {
    EXPECT_EQ(reused.time_average(i).probability, fresh.time_average(i).probability);
    EXPECT_EQ(reused.error_bound(i), fresh.error_bound(i));
  }
  EXPECT_EQ(reused.end_distribution().probability, fresh.end_distribution().probability);
}

TEST(ErlangAInput, InvalidInputsThrowWithAClearMessage) {
  ErlangADay chain;
  auto message = [&](const std::vector<ErlangAInterval>& day, double mu, double theta,
                     const StateDistribution& initial = StateDistribution{}) -> std::string {
    try {
      chain.solve(day, mu, theta, initial);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no exception";
  };
  const std::vector<ErlangAInterval> ok{{0.5, 3, 30.0}};
  EXPECT_NE(message({}, kMu, kTheta).find("empty"), std::string::npos);
  EXPECT_NE(message({{-0.1, 3, 30.0}}, kMu, kTheta).find("interval 0: arrivals_per_minute"), std::string::npos);
  EXPECT_NE(message({{0.5, 3, 30.0}, {0.5, -1, 30.0}}, kMu, kTheta).find("interval 1: servers"), std::string::npos);
  EXPECT_NE(message({{0.5, 3, 0.0}}, kMu, kTheta).find("length_minutes"), std::string::npos);
  EXPECT_NE(message({{std::nan(""), 3, 30.0}}, kMu, kTheta).find("arrivals_per_minute"), std::string::npos);
  EXPECT_NE(message(ok, -1.0, kTheta).find("service rate"), std::string::npos);
  EXPECT_NE(message(ok, kMu, 0.0).find("abandonment rate"), std::string::npos);
  EXPECT_NE(message(ok, kMu, -0.1).find("abandonment rate"), std::string::npos);
  StateDistribution bad;
  bad.probability = {0.5, -0.1};
  EXPECT_NE(message(ok, kMu, kTheta, bad).find("initial distribution"), std::string::npos);
  bad.probability = {0.9, 0.9};
  EXPECT_NE(message(ok, kMu, kTheta, bad).find("total probability"), std::string::npos);
  EXPECT_THROW(ErlangADay(0.0), std::invalid_argument);
  EXPECT_THROW(erlang_a_stationary(1.0, 3, kMu, 0.0), std::invalid_argument);
  EXPECT_THROW(erlang_a_stationary(-1.0, 3, kMu, kTheta), std::invalid_argument);
  EXPECT_THROW(erlang_a_offered_wait_minutes(3, 5, kMu, kTheta, 1.5), std::invalid_argument);
  chain.solve(ok, kMu, kTheta);
  EXPECT_THROW(chain.state_found(0, -0.1), std::invalid_argument);
  EXPECT_THROW(chain.state_found(1, 0.5), std::out_of_range);
}
