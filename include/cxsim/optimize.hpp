#pragma once
// Simulation optimisation of a scenario (`cxsim optimize`, docs/exploration.md): decision variables
// at scenario pointers, an objective metric, constraints on metrics, an evaluation budget.
//
// Every evaluation runs the same seed and replication indices (common random numbers), so the
// sampled objective is a fixed, deterministic function of the decision variables (the "sample path"
// or sample-average approximation: Robinson 1996; Kim, Pasupathy and Henderson 2015) that a
// deterministic derivative-free optimiser can search. Each variable lives on a finite grid (a range
// with a step, or a list of values); the optimiser (NLopt's COBYLA, BOBYQA or Nelder-Mead) moves in
// the continuous box [0, 1]^n and every point it asks for is rounded to the nearest grid point
// (integers by rounding), whose evaluation is cached, so it never pays twice for one grid point.
// A compass search on the grid (each variable one step up and down) then checks the best point's
// neighbourhood. Small grids (at most the budget) are searched exhaustively.
//
// The search's best candidates are then confirmed with more replications, continuing the same
// replication indices, and screened (Nelson, Swann, Goldsman and Song 2001, "Simple procedures for
// selecting the best simulated system when the number of alternatives is large", the screening
// step with paired differences under common random numbers): a candidate is kept when no other is
// better by more than t S_ij / sqrt(n), with t the Student-t quantile at (1 - 0.05)^(1 / (k - 1)).
// The kept set contains the best of the candidates with probability at least 95%; the report calls
// its members statistically indistinguishable from the best.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cxsim/batch.hpp"
#include "cxsim/explore.hpp"

namespace cxsim {

struct DecisionVariable {
  std::string name;  // its pointer unless the spec names it
  std::string pointer;
  std::string description;
  bool add = false;                         // "change": "add": the value is added to every number at the pointer
  bool integer = false;                     // integer values (ranges only)
  bool range = false;                       // a range (min, max, step) rather than a list of values
  double min = 0.0, max = 0.0, step = 0.0;  // of a range
  std::vector<std::string> values;          // the grid, as value texts, in order
  std::size_t start = 0;                    // index of the starting value
};

// A bound on a metric or on the sum of several metrics.
struct Constraint {
  std::vector<std::string> metrics;
  std::optional<double> min, max;
  std::string description;
};

enum class SearchMethod { kAuto, kGrid, kCobyla, kBobyqa, kNelderMead };
const char* search_method_name(SearchMethod m);

struct OptimizeSpec {
  std::string file;  // the spec, as given
  std::string name;
  std::string description;
  std::string base_file;  // relative to the spec's directory
  ExploreBase base;       // the base scenario with the spec's patch, --set and the overrides
  std::vector<DecisionVariable> variables;
  Objective objective;
  std::vector<Constraint> constraints;
  bool judge_on_interval = false;  // "judge_constraints": "ci"
  SearchMethod method = SearchMethod::kAuto;
  int evaluations = 30;          // budget: distinct grid points the search may simulate
  int candidates = 5;            // confirmed with more replications
  int search_replications = 0;   // the base scenario's after overrides
  int confirm_replications = 0;  // default twice the search's
};

struct OptimizePlan {
  OptimizeSpec spec;
  Scenario base_scenario;
};

// Reads the spec (checked against scenarios/schema/optimize.schema.json), the base scenario with the
// spec's patch and `overrides` (`--set` assignments and run sizes; overrides.run.replications
// replaces the spec's "replications"), and validates the base, the start, and every variable at
// each of its values (the others at their start). Throws InputError naming the spec file and the
// JSON pointer of the bad value.
OptimizePlan plan_optimize(const std::string& spec_file, const std::vector<Assignment>& assignments,
                           const RunOverrides& overrides, std::vector<Diagnostic>* warnings = nullptr);

struct ConstraintValue {
  Summary value;  // of the metric (or the sum), over replications
  bool satisfied = false;
};

struct Evaluation {
  std::vector<std::size_t> index;    // grid index per variable
  std::vector<PointChange> changes;  // what the point sets in the base scenario
  std::string phase;                 // "start", "grid", "optimizer", "neighbourhood"
  RunResult result;                  // metrics only, the search's replications
  Summary objective;
  std::vector<ConstraintValue> constraints;
  bool feasible = false;
  double violation = 0.0;  // sum of the constraints' violations, each relative to its bound
};

struct Candidate {
  std::size_t evaluation = 0;  // index into Optimization::evaluations
  RunResult result;            // metrics only, the confirmation's replications (search's included)
  Summary objective;
  std::vector<ConstraintValue> constraints;
  bool feasible = false;
  double violation = 0.0;
  Summary delta_to_best;  // objective: this - best, paired
  bool indistinguishable = false;
};

struct Optimization {
  ExploreInfo info;
  OptimizeSpec spec;
  SearchMethod method = SearchMethod::kGrid;  // what ran (auto resolved)
  std::string stop;                           // why the search stopped
  std::size_t grid_points = 0;                // of the whole grid (saturating)
  std::vector<Evaluation> evaluations;
  std::vector<Candidate> candidates;  // confirmed, best first
  bool feasible = false;              // some confirmed candidate meets every constraint
  // The best: a confirmed feasible candidate; when none is feasible, the evaluation with the least
  // violation (best_candidate empty).
  std::optional<std::size_t> best_candidate;
  std::size_t best_evaluation = 0;
};

// Runs the search and the confirmation.
Optimization run_optimize(const OptimizePlan& plan, const ExploreOptions& options = {});

// cxsim_version, options, scenario, optimize {spec, method, stop, grid_points, replications
// {search, confirm}, feasible, best {values, changes, objective, metrics, constraints, feasible},
// indistinguishable [...], candidates [...], evaluations [...]}.
Report optimize_report(const Optimization& optimization);

}  // namespace cxsim
