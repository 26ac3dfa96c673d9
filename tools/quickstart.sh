#!/usr/bin/env bash
# README quick start, command 1: install what is missing, build, and run cxsim's main job on shipped
# scenarios: compare three ways to spend the same budget on the telecom subscription's phone support
# (scenarios/strategies/telecom_staffing.json) against the unchanged scenario, writing
# results/telecom_staffing.json (the comparison) and results/telecom_staffing_csv/ (CSV files).
# Extra arguments go to `cxsim compare`, e.g. --replications 8 or --target-ci 50000.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
tools/build.sh
mkdir -p results
build/cxsim compare scenarios/strategies/telecom_staffing.json -o results/telecom_staffing.json \
  --csv results/telecom_staffing_csv "$@"
