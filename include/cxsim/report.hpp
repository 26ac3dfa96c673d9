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

#include "cxsim/compare.hpp"
#include "cxsim/results.hpp"

namespace cxsim {

class Report {
 public:
  struct Document;  // the JSON document (private: report_document.hpp)
  explicit Report(std::shared_ptr<const Document> document);

  // What the document is: "run", "comparison", "calibration" (cxsim/calibrate.hpp), "scenario" (a
  // fitted scenario file), or "unknown" for a document of another kind.
  const std::string& kind() const;
  // The result file's text: the document with a 2-space indent and a trailing newline.
  std::string json() const;
  const Document& document() const { return *document_; }

 private:
  std::shared_ptr<const Document> document_;
};

// The result document of a run: cxsim_version, scenario {name, file, seed, customers,
// horizon_periods, replications, period_days, currency}, run {threads}, metrics {NAME: {mean, sd,
// ci95, replicates}}, series {period, nps_period, NAME...: means over replications},
// touchpoints/channels/interventions {ID: {COUNT: mean over replications}}. Non-finite numbers are
// written as null.
Report run_report(const RunResult& result);

// The document of a comparison: cxsim_version, batch {name, description, file, base, objective
// {metric, direction}, variants [names], common_random_numbers: true}, stopping {rule, outcome,
// replications, rounds, target_half_width, max_replications, objective_half_width {VARIANT: h}},
// ranking [{rank, variant, mean, ci95, delta, delta_ci95, excludes_zero}] (best first), variants
// {NAME: {...the run document..., description, delta {METRIC: {mean, sd, ci95, replicates}}}}
// (baseline first).
Report comparison_report(const Comparison& comparison);

// A result file cxsim wrote (for `cxsim report`); throws InputError naming the file when it cannot
// be read or is not JSON.
Report read_report(const std::string& path);

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

// The result file: `path`, or stdout for "-".
class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(std::string path) : path_(std::move(path)) {}
  void check() const override;
  void write(const Report& report) override;

 private:
  std::string path_;
};

// CSV files in a directory (created if missing). A run: series.csv (one row per period), nps.csv
// (one row per NPS report period), metrics.csv (metric, mean, sd, ci95_lo, ci95_hi). A comparison:
// comparison.csv (one row per variant and metric: mean, sd, CI, delta, delta sd, delta CI, whether
// that interval excludes zero) and each variant's run files in DIR/VARIANT/.
class CsvReporter final : public Reporter {
 public:
  explicit CsvReporter(std::string dir) : dir_(std::move(dir)) {}
  void check() const override;
  void write(const Report& report) override;

 private:
  std::string dir_;
};

// The console table. A run: its scenario line and one row per metric with mean and 95% CI. A
// comparison: the batch line, the stopping outcome, the variants ranked by the objective with each
// delta and its 95% interval (`*` where it excludes zero), then per variant the deltas of the key
// metrics. Other documents: their metric tables.
class ConsoleReporter final : public Reporter {
 public:
  explicit ConsoleReporter(std::ostream& out) : out_(out) {}
  void write(const Report& report) override;

 private:
  std::ostream& out_;
};

// A metric's value as every reporter shows it: fractions (retention, fcr ...) as percentages, money
// (clv, revenue, *_cost, *_value) with thousands separators and `currency`, other numbers with 4
// significant digits; "n/a" when not finite. With `difference`, the value is a change: fractions
// read as signed percentage points ("+1.25 pp") and everything else carries an explicit sign.
std::string format_metric(const std::string& metric, double value, const std::string& currency,
                          bool difference = false);

}  // namespace cxsim
