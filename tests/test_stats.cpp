// Statistics are pure functions, checked to the last digit (STYLE.md 7), and the quantile sketch
// against exact sorted quantiles.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "cxsim/stats.hpp"
#include "quantile_sketch.hpp"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Exact sample quantile of rank max(1, ceil(q n)), the definition the sketch approximates.
double exact_quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  return v[rank - 1];
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST(Stats, SummarizeFourValuesExact) {
  const cxsim::Summary s = cxsim::summarize({1, 2, 3, 4});
  EXPECT_EQ(s.n, 4u);
  EXPECT_EQ(s.mean, 2.5);
  ASSERT_TRUE(s.sd.has_value());
  EXPECT_NEAR(*s.sd, std::sqrt(5.0 / 3.0), 1e-15);
  ASSERT_TRUE(s.ci95.has_value());
  const double half = 3.182446305284263 * std::sqrt(5.0 / 3.0) / 2.0;
  EXPECT_NEAR(s.ci95->first, 2.5 - half, 1e-12);
  EXPECT_NEAR(s.ci95->second, 2.5 + half, 1e-12);
}

TEST(Stats, SummarizeIsSymmetricAroundMean) {
  const cxsim::Summary s = cxsim::summarize({0.3, 7.25, -1.5, 2.0, 11.0});
  ASSERT_TRUE(s.ci95.has_value());
  EXPECT_NEAR(s.mean - s.ci95->first, s.ci95->second - s.mean, 1e-12);
  EXPECT_NEAR(s.mean, (0.3 + 7.25 - 1.5 + 2.0 + 11.0) / 5.0, 1e-15);
}

TEST(Stats, SummarizeOneValueHasNoSpread) {
  const cxsim::Summary s = cxsim::summarize({42.5});
  EXPECT_EQ(s.n, 1u);
  EXPECT_EQ(s.mean, 42.5);
  EXPECT_FALSE(s.sd.has_value());
  EXPECT_FALSE(s.ci95.has_value());
}

TEST(Stats, SummarizeIdenticalValuesZeroWidth) {
  const cxsim::Summary s = cxsim::summarize({0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1});
  EXPECT_EQ(s.mean, 0.1);
  ASSERT_TRUE(s.sd.has_value());
  EXPECT_EQ(*s.sd, 0.0);
  ASSERT_TRUE(s.ci95.has_value());
  EXPECT_EQ(s.ci95->first, 0.1);
  EXPECT_EQ(s.ci95->second, 0.1);
}

TEST(Stats, SummarizePairedZeroDifferenceIsExactlyZero) {
  const cxsim::Summary s = cxsim::summarize({0.0, 0.0, 0.0});
  EXPECT_EQ(s.mean, 0.0);
  EXPECT_EQ(*s.sd, 0.0);
  EXPECT_EQ(s.ci95->first, 0.0);
  EXPECT_EQ(s.ci95->second, 0.0);
}

TEST(Stats, SummarizeLargeOffsetIsNumericallyStable) {
  // A naive sum-of-squares formula loses every digit here.
  const double offset = 1e9;
  const cxsim::Summary s = cxsim::summarize({offset + 1, offset + 2, offset + 3, offset + 4});
  EXPECT_EQ(s.mean, offset + 2.5);
  EXPECT_NEAR(*s.sd, std::sqrt(5.0 / 3.0), 1e-12);
}

TEST(Stats, SummarizeNaNMakesMeanNaNAndNoSpread) {
  const cxsim::Summary s = cxsim::summarize({1.0, kNaN, 3.0});
  EXPECT_EQ(s.n, 3u);
  EXPECT_TRUE(std::isnan(s.mean));
  EXPECT_FALSE(s.sd.has_value());
  EXPECT_FALSE(s.ci95.has_value());
  EXPECT_TRUE(std::isnan(cxsim::summarize({kNaN}).mean));
}

TEST(Stats, SummarizeInfinityHasNoSpread) {
  const cxsim::Summary s = cxsim::summarize({1.0, kInf});
  EXPECT_EQ(s.mean, kInf);
  EXPECT_FALSE(s.sd.has_value());
  EXPECT_FALSE(s.ci95.has_value());
}

TEST(Stats, SummarizeEmptyThrows) { EXPECT_THROW(cxsim::summarize({}), std::invalid_argument); }

TEST(Stats, StudentTQuantileMatchesTables) {
  EXPECT_NEAR(cxsim::student_t_quantile(0.975, 1), 12.706204736174698, 1e-12);
  EXPECT_NEAR(cxsim::student_t_quantile(0.975, 3), 3.182446305284263, 1e-12);
  EXPECT_NEAR(cxsim::student_t_quantile(0.975, 7), 2.3646242515927844, 1e-12);
  EXPECT_NEAR(cxsim::student_t_quantile(0.975, 30), 2.042272456301238, 1e-12);
  EXPECT_NEAR(cxsim::student_t_quantile(0.5, 5), 0.0, 1e-15);
  EXPECT_NEAR(cxsim::student_t_quantile(0.025, 7), -2.3646242515927844, 1e-12);
}

TEST(Stats, StudentTQuantileRejectsBadArguments) {
  EXPECT_THROW(cxsim::student_t_quantile(0.0, 3), std::invalid_argument);
  EXPECT_THROW(cxsim::student_t_quantile(1.0, 3), std::invalid_argument);
  EXPECT_THROW(cxsim::student_t_quantile(0.975, 0), std::invalid_argument);
  EXPECT_THROW(cxsim::student_t_quantile(kNaN, 3), std::invalid_argument);
}

TEST(Sketch, EmptyIsNaN) {
  const cxsim::QuantileSketch s;
  EXPECT_EQ(s.count(), 0u);
  EXPECT_TRUE(std::isnan(s.quantile(0.5)));
}

TEST(Sketch, P90OfOneToHundredThousand) {
  cxsim::QuantileSketch s;
  for (int i = 1; i <= 100000; ++i) s.add(i);
  EXPECT_EQ(s.count(), 100000u);
  EXPECT_LE(std::fabs(s.quantile(0.9) - 90000.0) / 90000.0, 0.01);
  EXPECT_LE(std::fabs(s.quantile(0.5) - 50000.0) / 50000.0, 0.01);
  EXPECT_LE(std::fabs(s.quantile(1.0) - 100000.0) / 100000.0, 0.01);
  EXPECT_LE(std::fabs(s.quantile(0.0) - 1.0), 0.01);
}

TEST(Sketch, ExponentialDataWithinRelativeAccuracy) {
  // Deterministic exponential quantiles (mean 10 minutes), in a scrambled order.
  const int n = 20000;
  std::vector<double> values;
  for (int k = 0; k < n; ++k) {
    const int i = static_cast<int>((static_cast<long long>(k) * 7919) % n);
    values.push_back(-10.0 * std::log(1.0 - (i + 0.5) / n));
  }
  cxsim::QuantileSketch s;
  for (double v : values) s.add(v);
  for (double q : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    const double exact = exact_quantile(values, q);
    EXPECT_LE(std::fabs(s.quantile(q) - exact) / exact, 0.01 + 1e-12) << "q = " << q;
  }
}

TEST(Sketch, ZerosAndTinyValuesAreExactZero) {
  cxsim::QuantileSketch s;
  s.add(0.0, 7);
  s.add(1e-9);
  s.add(5.0, 2);
  EXPECT_EQ(s.count(), 10u);
  EXPECT_EQ(s.quantile(0.0), 0.0);
  EXPECT_EQ(s.quantile(0.8), 0.0);  // rank 8 is the tiny value, in the zero bin
  EXPECT_LE(std::fabs(s.quantile(0.9) - 5.0) / 5.0, 0.01);
  EXPECT_LE(std::fabs(s.quantile(1.0) - 5.0) / 5.0, 0.01);

  cxsim::QuantileSketch zeros;
  zeros.add(0.0, 3);
  EXPECT_EQ(zeros.quantile(0.5), 0.0);
  EXPECT_EQ(zeros.quantile(1.0), 0.0);
}

TEST(Sketch, BoundsAndClamping) {
  cxsim::QuantileSketch s;
  s.add(cxsim::QuantileSketch::kMinValue);
  EXPECT_LE(std::fabs(s.quantile(1.0) - 1e-3) / 1e-3, 0.01 + 1e-12);
  cxsim::QuantileSketch big;
  big.add(1e12);
  big.add(cxsim::QuantileSketch::kMaxValue);
  // Clamped into the top bin, whose representative is within 1% of kMaxValue.
  EXPECT_EQ(big.quantile(0.5), big.quantile(1.0));
  EXPECT_LE(std::fabs(big.quantile(1.0) - 1e6) / 1e6, 0.01 + 1e-12);
}

TEST(Sketch, RejectsInvalidValues) {
  cxsim::QuantileSketch s;
  EXPECT_THROW(s.add(kNaN), std::invalid_argument);
  EXPECT_THROW(s.add(-1.0), std::invalid_argument);
  EXPECT_THROW(s.add(kInf), std::invalid_argument);
  EXPECT_EQ(s.count(), 0u);
  s.add(1.0);
  EXPECT_THROW(s.quantile(1.5), std::invalid_argument);
  EXPECT_THROW(s.quantile(-0.1), std::invalid_argument);
}

TEST(Sketch, CountWeightedAddEqualsRepeatedAdd) {
  cxsim::QuantileSketch a, b;
  a.add(3.5, 4);
  a.add(0.0, 0);  // a zero count adds nothing
  for (int i = 0; i < 4; ++i) b.add(3.5);
  EXPECT_EQ(a.count(), b.count());
  EXPECT_TRUE(same_bits(a.quantile(0.5), b.quantile(0.5)));
}

TEST(Sketch, MergeEqualsAddingAllToOne) {
  cxsim::QuantileSketch all, part1, part2, part3;
  for (int i = 0; i < 3000; ++i) {
    const double v = i % 17 == 0 ? 0.0 : 0.37 * i + 0.01 * (i % 13);
    all.add(v);
    (i % 3 == 0 ? part1 : i % 3 == 1 ? part2 : part3).add(v);
  }
  cxsim::QuantileSketch merged;
  merged.merge(part1);
  merged.merge(part2);
  merged.merge(part3);
  EXPECT_EQ(merged.count(), all.count());
  for (double q = 0.0; q <= 1.0; q += 0.01) {
    EXPECT_TRUE(same_bits(merged.quantile(q), all.quantile(q))) << "q = " << q;
  }
}

TEST(Sketch, MergeOrderIndependent) {
  std::vector<cxsim::QuantileSketch> parts(4);
  for (int i = 0; i < 4000; ++i) parts[static_cast<std::size_t>(i % 4)].add(std::exp(0.003 * i) - 1.0);
  cxsim::QuantileSketch forward, backward;
  for (std::size_t k = 0; k < parts.size(); ++k) forward.merge(parts[k]);
  for (std::size_t k = parts.size(); k-- > 0;) backward.merge(parts[k]);
  // Merging a merged pair equals merging one by one.
  cxsim::QuantileSketch left = parts[0], right = parts[2];
  left.merge(parts[1]);
  right.merge(parts[3]);
  left.merge(right);
  for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) {
    EXPECT_TRUE(same_bits(forward.quantile(q), backward.quantile(q))) << "q = " << q;
    EXPECT_TRUE(same_bits(forward.quantile(q), left.quantile(q))) << "q = " << q;
  }
}
