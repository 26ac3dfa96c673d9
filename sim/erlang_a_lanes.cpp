// The Erlang A uniformization step in SIMD lanes (erlang_a_lanes.hpp). Highway's foreach_target.h
// compiles the part between HWY_BEFORE_NAMESPACE and HWY_AFTER_NAMESPACE once per target; the
// HWY_ONCE part dispatches to the best one the CPU supports.
#include "erlang_a_lanes.hpp"

#include <cstddef>

#include "rng_simd_targets.hpp"  // the same target list as the rest of the lane code
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "erlang_a_lanes.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
// clang-format off
#include <hwy/highway.h>
// clang-format on

HWY_BEFORE_NAMESPACE();
namespace cxsim {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <bool kEnd>
HWY_INLINE void Step(const double* v, double* out, double* acc, double* end, const double* stay, const double* down,
                     double up, double weight, double end_weight, int lo, int hi) {
  const hn::ScalableTag<double> d;
  const auto n = static_cast<int>(hn::Lanes(d));
  const auto vup = hn::Set(d, up);
  const auto vweight = hn::Set(d, weight);
  const auto vend_weight = hn::Set(d, end_weight);
  int k = lo;
  for (; k + n - 1 <= hi; k += n) {
    const auto vk = hn::LoadU(d, v + k);
    const auto next = hn::Add(hn::Add(hn::Mul(hn::LoadU(d, stay + k), vk), hn::Mul(vup, hn::LoadU(d, v + k - 1))),
                              hn::Mul(hn::LoadU(d, down + k + 1), hn::LoadU(d, v + k + 1)));
    hn::StoreU(next, d, out + k);
    hn::StoreU(hn::Add(hn::LoadU(d, acc + k), hn::Mul(vweight, vk)), d, acc + k);
    if (kEnd) hn::StoreU(hn::Add(hn::LoadU(d, end + k), hn::Mul(vend_weight, vk)), d, end + k);
  }
  for (; k <= hi; ++k) {  // the same operations, one state at a time
    const double vk = v[k];
    out[k] = stay[k] * vk + up * v[k - 1] + down[k + 1] * v[k + 1];
    acc[k] += weight * vk;
    if (kEnd) end[k] += end_weight * vk;
  }
}

void UniformizationStep(const double* v, double* out, double* acc, double* end, const double* stay, const double* down,
                        double up, double weight, double end_weight, int lo, int hi) {
  if (end != nullptr) {
    Step<true>(v, out, acc, end, stay, down, up, weight, end_weight, lo, hi);
  } else {
    Step<false>(v, out, acc, end, stay, down, up, weight, end_weight, lo, hi);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace cxsim
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace cxsim {

HWY_EXPORT(UniformizationStep);

void uniformization_step(const double* v, double* out, double* acc, double* end, const double* stay, const double* down,
                         double up, double weight, double end_weight, int lo, int hi) {
  HWY_DYNAMIC_DISPATCH(UniformizationStep)(v, out, acc, end, stay, down, up, weight, end_weight, lo, hi);
}

}  // namespace cxsim
#endif  // HWY_ONCE
