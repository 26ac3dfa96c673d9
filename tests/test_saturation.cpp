// Saturation warnings (sim/saturation.hpp) on hand-built results with the series of MODEL.md's
// version 2 (tickets.ID, abandoned.ID, utilization.ID): thresholds, stretches, skipped periods,
// replications in two regimes, and the result file's `warnings` block.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxsim/report.hpp"
#include "saturation.hpp"

namespace {

using cxsim::RunResult;

// `replications` replications of `periods` periods of a channel "phone" with 100 contacts per period;
// every replication gets the same series unless a test changes them.
RunResult phone_run(int replications, int periods, double abandoned_per_period, double utilization) {
  RunResult r;
  r.info.replications = replications;
  r.info.horizon_periods = periods;
  r.info.period_days = 1.0;
  for (int t = 0; t < periods; ++t) r.period.push_back(t);
  r.replications.resize(static_cast<std::size_t>(replications));
  for (auto& rep : r.replications) {
    rep.series["tickets.phone"] = std::vector<double>(static_cast<std::size_t>(periods), 100.0);
    rep.series["abandoned.phone"] = std::vector<double>(static_cast<std::size_t>(periods), abandoned_per_period);
    rep.series["utilization.phone"] = std::vector<double>(static_cast<std::size_t>(periods), utilization);
    rep.channels["phone"].values = {
        {"contacts", 100.0 * periods}, {"abandoned", abandoned_per_period * periods}, {"utilization", utilization}};
  }
  return r;
}

// Abandonment above 10% from period 20 on in every replication: one warning in plain words.
TEST(Saturation, AbandonmentStretchInEveryReplication) {
  RunResult r = phone_run(4, 40, 1.0, 0.5);
  for (auto& rep : r.replications) {
    for (std::size_t t = 20; t < 40; ++t) rep.series["abandoned.phone"][t] = 40.0;
  }
  const auto warnings = cxsim::saturation_warnings(r);
  ASSERT_EQ(warnings.size(), 1u);
  const auto& w = warnings[0];
  EXPECT_EQ(w.kind, "saturation");
  EXPECT_EQ(w.channel, "phone");
  EXPECT_EQ(w.measures, std::vector<std::string>{"abandonment"});
  EXPECT_EQ(w.from_period, 20);
  EXPECT_EQ(w.replications, 4);
  EXPECT_EQ(w.of, 4);
  EXPECT_EQ(w.message.rfind("phone saturated from day 20 in 4 of 4 replications: more than 10% of its contacts "
                            "abandoned in 7 or more consecutive periods (abandonment ",
                            0),
            0u)
      << w.message;
}

// Exactly at the threshold is not above it; 6 periods above, then one below, is not a stretch.
TEST(Saturation, ThresholdsAndStretchLength) {
  EXPECT_TRUE(cxsim::saturation_warnings(phone_run(2, 30, 10.0, 0.95)).empty());  // 10% and 95%: not above
  RunResult r = phone_run(2, 30, 1.0, 0.5);
  for (auto& rep : r.replications) {
    for (std::size_t t = 3; t < 9; ++t) rep.series["utilization.phone"][t] = 0.99;  // 6 periods
    for (std::size_t t = 10; t < 16; ++t) rep.series["utilization.phone"][t] = 0.99;
  }
  EXPECT_TRUE(cxsim::saturation_warnings(r).empty());
  r.replications[1].series["utilization.phone"][9] = 0.96;  // joins the two: 13 periods above in replication 2
  const auto warnings = cxsim::saturation_warnings(r);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].measures, std::vector<std::string>{"occupancy"});
  EXPECT_EQ(warnings[0].from_period, 3);
  EXPECT_EQ(warnings[0].replications, 1);
  EXPECT_NE(warnings[0].message.find("its agents were more than 95% busy"), std::string::npos);
  // ... and the replications split: one saturated, one not.
  EXPECT_EQ(warnings[1].kind, "regimes");
  EXPECT_EQ(warnings[1].message.rfind("phone: the replications split into two regimes: saturated in 1 of 2 (", 0), 0u)
      << warnings[1].message;
  EXPECT_NE(warnings[1].message.find("not in the other 1 ("), std::string::npos);
}

// Periods without contacts (a closed day) and without a utilization value neither extend nor break
// a stretch.
TEST(Saturation, PeriodsWithoutContactsAreSkipped) {
  RunResult r = phone_run(1, 20, 50.0, 0.5);
  auto& rep = r.replications[0];
  for (std::size_t t = 0; t < 20; t += 3) {
    rep.series["tickets.phone"][t] = 0.0;
    rep.series["abandoned.phone"][t] = 0.0;
  }
  const auto warnings = cxsim::saturation_warnings(r);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].from_period, 1);
  // Without the abandoned series (today's engine), abandonment is not judged at all.
  RunResult today = phone_run(1, 20, 50.0, 0.5);
  today.replications[0].series.erase("abandoned.phone");
  EXPECT_TRUE(cxsim::saturation_warnings(today).empty());
}

// A horizon shorter than the stretch: saturated throughout counts. Weeks are named as weeks.
TEST(Saturation, ShortHorizonsAndWeeks) {
  RunResult r = phone_run(2, 3, 0.0, 1.0);
  r.info.period_days = 7.0;
  const auto warnings = cxsim::saturation_warnings(r);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].message.find("saturated from week 0 in 2 of 2 replications"), std::string::npos)
      << warnings[0].message;
  EXPECT_NE(warnings[0].message.find("in 3 or more consecutive periods"), std::string::npos);
}

// The result file carries them as `warnings` (after run), only when there are any.
TEST(Saturation, WarningsInTheResultFile) {
  RunResult r = phone_run(2, 10, 30.0, 0.99);
  const auto doc = nlohmann::ordered_json::parse(cxsim::run_report(r).json());
  ASSERT_TRUE(doc.contains("warnings"));
  std::vector<std::string> keys;
  for (const auto& [key, value] : doc.items()) keys.push_back(key);
  EXPECT_EQ(keys[3], "warnings");  // cxsim_version, scenario, run, warnings
  const auto& w = doc["warnings"][0];
  EXPECT_EQ(w["kind"], "saturation");
  EXPECT_EQ(w["measures"], nlohmann::ordered_json::parse(R"(["abandonment", "occupancy"])"));
  EXPECT_EQ(w["from_period"], 0);
  EXPECT_NE(w["message"].get<std::string>().find("more than 10% of its contacts abandoned, or its agents were more "
                                                 "than 95% busy,"),
            std::string::npos);
  EXPECT_FALSE(
      nlohmann::ordered_json::parse(cxsim::run_report(phone_run(2, 10, 1.0, 0.5)).json()).contains("warnings"));
}

}  // namespace
