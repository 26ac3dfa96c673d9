// Engine throughput: customer-periods per second at 1 and 2 threads on the shipped telecom scenario
// as shipped (service and interventions), without its interventions, and without service or
// interventions; on the shipped e-commerce and broadband scenarios as shipped; on a large synthetic
// journey (50 touchpoints, 5 segments, 3 channels, 6 interventions); each at 1 thread with the
// engine's lane kernel and with the scalar reference kernel (engine.hpp KernelMath); bytes of state
// per customer; and the cost of one Philox block.
// Run: build/bench/bench_engine --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string>

#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "model.hpp"
#include "rng.hpp"
#include "run_model.hpp"

namespace {

constexpr std::int64_t kCustomers = 200000;
constexpr int kHorizon = 60;

enum class Parts { kAll, kNoInterventions, kJourneyOnly, kSynthetic, kEcommerce, kBroadband };

// A shipped scenario as shipped (its customers, its staffing: a larger base would overload its
// queues), over kHorizon periods, 1 replication, without a warm-up (broadband's 365 periods would be
// simulated but, unreported, not counted in the customer-periods).
cxsim::Scenario shipped(const char* name) {
  cxsim::Scenario s = cxsim::load_scenario(std::string(CXSIM_SOURCE_DIR "/scenarios/") + name + ".json");
  s.warmup_periods = 0;
  s.horizon_periods = kHorizon;
  s.replications = 1;
  return s;
}

cxsim::Scenario telecom(Parts parts) {
  cxsim::Scenario s = shipped("telecom_subscription");
  if (parts != Parts::kAll) s.interventions.clear();
  if (parts == Parts::kJourneyOnly) {
    s.service.channels.clear();
    for (auto& g : s.segments) g.channel_mix.clear();
  }
  return s;
}

// A large synthetic journey (issue 13): 50 touchpoints, each leading to three others, 5 segments,
// 3 channels (phone and chat queues, self-service) and 6 interventions, one of each common kind.
std::string synthetic_text() {
  std::string tps;
  for (int i = 0; i < 50; ++i) {
    if (i > 0) tps += ",";
    tps += fmt::format(
        R"("t{}": {{"quality": {{"mean": {}, "sd": 0.15}}, "failure": {}, "failure_quality": -0.2, "effort": {},
             "salience": {}, "next": {{"t{}": 6, "t{}": 3, "t{}": 1}}}})",
        i, 0.5 + 0.01 * (i % 30), 0.002 + 0.001 * (i % 20), i % 3, 0.2 + 0.05 * (i % 10), (i + 1) % 50, (i + 7) % 50,
        (i + 13) % 50);
  }
  std::string segments;
  for (int g = 0; g < 5; ++g) {
    if (g > 0) segments += ",";
    segments += fmt::format(
        R"("s{}": {{"share": 0.2, "initial_sentiment": {{"mean": {}, "sd": 0.2}}, "revenue_per_period": {},
             "contact_propensity": 0.5, "patience_minutes": {}, "self_resolve": 0.03, "referral_rate": 0.0003,
             "hazard": {{"base": {}, "frailty_variance": 0.3}}}})",
        g, 0.4 + 0.05 * g, 1.0 + 0.2 * g, 8 + 2 * g, 0.001 + 0.0003 * g);
  }
  return fmt::format(R"({{"name": "synthetic", "seed": 3, "horizon_periods": 60, "replications": 1,
    "population": {{"customers": {}}}, "segments": {{{}}},
    "journey": {{"entry": "t0", "touchpoints": {{{}}}}},
    "service": {{"channels": {{
      "phone": {{"share": 0.5, "agents": 60, "aht_minutes": 10, "hours_per_period": 10, "fcr": 0.7}},
      "chat": {{"share": 0.3, "agents": 20, "aht_minutes": 12, "hours_per_period": 12, "fcr": 0.6, "concurrency": 2}},
      "self_service": {{"share": 0.2, "agents": null, "fcr": 0.4}}}}}},
    "churn": {{"sentiment": -2.5, "open_issue": 0.5, "bad_experiences": 0.75, "effort": 0.05}},
    "interventions": {{
      "guide": {{"trigger": {{"on_visit": "t3"}}, "effect": {{"failure_multiplier": {{"t3": 0.5}}}}, "cost_per_use": 0.01}},
      "apology": {{"trigger": {{"on_failure": "t10"}}, "effect": {{"sentiment_boost": 0.1}}, "cost_per_use": 0.5}},
      "checkin": {{"trigger": {{"after_contact": "resolved"}}, "effect": {{"quality": {{"mean": 0.7, "sd": 0.1}}}}}},
      "rescue": {{"trigger": {{"sentiment_below": -0.3}}, "effect": {{"quality": {{"mean": 0.6, "sd": 0.2}}}}, "cooldown_periods": 30}},
      "desk": {{"trigger": {{"risk_above": 0.003}}, "capacity_per_period": 100, "cooldown_periods": 90,
                "effect": {{"hazard_multiplier": 0.5, "duration": 90}}, "cost_per_use": 15}},
      "newsletter": {{"trigger": {{"periodic": {{"every": 30}}}}, "effect": {{"quality": {{"mean": 0.6, "sd": 0.1}}}}}}}}}})",
                     kCustomers, segments, tps);
}

void run_engine(benchmark::State& state, Parts parts) {
  const cxsim::Scenario s = parts == Parts::kSynthetic   ? cxsim::parse_scenario(synthetic_text(), "synthetic.json")
                            : parts == Parts::kEcommerce ? shipped("ecommerce_retailer")
                            : parts == Parts::kBroadband ? shipped("broadband_subscription")
                                                         : telecom(parts);
  const cxsim::Model m = cxsim::compile_model(s);
  cxsim::RunOptions o;
  o.threads = static_cast<int>(state.range(0));
  // lanes 0: the scalar reference kernel (each customer draws its own blocks; glibc's log, cos, exp).
  cxsim::set_scalar_reference(state.range(1) == 0);
  double customer_periods = 0.0;
  for (auto _ : state) {
    cxsim::RunResult r = cxsim::run_simulation(s, o);
    // Active customer-periods, as the floor kernel counts them (conservatively: customers active at
    // the end of each period, so not those who churn in it); a base that grows (acquisition,
    // referrals) counts its joiners, one that shrinks no longer counts the churned.
    customer_periods = 0.0;
    for (const double a : r.replications.at(0).series.at("active")) customer_periods += a;
    benchmark::DoNotOptimize(r);
  }
  state.counters["customer_periods_per_s"] =
      benchmark::Counter(customer_periods, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes_per_customer"] = static_cast<double>(cxsim::state_bytes_per_customer(m));
  cxsim::set_scalar_reference(false);
}

void BM_TelecomAsShipped(benchmark::State& state) { run_engine(state, Parts::kAll); }
void BM_TelecomWithoutInterventions(benchmark::State& state) { run_engine(state, Parts::kNoInterventions); }
void BM_TelecomJourneyOnly(benchmark::State& state) { run_engine(state, Parts::kJourneyOnly); }
void BM_Synthetic50Touchpoints(benchmark::State& state) { run_engine(state, Parts::kSynthetic); }
void BM_EcommerceAsShipped(benchmark::State& state) { run_engine(state, Parts::kEcommerce); }
void BM_BroadbandAsShipped(benchmark::State& state) { run_engine(state, Parts::kBroadband); }

void BM_PhiloxBlock(benchmark::State& state) {
  std::uint32_t i = 0;
  for (auto _ : state) {
    const auto u = cxsim::CustomerRng(42, 0, i++).uniforms(7, cxsim::Stream::kVisit);
    benchmark::DoNotOptimize(u);
  }
}

// One thread with the lane kernel and with the scalar reference kernel, and two threads.
void engine_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"threads", "lanes"})->Args({1, 1})->Args({1, 0})->Args({2, 1});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_TelecomAsShipped)->Apply(engine_args);
BENCHMARK(BM_TelecomWithoutInterventions)->Apply(engine_args);
BENCHMARK(BM_TelecomJourneyOnly)->Apply(engine_args);
BENCHMARK(BM_Synthetic50Touchpoints)->Apply(engine_args);
BENCHMARK(BM_EcommerceAsShipped)->Apply(engine_args);
BENCHMARK(BM_BroadbandAsShipped)->Apply(engine_args);
BENCHMARK(BM_PhiloxBlock);
BENCHMARK_MAIN();
