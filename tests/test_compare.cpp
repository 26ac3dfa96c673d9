// Strategy comparison (`cxsim compare`): paired statistics under common random numbers, the batch
// loader and its diagnostics, sequential stopping, the reports and the command line. Simulations
// are small (a few thousand customers, a few replications); tolerances come from standard errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli_helpers.hpp"
#include "cxsim/batch.hpp"
#include "cxsim/compare.hpp"
#include "cxsim/report.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/stats.hpp"

namespace {

using cxsim::testing::CliResult;
using cxsim::testing::quoted;
using cxsim::testing::read_file;
using cxsim::testing::run_cli;
using cxsim::testing::TempDir;
using cxsim::testing::write_file;

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kBatchDir = CXSIM_TEST_DATA_DIR "/batch";
const std::string kStaffing = kBatchDir + "/staffing.json";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const cxsim::VariantOutcome& outcome(const cxsim::Comparison& c, const std::string& name) {
  for (const auto& v : c.variants) {
    if (v.name == name) return v;
  }
  throw std::runtime_error("no variant " + name);
}

cxsim::Comparison run_batch(const std::string& path, const cxsim::BatchOverrides& overrides = {}, int threads = 2,
                            cxsim::CompareOptions options = {}) {
  const cxsim::Batch batch = cxsim::load_batch(path, overrides);
  options.threads = threads;
  return cxsim::run_comparison(batch, options);
}

std::vector<double> replicates(const cxsim::RunResult& r, const std::string& metric) {
  std::vector<double> out;
  for (const auto& rep : r.replications) out.push_back(rep.metrics.at(metric));
  return out;
}

cxsim::RunResult with_metric(const std::string& name, const std::vector<double>& values) {
  cxsim::RunResult r;
  for (double x : values) {
    cxsim::ReplicationResult rep;
    rep.metrics[name] = x;
    r.replications.push_back(rep);
  }
  r.info.replications = static_cast<int>(values.size());
  return r;
}

}  // namespace

// ---- statistics ---------------------------------------------------------------------------------

TEST(PairedDifferences, KnownNumbers) {
  const auto variant = with_metric("nps", {15, 18, 14});
  const auto baseline = with_metric("nps", {10, 12, 10});
  const auto d = cxsim::paired_differences(variant, baseline);
  ASSERT_EQ(d.count("nps"), 1u);
  const cxsim::Summary& s = d.at("nps");  // differences 5, 6, 4
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  ASSERT_TRUE(s.sd.has_value());
  EXPECT_DOUBLE_EQ(*s.sd, 1.0);
  // t(0.975, 2) sd / sqrt(n); with 2 degrees of freedom t(p) = (2p - 1) / sqrt(2 p (1 - p)) exactly.
  const double half = 0.95 / std::sqrt(2.0 * 0.975 * 0.025) / std::sqrt(3.0);
  ASSERT_TRUE(s.ci95.has_value());
  EXPECT_NEAR(s.ci95->first, 5.0 - half, 1e-12);
  EXPECT_NEAR(s.ci95->second, 5.0 + half, 1e-12);
  EXPECT_NEAR(cxsim::ci_half_width(s), half, 1e-12);
  EXPECT_TRUE(cxsim::interval_excludes_zero(s));  // [2.52, 7.48]
  EXPECT_EQ(cxsim::paired_replicates(variant, baseline, "nps"), (std::vector<double>{5, 6, 4}));
  // Differences 2, 3, 1: the interval [-0.48, 4.48] contains zero.
  const auto near = cxsim::paired_differences(with_metric("nps", {12, 15, 11}), baseline).at("nps");
  EXPECT_NEAR(near.ci95->first, 2.0 - half, 1e-12);
  EXPECT_FALSE(cxsim::interval_excludes_zero(near));
}

TEST(PairedDifferences, UndefinedAndMissingMetricsGiveUndefinedDeltas) {
  auto variant = with_metric("nps", {1, 2});
  auto baseline = with_metric("nps", {1, kNaN});
  baseline.replications[0].metrics["csat"] = 50;
  baseline.replications[1].metrics["csat"] = 60;
  const auto d = cxsim::paired_differences(variant, baseline);
  EXPECT_TRUE(std::isnan(d.at("nps").mean));
  EXPECT_FALSE(d.at("nps").ci95.has_value());
  EXPECT_TRUE(std::isnan(d.at("csat").mean));  // absent from the variant
  EXPECT_TRUE(std::isnan(cxsim::ci_half_width(d.at("nps"))));
  EXPECT_FALSE(cxsim::interval_excludes_zero(d.at("nps")));
}

TEST(PairedDifferences, UnequalReplicationsAreAProgrammerError) {
  EXPECT_THROW(cxsim::paired_differences(with_metric("nps", {1, 2}), with_metric("nps", {1})), std::logic_error);
}

// Objectives are checked against reported_metric_names(); it must list exactly what a run reports.
TEST(ReportedMetrics, ListMatchesWhatTheRunnerProduces) {
  const cxsim::Batch batch = cxsim::load_batch(kStaffing);
  const cxsim::Variant& base = batch.variants.front();
  cxsim::RunOptions o;
  o.threads = 2;
  o.replication_count = 1;
  const cxsim::RunResult r = cxsim::run_simulation(base.scenario, o);
  std::vector<std::string> produced;
  for (const auto& [name, value] : r.replications.at(0).metrics) produced.push_back(name);
  EXPECT_EQ(produced, cxsim::reported_metric_names());
}

// ---- comparisons ------------------------------------------------------------------------------

// A variant equal to the baseline (empty patch, or a patch restating the base's values) differs
// by exactly zero in every metric, with a zero-width interval, and its run is the baseline's.
TEST(Compare, SelfComparisonIsExactlyZero) {
  const cxsim::Comparison c = run_batch(kStaffing);
  ASSERT_EQ(c.variants.front().name, "baseline");
  const cxsim::RunResult& base = c.variants.front().result;
  for (const std::string name : {"empty_patch", "same_values", "baseline"}) {
    SCOPED_TRACE(name);
    const cxsim::VariantOutcome& v = outcome(c, name);
    EXPECT_EQ(cxsim::run_report(v.result).json(), cxsim::run_report(base).json());
    ASSERT_EQ(v.delta.size(), cxsim::reported_metric_names().size());
    for (const auto& [metric, d] : v.delta) {
      SCOPED_TRACE(metric);
      const auto values = replicates(base, metric);
      const bool defined = std::all_of(values.begin(), values.end(), [](double x) { return std::isfinite(x); });
      if (!defined) {
        EXPECT_TRUE(std::isnan(d.mean));
        continue;
      }
      EXPECT_EQ(d.mean, 0.0);
      ASSERT_TRUE(d.ci95.has_value());
      EXPECT_EQ(d.ci95->first, 0.0);
      EXPECT_EQ(d.ci95->second, 0.0);
    }
  }
  // The real variants do move: the zeros above are not an artifact of ignoring patches.
  EXPECT_GT(std::fabs(outcome(c, "more_agents").delta.at("service_cost").mean), 0.0);
  EXPECT_GT(std::fabs(outcome(c, "higher_fcr").delta.at("fcr").mean), 0.0);
}

// Halving the base hazard of a single-touchpoint scenario with gamma frailty v (nothing else
// moving): retention S(T) = (1 + v h T)^(-1/v), so the delta is S(h/2) - S(h). Under common random
// numbers a customer keeps its frailty z and its hazard draws in both runs, and its churn is
// monotone in the hazard given those draws (it churns in period t when its draw u_t < p_t(z), and
// p_t is smaller in the variant): every variant customer outlives its baseline twin, the
// per-customer difference is 1 with probability delta and 0 otherwise, and the standard error of
// the mean difference over N customer-replications is sqrt(delta (1 - delta) / N).
TEST(Compare, LowerHazardGivesTheClosedFormRetentionDelta) {
  TempDir dir("compare");
  const double v = 0.5, h = 0.004;
  const int horizon = 180, customers = 5000, reps = 4;
  write_file(dir.path() / "base.json", R"({"name": "one touchpoint", "seed": 2024, "horizon_periods": )" +
                                           std::to_string(horizon) + R"(, "replications": )" + std::to_string(reps) +
                                           R"(, "population": {"customers": )" + std::to_string(customers) + R"(},
    "segments": {"all": {"share": 1, "hazard": {"base": 0.004, "frailty_variance": 0.5}}},
    "journey": {"entry": "home", "touchpoints": {"home": {"next": {"home": 1}}}},
    "churn": {"sentiment": 0, "open_issue": 0, "bad_experiences": 0, "effort": 0}})");
  write_file(dir.path() / "batch.json", R"({"name": "hazard", "base": "base.json", "objective": "retention",
    "variants": {"lower_hazard": {"patch": {"segments": {"all": {"hazard": {"base": 0.002}}}}}}})");
  const cxsim::Comparison c = run_batch((dir.path() / "batch.json").string());
  const auto survival = [&](double hazard) { return std::pow(1.0 + v * hazard * horizon, -1.0 / v); };
  const double expected = survival(h / 2) - survival(h);
  const double n = static_cast<double>(customers) * reps;
  const double se = std::sqrt(expected * (1.0 - expected) / n);
  const cxsim::Summary& d = outcome(c, "lower_hazard").delta.at("retention");
  EXPECT_NEAR(d.mean, expected, 5.0 * se);
  ASSERT_TRUE(d.ci95.has_value());
  EXPECT_GT(d.ci95->first, 0.0);
  EXPECT_TRUE(cxsim::interval_excludes_zero(d));
  for (double x : cxsim::paired_replicates(outcome(c, "lower_hazard").result, c.variants.front().result, "retention")) {
    EXPECT_GT(x, 0.0);  // the coupling is monotone in every replication
  }
  // The baseline itself sits on the closed form.
  const double s = survival(h);
  EXPECT_NEAR(cxsim::summarize(replicates(c.variants.front().result, "retention")).mean, s,
              5.0 * std::sqrt(s * (1.0 - s) / n));
}

// Common random numbers pay: on a shipped batch, the paired interval of the objective's delta is
// narrower than Welch's unpaired interval computed from the very same replicates.
TEST(Compare, CommonRandomNumbersNarrowTheObjectiveInterval) {
  cxsim::BatchOverrides small;
  small.run.customers = 4000;
  small.run.replications = 3;
  small.run.horizon = 120;
  const cxsim::Comparison c = run_batch(CXSIM_SOURCE_DIR "/scenarios/strategies/ecommerce_delivery.json", small);
  const std::string& metric = c.objective.metric;
  const auto base = replicates(c.variants.front().result, metric);
  ASSERT_GE(c.variants.size(), 3u);
  for (std::size_t k = 1; k < c.variants.size(); ++k) {
    SCOPED_TRACE(c.variants[k].name);
    const auto var = replicates(c.variants[k].result, metric);
    const double n = static_cast<double>(var.size());
    const double va = std::pow(*cxsim::summarize(var).sd, 2) / n, vb = std::pow(*cxsim::summarize(base).sd, 2) / n;
    const double dof = (va + vb) * (va + vb) / (va * va / (n - 1) + vb * vb / (n - 1));  // Welch-Satterthwaite
    const double unpaired = cxsim::student_t_quantile(0.975, dof) * std::sqrt(va + vb);
    const double paired = cxsim::ci_half_width(c.variants[k].delta.at(metric));
    EXPECT_LT(paired, unpaired);
    std::cout << "[ info ] " << c.variants[k].name << ": paired half-width " << paired << ", unpaired " << unpaired
              << " (ratio " << paired / unpaired << ")\n";
  }
}

TEST(Compare, DeterministicAcrossThreadCounts) {
  const auto json_for = [](int threads) {
    cxsim::Comparison c = run_batch(kStaffing, {}, threads);
    for (auto& v : c.variants) v.result.info.threads = 0;
    return cxsim::comparison_report(c).json();
  };
  const std::string one = json_for(1);
  EXPECT_TRUE(one == json_for(2)) << "comparison differs between 1 and 2 threads";
}

// ---- sequential stopping ----------------------------------------------------------------------

TEST(SequentialStopping, StopsWhenTheTargetIsReachedWithTheBitsOfOneRun) {
  cxsim::BatchOverrides two;
  two.run.replications = 2;
  two.run.customers = 1000;
  const cxsim::Comparison first = run_batch(kStaffing, two);
  double widest = 0.0;
  for (std::size_t k = 1; k < first.variants.size(); ++k) {
    widest = std::max(widest, cxsim::ci_half_width(first.variants[k].delta.at("net_value")));
  }
  ASSERT_GT(widest, 0.0);

  cxsim::CompareOptions options;
  options.target_half_width = widest / 4.0;  // needs more than the first round
  options.max_replications = 40;
  std::vector<cxsim::RoundReport> rounds;
  options.on_round = [&rounds](const cxsim::RoundReport& r) { rounds.push_back(r); };
  const cxsim::Comparison c = run_batch(kStaffing, two, 2, options);
  EXPECT_EQ(c.stop, cxsim::StopReason::kTargetReached);
  EXPECT_GE(c.rounds, 2);
  ASSERT_EQ(rounds.size(), static_cast<std::size_t>(c.rounds));
  EXPECT_GT(c.replications, 2);
  EXPECT_LE(c.replications, 40);
  for (std::size_t k = 1; k < c.variants.size(); ++k) {
    EXPECT_LE(cxsim::ci_half_width(c.variants[k].delta.at("net_value")), *options.target_half_width);
  }
  for (std::size_t i = 0; i + 1 < rounds.size(); ++i) {
    EXPECT_GT(rounds[i].worst_half_width, *options.target_half_width) << "round " << i + 1;
    EXPECT_EQ(rounds[i].next_replications, rounds[i + 1].replications);
  }
  EXPECT_EQ(rounds.back().next_replications, 0);
  EXPECT_EQ(rounds.back().replications, c.replications);

  // The same replications run at once give the same bits.
  cxsim::BatchOverrides all = two;
  all.run.replications = c.replications;
  const cxsim::Comparison once = run_batch(kStaffing, all);
  const json a = json::parse(cxsim::comparison_report(c).json()),
             b = json::parse(cxsim::comparison_report(once).json());
  EXPECT_TRUE(a.at("variants") == b.at("variants"));
  EXPECT_EQ(a.at("stopping").at("outcome"), "target_reached");
  EXPECT_EQ(b.at("stopping").at("outcome"), "fixed");
}

TEST(SequentialStopping, StopsAtTheCapAndSaysSo) {
  cxsim::BatchOverrides two;
  two.run.replications = 2;
  two.run.customers = 1000;
  cxsim::CompareOptions options;
  options.target_half_width = 1e-9;  // below any real variant's interval
  options.max_replications = 5;
  const cxsim::Comparison c = run_batch(kStaffing, two, 2, options);
  EXPECT_EQ(c.stop, cxsim::StopReason::kMaxReplications);
  EXPECT_EQ(c.replications, 5);
  EXPECT_EQ(c.variants.front().result.replications.size(), 5u);
  const json doc = json::parse(cxsim::comparison_report(c).json());
  EXPECT_EQ(doc.at("stopping").at("outcome"), "max_replications");
  EXPECT_EQ(doc.at("stopping").at("max_replications"), 5);
  EXPECT_EQ(doc.at("stopping").at("replications"), 5);
}

TEST(SequentialStopping, RefusesBadTargetsAndCaps) {
  const cxsim::Batch batch = cxsim::load_batch(kStaffing);  // 3 replications in the first round
  cxsim::CompareOptions options;
  options.target_half_width = -1.0;
  EXPECT_THROW(cxsim::run_comparison(batch, options), cxsim::InputError);
  options.target_half_width = 10.0;
  options.max_replications = 2;
  EXPECT_THROW(cxsim::run_comparison(batch, options), cxsim::InputError);
}

// ---- batch loading ----------------------------------------------------------------------------

TEST(Batch, LoadsBaselineFirstAndVariantsInNameOrder) {
  const cxsim::Batch b = cxsim::load_batch(kStaffing);
  std::vector<std::string> names;
  for (const auto& v : b.variants) names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"baseline", "empty_patch", "higher_fcr", "more_agents", "same_values"}));
  EXPECT_EQ(b.objective.metric, "net_value");
  EXPECT_EQ(b.objective.direction, cxsim::Direction::kMaximize);
  EXPECT_EQ(b.base_file, kBatchDir + "/base.json");
  for (const auto& v : b.variants) EXPECT_EQ(v.scenario.seed, 11u);
}

TEST(Batch, SetEditsTheBaseBeforeThePatches) {
  cxsim::BatchOverrides o;
  o.assignments = {cxsim::parse_assignment("/service/channels/phone/agents=2"),
                   cxsim::parse_assignment("/population/customers=1000")};
  const cxsim::Batch b = cxsim::load_batch(kStaffing, o);
  for (const auto& v : b.variants) {
    SCOPED_TRACE(v.name);
    EXPECT_EQ(v.scenario.population.customers, 1000);
    const auto& phone = v.scenario.service.channels.at(0);  // channels in id order: phone, web
    ASSERT_EQ(phone.id, "phone");
    EXPECT_EQ(phone.agents->default_value, v.name == "more_agents" ? 3 : v.name == "same_values" ? 1 : 2);
  }
}

TEST(Batch, ObjectiveStringAndObjectForms) {
  TempDir dir("compare");
  fs::copy_file(kBatchDir + "/base.json", dir.path() / "base.json");
  write_file(dir.path() / "a.json",
             R"({"base": "base.json", "objective": "retention", "variants": {"x": {"patch": {}}}})");
  write_file(dir.path() / "b.json",
             R"({"base": "base.json", "objective": {"metric": "service_cost", "direction": "minimize"},
    "variants": {"x": {"patch": {}}}})");
  const cxsim::Batch a = cxsim::load_batch((dir.path() / "a.json").string());
  EXPECT_EQ(a.objective.metric, "retention");
  EXPECT_EQ(a.objective.direction, cxsim::Direction::kMaximize);
  EXPECT_EQ(a.name, "a");  // defaults to the file's stem
  const cxsim::Batch b = cxsim::load_batch((dir.path() / "b.json").string());
  EXPECT_EQ(b.objective.metric, "service_cost");
  EXPECT_EQ(b.objective.direction, cxsim::Direction::kMinimize);
}

TEST(Batch, RankingFollowsTheDirection) {
  cxsim::Comparison c;
  c.objective = {"service_cost", cxsim::Direction::kMinimize};
  for (const auto& [name, cost] : std::vector<std::pair<std::string, double>>{
           {"baseline", 5}, {"cheap", 3}, {"dear", 9}, {"undefined", kNaN}, {"tie", 5}}) {
    cxsim::VariantOutcome v;
    v.name = name;
    v.result = with_metric("service_cost", {cost, cost});
    c.variants.push_back(v);
  }
  EXPECT_EQ(cxsim::rank_variants(c), (std::vector<std::size_t>{1, 0, 4, 2, 3}));
  c.objective.direction = cxsim::Direction::kMaximize;
  EXPECT_EQ(cxsim::rank_variants(c), (std::vector<std::size_t>{2, 0, 4, 1, 3}));
}

// Every file in tests/data/batch/bad/ (listed in its EXPECTED.tsv with the pointer and text of the
// expected diagnostic) is refused by the loader and by the command line (exit 2, no output file).
TEST(BadBatch, LoaderAndCommandLineRefuseEveryFile) {
  const std::string bad_dir = kBatchDir + "/bad";
  std::ifstream in(bad_dir + "/EXPECTED.tsv");
  ASSERT_TRUE(in.good());
  TempDir dir("compare");
  const fs::path out = dir.path() / "out.json";
  std::size_t cases = 0;
  std::string line;
  std::set<std::string> listed;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
    ASSERT_NE(tab2, std::string::npos) << line;
    const std::string file = bad_dir + "/" + line.substr(0, tab1);
    const std::string prefix = file + ":" + line.substr(tab1 + 1, tab2 - tab1 - 1) + ": error: ";
    const std::string text = line.substr(tab2 + 1);
    listed.insert(line.substr(0, tab1));
    ++cases;
    SCOPED_TRACE(file);

    std::string all;
    try {
      cxsim::load_batch(file);
      ADD_FAILURE() << "loaded without error";
    } catch (const cxsim::InputError& e) {
      for (const auto& d : e.diagnostics()) all += cxsim::format_diagnostic(d) + "\n";
    }
    const auto at = all.find(prefix);
    EXPECT_NE(at, std::string::npos) << "expected " << prefix << " in:\n" << all;
    if (at != std::string::npos) {
      EXPECT_NE(all.find(text, at), std::string::npos) << all;
    }

    fs::remove(out);
    const CliResult r = run_cli("compare " + quoted(file) + " -o " + quoted(out.string()) + " --quiet", dir.path());
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(prefix), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << "an output file was written for an invalid batch";
  }
  EXPECT_GE(cases, 15u);
  for (const auto& entry : fs::directory_iterator(bad_dir)) {
    const std::string name = entry.path().filename().string();
    if (name != "EXPECTED.tsv") {
      EXPECT_EQ(listed.count(name), 1u) << name << " is not in EXPECTED.tsv";
    }
  }
}

// ---- command line -----------------------------------------------------------------------------

TEST(CompareCli, WritesTheResultFileCsvAndRanking) {
  TempDir dir("compare");
  const fs::path out = dir.path() / "cmp.json", csv = dir.path() / "csv";
  const CliResult r = run_cli("compare " + quoted(kStaffing) + " -o " + quoted(out.string()) + " --csv " +
                                  quoted(csv.string()) + " --threads 2",
                              dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const json doc = json::parse(read_file(out));
  EXPECT_EQ(doc.at("batch").at("objective").at("metric"), "net_value");
  EXPECT_EQ(doc.at("batch").at("objective").at("direction"), "maximize");
  EXPECT_EQ(doc.at("stopping").at("outcome"), "fixed");
  EXPECT_EQ(doc.at("stopping").at("replications"), 3);
  EXPECT_EQ(doc.at("ranking").size(), 5u);
  ASSERT_EQ(doc.at("variants").size(), 5u);
  for (const auto& [name, v] : doc.at("variants").items()) {
    SCOPED_TRACE(name);
    for (const char* key :
         {"cxsim_version", "scenario", "metrics", "series", "touchpoints", "channels", "interventions", "delta"}) {
      EXPECT_TRUE(v.contains(key)) << key;
    }
    EXPECT_EQ(v.at("scenario").at("replications"), 3);
    const json& d = v.at("delta").at("net_value");
    EXPECT_TRUE(d.contains("mean") && d.contains("ci95") && d.at("ci95").size() == 2u);
    EXPECT_EQ(d.at("replicates").size(), 3u);
  }
  // The ranking is by net_value, best first, and flags intervals that exclude zero.
  double previous = std::numeric_limits<double>::infinity();
  for (const auto& row : doc.at("ranking")) {
    EXPECT_LE(row.at("mean").get<double>(), previous);
    previous = row.at("mean").get<double>();
    const std::string name = row.at("variant");
    EXPECT_EQ(row.at("delta"), doc.at("variants").at(name).at("delta").at("net_value").at("mean"));
  }
  for (const auto& row : doc.at("ranking")) {
    const std::string name = row.at("variant");
    const json& ci = doc.at("variants").at(name).at("delta").at("net_value").at("ci95");
    EXPECT_EQ(row.at("excludes_zero").get<bool>(), ci.at(0).get<double>() > 0.0 || ci.at(1).get<double>() < 0.0)
        << name;
    if (name == "empty_patch" || name == "same_values") {  // equal to the baseline: exactly zero
      EXPECT_EQ(row.at("delta"), 0.0);
      EXPECT_FALSE(row.at("excludes_zero").get<bool>());
    }
  }

  const std::string table = read_file(csv / "comparison.csv");
  EXPECT_EQ(table.rfind("variant,metric,mean,sd,ci95_lo,ci95_hi,delta,delta_sd,delta_ci95_lo,delta_ci95_hi,"
                        "delta_excludes_zero,unit\n",
                        0),
            0u);
  EXPECT_NE(table.find(",currency\n"), std::string::npos);
  const auto rows = static_cast<std::size_t>(std::count(table.begin(), table.end(), '\n'));
  EXPECT_EQ(rows, 1 + 5 * cxsim::reported_metric_names().size());
  EXPECT_NE(table.find("\nempty_patch,net_value,"), std::string::npos);
  for (const char* v : {"baseline", "empty_patch", "higher_fcr", "more_agents", "same_values"}) {
    EXPECT_TRUE(fs::exists(csv / v / "series.csv")) << v;
  }
  EXPECT_NE(r.out.find("rank  variant"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("more_agents"), std::string::npos);
  EXPECT_NE(r.out.find("  *\n"), std::string::npos) << r.out;
}

TEST(CompareCli, TargetCiSaysWhetherItWasReached) {
  TempDir dir("compare");
  const fs::path out = dir.path() / "cmp.json";
  const std::string base =
      "compare " + quoted(kStaffing) + " -o " + quoted(out.string()) + " --threads 2 --replications 2 --customers 1000";
  CliResult r = run_cli(base + " --target-ci 0.000001 --max-replications 3", dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  json doc = json::parse(read_file(out));
  EXPECT_EQ(doc.at("stopping").at("rule"), "target_ci");
  EXPECT_EQ(doc.at("stopping").at("outcome"), "max_replications");
  EXPECT_EQ(doc.at("stopping").at("replications"), 3);
  EXPECT_NE(r.out.find("target NOT reached"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("round 1: 2 replications"), std::string::npos) << r.err;

  r = run_cli(base + " --target-ci 1e12", dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  doc = json::parse(read_file(out));
  EXPECT_EQ(doc.at("stopping").at("outcome"), "target_reached");
  EXPECT_EQ(doc.at("stopping").at("replications"), 2);
  EXPECT_NE(r.out.find("target reached"), std::string::npos) << r.out;
}

TEST(CompareCli, BadOptionsExitTwoWithoutOutput) {
  TempDir dir("compare");
  const fs::path out = dir.path() / "cmp.json";
  const std::string base = "compare " + quoted(kStaffing) + " -o " + quoted(out.string()) + " --quiet";
  for (const std::string& extra :
       {std::string("--max-replications 10"),  // needs --target-ci
        std::string("--target-ci -1"), std::string("--target-ci 5 --max-replications 2"),
        std::string("--replications 0"), std::string("--set /seed"), std::string("--set /population/customers=many")}) {
    SCOPED_TRACE(extra);
    const CliResult r = run_cli(base + " " + extra, dir.path());
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
  const CliResult r = run_cli(base + " --set /population/customers=many", dir.path());
  EXPECT_NE(r.err.find("<command line>:/population/customers: error: --set /population/customers=many: "),
            std::string::npos)
      << r.err;
}

// The console's number formats for values and changes.
TEST(CompareReport, FormatsChangesWithSignsAndPercentagePoints) {
  EXPECT_EQ(cxsim::format_metric("retention", 0.0125, "USD", true), "+1.25 pp");
  EXPECT_EQ(cxsim::format_metric("retention", -0.0125, "USD", true), "-1.25 pp");
  EXPECT_EQ(cxsim::format_metric("retention", 0.0, "USD", true), "0.00 pp");
  EXPECT_EQ(cxsim::format_metric("retention", 0.0125, "USD"), "1.2%");
  EXPECT_EQ(cxsim::format_metric("net_value", 1234567.4, "EUR", true), "+1,234,567 EUR");
  EXPECT_EQ(cxsim::format_metric("net_value", -512.345, "EUR", true), "-512.35 EUR");
  EXPECT_EQ(cxsim::format_metric("nps", 2.5, "", true), "+2.5");
  EXPECT_EQ(cxsim::format_metric("nps", kNaN, "", true), "n/a");
}
