// Lane-wise Philox (sim/rng_simd.hpp): the words and the uniforms are bit-identical to CustomerRng's
// on every Highway target this CPU supports (each is forced in turn), for counts with and without
// a scalar tail and customers that wrap past 2^32 - 1; the vectorized Box-Muller is compared with
// standard_normal within a bound derived from Highway's documented Log and Cos accuracy.
// Compiled only with CXSIM_SIMD (tests/CMakeLists.txt).
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "cxsim/report.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "rng.hpp"
#include "rng_simd.hpp"
#include "run_model.hpp"

using cxsim::CustomerRng;
using cxsim::Stream;

namespace {

// Runs `check` once per Highway target that both this CPU and the library support (the best one,
// e.g. AVX2, then SSE4, SSSE3 and the scalar fallback), dispatching to it alone.
void for_each_target(const std::function<void()>& check) {
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    EXPECT_STREQ(cxsim::simd_target_name(), hwy::TargetName(target));
    check();
  }
  hwy::SetSupportedTargetsForTest(0);
}

constexpr std::uint32_t kGuard = 16;  // elements after `count` that must stay untouched
constexpr std::uint32_t kWordSentinel = 0xA5A5A5A5u;
constexpr double kDoubleSentinel = -7.0;

std::uint64_t bits(double x) {
  std::uint64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Distance in units in the last place between two finite doubles: the bit patterns, as magnitudes
// on either side of 2^63, are in the order of the values (-0 and +0 coincide).
std::uint64_t ulp_distance(double a, double b) {
  const auto ordered = [](double x) {
    constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
    const std::uint64_t b = bits(x);
    return (b & kSign) != 0 ? kSign - (b & ~kSign) : kSign + b;
  };
  const std::uint64_t oa = ordered(a);
  const std::uint64_t ob = ordered(b);
  return oa > ob ? oa - ob : ob - oa;
}

struct Draw {
  std::uint64_t seed;
  std::uint32_t replication;
  std::uint32_t period;
  Stream stream;
  std::uint32_t index;
};

std::string describe(const Draw& d, std::uint32_t first, std::uint32_t count) {
  return "seed " + std::to_string(d.seed) + " replication " + std::to_string(d.replication) + " period " +
         std::to_string(d.period) + " stream " + std::to_string(static_cast<std::uint32_t>(d.stream)) + " index " +
         std::to_string(d.index) + " first customer " + std::to_string(first) + " count " + std::to_string(count);
}

std::vector<Draw> draws() {
  std::vector<Draw> out;
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{42}, (std::uint64_t{1} << 32) + 7,
                                   std::uint64_t{0xDEADBEEFCAFEBABEull}, ~std::uint64_t{0}})
    for (const std::uint32_t replication : {0u, 1u, 0xFFFFFFFFu})
      for (const std::uint32_t period : {0u, 364u, 0xFFFFFFFFu})
        for (std::uint32_t stream = 0; stream <= 8; ++stream)
          for (const std::uint32_t index : {0u, 1u, 0xFFFFFFu})
            out.push_back({seed, replication, period, static_cast<Stream>(stream), index});
  return out;
}

const std::uint32_t kCounts[] = {0, 1, 7, 8, 13, 1000};
// The last customer ids, and a run that wraps from 2^32 - 1 to 0.
const std::uint32_t kFirsts[] = {0u, 123456789u, 0xFFFFFFFFu, 0xFFFFFFF3u, 0xFFFFFE00u};

// Checks one (draw, first, count) against CustomerRng; returns false at the first mismatch.
bool words_match(const Draw& d, std::uint32_t first, std::uint32_t count) {
  std::vector<std::uint32_t> out[4];
  for (auto& o : out) o.assign(count + kGuard, kWordSentinel);
  cxsim::philox_blocks(d.seed, d.replication, first, count, d.period, d.stream, d.index, out[0].data(), out[1].data(),
                       out[2].data(), out[3].data());
  for (std::uint32_t j = 0; j < count; ++j) {
    const auto w = CustomerRng(d.seed, d.replication, first + j).block(d.period, d.stream, d.index);
    for (int k = 0; k < 4; ++k) {
      if (out[k][j] != w[k]) {
        ADD_FAILURE() << describe(d, first, count) << ": customer " << first + j << " word " << k << " is " << out[k][j]
                      << ", CustomerRng::block gives " << w[k];
        return false;
      }
    }
  }
  for (const auto& o : out) {
    for (std::uint32_t j = count; j < count + kGuard; ++j) {
      if (o[j] != kWordSentinel) {
        ADD_FAILURE() << describe(d, first, count) << ": wrote past count at " << j;
        return false;
      }
    }
  }
  return true;
}

bool uniforms_match(const Draw& d, std::uint32_t first, std::uint32_t count) {
  std::vector<double> out[4];
  for (auto& o : out) o.assign(count + kGuard, kDoubleSentinel);
  cxsim::philox_uniforms(d.seed, d.replication, first, count, d.period, d.stream, d.index, out[0].data(), out[1].data(),
                         out[2].data(), out[3].data());
  for (std::uint32_t j = 0; j < count; ++j) {
    const auto u = CustomerRng(d.seed, d.replication, first + j).uniforms(d.period, d.stream, d.index);
    for (int k = 0; k < 4; ++k) {
      if (bits(out[k][j]) != bits(u[k])) {  // bit for bit, not merely ==
        ADD_FAILURE() << describe(d, first, count) << ": customer " << first + j << " uniform " << k << " is "
                      << out[k][j] << ", CustomerRng::uniforms gives " << u[k];
        return false;
      }
    }
  }
  for (const auto& o : out) {
    for (std::uint32_t j = count; j < count + kGuard; ++j) {
      if (bits(o[j]) != bits(kDoubleSentinel)) {
        ADD_FAILURE() << describe(d, first, count) << ": wrote past count at " << j;
        return false;
      }
    }
  }
  return true;
}

}  // namespace

TEST(RngSimd, DispatchesToTheBestSupportedTarget) {
  const std::vector<std::int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  EXPECT_STREQ(cxsim::simd_target_name(), hwy::TargetName(targets.front()));
  std::printf("[ measured ] philox_blocks dispatches to %s\n", cxsim::simd_target_name());
}

// Random123's kat_vectors "pi" vector through cxsim's key/counter mapping (as tests/test_rng.cpp),
// with the customer in the middle of a vector rather than in the scalar tail.
TEST(RngSimd, PhiloxKnownAnswerPiInAVectorLane) {
  const std::uint64_t seed = (std::uint64_t{0x03707344} << 32) | 0x299f31d0u;
  const std::uint32_t customer = 0xa4093822u;
  for_each_target([&] {
    std::uint32_t w[4][64];
    cxsim::philox_blocks(seed, 0x13198a2eu, customer - 5, 64, 0x243f6a88u, static_cast<Stream>(0x85), 0xa308d3u, w[0],
                         w[1], w[2], w[3]);
    EXPECT_EQ(w[0][5], 0xd16cfe09u);
    EXPECT_EQ(w[1][5], 0x94fdccebu);
    EXPECT_EQ(w[2][5], 0x5001e420u);
    EXPECT_EQ(w[3][5], 0x24126ea1u);
  });
}

TEST(RngSimd, WordsAreBitIdenticalToCustomerRng) {
  const std::vector<Draw> all = draws();
  for_each_target([&] {
    for (const Draw& d : all)
      for (const std::uint32_t first : kFirsts)
        for (const std::uint32_t count : kCounts)
          if (!words_match(d, first, count)) return;
  });
}

TEST(RngSimd, UniformsAreBitIdenticalToCustomerRng) {
  const std::vector<Draw> all = draws();
  for_each_target([&] {
    for (const Draw& d : all)
      for (const std::uint32_t first : kFirsts)
        for (const std::uint32_t count : kCounts)
          if (!uniforms_match(d, first, count)) return;
  });
}

// Highway's Box-Muller is NOT bit-identical to standard_normal (std::log, std::cos of glibc): only
// the scalar fallback, which calls standard_normal itself, is. The bound: u1 >= 2^-33 gives
// r = sqrt(-2 log u1) <= 6.77; Log is within 4 ULP (relative 8.9e-16, glibc's within 1 ULP), so
// r is within about 3 ULP relative after the halving by sqrt and its rounding, about 4.5e-15 absolute;
// Cos is within 3 ULP of a value at most 1 (6.7e-16, glibc's within 1 ULP, 2.2e-16), times r: 6e-15;
// plus the final rounding. So |z_simd - z| < 1.1e-14, and 2e-14 leaves room; on 10^6 draws this
// machine measured 1.3e-15 and at most 3 ULP with AVX2 (FMA), 8.9e-16 and 4 ULP with SSE4.
TEST(RngSimd, BoxMullerIsWithinHighwaysDocumentedErrorOfStandardNormal) {
  constexpr std::uint32_t kDraws = 1000000;
  std::vector<double> u[4];
  for (auto& v : u) v.resize(kDraws);
  // The visit-quality normal of period 3 (stream kVisit, lanes 2-3) of a million customers.
  cxsim::philox_uniforms(42, 0, 0, kDraws, 3, Stream::kVisit, 0, u[0].data(), u[1].data(), u[2].data(), u[3].data());
  std::vector<double> z(kDraws + 3);  // + 3: a scalar tail on every target
  std::vector<double> u1(u[2]);
  std::vector<double> u2(u[3]);
  u1.insert(u1.end(), {0x1p-33, 1.0 - 0x1p-33, 0.5});  // the extreme uniforms
  u2.insert(u2.end(), {0.5 - 0x1p-33, 0x1p-33, 0.25 + 0x1p-33});
  const std::size_t n = u1.size();
  for_each_target([&] {
    cxsim::standard_normal_simd(u1.data(), u2.data(), z.data(), n);
    double max_abs = 0.0;
    std::uint64_t max_ulp = 0;
    std::size_t identical = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const double expected = cxsim::standard_normal(u1[j], u2[j]);
      ASSERT_TRUE(std::isfinite(z[j])) << "u1 " << u1[j] << " u2 " << u2[j];
      max_abs = std::max(max_abs, std::fabs(z[j] - expected));
      const std::uint64_t ulp = ulp_distance(z[j], expected);
      max_ulp = std::max(max_ulp, ulp);
      identical += ulp == 0 ? 1 : 0;
    }
    EXPECT_LT(max_abs, 2e-14);
    const std::string target = cxsim::simd_target_name();
    if (target == "SCALAR" || target == "EMU128") {
      EXPECT_EQ(identical, n);  // the fallback is standard_normal itself
    }
    std::printf(
        "[ measured ] Box-Muller on %s vs standard_normal, %zu draws: %zu bit-identical (%.1f%%), "
        "max |difference| %.3g, max %llu ULP\n",
        cxsim::simd_target_name(), n, identical, 100.0 * static_cast<double>(identical) / static_cast<double>(n),
        max_abs, static_cast<unsigned long long>(max_ulp));
  });
}

// The engine draws every block of customers' (t, kVisit) words with philox_blocks in the demand pass
// (runner.cpp); the scalar reference kernel draws each customer's own with CustomerRng. Every shipped
// scenario's result document must be the same to the byte either way (more than one block of
// customers, so lanes, full blocks and a tail).
TEST(RngSimd, EngineGivesTheScalarKernelsResultsOnEveryShippedScenario) {
  ASSERT_TRUE(cxsim::block_draws());
  EXPECT_NE(std::string(cxsim::simd_target_name()), "SCALAR");
  for (const char* name : {"telecom_subscription", "ecommerce_retailer", "broadband_subscription"}) {
    SCOPED_TRACE(name);
    cxsim::Scenario s = cxsim::load_scenario(std::string(CXSIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
    s.population.customers = 9000;
    s.horizon_periods = 40;
    s.replications = 2;
    cxsim::RunOptions options;
    options.threads = 2;
    const std::string vector = cxsim::run_report(cxsim::run_simulation(s, options)).json();
    cxsim::set_block_draws(false);
    const std::string reference = cxsim::run_report(cxsim::run_simulation(s, options)).json();
    cxsim::set_block_draws(true);
    EXPECT_TRUE(vector == reference) << "the vector draws changed a result";
  }
}
