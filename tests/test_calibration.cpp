// Calibration of the shipped scenarios' churn coefficients (scenarios/README.md, "Calibration").
//
// Two survey findings, "about 92% of customers with 2 or 3 bad experiences do not return" and "73%
// would stop buying after dissatisfying service", are reproduced from a scenario's churn
// coefficients with MODEL.md's discrete-time cloglog hazard and gamma frailty:
//   a customer of segment g starts at the segment's mean sentiment m and has k bad experiences in
//   period 0, each a dissatisfying service contact of quality -0.5 (CSAT 2) at the salience of the
//   main staffed channel, so s_k follows s <- s + w (q - s), w = min(1, memory negativity_bias salience);
//   over the next W = 365 periods bad(t) = k bad_decay^t and sentiment relaxes back,
//   s(t) = m + (s_k - m) (1 - r)^t, with r = memory * sum_v pi_v salience_v (pi: the journey's
//   stationary visit distribution; every routine experience lies above a depressed sentiment, so
//   it moves it with weight memory * salience);
//   H = sum_t base exp(b_s s(t) + b_b bad(t)), and the cohort's churn is 1 - (1 + v H)^(-1/v)
//   (the gamma frailty's Laplace transform; exp(-H) when v = 0).
// Population figures weight the segments by share. The test recomputes the table documented in
// scenarios/README.md from the shipped files and checks every figure stays in its documented band,
// so a coefficient change that breaks the calibration fails here; it also checks by simulation
// that the closed form describes what the engine does.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "model.hpp"
#include "sim_helpers.hpp"

using nlohmann::json;

namespace {

const std::string kScenarioDir = CXSIM_SOURCE_DIR "/scenarios";

constexpr int kWindowPeriods = 365;   // one year of daily periods
constexpr double kBadQuality = -0.5;  // a dissatisfying contact: CSAT round(3 + 2 q) = 2
constexpr int kMaxBadExperiences = 3;

// sum_v pi_v salience_v over the journey's non-exit touchpoints, pi the stationary distribution of
// the visit chain with exit edges dropped: the power iteration from the entry, averaged over its
// second half (a Cesaro average, so periodic chains converge too).
double salience_per_period(const cxsim::Scenario& s) {
  const auto& tps = s.journey.touchpoints;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < tps.size(); ++i) index[tps[i].id] = i;
  std::vector<double> x(tps.size(), 0.0), average(tps.size(), 0.0);
  for (const auto& [id, share] : s.journey.entry) x[index.at(id)] += share;
  constexpr int kIterations = 20000;
  for (int it = 0; it < kIterations; ++it) {
    std::vector<double> next(tps.size(), 0.0);
    for (std::size_t i = 0; i < tps.size(); ++i) {
      if (tps[i].exit || x[i] == 0.0) continue;
      double total = 0.0;
      for (const auto& [to, w] : tps[i].next)
        if (!tps[index.at(to)].exit) total += w;
      for (const auto& [to, w] : tps[i].next)
        if (!tps[index.at(to)].exit) next[index.at(to)] += x[i] * w / total;
    }
    x.swap(next);
    if (it >= kIterations / 2) {  // past the transient (e.g. onboarding)
      for (std::size_t i = 0; i < tps.size(); ++i) average[i] += x[i] / (kIterations - kIterations / 2);
    }
  }
  double sum = 0.0;
  for (std::size_t i = 0; i < tps.size(); ++i) sum += average[i] * tps[i].salience;
  return sum;
}

// The salience of the staffed channel with the largest share (telecom: phone; e-commerce: chat).
double main_channel_salience(const cxsim::Scenario& s) {
  const cxsim::Channel* best = nullptr;
  for (const auto& c : s.service.channels)
    if (c.agents.has_value() && (best == nullptr || c.share > best->share)) best = &c;
  if (best == nullptr) throw std::invalid_argument("scenario has no staffed channel");
  return best->salience;
}

struct Profile {
  double sentiment_after = 0.0;    // s_k
  double cumulative_hazard = 0.0;  // H over the window, frailty 1
  double churn = 0.0;              // share of the cohort lost within the window
};

// The scenario-wide inputs of the closed form, computed once.
struct ClosedFormInputs {
  double channel_salience;     // of the bad experiences
  double salience_per_period;  // of the routine that restores sentiment
};

ClosedFormInputs inputs_of(const cxsim::Scenario& s) { return {main_channel_salience(s), salience_per_period(s)}; }

Profile profile(const cxsim::Scenario& s, const ClosedFormInputs& j, const cxsim::Segment& g, int k) {
  const double m = g.initial_sentiment.mean;
  const double w = std::min(1.0, g.memory * g.negativity_bias * j.channel_salience);
  Profile p;
  p.sentiment_after = m;
  for (int i = 0; i < k; ++i) p.sentiment_after += w * (kBadQuality - p.sentiment_after);
  const double r = std::min(1.0, g.memory * j.salience_per_period);
  const cxsim::ChurnCoefficients& b = s.churn;
  for (int t = 0; t < kWindowPeriods; ++t) {
    const double sentiment = m + (p.sentiment_after - m) * std::pow(1.0 - r, t);
    const double bad = k * std::pow(g.bad_decay, t);
    p.cumulative_hazard += g.hazard.base * std::exp(b.sentiment * sentiment + b.bad_experiences * bad);
  }
  const double v = g.hazard.frailty_variance;
  p.churn = v > 0.0 ? 1.0 - std::pow(1.0 + v * p.cumulative_hazard, -1.0 / v) : -std::expm1(-p.cumulative_hazard);
  return p;
}

// Churn within the window after k bad experiences, segments weighted by share.
double population_churn(const cxsim::Scenario& s, const ClosedFormInputs& j, int k) {
  double sum = 0.0;
  for (const auto& g : s.segments) sum += g.share * profile(s, j, g, k).churn;
  return sum;
}

cxsim::Scenario shipped(const std::string& name) { return cxsim::load_scenario(kScenarioDir + "/" + name + ".json"); }

struct Band {
  double lo, hi;
};

// The documented calibration (scenarios/README.md, "Calibration"): churn within a year with no
// bad experience, after one (the 73% finding), and the mean after two and three (the 92% finding).
struct Calibration {
  std::string scenario;
  Band none, one, two_or_three;
};

const std::vector<Calibration>& documented() {
  static const std::vector<Calibration> c = {
      // The findings themselves, within a few points: 73% and 92%.
      {"ecommerce_retailer", {0.35, 0.50}, {0.68, 0.78}, {0.88, 0.96}},
      // The same coefficients on a postpaid contract's low baseline: the findings damped.
      {"telecom_subscription", {0.08, 0.16}, {0.25, 0.36}, {0.52, 0.68}},
  };
  return c;
}

TEST(Calibration, ShippedScenariosReproduceTheDocumentedFindings) {
  for (const auto& c : documented()) {
    SCOPED_TRACE(c.scenario);
    const cxsim::Scenario s = shipped(c.scenario);
    const ClosedFormInputs j = inputs_of(s);
    const double none = population_churn(s, j, 0), one = population_churn(s, j, 1);
    const double two_or_three = 0.5 * (population_churn(s, j, 2) + population_churn(s, j, 3));
    EXPECT_GE(none, c.none.lo);
    EXPECT_LE(none, c.none.hi);
    EXPECT_GE(one, c.one.lo);
    EXPECT_LE(one, c.one.hi);
    EXPECT_GE(two_or_three, c.two_or_three.lo);
    EXPECT_LE(two_or_three, c.two_or_three.hi);
    // More bad experiences never lower churn, in every segment.
    for (const auto& g : s.segments) {
      for (int k = 1; k <= kMaxBadExperiences; ++k)
        EXPECT_GT(profile(s, j, g, k).churn, profile(s, j, g, k - 1).churn) << g.id;
    }
  }
}

// The closed form itself, where MODEL.md gives the answer: with no sentiment term and bad
// experiences that never fade, covariates are constant and retention over t periods is
// (1 + v h t)^(-1/v) with h = base exp(b_b k).
TEST(Calibration, ClosedFormMatchesModelRetentionForConstantCovariates) {
  cxsim::Scenario s = shipped("telecom_subscription");
  s.churn.sentiment = 0.0;
  for (auto& g : s.segments) g.bad_decay = 1.0;
  const ClosedFormInputs j = inputs_of(s);
  for (const auto& g : s.segments) {
    for (int k = 0; k <= kMaxBadExperiences; ++k) {
      const double h = g.hazard.base * std::exp(s.churn.bad_experiences * k);
      const double v = g.hazard.frailty_variance;
      const double expected = 1.0 - std::pow(1.0 + v * h * kWindowPeriods, -1.0 / v);
      EXPECT_NEAR(profile(s, j, g, k).churn, expected, 1e-12) << g.id << " k=" << k;
    }
  }
  // The stationary salience of the telecom journey: 30 usage periods (salience 0.1) per billing
  // period (salience 1.5); onboarding is transient.
  EXPECT_NEAR(salience_per_period(s), (30.0 * 0.1 + 1.5) / 31.0, 1e-9);
}

// A cohort scenario built from a shipped one: its segments (sentiment sd 0, so every customer
// starts at the mean the closed form uses) and churn coefficients, and its journey without
// failures, exits, effort or money; customers start at a chain of k touchpoints of quality -0.5 at
// the main channel's salience, then continue on the journey's routine.
std::string cohort_scenario(const std::string& name, int k, std::int64_t customers) {
  std::ifstream in(kScenarioDir + "/" + name + ".json");
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str());
  const cxsim::Scenario s = shipped(name);
  j["name"] = name + " cohort k=" + std::to_string(k);
  j["population"]["customers"] = customers;
  j["replications"] = 1;
  j["horizon_periods"] = kWindowPeriods;
  j["interventions"] = json::object();
  for (auto& [id, g] : j["segments"].items()) {
    g["initial_sentiment"]["sd"] = 0;
    g.erase("entry");
  }
  json& tps = j["journey"]["touchpoints"];
  std::vector<std::string> exits;
  for (auto& [id, t] : tps.items())
    if (t.value("exit", false)) exits.push_back(id);
  for (const auto& id : exits) tps.erase(id);
  for (auto& [id, t] : tps.items()) {
    for (const char* key : {"failure", "effort", "revenue", "cost", "survey_rate"}) t.erase(key);
    for (const auto& e : exits) t["next"].erase(e);
  }
  json routine = json::object();
  for (const auto& [id, share] : s.journey.entry) routine[id] = share;
  if (k > 0) {
    const double salience = main_channel_salience(s);
    tps["cal_start"] = {{"next", {{"cal_bad_1", 1}}}};
    for (int i = 1; i <= k; ++i) {
      tps["cal_bad_" + std::to_string(i)] = {{"quality", {{"mean", kBadQuality}, {"sd", 0}}},
                                             {"salience", salience},
                                             {"next", i < k ? json{{"cal_bad_" + std::to_string(i + 1), 1}} : routine}};
    }
    j["journey"]["entry"] = "cal_start";
  }
  return j.dump();
}

// The engine agrees with the closed form within 0.04 (the closed form's approximations: sentiment
// relaxes to the segment mean rather than to the routine touchpoints' quality, and the k
// experiences fall in one period rather than k) plus 4 binomial standard errors.
TEST(Calibration, SimulatedCohortsAgreeWithTheClosedForm) {
  constexpr std::int64_t kCustomers = 5000;
  constexpr double kApproximation = 0.04;
  for (const auto& c : documented()) {
    const cxsim::Scenario s = shipped(c.scenario);
    const ClosedFormInputs j = inputs_of(s);
    for (int k = 0; k <= kMaxBadExperiences; ++k) {
      SCOPED_TRACE(c.scenario + " k=" + std::to_string(k));
      std::vector<cxsim::Diagnostic> warnings;  // the cohort's journey has no exit: expected
      const cxsim::Scenario cohort =
          cxsim::parse_scenario(cohort_scenario(c.scenario, k, kCustomers), "cohort.json", &warnings);
      cxsim::RunOptions options;
      options.threads = 2;
      const cxsim::RunResult r = cxsim::run_simulation(cohort, options);
      const double simulated = cxsim::testing::metric_mean(r, "churned");
      const double expected = population_churn(s, j, k);
      const double se = std::sqrt(expected * (1.0 - expected) / static_cast<double>(kCustomers));
      EXPECT_NEAR(simulated, expected, kApproximation + 4.0 * se);
    }
  }
}

}  // namespace
