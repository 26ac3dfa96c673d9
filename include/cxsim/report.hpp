#pragma once
// Reports: what a command produced, as one document (the result file of ../shared/MODEL.md "Result
// file"), and one small family of reporters that write it: JSON (the result file itself), CSV (for
// spreadsheets), the console table, and the self-contained HTML page. Every reporter reads the same
// document, so a run, a comparison and every later command share one way of writing metric tables,
// series and intervals, and a result file written earlier can be rendered again (`cxsim report`).
// A comparison's document holds the run document of each variant plus its paired deltas, and its
// reporters reuse the run reporters on those.
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cxsim/compare.hpp"
#include "cxsim/results.hpp"

namespace cxsim {

class Report {
 public:
  struct Document;  // the JSON document (private: report_document.hpp)
  explicit Report(std::shared_ptr<const Document> document);

  // What the document is: "run", "comparison", "sweep", "sensitivity", "attribution", "optimize",
  // "calibration" (cxsim/calibrate.hpp), "scenario" (a fitted scenario file), or "unknown".
  const std::string& kind() const;
  // The result file's text: the document with a 2-space indent and a trailing newline.
  std::string json() const;
  const Document& document() const { return *document_; }

 private:
  std::shared_ptr<const Document> document_;
};

// The result document of a run, in this order:
//   cxsim_version;
//   scenario {name, file, seed, customers, horizon_periods, replications, period_days, currency};
//   run {threads};
//   warnings [{kind, channel, measure, from_period, replications, of, message}]: only when there are
//     any (saturation.hpp: saturated staffed channels, replications split into two regimes);
//   metrics {NAME: {mean, sd, ci95, replicates}};
//   series {period, nps_period, NAME...: means over replications};
//   series_ci95 {"retention": {"lo": [...], "hi": [...]}}: the Student-t 95% interval of the mean per
//     period (as the metrics'), only with two or more replications;
//   touchpoints/channels/interventions {ID: {COUNT: mean over replications}};
//   channel_metrics {ID: {METRIC: {mean, sd, ci95}}}: per channel, over replications, the channel's
//     frt_minutes, abandonment (abandoned / contacts), utilization and, where the engine reports
//     them, service_level and backlog_wait_hours (between channels and interventions).
// Non-finite numbers are written as null.
Report run_report(const RunResult& result);

// The document of a comparison: cxsim_version, batch {name, description, file, base, objective
// {metric, direction}, variants [names], common_random_numbers: true}, stopping {rule, outcome,
// replications, rounds, target_half_width, max_replications, objective_half_width {VARIANT: h}},
// ranking [{rank, variant, mean, ci95, delta, delta_ci95, excludes_zero}] (best first), variants
// {NAME: {...the run document..., description, delta {METRIC: {mean, sd, ci95, replicates}}}}
// (baseline first).
Report comparison_report(const Comparison& comparison);

// A result file cxsim wrote (for `cxsim report`): a JSON object with a "cxsim_version". Its kind
// follows its top-level keys ("sweep", "sensitivity", "attribution", "optimize", "calibration";
// else "batch" with "variants" is a "comparison", "scenario" with "metrics" a "run"; else
// "unknown"). Throws InputError naming the file when it cannot be read, is not JSON, or is not a
// cxsim result.
Report read_report(const std::string& path);

// How a report was made: the command line and its options, as the command line records them in the
// result file (a top-level "invocation" block right after cxsim_version) and the HTML page shows
// them. Documents built by the library alone carry none.
struct Invocation {
  struct Option {
    std::string name;                 // long name without dashes; a positional argument by its name
    std::vector<std::string> values;  // as given ("true" for a flag), one per use
    bool repeatable = false;          // may be given several times (--set): always an array
  };
  std::string command_line;     // the command as typed, shell-quoted ("cxsim run s.json --set '/a=1'")
  std::vector<Option> options;  // the options given, in the order the command declares them
};

// `report` with its invocation block set right after cxsim_version (replacing any it had):
// {"command_line": "...", "options": {NAME: "VALUE", REPEATABLE: ["VALUE", ...]}}.
Report with_invocation(const Report& report, const Invocation& invocation);

// A reporter writes reports to one destination.
class Reporter {
 public:
  virtual ~Reporter() = default;
  // Throws OutputError when the destination cannot be written: called before a long run, so it
  // fails at once rather than after hours of simulation.
  virtual void check() const {}
  // Writes the report (files atomically: never a partial file). Throws OutputError.
  virtual void write(const Report& report) = 0;
};

// The result file: `path` (its directory is created when missing), or stdout for "-".
class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(std::string path) : path_(std::move(path)) {}
  void check() const override;
  void write(const Report& report) override;

 private:
  std::string path_;
};

// CSV files in a directory (created if missing). A run: series.csv (one row per period), nps.csv
// (one row per NPS report period), metrics.csv (metric, mean, sd, ci95_lo, ci95_hi, unit). A
// comparison: comparison.csv (one row per variant and metric: mean, sd, CI, delta, delta sd, delta
// CI, whether that interval excludes zero, unit) and each variant's run files in DIR/VARIANT/.
// The unit column (last, so positional readers of the others are unaffected) names the metric's
// unit: fraction, currency, minutes, hours, periods, score_0_100, score_-100_100, score_1_7, count,
// count_per_period or number.
class CsvReporter final : public Reporter {
 public:
  explicit CsvReporter(std::string dir) : dir_(std::move(dir)) {}
  void check() const override;
  void write(const Report& report) override;

 private:
  std::string dir_;
};

// The console table. A run: its scenario line, its warnings, one row per metric with mean and 95%
// CI, the per-channel lines (contacts, answered wait, service level, abandonment, utilization, with
// their intervals) and a legend (which NPS is which, what CES measures, which money is discounted).
// A comparison: the batch line, the stopping outcome, the variants ranked by the objective with
// each delta and its 95% interval (`*` where it excludes zero), the warnings, then per variant in
// rank order the deltas of the key metrics (every money line among them) and its per-channel
// lines, and the legend. Other documents: their metric tables.
class ConsoleReporter final : public Reporter {
 public:
  explicit ConsoleReporter(std::ostream& out) : out_(out) {}
  void write(const Report& report) override;

 private:
  std::ostream& out_;
};

struct HtmlReportOptions {
  std::string title;         // the page's title; empty: the scenario's or batch's name
  std::string command_line;  // shown in the details; empty: the document's invocation.command_line, if any
  std::string source_file;   // the result file the page was made from, shown; empty: not shown
};

// The self-contained HTML page of a report (docs/html-report.md): `path` (its directory is created
// when missing, the file written atomically), or stdout for "-".
class HtmlReporter final : public Reporter {
 public:
  explicit HtmlReporter(std::string path, HtmlReportOptions options = {})
      : path_(std::move(path)), options_(std::move(options)) {}
  void check() const override;
  void write(const Report& report) override;

 private:
  std::string path_;
  HtmlReportOptions options_;
};

// A metric's value as every reporter shows it: fractions (retention, fcr, service_level ...) as
// percentages, money (clv, revenue, margin, *_cost, *_value, *_lifetime) with thousands separators
// and `currency`, other numbers with 4 significant digits and never in exponent notation
// (report_document.hpp states the rule); "n/a" when not finite. With `difference`, the value is a
// change: fractions read as signed percentage points ("+1.25 pp") and everything else carries an
// explicit sign.
std::string format_metric(const std::string& metric, double value, const std::string& currency,
                          bool difference = false);

}  // namespace cxsim
