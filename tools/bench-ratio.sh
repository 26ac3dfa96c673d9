#!/usr/bin/env bash
# The engine's per-core speed as a ratio to the floor kernel (../shared/bench/floor_kernel.cpp, the
# reference for issue 13's goal), both measured in one run of this script on this machine: the
# floor kernel before and after the engine benchmarks (their mean is the reference), then each
# engine benchmark's lane kernel at one thread divided by it.
#
# Usage: tools/bench-ratio.sh [FLOOR_KERNEL_SOURCE]
#   FLOOR_KERNEL_SOURCE defaults to ../shared/bench/floor_kernel.cpp beside the project (it is not
#   part of the project and is not copied into it: it is compiled into a temporary directory as its
#   README says). Needs a built build/bench/bench_engine (tools/build.sh) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
floor_src=${1:-../shared/bench/floor_kernel.cpp}
bench=build/bench/bench_engine
[ -f "$floor_src" ] || { echo "bench-ratio: no floor kernel at $floor_src (pass its path)" >&2; exit 2; }
[ -x "$bench" ] || { echo "bench-ratio: $bench is not built (run tools/build.sh)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench-ratio: needs python3" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
g++ -O3 -march=native -std=c++17 "$floor_src" -o "$work/floor_kernel" -ltbb

# "... cps N ..." -> N: active customer-periods per second, 200,000 customers x 365 periods, 1 thread.
floor() { "$work/floor_kernel" 200000 365 1 | sed -n 's/.* cps \([0-9.e+]*\) .*/\1/p'; }
before=$(floor)
"$bench" --benchmark_filter='threads:1/lanes:1' --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$work/engine.json" --benchmark_out_format=json >/dev/null 2>"$work/engine.log" ||
  { cat "$work/engine.log" >&2; echo "bench-ratio: $bench failed" >&2; exit 1; }
after=$(floor)

python3 - "$before" "$after" "$work/engine.json" <<'EOF'
import json
import sys

before, after = float(sys.argv[1]), float(sys.argv[2])
floor = (before + after) / 2
print(f"floor kernel: {before / 1e6:.2f} M customer-periods/s before, {after / 1e6:.2f} after, "
      f"reference {floor / 1e6:.2f} (1 thread)")
print(f"{'benchmark (lane kernel, 1 thread, median of 3)':<52} {'M customer-periods/s':>21} {'ratio':>7}")
for b in json.load(open(sys.argv[3]))["benchmarks"]:
    if b.get("aggregate_name") == "median" and "customer_periods_per_s" in b:
        name = b["run_name"].split("/")[0]
        rate = b["customer_periods_per_s"]
        print(f"{name:<52} {rate / 1e6:>21.2f} {rate / floor:>7.2f}")
EOF
