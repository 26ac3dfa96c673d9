// Simulation optimisation (`cxsim optimize`): the search against an exhaustive sweep of the same
// grid, infeasible problems, the grid method, the confirmation and screening, the spec's
// diagnostics, the shipped spec and the command line. Runs are small; tests check relations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_helpers.hpp"
#include "cxsim/compare.hpp"
#include "cxsim/explore.hpp"
#include "cxsim/optimize.hpp"
#include "cxsim/report.hpp"

namespace {

using cxsim::testing::CliResult;
using cxsim::testing::quoted;
using cxsim::testing::read_file;
using cxsim::testing::run_cli;
using cxsim::testing::TempDir;
using cxsim::testing::write_file;
using nlohmann::json;
namespace fs = std::filesystem;

const std::string kSmall = CXSIM_TEST_DATA_DIR "/explore/small.json";

// A spec file in `dir` whose base is the small test scenario; `body` holds the other keys.
std::string spec_file(const TempDir& dir, const std::string& body, const std::string& name = "spec.json") {
  const fs::path path = dir.path() / name;
  write_file(path, R"({"base": ")" + kSmall + R"(", )" + body + "}");
  return path.string();
}

cxsim::Optimization optimize(const std::string& spec, cxsim::RunOverrides overrides = {}, int threads = 2) {
  const cxsim::OptimizePlan plan = cxsim::plan_optimize(spec, {}, overrides);
  cxsim::ExploreOptions o;
  o.threads = threads;
  return cxsim::run_optimize(plan, o);
}

// The exhaustive sweep of phone agents 0..12 with the search's replications.
cxsim::Sweep exhaustive_sweep() {
  cxsim::ExploreBase base;
  base.scenario_file = kSmall;
  cxsim::ExploreOptions o;
  o.threads = 2;
  return cxsim::run_sweep(cxsim::plan_sweep(base, {cxsim::parse_vary("/service/channels/phone/agents=0:12:1")}), o);
}

// The same metrics to the bit (NaN, an undefined metric, equals NaN).
bool same_metrics(const std::map<std::string, double>& a, const std::map<std::string, double>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
           return x.first == y.first && (x.second == y.second || (std::isnan(x.second) && std::isnan(y.second)));
         });
}

double mean_of(const cxsim::RunResult& r, const std::string& metric) {
  std::vector<double> x;
  for (const auto& rep : r.replications) x.push_back(rep.metrics.at(metric));
  return cxsim::summarize(x).mean;
}

// The best point of the sweep by `metric` among those whose frt_minutes mean is at most `max_frt`.
std::size_t sweep_best(const cxsim::Sweep& s, double max_frt) {
  std::size_t best = s.points.size();
  for (std::size_t k = 0; k < s.points.size(); ++k) {
    const double frt = mean_of(s.points[k].result, "frt_minutes");
    if (!(frt <= max_frt)) continue;  // undefined (no answered contact) counts as not met
    if (best == s.points.size() ||
        mean_of(s.points[k].result, "net_value") > mean_of(s.points[best].result, "net_value")) {
      best = k;
    }
  }
  return best;
}

// The optimiser's best equals the sweep's, or their paired difference on the same replications is
// not significant.
void expect_same_or_indistinguishable(const cxsim::Optimization& o, const cxsim::Sweep& s, std::size_t best) {
  ASSERT_TRUE(o.best_candidate.has_value());
  const std::string found = o.evaluations[o.best_evaluation].changes.at(0).value_text;
  const std::string truth = s.points[best].values.at(0);
  if (found == truth) return;
  const std::size_t k = static_cast<std::size_t>(std::stoi(found));
  const cxsim::Summary d =
      cxsim::summarize(cxsim::paired_replicates(s.points[best].result, s.points[k].result, "net_value"));
  EXPECT_FALSE(cxsim::interval_excludes_zero(d)) << "optimiser " << found << ", sweep " << truth;
}

}  // namespace

TEST(Optimize, OneDimensionalStaffingFindsTheSweepsBestWithFewerEvaluations) {
  TempDir dir("optimize");
  const cxsim::Sweep sweep = exhaustive_sweep();
  const std::string range = R"("variables": [{"pointer": "/service/channels/phone/agents", "min": 0, "max": 12}],
      "objective": "net_value", "budget": {"evaluations": 8, "candidates": 3, "confirm_replications": 8})";
  const cxsim::Optimization o = optimize(spec_file(dir, range));
  EXPECT_EQ(o.method, cxsim::SearchMethod::kCobyla);
  EXPECT_EQ(o.grid_points, 13u);
  EXPECT_LE(o.evaluations.size(), 8u);
  EXPECT_TRUE(o.feasible);
  expect_same_or_indistinguishable(o, sweep, sweep_best(sweep, HUGE_VAL));
  std::cout << "[ info ] optimiser: agents " << o.evaluations[o.best_evaluation].changes[0].value_text << " after "
            << o.evaluations.size() << " evaluations; exhaustive sweep: agents "
            << sweep.points[sweep_best(sweep, HUGE_VAL)].values[0] << " of 13\n";
  // The evaluation of a grid point is the sweep's run of the same value, to the bit.
  for (const cxsim::Evaluation& e : o.evaluations) {
    const auto& point = sweep.points.at(e.index.at(0)).result;
    EXPECT_TRUE(same_metrics(e.result.replications.front().metrics, point.replications.front().metrics));
  }

  // With a service constraint the best is the best feasible point of the sweep.
  const cxsim::Optimization c = optimize(spec_file(dir, std::string(range) + R"(,
      "constraints": [{"metric": "frt_minutes", "max": 0.5}])"));
  EXPECT_TRUE(c.feasible);
  expect_same_or_indistinguishable(c, sweep, sweep_best(sweep, 0.5));
  for (const cxsim::Candidate& k : c.candidates) {
    if (k.feasible) {
      EXPECT_LE(k.constraints.at(0).value.mean, 0.5);
    }
  }
}

TEST(Optimize, SmallGridsAreSearchedExhaustivelyAndScreened) {
  TempDir dir("optimize");
  const cxsim::Optimization o =
      optimize(spec_file(dir, R"("variables": [{"pointer": "/service/channels/phone/agents", "values": [1, 2, 3]},
                                       {"pointer": "/interventions/checkin/coverage", "min": 0, "max": 1, "step": 0.5}],
                        "objective": {"metric": "net_value", "direction": "maximize"},
                        "budget": {"evaluations": 20, "candidates": 4, "confirm_replications": 6})"));
  EXPECT_EQ(o.method, cxsim::SearchMethod::kGrid);
  ASSERT_EQ(o.evaluations.size(), 9u);
  EXPECT_EQ(o.evaluations[1].index, (std::vector<std::size_t>{0, 1}));  // the last variable fastest
  ASSERT_EQ(o.candidates.size(), 4u);
  ASSERT_TRUE(o.best_candidate.has_value());
  const cxsim::Candidate& best = o.candidates[*o.best_candidate];
  EXPECT_EQ(best.result.replications.size(), 6u);
  EXPECT_TRUE(best.indistinguishable);
  EXPECT_EQ(best.delta_to_best.mean, 0.0);
  for (const cxsim::Candidate& c : o.candidates) {
    EXPECT_LE(c.objective.mean, best.objective.mean);
    if (!c.indistinguishable) {
      EXPECT_LT(c.delta_to_best.ci95->second, 0.0);
    }
  }
  // The confirmation continues the search's replication indices: its first 4 are the search's.
  const cxsim::Evaluation& e = o.evaluations[best.evaluation];
  for (std::size_t r = 0; r < e.result.replications.size(); ++r) {
    EXPECT_TRUE(same_metrics(best.result.replications[r].metrics, e.result.replications[r].metrics)) << r;
  }
  const json doc = json::parse(cxsim::optimize_report(o).json());
  EXPECT_EQ(
      doc.at("optimize").at("best").at("values"),
      json::parse(R"({"/service/channels/phone/agents": )" + o.evaluations[best.evaluation].changes[0].value_text +
                  R"(, "/interventions/checkin/coverage": )" + o.evaluations[best.evaluation].changes[1].value_text +
                  "}"));
  EXPECT_TRUE(doc.at("optimize").at("best").at("feasible").get<bool>());
  EXPECT_EQ(doc.at("optimize").at("best").at("metrics").at("net_value").at("replicates").size(), 6u);
  EXPECT_GE(doc.at("optimize").at("indistinguishable").size(), 1u);
  EXPECT_EQ(doc.at("optimize").at("evaluations").size(), 9u);
}

TEST(Optimize, AnInfeasibleProblemIsReportedAsSuch) {
  TempDir dir("optimize");
  const std::string spec =
      spec_file(dir, R"("variables": [{"pointer": "/service/channels/phone/agents", "min": 1, "max": 30}],
              "objective": "net_value", "constraints": [{"metric": "frt_minutes", "max": -1},
                                                        {"metric": ["service_cost", "intervention_cost"], "max": 1e9}],
              "budget": {"evaluations": 6})");
  const cxsim::Optimization o = optimize(spec);
  EXPECT_FALSE(o.feasible);
  EXPECT_FALSE(o.best_candidate.has_value());
  EXPECT_TRUE(o.candidates.empty());
  EXPECT_EQ(o.evaluations.size(), 6u);
  for (const auto& e : o.evaluations) {
    EXPECT_FALSE(e.feasible);
    EXPECT_FALSE(e.constraints[0].satisfied);
    EXPECT_TRUE(e.constraints[1].satisfied);
    EXPECT_GE(e.violation, o.evaluations[o.best_evaluation].violation);
  }
  const CliResult r = run_cli("optimize " + quoted(spec) + " -o " + quoted((dir.path() / "out.json").string()) +
                                  " --csv " + quoted((dir.path() / "csv").string()),
                              dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("NO FEASIBLE POINT"), std::string::npos) << r.out;
  const json doc = json::parse(read_file(dir.path() / "out.json"));
  EXPECT_FALSE(doc.at("optimize").at("feasible").get<bool>());
  EXPECT_FALSE(doc.at("optimize").at("best").at("feasible").get<bool>());
  EXPECT_TRUE(doc.at("optimize").at("indistinguishable").empty());
  EXPECT_TRUE(fs::exists(dir.path() / "csv" / "evaluations.csv"));
  EXPECT_EQ(cxsim::read_report((dir.path() / "out.json").string()).kind(), "optimize");
}

TEST(Optimize, JudgingOnTheIntervalIsStricterThanOnTheMean) {
  TempDir dir("optimize");
  const std::string body = R"("variables": [{"pointer": "/service/channels/phone/agents", "values": [1, 2, 3, 4]}],
      "objective": {"metric": "service_cost", "direction": "minimize"},
      "constraints": [{"metric": "retention", "min": 0.9}], "budget": {"evaluations": 4})";
  const cxsim::Optimization mean = optimize(spec_file(dir, body, "mean.json"));
  const cxsim::Optimization ci = optimize(spec_file(dir, body + R"(, "judge_constraints": "ci")", "ci.json"));
  ASSERT_EQ(mean.evaluations.size(), ci.evaluations.size());
  for (std::size_t k = 0; k < mean.evaluations.size(); ++k) {
    if (ci.evaluations[k].feasible) {
      EXPECT_TRUE(mean.evaluations[k].feasible) << k;
    }
  }
  // Minimising cost: the fewest agents that keep the constraint.
  ASSERT_TRUE(mean.best_candidate.has_value());
  for (const auto& e : mean.evaluations) {
    if (e.feasible) {
      EXPECT_GE(e.index[0], mean.evaluations[mean.best_evaluation].index[0]);
    }
  }
}

TEST(Optimize, AddVariablesShiftEveryNumberOfASchedule) {
  TempDir dir("optimize");
  const std::string spec = spec_file(
      dir, R"("patch": {"service": {"channels": {"phone": {"agents": {"default": 2, "periods": {"0-30": 3}}}}}},
      "variables": [{"name": "extra", "pointer": "/service/channels/phone/agents", "change": "add", "min": 0, "max": 2}],
      "objective": "net_value", "budget": {"evaluations": 3, "candidates": 1, "confirm_replications": 4})");
  const cxsim::Optimization o = optimize(spec);
  ASSERT_EQ(o.evaluations.size(), 3u);
  EXPECT_EQ(o.spec.variables[0].start, 0u);  // "add" starts at 0: the base itself
  for (const auto& e : o.evaluations) {
    const int extra = static_cast<int>(e.index[0]);
    EXPECT_EQ(e.changes[0].value_text, R"({"default":)" + std::to_string(2 + extra) + R"(,"periods":{"0-30":)" +
                                           std::to_string(3 + extra) + "}}");
  }
}

TEST(Optimize, SpecProblemsNameTheFileAndPointer) {
  TempDir dir("optimize");
  struct Case {
    std::string body, pointer, words;
  };
  const std::vector<Case> cases = {
      {R"("variables": [{"pointer": "/service/channels/phone/agents", "min": 0, "max": 3}], "objective": "net_valu")",
       "/objective", "did you mean \"net_value\""},
      {R"("variables": [{"pointer": "/service/channels/phone/agents", "min": 3, "max": 1}], "objective": "nps")",
       "/variables/0/min", "above max"},
      {R"("variables": [{"pointer": "/service/channels/phone/agents", "min": 0}], "objective": "nps")", "/variables/0",
       "missing \"max\""},
      {R"("variables": [{"pointer": "/service/channels/phone/fcr", "min": 0.5, "max": 1.5, "step": 0.5}],
          "objective": "nps")",
       "/variables/0", "variable /service/channels/phone/fcr = 1.5"},
      {R"("variables": [{"pointer": "/service/channels/self_service/agents", "change": "add", "min": 0, "max": 2}],
          "objective": "nps")",
       "/variables/0/change", "\"add\" adds to the numbers"},
      {R"("variables": [{"pointer": "/seed", "values": [1, 2]}], "objective": "nps")", "/variables/0/pointer",
       "common random numbers"},
      {R"("variables": [{"pointer": "/service/channels/phone/agents", "values": [1, 2], "start": 5}],
          "objective": "nps")",
       "/variables/0/start", "not one of"},
      {R"("variables": [{"pointer": "/service/channels/phone/agents", "values": [1]}], "objective": "nps",
          "constraints": [{"metric": ["service_cost", "nope"], "max": 1}])",
       "/constraints/0/metric/1", "unknown metric"},
      {R"("variables": [{"pointer": "/service/channels/phone/agents", "values": [1]}], "objective": "nps",
          "budget": {"evaluations": 0})",
       "/budget/evaluations", "expected an integer"},
      {R"("variables": [{"pointer": "/service/channels/phone/agents", "values": [1]}], "objective": "nps",
          "patch": {"interventions": {"checkin": {"coverage": 2}}})",
       "/patch/interventions/checkin/coverage", "expected a number in [0, 1]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    const std::string spec = spec_file(dir, c.body);
    try {
      cxsim::plan_optimize(spec, {}, {});
      ADD_FAILURE() << "no error";
    } catch (const cxsim::InputError& e) {
      const cxsim::Diagnostic& d = e.diagnostics().at(0);
      EXPECT_EQ(d.file, spec);
      EXPECT_EQ(d.pointer, c.pointer);
      EXPECT_NE(d.message.find(c.words), std::string::npos) << d.message;
    }
  }
}

TEST(Optimize, ShippedSpecIsValid) {
  const cxsim::OptimizePlan plan =
      cxsim::plan_optimize(CXSIM_SOURCE_DIR "/scenarios/optimize/telecom_budget.json", {}, {});
  EXPECT_GE(plan.spec.variables.size(), 3u);
  EXPECT_FALSE(plan.spec.constraints.empty());
  EXPECT_EQ(plan.spec.objective.metric, "net_value_lifetime");
}

TEST(Optimize, ResultsDoNotDependOnThreads) {
  TempDir dir("optimize");
  const std::string spec =
      spec_file(dir, R"("variables": [{"pointer": "/service/channels/phone/agents", "min": 0, "max": 9}],
      "objective": "net_value", "constraints": [{"metric": "frt_minutes", "max": 0.5}],
      "budget": {"evaluations": 5, "candidates": 2})");
  cxsim::RunOverrides small;
  small.customers = 1000;
  small.horizon = 40;
  const auto text = [&](int threads) {
    cxsim::Optimization o = optimize(spec, small, threads);
    o.info.threads = 0;
    return cxsim::optimize_report(o).json();
  };
  EXPECT_TRUE(text(1) == text(2));
}
