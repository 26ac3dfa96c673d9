#pragma once
// Lane-wise Philox4x32-10 for many consecutive customers at once, and the engine's lane math (issue
// 13, per-core speed with SIMD), built with Google Highway (Debian libhwy-dev, required) and
// dispatched at run time to the best target the CPU supports (SSSE3, SSE4, AVX2).
//
// Lane j of a call is customer first_customer + j (modulo 2^32), with the same key and counter as
// CustomerRng (rng.hpp): the words and the uniforms are bit-identical to CustomerRng::block and
// CustomerRng::uniforms, on every target (tests/test_rng_simd.cpp). Output is structure of arrays:
// word (or uniform) k of customer first_customer + j goes to out_k[j]. A count that is not a
// multiple of the lane count ends with a scalar tail (CustomerRng itself).
#include <cstddef>
#include <cstdint>

#include "rng.hpp"

namespace cxsim {

void philox_blocks(std::uint64_t seed, std::uint32_t replication, std::uint32_t first_customer, std::uint32_t count,
                   std::uint32_t period, Stream stream, std::uint32_t index, std::uint32_t* out0, std::uint32_t* out1,
                   std::uint32_t* out2, std::uint32_t* out3);

// The four uniforms (word + 0.5) / 2^32 of the same blocks, as CustomerRng::uniforms.
void philox_uniforms(std::uint64_t seed, std::uint32_t replication, std::uint32_t first_customer, std::uint32_t count,
                     std::uint32_t period, Stream stream, std::uint32_t index, double* out0, double* out1, double* out2,
                     double* out3);

// Lane math: the engine's definition of the visit-quality normal and of the hazard's exponential
// (engine.hpp "Lane math"). Highway's Log, Cos and Exp (contrib/math: at most 4, 3 and 1 ULP from
// the true value) instead of glibc's, so they are NOT bit-identical to standard_normal (rng.hpp) and
// std::exp: tests/test_rng_simd.cpp bounds the difference. Each output depends on its own input
// only: not on the count, the position in the arrays or the thread, so a result is the same for
// any threads, processes and blocks; a call's tail runs the same vector code on padded lanes.
// The AVX-512 targets are left out of rng_simd.cpp on purpose: an AVX-512 machine runs the AVX2 code,
// so results are the same to the bit on every x86-64 CPU with AVX2 and FMA (Haswell, Zen and later);
// older CPUs run SSE4 code without FMA whose last bits may differ.

// z[j] = sqrt(-2 log u(a[j])) cos(2 pi u(b[j])) for j < n, u(w) = (w + 0.5) / 2^32 as uniforms_of.
void standard_normals(const std::uint32_t* a, const std::uint32_t* b, double* z, std::size_t n);
// The same for one pair of words (the same bits as in any call of standard_normals).
double standard_normal_lane(std::uint32_t a, std::uint32_t b);

// x[j] = exp(min(x[j], 706)) for j < n, in place (Highway's Exp is valid to 706).
void exp_lanes(double* x, std::size_t n);
// The same for one value (the same bits as in any call of exp_lanes).
double exp_lane(double x);

// sum_j trunc(2^32 w[j] f(s[j])) for j < n: f is the linear interpolation of `values` that
// PromoterTable (engine.hpp) computes, x = (s + 1) scale, i = trunc(min(max(x, 0), last)),
// f = values[i] + (x - i) (values[i + 1] - values[i]), with the same operations in the same order (no
// fused multiply-add), so each term is the integer ExactSum::add (tally.hpp) would add for w f: the
// sum is the same to the bit. Needs 0 <= w[j] <= 2^20 and values in [0, 1] (each term below 2^52, which
// the lanes convert exactly) and 2^32 w[j] f(s[j]) n < 2^63 (the caller checks).
std::int64_t interpolated_fixed_sum(const double* values, double scale, double last, const double* s, const double* w,
                                    std::size_t n);

// The Highway target the calls above are dispatched to on this CPU, e.g. "AVX2" or "AVX3".
const char* simd_target_name();

}  // namespace cxsim
