#!/usr/bin/env bash
# README quick start, command 1: install what is missing, build, and run cxsim's main job on shipped
# scenarios: compare reactive and proactive ways to spend the same budget on the telecom
# subscription (scenarios/strategies/reactive_vs_proactive.json) against the unchanged scenario,
# writing results/reactive_vs_proactive.json (the comparison) and results/reactive_vs_proactive_csv/.
# Extra arguments go to `cxsim compare`, e.g. --replications 8 or --target-ci 50000.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
tools/build.sh
mkdir -p results
build/cxsim compare scenarios/strategies/reactive_vs_proactive.json -o results/reactive_vs_proactive.json \
  --csv results/reactive_vs_proactive_csv "$@"
