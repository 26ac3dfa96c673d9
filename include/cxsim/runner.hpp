#pragma once
// The runner: the only place that knows about threads (oneTBB). It owns the customers' state, runs
// the kernel over fixed-size blocks of customers in parallel for each phase of each period, reduces
// the channels' demand between phases (the mean-field queue couples customers only through these
// exact integer counts), and turns the merged tallies into a RunResult. Tallies are exact integer
// sums, so the result is identical to the bit for any thread count and any block schedule.
#include <cstdint>
#include <functional>

#include "cxsim/model.hpp"
#include "cxsim/results.hpp"
#include "cxsim/scenario.hpp"

namespace cxsim {

struct RunOptions {
  int threads = 0;  // 0 = all hardware threads
  // Called from the calling thread after every period with the fraction of the run done (0..1].
  std::function<void(double)> progress;
};

// Customers per block: the unit of parallel work (fixed, so tallies never depend on threads).
inline constexpr std::uint32_t kBlockCustomers = 4096;

// Bytes of state per simulated customer (the Customer struct).
std::size_t state_bytes_per_customer();

// Memory a run of this model needs, in bytes (customer state plus per-thread tallies).
std::uint64_t estimate_memory_bytes(const Model& model, int threads);

// Throws InputError (pointer /population/customers) when the estimate exceeds the memory this
// machine has available (MemAvailable in /proc/meminfo), stating both numbers.
void check_memory(const Scenario& scenario, const Model& model, int threads);

// Runs every replication of the model.
RunResult run_simulation(const Scenario& scenario, const Model& model, const RunOptions& options = {});

}  // namespace cxsim
