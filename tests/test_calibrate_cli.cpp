// `cxsim calibrate` on the command line and its inputs: the SPEC schema, the bad inputs of issue 12
// (each exits 2 naming the SPEC and the JSON pointer, and writes nothing), targets from CSV, the fit
// report, the fitted scenario and the CSV files; and the calibration's small matrix algebra.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calibrate_detail.hpp"
#include "cli_helpers.hpp"
#include "cxsim/calibrate.hpp"
#include "cxsim/report.hpp"
#include "schema.hpp"
#include "small_matrix.hpp"

namespace {

using cxsim::testing::quoted;
using cxsim::testing::read_file;
using cxsim::testing::run_cli;
using cxsim::testing::TempDir;
using cxsim::testing::write_file;
namespace fs = std::filesystem;
using nlohmann::json;

const std::string kCalibrationDir = CXSIM_SOURCE_DIR "/scenarios/calibration";
const std::string kCohort = kCalibrationDir + "/fader_hardie_cohort.json";

// A small valid SPEC on the Fader-Hardie cohort; `change` edits it (a JSON Merge Patch).
std::string spec_text(const json& change = json::object()) {
  json spec = json::parse(R"({"base": ")" + kCohort + R"(",
    "parameters": {"/segments/subscribers/hazard/base": {"min": 0.01, "max": 3, "scale": "log"},
                   "/segments/subscribers/hazard/frailty_variance": {"min": 0.01, "max": 10, "scale": "log"}},
    "targets": [{"series": "retention", "period": 0, "value": 0.631, "cohort_size": 1000},
                {"series": "retention", "period": 1, "value": 0.468, "cohort_size": 1000},
                {"series": "retention", "period": 2, "value": 0.382, "cohort_size": 1000}],
    "customers": 3000, "replications": 1, "check_replications": 2, "max_evaluations": 25})");
  spec.merge_patch(change);
  return spec.dump(2);
}

struct Outputs {
  fs::path fitted, report, csv;
};

Outputs outputs_in(const TempDir& dir) {
  return {dir.path() / "fitted.json", dir.path() / "fit.json", dir.path() / "csv"};
}

std::string output_args(const Outputs& o) {
  return " -o " + quoted(o.fitted.string()) + " --report " + quoted(o.report.string()) + " --csv " +
         quoted(o.csv.string());
}

// Runs `cxsim calibrate` on `spec` (written to spec.json) with every output requested; checks exit 2,
// nothing written, and that stderr holds each of `expected` (the file and pointer, the reason) and,
// unless the problem is in another file, the SPEC's path.
void expect_refused(const std::string& spec, const std::vector<std::string>& expected,
                    const std::string& extra_args = "", bool names_spec = true) {
  TempDir dir("calibrate_cli");
  const fs::path path = dir.path() / "spec.json";
  write_file(path, spec);
  const Outputs o = outputs_in(dir);
  const auto r = run_cli("calibrate " + quoted(path.string()) + output_args(o) + " --quiet" + extra_args, dir.path());
  EXPECT_EQ(r.status, 2) << r.err;
  for (const std::string& text : expected) EXPECT_NE(r.err.find(text), std::string::npos) << text << "\n" << r.err;
  if (names_spec) {
    EXPECT_NE(r.err.find(path.string() + ":"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(o.fitted));
  EXPECT_FALSE(fs::exists(o.report));
  EXPECT_FALSE(fs::exists(o.csv));
}

}  // namespace

// ---- Bad input: exit 2 naming the SPEC and the pointer, nothing written ---------------------------

TEST(CalibrateCli, UnknownPointer) {
  expect_refused(spec_text(json::parse(R"({"parameters": {"/segments/subscriber/hazard/base": {"min": 0.1,
    "max": 1}}})")),
                 {":/parameters/~1segments~1subscriber~1hazard~1base: error: unknown pointer",
                  "did you mean \"subscribers\" at /segments?"});
}

TEST(CalibrateCli, PointerToANonNumber) {
  expect_refused(spec_text(json::parse(R"({"parameters": {"/name": {"min": 0, "max": 1}}})")),
                 {":/parameters/~1name: error: the base scenario's value at /name is string", "only a number"});
}

TEST(CalibrateCli, MinNotBelowMax) {
  expect_refused(spec_text(json::parse(R"({"parameters": {"/churn/sentiment": {"min": 0, "max": -5}}})")),
                 {":/parameters/~1churn~1sentiment/min: error: min (0) must be less than max (-5)"});
  expect_refused(spec_text(json::parse(R"({"parameters": {"/segments/subscribers/hazard/base": {"min": 0, "max": 1,
        "scale": "log"}}})")),
                 {":/parameters/~1segments~1subscribers~1hazard~1base/min: error: a log scale needs min > 0, found 0"});
}

TEST(CalibrateCli, UnknownMetric) {
  expect_refused(spec_text(json::parse(R"({"targets": [{"metric": "npss", "value": 32, "sd": 2}]})")),
                 {":/targets/0/metric: error: unknown metric \"npss\"; did you mean \"nps\"?"});
}

TEST(CalibrateCli, SeriesPeriodBeyondTheHorizon) {
  expect_refused(
      spec_text(json::parse(R"({"targets": [{"series": "retention", "period": 12, "value": 0.2, "sd": 0.01}]})")),
      {":/targets/0/period: error: period 12 is beyond the horizon: the base scenario runs periods 0 to 11"});
  // --horizon shortens the base: the period is checked against the effective horizon.
  expect_refused(spec_text(), {":/targets/2/period: error: period 2 is beyond the horizon"}, " --horizon 2");
}

TEST(CalibrateCli, MoreBadInput) {
  expect_refused(spec_text(json::parse(R"({"targets": [{"series": "retension", "period": 1, "value": 0.5,
    "sd": 0.1}]})")),
                 {":/targets/0/series: error: unknown series \"retension\"; did you mean \"retention\"?"});
  expect_refused(spec_text(json::parse(R"({"targets": [{"metric": "nps", "value": 3}]})")),
                 {":/targets/0/sd: error: a target needs \"sd\" > 0"});
  expect_refused(spec_text(json::parse(R"({"targets": [{"metric": "nps", "period": 3, "value": 3, "sd": 1}]})")),
                 {":/targets/0/period: error: a metric has no period"});
  expect_refused(spec_text(json::parse(R"({"targets": [{"metric": "nps", "value": 3, "sd": 1},
    {"metric": "nps", "value": 4, "sd": 1}]})")),
                 {":/targets/1/metric: error: target nps is given twice"});
  expect_refused(spec_text(json::parse(R"({"targets": [{"series": "retention", "period": 0, "value": 0.6,
    "cohort_size": 1000}, {"series": "retention", "period": 1, "value": 0.7, "cohort_size": 1000}]})")),
                 {":/targets/1/value: error: a cohort's retention must fall from period to period"});
  expect_refused(spec_text(json::parse(R"({"targets": []})")), {":/targets: error: no targets"});
  expect_refused(spec_text(json::parse(R"({"base": "missing.json"})")),
                 {":/base: error: base scenario \"missing.json\" not found"});
  expect_refused(spec_text(json::parse(R"({"max_evaluations": 0, "colour": 1})")),
                 {":/max_evaluations: error:", ":/colour: error: unknown key \"colour\""});
  // An integer key cannot vary continuously.
  expect_refused(
      spec_text(json::parse(R"({"parameters": {"/nps/report_every": {"min": 1, "max": 12}}})")),
      {":/parameters/~1nps~1report_every: error: with every parameter at the middle of its range", "not an integer"});
  // A bound the scenario does not accept.
  expect_refused(spec_text(json::parse(R"({"parameters": {"/segments/subscribers/hazard/base": {"min": 0.1,
    "max": 5000}}})")),
                 {":/parameters/~1segments~1subscribers~1hazard~1base/max: error: max 5000 is outside what the "
                  "scenario accepts"});
}

TEST(CalibrateCli, BadTargetsCsv) {
  TempDir dir("calibrate_cli_csv");
  const fs::path csv = dir.path() / "observed.csv";
  write_file(csv, "kind,name,period,value,sd,colour\nmetric,nps,,30,2,red\n");
  expect_refused(spec_text(), {csv.string() + ":(document): error: line 1, column \"colour\": unknown column"},
                 " --targets-csv " + quoted(csv.string()), false);
  write_file(csv,
             "kind,name,period,value,sd\nmetrik,nps,,30,2\nmetric,nps,,thirty,-2\nseries,retention,40,0.1,0.01\n"
             "metric,nps,,30\n");
  expect_refused(spec_text(),
                 {csv.string() + ":(document): error: line 2, column kind: expected \"metric\" or \"series\"",
                  "line 3, column value: expected a number, found \"thirty\"",
                  "line 3, column sd: expected a number > 0, found \"-2\"",
                  "line 4, column period: period 40 is beyond the horizon", "line 5: expected 5 fields"},
                 " --targets-csv " + quoted(csv.string()), false);
}

TEST(CalibrateCli, BothOutputsToStdoutIsAUsageError) {
  TempDir dir("calibrate_cli");
  write_file(dir.path() / "spec.json", spec_text());
  const auto r = run_cli("calibrate " + quoted((dir.path() / "spec.json").string()) + " -o - --report -", dir.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot both write to stdout"), std::string::npos) << r.err;
}

// ---- A fit on the command line ------------------------------------------------------------------

TEST(CalibrateCli, WritesTheFittedScenarioTheReportAndCsv) {
  TempDir dir("calibrate_cli");
  const fs::path spec = dir.path() / "spec.json", observed = dir.path() / "more.csv";
  write_file(spec, spec_text());
  // Two more years from a spreadsheet (byte-order mark, CRLF, quoted name): the cohort's years 4-5.
  write_file(observed,
             "\xEF\xBB\xBFkind,name,period,value,cohort_size\r\nseries,\"retention\",3,0.326,1000\r\n\r\n"
             "series,retention,4,0.289,1000\r\n");
  const Outputs o = outputs_in(dir);
  const auto r = run_cli("calibrate " + quoted(spec.string()) + output_args(o) + " --targets-csv " +
                             quoted(observed.string()) + " --threads 2",
                         dir.path());
  ASSERT_EQ(r.status, 0) << r.err;

  // The fitted scenario: the base file with the estimates written in, key order kept.
  const nlohmann::ordered_json base = nlohmann::ordered_json::parse(read_file(kCohort));
  nlohmann::ordered_json fitted = nlohmann::ordered_json::parse(read_file(o.fitted));
  const json report = json::parse(read_file(o.report));
  const json& parameters = report["calibration"]["parameters"];
  ASSERT_EQ(parameters.size(), 2u);
  for (const json& p : parameters) {
    const nlohmann::ordered_json::json_pointer at(p["pointer"].get<std::string>());
    EXPECT_EQ(fitted[at].get<double>(), p["estimate"].get<double>());
    fitted[at] = base[at];
  }
  EXPECT_EQ(fitted.dump(), base.dump());

  // The report: version and options first, then the fit.
  std::vector<std::string> keys;
  for (const auto& item : report.items()) keys.push_back(item.key());
  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(read_file(o.report));
  std::vector<std::string> order;
  for (const auto& item : ordered.items()) order.push_back(item.key());
  EXPECT_EQ(order, (std::vector<std::string>{"cxsim_version", "invocation", "options", "calibration", "fitted_run"}));
  const json& c = report["calibration"];
  for (const char* key : {"method", "se_method", "objective", "objective_check", "degrees_of_freedom", "p_value",
                          "evaluations", "jacobian_evaluations", "parameters", "targets", "correlation", "warnings"}) {
    EXPECT_TRUE(c.contains(key)) << key;
  }
  EXPECT_EQ(parameters[0]["pointer"], "/segments/subscribers/hazard/base");  // the SPEC's order
  for (const char* key : {"estimate", "se", "ci95", "min", "max", "scale", "at_bound"}) {
    EXPECT_TRUE(parameters[0].contains(key)) << key;
  }
  ASSERT_EQ(c["targets"].size(), 5u);
  EXPECT_EQ(c["targets"][4]["source"], observed.string() + ":4");
  for (const char* key : {"kind", "name", "period", "observed", "sd", "weight", "fitted", "residual"}) {
    EXPECT_TRUE(c["targets"][0].contains(key)) << key;
  }
  EXPECT_TRUE(c["targets"][0]["fitted"]["ci95"].is_array());
  EXPECT_EQ(report["options"]["check_replications"], 2);
  EXPECT_EQ(cxsim::read_report(o.report.string()).kind(), "calibration");

  // CSV files and the console.
  EXPECT_EQ(read_file(o.csv / "parameters.csv").rfind("pointer,estimate,se,ci95_lo,ci95_hi,min,max,scale", 0), 0u);
  const std::string targets = read_file(o.csv / "targets.csv");
  EXPECT_EQ(std::count(targets.begin(), targets.end(), '\n'), 6);
  EXPECT_NE(r.out.find("/segments/subscribers/hazard/frailty_variance"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("retention[4]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("residual = (fitted - observed) / sd"), std::string::npos) << r.out;

  // The fitted scenario is ready for `cxsim run`.
  const auto run =
      run_cli("run " + quoted(o.fitted.string()) + " --customers 200 --replications 2 --quiet", dir.path());
  EXPECT_EQ(run.status, 0) << run.err;
}

// ---- Pieces --------------------------------------------------------------------------------------

TEST(CalibrateSchema, EmbeddedTextIsTheShippedFileAndShippedSpecsLoad) {
  EXPECT_TRUE(cxsim::schema_text(cxsim::SchemaKind::kCalibration) ==
              read_file(CXSIM_SOURCE_DIR "/scenarios/schema/calibration.schema.json"));
  EXPECT_EQ(cxsim::schema_name(cxsim::SchemaKind::kCalibration), "calibration.schema.json");
  int specs = 0;
  for (const auto& entry : fs::directory_iterator(kCalibrationDir)) {
    if (entry.path().extension() != ".json") continue;
    const json doc = json::parse(read_file(entry.path()));
    if (doc.value("$schema", "") != "../schema/calibration.schema.json") {
      EXPECT_EQ(doc.value("$schema", ""), "../schema/scenario.schema.json") << entry.path();
      continue;
    }
    ++specs;
    EXPECT_NO_THROW(cxsim::load_calibration_spec(entry.path().string())) << entry.path();
  }
  EXPECT_GE(specs, 4);
}

TEST(CalibrateMatrix, InverseAndEigenvalues) {
  const cxsim::Matrix a = {{4, 2, 0}, {2, 3, 1}, {0, 1, 2}};
  const auto inv = cxsim::inverse_spd(a);
  ASSERT_TRUE(inv.has_value());
  const cxsim::Matrix identity = cxsim::multiply(a, *inv);
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(identity[i][j], i == j ? 1.0 : 0.0, 1e-14);
  }
  EXPECT_FALSE(cxsim::inverse_spd({{1, 2}, {2, 4}}).has_value());   // singular
  EXPECT_FALSE(cxsim::inverse_spd({{1, 0}, {0, -1}}).has_value());  // indefinite
  const std::vector<double> eigen = cxsim::symmetric_eigenvalues({{2, 1}, {1, 2}});
  ASSERT_EQ(eigen.size(), 2u);
  EXPECT_NEAR(eigen[0], 1.0, 1e-14);
  EXPECT_NEAR(eigen[1], 3.0, 1e-14);
  // The tridiagonal Toeplitz matrix (2, 1): eigenvalues 2 - 2 cos(k pi / 4), k = 1..3.
  const std::vector<double> e3 = cxsim::symmetric_eigenvalues({{2, 1, 0}, {1, 2, 1}, {0, 1, 2}});
  ASSERT_EQ(e3.size(), 3u);
  EXPECT_NEAR(e3[0], 2 - std::sqrt(2.0), 1e-14);
  EXPECT_NEAR(e3[1], 2.0, 1e-14);
  EXPECT_NEAR(e3[2], 2 + std::sqrt(2.0), 1e-14);
}

TEST(CalibrateScale, PositionsAndValuesInvert) {
  cxsim::CalibrationParameter log_p;
  log_p.min = 1e-4;
  log_p.max = 1e-1;
  log_p.scale = cxsim::ParameterScale::kLog;
  EXPECT_NEAR(cxsim::value_at(log_p, 0.5), std::sqrt(1e-5), 1e-15);  // the geometric middle
  EXPECT_NEAR(cxsim::position_of(log_p, 1e-3), 1.0 / 3.0, 1e-15);
  cxsim::CalibrationParameter linear;
  linear.min = -5;
  linear.max = 0;
  EXPECT_DOUBLE_EQ(cxsim::value_at(linear, 0.2), -4.0);
  EXPECT_DOUBLE_EQ(cxsim::position_of(linear, -4.0), 0.2);
  EXPECT_DOUBLE_EQ(cxsim::cohort_sd(0.5, 100), 0.05);
}
