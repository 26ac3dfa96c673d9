#pragma once
// The runner's internal interface: running a compiled model (runner.cpp), the unit of parallel
// work, and the memory estimate. The public entry point is run_simulation (cxsim/runner.hpp).
#include <cstddef>
#include <cstdint>
#include <string>

#include "cxsim/results.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "model.hpp"

namespace cxsim {

// Customers per block: the unit of parallel work (fixed, so tallies never depend on threads).
inline constexpr std::uint32_t kBlockCustomers = 4096;

// What a run reports about its scenario besides the model (names, file, currency).
RunInfo run_info(const Scenario& scenario);

// Whether the model has a backlog channel (whose pending requests need per-customer state).
bool has_backlog_channel(const Model& model);

// Bytes of state per simulated customer: the Customer struct alone, and with the side state a
// model's interventions and backlog channels add.
std::size_t state_bytes_per_customer();
std::size_t state_bytes_per_customer(const Model& model);

// The most customers one of `processes` processes of a run holds (all of them for one process):
// its share of the initial customers' blocks and of every period's joiners.
std::uint64_t customers_per_process(const Model& model, int processes);

// Memory one process of a run of this model needs, in bytes: the state of the customers it holds,
// one tally per worker thread (threads <= 0: all hardware threads) and the results of every
// replication (every process keeps them). An estimate, on the safe side.
std::uint64_t estimate_memory_bytes(const Model& model, int threads, int processes = 1);

// check_memory of a compiled model, against the memory available now on each process's machine, or
// `available_bytes` for `processes_here` processes of the run's group (cluster.hpp) on one machine;
// `file` names the scenario in the diagnostic.
void check_memory(const std::string& file, const Model& model, int threads);
void check_memory(const std::string& file, const Model& model, int threads, std::uint64_t available_bytes,
                  int processes_here = 1);

// Whether runs use the scalar reference kernel (KernelMath::kScalarReference, engine.hpp: each
// customer draws its own Philox blocks, glibc's log, cos and exp) instead of the engine's lane
// kernel (the default). For tests and benchmarks; read when a replication starts.
void set_scalar_reference(bool on);
bool scalar_reference();

// Runs the selected replications of a compiled model; `info` is copied into the result.
RunResult run_model(const Model& model, const RunInfo& info, const RunOptions& options = {});

}  // namespace cxsim
