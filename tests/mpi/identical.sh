#!/usr/bin/env bash
# A distributed run gives the same result file, byte for byte, as a run in one process
# (include/cxsim/cluster.hpp). Usage: identical.sh CXSIM MPIEXEC SOURCE_DIR PROCESSES CASE WORK_DIR
# Cases: run_broadband (warm-up, acquisition and referrals that join, a capacity-limited desk made
# to bind), run_telecom (queue channels, interventions), run_ecommerce (a backlog channel), compare,
# compare_rounds (sequential stopping: more replications in rounds), calibrate (NLopt on simulated
# targets; rank 0 reads the spec and its base), sweep, resume (SIGTERM to mpirun stops every process between periods after a checkpoint; the
# resumed run under mpirun equals an uninterrupted run in one process).
# Each side runs in its own directory with the same relative output names, so even the recorded
# command line is the same.
set -euo pipefail
cxsim=$1 mpiexec=$2 src=$3 np=$4 case=$5 work=$6
rm -rf "$work" && mkdir -p "$work/one" "$work/many"
mpi=("$mpiexec" -np "$np" --oversubscribe)
if ((EUID == 0)); then mpi+=(--allow-run-as-root); fi
# Containers often forbid the cross-memory attach Open MPI's shared-memory transport prefers.
export OMPI_MCA_btl_vader_single_copy_mechanism=none

small=(--threads 2 -q)
case "$case" in
  run_broadband) args=(run "$src/scenarios/broadband_subscription.json" --customers 20000 --horizon 60 --replications 2
                       --set /interventions/retention_desk/capacity_per_period=3 -o result.json --csv csv) ;;
  run_telecom) args=(run "$src/scenarios/telecom_subscription.json" --customers 20000 --horizon 30 --replications 2
                     --set /interventions/retention_desk/capacity_per_period=5 -o result.json --html report.html) ;;
  run_ecommerce) args=(run "$src/scenarios/ecommerce_retailer.json" --customers 20000 --horizon 30 --replications 2
                       -o result.json) ;;
  compare) args=(compare "$src/scenarios/strategies/telecom_staffing.json" --customers 10000 --horizon 20
                 --replications 2 -o result.json) ;;
  compare_rounds) args=(compare "$src/scenarios/strategies/telecom_staffing.json" --customers 5000 --horizon 20
                        --replications 2 --target-ci 1 --max-replications 6 -o result.json) ;;
  calibrate) args=(calibrate "$src/scenarios/calibration/fader_hardie_regular.json" --customers 5000
                   -o fitted.json --report report.json) ;;
  sweep) args=(sweep "$src/scenarios/telecom_subscription.json" --vary /service/channels/phone/agents=14,20
               --customers 10000 --horizon 20 --replications 2 -o result.json) ;;
  resume) ;;
  *) echo "identical.sh: unknown case $case" >&2; exit 2 ;;
esac

if [[ "$case" != resume ]]; then
  (cd "$work/one" && "$cxsim" "${args[@]}" "${small[@]}")
  (cd "$work/many" && "${mpi[@]}" "$cxsim" "${args[@]}" "${small[@]}")
  diff -r "$work/one" "$work/many"
  echo "identical: $case, 1 process and $np processes"
  exit 0
fi

# resume: the same run uninterrupted in one process, then interrupted under mpirun once its
# checkpoint holds a replication, then resumed under mpirun. The run is long enough (24 replications
# of a few tenths of a second each) that the signal, sent within 20 ms of the first checkpoint,
# always arrives before the last replication, on a fast machine too.
run=(run "$src/scenarios/telecom_subscription.json" --customers 30000 --horizon 120 --replications 24 -q --threads 1)
(cd "$work/one" && "$cxsim" "${run[@]}" -o result.json)
cd "$work/many"
"${mpi[@]}" "$cxsim" "${run[@]}" --checkpoint cp.json -o result.json &
job=$!
for _ in $(seq 3000); do [[ -s cp.json ]] && break; sleep 0.02; done
[[ -s cp.json ]] || { echo "no checkpoint after 60 s" >&2; kill -TERM "$job"; exit 1; }
kill -TERM "$job"
status=0
wait "$job" || status=$?
echo "interrupted run exited with $status"
[[ ! -e result.json ]] || { echo "an interrupted run wrote its result file" >&2; exit 1; }
((status != 0)) || { echo "the run finished before the signal: nothing was interrupted" >&2; exit 1; }
"${mpi[@]}" "$cxsim" "${run[@]}" --resume cp.json -o result.json
# The command lines differ (--checkpoint, --resume): compare everything but the invocation block.
strip() { awk '/^  "invocation": \{/ {skip = 1} !skip {print} skip && /^  \},?$/ {skip = 0}' "$1"; }
diff <(strip "$work/one/result.json") <(strip result.json)
echo "identical: resumed under $np processes after SIGTERM, and one uninterrupted process"
