// Shape and value tests of the reports: result JSON (MODEL.md "Result file"), CSV files, console
// summary, on hand-built results with known numbers.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cxsim/report.hpp"
#include "cxsim/stats.hpp"
#include "cxsim/version.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kT1 = 12.706204736174698;  // t(0.975, 1)

cxsim::EntityCounts counts(std::map<std::string, double> values) {
  cxsim::EntityCounts c;
  c.values = std::move(values);
  return c;
}

// Two replications with known numbers.
cxsim::RunResult two_replications() {
  cxsim::RunResult r;
  r.info.scenario_name = "tiny";
  r.info.scenario_file = "scenarios/tiny.json";
  r.info.seed = 7;
  r.info.customers = 100;
  r.info.horizon_periods = 3;
  r.info.replications = 2;
  r.info.period_days = 1.0;
  r.info.currency = "USD";
  r.info.threads = 4;
  r.period = {0, 1, 2};
  r.nps_period = {2};
  r.replications.resize(2);
  auto& a = r.replications[0];
  auto& b = r.replications[1];
  a.metrics = {{"nps", 10},  {"survey_nps", kNaN}, {"retention", 0.9}, {"revenue", 1500},
               {"clv", 1.5}, {"csat", 80},         {"zeta_metric", 1}, {"alpha_metric", 2}};
  b.metrics = {{"nps", 30},  {"survey_nps", 20}, {"retention", 0.8}, {"revenue", 2500},
               {"clv", 2.5}, {"csat", 90},       {"zeta_metric", 1}, {"alpha_metric", 4}};
  a.series = {{"active", {100, 95, 90}}, {"nps", {10}}, {"frt", {1, kNaN, 2}}};
  b.series = {{"active", {100, 90, 80}}, {"nps", {30}}, {"frt", {3, 4, 4}}};
  a.touchpoints = {{"billing", counts({{"visits", 10}, {"failures", 2}, {"exits", 1}})},
                   {"usage", counts({{"visits", 300}, {"failures", 0}, {"exits", 0}})}};
  b.touchpoints = {{"billing", counts({{"visits", 20}, {"failures", 3}, {"exits", 0}})},
                   {"usage", counts({{"visits", 280}, {"failures", 0}, {"exits", 0}})}};
  a.channels = {
      {"phone",
       counts({{"contacts", 5}, {"frt_minutes", 2.5}, {"utilization", 0.5}, {"abandoned", 1}, {"resolved", 3}})}};
  b.channels = {
      {"phone",
       counts({{"contacts", 7}, {"frt_minutes", kNaN}, {"utilization", 0.7}, {"abandoned", 0}, {"resolved", 6}})}};
  a.interventions = {{"video", counts({{"uses", 4}, {"cost", 0.2}})}};
  b.interventions = {{"video", counts({{"uses", 6}, {"cost", 0.3}})}};
  return r;
}

// One replication, for exact CSV content.
cxsim::RunResult one_replication() {
  cxsim::RunResult r;
  r.info.scenario_name = "one";
  r.info.customers = 10;
  r.info.horizon_periods = 2;
  r.info.replications = 1;
  r.period = {0, 1};
  r.nps_period = {1};
  r.replications.resize(1);
  auto& a = r.replications[0];
  a.metrics = {{"nps", 12.5}, {"survey_nps", kNaN}};
  a.series = {{"active", {10, 9}}, {"retention", {1, 0.9}}, {"nps", {12.5}}};
  return r;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class ReportDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("cxsim_report_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

}  // namespace

TEST(Report, JsonHasContractKeys) {
  const json doc = json::parse(cxsim::run_report(two_replications()).json());
  EXPECT_EQ(doc.at("cxsim_version"), cxsim::kVersion);
  const json& sc = doc.at("scenario");
  EXPECT_EQ(sc.at("name"), "tiny");
  EXPECT_EQ(sc.at("file"), "scenarios/tiny.json");
  EXPECT_EQ(sc.at("seed"), 7);
  EXPECT_EQ(sc.at("customers"), 100);
  EXPECT_EQ(sc.at("horizon_periods"), 3);
  EXPECT_EQ(sc.at("replications"), 2);
  EXPECT_EQ(sc.at("period_days"), 1.0);
  EXPECT_EQ(sc.at("currency"), "USD");
  EXPECT_EQ(doc.at("run").at("threads"), 4);
  for (const auto& [name, m] : doc.at("metrics").items()) {
    for (const char* key : {"mean", "sd", "ci95", "replicates"}) {
      EXPECT_TRUE(m.contains(key)) << name << " lacks " << key;
    }
  }
  for (const char* key : {"period", "nps_period", "active", "nps"}) EXPECT_TRUE(doc.at("series").contains(key));
  for (const char* key : {"visits", "failures", "exits"})
    EXPECT_TRUE(doc.at("touchpoints").at("billing").contains(key));
  for (const char* key : {"contacts", "frt_minutes", "utilization", "abandoned", "resolved"}) {
    EXPECT_TRUE(doc.at("channels").at("phone").contains(key));
  }
  for (const char* key : {"uses", "cost"}) EXPECT_TRUE(doc.at("interventions").at("video").contains(key));
}

TEST(Report, JsonOpensWithVersionAndEndsWithNewline) {
  const std::string text = cxsim::run_report(two_replications()).json();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const auto doc = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& [key, value] : doc.items()) keys.push_back(key);
  // No warnings, and no series_ci95 (these results have no retention series): those blocks appear
  // only when there is something to say.
  const std::vector<std::string> expected = {"cxsim_version", "scenario",        "run",
                                             "metrics",       "series",          "touchpoints",
                                             "channels",      "channel_metrics", "interventions"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(text.rfind("{\n  \"cxsim_version\": ", 0), 0u);  // 2-space indent
}

TEST(Report, JsonMetricValues) {
  const json m = json::parse(cxsim::run_report(two_replications()).json()).at("metrics");
  const json& nps = m.at("nps");
  EXPECT_EQ(nps.at("mean").get<double>(), 20.0);
  EXPECT_NEAR(nps.at("sd").get<double>(), std::sqrt(200.0), 1e-12);
  ASSERT_EQ(nps.at("ci95").size(), 2u);
  EXPECT_NEAR(nps.at("ci95")[0].get<double>(), 20.0 - kT1 * 10.0, 1e-10);
  EXPECT_NEAR(nps.at("ci95")[1].get<double>(), 20.0 + kT1 * 10.0, 1e-10);
  EXPECT_EQ(nps.at("replicates"), json::array({10.0, 30.0}));

  const json& ret = m.at("retention");
  EXPECT_NEAR(ret.at("mean").get<double>(), 0.85, 1e-15);
  EXPECT_NEAR(ret.at("sd").get<double>(), std::sqrt(0.005), 1e-15);
  EXPECT_NEAR(ret.at("ci95")[1].get<double>() - ret.at("ci95")[0].get<double>(), 2 * kT1 * 0.05, 1e-12);

  // Every number equals summarize() to the bit: JSON doubles round-trip.
  const cxsim::Summary rev = cxsim::summarize({1500, 2500});
  EXPECT_EQ(m.at("revenue").at("mean").get<double>(), rev.mean);
  EXPECT_EQ(m.at("revenue").at("sd").get<double>(), *rev.sd);
  EXPECT_EQ(m.at("revenue").at("ci95")[0].get<double>(), rev.ci95->first);
  EXPECT_EQ(m.at("revenue").at("ci95")[1].get<double>(), rev.ci95->second);

  // An undefined replicate: null mean, sd and ci; the replicate itself is null.
  const json& survey = m.at("survey_nps");
  EXPECT_TRUE(survey.at("mean").is_null());
  EXPECT_TRUE(survey.at("sd").is_null());
  EXPECT_TRUE(survey.at("ci95").is_null());
  EXPECT_EQ(survey.at("replicates"), json::parse("[null, 20.0]"));

  // Identical replicates: zero spread.
  EXPECT_EQ(m.at("zeta_metric").at("sd").get<double>(), 0.0);
  EXPECT_EQ(m.at("zeta_metric").at("ci95"), json::array({1.0, 1.0}));
}

TEST(Report, JsonSeriesAndEntityMeans) {
  const json doc = json::parse(cxsim::run_report(two_replications()).json());
  const json& s = doc.at("series");
  EXPECT_EQ(s.at("period"), json::array({0, 1, 2}));
  EXPECT_EQ(s.at("nps_period"), json::array({2}));
  EXPECT_EQ(s.at("active"), json::array({100.0, 92.5, 85.0}));
  EXPECT_EQ(s.at("nps"), json::array({20.0}));
  EXPECT_EQ(s.at("frt"), json::parse("[2.0, null, 3.0]"));

  EXPECT_EQ(doc.at("touchpoints").at("billing"), json::parse(R"({"visits": 15.0, "failures": 2.5, "exits": 0.5})"));
  EXPECT_EQ(doc.at("touchpoints").at("usage").at("visits"), 290.0);
  const json& phone = doc.at("channels").at("phone");
  EXPECT_EQ(phone.at("contacts"), 6.0);
  EXPECT_TRUE(phone.at("frt_minutes").is_null());
  EXPECT_NEAR(phone.at("utilization").get<double>(), 0.6, 1e-15);
  EXPECT_EQ(phone.at("abandoned"), 0.5);
  EXPECT_EQ(phone.at("resolved"), 4.5);
  EXPECT_EQ(doc.at("interventions").at("video"), json::parse(R"({"uses": 5.0, "cost": 0.25})"));
}

TEST(Report, JsonOneReplicationHasNullSpread) {
  const json doc = json::parse(cxsim::run_report(one_replication()).json());
  const json& nps = doc.at("metrics").at("nps");
  EXPECT_EQ(nps.at("mean"), 12.5);
  EXPECT_TRUE(nps.at("sd").is_null());
  EXPECT_TRUE(nps.at("ci95").is_null());
  EXPECT_EQ(nps.at("replicates"), json::array({12.5}));
  EXPECT_TRUE(doc.at("touchpoints").is_object());
  EXPECT_TRUE(doc.at("touchpoints").empty());
  EXPECT_TRUE(doc.at("interventions").is_object());
}

TEST(Report, JsonIsDeterministic) {
  EXPECT_EQ(cxsim::run_report(two_replications()).json(), cxsim::run_report(two_replications()).json());
}

TEST(Report, JsonOfEmptyRun) {
  cxsim::RunResult r;
  r.info.scenario_name = "empty";
  const json doc = json::parse(cxsim::run_report(r).json());
  EXPECT_TRUE(doc.at("metrics").empty());
  EXPECT_EQ(doc.at("series").at("period"), json::array());
}

using ReportCsv = ReportDir;

TEST_F(ReportCsv, ExactContentOneReplication) {
  const fs::path dir = dir_ / "nested" / "csv";
  cxsim::CsvReporter(dir.string()).write(cxsim::run_report(one_replication()));
  EXPECT_EQ(read(dir / "series.csv"), "period,active,retention\n0,10,1\n1,9,0.9\n");
  EXPECT_EQ(read(dir / "nps.csv"), "nps_period,nps\n1,12.5\n");
  EXPECT_EQ(read(dir / "metrics.csv"),
            "metric,mean,sd,ci95_lo,ci95_hi,unit\nnps,12.5,,,,score_-100_100\nsurvey_nps,,,,,score_-100_100\n");
}

TEST_F(ReportCsv, TwoReplications) {
  cxsim::CsvReporter(dir_.string()).write(cxsim::run_report(two_replications()));
  EXPECT_EQ(read(dir_ / "series.csv"), "period,active,frt\n0,100,2\n1,92.5,\n2,85,3\n");
  EXPECT_EQ(read(dir_ / "nps.csv"), "nps_period,nps\n2,20\n");
  const std::string metrics = read(dir_ / "metrics.csv");
  const cxsim::Summary rev = cxsim::summarize({1500, 2500});
  const std::string rev_row =
      fmt::format("revenue,2000,{},{},{},currency\n", *rev.sd, rev.ci95->first, rev.ci95->second);
  EXPECT_NE(metrics.find(rev_row), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nsurvey_nps,,,,,score_-100_100\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nzeta_metric,1,0,1,1,number\n"), std::string::npos) << metrics;
  for (const char* row : {"\nretention,", "\ncsat,"}) {
    const auto at = metrics.find(row);
    ASSERT_NE(at, std::string::npos) << row << metrics;
    const std::string line = metrics.substr(at + 1, metrics.find('\n', at + 1) - at - 1);
    EXPECT_EQ(line.substr(line.rfind(',') + 1), std::string(row) == "\nretention," ? "fraction" : "score_0_100");
  }
  EXPECT_EQ(metrics.rfind("metric,mean,sd,ci95_lo,ci95_hi,unit\nalpha_metric,", 0), 0u) << metrics;
  // Full precision: the sd reads back to the same double.
  EXPECT_EQ(std::stod(fmt::format("{}", *rev.sd)), *rev.sd);
}

TEST_F(ReportCsv, FailsWhenDirectoryIsAFile) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  EXPECT_THROW(cxsim::CsvReporter((dir_ / "file").string()).write(cxsim::run_report(one_replication())),
               std::runtime_error);
}

TEST(Report, SummaryRowsAndFormatting) {
  std::ostringstream out;
  cxsim::ConsoleReporter(out).write(cxsim::run_report(two_replications()));
  const std::string text = out.str();
  std::vector<std::string> lines;
  {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "tiny: 100 customers x 2 replications, 3 periods, seed 7");

  auto row = [&](const std::string& metric) -> std::string {
    for (const auto& l : lines) {
      if (l.rfind("  " + metric + " ", 0) == 0) return l;
    }
    return "";
  };
  auto squeeze = [](std::string s) {  // collapse runs of spaces for content checks
    std::string out;
    for (char c : s) {
      if (c == ' ' && !out.empty() && out.back() == ' ') continue;
      out += c;
    }
    return out;
  };
  EXPECT_EQ(squeeze(row("nps")), " nps 20 [-107.1, 147.1]");
  EXPECT_EQ(squeeze(row("survey_nps")), " survey_nps n/a n/a");
  EXPECT_EQ(squeeze(row("retention")), " retention 85.0% [21.5%, 148.5%]");
  EXPECT_EQ(squeeze(row("revenue")), " revenue 2,000 USD [-4,353 USD, 8,353 USD]");
  EXPECT_EQ(squeeze(row("clv")), " clv 2.00 USD [-4.35 USD, 8.35 USD]");
  EXPECT_EQ(squeeze(row("csat")), " csat 85 [21.47, 148.5]");
  EXPECT_EQ(squeeze(row("zeta_metric")), " zeta_metric 1 [1, 1]");

  // Contract order first, then the others by name (the metric table ends at the first empty line).
  std::size_t table_end = 2;
  while (table_end < lines.size() && !lines[table_end].empty()) ++table_end;
  std::vector<std::string> order;
  for (std::size_t i = 2; i < table_end; ++i) {
    std::istringstream in(lines[i]);
    std::string name;
    in >> name;
    order.push_back(name);
  }
  const std::vector<std::string> expected = {"nps",     "survey_nps", "retention",    "clv",
                                             "revenue", "csat",       "alpha_metric", "zeta_metric"};
  EXPECT_EQ(order, expected);

  // Aligned columns: every CI cell starts in the same column, every mean ends in the same column.
  const std::size_t ci_col = lines[1].find("95% CI");
  ASSERT_NE(ci_col, std::string::npos);
  const std::size_t mean_end = lines[1].find("mean") + 4;
  for (std::size_t i = 2; i < table_end; ++i) {
    const std::string& l = lines[i];
    ASSERT_GT(l.size(), ci_col) << l;
    EXPECT_TRUE(l.compare(ci_col, 1, "[") == 0 || l.compare(ci_col, 3, "n/a") == 0) << l;
    EXPECT_NE(l[mean_end - 1], ' ') << l;
    EXPECT_EQ(l[mean_end], ' ') << l;
  }
}

TEST(Report, SummaryOneReplicationHasNoInterval) {
  std::ostringstream out;
  cxsim::ConsoleReporter(out).write(cxsim::run_report(one_replication()));
  const std::string text = out.str();
  EXPECT_EQ(text.rfind("one: 10 customers x 1 replications, 2 periods, seed 0\n", 0), 0u) << text;
  EXPECT_NE(text.find("12.5"), std::string::npos) << text;
  EXPECT_NE(text.find("n/a"), std::string::npos) << text;
}

TEST(Report, SummaryLargeAndSmallNumbers) {
  cxsim::RunResult r = one_replication();
  r.info.currency = "EUR";
  r.replications[0].metrics = {{"tickets_per_period", 123456.7}, {"ces", 2.345678}, {"net_value", -1234567.8},
                               {"service_cost", 999.994},        {"fcr", 0.7234},   {"frt_minutes", 0.00012341}};
  std::ostringstream out;
  cxsim::ConsoleReporter(out).write(cxsim::run_report(r));
  const std::string text = out.str();
  EXPECT_NE(text.find(" 123,457 "), std::string::npos) << text;
  EXPECT_NE(text.find(" 2.346 "), std::string::npos) << text;
  EXPECT_NE(text.find(" -1,234,568 EUR "), std::string::npos) << text;
  EXPECT_NE(text.find(" 999.99 EUR "), std::string::npos) << text;
  EXPECT_NE(text.find(" 72.3% "), std::string::npos) << text;
  EXPECT_NE(text.find(" 0.000123 "), std::string::npos) << text;  // at most 6 decimals, never 1.234e-04
}

// Per channel, each replication's counts summarized over replications: intervals like the metrics'.
TEST(Report, ChannelMetricsHaveIntervals) {
  const json doc = json::parse(cxsim::run_report(two_replications()).json());
  const json& phone = doc.at("channel_metrics").at("phone");
  // abandonment = abandoned / contacts per replication: 1/5 and 0/7.
  const cxsim::Summary abandonment = cxsim::summarize({0.2, 0.0});
  EXPECT_EQ(phone.at("abandonment").at("mean").get<double>(), abandonment.mean);
  EXPECT_EQ(phone.at("abandonment").at("ci95"), json::array({abandonment.ci95->first, abandonment.ci95->second}));
  const cxsim::Summary utilization = cxsim::summarize({0.5, 0.7});
  EXPECT_EQ(phone.at("utilization").at("mean").get<double>(), utilization.mean);
  EXPECT_EQ(phone.at("utilization").at("sd").get<double>(), *utilization.sd);
  // A replication without an answered contact has no wait: the summary is undefined.
  EXPECT_TRUE(phone.at("frt_minutes").at("mean").is_null());
  // Counts the engine does not report (service_level before version 2) are left out, not invented.
  EXPECT_FALSE(phone.contains("service_level"));
  EXPECT_FALSE(phone.contains("backlog_wait_hours"));
}

// The 95% interval of the mean retention per period (the HTML report's band), only with two or more
// replications.
TEST(Report, SeriesIntervalsOfRetention) {
  cxsim::RunResult r = two_replications();
  r.replications[0].series["retention"] = {1.0, 0.95, 0.9};
  r.replications[1].series["retention"] = {1.0, 0.9, 0.8};
  const json doc = json::parse(cxsim::run_report(r).json());
  const json& ci = doc.at("series_ci95").at("retention");
  for (std::size_t t = 0; t < 3; ++t) {
    const cxsim::Summary s =
        cxsim::summarize({r.replications[0].series["retention"][t], r.replications[1].series["retention"][t]});
    EXPECT_EQ(ci.at("lo").at(t).get<double>(), s.ci95->first) << t;
    EXPECT_EQ(ci.at("hi").at(t).get<double>(), s.ci95->second) << t;
  }
  EXPECT_FALSE(json::parse(cxsim::run_report(one_replication()).json()).contains("series_ci95"));
}

// The invocation block: right after cxsim_version when the command line sets it, replaced when set
// again, absent from documents the library builds alone (so golden files stay as they were).
TEST(Report, InvocationBlockFollowsTheVersion) {
  const cxsim::Report plain = cxsim::run_report(two_replications());
  EXPECT_FALSE(json::parse(plain.json()).contains("invocation"));
  cxsim::Invocation inv;
  inv.command_line = "cxsim run 'my scenario.json' --set /a=1 --set /b=2";
  inv.options = {{"scenario", {"my scenario.json"}, false},
                 {"set", {"/a=1", "/b=2"}, true},
                 {"seed", {"7"}, false},
                 {"trace", {"/x"}, true}};
  const cxsim::Report with = cxsim::with_invocation(plain, inv);
  EXPECT_EQ(with.kind(), "run");
  const auto doc = nlohmann::ordered_json::parse(with.json());
  std::vector<std::string> keys;
  for (const auto& [key, value] : doc.items()) keys.push_back(key);
  ASSERT_GE(keys.size(), 3u);
  EXPECT_EQ(keys[0], "cxsim_version");
  EXPECT_EQ(keys[1], "invocation");
  EXPECT_EQ(keys[2], "scenario");
  EXPECT_EQ(doc["invocation"]["command_line"], inv.command_line);
  EXPECT_EQ(doc["invocation"]["options"], nlohmann::ordered_json::parse(
                                              R"({"scenario": "my scenario.json", "set": ["/a=1", "/b=2"],
                                                  "seed": "7", "trace": ["/x"]})"));
  // Set again: one block, the new one.
  inv.command_line = "cxsim run other.json";
  inv.options.clear();
  const auto again = nlohmann::ordered_json::parse(cxsim::with_invocation(with, inv).json());
  EXPECT_EQ(again["invocation"]["command_line"], "cxsim run other.json");
  EXPECT_EQ(again.size(), doc.size());
  // Everything else is unchanged.
  auto without = doc;
  without.erase("invocation");
  EXPECT_EQ(without, nlohmann::ordered_json::parse(plain.json()));
}

// The console's per-channel lines (with intervals), the warnings and the legend.
TEST(Report, ConsoleShowsChannelsWarningsAndLegend) {
  cxsim::RunResult r = two_replications();
  r.period = {0, 1, 2, 3, 4, 5, 6, 7};
  r.info.horizon_periods = 8;
  for (auto& rep : r.replications) {
    rep.series = {{"tickets.phone", std::vector<double>(8, 10.0)}, {"abandoned.phone", std::vector<double>(8, 5.0)}};
  }
  std::ostringstream out;
  cxsim::ConsoleReporter(out).write(cxsim::run_report(r));
  const std::string text = out.str();
  EXPECT_NE(text.find("\nwarning: phone saturated from day 0 in 2 of 2 replications: more than 10% of its contacts "
                      "abandoned in 7 or more consecutive periods"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  channel  contacts/period  answered wait (min)  abandonment"), std::string::npos) << text;
  // 6 contacts over 8 periods; no answered wait in one replication (n/a); abandonment and
  // utilization with their intervals.
  const cxsim::Summary ab = cxsim::summarize({0.2, 0.0}), ut = cxsim::summarize({0.5, 0.7});
  const auto at = text.find("\n  phone ");
  ASSERT_NE(at, std::string::npos) << text;
  std::string row;
  for (const char c : text.substr(at + 1, text.find('\n', at + 1) - at - 1)) {
    if (c != ' ' || row.empty() || row.back() != ' ') row += c;
  }
  EXPECT_EQ(row, fmt::format(" phone 0.75 n/a 10.0% [{:.1f}%, {:.1f}%] 60.0% [{:.1f}%, {:.1f}%]", 100 * ab.ci95->first,
                             100 * ab.ci95->second, 100 * ut.ci95->first, 100 * ut.ci95->second));
  EXPECT_NE(text.find("  nps: population NPS, from the sentiment of every active customer"), std::string::npos);
  EXPECT_NE(text.find("survey_nps: NPS of the surveyed customers' answers only"), std::string::npos);
  EXPECT_NE(text.find("ces: customer effort, 1 to 7, higher = more effort"), std::string::npos);
  EXPECT_NE(text.find("net_value = revenue - service_cost - intervention_cost - touchpoint_cost"), std::string::npos);
}
