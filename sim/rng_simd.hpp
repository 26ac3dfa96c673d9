#pragma once
// Lane-wise Philox4x32-10 for many consecutive customers at once (issue 13, per-core speed with
// SIMD), built with Google Highway and dispatched at run time to the best target the CPU supports
// (SSSE3, SSE4, AVX2, AVX-512). Compiled only with CXSIM_SIMD (CMake finds libhwy-dev).
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

// z[j] = sqrt(-2 log u1[j]) cos(2 pi u2[j]) for j < n, with Highway's Log and Cos (contrib/math,
// documented at most 4 and 3 ULP). NOT bit-identical to standard_normal(u1, u2) of rng.hpp, which
// uses std::log and std::cos: on uniforms of Philox words the two differ by at most a few 1e-15
// (tests/test_rng_simd.cpp measures it). Do not mix the two within one result that must reproduce.
void standard_normal_simd(const double* u1, const double* u2, double* z, std::size_t n);

// The Highway target the calls above are dispatched to on this CPU, e.g. "AVX2" or "AVX3".
const char* simd_target_name();

}  // namespace cxsim
