// The HTML report (sim/html_report.hpp, docs/html-report.md): the page's structure (three embedded
// bundles, one script element each, no external URL outside them, data escaped), charts that follow
// the data the document holds, numbers as the console writes them, and a golden of the chart
// specifications of a small run and a small comparison.
//
// After an intended change of the charts, regenerate the goldens and review the diff:
//   CXSIM_UPDATE_GOLDEN=1 build/tests/cxsim_tests --gtest_filter='*Golden*'
// (the same switch as the result goldens, tests/test_golden.cpp). The browser test
// (tools/vega/check-reports.mjs, ctest html_report_browser) checks that the pages render.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxsim/batch.hpp"
#include "cxsim/compare.hpp"
#include "cxsim/report.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "cxsim/stats.hpp"
#include "html_report.hpp"
#include "io.hpp"
#include "report_document.hpp"

namespace {

using OJson = nlohmann::ordered_json;
using Json = nlohmann::json;

const std::string kDataDir = CXSIM_TEST_DATA_DIR;
const std::string kGoldenDir = CXSIM_TEST_DATA_DIR "/golden/html_report";

bool update_requested() {
  const char* v = std::getenv("CXSIM_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

OJson read_json(const std::string& path) { return OJson::parse(read_text(path)); }

// A small run of the telecom scenario (3 channels, 3 interventions, NPS reported at 29 and 39), as
// the result file holds it.
const OJson& small_run() {
  static const OJson doc = [] {
    cxsim::Scenario s = cxsim::load_scenario(CXSIM_SOURCE_DIR "/scenarios/telecom_subscription.json");
    s.file = "scenarios/telecom_subscription.json";
    s.population.customers = 400;
    s.horizon_periods = 40;
    s.replications = 2;
    cxsim::RunOptions options;
    options.threads = 2;
    return cxsim::run_report(cxsim::run_simulation(s, options)).document().json;
  }();
  return doc;
}

// A small comparison: tests/data/batch/staffing.json (baseline and four variants, two of them equal
// to the baseline) on 400 customers over 40 periods.
const OJson& small_comparison() {
  static const OJson doc = [] {
    cxsim::BatchOverrides overrides;
    overrides.run.customers = 400;
    overrides.run.horizon = 40;
    overrides.run.replications = 2;
    cxsim::Batch batch = cxsim::load_batch(kDataDir + "/batch/staffing.json", overrides);
    cxsim::CompareOptions options;
    options.threads = 2;
    OJson doc = cxsim::comparison_report(cxsim::run_comparison(batch, options)).document().json;
    doc["batch"]["file"] = "tests/data/batch/staffing.json";  // independent of the checkout's place
    doc["batch"]["base"] = "tests/data/batch/base.json";
    return doc;
  }();
  return doc;
}

std::vector<std::string> chart_ids(const Json& charts) {
  std::vector<std::string> ids;
  for (const auto& c : charts) ids.push_back(c.at("id").get<std::string>());
  return ids;
}

const Json& chart(const Json& charts, const std::string& id) {
  for (const auto& c : charts) {
    if (c.at("id") == id) return c;
  }
  throw std::runtime_error("no chart " + id);
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// The page without the embedded bundles' elements.
std::string outside_bundles(const std::string& html) {
  std::string out;
  std::size_t from = 0;
  for (auto at = html.find("<script data-cxsim-bundle="); at != std::string::npos;
       at = html.find("<script data-cxsim-bundle=", from)) {
    out += html.substr(from, at - from);
    const auto end = html.find("</script>", at);
    if (end == std::string::npos) return out;
    from = end + std::string("</script>").size();
  }
  return out + html.substr(from);
}

// The JSON text of the <script type="application/json" id="cxsim-charts"> element.
std::string embedded_charts(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"cxsim-charts\">";
  const auto begin = html.find(open);
  if (begin == std::string::npos) return "";
  const auto end = html.find("</script>", begin);
  return html.substr(begin + open.size(), end - begin - open.size());
}

TEST(HtmlReport, ResultKindFollowsTheTopLevelKeys) {
  EXPECT_EQ(cxsim::result_kind(small_run()), cxsim::ResultKind::kRun);
  EXPECT_EQ(cxsim::result_kind(read_json(kDataDir + "/golden/ecommerce_retailer.json")), cxsim::ResultKind::kRun);
  EXPECT_EQ(cxsim::result_kind(OJson{{"batch", OJson::object()}, {"variants", OJson::object()}}),
            cxsim::ResultKind::kComparison);
  // A later kind wins over the run keys its points may carry.
  EXPECT_EQ(cxsim::result_kind(OJson{{"sweep", 1}, {"scenario", 1}, {"metrics", 1}}), cxsim::ResultKind::kSweep);
  EXPECT_EQ(cxsim::result_kind(OJson{{"sensitivity", 1}}), cxsim::ResultKind::kSensitivity);
  EXPECT_EQ(cxsim::result_kind(OJson{{"attribution", 1}}), cxsim::ResultKind::kAttribution);
  EXPECT_EQ(cxsim::result_kind(OJson{{"optimize", 1}}), cxsim::ResultKind::kOptimize);
  EXPECT_EQ(cxsim::result_kind(OJson{{"calibration", 1}}), cxsim::ResultKind::kCalibration);
  EXPECT_EQ(cxsim::result_kind(OJson{{"context", 1}, {"benchmarks", 1}}), cxsim::ResultKind::kUnknown);
  EXPECT_EQ(cxsim::result_kind(OJson::array()), cxsim::ResultKind::kUnknown);
  EXPECT_THROW(cxsim::html_report(OJson::array()), std::invalid_argument);
}

// Three bundles, each once and in its own script element; besides them only the chart data and the
// boot script; no URL outside the bundles' text; a policy that forbids every request.
TEST(HtmlReport, PageIsSelfContained) {
  for (const OJson* doc : {&small_run(), &small_comparison()}) {
    const std::string html = cxsim::html_report(*doc);
    EXPECT_EQ(count(html, "<script"), 5u);
    EXPECT_EQ(count(html, "</script>"), 5u);  // no bundle text closes its element early
    for (const char* name : {"vega", "vega-lite", "vega-embed"}) {
      EXPECT_EQ(count(html, std::string("<script data-cxsim-bundle=\"") + name + "\">"), 1u) << name;
    }
    EXPECT_NE(html.find("vegaEmbed"), std::string::npos);
    EXPECT_NE(html.find("\"vega-lite\""), std::string::npos);
    EXPECT_EQ(html.find("sourceMappingURL"), std::string::npos);
    EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none';"), std::string::npos);

    const std::string outside = outside_bundles(html);
    EXPECT_LT(outside.size(), html.size() - 800000) << "the bundles were not found";
    EXPECT_EQ(outside.find("http://"), std::string::npos);
    EXPECT_EQ(outside.find("https://"), std::string::npos);
    EXPECT_EQ(outside.find("<link"), std::string::npos);
    EXPECT_EQ(outside.find(" src="), std::string::npos);
    EXPECT_EQ(outside.find("@import"), std::string::npos);
    EXPECT_EQ(outside.find("url("), std::string::npos);

    // The embedded charts are exactly chart_specs(), with every chart's box on the page.
    const Json charts = Json::parse(embedded_charts(html));
    EXPECT_EQ(charts, cxsim::chart_specs(*doc));
    for (const auto& id : chart_ids(charts)) {
      EXPECT_EQ(count(html, "id=\"chart-" + id + "\""), 1u) << id;
    }
  }
}

// Text from the document cannot end the data element or inject markup.
TEST(HtmlReport, EscapesDataAndText) {
  OJson doc = small_run();
  const std::string evil = "</script><script>alert(1)</script><!-- & \"quoted\" 'single'";
  doc["scenario"]["name"] = evil;
  doc["series"]["tickets.</script><b>x"] = doc["series"]["tickets.phone"];
  const std::string html = cxsim::html_report(doc);
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_EQ(html.find("<b>x"), std::string::npos);
  EXPECT_NE(
      html.find(
          "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp; &quot;quoted&quot; &#39;single&#39;"),
      std::string::npos);
  const std::string data = embedded_charts(html);
  EXPECT_EQ(data.find('<'), std::string::npos);
  EXPECT_NE(data.find("\\u003c/script>\\u003cb>x"), std::string::npos);
  // ... and reads back to the same names.
  const Json tickets = chart(Json::parse(data), "tickets");
  bool found = false;
  for (const auto& row : tickets["spec"]["data"]["values"]) found = found || row["series"] == "</script><b>x";
  EXPECT_TRUE(found);
  EXPECT_EQ(count(html, "<script"), 5u);
  // The title option overrides the name, escaped too.
  cxsim::HtmlReportOptions options;
  options.title = "A <title>";
  options.command_line = "cxsim run x.json --set '/a=<b>'";
  const std::string titled = cxsim::html_report(doc, options);
  EXPECT_NE(titled.find("<title>A &lt;title&gt;</title>"), std::string::npos);
  EXPECT_NE(titled.find("<code>cxsim run x.json --set &#39;/a=&lt;b&gt;&#39;</code>"), std::string::npos);
}

// A run of today's result version: the charts its data allow, and none for absent keys.
TEST(HtmlReport, RunChartsFollowTheData) {
  const Json charts = cxsim::chart_specs(small_run());
  const std::vector<std::string> expected = {
      "retention",     "active",         "nps",         "tickets",       "service_level",    "utilization",
      "intraday_chat", "intraday_phone", "touchpoints", "interventions", "intervention_uses"};
  EXPECT_EQ(chart_ids(charts), expected);

  // Retention: the mean line and the band of its 95% interval per period (series_ci95: two replications).
  EXPECT_EQ(chart(charts, "retention")["expected_marks"], (Json{{"area", 1}, {"line", 1}}));
  OJson one_replication = small_run();
  one_replication.erase("series_ci95");
  EXPECT_EQ(chart(cxsim::chart_specs(one_replication), "retention")["expected_marks"], (Json{{"line", 1}}));
  // NPS: the population line with a point per report period, and the pooled survey NPS with its
  // interval at the last report period.
  const Json& nps = chart(charts, "nps");
  EXPECT_EQ(nps["expected_marks"], (Json{{"line", 2}, {"symbol", 3}, {"rule", 1}, {"text", 2}}));
  // Tickets: a line and a label per channel.
  EXPECT_EQ(chart(charts, "tickets")["expected_marks"], (Json{{"line", 3}, {"text", 3}}));
  // This small run never waits and never builds a backlog: those charts are left out, and the page
  // says so.
  const std::string html = cxsim::html_report(small_run());
  EXPECT_NE(html.find("<li>Answered wait (FRT) by channel: zero throughout (chat, phone, self_service).</li>"),
            std::string::npos);
  // Occupancy: a line and a label per staffed channel (self-service has no agents and no series).
  EXPECT_EQ(chart(charts, "utilization")["expected_marks"], (Json{{"line", 2}, {"text", 2}}));
  // Bars: one per touchpoint and measure, each labelled.
  const std::size_t tps = small_run()["touchpoints"].size();
  EXPECT_EQ(chart(charts, "touchpoints")["expected_marks"], (Json{{"rect", 2 * tps}, {"text", 2 * tps}}));
  const std::size_t ivs = small_run()["interventions"].size();
  EXPECT_EQ(chart(charts, "interventions")["expected_marks"], (Json{{"rect", 3 * ivs}, {"text", 3 * ivs}}));
}

// The keys of later result versions (tests/data/html_report/run_v2_keys.json) light up their charts.
TEST(HtmlReport, LaterKeysAddTheirCharts) {
  const OJson doc = read_json(kDataDir + "/html_report/run_v2_keys.json");
  const Json charts = cxsim::chart_specs(doc);
  const auto ids = chart_ids(charts);
  for (const char* id : {"joined", "service_level", "abandoned", "backlog", "backlog_wait", "intraday_phone"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }
  // The retention band: the 95% interval of the mean per period (series_ci95), rounded for the chart.
  const Json& retention = chart(charts, "retention");
  EXPECT_EQ(retention["expected_marks"], (Json{{"area", 1}, {"line", 1}}));
  const Json& band = retention["spec"]["layer"][0]["data"]["values"];
  const auto& ci = doc["series_ci95"]["retention"];
  ASSERT_EQ(band.size(), ci["lo"].size());
  EXPECT_NEAR(band[5]["lo"].get<double>(), ci["lo"][5].get<double>(), 1e-5);
  EXPECT_NEAR(band[5]["hi"].get<double>(), ci["hi"][5].get<double>(), 1e-5);
  // Intraday: a bar per interval, the agents as a line with a point per interval that has a value
  // (the fixture leaves one out), clock-time labels from opens_at_minute.
  const Json& intraday = chart(charts, "intraday_phone");
  EXPECT_EQ(intraday["expected_marks"], (Json{{"rect", 20}, {"line", 1}, {"symbol", 19}}));
  EXPECT_EQ(intraday["spec"]["data"]["values"][0]["interval"], "08:00");
  EXPECT_EQ(intraday["spec"]["data"]["values"][19]["interval"], "17:30");
  // Survey NPS per report period (the first one empty) instead of the pooled point.
  EXPECT_EQ(chart(charts, "nps")["expected_marks"], (Json{{"line", 2}, {"symbol", 3}, {"text", 2}}));
  // Headline cards for the lifetime metrics and the service level.
  const std::string html = cxsim::html_report(doc);
  for (const char* label :
       {">Lifetime CLV<", ">Lifetime net value<", ">Customers at the horizon<", ">Service level<"}) {
    EXPECT_NE(html.find(label), std::string::npos) << label;
  }
}

TEST(HtmlReport, ComparisonChartsAndRanking) {
  const OJson& doc = small_comparison();
  const Json charts = cxsim::chart_specs(doc);
  const std::vector<std::string> expected = {"objective_forest", "key_metrics_forest", "retention_delta", "nps_delta"};
  EXPECT_EQ(chart_ids(charts), expected);
  const std::size_t variants = doc["variants"].size() - 1;  // all but the baseline
  // The objective's forest: the zero rule, an interval and a point and label per variant.
  EXPECT_EQ(chart(charts, "objective_forest")["expected_marks"],
            (Json{{"rule", 1 + variants}, {"symbol", variants}, {"text", variants}}));
  // Variants in ranking order, the baseline left out.
  std::vector<std::string> ranked;
  for (const auto& r : doc["ranking"]) {
    if (r["variant"] != "baseline") ranked.push_back(r["variant"].get<std::string>());
  }
  EXPECT_EQ(chart(charts, "objective_forest")["spec"]["layer"][1]["encoding"]["y"]["sort"], Json(ranked));
  // Key metrics: one panel per key metric present.
  const Json& panels = chart(charts, "key_metrics_forest")["spec"]["concat"];
  // The console's key metrics (report_document.cpp comparison_key_metrics), all present: 15.
  EXPECT_EQ(panels.size(), cxsim::comparison_key_metrics().size());
  EXPECT_EQ(panels.size(), 15u);
  // Variants equal to the baseline differ by exactly 0: points on the zero rule, no "*".
  for (const auto& row : panels[0]["data"]["values"]) {
    if (row["variant"] == "empty_patch" || row["variant"] == "same_values") {
      EXPECT_EQ(row["delta"], 0);
      EXPECT_EQ(row["verdict"], "95% interval includes 0");
    }
  }
  const std::string html = cxsim::html_report(doc);
  EXPECT_NE(html.find("Stopping: fixed."), std::string::npos);
  EXPECT_NE(html.find("<h2>Ranking on net_value</h2>"), std::string::npos);
  for (const auto& name : ranked) EXPECT_NE(html.find("<strong>" + name + "</strong>"), std::string::npos) << name;
}

// The warnings, the per-channel table with intervals and the command line of the document.
TEST(HtmlReport, RunPageShowsWarningsChannelsAndTheCommandLine) {
  const OJson doc = read_json(kDataDir + "/html_report/run_v2_keys.json");
  const std::string html = cxsim::html_report(doc);
  EXPECT_NE(html.find("<section id=\"warnings\""), std::string::npos);
  EXPECT_NE(html.find("<li>email saturated from day 12 in 1 of 2 replications"), std::string::npos);
  EXPECT_NE(html.find("<li>email: the replications split into two regimes"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"channels\">"), std::string::npos);
  const OJson& sl = doc["channel_metrics"]["phone"]["service_level"];
  const cxsim::Summary s = cxsim::summary_of(sl);
  EXPECT_NE(html.find(">" + cxsim::format_metric("service_level", s.mean, "USD") + "<div class=\"ci\">" +
                      cxsim::format_interval("service_level", s, "USD", false) + "</div>"),
            std::string::npos);
  EXPECT_NE(html.find("<code>cxsim run scenarios/telecom_subscription.json --customers 500"), std::string::npos);
  // A document without warnings has no such section; an option's command line wins over the document's.
  cxsim::HtmlReportOptions options;
  options.command_line = "cxsim report x.json";
  const std::string plain = cxsim::html_report(small_run(), options);
  EXPECT_EQ(plain.find("<section id=\"warnings\""), std::string::npos);
  EXPECT_NE(plain.find("<code>cxsim report x.json</code>"), std::string::npos);
}

// Numbers read like the console's (format_metric): percentages for fractions, money grouped with
// its currency, deltas signed, fractions' deltas in percentage points.
TEST(HtmlReport, NumbersAreFormattedLikeTheConsole) {
  const OJson& run = small_run();
  const std::string html = cxsim::html_report(run);
  const std::string currency = run["scenario"]["currency"];
  for (const char* metric : {"retention", "net_value", "nps", "clv", "frt_minutes"}) {
    const double mean = run["metrics"][metric]["mean"];
    EXPECT_NE(html.find(">" + cxsim::format_metric(metric, mean, currency) + "<"), std::string::npos) << metric;
  }
  EXPECT_NE(html.find("%"), std::string::npos);
  const OJson& cmp = small_comparison();
  const std::string page = cxsim::html_report(cmp);
  const double delta = cmp["variants"]["more_agents"]["delta"]["retention"]["mean"];
  EXPECT_NE(page.find(cxsim::format_metric("retention", delta, "USD", true)), std::string::npos);
  const Json forest = chart(cxsim::chart_specs(cmp), "key_metrics_forest");
  EXPECT_EQ(forest["spec"]["concat"][0]["layer"][1]["encoding"]["x"]["title"], "Δ retention (percentage points)");
}

// One replication: no intervals anywhere, and the page says so instead of failing.
TEST(HtmlReport, OneReplicationHasNoIntervals) {
  const OJson doc = read_json(kDataDir + "/html_report/run_one_replication.json");
  const std::string html = cxsim::html_report(doc);
  EXPECT_NE(html.find("no interval: 1 replication"), std::string::npos);
  EXPECT_EQ(chart(cxsim::chart_specs(doc), "nps")["expected_marks"].count("rule"), 0u);
}

// Documents without charts (an unknown kind, or a what-if document whose shape is not charted)
// still show every metric table, wherever it sits in the document.
TEST(HtmlReport, UnknownKindsShowTheirMetricTables) {
  const OJson doc = read_json(kDataDir + "/html_report/sweep_unknown_kind.json");
  EXPECT_TRUE(cxsim::chart_specs(doc).empty());
  const std::string html = cxsim::html_report(doc);
  EXPECT_NE(html.find("<caption>/points/0/metrics</caption>"), std::string::npos);
  EXPECT_NE(html.find("<caption>/points/1/metrics</caption>"), std::string::npos);
  EXPECT_NE(html.find("<caption>/best/delta</caption>"), std::string::npos);
  EXPECT_NE(html.find(cxsim::format_metric("net_value", 41010000.0, "USD")), std::string::npos);
  EXPECT_NE(html.find(cxsim::format_metric("retention", 0.002, "", true)), std::string::npos);
  EXPECT_NE(html.find("Sweep report"), std::string::npos);
  EXPECT_EQ(count(html, "<script data-cxsim-bundle="), 3u);
  // A document with nothing to show still makes a page.
  const std::string empty = cxsim::html_report(OJson::object());
  EXPECT_NE(empty.find("holds no metric table"), std::string::npos);
}

// The what-if kinds chart their results: the shipped exploration and calibration results (made by
// tools/make-exploration-results.sh and tools/make-calibration-results.sh) get the charts
// docs/html-report.md lists, with one mark per point, parameter side, part or target.
TEST(HtmlReport, WhatIfKindsChartTheirResults) {
  const auto ids_and_marks = [](const std::string& path) {
    std::map<std::string, Json> out;
    for (const auto& c : cxsim::chart_specs(read_json(path))) out[c["id"].get<std::string>()] = c["expected_marks"];
    return out;
  };
  const std::string results = CXSIM_SOURCE_DIR "/results/";
  const OJson sweep_doc = read_json(results + "telecom_phone_sweep.json");
  const std::size_t points = sweep_doc["sweep"]["points"].size();
  const auto sweep = ids_and_marks(results + "telecom_phone_sweep.json");
  for (const char* metric : {"net_value", "net_value_lifetime", "retention", "service_level"}) {
    ASSERT_EQ(sweep.count(std::string("sweep-") + metric), 1u) << metric;
    EXPECT_EQ(sweep.at(std::string("sweep-") + metric), (Json{{"area", 1}, {"line", 1}, {"symbol", points}}));
  }
  const OJson sensitivity_doc = read_json(results + "telecom_sensitivity.json");
  const auto tornado = ids_and_marks(results + "telecom_sensitivity.json").at("tornado");
  EXPECT_EQ(tornado["symbol"], 2 * sensitivity_doc["sensitivity"]["parameters"].size());  // low and high
  const auto attribution = ids_and_marks(results + "telecom_attribution.json");
  const OJson attribution_doc = read_json(results + "telecom_attribution.json");
  for (const char* group : {"touchpoints", "channels", "interventions"}) {
    const std::string id = std::string("attribution-") + group + "-net_value_lifetime";
    ASSERT_EQ(attribution.count(id), 1u) << id;
    EXPECT_EQ(attribution.at(id)["symbol"], attribution_doc["attribution"][group].size()) << id;
  }
  const OJson optimize_doc = read_json(results + "telecom_budget_optimize.json");
  const auto optimize = ids_and_marks(results + "telecom_budget_optimize.json");
  EXPECT_EQ(optimize.at("optimize-evaluations")["symbol"], optimize_doc["optimize"]["evaluations"].size());
  EXPECT_EQ(optimize.at("optimize-candidates")["symbol"], optimize_doc["optimize"]["candidates"].size());
  const OJson calibration_doc = read_json(results + "calibration/telecom.json");
  EXPECT_EQ(ids_and_marks(results + "calibration/telecom.json").at("calibration-targets")["symbol"],
            calibration_doc["calibration"]["targets"].size());
  // The page embeds them above the metric tables.
  const std::string html = cxsim::html_report(sweep_doc);
  EXPECT_NE(html.find("id=\"chart-sweep-retention\""), std::string::npos);
  EXPECT_LT(html.find("<h2>Charts</h2>"), html.find("<h2>Metric tables</h2>"));
}

// Every chart names a mark count for the browser test, and every spec is a Vega-Lite spec with
// its data inline (no "url" data, no schema URL).
TEST(HtmlReport, ChartsCarryDataAndExpectedMarks) {
  for (const OJson* doc : {&small_run(), &small_comparison()}) {
    for (const auto& c : cxsim::chart_specs(*doc)) {
      EXPECT_FALSE(c["expected_marks"].empty()) << c["id"];
      EXPECT_FALSE(c["title"].get<std::string>().empty());
      EXPECT_FALSE(c["description"].get<std::string>().empty());
      const std::string spec = c["spec"].dump();
      EXPECT_EQ(spec.find("\"url\""), std::string::npos) << c["id"];
      EXPECT_EQ(spec.find("$schema"), std::string::npos) << c["id"];
    }
  }
}

// Golden chart specifications. The text is the specs' JSON, 1-space indented.
void check_golden(const std::string& name, const Json& charts) {
  const std::string path = kGoldenDir + "/" + name;
  const std::string actual = charts.dump(1) + "\n";
  if (update_requested()) {
    cxsim::ensure_directory(kGoldenDir);
    cxsim::write_file_atomic(path, actual);
    std::cout << "[  GOLDEN  ] CXSIM_UPDATE_GOLDEN=1: wrote " << path << '\n';
    return;
  }
  std::string expected;
  ASSERT_NO_THROW(expected = read_text(path))
      << "no golden file " << path
      << "; create it with CXSIM_UPDATE_GOLDEN=1 build/tests/cxsim_tests --gtest_filter='*Golden*'";
  if (expected == actual) return;
  std::istringstream e(expected), a(actual);
  std::string el, al;
  int line = 0;
  while (true) {
    ++line;
    const bool more_e = static_cast<bool>(std::getline(e, el)), more_a = static_cast<bool>(std::getline(a, al));
    if (!more_e && !more_a) break;
    if (el != al || more_e != more_a) {
      ADD_FAILURE() << path << ": the chart specifications differ from the golden file; first difference at line "
                    << line << ":\n  golden: " << el << "\n  actual: " << al
                    << "\nIf the change is intended, regenerate with CXSIM_UPDATE_GOLDEN=1 build/tests/cxsim_tests "
                       "--gtest_filter='*Golden*' and review the diff.";
      return;
    }
  }
}

TEST(HtmlReportGolden, RunChartSpecs) { check_golden("run_charts.json", cxsim::chart_specs(small_run())); }

TEST(HtmlReportGolden, ComparisonChartSpecs) {
  check_golden("comparison_charts.json", cxsim::chart_specs(small_comparison()));
}

TEST(HtmlReportGolden, LaterKeysChartSpecs) {
  check_golden("run_v2_keys_charts.json", cxsim::chart_specs(read_json(kDataDir + "/html_report/run_v2_keys.json")));
}

}  // namespace
