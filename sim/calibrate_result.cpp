// calibrate() (see cxsim/calibrate.hpp): the fit, its standard errors, the check run on fresh
// replications, and the warnings a planner needs to read the result honestly (a parameter on its
// bound or not identified, a target not reproduced, a poor fit, Monte Carlo noise).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "calibrate_detail.hpp"
#include "calibrate_fit.hpp"
#include "cxsim/calibrate.hpp"

namespace cxsim {

namespace {

// A target is "not reproduced" when its fresh mean lies this many sd from the observed value.
constexpr double kResidualWarning = 3.0;
// Monte Carlo noise is "large" when its standard error exceeds this share of the target's sd.
constexpr double kNoiseWarning = 0.5;
// Estimates correlated beyond this are "mostly a combination".
constexpr double kCorrelationWarning = 0.95;
// A fit is "poor" when the chi-square p-value of its check objective is below this.
constexpr double kPoorFit = 0.01;
// The fit has converged when a further Gauss-Newton step would lower the objective by less than this
// (the objective is a chi-square: 0.05 is far below its sampling spread).
constexpr double kConverged = 0.05;
constexpr double kZ95 = 1.959963984540054;  // the standard normal's 97.5% quantile

std::string value_text(double x) { return fmt::format("{:.6g}", x); }

void parameter_warnings(const CalibrationResult& r, const Curvature& c, std::vector<std::string>& out) {
  const std::size_t p = r.parameters.size();
  if (!std::isfinite(c.condition)) {
    out.push_back(
        "the parameters are not identified by the targets: the curvature of the objective is singular, so the "
        "standard errors are undefined; add targets that respond to the parameters differently, or fix some");
  } else if (c.condition > 1e8) {
    out.push_back(fmt::format("the parameters are nearly not identified: the curvature's condition number is {:.3g}",
                              c.condition));
  }
  for (std::size_t j = 0; j < p; ++j) {
    const ParameterEstimate& e = r.parameters[j];
    const CalibrationParameter& par = e.parameter;
    bool moves = false;
    for (const auto& row : c.jacobian) moves = moves || row[j] != 0.0;
    if (!moves) {
      out.push_back(fmt::format("{} is not identified: no target moves with it at the fitted point", par.pointer));
    }
    if (e.at_lower || e.at_upper) {
      out.push_back(fmt::format(
          "{} ended on its {} bound {}: the targets pull it further {}; widen the range, or the model cannot "
          "reproduce the targets with this parameter",
          par.pointer, e.at_lower ? "lower" : "upper", value_text(e.at_lower ? par.min : par.max),
          e.at_lower ? "down" : "up"));
    }
    const double range = working_value(par, par.max) - working_value(par, par.min);
    const double se_working = std::sqrt(c.covariance[j][j]);
    if (moves && std::isfinite(se_working) && se_working > range / 4.0) {
      out.push_back(
          fmt::format("{} is weakly identified: its standard error is more than a quarter of its range", par.pointer));
    }
    for (std::size_t i = 0; i < j; ++i) {
      const double rho = r.correlation[i][j];
      if (std::isfinite(rho) && std::fabs(rho) > kCorrelationWarning) {
        out.push_back(
            fmt::format("{} and {} are strongly correlated (r = {:.3f}): the targets mostly determine a "
                        "combination of them",
                        r.parameters[i].parameter.pointer, par.pointer, rho));
      }
    }
  }
}

void target_warnings(const CalibrationResult& r, int undefined, std::vector<std::string>& out) {
  for (const TargetFit& t : r.targets) {
    const std::string label = target_label(t.target);
    if (!std::isfinite(t.check.mean)) {
      out.push_back(fmt::format("target {} is undefined at the fitted point", label));
    } else if (std::fabs(t.residual) > kResidualWarning) {
      out.push_back(fmt::format("target {} is not reproduced: the fitted mean {} lies {:.1f} sd from the observed {}",
                                label, value_text(t.check.mean), t.residual, value_text(t.target.value)));
    }
    if (std::isfinite(t.fit_mc_se) && t.fit_mc_se > kNoiseWarning * t.target.sd) {
      out.push_back(
          fmt::format("the Monte Carlo noise of target {} (standard error {}) is large against its sd {}: "
                      "raise customers or replications",
                      label, value_text(t.fit_mc_se), value_text(t.target.sd)));
    }
  }
  if (undefined > 0) {
    out.push_back(
        fmt::format("some targets were undefined at {} evaluated points (e.g. survey NPS with no response); "
                    "the optimiser was steered away from them",
                    undefined));
  }
  if (r.spec.fit_replications < 2) {
    out.push_back("one fit replication: the standard errors leave out the Monte Carlo noise of the simulated means");
  }
  if (r.degrees_of_freedom > 0 && std::isfinite(r.p_value) && r.p_value < kPoorFit) {
    out.push_back(
        fmt::format("the fit is poor for the targets' stated uncertainty: objective {:.3g} on {} degrees of "
                    "freedom (p = {:.2g}); the model cannot reproduce the targets together, or their sd "
                    "are too small",
                    r.objective_check, r.degrees_of_freedom, r.p_value));
  }
}

}  // namespace

CalibrationResult calibrate(const CalibrationSpec& spec, const CalibrationOptions& options) {
  FitProblem problem(spec, options);
  const Optimum optimum = optimize(problem, spec);
  const Polished polished = polish(problem, spec, optimum.best);
  const Curvature& c = polished.curvature;
  const FitEvaluation& best = polished.best;

  CalibrationResult r;
  r.spec = spec;
  r.objective = best.objective;
  r.evaluations = optimum.evaluations + polished.evaluations;
  r.jacobian_evaluations = polished.jacobian_evaluations;
  r.polish_steps = polished.steps;
  r.starts = optimum.starts;
  const std::size_t p = spec.parameters.size(), k = spec.targets.size();
  for (std::size_t j = 0; j < p; ++j) {
    const CalibrationParameter& par = spec.parameters[j];
    ParameterEstimate e;
    e.parameter = par;
    e.estimate = best.theta[j];
    const double se_working = std::sqrt(c.covariance[j][j]);
    if (par.scale == ParameterScale::kLog) {  // the delta method, and an interval symmetric in log
      e.se = e.estimate * se_working;
      e.ci95 = {e.estimate * std::exp(-kZ95 * se_working), e.estimate * std::exp(kZ95 * se_working)};
    } else {
      e.se = se_working;
      e.ci95 = {e.estimate - kZ95 * se_working, e.estimate + kZ95 * se_working};
    }
    e.at_lower = at_bound(par, e.estimate, false);
    e.at_upper = at_bound(par, e.estimate, true);
    r.parameters.push_back(e);
  }
  r.correlation = zero_matrix(p, p);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j < p; ++j) {
      r.correlation[i][j] = c.covariance[i][j] / std::sqrt(c.covariance[i][i] * c.covariance[j][j]);
    }
  }

  // The fitted point on fresh replications, independent of the fit's.
  const FitEvaluation check =
      problem.evaluate(best.theta, spec.fit_replications, spec.check_replications, &r.check_run);
  problem.finish_progress();
  for (std::size_t i = 0; i < k; ++i) {
    TargetFit t;
    t.target = spec.targets[i];
    t.fit_mean = best.means[i];
    t.fit_mc_se = c.mc_se[i];
    std::vector<double> values;
    for (const auto& row : check.samples) values.push_back(row[i]);
    t.check = summarize(values);
    t.residual = (t.check.mean - t.target.value) / t.target.sd;
    r.targets.push_back(std::move(t));
  }
  r.objective_check = problem.objective(check.means);
  r.degrees_of_freedom = static_cast<int>(k) - static_cast<int>(p);
  r.p_value = chi_square_p_value(r.objective_check, r.degrees_of_freedom);

  // Converged when BOBYQA met its step tolerance from some start, or when a further Gauss-Newton step
  // would not lower the objective materially (the polish may finish what the budget cut short).
  const bool bobyqa_converged = std::any_of(r.starts.begin(), r.starts.end(), [](const StartOutcome& s) {
    return s.stop != "maxeval_reached" && s.stop != "roundoff_limited";
  });
  if (!bobyqa_converged && !(polished.predicted_decrease <= kConverged)) {
    r.warnings.push_back(
        fmt::format("the fit has not converged: a further Gauss-Newton step would lower the objective "
                    "by about {:.3g}; raise max_evaluations (now {}) or use more starts",
                    polished.predicted_decrease, spec.max_evaluations));
  }
  parameter_warnings(r, c, r.warnings);
  target_warnings(r, problem.undefined_evaluations(), r.warnings);
  return r;
}

}  // namespace cxsim
