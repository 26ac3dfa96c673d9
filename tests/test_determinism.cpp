// Results are a pure function of scenario and seed: the result file is identical to the bit for
// any thread count (STYLE.md: the same check across worker counts). The scenario has every kind of
// channel: a queue with a weekly rota, one open around the clock with a peaked day and concurrency,
// a backlog, and an unlimited one; and a base that changes over time: a warm-up, acquisition on a
// schedule, referrals that join (so the base grows by a count only known at run time), schedules,
// and interventions with a cooldown (one capacity-limited).
#include <gtest/gtest.h>

#include "cxsim/report.hpp"
#include "sim_helpers.hpp"

namespace {

const char* kScenario = R"({"name": "determinism", "seed": 99, "horizon_periods": 60, "replications": 2,
  "population": {"customers": 10007, "referrals_join": true,
                 "acquisition": {"per_period": {"default": 15, "weekly": [20, 15, 15, 15, 15, 5, 5], "periods": {"30-40": 60}},
                                 "segments": {"a": 0.4, "b": 0.6}, "entry": "onboard"}},
  "warmup_periods": 15,
  "economics": {"gross_margin": 0.7},
  "segments": {
    "a": {"share": 0.7, "initial_sentiment": {"mean": 0.6, "sd": 0.2}, "revenue_per_period": 1.5,
          "referral_rate": 0.001, "hazard": {"base": 0.001, "frailty_variance": 0.7}, "self_resolve": 0.05},
    "b": {"share": 0.3, "initial_sentiment": {"mean": 0.3, "sd": 0.3}, "revenue_per_period": 3,
          "channel_mix": {"phone": 0.8, "web": 0.2}, "hazard": {"base": 0.002}}},
  "journey": {"entry": {"use": 0.9, "onboard": 0.1}, "touchpoints": {
    "onboard": {"quality": {"mean": 0.7, "sd": 0.2}, "failure": 0.1, "effort": 1, "next": {"onboard": 3, "use": 1}},
    "use": {"quality": {"mean": 0.6, "sd": 0.1}, "salience": 0.2, "survey_rate": 0.01, "next": {"use": 20, "bill": 1}},
    "bill": {"quality": {"mean": 0.5, "sd": 0.2}, "failure": {"default": 0.15, "periods": {"20-30": 0.3}}, "revenue": 1,
             "next": {"use": 0.98, "gone": 0.02}},
    "gone": {"exit": true}}},
  "service": {"channels": {
    "phone": {"share": 0.5, "agents": {"default": 3, "weekly": [3, 3, 3, 3, 3, 1, 1]}, "aht_minutes": 9, "hours_per_period": 10,
              "fcr": 0.7, "quality": {"mean": 0.5, "sd": 0.2}, "effort": 2, "cost_per_agent_period": 200},
    "chat": {"share": 0.2, "agents": 2, "aht_minutes": 12, "fcr": 0.6, "cost_per_contact": 1, "hours_per_period": 24,
             "arrival_profile": [1, 1, 2, 3, 3, 2], "intraday_staffing": [1, 1, 2, 2, 2, 1], "concurrency": 2},
    "email": {"share": 0.1, "kind": "backlog", "agents": 1, "aht_minutes": {"default": 20, "periods": {"40-60": 15}}, "fcr": 0.8},
    "web": {"share": 0.2, "agents": null, "fcr": 0.3, "effort": 1}}},
  "interventions": {
    "desk": {"trigger": {"risk_above": 0.002}, "capacity_per_period": 30, "cooldown_periods": 20,
             "effect": {"hazard_multiplier": 0.5, "duration": 30}, "cost_per_use": 5},
    "welcome": {"trigger": {"on_visit": "onboard"}, "once_per_customer": true, "effect": {"sentiment_boost": 0.1}}}})";

std::string result_for(int threads) {
  cxsim::RunResult r = cxsim::testing::run_text(kScenario, threads);
  r.info.threads = 0;
  return cxsim::run_report(r).json();
}

const std::string& reference() {
  static const std::string ref = result_for(1);
  return ref;
}

}  // namespace

class Determinism : public ::testing::TestWithParam<int> {};

TEST_P(Determinism, ResultFileIdenticalForAnyThreadCount) {
  const std::string out = result_for(GetParam());
  ASSERT_FALSE(reference().empty());
  EXPECT_TRUE(out == reference()) << "result differs with " << GetParam() << " threads";
}

INSTANTIATE_TEST_SUITE_P(Threads, Determinism, ::testing::Values(1, 2, 3, 4, 8));

TEST(Determinism, DifferentSeedsDiffer) {
  std::string other = kScenario;
  other.replace(other.find("\"seed\": 99"), 10, "\"seed\": 98");
  cxsim::RunResult a = cxsim::testing::run_text(kScenario, 2), b = cxsim::testing::run_text(other, 2);
  EXPECT_NE(a.replications[0].metrics.at("revenue"), b.replications[0].metrics.at("revenue"));
}

// Replications run in rounds (sequential stopping, resume) give the same bits as one run.
TEST(Determinism, ReplicationRangesConcatenateToTheFullRun) {
  const cxsim::Scenario s = cxsim::parse_scenario(kScenario, "inline.json");
  const cxsim::Model m = cxsim::compile_model(s);
  cxsim::RunOptions all, first, second;
  all.threads = first.threads = second.threads = 2;
  first.replication_count = 1;
  second.first_replication = 1;
  cxsim::RunResult whole = cxsim::run_simulation(s, all);
  cxsim::RunResult a = cxsim::run_simulation(s, first);
  const cxsim::RunResult b = cxsim::run_simulation(s, second);
  ASSERT_EQ(a.replications.size(), 1u);
  ASSERT_EQ(b.replications.size(), 1u);
  EXPECT_EQ(a.info.replications, 1);
  a.replications.push_back(b.replications[0]);
  a.info.replications = 2;
  EXPECT_EQ(cxsim::run_report(a).json(), cxsim::run_report(whole).json());
}
