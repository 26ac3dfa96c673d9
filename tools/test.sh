#!/usr/bin/env bash
# README quick start, command 2: install what is missing, build, and run the whole test suite.
# Usage: tools/test.sh [--all]
#   (default)  normal build (Release, warnings as errors, with MPI: the distributed runs' tests run
#              `mpiexec -np 2` and `-np 3`) into ./build and ctest
#   --all      what CI runs (.ci/run): first the sanitizer build (ASan + UBSan, ./build-asan) with the
#              whole suite, then 60 s of fuzzing (tools/fuzz.sh, ./build-fuzz), then the normal build
#              and suite last, so the output ends with ctest's summary line
set -euo pipefail
cd "$(dirname "$0")/.."
all=0
case "${1:-}" in
  --all) all=1 ;;
  "") ;;
  *) echo "usage: tools/test.sh [--all]" >&2; exit 2 ;;
esac
# Chromium too (the HTML report's browser test runs in ctest) and Open MPI (the distributed tests).
tools/setup-deps.sh --browser --mpi
if ((all)); then
  echo "== sanitizer build (ASan + UBSan) and the whole suite =="
  tools/sanitize.sh
  echo "== fuzzing (60 s) =="
  tools/fuzz.sh 60
  echo "== normal build and the whole suite =="
fi
tools/build.sh -DCXSIM_MPI=ON
cd build && ctest --output-on-failure -j "$(nproc)"
