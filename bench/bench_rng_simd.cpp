// Philox4x32-10 blocks for 4096 consecutive customers (one period, one stream): the scalar
// CustomerRng::block loop against the lane-wise philox_blocks (sim/rng_simd.hpp, dispatched to the
// best Highway target: the label), both writing structure of arrays; and the same for the uniforms.
// Run: build/bench/bench_rng_simd --benchmark_min_time=0.5
// sec_per_block is the time per customer's block (SI prefix: "2.5n" is 2.5 ns).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "rng.hpp"
#include "rng_simd.hpp"

namespace {

constexpr std::uint32_t kCustomers = 4096;
constexpr std::uint64_t kSeed = 42;
constexpr std::uint32_t kPeriod = 7;

void count_blocks(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kCustomers);
  state.counters["sec_per_block"] =
      benchmark::Counter(kCustomers, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_BlocksScalar(benchmark::State& state) {
  std::vector<std::uint32_t> w0(kCustomers), w1(kCustomers), w2(kCustomers), w3(kCustomers);
  for (auto _ : state) {
    for (std::uint32_t c = 0; c < kCustomers; ++c) {
      const auto w = cxsim::CustomerRng(kSeed, 0, c).block(kPeriod, cxsim::Stream::kVisit);
      w0[c] = w[0];
      w1[c] = w[1];
      w2[c] = w[2];
      w3[c] = w[3];
    }
    benchmark::DoNotOptimize(w0.data());
    benchmark::DoNotOptimize(w1.data());
    benchmark::DoNotOptimize(w2.data());
    benchmark::DoNotOptimize(w3.data());
    benchmark::ClobberMemory();
  }
  count_blocks(state);
}

void BM_BlocksSimd(benchmark::State& state) {
  std::vector<std::uint32_t> w0(kCustomers), w1(kCustomers), w2(kCustomers), w3(kCustomers);
  for (auto _ : state) {
    cxsim::philox_blocks(kSeed, 0, 0, kCustomers, kPeriod, cxsim::Stream::kVisit, 0, w0.data(), w1.data(), w2.data(),
                         w3.data());
    benchmark::DoNotOptimize(w0.data());
    benchmark::ClobberMemory();
  }
  count_blocks(state);
  state.SetLabel(cxsim::simd_target_name());
}

void BM_UniformsScalar(benchmark::State& state) {
  std::vector<double> u0(kCustomers), u1(kCustomers), u2(kCustomers), u3(kCustomers);
  for (auto _ : state) {
    for (std::uint32_t c = 0; c < kCustomers; ++c) {
      const auto u = cxsim::CustomerRng(kSeed, 0, c).uniforms(kPeriod, cxsim::Stream::kVisit);
      u0[c] = u[0];
      u1[c] = u[1];
      u2[c] = u[2];
      u3[c] = u[3];
    }
    benchmark::DoNotOptimize(u0.data());
    benchmark::DoNotOptimize(u1.data());
    benchmark::DoNotOptimize(u2.data());
    benchmark::DoNotOptimize(u3.data());
    benchmark::ClobberMemory();
  }
  count_blocks(state);
}

void BM_UniformsSimd(benchmark::State& state) {
  std::vector<double> u0(kCustomers), u1(kCustomers), u2(kCustomers), u3(kCustomers);
  for (auto _ : state) {
    cxsim::philox_uniforms(kSeed, 0, 0, kCustomers, kPeriod, cxsim::Stream::kVisit, 0, u0.data(), u1.data(), u2.data(),
                           u3.data());
    benchmark::DoNotOptimize(u0.data());
    benchmark::ClobberMemory();
  }
  count_blocks(state);
  state.SetLabel(cxsim::simd_target_name());
}

}  // namespace

BENCHMARK(BM_BlocksScalar);
BENCHMARK(BM_BlocksSimd);
BENCHMARK(BM_UniformsScalar);
BENCHMARK(BM_UniformsSimd);
BENCHMARK_MAIN();
