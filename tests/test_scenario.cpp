// Scenario loader: defaults of MODEL.md, accepted forms, and the diagnostics of invalid input.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cxsim/scenario.hpp"

namespace {

using cxsim::Diagnostic;
using cxsim::InputError;
using cxsim::Scenario;
using cxsim::Severity;
using nlohmann::json;

// The smallest valid scenario: every other key takes its MODEL.md default.
const char* const kMinimal = R"json({
  "name": "minimal",
  "population": {"customers": 10},
  "segments": {"all": {"share": 1}},
  "journey": {"entry": "home",
              "touchpoints": {"home": {"next": {"home": 1, "gone": 1}}, "gone": {"exit": true}}}
})json";

// kMinimal with an RFC 7386 merge patch applied (how strategy variants are written).
std::string patched(const json& patch) {
  json doc = json::parse(kMinimal);
  doc.merge_patch(patch);
  return doc.dump(2);
}

Scenario parse(const std::string& text, std::vector<Diagnostic>* warnings = nullptr) {
  return cxsim::parse_scenario(text, "test.json", warnings);
}

// The diagnostics of a text that must fail to load.
std::vector<Diagnostic> diagnostics_of(const std::string& text) {
  try {
    cxsim::parse_scenario(text, "test.json");
  } catch (const InputError& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "expected InputError for:\n" << text;
  return {};
}

// True when some error sits at `pointer` and its message contains `text`.
bool has_error(const std::vector<Diagnostic>& diagnostics, const std::string& pointer, const std::string& text = "") {
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::kError && d.pointer == pointer && d.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string dump(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += cxsim::format_diagnostic(d) + "\n";
  return out;
}

TEST(ScenarioLoad, MinimalScenarioGetsEveryModelDefault) {
  std::vector<Diagnostic> warnings;
  const Scenario s = parse(kMinimal, &warnings);
  EXPECT_TRUE(warnings.empty()) << dump(warnings);
  EXPECT_EQ(s.file, "test.json");
  EXPECT_EQ(s.name, "minimal");
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.horizon_periods, 365);
  EXPECT_EQ(s.period_days, 1.0);
  EXPECT_EQ(s.replications, 8);
  EXPECT_EQ(s.population.customers, 10);
  EXPECT_EQ(s.economics.currency, "USD");
  EXPECT_EQ(s.economics.annual_discount_rate, 0.08);
  EXPECT_EQ(s.economics.gross_margin, 1.0);
  EXPECT_EQ(s.warmup_periods, 0);
  EXPECT_FALSE(s.population.acquisition.has_value());
  EXPECT_FALSE(s.population.referrals_join);

  ASSERT_EQ(s.segments.size(), 1u);
  const auto& g = s.segments[0];
  EXPECT_EQ(g.id, "all");
  EXPECT_EQ(g.share, 1.0);
  EXPECT_EQ(g.initial_sentiment.mean, 0.0);
  EXPECT_EQ(g.initial_sentiment.sd, 0.0);
  EXPECT_TRUE(g.revenue_per_period.constant());
  EXPECT_EQ(g.revenue_per_period.at(0), 0.0);
  EXPECT_EQ(g.memory, 0.15);
  EXPECT_EQ(g.negativity_bias, 2.0);
  EXPECT_EQ(g.bad_threshold, -0.2);
  EXPECT_EQ(g.bad_decay, 0.99);
  EXPECT_EQ(g.effort_decay, 0.9);
  EXPECT_EQ(g.contact_propensity.at(0), 0.5);
  EXPECT_EQ(g.patience_minutes, 15.0);
  EXPECT_EQ(g.self_resolve, 0.0);
  EXPECT_EQ(g.referral_rate, 0.0);
  EXPECT_EQ(g.hazard.base, 0.0);
  EXPECT_EQ(g.hazard.frailty_variance, 0.0);
  EXPECT_TRUE(g.entry.empty());
  EXPECT_TRUE(g.channel_mix.empty());

  ASSERT_EQ(s.journey.entry.size(), 1u);
  EXPECT_EQ(s.journey.entry[0], (std::pair<std::string, double>("home", 1.0)));
  ASSERT_EQ(s.journey.touchpoints.size(), 2u);
  const auto& gone = s.journey.touchpoints[0];  // key order: "gone" < "home"
  EXPECT_EQ(gone.id, "gone");
  EXPECT_TRUE(gone.exit);
  EXPECT_TRUE(gone.next.empty());
  const auto& home = s.journey.touchpoints[1];
  EXPECT_EQ(home.id, "home");
  EXPECT_FALSE(home.exit);
  EXPECT_EQ(home.quality.mean, 0.0);
  EXPECT_EQ(home.quality.sd, 0.0);
  EXPECT_TRUE(home.failure.constant());
  EXPECT_EQ(home.failure.at(0), 0.0);
  EXPECT_EQ(home.failure_quality, -0.5);
  EXPECT_EQ(home.effort, 0.0);
  EXPECT_EQ(home.salience, 1.0);
  EXPECT_EQ(home.revenue, 0.0);
  EXPECT_EQ(home.cost, 0.0);
  EXPECT_EQ(home.survey_rate, 0.0);
  const cxsim::WeightedIds next = {{"gone", 1.0}, {"home", 1.0}};
  EXPECT_EQ(home.next, next);

  EXPECT_EQ(s.service.wait_penalty, 0.3);
  EXPECT_EQ(s.service.resolution_bonus, 0.3);
  EXPECT_EQ(s.service.unresolved_penalty, 0.3);
  EXPECT_TRUE(s.service.channels.empty());
  EXPECT_EQ(s.churn.sentiment, -2.0);
  EXPECT_EQ(s.churn.open_issue, 0.5);
  EXPECT_EQ(s.churn.bad_experiences, 0.4);
  EXPECT_EQ(s.churn.effort, 0.05);
  EXPECT_TRUE(s.interventions.empty());
  EXPECT_EQ(s.nps.noise_sd, 1.5);
  EXPECT_EQ(s.nps.report_every, 30);
}

TEST(ScenarioLoad, ChannelAndInterventionDefaults) {
  const Scenario s = parse(patched(
      {{"service", {{"channels", {{"web", {{"share", 1}}}}}}},
       {"interventions", {{"nudge", {{"trigger", {{"on_visit", "home"}}}, {"effect", {{"sentiment_boost", 0.1}}}}}}}}));
  ASSERT_EQ(s.service.channels.size(), 1u);
  const auto& c = s.service.channels[0];
  EXPECT_FALSE(c.agents.has_value());  // unlimited
  EXPECT_EQ(c.aht_minutes.at(0), 10.0);
  EXPECT_EQ(c.hours_per_period, 8.0);
  EXPECT_EQ(c.fcr, 1.0);
  EXPECT_EQ(c.quality.mean, 0.0);
  EXPECT_EQ(c.effort, 0.0);
  EXPECT_EQ(c.salience, 1.0);
  EXPECT_EQ(c.cost_per_agent_period, 0.0);
  EXPECT_EQ(c.cost_per_contact, 0.0);
  ASSERT_EQ(s.interventions.size(), 1u);
  const auto& iv = s.interventions[0];
  EXPECT_TRUE(iv.target.empty());
  EXPECT_EQ(iv.coverage, 1.0);
  EXPECT_FALSE(iv.capacity_per_period.has_value());
  EXPECT_EQ(iv.cost_per_use, 0.0);
  EXPECT_EQ(iv.salience, 1.0);
  EXPECT_EQ(iv.cooldown_periods, 0);
  EXPECT_FALSE(iv.once_per_customer);
  EXPECT_EQ(iv.effect.duration, 1);
  EXPECT_EQ(iv.effect.sentiment_boost, 0.1);
  EXPECT_FALSE(iv.effect.failure_multiplier.has_value());
  EXPECT_FALSE(iv.effect.hazard_multiplier.has_value());
  EXPECT_FALSE(iv.effect.quality.has_value());
  EXPECT_FALSE(iv.effect.close_issue);
}

TEST(ScenarioLoad, ModelExampleLoads) {
  std::vector<Diagnostic> warnings;
  const Scenario s = cxsim::load_scenario(CXSIM_TEST_DATA_DIR "/model_example.json", {}, &warnings);
  EXPECT_TRUE(warnings.empty()) << dump(warnings);
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.population.customers, 100000);
  ASSERT_EQ(s.segments.size(), 2u);
  EXPECT_EQ(s.segments[1].id, "standard");
  EXPECT_EQ(s.segments[1].hazard.base, 0.0004);
  EXPECT_EQ(s.segments[1].hazard.frailty_variance, 0.5);
  ASSERT_EQ(s.journey.touchpoints.size(), 4u);
  std::vector<std::string> ids;
  for (const auto& t : s.journey.touchpoints) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"billing", "cancelled", "onboarding", "usage"}));
  EXPECT_EQ(s.journey.touchpoints[0].failure.at(0), 0.12);
  ASSERT_EQ(s.service.channels.size(), 2u);
  const auto& phone = s.service.channels[0];
  EXPECT_EQ(phone.id, "phone");
  ASSERT_TRUE(phone.agents.has_value());
  EXPECT_EQ(phone.agents->at(0), 40);
  EXPECT_EQ(phone.hours_per_period, 10.0);
  EXPECT_FALSE(s.service.channels[1].agents.has_value());
  ASSERT_EQ(s.interventions.size(), 1u);
  EXPECT_EQ(s.interventions[0].trigger.on_visit, "billing");
  ASSERT_TRUE(s.interventions[0].effect.failure_multiplier.has_value());
  EXPECT_EQ(s.interventions[0].effect.failure_multiplier->on_visit, 0.6);
  EXPECT_EQ(s.nps.report_every, 30);
}

TEST(ScenarioLoad, SchemaAndDescriptionsAreAccepted) {
  const Scenario s = parse(patched(
      {{"$schema", "https://example.org/cxsim.schema.json"},
       {"description", "top"},
       {"segments", {{"all", {{"description", "everyone"}}}}},
       {"journey", {{"touchpoints", {{"home", {{"description", "d"}}}, {"gone", {{"description", "lost"}}}}}}}}));
  EXPECT_EQ(s.description, "top");
  EXPECT_EQ(s.segments[0].description, "everyone");
  EXPECT_EQ(s.journey.touchpoints[0].description, "lost");
}

TEST(ScenarioLoad, MissingFileAndDirectoryAreInputErrors) {
  for (const std::string& path : {std::string("/nonexistent/cxsim/scenario.json"), std::string(CXSIM_TEST_DATA_DIR)}) {
    try {
      cxsim::load_scenario(path);
      ADD_FAILURE() << path;
    } catch (const InputError& e) {
      ASSERT_EQ(e.diagnostics().size(), 1u);
      EXPECT_EQ(e.diagnostics()[0].pointer, "");
      EXPECT_EQ(e.diagnostics()[0].file, path);
    }
  }
}

TEST(ScenarioEntry, StringBecomesOneShare) {
  const Scenario s = parse(kMinimal);
  EXPECT_EQ(s.journey.entry, (cxsim::WeightedIds{{"home", 1.0}}));
}

TEST(ScenarioEntry, ObjectOfSharesAndSegmentOverride) {
  const json patch = {
      {"journey",
       {{"entry", {{"home", 0.25}, {"lobby", 0.75}}}, {"touchpoints", {{"lobby", {{"next", {{"home", 1}}}}}}}}},
      {"segments", {{"all", {{"share", 0.5}}}, {"new", {{"share", 0.5}, {"entry", "lobby"}}}}}};
  std::vector<Diagnostic> warnings;
  const Scenario s = parse(patched(patch), &warnings);
  EXPECT_TRUE(warnings.empty()) << dump(warnings);
  EXPECT_EQ(s.journey.entry, (cxsim::WeightedIds{{"home", 0.25}, {"lobby", 0.75}}));
  ASSERT_EQ(s.segments.size(), 2u);
  EXPECT_TRUE(s.segments[0].entry.empty());
  EXPECT_EQ(s.segments[1].entry, (cxsim::WeightedIds{{"lobby", 1.0}}));

  const auto d = diagnostics_of(patched({{"journey", {{"entry", {{"home", 0.5}, {"gone", 0.5}}}}}}));
  EXPECT_TRUE(has_error(d, "/journey/entry/gone", "exit touchpoint")) << dump(d);
  const auto sum = diagnostics_of(patched({{"journey", {{"entry", {{"home", 0.5}}}}}}));
  EXPECT_TRUE(has_error(sum, "/journey/entry", "entry shares sum to 0.5, expected 1")) << dump(sum);
}

TEST(ScenarioStaffing, NullIntegerAndObjectForms) {
  const json channels = {
      {"self", {{"share", 0.25}, {"agents", nullptr}}},
      {"fixed", {{"share", 0.25}, {"agents", 12}}},
      {"rota",
       {{"share", 0.25},
        {"agents", {{"default", 5}, {"weekly", {1, 2, 3, 4, 5, 6, 7}}, {"periods", {{"10-20", 50}, {"3-5", 30}}}}}}},
      {"plain", {{"share", 0.25}, {"agents", {{"default", 9}, {"periods", {{"0-2", 0}}}}}}}};
  const Scenario s = parse(patched({{"service", {{"channels", channels}}}}));
  ASSERT_EQ(s.service.channels.size(), 4u);
  const auto& fixed = s.service.channels[0];
  const auto& plain = s.service.channels[1];
  const auto& rota = s.service.channels[2];
  const auto& self = s.service.channels[3];
  EXPECT_FALSE(self.agents.has_value());
  ASSERT_TRUE(fixed.agents.has_value() && rota.agents.has_value() && plain.agents.has_value());
  EXPECT_EQ(fixed.agents->at(0), 12);
  EXPECT_EQ(fixed.agents->at(364), 12);

  ASSERT_EQ(rota.agents->ranges.size(), 2u);
  EXPECT_EQ(rota.agents->ranges[0].from, 3);  // sorted by FROM, not by the key's text
  EXPECT_EQ(rota.agents->weekly, (std::vector<double>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(rota.agents->at(0), 1);
  EXPECT_EQ(rota.agents->at(3), 30);
  EXPECT_EQ(rota.agents->at(4), 30);
  EXPECT_EQ(rota.agents->at(5), 6);  // weekly[5]
  EXPECT_EQ(rota.agents->at(10), 50);
  EXPECT_EQ(rota.agents->at(19), 50);
  EXPECT_EQ(rota.agents->at(20), 7);  // weekly[20 % 7 = 6]
  EXPECT_EQ(rota.agents->at(21), 1);

  EXPECT_EQ(plain.agents->at(0), 0);
  EXPECT_EQ(plain.agents->at(1), 0);
  EXPECT_EQ(plain.agents->at(2), 9);
}

TEST(ScenarioStaffing, ScheduleAtPrefersRangeThenWeeklyThenDefault) {
  cxsim::Schedule st;
  st.default_value = 3;
  EXPECT_EQ(st.at(100), 3);
  st.weekly = {10, 11, 12, 13, 14, 15, 16};
  EXPECT_EQ(st.at(100), 12);  // 100 % 7 = 2
  EXPECT_EQ(st.at(-5), 12);   // warm-up periods count back from period 0: -5 mod 7 = 2
  st.ranges.push_back({95, 105, 99});
  EXPECT_EQ(st.at(100), 99);
  EXPECT_EQ(st.at(105), 10);  // 105 % 7 = 0
}

TEST(ScenarioStaffing, InvalidFormsAreReported) {
  const auto channel = [](const json& agents) {
    return patched({{"service", {{"channels", {{"phone", {{"share", 1}, {"agents", agents}}}}}}}});
  };
  const std::string p = "/service/channels/phone/agents";
  EXPECT_TRUE(has_error(diagnostics_of(channel(-1)), p, "an integer >= 0"));
  EXPECT_TRUE(has_error(diagnostics_of(channel(2.5)), p, "an integer >= 0"));
  EXPECT_TRUE(has_error(diagnostics_of(channel("many")), p, "expected null (unlimited), an integer"));
  EXPECT_TRUE(has_error(diagnostics_of(channel({{"weekly", {1, 2, 3, 4, 5, 6}}})), p + "/weekly", "exactly 7"));
  EXPECT_TRUE(has_error(diagnostics_of(channel({{"weekly", {1, 2, 3, 4, 5, 6, -7}}})), p + "/weekly/6"));
  EXPECT_TRUE(has_error(diagnostics_of(channel({{"default", 1}, {"periods", {{"5-5", 1}}}})), p + "/periods/5-5",
                        "FROM must be less than UNTIL"));
  EXPECT_TRUE(has_error(diagnostics_of(channel({{"default", 1}, {"periods", {{"a-5", 1}}}})), p + "/periods/a-5",
                        "FROM-UNTIL"));
  // Overlapping ranges, or one that starts after the horizon, are warnings: the schedule still has a
  // meaning (the earlier-starting range wins), perhaps not the one intended.
  std::vector<Diagnostic> warnings;
  const Scenario overlapping =
      parse(channel({{"default", 1}, {"periods", {{"0-10", 1}, {"5-20", 2}, {"400-500", 3}}}}), &warnings);
  ASSERT_EQ(warnings.size(), 2u) << dump(warnings);
  EXPECT_EQ(warnings[0].pointer, p + "/periods");
  EXPECT_NE(warnings[0].message.find("overlap: in periods 5 to 9 the one starting earlier (\"0-10\") applies"),
            std::string::npos)
      << warnings[0].message;
  EXPECT_EQ(warnings[1].pointer, p + "/periods/400-500");
  EXPECT_NE(warnings[1].message.find("at or after the horizon (365 periods): it never applies"), std::string::npos)
      << warnings[1].message;
  EXPECT_EQ(overlapping.service.channels[0].agents->at(7), 1);
  EXPECT_EQ(overlapping.service.channels[0].agents->at(12), 2);
  EXPECT_TRUE(has_error(diagnostics_of(channel({{"periods", {{"0-10", 1}}}})), p + "/default"));
  EXPECT_TRUE(has_error(diagnostics_of(channel({{"defualt", 1}})), p + "/defualt", "did you mean \"default\"?"));
}

TEST(ScenarioInterventions, EveryTriggerKindParses) {
  const json interventions = {
      {"a_visit", {{"trigger", {{"on_visit", "home"}}}, {"effect", {{"failure_multiplier", 0.5}}}}},
      {"b_failure", {{"trigger", {{"on_failure", "home"}}}, {"effect", {{"sentiment_boost", 0.2}}}}},
      {"c_contact", {{"trigger", {{"after_contact", "unresolved"}}}, {"effect", {{"close_issue", true}}}}},
      {"d_sentiment", {{"trigger", {{"sentiment_below", -0.3}}}, {"effect", {{"quality", 0.4}}}}},
      {"e_risk", {{"trigger", {{"risk_above", 0.02}}}, {"effect", {{"hazard_multiplier", 0.5}, {"duration", 30}}}}},
      {"f_age", {{"trigger", {{"issue_age_above", 3}}}, {"effect", {{"effort_change", -1.5}}}}},
      {"g_periodic",
       {{"trigger", {{"periodic", {{"every", 30}}}}}, {"effect", {{"quality", {{"mean", 0.5}, {"sd", 0.1}}}}}}},
      {"h_window",
       {{"trigger", {{"periodic", {{"every", 7}, {"from", 14}, {"until", 70}}}}},
        {"effect", {{"failure_multiplier", {{"home", 0.25}}}, {"duration", 7}}}}},
      {"i_abandoned", {{"trigger", {{"after_contact", "abandoned"}}}, {"effect", {{"sentiment_boost", 0.1}}}}}};
  std::vector<Diagnostic> warnings;
  const Scenario s = parse(patched({{"interventions", interventions}}), &warnings);
  EXPECT_TRUE(warnings.empty()) << dump(warnings);
  ASSERT_EQ(s.interventions.size(), 9u);
  const auto& iv = s.interventions;
  EXPECT_EQ(iv[0].trigger.on_visit, "home");
  EXPECT_EQ(iv[0].effect.failure_multiplier->on_visit, 0.5);
  EXPECT_EQ(iv[1].trigger.on_failure, "home");
  EXPECT_EQ(iv[2].trigger.after_contact, cxsim::ContactOutcome::kUnresolved);
  EXPECT_TRUE(iv[2].effect.close_issue);
  EXPECT_EQ(iv[3].trigger.sentiment_below, -0.3);
  ASSERT_TRUE(iv[3].effect.quality.has_value());
  EXPECT_EQ(iv[3].effect.quality->mean, 0.4);
  EXPECT_EQ(iv[3].effect.quality->sd, 0.0);
  EXPECT_EQ(iv[4].trigger.risk_above, 0.02);
  EXPECT_EQ(iv[4].effect.hazard_multiplier, 0.5);
  EXPECT_EQ(iv[4].effect.duration, 30);
  EXPECT_EQ(iv[5].trigger.issue_age_above, 3);
  EXPECT_EQ(iv[5].effect.effort_change, -1.5);
  ASSERT_TRUE(iv[6].trigger.periodic.has_value());
  EXPECT_EQ(iv[6].trigger.periodic->every, 30);
  EXPECT_EQ(iv[6].trigger.periodic->from, 0);
  EXPECT_FALSE(iv[6].trigger.periodic->until.has_value());  // the horizon
  EXPECT_EQ(iv[6].effect.quality->mean, 0.5);
  EXPECT_EQ(iv[6].effect.quality->sd, 0.1);
  EXPECT_EQ(iv[7].trigger.periodic->every, 7);
  EXPECT_EQ(iv[7].trigger.periodic->from, 14);
  EXPECT_EQ(iv[7].trigger.periodic->until, 70);
  EXPECT_EQ(iv[7].effect.failure_multiplier->timed, (cxsim::WeightedIds{{"home", 0.25}}));
  EXPECT_FALSE(iv[7].effect.failure_multiplier->on_visit.has_value());
  EXPECT_EQ(iv[8].trigger.after_contact, cxsim::ContactOutcome::kAbandoned);
}

TEST(ScenarioInterventions, TargetCoverageCapacityAndCost) {
  const json patch = {{"segments", {{"all", {{"share", 0.5}}}, {"vip", {{"share", 0.5}}}}},
                      {"interventions",
                       {{"call",
                         {{"trigger", {{"risk_above", 0.1}}},
                          {"target", {"vip"}},
                          {"coverage", 0.6},
                          {"capacity_per_period", 25},
                          {"effect", {{"hazard_multiplier", 0.7}}},
                          {"cost_per_use", 4.5},
                          {"salience", 2}}}}}};
  const Scenario s = parse(patched(patch));
  const auto& iv = s.interventions.at(0);
  EXPECT_EQ(iv.target, (std::vector<std::string>{"vip"}));
  EXPECT_EQ(iv.coverage, 0.6);
  EXPECT_EQ(iv.capacity_per_period, 25);
  EXPECT_EQ(iv.cost_per_use, 4.5);
  EXPECT_EQ(iv.salience, 2.0);
}

TEST(ScenarioInterventions, InvalidTriggersAndEffects) {
  const auto with = [](const json& intervention) { return patched({{"interventions", {{"x", intervention}}}}); };
  const json effect = {{"sentiment_boost", 0.1}};
  auto d = diagnostics_of(with({{"trigger", json::object()}, {"effect", effect}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/trigger", "found none")) << dump(d);
  d = diagnostics_of(with({{"trigger", {{"on_visit", "home"}, {"risk_above", 0.1}}}, {"effect", effect}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/trigger", "found 2")) << dump(d);
  d = diagnostics_of(with({{"trigger", {{"on_visit", "gone"}}}, {"effect", effect}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/trigger/on_visit", "exit touchpoint")) << dump(d);
  d = diagnostics_of(with({{"trigger", {{"periodic", {{"every", 0}}}}}, {"effect", effect}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/trigger/periodic/every")) << dump(d);
  d = diagnostics_of(
      with({{"trigger", {{"periodic", {{"every", 1}, {"from", 10}, {"until", 10}}}}}, {"effect", effect}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/trigger/periodic/until", "in [11, ")) << dump(d);
  d = diagnostics_of(with({{"trigger", {{"risk_above", 1.5}}}, {"effect", effect}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/trigger/risk_above", "expected a number in [0, 1], found 1.5"));
  d = diagnostics_of(with({{"trigger", {{"on_visit", "home"}}}, {"effect", {{"sentiment_boost", 2.5}}}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/effect/sentiment_boost", "in [-2, 2]")) << dump(d);
  d = diagnostics_of(with({{"trigger", {{"on_visit", "home"}}}, {"effect", {{"failure_multiplier", {{"hom", 0.5}}}}}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/effect/failure_multiplier/hom", "did you mean \"home\"?")) << dump(d);
  d = diagnostics_of(with({{"trigger", {{"on_visit", "home"}}}, {"effect", {{"duration", 0}}}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/effect/duration")) << dump(d);
  d = diagnostics_of(with({{"trigger", {{"on_visit", "home"}}}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/effect", "missing required key")) << dump(d);
  d = diagnostics_of(with({{"trigger", {{"on_visit", "home"}}}, {"effect", effect}, {"target", json::array()}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/target", "non-empty array")) << dump(d);
}

TEST(ScenarioInterventions, SingleMultiplierWithoutOnVisitWarns) {
  std::vector<Diagnostic> warnings;
  parse(patched({{"interventions",
                  {{"x", {{"trigger", {{"sentiment_below", 0}}}, {"effect", {{"failure_multiplier", 0.5}}}}}}}}),
        &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].pointer, "/interventions/x/effect/failure_multiplier");
}

TEST(ScenarioErrors, AllErrorsInOneFileAreReported) {
  const json patch = {{"horizon_periods", 0},
                      {"population", {{"customers", 2.5}}},
                      {"segments", {{"all", {{"share", 1}, {"memory", 1.2}, {"paitence_minutes", 5}}}}},
                      {"journey",
                       {{"touchpoints",
                         {{"home", {{"failure", "often"}, {"next", {{"home", 1}, {"gone", 0}}}}},
                          {"lost", {{"quality", {{"mean", 0}}}}}}}}},
                      {"service", {{"channels", {{"phone", {{"share", 0.5}}}}}}},
                      {"nps", {{"report_every", 0}}}};
  const auto d = diagnostics_of(patched(patch));
  EXPECT_TRUE(has_error(d, "/horizon_periods", "expected an integer in [1, 100000], found 0")) << dump(d);
  EXPECT_TRUE(has_error(d, "/population/customers", "found 2.5")) << dump(d);
  EXPECT_TRUE(has_error(d, "/segments/all/memory", "expected a number in [0, 1], found 1.2")) << dump(d);
  EXPECT_TRUE(has_error(d, "/segments/all/paitence_minutes", "did you mean \"patience_minutes\"?")) << dump(d);
  EXPECT_TRUE(has_error(d, "/journey/touchpoints/home/failure", "found string \"often\"")) << dump(d);
  EXPECT_TRUE(has_error(d, "/journey/touchpoints/home/next/gone", "expected a number > 0, found 0")) << dump(d);
  EXPECT_TRUE(has_error(d, "/journey/touchpoints/lost/next", "at least one out-edge")) << dump(d);
  EXPECT_TRUE(has_error(d, "/service/channels", "channel shares sum to 0.5")) << dump(d);
  EXPECT_TRUE(has_error(d, "/nps/report_every")) << dump(d);
  std::size_t errors = 0;
  for (const auto& x : d) errors += x.severity == Severity::kError ? 1 : 0;
  EXPECT_EQ(errors, 9u) << dump(d);
}

TEST(ScenarioErrors, MessagesSayWhatWasFoundAndExpected) {
  auto d = diagnostics_of(patched({{"journey", {{"touchpoints", {{"home", {{"revenue", "abc"}}}}}}}}));
  EXPECT_TRUE(has_error(d, "/journey/touchpoints/home/revenue", "expected a number, found string \"abc\"")) << dump(d);
  d = diagnostics_of(patched({{"segments", {{"all", {{"share", true}}}}}}));
  EXPECT_TRUE(has_error(d, "/segments/all/share", "found boolean true")) << dump(d);
  d = diagnostics_of(patched({{"period_days", 0}}));
  EXPECT_TRUE(has_error(d, "/period_days", "expected a number in (0, 366], found 0")) << dump(d);
  d = diagnostics_of(patched({{"service", {{"channels", {{"phone", {{"share", 1}, {"hours_per_period", 25}}}}}}}}));
  EXPECT_TRUE(has_error(d, "/service/channels/phone/hours_per_period", "in (0, 24]")) << dump(d);
  d = diagnostics_of(patched({{"name", ""}}));
  EXPECT_TRUE(has_error(d, "/name", "expected a non-empty string")) << dump(d);
  json doc = json::parse(kMinimal);
  doc["segments"] = json::object();  // (a merge patch cannot set {}: it would merge nothing)
  d = diagnostics_of(doc.dump());
  EXPECT_TRUE(has_error(d, "/segments", "empty object")) << dump(d);
  d = diagnostics_of(patched({{"journey", {{"touchpoints", {{"gone", {{"failure", 0.1}}}}}}}}));
  EXPECT_TRUE(has_error(d, "/journey/touchpoints/gone/failure", "exit touchpoints are absorbing and never visited"))
      << dump(d);
}

TEST(ScenarioErrors, DidYouMean) {
  auto d = diagnostics_of(patched({{"journey", {{"touchpoints", {{"home", {{"falure", 0.1}}}}}}}}));
  EXPECT_TRUE(has_error(d, "/journey/touchpoints/home/falure", "unknown key \"falure\"; did you mean \"failure\"?"))
      << dump(d);
  d = diagnostics_of(patched({{"Replications", 4}}));
  EXPECT_TRUE(has_error(d, "/Replications", "did you mean \"replications\"?")) << dump(d);
  d = diagnostics_of(patched({{"zzzzzz", 4}}));
  EXPECT_TRUE(has_error(d, "/zzzzzz", "unknown key \"zzzzzz\"; expected one of: $schema, ")) << dump(d);
  d = diagnostics_of(patched({{"journey", {{"touchpoints", {{"home", {{"next", {{"hme", 1}}}}}}}}}}));
  EXPECT_TRUE(has_error(d, "/journey/touchpoints/home/next/hme",
                        "unknown touchpoint \"hme\" in next; did you mean \"home\"? known touchpoints: gone, home"))
      << dump(d);
  d = diagnostics_of(patched({{"journey", {{"entry", "xyzzy"}}}}));
  EXPECT_TRUE(has_error(d, "/journey/entry", "unknown touchpoint \"xyzzy\" in entry; known touchpoints: gone, home"))
      << dump(d);
  d = diagnostics_of(
      patched({{"interventions",
                {{"x", {{"trigger", {{"after_contact", "Resolved"}}}, {"effect", {{"close_issue", true}}}}}}}}));
  EXPECT_TRUE(has_error(d, "/interventions/x/trigger/after_contact", "did you mean \"resolved\"?")) << dump(d);
}

TEST(ScenarioErrors, IntegersAndNumbers) {
  EXPECT_EQ(parse(patched({{"horizon_periods", 1e5}})).horizon_periods, 100000);
  EXPECT_EQ(parse(patched({{"seed", 18446744073709551615ULL}})).seed, 18446744073709551615ULL);
  EXPECT_EQ(parse(patched({{"population", {{"customers", 4294967295LL}}}})).population.customers, 4294967295LL);
  EXPECT_TRUE(has_error(diagnostics_of(patched({{"replications", 2.5}})), "/replications", "expected an integer"));
  EXPECT_TRUE(has_error(diagnostics_of(patched({{"replications", 10001}})), "/replications", "in [1, 10000]"));
  EXPECT_TRUE(has_error(diagnostics_of(patched({{"population", {{"customers", 4294967296LL}}}})),
                        "/population/customers", "in [1, 4294967295], found 4294967296"));
  EXPECT_TRUE(has_error(diagnostics_of(patched({{"seed", -1}})), "/seed"));
  EXPECT_TRUE(has_error(diagnostics_of(patched({{"seed", true}})), "/seed"));
  // 1e999 parses as infinity; it is rejected as non-finite.
  const std::string text =
      std::string(kMinimal).replace(std::string(kMinimal).find("\"name\""), 0, "\"period_days\": 1e999, ");
  EXPECT_TRUE(has_error(diagnostics_of(text), "/period_days", "expected a finite number"));
}

TEST(ScenarioErrors, SharesMustSumToOne) {
  auto d = diagnostics_of(patched({{"segments", {{"all", {{"share", 0.6}}}, {"b", {{"share", 0.3}}}}}}));
  EXPECT_TRUE(has_error(d, "/segments", "segment shares sum to 0.9")) << dump(d);
  // Within 1e-9 is fine.
  parse(patched({{"segments", {{"all", {{"share", 0.1}}}, {"b", {{"share", 0.2}}}, {"c", {{"share", 0.7}}}}}}));
  d = diagnostics_of(patched({{"service", {{"channels", {{"a", {{"share", 0.5}}}, {"b", {{"share", 0.5}}}}}}},
                              {"segments", {{"all", {{"channel_mix", {{"a", 0.7}}}}}}}}));
  EXPECT_TRUE(has_error(d, "/segments/all/channel_mix", "channel_mix shares sum to 0.7")) << dump(d);
  d = diagnostics_of(patched({{"segments", {{"b", 0.5}}}}));  // no cascading "sum to 1" error
  ASSERT_EQ(d.size(), 1u) << dump(d);
  EXPECT_TRUE(has_error(d, "/segments/b", "expected an object, found 0.5")) << dump(d);
  d = diagnostics_of(patched({{"service", {{"channels", {{"a", {{"agents", 3}}}}}}}}));
  EXPECT_TRUE(has_error(d, "/service/channels/a/share", "missing required key")) << dump(d);
}

TEST(ScenarioParse, SyntaxErrorHasLineAndColumn) {
  const auto d = diagnostics_of("{\n  \"name\": \"x\",\n  \"seed\": tru\n}\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].pointer, "");
  EXPECT_NE(d[0].message.find("invalid JSON at line 3, column"), std::string::npos) << d[0].message;
  EXPECT_NE(d[0].message.find("invalid literal"), std::string::npos) << d[0].message;
}

TEST(ScenarioParse, EmptyAndNonObjectDocuments) {
  auto d = diagnostics_of(" \n\t ");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, "empty file, expected a JSON object");
  d = diagnostics_of("[1, 2]");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, "expected a JSON object (a cxsim scenario), found an array of 2 elements");
}

TEST(ScenarioParse, DeepNestingIsRefusedWhileParsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto d = diagnostics_of(deep);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].pointer, "");
  EXPECT_NE(d[0].message.find("deeper than 64"), std::string::npos) << d[0].message;
  // Unterminated too: refused at depth 65, long before the missing brackets matter.
  EXPECT_NE(diagnostics_of(std::string(1000000, '[')).at(0).message.find("deeper than 64"), std::string::npos);
  // 64 levels are fine for the parser (the document is then just not a scenario).
  d = diagnostics_of(std::string(64, '[') + std::string(64, ']'));
  EXPECT_EQ(d.at(0).message, "expected a JSON object (a cxsim scenario), found an array of 1 element");
  d = diagnostics_of(std::string(65, '[') + std::string(65, ']'));
  EXPECT_NE(d.at(0).message.find("deeper than 64"), std::string::npos);
}

TEST(ScenarioParse, InvalidUtf8IsAnError) {
  const auto d = diagnostics_of("{\"name\": \"caf\xe9\"}");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].message.find("invalid UTF-8 at line 1"), std::string::npos) << d[0].message;
}

TEST(ScenarioParse, DuplicateKeysAreErrors) {
  std::string text = kMinimal;
  text.replace(text.find("\"share\": 1"), 0, "\"share\": 0.5, ");
  const auto d = diagnostics_of(text);
  EXPECT_TRUE(has_error(d, "/segments/all/share", "duplicate key \"share\"")) << dump(d);
}

TEST(ScenarioParse, PointersEscapeSlashAndTilde) {
  const auto d = diagnostics_of(patched({{"journey", {{"touchpoints", {{"home", {{"next", {{"a/b~c", 1}}}}}}}}}}));
  EXPECT_TRUE(has_error(d, "/journey/touchpoints/home/next/a~1b~0c", "unknown touchpoint \"a/b~c\"")) << dump(d);
}

TEST(ScenarioParse, TooLargeTextIsRefused) {
  const std::string big((16u << 20) + 1, ' ');  // one byte over the 16 MiB limit of a scenario
  const auto d = diagnostics_of(big);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].message.find("larger than the limit"), std::string::npos) << d[0].message;
}

TEST(ScenarioRunSize, CommandLineOverridesAreChecked) {
  Scenario s = parse(kMinimal);
  EXPECT_NO_THROW(cxsim::apply_overrides(s, {}));
  cxsim::RunOverrides o;
  o.customers = 0;
  o.replications = 10001;
  o.horizon = 100000;
  try {
    cxsim::apply_overrides(s, o);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const auto& d = e.diagnostics();
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].file, "<command line>");
    EXPECT_EQ(d[0].pointer, "/population/customers");
    EXPECT_NE(d[0].message.find("command line"), std::string::npos);
    EXPECT_NE(d[0].message.find("an integer in [1, 4294967295]"), std::string::npos) << d[0].message;
    EXPECT_EQ(d[1].pointer, "/replications");
  }
  s = parse(kMinimal);
  EXPECT_THROW(cxsim::apply_overrides(s, {std::nullopt, std::nullopt, std::nullopt, 0}), InputError);
  s = parse(kMinimal);
  EXPECT_THROW(cxsim::apply_overrides(s, {4294967296LL, std::nullopt, std::nullopt, std::nullopt}), InputError);
  s = parse(kMinimal);
  cxsim::apply_overrides(s, {20, 3, 99u, 40});
  EXPECT_EQ(s.population.customers, 20);
  EXPECT_EQ(s.replications, 3);
  EXPECT_EQ(s.seed, 99u);
  EXPECT_EQ(s.horizon_periods, 40);
}

}  // namespace
