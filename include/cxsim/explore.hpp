#pragma once
// What-if exploration around one scenario (docs/exploration.md): a sweep over a grid of values, a
// one-at-a-time sensitivity analysis (a tornado), and the attribution of outcomes to the parts of a
// journey by removal effects (with Shapley values on request).
//
// Every point of an exploration is the base scenario with a few values changed (as `--set` changes
// them), validated like any scenario, and run with the base's seed and replication indices. Every
// random draw is keyed by (seed, replication, customer) and its purpose, so replication r of every
// point sees the same customers and the same luck wherever the points do not differ (common random
// numbers): differences between points are paired per replication and their Student-t intervals are
// much narrower than those of independent runs (Law, "Simulation Modeling and Analysis", ch. 11).
// A point whose effective scenario (every default filled in) equals one already run reuses that run:
// the two would be identical to the bit.
//
// Each command has two steps: plan_* reads and validates everything (every point), throwing
// InputError before anything runs; run_* simulates. *_report turns the outcome into the result file.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cxsim/report.hpp"
#include "cxsim/results.hpp"
#include "cxsim/scenario.hpp"
#include "cxsim/stats.hpp"

namespace cxsim {

// The base every point starts from: a scenario file, `--set` assignments applied to its document
// before each point's own changes, and the run-size overrides applied after validation (as
// `cxsim run` applies them).
struct ExploreBase {
  std::string scenario_file;
  std::vector<Assignment> assignments;
  RunOverrides overrides;
  // Optional JSON Merge Patch (RFC 7386, as JSON text; "" for none) applied to the file's document
  // before the assignments; a problem with a value it wrote names `patch_file` at `patch_pointer`
  // followed by the value's pointer (`cxsim optimize` names its spec's "patch").
  std::string patch;
  std::string patch_file;
  std::string patch_pointer;
};

// How an exploration runs: threads (results never depend on them), progress over the whole job
// (fraction 0..1 of the planned replication work), and the interrupt flag polled between periods
// (Interrupted propagates; nothing is returned).
struct ExploreOptions {
  int threads = 0;
  std::function<void(double)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

// One change of a point: set the value at RFC 6901 `pointer` to `value_text` (JSON, or a plain
// string when it is not JSON, as `--set` reads it), or, with `remove`, delete the key at `pointer`
// if it is there.
struct PointChange {
  std::string pointer;
  std::string value_text;
  bool remove = false;
};

// A validated point: its changes and its scenario (overrides applied).
struct ExplorePoint {
  std::vector<PointChange> changes;
  Scenario scenario;
};

// What the result file's "options" block records: the inputs and run sizes shared by every point.
struct ExploreInfo {
  ExploreBase base;
  RunInfo run;          // the base scenario's run information (seed, customers, horizon, replications ...)
  int threads = 0;      // informational only
  int simulations = 0;  // distinct scenarios simulated (a point equal to one already run is not rerun)
};

// ---- sweep --------------------------------------------------------------------------------------

// One `--vary /POINTER=SPEC`: SPEC is a comma list of values (JSON values or plain strings; commas
// inside brackets, braces or quotes do not split) or a numeric range FROM:TO:STEP (TO included when
// it lies on the grid; integers when all three are integers, else rounded to the decimals given).
struct Vary {
  std::string pointer;
  std::vector<std::string> values;  // as value texts
};

// Parses "/POINTER=SPEC"; throws InputError (file `<command line>`, the pointer) when it is malformed.
Vary parse_vary(std::string_view text);

// Most points a sweep may have.
inline constexpr std::size_t kMaxSweepPoints = 10000;

struct SweepPlan {
  ExploreBase base;
  Scenario base_scenario;               // the base with its --set assignments and overrides
  std::vector<std::string> parameters;  // the pointers, in --vary order
  std::vector<ExplorePoint> points;     // the full grid, the last parameter varying fastest
};

// Validates every point of the grid; throws InputError with every problem (a pointer that names no
// value, a value the scenario refuses, `/seed`, `/replications` or `/horizon_periods` varied, a
// pointer given twice, more than kMaxSweepPoints points). Warnings go to *warnings.
SweepPlan plan_sweep(const ExploreBase& base, const std::vector<Vary>& vary,
                     std::vector<Diagnostic>* warnings = nullptr);

struct SweepPoint {
  std::vector<std::string> values;  // one value text per parameter
  RunResult result;
  std::map<std::string, Summary> delta;  // paired differences against the first point
};

struct Sweep {
  ExploreInfo info;
  std::vector<std::string> parameters;
  std::vector<SweepPoint> points;
};

Sweep run_sweep(const SweepPlan& plan, const ExploreOptions& options = {});

// cxsim_version, options, scenario, sweep {parameters, reference, points [{values {POINTER: v},
// metrics, series (as cxsim run), delta {METRIC: {mean, sd, ci95}}}]}.
Report sweep_report(const Sweep& sweep);

// ---- sensitivity --------------------------------------------------------------------------------

struct SensitivityOptions {
  std::vector<std::string> pointers;  // empty: default_sensitivity_pointers
  double relative_step = 0.1;         // in (0, 1)
  std::string objective = "net_value";
};

// The documented default set: every non-exit touchpoint's failure; every staffed channel's agents
// and aht_minutes; every channel's fcr; every intervention's coverage; the churn coefficients; every
// segment's hazard base.
std::vector<std::string> default_sensitivity_pointers(const Scenario& scenario);

struct SensitivityParameter {
  std::string pointer;
  std::string base_text;
  std::string skipped;  // why the parameter was not varied ("" when it was)
  std::string low_text, high_text;
  // Relative change of the parameter's size (the mean of its numbers: a number, or every number of
  // a schedule) from the base to the low and high values.
  double relative_low = 0.0, relative_high = 0.0;
  std::map<std::string, Summary> delta_low, delta_high;  // paired against the base
  Summary swing;                                         // objective: high - low, paired
  Summary elasticity;  // (relative change of the objective) / (relative change of the parameter)
};

struct SensitivityPlan {
  ExploreBase base;
  SensitivityOptions options;
  ExplorePoint base_point;
  std::vector<SensitivityParameter> parameters;              // low/high texts filled in, deltas empty
  std::vector<std::pair<ExplorePoint, ExplorePoint>> sides;  // low and high, one per parameter (skipped: unused)
};

// Reads the base values, computes the low and high values (relative step, integers rounded and
// moved at least one unit, values kept in their schema range) and validates every point; throws
// InputError (file `<command line>`) for a bad step, objective or pointer.
SensitivityPlan plan_sensitivity(const ExploreBase& base, const SensitivityOptions& options,
                                 std::vector<Diagnostic>* warnings = nullptr);

struct Sensitivity {
  ExploreInfo info;
  std::string objective;
  double relative_step = 0.0;
  RunResult base;
  std::vector<SensitivityParameter> parameters;  // by |swing| of the objective, largest first; skipped last
};

Sensitivity run_sensitivity(const SensitivityPlan& plan, const ExploreOptions& options = {});

// cxsim_version, options, scenario, sensitivity {objective, relative_step, base {METRIC: summary},
// parameters [{pointer, base, low, high, relative_change, delta_low, delta_high, swing, elasticity}
// | {pointer, base, skipped}]}.
Report sensitivity_report(const Sensitivity& sensitivity);

// ---- attribution --------------------------------------------------------------------------------

struct AttributionOptions {
  bool shapley = false;  // also compute Shapley values per group
  // Shapley by sampling: permutations per group when a group is too large for the exact value
  // (more than kMaxExactShapleyParts parts); even counts pair each permutation with its reverse.
  int permutations = 8;
};

// Groups of at most this many parts get exact Shapley values (2^n coalitions).
inline constexpr std::size_t kMaxExactShapleyParts = 6;

// The metrics whose deltas and shares the console shows first.
const std::vector<std::string>& attribution_key_metrics();

struct AttributionPart {
  std::string id;
  std::vector<PointChange> changes;        // the removal: what the variant changes
  std::map<std::string, Summary> delta;    // removal effect: variant - base, paired
  std::map<std::string, double> share;     // delta mean / sum of the group's delta means (NaN when 0)
  std::map<std::string, Summary> shapley;  // with AttributionOptions::shapley
};

struct AttributionGroup {
  std::string name;  // "touchpoints", "channels", "interventions"
  std::vector<AttributionPart> parts;
  std::map<std::string, Summary> joint;       // every part removed at once
  std::map<std::string, double> interaction;  // joint mean - sum of the parts' means
  std::string shapley_method;                 // "", "exact" or "permutations"
  int shapley_permutations = 0;
};

// One group's plan: its parts, and every coalition of parts (removed together) the job runs, keyed
// by membership ("0110": parts 1 and 2 removed): each part alone, all of them, and the coalitions
// the Shapley values need.
struct AttributionGroupPlan {
  std::string name;
  std::vector<std::string> ids;
  std::vector<std::vector<PointChange>> removals;      // per part
  std::string shapley_method;                          // "", "exact" or "permutations"
  std::vector<std::vector<std::size_t>> permutations;  // the sampled orders ("permutations")
  std::map<std::string, ExplorePoint> coalitions;
};

struct AttributionPlan {
  ExploreBase base;
  AttributionOptions options;
  ExplorePoint base_point;
  std::vector<AttributionGroupPlan> groups;  // touchpoints, channels, interventions
};

// Finds the parts (touchpoints that are not exits, staffed channels, interventions), builds and
// validates every variant; throws InputError when the base is invalid, the permutations are not
// in [1, 1000], or a variant is refused (naming the variant).
AttributionPlan plan_attribution(const ExploreBase& base, const AttributionOptions& options,
                                 std::vector<Diagnostic>* warnings = nullptr);

struct Attribution {
  ExploreInfo info;
  RunResult base;
  std::vector<AttributionGroup> groups;
};

Attribution run_attribution(const AttributionPlan& plan, const ExploreOptions& options = {});

// cxsim_version, options, scenario, attribution {metrics, base {METRIC: summary}, touchpoints {ID:
// {changes, delta, share, shapley?}}, channels {...}, interventions {...}, joint {GROUP: {delta,
// sum_of_parts, interaction}}, shapley {GROUP: {method, permutations}}}.
Report attribution_report(const Attribution& attribution);

}  // namespace cxsim
