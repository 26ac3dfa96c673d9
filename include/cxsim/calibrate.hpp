#pragma once
// Calibration (`cxsim calibrate`): fit scenario values to what the business observed.
//
// A SPEC names a base scenario, the values to fit (RFC 6901 pointers with bounds, on a linear or a
// log scale) and the targets: metrics of the result file or points of a series, each with its
// observed value and standard deviation. The objective is the weighted sum of squared standardized
// residuals of the simulated means,
//   Q(theta) = r' W r,   r_i = mean_i(theta) - observed_i,   W = D^(1/2) C^(-1) D^(1/2),
// with C the covariance of the observations (diag(sd^2), except that the retention points of one
// cohort are correlated: C_st = S_t (1 - S_s) / n for s <= t) and D the weights; with independent
// targets Q = sum_i w_i ((mean_i - observed_i) / sd_i)^2. Every evaluation simulates the same seed and
// replication indices (common random numbers), so Q is a deterministic function of theta. It is
// minimised with BOBYQA (Powell 2009, bound-constrained quadratic models; NLopt's LN_BOBYQA) over the
// box, scaled to [0, 1] per parameter (log scale where asked), then polished by at most 3 Gauss-Newton
// steps on the finite-difference Jacobian (a finite population's objective is flat below the scale
// of a few customers' outcomes, which can stop BOBYQA early). Standard errors come from the
// curvature of Q at the optimum (Gauss-Newton: Q'' ~ 2 J'WJ, with J the finite-difference Jacobian of
// the simulated means under common random numbers), as the sandwich
//   Cov = (J'WJ)^-1 J'W (C + M) WJ (J'WJ)^-1,
// which is 2 H^-1 when the weights are 1 and adds M, the Monte Carlo covariance of the simulated
// means. The fitted point is then run again on fresh replications (indices after the fit's) for
// honest intervals of each target. See docs/calibration.md.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cxsim/diagnostics.hpp"
#include "cxsim/report.hpp"
#include "cxsim/results.hpp"
#include "cxsim/scenario.hpp"
#include "cxsim/stats.hpp"

namespace cxsim {

enum class ParameterScale { kLinear, kLog };

// "linear" / "log".
const char* scale_name(ParameterScale scale);

// One fitted value of the scenario.
struct CalibrationParameter {
  std::string pointer;  // RFC 6901 pointer into the base scenario, e.g. "/segments/standard/hazard/base"
  double min = 0.0;     // bounds, min < max (min > 0 on a log scale)
  double max = 0.0;
  ParameterScale scale = ParameterScale::kLinear;
  double base_value = 0.0;  // the effective value in the base scenario (schema defaults included)
  double start = 0.0;       // where the first optimiser start begins, in [min, max]
};

enum class TargetKind { kMetric, kSeries };

// "metric" / "series".
const char* target_kind_name(TargetKind kind);

// One observed value.
struct CalibrationTarget {
  TargetKind kind = TargetKind::kMetric;
  std::string name;  // a metric of reported_metric_names(), or a series of the result file
  int period = -1;   // series only: the period (0 .. horizon - 1)
  double value = 0.0;
  double sd = 0.0;  // > 0
  double weight = 1.0;
  // Series "retention" only: the observed shares come from one cohort of this many customers; sd is
  // then binomial, sqrt(value (1 - value) / n), and the cohort's points are correlated.
  std::optional<std::int64_t> cohort_size;
  std::string source;  // where it was given, for messages: "spec.json:/targets/2" or "observed.csv:4"
};

// A validated SPEC (load_calibration_spec).
struct CalibrationSpec {
  std::string file;  // the SPEC, as given
  std::string name;
  std::string description;
  std::string base_file;  // the base scenario (relative paths are relative to the SPEC's directory)
  std::vector<CalibrationParameter> parameters;
  std::vector<CalibrationTarget> targets;
  // The base scenario with --set applied and the run size of the fit (customers, fit replications,
  // seed, horizon); every evaluation is this scenario with the parameters written in.
  Scenario base;
  std::string base_document;  // the base file's JSON (key order kept) with --set applied
  int fit_replications = 1;
  int check_replications = 2;
  int max_evaluations = 200;
  int starts = 1;
  double jacobian_step = 0.01;  // fraction of each parameter's (log-)range
};

// Command-line changes: `--set` assignments edit the base scenario before the parameters are written
// in; `run` overrides the spec's customers and (fit) replications and the base's seed and horizon;
// `targets_csv` files add targets (read like the spec's targets_csv).
struct CalibrationOverrides {
  std::vector<Assignment> assignments;
  RunOverrides run;
  std::vector<std::string> targets_csv;
};

// Reads and checks a SPEC, its base scenario and its targets before anything runs: the schema, then
// that every pointer names a number of the effective base scenario, min < max (min > 0 on a log
// scale) within the range the scenario accepts, the scenario stays valid with the parameters inside
// their bounds, every metric exists, every series exists and its period lies within the horizon, no
// target is given twice and there is at least one. Throws InputError with every diagnostic (naming
// the SPEC, or the CSV file and line, and the JSON pointer). Warnings (for example fewer targets than
// parameters) are appended to *warnings when given.
CalibrationSpec load_calibration_spec(const std::string& path, const CalibrationOverrides& overrides = {},
                                      std::vector<Diagnostic>* warnings = nullptr);

struct CalibrationOptions {
  int threads = 0;                            // 0 = all hardware threads; results never depend on it
  std::function<void(double)> progress;       // fraction (0..1] of the whole job, from the calling thread
  const std::atomic<bool>* cancel = nullptr;  // checked between periods; throws Interrupted when set
};

struct ParameterEstimate {
  CalibrationParameter parameter;
  double estimate = 0.0;                     // the fitted value (6 significant digits, as written to the scenario)
  double se = 0.0;                           // approximate standard error; NaN when not identified
  std::pair<double, double> ci95{0.0, 0.0};  // estimate -/+ 1.96 se (log scale: exp(log estimate -/+ 1.96 se_log))
  bool at_lower = false;                     // within 0.1% of the range from a bound
  bool at_upper = false;
};

struct TargetFit {
  CalibrationTarget target;
  double fit_mean = 0.0;   // mean over the fit's replications at the optimum
  double fit_mc_se = 0.0;  // Monte Carlo standard error of that mean (NaN with one replication)
  Summary check;           // over the fresh replications: mean, sd, 95% CI
  double residual = 0.0;   // (check mean - observed) / sd
};

// One optimiser start.
struct StartOutcome {
  std::vector<double> from;  // parameter values it started at
  std::vector<double> best;  // the best point it found
  double objective = 0.0;
  int evaluations = 0;
  std::string stop;  // why NLopt stopped: "xtol_reached", "maxeval_reached", ...
};

struct CalibrationResult {
  CalibrationSpec spec;
  std::vector<ParameterEstimate> parameters;
  std::vector<TargetFit> targets;
  std::vector<std::vector<double>> correlation;  // of the estimates (working scale); NaN when undefined
  double objective = 0.0;                        // Q at the optimum, on the fit's replications
  double objective_check = 0.0;                  // Q of the fresh replications' means
  int degrees_of_freedom = 0;                    // targets - parameters
  double p_value = 0.0;                          // P(chi2(dof) > objective_check); NaN when dof <= 0
  int evaluations = 0;           // objective evaluations: the optimiser's over all starts and the polish's
  int jacobian_evaluations = 0;  // simulations for the finite-difference Jacobians
  int polish_steps = 0;          // Gauss-Newton steps kept after BOBYQA
  std::vector<StartOutcome> starts;
  std::vector<std::string> warnings;  // parameters at a bound, not identified, targets not reproduced ...
  RunResult check_run;                // the fresh replications of the fitted point
};

// Fits the SPEC (see the top of this file). Throws Interrupted when options.cancel is set, and
// InputError when a point inside the bounds turns out not to be a valid scenario.
CalibrationResult calibrate(const CalibrationSpec& spec, const CalibrationOptions& options = {});

// The fit report (kind "calibration"): cxsim_version, options {spec, base, customers, seed,
// horizon_periods, fit_replications, check_replications, max_evaluations, starts, jacobian_step,
// threads}, calibration {name, description, method, se_method, objective, objective_check,
// degrees_of_freedom, p_value, evaluations, jacobian_evaluations, polish_steps, parameters [{pointer, estimate, se,
// ci95, min, max, scale, start, base_value, at_bound}], targets [{kind, name, period, observed, sd,
// weight, cohort_size, fitted {mean, sd, ci95}, fit_mean, fit_mc_se, residual}], correlation, starts,
// warnings}, fitted_run (the run document of the fresh replications).
Report calibration_report(const CalibrationResult& result, int threads);

// The fitted scenario: the base file's document (key order kept, --set applied) with the estimates
// written at their pointers, as a report of kind "scenario" whose JSON is the scenario file.
Report fitted_scenario(const CalibrationResult& result);

}  // namespace cxsim
