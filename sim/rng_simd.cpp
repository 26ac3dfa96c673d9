// Lane-wise Philox4x32-10 and Box-Muller with Google Highway (rng_simd.hpp). Highway's
// foreach_target.h compiles the part between HWY_BEFORE_NAMESPACE and HWY_AFTER_NAMESPACE once per
// x86 target (re-including this file); the HWY_ONCE part at the end dispatches to the best one the
// CPU supports and finishes each call's tail with the scalar code of rng.cpp.
#include "rng_simd.hpp"

#include <cstddef>
#include <cstdint>

#include "rng.hpp"

#include "rng_simd_targets.hpp"  // before any Highway header
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "rng_simd.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
// clang-format off
#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>
// clang-format on

HWY_BEFORE_NAMESPACE();
namespace cxsim {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The lane functions below handle the largest multiple of the lane count and return it; the caller
// does the rest. HWY_SCALAR and HWY_EMU128 (the fallbacks for CPUs without SSSE3, or compilers where
// Highway's emulation is broken) handle nothing: the scalar code of rng.cpp is as fast there.
#if HWY_TARGET == HWY_SCALAR || HWY_TARGET == HWY_EMU128

std::uint32_t PhiloxBlocksLanes(const std::uint32_t*, std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t*,
                                std::uint32_t*, std::uint32_t*, std::uint32_t*) {
  return 0;
}
std::uint32_t PhiloxUniformsLanes(const std::uint32_t*, std::uint32_t, std::uint32_t, std::uint32_t, double*, double*,
                                  double*, double*) {
  return 0;
}

#else

// Random123 philox.h: round multipliers and Weyl key increments of Philox4x32.
constexpr std::uint32_t kM0 = 0xD2511F53u;
constexpr std::uint32_t kM1 = 0xCD9E8D57u;
constexpr std::uint32_t kW0 = 0x9E3779B9u;
constexpr std::uint32_t kW1 = 0xBB67AE85u;

using D = hn::ScalableTag<std::uint32_t>;
using V = hn::Vec<D>;

inline std::uint32_t mul_hi_lo(std::uint32_t a, std::uint32_t m, std::uint32_t& hi) {
  const std::uint64_t p = std::uint64_t{a} * m;
  hi = static_cast<std::uint32_t>(p >> 32);
  return static_cast<std::uint32_t>(p);
}

// The high and low words of the 64-bit products a * m, lane by lane. MulEven multiplies the even
// lanes into 64-bit lanes (low word in the even half, high word in the odd half); the odd lanes are
// shifted down into even position for a second MulEven.
HWY_INLINE void MulHiLo(D d, V a, V m, V& hi, V& lo) {
  const hn::Repartition<std::uint64_t, D> d64;
  const auto even = hn::MulEven(a, m);
  const auto odd = hn::MulEven(hn::BitCast(d, hn::ShiftRight<32>(hn::BitCast(d64, a))), m);
  hi = hn::OddEven(hn::BitCast(d, odd), hn::BitCast(d, hn::ShiftRight<32>(even)));
  lo = hn::OddEven(hn::BitCast(d, hn::ShiftLeft<32>(odd)), hn::BitCast(d, even));
}

// The counter and the second key word are the same for every customer of a call: only the first key
// word (the customer) differs between lanes. So round 1 is lane-independent except for its output
// word 0 = (hi(M1 c2) ^ c1) ^ customer, and round 2's second product (of round 1's word 2) is too.
// Those scalars are computed once per call.
struct Prefix {
  std::uint32_t a;   // round 1: x0 = a ^ customer
  std::uint32_t b;   // round 2: x0 = b ^ (customer + W0)
  std::uint32_t c;   // round 2: x2 = hi(M0 * round 1's x0) ^ c
  std::uint32_t x1;  // round 2: x1
  std::uint32_t k1;  // the second key word of round 2
};

Prefix MakePrefix(const std::uint32_t* ctr, std::uint32_t key1) {
  std::uint32_t h0 = 0;
  std::uint32_t h1 = 0;
  const std::uint32_t l0 = mul_hi_lo(ctr[0], kM0, h0);
  const std::uint32_t l1 = mul_hi_lo(ctr[2], kM1, h1);
  // Round 1 output: (h1 ^ c1 ^ customer, l1, h0 ^ c3 ^ key1, l0).
  const std::uint32_t y2 = h0 ^ ctr[3] ^ key1;
  Prefix p{};
  p.a = h1 ^ ctr[1];
  p.k1 = key1 + kW1;
  std::uint32_t hh = 0;
  p.x1 = mul_hi_lo(y2, kM1, hh);
  p.b = hh ^ l1;
  p.c = l0 ^ p.k1;
  return p;
}

// Philox4x32-10 of the customers in `customer`, one per lane.
HWY_INLINE void Block(D d, const Prefix& p, V customer, V& x0, V& x1, V& x2, V& x3) {
  const V m0 = hn::Set(d, kM0);
  const V m1 = hn::Set(d, kM1);
  const V w0 = hn::Set(d, kW0);
  V k0 = hn::Add(customer, w0);
  V hi;
  V lo;
  MulHiLo(d, hn::Xor(hn::Set(d, p.a), customer), m0, hi, lo);  // rounds 1 and 2
  x0 = hn::Xor(hn::Set(d, p.b), k0);
  x1 = hn::Set(d, p.x1);
  x2 = hn::Xor(hi, hn::Set(d, p.c));
  x3 = lo;
  std::uint32_t k1 = p.k1;
  for (int round = 3; round <= 10; ++round) {
    k0 = hn::Add(k0, w0);
    k1 += kW1;
    V hi0;
    V lo0;
    V hi1;
    V lo1;
    MulHiLo(d, x0, m0, hi0, lo0);
    MulHiLo(d, x2, m1, hi1, lo1);
    x0 = hn::Xor(hn::Xor(hi1, x1), k0);
    x1 = lo1;
    x2 = hn::Xor(hn::Xor(hi0, x3), hn::Set(d, k1));
    x3 = lo0;
  }
}

std::uint32_t PhiloxBlocksLanes(const std::uint32_t* ctr, std::uint32_t key1, std::uint32_t first, std::uint32_t count,
                                std::uint32_t* out0, std::uint32_t* out1, std::uint32_t* out2, std::uint32_t* out3) {
  const D d;
  const std::size_t n = hn::Lanes(d);
  const Prefix p = MakePrefix(ctr, key1);
  const V lane = hn::Iota(d, 0);
  std::size_t j = 0;
  for (; j + n <= count; j += n) {
    const V customer = hn::Add(hn::Set(d, static_cast<std::uint32_t>(first + j)), lane);  // modulo 2^32
    V x0;
    V x1;
    V x2;
    V x3;
    Block(d, p, customer, x0, x1, x2, x3);
    hn::StoreU(x0, d, out0 + j);
    hn::StoreU(x1, d, out1 + j);
    hn::StoreU(x2, d, out2 + j);
    hn::StoreU(x3, d, out3 + j);
  }
  return static_cast<std::uint32_t>(j);
}

// (w + 0.5) / 2^32 for the lanes of w, into out[0, Lanes(d)), exactly as CustomerRng::uniforms:
// w - 2^31 is an int32 (flip the top bit), converted exactly to double; adding 2^31 + 0.5 gives
// w + 0.5 exactly (33 significant bits) and the scaling by 2^-32 is exact.
HWY_INLINE void StoreUniforms(D d, V w, double* out) {
  const hn::Repartition<double, D> df;
  const hn::Repartition<std::int32_t, D> di;
  const hn::Half<decltype(di)> dh;
  const auto centred = hn::BitCast(di, hn::Xor(w, hn::Set(d, 0x80000000u)));
  const auto offset = hn::Set(df, 2147483648.5);
  const auto scale = hn::Set(df, 1.0 / 4294967296.0);
  hn::StoreU(hn::Mul(hn::Add(hn::PromoteTo(df, hn::LowerHalf(dh, centred)), offset), scale), df, out);
  hn::StoreU(hn::Mul(hn::Add(hn::PromoteTo(df, hn::UpperHalf(dh, centred)), offset), scale), df, out + hn::Lanes(df));
}

std::uint32_t PhiloxUniformsLanes(const std::uint32_t* ctr, std::uint32_t key1, std::uint32_t first,
                                  std::uint32_t count, double* out0, double* out1, double* out2, double* out3) {
  const D d;
  const std::size_t n = hn::Lanes(d);
  const Prefix p = MakePrefix(ctr, key1);
  const V lane = hn::Iota(d, 0);
  std::size_t j = 0;
  for (; j + n <= count; j += n) {
    const V customer = hn::Add(hn::Set(d, static_cast<std::uint32_t>(first + j)), lane);
    V x0;
    V x1;
    V x2;
    V x3;
    Block(d, p, customer, x0, x1, x2, x3);
    StoreUniforms(d, x0, out0 + j);
    StoreUniforms(d, x1, out1 + j);
    StoreUniforms(d, x2, out2 + j);
    StoreUniforms(d, x3, out3 + j);
  }
  return static_cast<std::uint32_t>(j);
}

#endif  // HWY_TARGET

// The engine's lane math (rng_simd.hpp "Lane math"), on every target, the fallbacks included: each
// output lane depends on its own input lane only, and a call's tail (fewer inputs than lanes) runs
// the same vector code on a padded copy, so a value never depends on its position or the count.
using DF = hn::ScalableTag<double>;
using VF = hn::Vec<DF>;
constexpr std::size_t kPadLanes = HWY_MAX_BYTES / sizeof(double);  // at least Lanes(DF())

// (w + 0.5) / 2^32 exactly, as uniforms_of (rng.hpp): w converts exactly, the sum has 33 bits.
HWY_INLINE VF UniformsOf(DF d, const std::uint32_t* w) {
  const hn::Rebind<std::uint32_t, DF> du;
  const hn::Rebind<std::int32_t, DF> di;
  const auto centred = hn::BitCast(di, hn::Xor(hn::LoadU(du, w), hn::Set(du, 0x80000000u)));
  return hn::Mul(hn::Add(hn::PromoteTo(d, centred), hn::Set(d, 2147483648.5)), hn::Set(d, 1.0 / 4294967296.0));
}

// Box-Muller, cosine branch: sqrt(-2 log u1) cos(2 pi u2).
HWY_INLINE VF Normal(DF d, VF u1, VF u2) {
  const auto r = hn::Sqrt(hn::Mul(hn::Set(d, -2.0), hn::Log(d, u1)));
  return hn::Mul(r, hn::Cos(d, hn::Mul(hn::Set(d, 6.283185307179586476925286766559), u2)));
}

// exp(min(x, 706)): Highway's Exp is valid to 706 (e^706 ~ 1e306, a certain churn either way).
HWY_INLINE VF ExpClamped(DF d, VF x) { return hn::Exp(d, hn::Min(x, hn::Set(d, 706.0))); }

void StandardNormalsLanes(const std::uint32_t* a, const std::uint32_t* b, double* z, std::size_t count) {
  const DF d;
  const std::size_t n = hn::Lanes(d);
  std::size_t j = 0;
  for (; j + n <= count; j += n) hn::StoreU(Normal(d, UniformsOf(d, a + j), UniformsOf(d, b + j)), d, z + j);
  if (j == count) return;
  HWY_ALIGN std::uint32_t pa[kPadLanes] = {};
  HWY_ALIGN std::uint32_t pb[kPadLanes] = {};
  HWY_ALIGN double pz[kPadLanes];
  for (std::size_t k = 0; k < count - j; ++k) {
    pa[k] = a[j + k];
    pb[k] = b[j + k];
  }
  hn::Store(Normal(d, UniformsOf(d, pa), UniformsOf(d, pb)), d, pz);
  for (std::size_t k = 0; k < count - j; ++k) z[j + k] = pz[k];
}

// An integer-valued double in [0, 2^52) as int64, exactly: its bits plus 2^52 are 2^52's bits plus
// it. (Highway's ConvertTo from double to int64 is emulated, and slower, without AVX-512.)
HWY_INLINE hn::Vec<hn::Rebind<std::int64_t, DF>> SmallWholeToInt64(DF d, VF whole) {
  const hn::Rebind<std::int64_t, DF> di;
  return hn::Sub(hn::BitCast(di, hn::Add(whole, hn::Set(d, 4503599627370496.0))),
                 hn::Set(di, std::int64_t{0x4330000000000000}));
}

// One lane of interpolated_fixed_sum: trunc(2^32 w f(s)), f as PromoterTable::operator(). The index
// lies in [0, last] and the term in [0, 2^42] (weights in [0, 1000], interpolation_fixed_sum's
// contract), both in SmallWholeToInt64's range once truncated.
HWY_INLINE hn::Vec<hn::Rebind<std::int64_t, DF>> InterpolatedFixed(DF d, const double* values, double scale,
                                                                   double last, VF s, VF w) {
  const VF x = hn::Mul(hn::Add(s, hn::Set(d, 1.0)), hn::Set(d, scale));
  const VF i = hn::Trunc(hn::Min(hn::Max(x, hn::Zero(d)), hn::Set(d, last)));
  const auto index = SmallWholeToInt64(d, i);
  const VF lo = hn::GatherIndex(d, values, index);
  const VF hi = hn::GatherIndex(d, values + 1, index);
  const VF f = hn::Add(lo, hn::Mul(hn::Sub(x, i), hn::Sub(hi, lo)));
  return SmallWholeToInt64(d, hn::Trunc(hn::Mul(hn::Mul(w, f), hn::Set(d, 4294967296.0))));
}

std::int64_t InterpolatedFixedSumLanes(const double* values, double scale, double last, const double* s,
                                       const double* w, std::size_t count) {
  const DF d;
  const hn::Rebind<std::int64_t, DF> di;
  const std::size_t n = hn::Lanes(d);
  auto sum = hn::Zero(di);
  std::size_t j = 0;
  for (; j + n <= count; j += n) {
    sum = hn::Add(sum, InterpolatedFixed(d, values, scale, last, hn::LoadU(d, s + j), hn::LoadU(d, w + j)));
  }
  std::int64_t total = hn::GetLane(hn::SumOfLanes(di, sum));
  if (j == count) return total;
  HWY_ALIGN double ps[kPadLanes] = {};
  HWY_ALIGN double pw[kPadLanes] = {};  // weight 0: the padding adds nothing
  for (std::size_t k = 0; k < count - j; ++k) {
    ps[k] = s[j + k];
    pw[k] = w[j + k];
  }
  return total +
         hn::GetLane(hn::SumOfLanes(di, InterpolatedFixed(d, values, scale, last, hn::Load(d, ps), hn::Load(d, pw))));
}

void ExpLanes(double* x, std::size_t count) {
  const DF d;
  const std::size_t n = hn::Lanes(d);
  std::size_t j = 0;
  for (; j + n <= count; j += n) hn::StoreU(ExpClamped(d, hn::LoadU(d, x + j)), d, x + j);
  if (j == count) return;
  HWY_ALIGN double px[kPadLanes] = {};
  for (std::size_t k = 0; k < count - j; ++k) px[k] = x[j + k];
  hn::Store(ExpClamped(d, hn::Load(d, px)), d, px);
  for (std::size_t k = 0; k < count - j; ++k) x[j + k] = px[k];
}

std::int64_t TargetOfLanes() { return HWY_TARGET; }

}  // namespace HWY_NAMESPACE
}  // namespace cxsim
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace cxsim {

HWY_EXPORT(PhiloxBlocksLanes);
HWY_EXPORT(PhiloxUniformsLanes);
HWY_EXPORT(StandardNormalsLanes);
HWY_EXPORT(ExpLanes);
HWY_EXPORT(InterpolatedFixedSumLanes);
HWY_EXPORT(TargetOfLanes);

namespace {

struct Counter {
  std::uint32_t words[4];
};

// The counter of CustomerRng::block (rng.cpp): (period, stream << 24 | index, replication, high
// seed word); the key is (customer, low seed word).
Counter counter_of(std::uint64_t seed, std::uint32_t replication, std::uint32_t period, Stream stream,
                   std::uint32_t index) {
  return {{period, (static_cast<std::uint32_t>(stream) << 24) | (index & 0xFFFFFFu), replication,
           static_cast<std::uint32_t>(seed >> 32)}};
}

}  // namespace

void philox_blocks(std::uint64_t seed, std::uint32_t replication, std::uint32_t first_customer, std::uint32_t count,
                   std::uint32_t period, Stream stream, std::uint32_t index, std::uint32_t* out0, std::uint32_t* out1,
                   std::uint32_t* out2, std::uint32_t* out3) {
  const Counter ctr = counter_of(seed, replication, period, stream, index);
  const std::uint32_t done = HWY_DYNAMIC_DISPATCH(PhiloxBlocksLanes)(ctr.words, static_cast<std::uint32_t>(seed),
                                                                     first_customer, count, out0, out1, out2, out3);
  for (std::uint32_t j = done; j < count; ++j) {
    const auto w = CustomerRng(seed, replication, first_customer + j).block(period, stream, index);
    out0[j] = w[0];
    out1[j] = w[1];
    out2[j] = w[2];
    out3[j] = w[3];
  }
}

void philox_uniforms(std::uint64_t seed, std::uint32_t replication, std::uint32_t first_customer, std::uint32_t count,
                     std::uint32_t period, Stream stream, std::uint32_t index, double* out0, double* out1, double* out2,
                     double* out3) {
  const Counter ctr = counter_of(seed, replication, period, stream, index);
  const std::uint32_t done = HWY_DYNAMIC_DISPATCH(PhiloxUniformsLanes)(ctr.words, static_cast<std::uint32_t>(seed),
                                                                       first_customer, count, out0, out1, out2, out3);
  for (std::uint32_t j = done; j < count; ++j) {
    const Uniforms4 u = CustomerRng(seed, replication, first_customer + j).uniforms(period, stream, index);
    out0[j] = u[0];
    out1[j] = u[1];
    out2[j] = u[2];
    out3[j] = u[3];
  }
}

void standard_normals(const std::uint32_t* a, const std::uint32_t* b, double* z, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(StandardNormalsLanes)(a, b, z, n);
}

double standard_normal_lane(std::uint32_t a, std::uint32_t b) {
  double z = 0.0;
  standard_normals(&a, &b, &z, 1);
  return z;
}

void exp_lanes(double* x, std::size_t n) { HWY_DYNAMIC_DISPATCH(ExpLanes)(x, n); }

double exp_lane(double x) {
  exp_lanes(&x, 1);
  return x;
}

std::int64_t interpolated_fixed_sum(const double* values, double scale, double last, const double* s, const double* w,
                                    std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(InterpolatedFixedSumLanes)(values, scale, last, s, w, n);
}

const char* simd_target_name() { return hwy::TargetName(HWY_DYNAMIC_DISPATCH(TargetOfLanes)()); }

}  // namespace cxsim
#endif  // HWY_ONCE
