#pragma once
// Reports of a comparison (`cxsim compare`): the result JSON (MODEL.md "Result file": one run
// document per variant plus its paired deltas against the baseline), CSV files, and a console
// ranking. Pure formatting: every number comes from the Comparison.
#include <ostream>
#include <string>

#include "cxsim/compare.hpp"

namespace cxsim {

// The comparison document, serialized (2-space indent, trailing newline). Keys:
//   cxsim_version,
//   batch {name, description, file, base, objective {metric, direction}, variants [names],
//          common_random_numbers: true},
//   stopping {rule ("fixed" | "target_ci"), outcome ("fixed" | "target_reached" |
//             "max_replications"), replications, rounds, target_half_width, max_replications,
//             objective_half_width {VARIANT: half-width of the objective's delta interval}},
//   ranking [{rank, variant, mean, ci95, delta, delta_ci95, excludes_zero}] (best first),
//   variants {NAME: {...the result document of result_json..., description,
//                    delta {METRIC: {mean, sd, ci95, replicates}}}} (baseline first).
// Non-finite numbers and missing intervals are written as null.
std::string comparison_json(const Comparison& comparison);

// CSV files, written atomically into `dir` (created if missing): comparison.csv (one row per
// variant and metric: variant, metric, mean, sd, ci95_lo, ci95_hi, delta, delta_sd,
// delta_ci95_lo, delta_ci95_hi, delta_excludes_zero) and, per variant, the files of write_csv in
// `dir/VARIANT/`.
void write_comparison_csv(const Comparison& comparison, const std::string& dir);

// Console report: the batch line, the stopping outcome, the ranking by the objective with each
// variant's delta and 95% interval (marked `*` when the interval excludes zero), then per variant
// the deltas of the key metrics.
void print_comparison(std::ostream& out, const Comparison& comparison);

}  // namespace cxsim
