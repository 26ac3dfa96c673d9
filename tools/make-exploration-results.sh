#!/usr/bin/env bash
# Makes the exploration results in results/ (see results/README.md, "Exploration"): a sweep over
# phone agents, a one-at-a-time sensitivity analysis, an attribution and the shipped optimisations
# (scenarios/optimize/) of the telecom scenario, each as a result file, its CSV files and the
# console table (NAME.txt).
# Full-size scenario (100,000 customers, 365 days) with few replications: about 40 minutes on 2
# cores. Re-run after a model change; the results depend on the model, not on the thread count.
#
# Usage: tools/make-exploration-results.sh [CXSIM]   (default build/cxsim; THREADS=N to limit threads)
set -euo pipefail
cd "$(dirname "$0")/.."
cxsim=${1:-build/cxsim}
threads=${THREADS:-0}
telecom=scenarios/telecom_subscription.json
run() {  # NAME ARGS...: result file, CSV directory and console table of one command
  local name=$1
  shift
  echo "== $name: cxsim $*" >&2
  "$cxsim" "$@" --threads "$threads" -o "results/$name.json" --csv "results/${name}_csv" >"results/$name.txt"
}

# How many phone agents? A constant staffing of 14 to 22 agents paid (the scenario has 19 until
# day 120, then 18), 4 replications each, paired against 14 agents.
run telecom_phone_sweep sweep "$telecom" --vary /service/channels/phone/agents=14:22:1 --replications 4

# Which parameters matter? The default set moved -/+ 10%, ranked by their swing of lifetime net value.
run telecom_sensitivity sensitivity "$telecom" --replications 2 --objective net_value_lifetime

# Which parts of the journey cost the most customers? Removal effects with exact Shapley values.
run telecom_attribution attribute "$telecom" --shapley --replications 4

# The best way to spend 500,000 USD a year for lifetime net value (scenarios/optimize/telecom_budget.json).
run telecom_budget_optimize optimize scenarios/optimize/telecom_budget.json

# The same budget spent to keep the most customers (objective retention instead of net value).
run telecom_budget_retention_optimize optimize scenarios/optimize/telecom_budget_retention.json
