// Kernel mechanics on single customers: the formulas of MODEL.md, checked by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "cxsim/scenario.hpp"
#include "engine.hpp"
#include "metrics.hpp"

using namespace cxsim;

namespace {

struct OneCustomer {
  Scenario scenario;
  Model model;
  Customer c{};
  explicit OneCustomer(const std::string& touchpoints, const std::string& segment = "")
      : scenario(parse_scenario(R"({"name": "k", "horizon_periods": 10, "population": {"customers": 1},
          "economics": {"annual_discount_rate": 0.1},
          "segments": {"g": {"share": 1, "initial_sentiment": {"mean": 0.5, "sd": 0}, "revenue_per_period": 3)" +
                                    segment + R"(}},
          "journey": {"entry": "start", "touchpoints": {"start": {"next": {"t": 1}}, )" +
                                    touchpoints + "}}}",
                                "kernel.json")),
        model(compile_model(scenario)) {}
};

}  // namespace

TEST(Kernel, InitialStateAndStartIsNotAVisit) {
  OneCustomer k(R"("t": {"next": {"t": 1}})");
  Kernel kernel(k.model, 0);
  kernel.init(k.c, 0);
  EXPECT_TRUE(k.c.active());
  EXPECT_FLOAT_EQ(k.c.sentiment, 0.5f);
  EXPECT_EQ(k.c.frailty, 1.0f);
  EXPECT_EQ(k.model.touchpoint_ids[k.c.touchpoint], "start");
  EXPECT_FALSE(k.c.has_issue());
}

TEST(Kernel, PositiveExperienceMovesSentimentByMemory) {
  OneCustomer k(R"("t": {"quality": {"mean": 0.9, "sd": 0}, "next": {"t": 1}})");
  Kernel kernel(k.model, 0);
  Tally tally(k.model);
  kernel.init(k.c, 0);
  kernel.step(k.c, 0, 0, tally);
  EXPECT_NEAR(k.c.sentiment, 0.5 + 0.15 * (0.9 - 0.5), 1e-6);
  EXPECT_EQ(tally.visits[1], 1);
  EXPECT_EQ(k.c.bad, 0.0f);
  EXPECT_NEAR(discounted_revenue(k.model, tally), 3.0, 1e-9);  // d^0 = 1
}

TEST(Kernel, FailureIsNegativeOpensIssueAndCountsBad) {
  OneCustomer k(R"("t": {"failure": 1, "failure_quality": -0.5, "effort": 2, "next": {"t": 1}})");
  Kernel kernel(k.model, 0);
  Tally tally(k.model);
  kernel.init(k.c, 0);
  kernel.step(k.c, 0, 0, tally);
  EXPECT_NEAR(k.c.sentiment, 0.5 + 0.15 * 2.0 * (-0.5 - 0.5), 1e-6);  // negativity bias 2
  EXPECT_EQ(k.c.bad, 1.0f);
  EXPECT_EQ(k.c.issue_opened, 0);
  EXPECT_EQ(tally.failures[1], 1);
  EXPECT_FLOAT_EQ(k.c.effort, 2.0f);
  kernel.end_period(k.c, 0, 0, tally);  // no hazard: survives; decays apply
  EXPECT_FLOAT_EQ(k.c.bad, 0.99f);
  EXPECT_FLOAT_EQ(k.c.effort, 1.8f);
  // A second failure does not reopen (or re-date) the open issue.
  kernel.step(k.c, 0, 1, tally);
  EXPECT_EQ(k.c.issue_opened, 0);
}

TEST(Kernel, SalienceWeightIsCappedAtOne) {
  OneCustomer k(R"("t": {"quality": {"mean": -0.1, "sd": 0}, "salience": 10, "next": {"t": 1}})");
  Kernel kernel(k.model, 0);
  Tally tally(k.model);
  kernel.init(k.c, 0);
  kernel.step(k.c, 0, 0, tally);
  EXPECT_NEAR(k.c.sentiment, -0.1, 1e-6);
}

TEST(Kernel, ExitIsAbsorbingAndNotAVisit) {
  OneCustomer k(R"("t": {"exit": true})");
  Kernel kernel(k.model, 0);
  Tally tally(k.model);
  kernel.init(k.c, 0);
  kernel.step(k.c, 0, 0, tally);
  EXPECT_FALSE(k.c.active());
  EXPECT_EQ(tally.exits[1], 1);
  EXPECT_EQ(tally.visits[1], 0);
  EXPECT_NEAR(discounted_revenue(k.model, tally), 3.0, 1e-9);  // the period it exits is paid
  kernel.end_period(k.c, 0, 0, tally);
  EXPECT_EQ(tally.active_end[0], 0);
  kernel.step(k.c, 0, 1, tally);
  EXPECT_NEAR(discounted_revenue(k.model, tally), 3.0, 1e-9);  // nothing after
}

TEST(Kernel, RevenueIsDiscountedPerPeriod) {
  OneCustomer k(R"("t": {"next": {"t": 1}, "revenue": 10, "cost": 4})");
  Kernel kernel(k.model, 0);
  Tally tally(k.model);
  kernel.init(k.c, 0);
  kernel.step(k.c, 0, 5, tally);
  const double d5 = std::pow(1.1, -5.0 / 365.0);
  EXPECT_NEAR(discounted_revenue(k.model, tally), 13.0 * d5, 1e-8);
  EXPECT_NEAR(tally.touchpoint_cost.value(), 4.0 * d5, 1e-8);
  EXPECT_NEAR(period_revenue(k.model, tally, 5), 13.0, 1e-8);  // series: undiscounted
}

TEST(Kernel, SelfResolveClearsIssue) {
  OneCustomer k(R"("t": {"failure": 1, "next": {"t": 1}})", R"(, "self_resolve": 1)");
  Kernel kernel(k.model, 0);
  Tally tally(k.model);
  kernel.init(k.c, 0);
  kernel.step(k.c, 0, 0, tally);
  ASSERT_TRUE(k.c.has_issue());
  k.model.touchpoints[1].failure_at = PeriodTable{};  // failure 0 from now on
  kernel.step(k.c, 0, 1, tally);
  EXPECT_FALSE(k.c.has_issue());
}

TEST(Kernel, ChurnProbabilityIsCloglogHazard) {
  OneCustomer k(R"("t": {"next": {"t": 1}})", R"(, "hazard": {"base": 0.01})");
  Kernel kernel(k.model, 0);
  kernel.init(k.c, 0);
  k.c.sentiment = 0.3f;
  k.c.bad = 2.0f;
  k.c.effort = 4.0f;
  k.c.issue_opened = 1;
  k.c.frailty = 1.5f;
  const double x = -2.0 * 0.3f + 0.5 + 0.4 * 2.0 + 0.05 * 4.0;
  EXPECT_NEAR(kernel.churn_probability(k.c), 1.0 - std::exp(-1.5 * 0.01 * std::exp(x)), 1e-12);
}

TEST(Kernel, PromoterAndDetractorProbabilities) {
  // Without noise L = round(5 + 5 s): s = 0.7 -> 8.5 -> 9 (promoter); s = 0.3 -> 6.5 -> 7 (passive).
  EXPECT_EQ(promoter_probability(0.7, 0.0), 1.0);
  EXPECT_EQ(promoter_probability(0.69, 0.0), 0.0);
  EXPECT_EQ(detractor_probability(0.3, 0.0), 0.0);
  EXPECT_EQ(detractor_probability(0.29, 0.0), 1.0);
  // Neutral sentiment gives L = 5: a detractor (MODEL.md calibration note).
  EXPECT_GT(detractor_probability(0.0, 1.5), 0.8);
  EXPECT_NEAR(promoter_probability(0.7, 1.5), 0.5, 1e-15);
}

TEST(Kernel, PromoterTableInterpolatesWithinItsBound) {
  for (double sd : {0.5, 1.0, 1.5, 3.0, 0.1}) {
    const PromoterTable table(sd);
    EXPECT_LE(table.error_bound(), 1e-7) << sd;
    double worst = 0.0;
    for (int i = 0; i <= 100000; ++i) {
      const double s = -1.0 + 2.0 * i / 100000.0;
      worst = std::max(worst, std::abs(table(s) - promoter_probability(s, sd)));
    }
    EXPECT_LE(worst, table.error_bound() + 1e-15) << sd;
    EXPECT_GT(worst, 0.0) << "an interpolation that is exact everywhere means the table was not used";
  }
  const PromoterTable step(0.0);
  EXPECT_EQ(step(0.69), promoter_probability(0.69, 0.0));
  EXPECT_EQ(step(0.7), promoter_probability(0.7, 0.0));
}
