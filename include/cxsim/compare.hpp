#pragma once
// Comparing strategies under common random numbers (MODEL.md "Replications and statistics").
//
// Every variant of a batch runs the same replication indices with the same seed, so replication r
// of each variant draws from the same random streams: the variants differ only where their
// mechanisms differ. The effect of a variant on a metric is then estimated from the paired
// per-replication differences d_r = variant_r - baseline_r, whose Student-t 95% interval (stats'
// summarize) is usually far narrower than the interval of a difference of independent means,
// because the shared noise cancels (the paired-t interval and common random numbers: Law,
// "Simulation Modeling and Analysis", chapters 10 and 11). A variant identical to the baseline
// differs by exactly zero, with a zero-width interval.
//
// Sequential stopping (after Law, chapter 9, "obtaining a specified precision"): with a target
// half-width, replications are added in rounds, continuing the same replication indices
// (RunOptions::first_replication), until the objective's paired interval is at most the target
// for every variant or a cap on replications is reached. The next round aims at
// n (h / target)^2 replications (h the widest half-width now), at least one more and at most
// twice as many. Results after k rounds are identical to the bit to one run of as many
// replications.
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cxsim/batch.hpp"
#include "cxsim/results.hpp"
#include "cxsim/stats.hpp"

namespace cxsim {

// Summaries of the per-replication differences variant - baseline for every metric of either run,
// by name. Replication r is paired with replication r; both runs must hold the same number of
// replications (a programmer error otherwise). A metric missing from a replication, or undefined
// (NaN) in either run, makes its difference undefined.
std::map<std::string, Summary> paired_differences(const RunResult& variant, const RunResult& baseline);

// The per-replication differences of one metric, variant_r - baseline_r, in replication order (what
// paired_differences summarizes).
std::vector<double> paired_replicates(const RunResult& variant, const RunResult& baseline, const std::string& metric);

// The half-width of a summary's 95% interval; NaN when it has none (fewer than 2 replications or
// an undefined metric).
double ci_half_width(const Summary& s);

// True when the summary's 95% interval exists and does not contain zero.
bool interval_excludes_zero(const Summary& s);

enum class StopReason {
  kFixed,            // no target: the batch's replications were run
  kTargetReached,    // every variant's objective half-width is at most the target
  kMaxReplications,  // the cap was reached first
};

// "fixed", "target_reached", "max_replications".
const char* stop_reason_name(StopReason r);

struct VariantOutcome {
  std::string name;
  std::string description;
  RunResult result;                      // every replication run, in replication order
  std::map<std::string, Summary> delta;  // paired differences against the baseline
};

// What a round of sequential stopping saw, for progress messages.
struct RoundReport {
  int round = 0;                // 1-based
  int replications = 0;         // replications of every variant after this round
  double worst_half_width = 0;  // largest objective half-width over the variants (NaN: undefined)
  std::string worst_variant;
  int next_replications = 0;  // replications after the next round; 0 when stopping
};

struct CompareOptions {
  int threads = 0;                          // as RunOptions::threads
  std::optional<double> target_half_width;  // objective units; unset: run the batch's replications
  int max_replications = 50;                // cap with a target (1 .. kMaxReplicationCount)
  std::function<void(double)> progress;     // fraction of the current round done (0..1]
  std::function<void(const RoundReport&)> on_round;
  const std::atomic<bool>* cancel = nullptr;  // as RunOptions::cancel: Interrupted propagates
};

struct Comparison {
  std::string batch_name;
  std::string batch_description;
  std::string batch_file;
  std::string base_file;
  Objective objective;
  std::vector<VariantOutcome> variants;  // baseline first, as in the batch
  int replications = 0;                  // per variant
  int rounds = 0;
  StopReason stop = StopReason::kFixed;
  std::optional<double> target_half_width;
  std::optional<int> max_replications;  // set with a target
};

// Runs every variant of the batch (baseline first) over the same replications, in rounds when a
// target is given, and computes the paired differences. The first round runs the baseline's
// replication count. Throws InputError (file `<command line>`) when the target is not positive and
// finite or the cap is outside [replications, kMaxReplicationCount], and as check_memory does.
Comparison run_comparison(const Batch& batch, const CompareOptions& options = {});

// Variant indices ranked by the objective's mean, best first (by the objective's direction);
// undefined means rank last; ties keep the batch order (baseline first).
std::vector<std::size_t> rank_variants(const Comparison& comparison);

}  // namespace cxsim
