#!/usr/bin/env bash
# Builds cxsim with AddressSanitizer + UndefinedBehaviorSanitizer (CMake option CXSIM_SANITIZE) into
# ./build-asan and runs the whole test suite there. Any sanitizer report fails the run.
# Usage: tools/sanitize.sh [extra CMake arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCXSIM_SANITIZE=ON -DCXSIM_WERROR=ON \
      -DCXSIM_BUILD_BENCH=OFF "$@" >/dev/null
cmake --build build-asan -j "$(nproc)"
cd build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$(nproc)"
