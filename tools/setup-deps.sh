#!/usr/bin/env bash
# Installs every Debian package cxsim's build, tests and benchmarks need. Idempotent: packages
# already present are left alone, and apt is not touched at all when nothing is missing.
# Usage: tools/setup-deps.sh [--mpi]     (needs root or sudo; Debian 12 "bookworm" or newer)
set -euo pipefail

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
  clang libclang-rt-14-dev               # fuzzing: clang++ and its libFuzzer/ASan runtime (tools/fuzz.sh)
)
if [[ "${1:-}" == "--mpi" ]]; then packages+=(libopenmpi-dev openmpi-bin); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "setup-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "setup-deps: run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi
echo "setup-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
