// Analytic validation: simulated results against closed forms, with fixed seeds and tolerances of
// 5 standard errors derived from the closed-form variance.
#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <string>

#include "sim_helpers.hpp"

using cxsim::testing::metric_mean;
using cxsim::testing::run_text;
using cxsim::testing::series_mean;
using cxsim::testing::touchpoint_total;

namespace {

using Matrix = std::vector<std::vector<double>>;

Matrix invert(Matrix a) {  // Gauss-Jordan with partial pivoting; small matrices only
  const std::size_t n = a.size();
  Matrix inv(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) inv[i][i] = 1.0;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[p][c])) p = r;
    std::swap(a[c], a[p]);
    std::swap(inv[c], inv[p]);
    const double d = a[c][c];
    for (std::size_t k = 0; k < n; ++k) {
      a[c][k] /= d;
      inv[c][k] /= d;
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = a[r][c];
      for (std::size_t k = 0; k < n; ++k) {
        a[r][k] -= f * a[c][k];
        inv[r][k] -= f * inv[c][k];
      }
    }
  }
  return inv;
}

std::string single_touchpoint(
    const std::string& segment_extra, const std::string& top_extra,
    const std::string& churn = R"({"sentiment": 0, "open_issue": 0, "bad_experiences": 0, "effort": 0})",
    const std::string& home_extra = "") {
  return R"({"name": "analytic", "seed": 2024, )" + top_extra + R"(
    "segments": {"all": {"share": 1, )" +
         segment_extra + R"(}},
    "journey": {"entry": "home", "touchpoints": {"home": {"next": {"home": 1})" +
         home_extra + R"(}}},
    "churn": )" +
         churn + "}";
}

}  // namespace

// Exit shares and expected visits of an absorbing Markov chain against the fundamental matrix
// N = (I - Q)^-1 (Kemeny and Snell): B = N R, visits to j from the entry i = N_ij - [i == j], and
// Var(visits) = [N (2 N_dg - I) - N_sq]_ij.
TEST(Analytic, AbsorbingChainExitSharesAndVisits) {
  const std::string json = R"({"name": "chain", "seed": 7, "horizon_periods": 300, "replications": 4,
    "population": {"customers": 20000},
    "segments": {"all": {"share": 1}},
    "journey": {"entry": "a", "touchpoints": {
      "a": {"next": {"a": 1, "b": 2, "x": 1}},
      "b": {"next": {"a": 1, "c": 1, "y": 2}},
      "c": {"next": {"c": 2, "x": 1, "b": 1}},
      "x": {"exit": true}, "y": {"exit": true}}}})";
  const auto r = run_text(json);
  const double n = 20000.0 * 4;
  const Matrix q = {{0.25, 0.5, 0.0}, {0.25, 0.0, 0.25}, {0.0, 0.25, 0.5}};
  Matrix i_minus_q(3, std::vector<double>(3));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) i_minus_q[i][j] = (i == j) - q[i][j];
  const Matrix N = invert(i_minus_q);
  // Exit to x: from a .25, from c .25; exit to y: from b .5.
  const double px = N[0][0] * 0.25 + N[0][2] * 0.25, py = N[0][1] * 0.5;
  EXPECT_NEAR(px + py, 1.0, 1e-12);
  EXPECT_NEAR(touchpoint_total(r, "x", "exits") / n, px, 5.0 * std::sqrt(px * (1 - px) / n));
  EXPECT_NEAR(touchpoint_total(r, "y", "exits") / n, py, 5.0 * std::sqrt(py * (1 - py) / n));
  EXPECT_EQ(touchpoint_total(r, "x", "visits"), 0.0);  // exits are not visits
  const char* ids[] = {"a", "b", "c"};
  for (int j = 0; j < 3; ++j) {
    const double expected = N[0][j] - (j == 0 ? 1.0 : 0.0);
    double n2 = 0.0;  // [N (2 N_dg - I)]_0j = N_0j (2 N_jj - 1)
    n2 = N[0][j] * (2.0 * N[j][j] - 1.0) - N[0][j] * N[0][j];
    const double se = std::sqrt(n2 / n);
    EXPECT_NEAR(touchpoint_total(r, ids[j], "visits") / n, expected, 5.0 * se) << "visits to " << ids[j];
  }
  EXPECT_NEAR(metric_mean(r, "retention"), 0.0, 1e-12);
  EXPECT_NEAR(metric_mean(r, "exit_churned"), 1.0, 1e-12);
}

// Gamma frailty with a constant covariate vector: S(t) = (1 + v h t)^(-1/v) exactly in discrete
// time, since the per-period survival given z is exp(-z h).
class FrailtyRetention : public ::testing::TestWithParam<double> {};

TEST_P(FrailtyRetention, MatchesClosedForm) {
  const double v = GetParam(), h = 0.002;
  const std::string json =
      single_touchpoint(R"("hazard": {"base": 0.002, "frailty_variance": )" + std::to_string(v) + "}",
                        R"("horizon_periods": 365, "replications": 4, "population": {"customers": 20000},)");
  const auto r = run_text(json);
  const double n = 20000.0 * 4;
  for (int t : {0, 29, 89, 179, 364}) {
    const double periods = t + 1.0;  // retention[t] is measured after the churn draw of period t
    const double s = v > 0 ? std::pow(1.0 + v * h * periods, -1.0 / v) : std::exp(-h * periods);
    EXPECT_NEAR(series_mean(r, "retention", t), s, 5.0 * std::sqrt(s * (1 - s) / n) + 1e-12) << "t=" << t;
  }
  const double s_end = v > 0 ? std::pow(1.0 + v * h * 365, -1.0 / v) : std::exp(-h * 365);
  EXPECT_NEAR(metric_mean(r, "retention"), s_end, 5.0 * std::sqrt(s_end * (1 - s_end) / n));
  EXPECT_NEAR(metric_mean(r, "churned"), 1.0 - metric_mean(r, "retention"), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Variances, FrailtyRetention, ::testing::Values(0.0, 0.5, 2.0));

// CLV under a constant hazard: a customer pays r in every period it starts active, discounted by
// d^t; with T ~ periods started (geometric, capped at H), CLV = E[r sum_{t<T} d^t].
TEST(Analytic, DiscountedClvUnderConstantHazard) {
  const double h = 0.003, r = 2.0, rate = 0.08;
  const int horizon = 365;
  const std::string json =
      single_touchpoint(R"("revenue_per_period": 2.0, "hazard": {"base": 0.003})",
                        R"("horizon_periods": 365, "replications": 4, "population": {"customers": 20000},
         "economics": {"currency": "EUR", "annual_discount_rate": 0.08},)");
  const auto res = run_text(json);
  const double d = std::pow(1.0 + rate, -1.0 / 365.0);
  const double p = 1.0 - std::exp(-h);
  double ex = 0.0, ex2 = 0.0, prefix = 0.0;
  for (int k = 1; k <= horizon; ++k) {
    prefix += r * std::pow(d, k - 1);  // revenue of a customer who starts exactly k periods
    const double pk = k < horizon ? std::pow(1 - p, k - 1) * p : std::pow(1 - p, horizon - 1);
    ex += pk * prefix;
    ex2 += pk * prefix * prefix;
  }
  const double n = 20000.0 * 4;
  const double se = std::sqrt((ex2 - ex * ex) / n);
  EXPECT_NEAR(metric_mean(res, "clv"), ex, 5.0 * se);
  EXPECT_NEAR(metric_mean(res, "revenue"), metric_mean(res, "clv") * 20000.0, 1e-6 * metric_mean(res, "revenue"));
  EXPECT_NEAR(metric_mean(res, "net_value"), metric_mean(res, "revenue"), 1e-9);
}

// With memory 0 sentiment never moves, so population NPS is exactly
// 100 (P(e >= 8.5 - 5 - 5 s) - P(e < 6.5 - 5 - 5 s)), and survey NPS estimates it within its SE.
TEST(Analytic, NpsUnderFrozenSentiment) {
  const double s = 0.4, sd = 1.5;
  const std::string json =
      single_touchpoint(R"("memory": 0, "initial_sentiment": {"mean": 0.4, "sd": 0})",
                        R"("horizon_periods": 90, "replications": 3, "population": {"customers": 20000},
         "nps": {"noise_sd": 1.5, "report_every": 30},)",
                        R"({"sentiment": -2.0, "open_issue": 0.5, "bad_experiences": 0.4, "effort": 0.05})",
                        R"(, "quality": {"mean": 0.9, "sd": 0.3}, "survey_rate": 0.01)");
  const auto r = run_text(json);
  const boost::math::normal e(0.0, sd);
  const double sf = static_cast<float>(s);  // sentiment is stored in single precision
  const double pp = boost::math::cdf(boost::math::complement(e, 8.5 - 5.0 - 5.0 * sf));
  const double pd = boost::math::cdf(e, 6.5 - 5.0 - 5.0 * sf);
  const double nps = 100.0 * (pp - pd);
  // NPS sums are exact in 2^-32 fixed point (ExactSum), truncated per customer: every customer has
  // the same s here, so the mean carries one customer's truncation, at most 100 * 2^-32.
  const double resolution = 100.0 * std::ldexp(1.0, -32);
  EXPECT_NEAR(metric_mean(r, "nps"), nps, resolution);
  ASSERT_EQ(r.nps_period, (std::vector<int>{29, 59, 89}));
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(series_mean(r, "nps", i), nps, resolution);
  double responses = 0.0;
  for (const auto& rep : r.replications) responses += rep.metrics.at("survey_responses");
  ASSERT_GT(responses, 10000.0);
  const double var = pp + pd - (pp - pd) * (pp - pd);
  EXPECT_NEAR(metric_mean(r, "survey_nps"), nps, 5.0 * 100.0 * std::sqrt(var / responses));
}

// Survey NPS is undefined (null) without responses; population NPS still defined.
TEST(Analytic, SurveyNpsUndefinedWithoutResponses) {
  const auto r =
      run_text(single_touchpoint(R"("initial_sentiment": {"mean": 0.5, "sd": 0.2})",
                                 R"("horizon_periods": 10, "replications": 2, "population": {"customers": 500},)"));
  EXPECT_TRUE(std::isnan(metric_mean(r, "survey_nps")));
  EXPECT_FALSE(std::isnan(metric_mean(r, "nps")));
}
