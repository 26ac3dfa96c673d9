#!/usr/bin/env bash
# README quick start, command 2: install what is missing, build, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
tools/build.sh
cd build && ctest --output-on-failure -j "$(nproc)"
