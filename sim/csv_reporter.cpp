// The CSV reporter (see report.hpp): files for spreadsheets, from the report document alone.
#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

#include "cxsim/compare.hpp"
#include "calibrate_report.hpp"
#include "cxsim/report.hpp"
#include "explore_report.hpp"
#include "io.hpp"
#include "report_document.hpp"

namespace cxsim {

namespace {

std::string directory_prefix(const std::string& dir) { return dir.empty() || dir.back() == '/' ? dir : dir + "/"; }

// A table whose first column is `keys` (integers) and whose other columns are the document's
// series (arrays of numbers) of the same length.
std::string csv_table(const std::vector<std::string>& header, const Json& keys,
                      const std::vector<const Json*>& columns) {
  std::string out;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (c > 0) out += ',';
    out += csv_field(header[c]);
  }
  out += '\n';
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out += keys[i].dump();
    for (const Json* col : columns) {
      out += ',';
      if (col != nullptr) out += csv_number(number_of((*col)[i]));
    }
    out += '\n';
  }
  return out;
}

// metric, mean, sd, ci95_lo, ci95_hi, unit: one row per metric of a {NAME: {mean, sd, ci95}} block.
// The unit comes last, so readers of the earlier columns by position are unaffected.
std::string metrics_csv(const Json& metrics) {
  std::string out = "metric,mean,sd,ci95_lo,ci95_hi,unit\n";
  for (const auto& [name, block] : metrics.items()) {
    const Summary s = summary_of(block);
    out += fmt::format("{},{},{},{},{},{}\n", csv_field(name), csv_number(s.mean), csv_optional(s.sd),
                       s.ci95 ? csv_number(s.ci95->first) : std::string(),
                       s.ci95 ? csv_number(s.ci95->second) : std::string(), unit_name(unit_of(name)));
  }
  return out;
}

// series.csv (one row per period), nps.csv (one row per NPS report period) and metrics.csv of a run
// document, into `base` (a directory prefix).
void write_run(const Json& run, const std::string& base) {
  const Json& series = run["series"];
  const Json& periods = series["period"];
  const Json& nps_periods = series["nps_period"];
  {  // series.csv: every per-period series
    std::vector<std::string> header = {"period"};
    std::vector<const Json*> columns;
    for (const auto& [name, values] : series.items()) {
      if (name == "period" || name == "nps_period" || values.size() != periods.size()) continue;
      header.push_back(name);
      columns.push_back(&values);
    }
    write_file_atomic(base + "series.csv", csv_table(header, periods, columns));
  }
  {  // nps.csv: nps first, then any other series recorded at the NPS periods
    std::vector<std::string> header = {"nps_period", "nps"};
    std::vector<const Json*> columns = {nullptr};
    for (const auto& [name, values] : series.items()) {
      if (name == "period" || name == "nps_period" || values.size() != nps_periods.size()) continue;
      if (name == "nps") {
        columns[0] = &values;
      } else {
        header.push_back(name);
        columns.push_back(&values);
      }
    }
    write_file_atomic(base + "nps.csv", csv_table(header, nps_periods, columns));
  }
  write_file_atomic(base + "metrics.csv", metrics_csv(run["metrics"]));
}

void write_comparison(const Json& doc, const std::string& base) {
  std::string out =
      "variant,metric,mean,sd,ci95_lo,ci95_hi,delta,delta_sd,delta_ci95_lo,delta_ci95_hi,delta_excludes_zero,unit\n";
  for (const auto& [variant, v] : doc["variants"].items()) {
    std::set<std::string> metrics;
    for (const auto& [name, block] : v["metrics"].items()) metrics.insert(name);
    for (const auto& [name, block] : v["delta"].items()) metrics.insert(name);
    for (const std::string& name : metrics) {
      const Summary s = summary_of(v["metrics"].contains(name) ? v["metrics"][name] : Json());
      const bool has_delta = v["delta"].contains(name);
      const Summary d = summary_of(has_delta ? v["delta"][name] : Json());
      const bool defined = std::isfinite(s.mean);
      const bool d_defined = has_delta && std::isfinite(d.mean);
      const bool excludes_zero = has_delta && interval_excludes_zero(d);
      out +=
          fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(variant), csv_field(name), csv_number(s.mean),
                      defined && s.sd ? csv_number(*s.sd) : "", defined && s.ci95 ? csv_number(s.ci95->first) : "",
                      defined && s.ci95 ? csv_number(s.ci95->second) : "", d_defined ? csv_number(d.mean) : "",
                      d_defined && d.sd ? csv_number(*d.sd) : "", d_defined && d.ci95 ? csv_number(d.ci95->first) : "",
                      d_defined && d.ci95 ? csv_number(d.ci95->second) : "", excludes_zero ? "true" : "false",
                      unit_name(unit_of(name)));
    }
  }
  write_file_atomic(base + "comparison.csv", out);
  for (const auto& [variant, v] : doc["variants"].items()) {
    const std::string dir = base + variant;
    ensure_directory(dir);
    write_run(v, directory_prefix(dir));
  }
}

}  // namespace

void CsvReporter::check() const { check_output_directory(dir_); }

void CsvReporter::write(const Report& report) {
  const Json& doc = report.document().json;
  ensure_directory(dir_);
  const std::string base = directory_prefix(dir_);
  if (report.kind() == "run") {
    write_run(doc, base);
  } else if (report.kind() == "comparison") {
    write_comparison(doc, base);
  } else if (write_exploration_csv(report.kind(), doc, base)) {
    // a what-if document (explore_report.hpp)
  } else if (report.kind() == "calibration") {
    write_calibration_csv(doc, base);
  } else if (doc.is_object() && doc.contains("metrics")) {
    write_file_atomic(base + "metrics.csv", metrics_csv(doc["metrics"]));
  }
}

}  // namespace cxsim
