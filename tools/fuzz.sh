#!/usr/bin/env bash
# Builds the libFuzzer target (clang, ASan + UBSan, CMake option CXSIM_FUZZ) into ./build-fuzz and
# fuzzes the scenario loader, schema check, model compiler and a tiny run for SECONDS (default 60),
# starting from the shipped scenarios and the test inputs. Exits non-zero when an input crashes,
# hangs, leaks memory past the limit or throws anything but cxsim::InputError; the input is saved
# in build-fuzz/artifacts/ (turn it into a file in tests/data/bad or a unit test).
# Usage: tools/fuzz.sh [SECONDS]       (CXSIM_FUZZ_SEED=N picks another libFuzzer seed; default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DCXSIM_FUZZ=ON \
      -DCXSIM_BUILD_TESTS=OFF -DCXSIM_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target cxsim_fuzz
mkdir -p build-fuzz/corpus build-fuzz/artifacts
log=build-fuzz/fuzz.log
echo "fuzz: running cxsim_fuzz for ${seconds} s (log: ${log})"
set +e
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  build-fuzz/fuzz/cxsim_fuzz -max_total_time="${seconds}" -seed="${CXSIM_FUZZ_SEED:-1}" -timeout=10 \
  -rss_limit_mb=2048 -max_len=16384 -dict=fuzz/scenario.dict -artifact_prefix=build-fuzz/artifacts/ \
  -print_final_stats=1 build-fuzz/corpus scenarios tests/data >"${log}" 2>&1
status=$?
set -e
if ((status != 0)); then
  tail -n 80 "${log}"
  echo "fuzz: FAILED (exit ${status}); reproducer in build-fuzz/artifacts/" >&2
  exit "${status}"
fi
grep -E "^Done|stat::number_of_executed_units|stat::peak_rss_mb" "${log}" || true
echo "fuzz: no crash in ${seconds} s; corpus build-fuzz/corpus has $(ls build-fuzz/corpus | wc -l) inputs"
