// The DDSketch-style quantile sketch (see quantile_sketch.hpp).
#include "quantile_sketch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace cxsim {

// QuantileSketch: bin i holds values v with gamma^(i-1) < v <= gamma^i, i = ceil(log(v) / log(gamma)).
// The representative 2 gamma^i / (gamma + 1) is within relative error a of every value of the bin
// (Masson, Rim and Lee, "DDSketch", VLDB 2019).

namespace {

struct SketchLayout {
  double gamma;
  double log_gamma;
  int min_index;  // bin of kMinValue
  int max_index;  // bin of kMaxValue

  SketchLayout() {
    const double a = QuantileSketch::kRelativeAccuracy;
    gamma = (1.0 + a) / (1.0 - a);
    log_gamma = std::log(gamma);
    min_index = index_of(QuantileSketch::kMinValue);
    max_index = index_of(QuantileSketch::kMaxValue);
  }
  int index_of(double v) const { return static_cast<int>(std::ceil(std::log(v) / log_gamma)); }
  std::size_t bins() const { return static_cast<std::size_t>(max_index - min_index + 1); }
  // Slot of a value in [kMinValue, inf); values above kMaxValue clamp into the top bin.
  std::size_t slot(double v) const {
    const int i = v >= QuantileSketch::kMaxValue ? max_index : std::clamp(index_of(v), min_index, max_index);
    return static_cast<std::size_t>(i - min_index);
  }
  double representative(std::size_t slot) const {
    const int i = min_index + static_cast<int>(slot);
    return 2.0 * std::pow(gamma, i) / (gamma + 1.0);
  }
};

const SketchLayout& layout() {
  static const SketchLayout l;
  return l;
}

}  // namespace

QuantileSketch::QuantileSketch() : bins_(layout().bins(), 0) {}

void QuantileSketch::add(double value, std::uint64_t count) {
  if (std::isnan(value) || value < 0.0 || std::isinf(value)) {
    throw std::invalid_argument("QuantileSketch::add: value must be finite and non-negative, got " +
                                std::to_string(value));
  }
  if (count == 0) return;
  if (value < kMinValue) {
    zero_ += count;
  } else {
    bins_[layout().slot(value)] += count;
  }
  total_ += count;
}

void QuantileSketch::merge(const QuantileSketch& other) {
  zero_ += other.zero_;
  total_ += other.total_;
  for (std::size_t k = 0; k < bins_.size(); ++k) bins_[k] += other.bins_[k];
}

double QuantileSketch::quantile(double q) const {
  if (!(q >= 0.0 && q <= 1.0)) {
    throw std::invalid_argument("QuantileSketch::quantile: q must be in [0, 1], got " + std::to_string(q));
  }
  if (total_ == 0) return std::numeric_limits<double>::quiet_NaN();
  const double r = std::ceil(q * static_cast<double>(total_));
  std::uint64_t rank = r < 1.0 ? 1 : static_cast<std::uint64_t>(r);
  rank = std::min(rank, total_);
  if (rank <= zero_) return 0.0;
  std::uint64_t seen = zero_;
  for (std::size_t k = 0; k < bins_.size(); ++k) {
    seen += bins_[k];
    if (seen >= rank) return layout().representative(k);
  }
  return layout().representative(bins_.size() - 1);  // unreachable: counts sum to total_
}

}  // namespace cxsim
