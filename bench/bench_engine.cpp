// Engine throughput on the shipped telecom scenario: customer-periods per second at 1 and 2
// threads: as shipped (service and interventions), without its interventions, and without service
// or interventions; bytes of state per customer; and the cost of one Philox block.
// Run: build/bench/bench_engine --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>

#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "model.hpp"
#include "rng.hpp"
#include "run_model.hpp"

namespace {

constexpr std::int64_t kCustomers = 200000;
constexpr int kHorizon = 60;

enum class Parts { kAll, kNoInterventions, kJourneyOnly };

cxsim::Scenario telecom(Parts parts) {
  cxsim::Scenario s = cxsim::load_scenario(CXSIM_SOURCE_DIR "/scenarios/telecom_subscription.json");
  s.population.customers = kCustomers;
  s.horizon_periods = kHorizon;
  s.replications = 1;
  if (parts != Parts::kAll) s.interventions.clear();
  if (parts == Parts::kJourneyOnly) {
    s.service.channels.clear();
    for (auto& g : s.segments) g.channel_mix.clear();
  }
  return s;
}

void run_engine(benchmark::State& state, Parts parts) {
  const cxsim::Scenario s = telecom(parts);
  const cxsim::Model m = cxsim::compile_model(s);
  cxsim::RunOptions o;
  o.threads = static_cast<int>(state.range(0));
  // simd_draws 0: the scalar reference kernel (each customer draws its own visit block).
  cxsim::set_block_draws(state.range(1) != 0);
  for (auto _ : state) {
    cxsim::RunResult r = cxsim::run_simulation(s, o);
    benchmark::DoNotOptimize(r);
  }
  const double customer_periods = static_cast<double>(kCustomers) * kHorizon;
  state.counters["customer_periods_per_s"] =
      benchmark::Counter(customer_periods, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes_per_customer"] = static_cast<double>(cxsim::state_bytes_per_customer(m));
  cxsim::set_block_draws(true);
}

void BM_TelecomAsShipped(benchmark::State& state) { run_engine(state, Parts::kAll); }
void BM_TelecomWithoutInterventions(benchmark::State& state) { run_engine(state, Parts::kNoInterventions); }
void BM_TelecomJourneyOnly(benchmark::State& state) { run_engine(state, Parts::kJourneyOnly); }

void BM_PhiloxBlock(benchmark::State& state) {
  std::uint32_t i = 0;
  for (auto _ : state) {
    const auto u = cxsim::CustomerRng(42, 0, i++).uniforms(7, cxsim::Stream::kVisit);
    benchmark::DoNotOptimize(u);
  }
}

}  // namespace

BENCHMARK(BM_TelecomAsShipped)
    ->ArgNames({"threads", "simd_draws"})
    ->Args({1, 1})
    ->Args({1, 0})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_TelecomWithoutInterventions)
    ->ArgNames({"threads", "simd_draws"})
    ->Args({1, 1})
    ->Args({1, 0})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_TelecomJourneyOnly)
    ->ArgNames({"threads", "simd_draws"})
    ->Args({1, 1})
    ->Args({1, 0})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_PhiloxBlock);
BENCHMARK_MAIN();
