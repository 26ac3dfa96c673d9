#!/usr/bin/env bash
# Errors under mpirun (include/cxsim/cluster.hpp): rank 0 alone reads inputs and writes outputs, and
# what it meets there is every process's error, so each case ends all processes with the exit code
# of a run in one process and prints the message once. Usage: errors.sh CXSIM MPIEXEC SOURCE_DIR WORK_DIR
set -euo pipefail
cxsim=$1 mpiexec=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
cd "$work"
mpi=("$mpiexec" -np 3 --oversubscribe)
if ((EUID == 0)); then mpi+=(--allow-run-as-root); fi
# Containers often forbid the cross-memory attach Open MPI's shared-memory transport prefers.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
failures=0

# expect CODE TEXT -- COMMAND...: the command exits with CODE and its output holds TEXT exactly once.
expect() {
  local code=$1 text=$2
  shift 3
  local status=0
  "$@" >out.txt 2>&1 || status=$?
  local count
  count=$(grep -cF -- "$text" out.txt || true)
  if [[ $status != "$code" || $count != 1 ]]; then
    echo "FAIL: $* exited $status (expected $code) and printed \"$text\" $count times (expected once):" >&2
    cat out.txt >&2
    failures=$((failures + 1))
  else
    echo "ok: exit $status, one message: $text"
  fi
}

# An input only rank 0 reads: a missing scenario (exit 2, the usual diagnostic).
expect 2 "cannot open scenario file: no such file" -- "${mpi[@]}" "$cxsim" run missing.json -q
# A scenario error found by validation on every process alike.
printf '{"name": 3}' >bad.json
expect 2 "bad.json:/name: error: expected a non-empty string" -- "${mpi[@]}" "$cxsim" validate bad.json
# The memory refusal, per process: three processes on this machine share its memory.
expect 2 "processes, 3 of which run on this machine" -- \
  "${mpi[@]}" "$cxsim" run "$src/scenarios/telecom_subscription.json" --customers 4000000000 -q
# An output only rank 0 writes: a result path under a regular file (exit 1).
touch not_a_directory
expect 1 "cannot write not_a_directory/result.json" -- \
  "${mpi[@]}" "$cxsim" run "$src/scenarios/telecom_subscription.json" --customers 1000 --horizon 5 \
  --replications 2 -q -o not_a_directory/result.json
((failures == 0))
