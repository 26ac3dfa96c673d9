// Engine throughput on the shipped telecom scenario: customer-periods per second at 1 and 2
// threads, with and without the service channels, plus the cost of one Philox block.
// Run: build/bench/bench_engine --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>

#include "cxsim/model.hpp"
#include "cxsim/rng.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"

namespace {

constexpr std::int64_t kCustomers = 200000;
constexpr int kHorizon = 60;

cxsim::Scenario telecom(bool with_service) {
  cxsim::Scenario s = cxsim::load_scenario(CXSIM_SOURCE_DIR "/scenarios/telecom_subscription.json");
  s.customers = kCustomers;
  s.horizon_periods = kHorizon;
  s.replications = 1;
  if (!with_service) {
    s.service.channels.clear();
    for (auto& g : s.segments) g.channel_mix.clear();
  }
  return s;
}

void run_engine(benchmark::State& state, bool with_service) {
  const cxsim::Scenario s = telecom(with_service);
  const cxsim::Model m = cxsim::compile_model(s);
  cxsim::RunOptions o;
  o.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    cxsim::RunResult r = cxsim::run_simulation(s, m, o);
    benchmark::DoNotOptimize(r);
  }
  const double customer_periods = static_cast<double>(kCustomers) * kHorizon;
  state.counters["customer_periods_per_s"] =
      benchmark::Counter(customer_periods, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes_per_customer"] = static_cast<double>(cxsim::state_bytes_per_customer());
}

void BM_TelecomWithService(benchmark::State& state) { run_engine(state, true); }
void BM_TelecomWithoutService(benchmark::State& state) { run_engine(state, false); }

void BM_PhiloxBlock(benchmark::State& state) {
  std::uint32_t i = 0;
  for (auto _ : state) {
    const auto u = cxsim::CustomerRng(42, 0, i++).uniforms(7, cxsim::Stream::kVisit);
    benchmark::DoNotOptimize(u);
  }
}

}  // namespace

BENCHMARK(BM_TelecomWithService)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TelecomWithoutService)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PhiloxBlock);
BENCHMARK_MAIN();
