#pragma once
// Reports of a run: the result JSON of ../shared/MODEL.md "Result file", a CSV of the series for
// spreadsheets, and a console table of metrics with confidence intervals. Pure formatting: every
// number comes from RunResult and stats::summarize.
#include <ostream>
#include <string>

#include "cxsim/results.hpp"

namespace cxsim {

// The result document, serialized (2-space indent, trailing newline). Keys: cxsim_version,
// scenario {name, file, seed, customers, horizon_periods, replications, period_days, currency},
// metrics {NAME: {mean, sd, ci95, replicates}}, series {period, nps_period, NAME...: means over
// replications}, touchpoints/channels/interventions {ID: {COUNT: mean over replications}}.
// Non-finite numbers are written as null.
std::string result_json(const RunResult& result);

// CSV files for spreadsheets, written atomically into `dir` (created if missing):
// series.csv (one row per period, one column per per-period series), nps.csv (nps_period, nps),
// metrics.csv (metric, mean, sd, ci95_lo, ci95_hi).
void write_csv(const RunResult& result, const std::string& dir);

// Human-readable summary: scenario line, then one row per metric with mean and 95% CI.
void print_summary(std::ostream& out, const RunResult& result);

}  // namespace cxsim
