#!/usr/bin/env bash
# Screenshots of the HTML report for the README: for each result file given (default: the shipped
# run and comparison results in results/), writes its page with `cxsim report` into a temporary
# directory and results/NAME.png, a full-page screenshot (1200 px wide) taken by the same headless
# Chromium and script as the browser test, which checks each page while it is open (a page that
# fails the check writes no screenshot and fails this script).
# Usage: tools/report-screenshots.sh [RESULT.json ...]
#   needs the build (tools/build.sh) and Chromium (tools/setup-deps.sh --browser);
#   CXSIM_BUILD_DIR (default build) names the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${CXSIM_BUILD_DIR:-build}"
if (($# == 0)); then
  set -- results/telecom_subscription.json results/ecommerce_retailer.json results/broadband_subscription.json \
    results/reactive_vs_proactive.json
fi
pages="$(mktemp -d)"
trap 'rm -rf "$pages"' EXIT
for result in "$@"; do
  "$build/cxsim" report "$result" -o "$pages/$(basename "$result" .json).html"
done
node tools/vega/check-reports.mjs --screenshot results "$pages"/*.html
