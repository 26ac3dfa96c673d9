// Randomness: Random123 known-answer vectors through cxsim's key/counter mapping, purpose
// separation, and the distributions built on the uniforms.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "rng.hpp"

using cxsim::CustomerRng;
using cxsim::Stream;

// Philox4x32-10 vectors from Random123's kat_vectors. Key = (customer, low seed word); counter =
// (period, stream << 24 | index, replication, high seed word).
TEST(Rng, PhiloxKnownAnswerZeros) {
  const CustomerRng rng(0, 0, 0);
  const auto w = rng.block(0, Stream::kInit, 0);
  EXPECT_EQ(w[0], 0x6627e8d5u);
  EXPECT_EQ(w[1], 0xe169c58du);
  EXPECT_EQ(w[2], 0xbc57ac4cu);
  EXPECT_EQ(w[3], 0x9b00dbd8u);
}

TEST(Rng, PhiloxKnownAnswerPi) {
  const std::uint64_t seed = (std::uint64_t{0x03707344} << 32) | 0x299f31d0u;
  const CustomerRng rng(seed, 0x13198a2eu, 0xa4093822u);
  const auto w = rng.block(0x243f6a88u, static_cast<Stream>(0x85), 0xa308d3u);
  EXPECT_EQ(w[0], 0xd16cfe09u);
  EXPECT_EQ(w[1], 0x94fdccebu);
  EXPECT_EQ(w[2], 0x5001e420u);
  EXPECT_EQ(w[3], 0x24126ea1u);
}

TEST(Rng, PurposesPeriodsCustomersReplicationsSeedsAreSeparate) {
  std::set<std::uint32_t> firsts;
  int draws = 0;
  for (std::uint64_t seed : {1ull, 2ull, (1ull << 32) + 1})
    for (std::uint32_t rep : {0u, 1u})
      for (std::uint32_t customer : {0u, 1u, 4096u})
        for (std::uint32_t period : {0u, 1u, 364u})
          for (Stream s : {Stream::kInit, Stream::kVisit, Stream::kSurvey, Stream::kHazard, Stream::kIssue,
                           Stream::kService, Stream::kContactQuality})
            for (std::uint32_t index : {0u, 1u}) {
              firsts.insert(CustomerRng(seed, rep, customer).block(period, s, index)[0]);
              ++draws;
            }
  // 32-bit words of distinct Philox blocks: a collision among ~1500 would be a 1-in-4000 event.
  EXPECT_EQ(static_cast<int>(firsts.size()), draws);
}

TEST(Rng, SameInputsSameDraws) {
  const CustomerRng a(42, 3, 17), b(42, 3, 17);
  EXPECT_EQ(a.block(5, Stream::kVisit), b.block(5, Stream::kVisit));
  EXPECT_NE(a.block(5, Stream::kVisit), a.block(5, Stream::kHazard));
}

TEST(Rng, UniformsAreInOpenUnitInterval) {
  // Extreme words map strictly inside (0, 1).
  EXPECT_GT((0 + 0.5) / 4294967296.0, 0.0);
  EXPECT_LT((4294967295.0 + 0.5) / 4294967296.0, 1.0);
  double sum = 0.0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const auto u = CustomerRng(7, 0, static_cast<std::uint32_t>(i)).uniforms(0, Stream::kVisit);
    for (double x : u) {
      ASSERT_GT(x, 0.0);
      ASSERT_LT(x, 1.0);
      sum += x;
    }
  }
  // Mean of 4n uniforms: SE = sqrt(1/12 / 4n).
  EXPECT_NEAR(sum / (4.0 * n), 0.5, 5.0 * std::sqrt(1.0 / 12.0 / (4.0 * n)));
}

TEST(Rng, StandardNormalMoments) {
  const int n = 200000;
  double s1 = 0.0, s2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const auto u = CustomerRng(9, 0, static_cast<std::uint32_t>(i)).uniforms(3, Stream::kVisit);
    const double z = cxsim::standard_normal(u[2], u[3]);
    s1 += z;
    s2 += z * z;
  }
  EXPECT_NEAR(s1 / n, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(s2 / n, 1.0, 5.0 * std::sqrt(2.0 / n));  // Var(z^2) = 2
}

class GammaFrailty : public ::testing::TestWithParam<double> {};

TEST_P(GammaFrailty, MeanOneVarianceV) {
  const double v = GetParam();
  const int n = 200000;
  double s1 = 0.0, s2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const double z = cxsim::gamma_frailty(CustomerRng(11, 0, static_cast<std::uint32_t>(i)), v);
    ASSERT_GT(z, 0.0);
    s1 += z;
    s2 += z * z;
  }
  const double mean = s1 / n, var = s2 / n - mean * mean;
  EXPECT_NEAR(mean, 1.0, 5.0 * std::sqrt(v / n));
  // Var of z^2 for Gamma(k, theta): E z^4 - (E z^2)^2 with moments theta^j k(k+1)...(k+j-1).
  const double k = 1.0 / v, th = v;
  const double m2 = th * th * k * (k + 1), m4 = std::pow(th, 4) * k * (k + 1) * (k + 2) * (k + 3);
  EXPECT_NEAR(var, v, 5.0 * std::sqrt((m4 - m2 * m2) / n) + 5.0 * std::sqrt(v / n));
}

INSTANTIATE_TEST_SUITE_P(Variances, GammaFrailty, ::testing::Values(0.25, 0.5, 1.0, 2.0));

TEST(Rng, ZeroFrailtyVarianceIsExactlyOne) { EXPECT_EQ(cxsim::gamma_frailty(CustomerRng(1, 0, 0), 0.0), 1.0); }
