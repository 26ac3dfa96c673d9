#pragma once
// What the calibration's loader (calibrate_spec.cpp), its fit (calibrate.cpp) and its report
// (calibrate_report.cpp) share: writing parameter values into a scenario document, locating a
// target in a run's results, and the targets' CSV format.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cxsim/calibrate.hpp"
#include "cxsim/results.hpp"

namespace cxsim {

// Writes `value` at RFC 6901 `pointer` of a scenario document, creating the objects on the way that
// the file leaves to the schema's defaults. The pointer names a value of the effective scenario
// (checked when the SPEC is loaded).
template <class JsonT>
void set_parameter_value(JsonT& doc, const std::string& pointer, double value) {
  doc[typename JsonT::json_pointer(pointer)] = value;
}

// The value of parameter `p` at position x in [0, 1] of its range: linear, or geometric on a log
// scale. Its inverse maps a value inside the range back to [0, 1].
double value_at(const CalibrationParameter& p, double x);
double position_of(const CalibrationParameter& p, double value);

// The value on the working scale of the standard errors: the value itself, or its natural log.
double working_value(const CalibrationParameter& p, double value);

// Where target `t` sits in a run's series: the index of its period on the series' own axis (every
// period, or the NPS report periods for series recorded at those: `nps`). nullopt when the run has no
// such series or does not record it at that period. Always 0 for metrics.
std::optional<std::size_t> target_index(const RunResult& run, const CalibrationTarget& t);

// The target's value in one replication (NaN when the replication does not define it).
double target_value(const ReplicationResult& rep, const CalibrationTarget& t, std::size_t index);

// A short label for messages and tables: "nps", "retention[29]".
std::string target_label(const CalibrationTarget& t);

// Targets from a CSV file (header kind,name,period,value,sd and optionally weight, cohort_size, in any
// order; RFC 4180 quoting; empty lines skipped), each with its line number (and "file:line" as its
// `source`). Problems name the file, line and column and are added to `problems`; rows with
// problems are skipped.
std::vector<std::pair<CalibrationTarget, int>> read_targets_csv(const std::string& path,
                                                                std::vector<Diagnostic>& problems);

// The standard deviation of a cohort retention share: binomial, sqrt(S (1 - S) / n).
double cohort_sd(double share, std::int64_t cohort_size);

}  // namespace cxsim
