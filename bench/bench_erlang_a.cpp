// Erlang A carried through one day (sim/erlang_a.hpp): the cost of one channel-day of the chain,
// and of the two per-contact draws (the state found, the offered wait).
// Days: 20 half-hour intervals of a 10-hour day with a morning peak (weights below), arrivals and
// staffing shaped alike, aht 9 minutes, mean patience 15 minutes; 14, 140 and 1,400 agents on
// average (about 100k, 1M and 10M customers of a telecom) at 85% offered load; 140 agents at 115%;
// and a 24-hour channel (48 half-hour intervals, day-night profile) carrying the previous day's end.
// Run: build/bench/bench_erlang_a --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "erlang_a.hpp"

namespace {

constexpr double kAhtMinutes = 9.0;
constexpr double kPatienceMinutes = 15.0;
const std::vector<double> kMorningPeak{2, 3, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1};

// c_i = floor(agents v_i / mean(v) + 0.5 + 1e-9) (MODEL.md, details of version 2), lambda_i the
// offered load spread by the same weights.
std::vector<cxsim::ErlangAInterval> shaped_day(double agents, double load, const std::vector<double>& weights,
                                               double length_minutes) {
  double mean = 0.0;
  for (double w : weights) mean += w;
  mean /= static_cast<double>(weights.size());
  std::vector<cxsim::ErlangAInterval> day;
  for (double w : weights) {
    const int servers = static_cast<int>(std::floor(agents * w / mean + 0.5 + 1e-9));
    day.push_back({load * agents / kAhtMinutes * w / mean, servers, length_minutes});
  }
  return day;
}

std::vector<double> day_night_profile() {  // 48 half hours: low at night, peaks at 10:00 and 19:00
  std::vector<double> w;
  for (int i = 0; i < 48; ++i) {
    const double hour = i / 2.0;
    w.push_back(0.3 + 3.0 * std::exp(-0.5 * std::pow((hour - 10.0) / 2.0, 2.0)) +
                2.0 * std::exp(-0.5 * std::pow((hour - 19.0) / 2.5, 2.0)));
  }
  return w;
}

void report(benchmark::State& state, const cxsim::ErlangADay& chain) {
  const cxsim::ErlangAStats& s = chain.stats();
  state.counters["steps"] = static_cast<double>(s.steps);
  state.counters["state_updates"] = static_cast<double>(s.state_updates);
  state.counters["ns_per_update"] =
      benchmark::Counter(static_cast<double>(s.state_updates),
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["max_window"] = s.max_window_states;
  state.counters["error_bound"] = chain.end_error_bound();
}

void run_day(benchmark::State& state, const std::vector<cxsim::ErlangAInterval>& day,
             const cxsim::StateDistribution& initial = cxsim::StateDistribution{}) {
  cxsim::ErlangADay chain;
  chain.solve(day, 1.0 / kAhtMinutes, 1.0 / kPatienceMinutes, initial);  // warm-up: buffers grow once
  for (auto _ : state) {
    chain.solve(day, 1.0 / kAhtMinutes, 1.0 / kPatienceMinutes, initial);
    benchmark::DoNotOptimize(chain.end_distribution().probability.data());
  }
  report(state, chain);
}

void BM_Day(benchmark::State& state) {
  run_day(state, shaped_day(static_cast<double>(state.range(0)), 0.85, kMorningPeak, 30.0));
}

void BM_DayOverloaded(benchmark::State& state) {
  run_day(state, shaped_day(static_cast<double>(state.range(0)), 1.15, kMorningPeak, 30.0));
}

void BM_Day24Hours(benchmark::State& state) {
  const std::vector<cxsim::ErlangAInterval> day =
      shaped_day(static_cast<double>(state.range(0)), 0.85, day_night_profile(), 30.0);
  cxsim::ErlangADay previous;
  previous.solve(day, 1.0 / kAhtMinutes, 1.0 / kPatienceMinutes);
  run_day(state, day, previous.end_distribution());
}

// Per contact: the state found in the peak interval of the 140-agent day.
void BM_StateFound(benchmark::State& state) {
  cxsim::ErlangADay chain;
  chain.solve(shaped_day(140.0, 0.85, kMorningPeak, 30.0), 1.0 / kAhtMinutes, 1.0 / kPatienceMinutes);
  double u = 0.0;
  for (auto _ : state) {
    u += 0.6180339887498949;
    u -= std::floor(u);
    benchmark::DoNotOptimize(chain.state_found(2, u));
  }
}

// Per waiting contact: V with q = range(0) waiting ahead, 260 servers (the peak), fast inversion
// and Boost's ibetac_inv.
template <bool kBoost>
void BM_OfferedWait(benchmark::State& state) {
  const int servers = 260;
  const int found = servers + static_cast<int>(state.range(0));
  double u = 0.0;
  for (auto _ : state) {
    u += 0.6180339887498949;
    u -= std::floor(u);
    const double v =
        kBoost
            ? cxsim::erlang_a_offered_wait_minutes_boost(servers, found, 1.0 / kAhtMinutes, 1.0 / kPatienceMinutes, u)
            : cxsim::erlang_a_offered_wait_minutes(servers, found, 1.0 / kAhtMinutes, 1.0 / kPatienceMinutes, u);
    benchmark::DoNotOptimize(v);
  }
}

}  // namespace

BENCHMARK(BM_Day)->Arg(14)->Arg(140)->Arg(1400)->Arg(14000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DayOverloaded)->Arg(140)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Day24Hours)->Arg(140)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_StateFound);
BENCHMARK_TEMPLATE(BM_OfferedWait, false)->Arg(0)->Arg(1)->Arg(4)->Arg(30)->Arg(200);
BENCHMARK_TEMPLATE(BM_OfferedWait, true)->Arg(0)->Arg(1)->Arg(4)->Arg(30)->Arg(200);

BENCHMARK_MAIN();
