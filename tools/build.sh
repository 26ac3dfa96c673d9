#!/usr/bin/env bash
# Configures and builds cxsim into ./build (Release, warnings as errors). Extra arguments go to
# CMake's configure step, e.g. tools/build.sh -DCXSIM_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCXSIM_WERROR=ON "$@" >/dev/null
cmake --build build -j "$(nproc)"
