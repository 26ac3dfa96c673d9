// Lane-wise Philox (sim/rng_simd.hpp): the words and the uniforms are bit-identical to CustomerRng's
// on every Highway target this CPU supports (each is forced in turn), for counts with and without
// a scalar tail and customers that wrap past 2^32 - 1. The lane math (Box-Muller, exp) is compared
// with glibc's within bounds derived from Highway's documented accuracy, and each lane's value is
// checked independent of its position and of the call's count. The engine's lane kernel is checked
// against the scalar reference kernel on every shipped scenario.
#include <gtest/gtest.h>
// The same targets as sim/rng_simd.cpp (no AVX-512), so that forcing a target reaches its code.
#include "rng_simd_targets.hpp"  // before any Highway header
// clang-format off
#include <hwy/targets.h>
// clang-format on

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxsim/report.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "engine.hpp"
#include "erlang_a_lanes.hpp"
#include "rng.hpp"
#include "rng_simd.hpp"
#include "run_model.hpp"
#include "tally.hpp"

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

// Highway's Box-Muller is NOT bit-identical to standard_normal (std::log, std::cos of glibc). The
// bound: u1 >= 2^-33 gives r = sqrt(-2 log u1) <= 6.77; Log is within 4 ULP (relative 8.9e-16,
// glibc's within 1 ULP), so r is within about 3 ULP relative after the halving by sqrt and its
// rounding, about 4.5e-15 absolute; Cos is within 3 ULP of a value at most 1 (6.7e-16, glibc's within
// 1 ULP, 2.2e-16), times r: 6e-15; plus the final rounding. So |z_lanes - z| < 1.1e-14, and 2e-14
// leaves room; on 10^6 draws this machine measured 1.3e-15 and at most 3 ULP with AVX2 (FMA).
TEST(RngSimd, BoxMullerIsWithinHighwaysDocumentedErrorOfStandardNormal) {
  constexpr std::uint32_t kDraws = 1000000;
  std::vector<std::uint32_t> w[4];
  for (auto& v : w) v.resize(kDraws);
  // The visit-quality normal of period 3 (stream kVisit, words 2-3) of a million customers.
  cxsim::philox_blocks(42, 0, 0, kDraws, 3, Stream::kVisit, 0, w[0].data(), w[1].data(), w[2].data(), w[3].data());
  std::vector<std::uint32_t> a(w[2]);
  std::vector<std::uint32_t> b(w[3]);
  a.insert(a.end(), {0u, 0xFFFFFFFFu, 0x80000000u});  // the extreme uniforms, and a tail on every target
  b.insert(b.end(), {0x7FFFFFFFu, 0u, 0x40000000u});
  const std::size_t n = a.size();
  std::vector<double> z(n);
  for_each_target([&] {
    cxsim::standard_normals(a.data(), b.data(), z.data(), n);
    double max_abs = 0.0;
    std::uint64_t max_ulp = 0;
    std::size_t identical = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const cxsim::Uniforms4 u = cxsim::uniforms_of({a[j], b[j], 0u, 0u});
      const double expected = cxsim::standard_normal(u[0], u[1]);
      ASSERT_TRUE(std::isfinite(z[j])) << "words " << a[j] << " " << b[j];
      max_abs = std::max(max_abs, std::fabs(z[j] - expected));
      const std::uint64_t ulp = ulp_distance(z[j], expected);
      max_ulp = std::max(max_ulp, ulp);
      identical += ulp == 0 ? 1 : 0;
    }
    EXPECT_LT(max_abs, 2e-14);
    std::printf(
        "[ measured ] Box-Muller on %s vs standard_normal, %zu draws: %zu bit-identical (%.1f%%), "
        "max |difference| %.3g, max %llu ULP\n",
        cxsim::simd_target_name(), n, identical, 100.0 * static_cast<double>(identical) / static_cast<double>(n),
        max_abs, static_cast<unsigned long long>(max_ulp));
  });
}

// Highway's Exp is documented within 1 ULP of e^x; glibc's exp within 1 ULP too, so the two differ by
// at most 2 ULP; over the hazard predictor's range (b.x of MODEL.md's churn, well inside [-40, 40])
// and beyond. Inputs above 706 are clamped to 706 (Exp's valid range): finite, about 1e306.
TEST(RngSimd, ExpIsWithinHighwaysDocumentedErrorOfStdExp) {
  std::vector<double> x;
  for (int i = -400000; i <= 400000; ++i) x.push_back(i * 1e-4 + 1e-7 * (i % 7));  // [-40, 40], not a grid
  for (const double v : {-745.0, -700.0, -1e-300, 0.0, 1e-300, 700.0, 706.0}) x.push_back(v);
  const std::size_t n = x.size();
  for_each_target([&] {
    std::vector<double> y(x);
    cxsim::exp_lanes(y.data(), n);
    std::uint64_t max_ulp = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const double expected = std::exp(x[j]);
      if (expected < 1e-300) {
        EXPECT_LT(y[j], 1e-290) << "x " << x[j];  // deep underflow: both (nearly) zero
        continue;
      }
      max_ulp = std::max(max_ulp, ulp_distance(y[j], expected));
    }
    EXPECT_LE(max_ulp, 2u);
    double big[3] = {706.5, 1e4, 1e300};
    cxsim::exp_lanes(big, 3);
    for (const double v : big) EXPECT_EQ(v, cxsim::exp_lane(706.0));
    EXPECT_TRUE(std::isfinite(big[0]));
    std::printf("[ measured ] Exp on %s vs std::exp, %zu values in [-40, 40] and beyond: max %llu ULP\n",
                cxsim::simd_target_name(), n, static_cast<unsigned long long>(max_ulp));
  });
}

// A lane's value depends on its own input only: every value of a long call equals the one-value call
// (exp_lane, standard_normal_lane) and the value of any shorter call from any offset (the tails).
TEST(RngSimd, LaneMathDoesNotDependOnPositionOrCount) {
  constexpr std::uint32_t kN = 203;
  std::uint32_t w[4][kN];
  cxsim::philox_blocks(7, 1, 1000, kN, 11, Stream::kVisit, 0, w[0], w[1], w[2], w[3]);
  std::vector<double> x(kN);
  for (std::uint32_t j = 0; j < kN; ++j) x[j] = -3.0 + 6.0 * cxsim::uniforms_of({w[0][j], 0u, 0u, 0u})[0];
  for_each_target([&] {
    std::vector<double> z(kN);
    std::vector<double> e(x);
    cxsim::standard_normals(w[2], w[3], z.data(), kN);
    cxsim::exp_lanes(e.data(), kN);
    for (std::uint32_t j = 0; j < kN; ++j) {
      ASSERT_EQ(bits(z[j]), bits(cxsim::standard_normal_lane(w[2][j], w[3][j]))) << j;
      ASSERT_EQ(bits(e[j]), bits(cxsim::exp_lane(x[j]))) << j;
    }
    for (std::uint32_t offset : {0u, 1u, 3u, 5u, 17u}) {
      for (std::uint32_t count = 1; count <= 19; ++count) {
        std::vector<double> zz(count + kGuard, kDoubleSentinel);
        std::vector<double> ee(x.begin() + offset, x.begin() + offset + count);
        ee.resize(count + kGuard, kDoubleSentinel);
        cxsim::standard_normals(w[2] + offset, w[3] + offset, zz.data(), count);
        cxsim::exp_lanes(ee.data(), count);
        for (std::uint32_t j = 0; j < count; ++j) {
          ASSERT_EQ(bits(zz[j]), bits(z[offset + j])) << "offset " << offset << " count " << count;
          ASSERT_EQ(bits(ee[j]), bits(e[offset + j])) << "offset " << offset << " count " << count;
        }
        for (std::uint32_t j = count; j < count + kGuard; ++j) {
          ASSERT_EQ(zz[j], kDoubleSentinel);
          ASSERT_EQ(ee[j], kDoubleSentinel);
        }
      }
    }
  });
}

// The block's referrals in lanes: the same integer as one ExactSum::add of rate x PromoterTable(s)
// per customer (what the scalar reference kernel adds), on every target; sentiments over [-1, 1]
// and just beyond (the table extrapolates), zero rates (inactive customers), every tail length.
TEST(RngSimd, ReferralSumInLanesIsTheScalarFixedPointSum) {
  for (const double noise_sd : {0.5, 1.5, 3.0}) {
    const cxsim::PromoterTable table(noise_sd);
    constexpr std::uint32_t kN = 4096;
    std::uint32_t w[4][kN];
    cxsim::philox_blocks(11, 0, 0, kN, 5, Stream::kVisit, 0, w[0], w[1], w[2], w[3]);
    std::vector<double> s(kN);
    std::vector<double> rate(kN);
    for (std::uint32_t j = 0; j < kN; ++j) {
      s[j] = static_cast<float>(-1.02 + 2.04 * cxsim::uniform_of(w[0][j]));  // a float, as Customer::sentiment
      // Rates up to the kernel's limit for lanes (1,000): terms up to 2^42, converted exactly.
      rate[j] = j % 5 == 0 ? 0.0 : (j % 7 == 0 ? 1000.0 : 0.5) * cxsim::uniform_of(w[1][j]) + 1e-4;
    }
    s[1] = -1.0;
    s[2] = 1.0;
    s[3] = 0.7;
    for_each_target([&] {
      for (const std::uint32_t count : {kN, 1u, 2u, 3u, 5u, 7u, 4093u}) {
        cxsim::ExactSum expected;
        for (std::uint32_t j = 0; j < count; ++j) {
          if (rate[j] > 0.0) expected.add(rate[j] * table(s[j]));
        }
        const std::int64_t lanes =
            cxsim::interpolated_fixed_sum(table.values(), table.scale(), table.last(), s.data(), rate.data(), count);
        ASSERT_TRUE(expected.fixed == lanes) << "noise_sd " << noise_sd << " count " << count;
      }
    });
  }
}

// The Erlang A day's uniformization step in lanes computes, state by state, exactly the scalar
// step's doubles (the same operations in the same order, no fused multiply-add) on every target,
// for every window (full vectors, tails, a single state).
TEST(RngSimd, UniformizationStepInLanesIsTheScalarStep) {
  constexpr int kStates = 61;
  std::uint32_t w[4][kStates + 2];
  cxsim::philox_blocks(7, 0, 0, kStates + 2, 3, Stream::kVisit, 0, w[0], w[1], w[2], w[3]);
  std::vector<double> v(kStates + 2), stay(kStates + 2), down(kStates + 2), acc0(kStates + 2), end0(kStates + 2);
  for (int k = 0; k < kStates + 2; ++k) {
    v[k] = cxsim::uniform_of(w[0][k]) / 7.0;
    stay[k] = cxsim::uniform_of(w[1][k]) * 0.9;
    down[k] = cxsim::uniform_of(w[2][k]) * 0.1;
    acc0[k] = end0[k] = cxsim::uniform_of(w[3][k]) * 3.0;
  }
  const double up = 0.3141592653589793, weight = 0.7071067811865476, end_weight = 0.1234567890123;
  for_each_target([&] {
    for (const auto& [lo, hi] : std::vector<std::pair<int, int>>{{0, 59}, {1, 58}, {3, 3}, {5, 12}, {0, 6}}) {
      for (const bool with_end : {false, true}) {
        std::vector<double> out(kStates + 2, -1.0), acc = acc0, end = end0;
        std::vector<double> out_ref = out, acc_ref = acc0, end_ref = end0;
        // Index k of the arrays is state k - 1: state -1 exists.
        cxsim::uniformization_step(v.data() + 1, out.data() + 1, acc.data() + 1, with_end ? end.data() + 1 : nullptr,
                                   stay.data() + 1, down.data() + 1, up, weight, end_weight, lo, hi);
        for (int k = lo + 1; k <= hi + 1; ++k) {
          out_ref[k] = stay[k] * v[k] + up * v[k - 1] + down[k + 1] * v[k + 1];
          acc_ref[k] += weight * v[k];
          if (with_end) end_ref[k] += end_weight * v[k];
        }
        for (int k = 0; k < kStates + 2; ++k) {
          ASSERT_EQ(bits(out[k]), bits(out_ref[k])) << "state " << k - 1 << " window " << lo << ".." << hi;
          ASSERT_EQ(bits(acc[k]), bits(acc_ref[k])) << "state " << k - 1;
          ASSERT_EQ(bits(end[k]), bits(end_ref[k])) << "state " << k - 1;
        }
      }
    }
  });
}

// Every number of two result documents: counts (integers) equal, other figures within `relative`.
static void expect_documents_close(const nlohmann::json& a, const nlohmann::json& b, double relative,
                                   const std::string& at, std::size_t& compared, std::size_t& differing) {
  ASSERT_EQ(a.type(), b.type()) << at;
  if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << at;
    for (auto it = a.begin(); it != a.end(); ++it) {
      ASSERT_TRUE(b.contains(it.key())) << at << "/" << it.key();
      expect_documents_close(it.value(), b.at(it.key()), relative, at + "/" + it.key(), compared, differing);
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << at;
    for (std::size_t i = 0; i < a.size(); ++i) {
      expect_documents_close(a[i], b[i], relative, at + "/" + std::to_string(i), compared, differing);
    }
  } else if (a.is_number_integer()) {
    ++compared;
    differing += a != b ? 1 : 0;
    EXPECT_EQ(a.get<std::int64_t>(), b.get<std::int64_t>()) << at;
  } else if (a.is_number()) {
    ++compared;
    const double x = a.get<double>();
    const double y = b.get<double>();
    differing += x != y ? 1 : 0;
    EXPECT_LE(std::fabs(x - y), relative * std::max({1.0, std::fabs(x), std::fabs(y)})) << at << ": " << x << " " << y;
  } else {
    EXPECT_EQ(a, b) << at;
  }
}

// The scalar reference kernel (KernelMath::kScalarReference: each customer draws its own Philox
// blocks; glibc's log, cos and exp) is the oracle of the engine's lane kernel. The lane math differs
// from glibc's by a few ULP (the tests above), so a customer takes another path only if a comparison
// (failure, churn budget, a threshold, a rounding) falls within ~1e-15 of its boundary: on these
// runs none does, so every count is equal and every other figure within 1e-9 (the ULP differences,
// summed over 720,000 customer-periods, stay below 1e-12 relative; most figures are counts or sums
// in fixed point, 2^-32, which they rarely reach at all). A mutation of the lane math (a wrong
// constant in Cos's argument) fails here on every scenario. Every shipped scenario, more than
// one block of customers (full lanes, full blocks and tails), two threads.
TEST(RngSimd, LaneKernelMatchesTheScalarReferenceOnEveryShippedScenario) {
  ASSERT_FALSE(cxsim::scalar_reference());
  EXPECT_STRNE(cxsim::simd_target_name(), "SCALAR");
  for (const char* name : {"telecom_subscription", "ecommerce_retailer", "broadband_subscription"}) {
    SCOPED_TRACE(name);
    cxsim::Scenario s = cxsim::load_scenario(std::string(CXSIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
    s.population.customers = 9000;
    s.horizon_periods = 40;
    s.replications = 2;
    cxsim::RunOptions options;
    options.threads = 2;
    const auto lanes = nlohmann::json::parse(cxsim::run_report(cxsim::run_simulation(s, options)).json());
    cxsim::set_scalar_reference(true);
    const auto reference = nlohmann::json::parse(cxsim::run_report(cxsim::run_simulation(s, options)).json());
    cxsim::set_scalar_reference(false);
    std::size_t compared = 0;
    std::size_t differing = 0;
    expect_documents_close(lanes, reference, 1e-9, "", compared, differing);
    EXPECT_GT(compared, 1000u);
    // Most figures are counts or fixed-point sums (2^-32), which a few ULP rarely move.
    std::printf("[ measured ] %s: %zu of %zu figures differ from the scalar reference's (all within 1e-9)\n", name,
                differing, compared);
  }
}
