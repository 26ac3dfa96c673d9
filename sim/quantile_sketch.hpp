#pragma once
// Streaming quantile sketch (DDSketch) for wait quantiles; private to the library.
#include <array>
#include <cstdint>
#include <vector>

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
  // The counts (zero bin, total, bins) in a fixed order, for adding sketches of other processes.
  template <typename F>
  void for_each_count(F&& f) {
    f(zero_);
    f(total_);
    for (std::uint64_t& b : bins_) f(b);
  }
  template <typename F>
  void for_each_count(F&& f) const {
    f(zero_);
    f(total_);
    for (const std::uint64_t& b : bins_) f(b);
  }
  std::uint64_t count() const { return total_; }
  // q in [0, 1]; the value of rank ceil(q * count) (1-based, at least 1). NaN when empty.
  double quantile(double q) const;

 private:
  std::uint64_t zero_ = 0;
  std::uint64_t total_ = 0;
  std::vector<std::uint64_t> bins_;
};

}  // namespace cxsim
