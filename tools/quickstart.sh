#!/usr/bin/env bash
# README quick start, command 1: install what is missing, build, and run the main job on a shipped
# scenario (the telecom subscription), writing results/telecom_subscription.json.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
tools/build.sh
mkdir -p results
build/cxsim run scenarios/telecom_subscription.json -o results/telecom_subscription.json --csv results/telecom_subscription_csv "$@"
