// Proactive interventions (MODEL.md "Proactive interventions") on small, hand-checkable scenarios:
// every trigger fires exactly when it should and never otherwise, effects do what they say,
// capacity is never exceeded, costs add up, and an intervention that never acts moves no other draw.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>

#include "cxsim/report.hpp"
#include "engine.hpp"
#include "sim_helpers.hpp"

using cxsim::testing::metric_mean;
using cxsim::testing::run_text;
using cxsim::testing::series_mean;
using cxsim::testing::touchpoint_total;

namespace {

constexpr int kCustomers = 2000;
const std::string kFrozen = R"(, "memory": 0, "initial_sentiment": {"mean": 0.5, "sd": 0})";

// One segment (by default with frozen sentiment 0.5: memory 0) and no churn unless `segment_extra`
// says so; the
// journey alternates between "home" and "shop" at random; `service` and `interventions` are spliced in.
std::string scenario(const std::string& interventions, const std::string& segment_extra = kFrozen,
                     const std::string& shop_extra = "", const std::string& service = "", int horizon = 30,
                     int replications = 1) {
  return R"({"name": "iv", "seed": 5, "horizon_periods": )" + std::to_string(horizon) + R"(, "replications": )" +
         std::to_string(replications) + R"(, "population": {"customers": )" + std::to_string(kCustomers) + R"(},
    "segments": {"all": {"share": 1, "revenue_per_period": 1)" +
         segment_extra + R"(}},
    "journey": {"entry": "home", "touchpoints": {
      "home": {"quality": {"mean": 0.6, "sd": 0}, "next": {"home": 1, "shop": 1}},
      "shop": {"quality": {"mean": 0.6, "sd": 0}, "next": {"home": 1})" +
         shop_extra + R"(}}})" + service + R"(, "interventions": {)" + interventions + "}}";
}

double iv_total(const cxsim::RunResult& r, const std::string& id, const std::string& count) {
  double sum = 0.0;
  for (const auto& rep : r.replications) sum += rep.interventions.at(id).values.at(count);
  return sum;
}

const std::vector<double>& uses_series(const cxsim::RunResult& r, const std::string& id, std::size_t rep = 0) {
  return r.replications.at(rep).series.at("uses." + id);
}

}  // namespace

TEST(Interventions, PeriodicFiresOnItsScheduleOnly) {
  const auto r = run_text(scenario(R"("tips": {"trigger": {"periodic": {"every": 7, "from": 3, "until": 20}},
                                              "effect": {"effort_change": 0.5}, "cost_per_use": 0.25})"));
  const auto& uses = uses_series(r, "tips");
  for (int t = 0; t < 30; ++t) {
    const bool due = t == 3 || t == 10 || t == 17;
    EXPECT_EQ(uses[t], due ? kCustomers : 0) << "period " << t;
  }
  EXPECT_EQ(iv_total(r, "tips", "uses"), 3 * kCustomers);
  EXPECT_EQ(iv_total(r, "tips", "reach"), kCustomers);
  EXPECT_DOUBLE_EQ(iv_total(r, "tips", "cost"), 3 * kCustomers * 0.25);
  const double d = std::pow(1.08, -1.0 / 365.0);
  const double discounted = kCustomers * 0.25 * (std::pow(d, 3) + std::pow(d, 10) + std::pow(d, 17));
  EXPECT_NEAR(metric_mean(r, "intervention_cost"), discounted, 3 * kCustomers * std::ldexp(1.0, -32));
  EXPECT_NEAR(metric_mean(r, "net_value"),
              metric_mean(r, "revenue") - metric_mean(r, "service_cost") - metric_mean(r, "intervention_cost") -
                  metric_mean(r, "touchpoint_cost"),
              1e-6);
}

TEST(Interventions, OnVisitAndOnFailureFireOnTheirTouchpointOnly) {
  const auto r = run_text(scenario(R"("greet": {"trigger": {"on_visit": "shop"}, "effect": {"effort_change": 0.1}},
                                      "sorry": {"trigger": {"on_failure": "shop"}, "effect": {"sentiment_boost": 0.0001}},
                                      "never": {"trigger": {"on_failure": "home"}, "effect": {"sentiment_boost": 0.1}})",
                                   kFrozen, R"(, "failure": 0.2)"));
  const double visits = touchpoint_total(r, "shop", "visits");
  const double failures = touchpoint_total(r, "shop", "failures");
  ASSERT_GT(visits, 1000);
  ASSERT_GT(failures, 100);
  EXPECT_EQ(iv_total(r, "greet", "uses"), visits);
  EXPECT_EQ(iv_total(r, "greet", "fired"), visits);
  EXPECT_EQ(iv_total(r, "sorry", "uses"), failures);
  EXPECT_EQ(iv_total(r, "never", "fired"), 0);
  EXPECT_EQ(iv_total(r, "never", "uses"), 0);
}

TEST(Interventions, AfterContactFiresPerOutcome) {
  const std::string service = R"(, "service": {"channels": {"desk": {"share": 1, "agents": 7, "aht_minutes": 10,
                                   "hours_per_period": 8, "fcr": 0.6}}})";
  const auto r = run_text(
      scenario(R"("ok": {"trigger": {"after_contact": "resolved"}, "effect": {"sentiment_boost": 0.01}},
                                      "again": {"trigger": {"after_contact": "unresolved"}, "effect": {"effort_change": 1}},
                                      "lost": {"trigger": {"after_contact": "abandoned"}, "effect": {"effort_change": 1}})",
               kFrozen + R"(, "contact_propensity": 1, "patience_minutes": 3)", R"(, "failure": 0.2)", service));
  double resolved = 0, handled = 0, abandoned = 0;
  for (const auto& rep : r.replications) {
    resolved += rep.channels.at("desk").values.at("resolved");
    handled += rep.channels.at("desk").values.at("handled");
    abandoned += rep.channels.at("desk").values.at("abandoned");
  }
  ASSERT_GT(resolved, 100);
  ASSERT_GT(abandoned, 10);
  EXPECT_EQ(iv_total(r, "ok", "uses"), resolved);
  EXPECT_EQ(iv_total(r, "again", "uses"), handled - resolved);
  EXPECT_EQ(iv_total(r, "lost", "uses"), abandoned);
}

TEST(Interventions, SentimentBelowFiresWhileTheConditionHolds) {
  // Sentiment is frozen at 0.5: below 0.6 holds every period for everyone, below 0.4 never.
  const auto r = run_text(scenario(R"("low": {"trigger": {"sentiment_below": 0.6}, "effect": {"effort_change": 0.1}},
                                      "lower": {"trigger": {"sentiment_below": 0.4}, "effect": {"effort_change": 0.1}})"));
  EXPECT_EQ(iv_total(r, "low", "uses"), kCustomers * 30.0);
  EXPECT_EQ(iv_total(r, "low", "reach"), kCustomers);
  EXPECT_EQ(iv_total(r, "lower", "fired"), 0);
}

TEST(Interventions, IssueAgeAboveFiresOnlyOnceTheIssueIsOldEnough) {
  // Every shop visit fails; without channels or self-resolution the issue opened at the first
  // shop visit stays open. The trigger fires at the end of every period t with t - opened > 5.
  const auto r = run_text(scenario(R"("old": {"trigger": {"issue_age_above": 5}, "effect": {"effort_change": 0.1}})",
                                   kFrozen, R"(, "failure": 1)"));
  // Opened in the period of the first shop visit; count customer-periods with t - opened > 5 from the
  // open-issues series: the number of issues open at the end of period t - 6 is the number aged > 5 at t.
  const auto& open = r.replications[0].series.at("open_issues");
  double expected = 0;
  for (int t = 6; t < 30; ++t) expected += open[t - 6];
  ASSERT_GT(expected, 10000);
  EXPECT_EQ(iv_total(r, "old", "uses"), expected);
}

TEST(Interventions, RiskAboveActsOnThatSamePeriodsChurnDraw) {
  // Constant covariates: p = 1 - exp(-0.01 exp(-2 * 0.5)) = 0.003672... every period.
  const std::string churny = kFrozen + R"(, "hazard": {"base": 0.01})";
  const auto saved =
      run_text(scenario(R"("save": {"trigger": {"risk_above": 0.0036}, "effect": {"hazard_multiplier": 0}})", churny));
  EXPECT_EQ(metric_mean(saved, "retention"), 1.0);
  EXPECT_EQ(iv_total(saved, "save", "uses"), kCustomers * 30.0);
  const auto missed =
      run_text(scenario(R"("save": {"trigger": {"risk_above": 0.0037}, "effect": {"hazard_multiplier": 0}})", churny));
  EXPECT_EQ(iv_total(missed, "save", "fired"), 0);
  EXPECT_LT(metric_mean(missed, "retention"), 1.0);
}

TEST(Interventions, TargetRestrictsToSegments) {
  const std::string two_segments = R"({"name": "iv", "seed": 5, "horizon_periods": 5, "replications": 1,
    "population": {"customers": 4000},
    "segments": {"a": {"share": 0.3}, "b": {"share": 0.7}},
    "journey": {"entry": "home", "touchpoints": {"home": {"next": {"home": 1}}}},
    "interventions": {
      "to_a": {"trigger": {"periodic": {"every": 100}}, "target": ["a"], "effect": {"effort_change": 1}},
      "to_b": {"trigger": {"periodic": {"every": 100}}, "target": ["b"], "effect": {"effort_change": 1}}}})";
  const auto r = run_text(two_segments);
  const double a = iv_total(r, "to_a", "uses"), b = iv_total(r, "to_b", "uses");
  EXPECT_EQ(a + b, 4000);
  EXPECT_NEAR(a / 4000, 0.3, 5 * std::sqrt(0.3 * 0.7 / 4000));
}

TEST(Interventions, FailureMultiplierZeroWithCoverageRemovesThatShareOfFailures) {
  const double f = 0.3, coverage = 0.7;
  const auto r = run_text(scenario(R"("video": {"trigger": {"on_visit": "shop"}, "coverage": 0.7,
                                                "effect": {"failure_multiplier": 0}, "cost_per_use": 0.05})",
                                   kFrozen, R"(, "failure": 0.3)", "", 60, 2));
  const double visits = touchpoint_total(r, "shop", "visits");
  const double failures = touchpoint_total(r, "shop", "failures");
  const double p = f * (1 - coverage);
  ASSERT_GT(visits, 50000);
  EXPECT_NEAR(failures, visits * p, 5 * std::sqrt(visits * p * (1 - p)));
  const double uses = iv_total(r, "video", "uses");
  EXPECT_NEAR(uses, visits * coverage, 5 * std::sqrt(visits * coverage * (1 - coverage)));
  EXPECT_EQ(iv_total(r, "video", "fired"), visits);
  EXPECT_DOUBLE_EQ(iv_total(r, "video", "cost"), uses * 0.05);
  EXPECT_LE(iv_total(r, "video", "reach"), uses);
}

TEST(Interventions, TimedFailureMultiplierLastsItsDuration) {
  // A periodic treatment at t = 0 removes shop failures for 10 periods (0 .. 9).
  const std::string iv = R"("shield": {"trigger": {"periodic": {"every": 1000}},
                                       "effect": {"failure_multiplier": {"shop": 0}, "duration": 10}})";
  const auto within = run_text(scenario(iv, kFrozen, R"(, "failure": 0.5)", "", 10));
  ASSERT_GT(touchpoint_total(within, "shop", "visits"), 5000);
  EXPECT_EQ(touchpoint_total(within, "shop", "failures"), 0);
  const auto beyond = run_text(scenario(iv, kFrozen, R"(, "failure": 0.5)", "", 11));
  EXPECT_GT(touchpoint_total(beyond, "shop", "failures"), 100);
}

TEST(Interventions, TimedHazardMultiplierLastsItsDurationAndRefreshes) {
  const std::string churny = kFrozen + R"(, "hazard": {"base": 0.05})";
  const auto once = run_text(scenario(R"("hold": {"trigger": {"periodic": {"every": 1000}},
                                                  "effect": {"hazard_multiplier": 0, "duration": 8}})",
                                      churny));
  const auto& retention = once.replications[0].series.at("retention");
  EXPECT_EQ(retention[7], 1.0);
  EXPECT_LT(retention[8], 1.0);
  // Firing again restarts the duration: every 8 periods with duration 8 covers the whole horizon.
  const auto refreshed = run_text(scenario(R"("hold": {"trigger": {"periodic": {"every": 8}},
                                                       "effect": {"hazard_multiplier": 0, "duration": 8}})",
                                           churny));
  EXPECT_EQ(metric_mean(refreshed, "retention"), 1.0);
}

TEST(Interventions, ATimedEffectOutlastsAShorterOneOfTheSameCustomer) {
  // Two treatments at t = 0: no churn for 4 periods, no shop failure for 12. The customer's "timed
  // effect live" flag (engine.hpp kTimed) must outlive the shorter effect: no failure in 0 .. 11.
  const std::string churny = kFrozen + R"(, "hazard": {"base": 0.05})";
  const std::string ivs = R"("hold": {"trigger": {"periodic": {"every": 1000}},
                                      "effect": {"hazard_multiplier": 0, "duration": 4}},
                             "shield": {"trigger": {"periodic": {"every": 1000}},
                                        "effect": {"failure_multiplier": {"shop": 0}, "duration": 12}})";
  const auto within = run_text(scenario(ivs, churny, R"(, "failure": 0.5)", "", 12));
  const auto& retention = within.replications[0].series.at("retention");
  EXPECT_EQ(retention[3], 1.0);
  EXPECT_LT(retention[4], 1.0);
  ASSERT_GT(touchpoint_total(within, "shop", "visits"), 5000);
  EXPECT_EQ(touchpoint_total(within, "shop", "failures"), 0);
  const auto beyond = run_text(scenario(ivs, churny, R"(, "failure": 0.5)", "", 13));
  EXPECT_GT(touchpoint_total(beyond, "shop", "failures"), 100);
}

TEST(Interventions, CloseIssueClosesTheIssueTheFailureOpened) {
  const auto r = run_text(scenario(R"("credit": {"trigger": {"on_failure": "shop"}, "effect": {"close_issue": true}})",
                                   kFrozen, R"(, "failure": 0.4)"));
  const double failures = touchpoint_total(r, "shop", "failures");
  ASSERT_GT(failures, 1000);
  EXPECT_EQ(iv_total(r, "credit", "issues_closed"), failures);
  for (double open : r.replications[0].series.at("open_issues")) EXPECT_EQ(open, 0.0);
}

TEST(Interventions, SentimentBoostMovesNpsExactly) {
  // Frozen sentiment 0.5, boosted once by 0.2 at t = 0: NPS is that of s = 0.7 exactly.
  const auto r = run_text(scenario(R"("delight": {"trigger": {"periodic": {"every": 1000}},
                                                  "effect": {"sentiment_boost": 0.2}})"));
  const double s = static_cast<float>(static_cast<float>(0.5) + 0.2);
  const double nps = 100.0 * (cxsim::promoter_probability(s, 1.5) - cxsim::detractor_probability(s, 1.5));
  EXPECT_NEAR(metric_mean(r, "nps"), nps, 100.0 * std::ldexp(1.0, -32));
}

TEST(Interventions, CapacityIsNeverExceededAndTreatsYesterdaysList) {
  // Everyone triggers every period (sentiment 0.5 < 0.6); a team of 150 treats 150 of them the next day.
  const auto r = run_text(scenario(R"("call": {"trigger": {"sentiment_below": 0.6}, "capacity_per_period": 150,
                                               "effect": {"effort_change": 0.1}, "cost_per_use": 4})"));
  const auto& uses = uses_series(r, "call");
  const auto& listed = r.replications[0].series.at("waitlist.call");
  EXPECT_EQ(uses[0], 0);
  for (int t = 0; t < 30; ++t) {
    EXPECT_EQ(listed[t], kCustomers) << "period " << t;
    if (t > 0) {
      EXPECT_EQ(uses[t], 150) << "period " << t;
    }
  }
  EXPECT_EQ(iv_total(r, "call", "uses"), 29 * 150);
  EXPECT_DOUBLE_EQ(iv_total(r, "call", "cost"), 29 * 150 * 4.0);
  EXPECT_LE(iv_total(r, "call", "reach"), iv_total(r, "call", "uses"));
  EXPECT_GT(iv_total(r, "call", "reach"), 1000);  // a fresh priority draw every period spreads the calls
}

TEST(Interventions, CapacityAboveDemandTreatsEveryoneListed) {
  const auto r = run_text(scenario(R"("call": {"trigger": {"on_failure": "shop"}, "capacity_per_period": 100000,
                                               "effect": {"effort_change": 0.1}})",
                                   kFrozen, R"(, "failure": 0.1)"));
  const auto& uses = uses_series(r, "call");
  const auto& listed = r.replications[0].series.at("waitlist.call");
  ASSERT_GT(listed[5], 10);
  EXPECT_EQ(uses[0], 0);
  for (int t = 1; t < 30; ++t) EXPECT_EQ(uses[t], listed[t - 1]) << "period " << t;
}

TEST(Interventions, CapacityOnlyTreatsCustomersStillActive) {
  // Heavy churn: some of yesterday's list has left; the team never calls a customer who is gone,
  // so with capacity above demand uses[t] <= waitlist[t - 1], strictly less in some period.
  const auto r = run_text(scenario(R"("call": {"trigger": {"sentiment_below": 0.6}, "capacity_per_period": 100000,
                                               "effect": {"effort_change": 0.1}})",
                                   kFrozen + R"(, "hazard": {"base": 0.2})"));
  const auto& uses = uses_series(r, "call");
  const auto& listed = r.replications[0].series.at("waitlist.call");
  bool fewer = false;
  for (int t = 1; t < 30; ++t) {
    EXPECT_LE(uses[t], listed[t - 1]);
    fewer = fewer || uses[t] < listed[t - 1];
  }
  EXPECT_TRUE(fewer);
}

TEST(Interventions, AnInterventionThatNeverActsMovesNoOtherDraw) {
  // Coverage 0: it fires but never treats; every other draw stays in place (common random numbers).
  const std::string shop = R"(, "failure": 0.2)";
  const std::string seg =
      R"(, "memory": 0.2, "initial_sentiment": {"mean": 0.5, "sd": 0.2}, "hazard": {"base": 0.01, "frailty_variance": 0.5})";
  const auto without = run_text(scenario("", seg, shop));
  const auto idle = run_text(scenario(R"("idle": {"trigger": {"on_visit": "shop"}, "coverage": 0,
                                                  "effect": {"sentiment_boost": 0.3}})",
                                      seg, shop));
  EXPECT_GT(iv_total(idle, "idle", "fired"), 0);
  EXPECT_EQ(iv_total(idle, "idle", "uses"), 0);
  for (const char* name : {"retention", "nps", "revenue", "net_value", "clv"}) {
    EXPECT_EQ(metric_mean(idle, name), metric_mean(without, name)) << name;
  }
}

TEST(Interventions, IdenticalForAnyThreadCount) {
  const std::string text = scenario(
      R"("call": {"trigger": {"risk_above": 0.001}, "capacity_per_period": 40,
                                                "effect": {"hazard_multiplier": 0.5, "duration": 5, "quality": {"mean": 0.8, "sd": 0.2}},
                                                "cost_per_use": 5},
                                       "video": {"trigger": {"on_visit": "shop"}, "coverage": 0.6,
                                                 "effect": {"failure_multiplier": 0.5}, "cost_per_use": 0.1})",
      R"(, "memory": 0.2, "initial_sentiment": {"mean": 0.4, "sd": 0.3}, "hazard": {"base": 0.01, "frailty_variance": 0.5})",
      R"(, "failure": 0.2)", "", 40, 2);
  cxsim::RunResult one = run_text(text, 1), four = run_text(text, 4);
  one.info.threads = four.info.threads = 0;
  EXPECT_EQ(cxsim::run_report(one).json(), cxsim::run_report(four).json());
}

// MODEL.md "Randomness and reproducibility": an intervention's draws are keyed by a hash of its id,
// so adding one that does nothing (coverage 0), whatever its id sorts as, changes no metric at all.
TEST(InterventionStreams, ADoNothingInterventionChangesNothingWhateverItsId) {
  const cxsim::Scenario base = cxsim::load_scenario(
      CXSIM_SOURCE_DIR "/scenarios/telecom_subscription.json",
      {cxsim::parse_assignment("/population/customers=3000"), cxsim::parse_assignment("/horizon_periods=60"),
       cxsim::parse_assignment("/replications=2")});
  cxsim::RunOptions o;
  o.threads = 2;
  const cxsim::RunResult reference = cxsim::run_simulation(base, o);
  for (const char* id : {"aaa_noop", "mmm_noop", "zzz_noop"}) {
    SCOPED_TRACE(id);
    const cxsim::Scenario with = cxsim::load_scenario(
        CXSIM_SOURCE_DIR "/scenarios/telecom_subscription.json",
        {cxsim::parse_assignment("/population/customers=3000"), cxsim::parse_assignment("/horizon_periods=60"),
         cxsim::parse_assignment("/replications=2"),
         cxsim::parse_assignment(
             std::string("/interventions/") + id +
             R"(={"trigger": {"risk_above": 0}, "coverage": 0, "effect": {"sentiment_boost": 1}})")});
    const cxsim::RunResult r = cxsim::run_simulation(with, o);
    // To the bit (NaN included): the result files of the two runs are identical but for the new
    // intervention's own block and series.
    for (std::size_t k = 0; k < r.replications.size(); ++k) {
      for (const auto& [name, value] : reference.replications[k].metrics) {
        const double x = r.replications[k].metrics.at(name);
        EXPECT_TRUE(std::memcmp(&x, &value, sizeof x) == 0) << name;
      }
      for (const auto& [name, values] : reference.replications[k].series) {
        const auto& v = r.replications[k].series.at(name);
        ASSERT_EQ(v.size(), values.size());
        EXPECT_TRUE(std::memcmp(v.data(), values.data(), v.size() * sizeof(double)) == 0) << name;
      }
    }
  }
}

// Two ids whose 24-bit stream indices collide would share their draws: refused at load.
TEST(InterventionStreams, CollidingIdsAreRefused) {
  std::map<std::uint32_t, std::string> seen;
  std::string a, b;
  for (int k = 0; a.empty(); ++k) {
    const std::string id = "iv" + std::to_string(k);
    const auto [it, fresh] = seen.emplace(cxsim::intervention_stream_index(id), id);
    if (!fresh) {
      a = it->second;
      b = id;
    }
  }
  const std::string text = R"({"name": "c", "population": {"customers": 10}, "segments": {"s": {"share": 1}},
    "journey": {"entry": "x", "touchpoints": {"x": {"next": {"x": 1}}}},
    "interventions": {")" + a +
                           R"(": {"trigger": {"on_visit": "x"}, "effect": {"sentiment_boost": 0.1}},
                      ")" + b +
                           R"(": {"trigger": {"on_visit": "x"}, "effect": {"sentiment_boost": 0.1}}}})";
  const cxsim::Scenario s = cxsim::parse_scenario(text, "c.json");
  try {
    cxsim::compile_model(s);
    FAIL() << a << " and " << b << " collide but were accepted";
  } catch (const cxsim::InputError& e) {
    EXPECT_NE(e.diagnostics().at(0).message.find("same random stream"), std::string::npos);
  }
}
