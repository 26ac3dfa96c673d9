#pragma once
// A strategy batch: one base scenario and named variants of it, each the base with an RFC 7386 JSON
// Merge Patch applied (`cxsim compare`). The loader checks the batch file, reads the base scenario,
// builds and validates every variant like any scenario, and compiles its model, collecting every
// diagnostic before failing: a problem in a variant names the batch file, the variant and the JSON
// path of the patch that caused it. The baseline (the base itself) is always first and is named
// "baseline". Variants share the base's seed, replication count and horizon, so replication r of
// every variant draws from the same random streams (common random numbers; MODEL.md "Replications
// and statistics").
//
// Batch file:
//   { "name": "...", "description": "...",
//     "base": "../telecom_subscription.json",   // path relative to the batch file
//     "replications": 10,                        // optional; overrides the base scenario's
//     "objective": "net_value",                  // or {"metric": "service_cost", "direction": "minimize"}
//     "variants": { NAME: {"description": "...", "patch": {...}}, ... } }
#include <optional>
#include <string>
#include <vector>

#include "cxsim/diagnostics.hpp"
#include "cxsim/scenario.hpp"

namespace cxsim {

enum class Direction { kMaximize, kMinimize };

// The metric variants are ranked by (a name of reported_metric_names()) and whether more is better.
struct Objective {
  std::string metric = "net_value";
  Direction direction = Direction::kMaximize;
};

// "maximize" / "minimize".
const char* direction_name(Direction d);

struct Variant {
  std::string name;  // "baseline" for the base scenario
  std::string description;
  Scenario scenario;  // validated, with the command-line overrides applied
};

struct Batch {
  std::string file;  // the batch file, as given
  std::string name;
  std::string description;
  std::string base_file;  // the base scenario's path (relative to the batch file's directory)
  Objective objective;
  std::vector<Variant> variants;  // baseline first, then the variants in name order
};

// Command-line changes applied to every variant: `--set` assignments edit the base document
// before the patches; the run-size overrides replace the validated values (as in `cxsim run`).
struct BatchOverrides {
  std::vector<Assignment> assignments;
  RunOverrides run;  // run.replications overrides the batch's and the base scenario's
};

// True when `path` holds a strategy batch: a JSON object with "base" and "variants" (what tells a
// batch from a scenario, so `cxsim run` and `cxsim validate` can say which command takes it).
// False for anything else, including files that cannot be read or parsed (their loader says why).
bool is_batch_file(const std::string& path);

// Reads, validates and compiles a batch. Throws InputError with every diagnostic when the batch
// file or any variant is invalid (unknown keys, missing or unreadable base, a variant named
// "baseline", no variants, an unknown objective metric, a patch that is not an object, a patch
// that changes seed, replications or horizon_periods, a variant that fails validation or
// compilation). Warnings of the baseline, and those of a variant not already the baseline's, are
// appended to *warnings when given.
Batch load_batch(const std::string& path, const BatchOverrides& overrides = {},
                 std::vector<Diagnostic>* warnings = nullptr);

}  // namespace cxsim
