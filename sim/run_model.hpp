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

// Memory a run of this model needs, in bytes: customer state, one tally per worker thread (threads
// <= 0: all hardware threads) and the results of every replication. An estimate, on the safe side.
std::uint64_t estimate_memory_bytes(const Model& model, int threads);

// check_memory of a compiled model, against the memory available now or `available_bytes`; `file`
// names the scenario in the diagnostic.
void check_memory(const std::string& file, const Model& model, int threads);
void check_memory(const std::string& file, const Model& model, int threads, std::uint64_t available_bytes);

// Runs the selected replications of a compiled model; `info` is copied into the result.
RunResult run_model(const Model& model, const RunInfo& info, const RunOptions& options = {});

}  // namespace cxsim
