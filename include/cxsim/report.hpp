#pragma once
// Reports of a run: the result JSON of ../shared/MODEL.md "Result file", a CSV of the series for
// spreadsheets, and a console table of metrics with confidence intervals. Pure formatting: every
// number comes from RunResult and stats::summarize.
#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cxsim/results.hpp"

namespace cxsim {

// The result document, serialized (2-space indent, trailing newline). Keys: cxsim_version,
// scenario {name, file, seed, customers, horizon_periods, replications, period_days, currency},
// metrics {NAME: {mean, sd, ci95, replicates}}, series {period, nps_period, NAME...: means over
// replications}, touchpoints/channels/interventions {ID: {COUNT: mean over replications}}.
// Non-finite numbers are written as null.
std::string result_json(const RunResult& result);

// The same document as a JSON value (result_json is its dump), for reports that embed it (a
// comparison holds one per variant).
nlohmann::ordered_json result_document(const RunResult& result);

// CSV files for spreadsheets, written atomically into `dir` (created if missing):
// series.csv (one row per period, one column per per-period series), nps.csv (nps_period, nps),
// metrics.csv (metric, mean, sd, ci95_lo, ci95_hi).
void write_csv(const RunResult& result, const std::string& dir);

// Pieces shared with the comparison reports (compare_report.hpp):
// one value per replication of `metric`, in replication order (NaN where a replication lacks it);
std::vector<double> replicates_of(const RunResult& result, const std::string& metric);
// a CSV field, quoted when it holds a comma, quote or line break (RFC 4180);
std::string csv_field(const std::string& text);
// a number for CSV: the shortest text that reads back to the same double, empty when not finite.
std::string csv_number(double x);

// Human-readable summary: scenario line, then one row per metric with mean and 95% CI.
void print_summary(std::ostream& out, const RunResult& result);

// A metric's value as the console shows it: fractions (retention, fcr ...) as percentages, money
// (clv, revenue, *_cost, *_value) with thousands separators and `currency`, other numbers with 4
// significant digits; "n/a" when not finite. With `difference`, the value is a change: fractions
// read as signed percentage points ("+1.25 pp") and everything else carries an explicit sign.
std::string format_metric(const std::string& metric, double value, const std::string& currency,
                          bool difference = false);

}  // namespace cxsim
