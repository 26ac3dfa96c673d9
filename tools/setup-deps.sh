#!/usr/bin/env bash
# Installs every Debian package cxsim's build, tests and benchmarks need, then the HTML report's
# chart renderer from the npm registry (tools/vega, pinned by its package-lock.json; see
# docs/html-report.md). Idempotent: packages already present are left alone, apt is not touched at
# all when nothing is missing, and `npm ci` is skipped when tools/vega/node_modules was installed
# from the current lock file.
# Usage: tools/setup-deps.sh [--mpi] [--browser]     (needs root or sudo; Debian 12 "bookworm" or newer)
#   --mpi      also Open MPI
#   --browser  also Chromium, for the HTML report's browser test and screenshots (tools/test.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

packages=(
  build-essential cmake pkg-config git ca-certificates
  libboost-graph-dev libboost-math-dev   # Boost.Graph (journey checks), Boost.Math (t quantiles, distributions)
  libtbb-dev                             # oneTBB (parallel customer blocks)
  nlohmann-json3-dev                     # scenario and result JSON
  libvalijson-dev                        # JSON Schema checks of scenarios (cxsim validate)
  librandom123-dev                       # Philox4x32-10 counter-based streams
  libcli11-dev                           # command line
  libnlopt-cxx-dev                       # NLopt: derivative-free optimisation (optimize, calibrate)
  libfmt-dev                             # formatting
  libgtest-dev libgmock-dev              # GoogleTest
  libbenchmark-dev                       # Google Benchmark
  libhwy-dev                             # Google Highway: SIMD kernels with run-time dispatch
  clang libclang-rt-14-dev               # fuzzing: clang++ and its libFuzzer/ASan runtime (tools/fuzz.sh)
)
for arg in "$@"; do
  case "$arg" in
    --mpi) packages+=(libopenmpi-dev openmpi-bin) ;;
    --browser) packages+=(chromium fonts-dejavu-core) ;;  # headless Chromium and a font for its text
    *) echo "usage: tools/setup-deps.sh [--mpi] [--browser]" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# node and npm fetch the chart renderer; Debian's (node 18, npm 9) unless the machine has its own.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if ((${#missing[@]} == 0)); then
  echo "setup-deps: all ${#packages[@]} packages already installed"
else
  sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || { echo "setup-deps: run as root or install sudo" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "setup-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The chart renderer (vega, vega-lite, vega-embed) and the browser test's driver (playwright-core),
# exactly as locked. --loglevel=error hides npm 9's EBADENGINE warnings on node 18 for vega-lite's
# command-line dependencies (yargs), which the browser bundles do not use.
vega="$root/tools/vega"
lock_hash="$(cat "$vega/package.json" "$vega/package-lock.json" | sha256sum | cut -d' ' -f1)"
stamp="$vega/node_modules/.cxsim-lock.sha256"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
  echo "setup-deps: tools/vega/node_modules matches its package-lock.json"
else
  echo "setup-deps: npm ci --prefix tools/vega (vega, vega-lite, vega-embed, playwright-core)"
  npm ci --prefix "$vega" --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi
