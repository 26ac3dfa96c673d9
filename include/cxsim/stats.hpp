#pragma once
// Statistics over replicate values: pure functions, no state. The 95% interval is Student-t with
// n - 1 degrees of freedom (Boost.Math), the standard choice for a handful of independent
// replications of a Monte Carlo run.
#include <optional>
#include <utility>
#include <vector>

namespace cxsim {

struct Summary {
  double mean = 0.0;
  std::optional<double> sd;                       // sample sd (n - 1); empty when n < 2
  std::optional<std::pair<double, double>> ci95;  // mean -/+ t(0.975, n-1) sd / sqrt(n); empty when n < 2
  std::size_t n = 0;
};

// Summary of replicate values. Requires at least one value; a NaN among them (an undefined metric,
// e.g. survey NPS with no responses) makes the mean NaN and sd/ci empty.
Summary summarize(const std::vector<double>& replicates);

// Student-t quantile t(p, dof) (Boost.Math).
double student_t_quantile(double p, double dof);

}  // namespace cxsim

#include <array>
#include <cstdint>

namespace cxsim {

// Streaming quantile sketch for non-negative values (waits in minutes) with a stated error: values
// in [kMinValue, kMaxValue] fall in logarithmic bins of ratio gamma = (1 + a) / (1 - a) with
// a = kRelativeAccuracy, and a quantile is reported as the bin's representative value 2 g^i /
// (g + 1), within relative error a of the true sample quantile (the DDSketch construction).
// Zero (and values below kMinValue) have their own exact bin; values above kMaxValue are clamped
// into the top bin. Counts are integers, so merging sketches is exact and order-independent.
class QuantileSketch {
 public:
  static constexpr double kRelativeAccuracy = 0.01;
  static constexpr double kMinValue = 1e-3;
  static constexpr double kMaxValue = 1e6;

  QuantileSketch();
  void add(double value, std::uint64_t count = 1);
  void merge(const QuantileSketch& other);
  std::uint64_t count() const { return total_; }
  // q in [0, 1]; the value of rank ceil(q * count) (1-based, at least 1). NaN when empty.
  double quantile(double q) const;

 private:
  std::uint64_t zero_ = 0;
  std::uint64_t total_ = 0;
  std::vector<std::uint64_t> bins_;
};

}  // namespace cxsim
