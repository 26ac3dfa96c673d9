#pragma once
// Running a scenario: compile it, simulate its replications on all cores, return the per-replication
// results (MODEL.md "Replications and statistics"). Results are a pure function of the scenario and
// its seed: identical to the bit for any thread count and any block schedule.
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>

#include "cxsim/results.hpp"
#include "cxsim/scenario.hpp"

namespace cxsim {

struct RunOptions {
  int threads = 0;  // 0 = all hardware threads
  // Which replications to run: first_replication .. first_replication + replication_count - 1
  // (replication_count < 0: through the model's last). Replication r always draws from the same
  // streams, so running replications in rounds (sequential stopping) or resuming from a checkpoint
  // gives the same bits as running them all at once.
  int first_replication = 0;
  int replication_count = -1;
  // Called from the calling thread after every period (warm-up periods included) with the fraction
  // of the run done (0..1].
  std::function<void(double)> progress;
  // Called from the calling thread after each replication completes (replication index, result):
  // checkpoints save here, so an interrupt loses at most the replication in progress.
  std::function<void(int, const ReplicationResult&)> on_replication;
  // Checked between periods; once it reads true the run stops and throws Interrupted. A signal
  // handler may set it (std::atomic<bool> is lock-free, so async-signal-safe).
  const std::atomic<bool>* cancel = nullptr;
};

// Thrown by run_simulation when RunOptions::cancel was set: the run stopped cleanly before period
// `period` of replication `replication` (0-based), after `replications_done` replications of this
// call had completed (and were passed to on_replication). Nothing of the stopped replication is kept.
// `period` is negative when the run stopped in a warm-up (warm-up periods are -warmup_periods .. -1).
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int replication, int period, int replications_done);
  int replication() const { return replication_; }
  int period() const { return period_; }
  int replications_done() const { return replications_done_; }

 private:
  int replication_, period_, replications_done_;
};

// Throws InputError (pointer /population/customers) when the run's memory estimate exceeds the
// memory this machine has available (MemAvailable in /proc/meminfo), stating both numbers, so a run
// that cannot fit is refused before it allocates instead of being killed by the kernel.
void check_memory(const Scenario& scenario, int threads);

// Compiles the scenario and runs the selected replications (all of them by default);
// result.replications holds them in order and result.info.replications counts them.
RunResult run_simulation(const Scenario& scenario, const RunOptions& options = {});

}  // namespace cxsim
