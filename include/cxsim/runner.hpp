#pragma once
// The runner: the only place that knows about threads (oneTBB). It owns the customers' state, runs
// the kernel over fixed-size blocks of customers in parallel for each phase of each period, reduces
// the channels' demand between phases (the mean-field queue couples customers only through these
// exact integer counts), and turns the merged tallies into a RunResult. Tallies are exact integer
// sums, so the result is identical to the bit for any thread count and any block schedule.
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>

#include "cxsim/model.hpp"
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
  // Called from the calling thread after every period with the fraction of the run done (0..1].
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
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int replication, int period, int replications_done);
  int replication() const { return replication_; }
  int period() const { return period_; }
  int replications_done() const { return replications_done_; }

 private:
  int replication_, period_, replications_done_;
};

// Customers per block: the unit of parallel work (fixed, so tallies never depend on threads).
inline constexpr std::uint32_t kBlockCustomers = 4096;

// Bytes of state per simulated customer: the Customer struct alone, and with the side state a
// model's interventions add.
std::size_t state_bytes_per_customer();
std::size_t state_bytes_per_customer(const Model& model);

// Memory a run of this model needs, in bytes: customer state, one tally per worker thread (threads
// <= 0: all hardware threads) and the results of every replication. An estimate, on the safe side.
std::uint64_t estimate_memory_bytes(const Model& model, int threads);

// Throws InputError (pointer /population/customers) when the estimate exceeds the memory this
// machine has available (MemAvailable in /proc/meminfo), stating both numbers, so a run that cannot
// fit is refused before it allocates instead of being killed by the kernel.
void check_memory(const Scenario& scenario, const Model& model, int threads);
// Same, against `available_bytes` (for tests and for callers that budget memory themselves).
void check_memory(const Scenario& scenario, const Model& model, int threads, std::uint64_t available_bytes);

// Runs the selected replications of the model (all of them by default); result.replications holds
// them in order and result.info.replications counts them.
RunResult run_simulation(const Scenario& scenario, const Model& model, const RunOptions& options = {});

}  // namespace cxsim
