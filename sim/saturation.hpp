#pragma once
// Saturation warnings (docs/model-notes.md "Warnings in result files"): a staffed channel whose
// per-period abandonment or agent occupancy stays high for many periods in a row is saturated, and
// its pooled means hide it (a phone line where 99% of callers hang up still shows a short answered
// wait). run_report writes these as the result file's `warnings`, and the console prints them.
//
// Read from each replication's series (MODEL.md "Service" version 2 names): abandonment of period t
// = abandoned.ID[t] / tickets.ID[t] (periods without contacts are skipped: they neither extend nor
// break a stretch), occupancy = utilization.ID[t] (periods without a value are skipped likewise).
// A replication saturates a channel when either stays above its threshold for kSaturatedPeriods
// consecutive periods (or throughout a shorter horizon). A channel saturated in some replications
// but not in others also gets a "regimes" warning: its mean over replications describes neither.
#include <string>
#include <vector>

#include "cxsim/results.hpp"

namespace cxsim {

// Thresholds: more than 10% of a period's contacts abandoned (call centres aim at a few percent),
// agents more than 95% busy (Erlang queues wait without bound as occupancy approaches 100%), for at
// least 7 consecutive periods (a week of days) before a stretch counts as saturation.
inline constexpr double kSaturatedAbandonment = 0.10;
inline constexpr double kSaturatedOccupancy = 0.95;
inline constexpr int kSaturatedPeriods = 7;

struct RunWarning {
  std::string kind;                   // "saturation" or "regimes"
  std::string channel;                // channel id
  std::vector<std::string> measures;  // "abandonment", "occupancy": which stayed above its threshold
  int from_period = 0;                // earliest first period of a saturated stretch, over replications
  int replications = 0;               // replications in which the channel saturated
  int of = 0;                         // replications in all
  std::string message;                // the warning in plain words
};

// The warnings of a run, channels in id order (saturation, then regimes, per channel). Channels
// without the series a measure needs are not judged on it (today's engine writes tickets.ID and
// utilization.ID; version 2 adds abandoned.ID).
std::vector<RunWarning> saturation_warnings(const RunResult& result);

}  // namespace cxsim
