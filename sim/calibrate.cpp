// The calibration fit (see cxsim/calibrate.hpp): evaluations under common random numbers, BOBYQA
// (Powell 2009, "The BOBYQA algorithm for bound constrained optimization without derivatives",
// through NLopt's LN_BOBYQA) from one or more starts, standard errors from the objective's curvature,
// and the check run of the fitted point on fresh replications.
#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>
#include <nlopt.hpp>
#include <optional>
#include <utility>

#include "calibrate_detail.hpp"
#include "calibrate_fit.hpp"
#include "cxsim/runner.hpp"
#include "diagnostic_sink.hpp"
#include "loader.hpp"
#include "nlopt_names.hpp"
#include "small_matrix.hpp"

namespace cxsim {

namespace {

using nlohmann::json;

// BOBYQA's trust region: it starts at a tenth of each scaled range and stops when it has shrunk to
// 1e-4 of it (well below any standard error a Monte Carlo objective can support).
constexpr double kInitialStep = 0.1;
constexpr double kStepTolerance = 1e-4;

// The Gauss-Newton polish after BOBYQA: at most this many steps, each kept only when it lowers the
// objective by more than kPolishGain.
constexpr int kPolishSteps = 3;
constexpr double kPolishGain = 1e-3;

// A parameter within this fraction of its range from a bound "ends on its bound".
constexpr double kAtBound = 1e-3;

// Stand-in for an objective whose simulated means are undefined (e.g. survey NPS with no response).
constexpr double kUndefinedObjective = 1e12;

// The radical inverse of `index` in base `base` (the Halton sequence's coordinate).
double radical_inverse(int index, int base) {
  double result = 0.0, f = 1.0 / base;
  for (int i = index; i > 0; i /= base, f /= base) result += f * (i % base);
  return result;
}

int nth_prime(std::size_t n) {
  int candidate = 1;
  for (std::size_t found = 0; found <= n;) {
    ++candidate;
    bool prime = true;
    for (int d = 2; d * d <= candidate && prime; ++d) prime = candidate % d != 0;
    if (prime) ++found;
  }
  return candidate;
}

// The values at positions x in [0, 1]^p.
std::vector<double> values_at(const std::vector<CalibrationParameter>& ps, const std::vector<double>& x) {
  std::vector<double> theta(ps.size());
  for (std::size_t j = 0; j < ps.size(); ++j) theta[j] = value_at(ps[j], x[j]);
  return theta;
}

// 6 significant digits (what the fitted scenario holds), kept inside the bounds.
double rounded(const CalibrationParameter& p, double x) {
  return std::clamp(std::stod(fmt::format("{:.6g}", x)), p.min, p.max);
}

}  // namespace

double value_at(const CalibrationParameter& p, double x) {
  if (p.scale == ParameterScale::kLog) return std::exp(std::log(p.min) + x * (std::log(p.max) - std::log(p.min)));
  return p.min + x * (p.max - p.min);
}

double position_of(const CalibrationParameter& p, double value) {
  if (p.scale == ParameterScale::kLog) return (std::log(value) - std::log(p.min)) / (std::log(p.max) - std::log(p.min));
  return (value - p.min) / (p.max - p.min);
}

double working_value(const CalibrationParameter& p, double value) {
  return p.scale == ParameterScale::kLog ? std::log(value) : value;
}

// ---- Evaluations -------------------------------------------------------------------------------

FitProblem::FitProblem(const CalibrationSpec& spec, const CalibrationOptions& options)
    : spec_(spec), options_(options), base_doc_(json::parse(spec.base_document)) {
  const std::size_t k = spec.targets.size();
  // C: the observations' covariance. Independent targets: sd^2. The retention points of one cohort of
  // n customers: Cov(S_s, S_t) = S_t (1 - S_s) / n for s <= t (a customer active at t was active at s).
  observed_cov_ = zero_matrix(k, k);
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = 0; b < k; ++b) {
      const CalibrationTarget &ta = spec.targets[a], &tb = spec.targets[b];
      if (a == b) {
        observed_cov_[a][b] = ta.sd * ta.sd;
      } else if (ta.cohort_size && tb.cohort_size) {
        const CalibrationTarget& early = ta.period <= tb.period ? ta : tb;
        const CalibrationTarget& late = ta.period <= tb.period ? tb : ta;
        observed_cov_[a][b] = late.value * (1.0 - early.value) / static_cast<double>(*ta.cohort_size);
      }
    }
  }
  const std::optional<Matrix> c_inv = inverse_spd(observed_cov_);
  CXSIM_CHECK(c_inv.has_value(), "the targets' covariance is positive definite (checked when the SPEC is loaded)");
  weight_ = *c_inv;
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = 0; b < k; ++b) {
      weight_[a][b] *= std::sqrt(spec.targets[a].weight * spec.targets[b].weight);
    }
  }
  const double per_run = static_cast<double>(spec.fit_replications);
  const double jacobians = (kPolishSteps + 1) * 2.0 * static_cast<double>(spec.parameters.size());
  total_work_ = (spec.max_evaluations + jacobians + kPolishSteps + 1) * per_run + spec.check_replications;
}

Scenario FitProblem::scenario_at(const std::vector<double>& theta) const {
  json doc = base_doc_;
  for (std::size_t j = 0; j < theta.size(); ++j) set_parameter_value(doc, spec_.parameters[j].pointer, theta[j]);
  Scenario s = scenario_from_document(doc, spec_.base_file);
  s.population.customers = spec_.base.population.customers;
  s.seed = spec_.base.seed;
  s.horizon_periods = spec_.base.horizon_periods;
  return s;
}

double FitProblem::objective(const std::vector<double>& means) const {
  const std::size_t k = means.size();
  double q = 0.0;
  for (std::size_t a = 0; a < k; ++a) {
    const double ra = means[a] - spec_.targets[a].value;
    for (std::size_t b = 0; b < k; ++b) q += ra * weight_[a][b] * (means[b] - spec_.targets[b].value);
  }
  return std::isfinite(q) ? q : kUndefinedObjective;
}

FitEvaluation FitProblem::evaluate(const std::vector<double>& theta, int first_replication, int replications,
                                   RunResult* run) {
  const Scenario s = scenario_at(theta);
  RunOptions o;
  o.threads = options_.threads;
  o.first_replication = first_replication;
  o.replication_count = replications;
  o.cancel = options_.cancel;
  if (options_.progress) {
    o.progress = [this, replications](double f) {
      options_.progress(std::min(1.0, (done_work_ + f * replications) / total_work_));
    };
  }
  RunResult result = run_simulation(s, o);
  done_work_ += replications;
  if (index_.empty()) {
    for (const CalibrationTarget& t : spec_.targets) {
      const std::optional<std::size_t> i = target_index(result, t);
      CXSIM_CHECK(i.has_value(), "a target's series and period exist (checked when the SPEC is loaded)");
      index_.push_back(*i);
    }
  }
  FitEvaluation e;
  e.theta = theta;
  const std::size_t k = spec_.targets.size();
  e.means.assign(k, 0.0);
  for (const ReplicationResult& rep : result.replications) {
    std::vector<double> row(k);
    for (std::size_t i = 0; i < k; ++i) {
      row[i] = target_value(rep, spec_.targets[i], index_[i]);
      e.means[i] += row[i] / static_cast<double>(replications);
    }
    e.samples.push_back(std::move(row));
  }
  e.objective = objective(e.means);
  if (e.objective == kUndefinedObjective) ++undefined_evaluations_;
  if (run != nullptr) *run = std::move(result);
  return e;
}

void FitProblem::finish_progress() {
  done_work_ = total_work_;
  if (options_.progress) options_.progress(1.0);
}

// ---- The optimiser -----------------------------------------------------------------------------

namespace {

// One BOBYQA run from `x0` with `budget` evaluations; every evaluation is offered to `best`.
StartOutcome run_start(FitProblem& problem, const CalibrationSpec& spec, std::vector<double> from, int budget,
                       FitEvaluation& best, int& evaluations) {
  const std::size_t p = spec.parameters.size();
  StartOutcome out;
  std::vector<double> x(p);
  for (std::size_t j = 0; j < p; ++j) x[j] = std::clamp(position_of(spec.parameters[j], from[j]), 0.0, 1.0);
  out.from = std::move(from);
  FitEvaluation start_best;
  start_best.objective = HUGE_VAL;
  std::exception_ptr failure;  // an interrupt or input error inside NLopt's callback, rethrown below
  struct Context {
    FitProblem* problem;
    const CalibrationSpec* spec;
    FitEvaluation* best;
    FitEvaluation* start_best;
    int* evaluations;
    int* start_evaluations;
    std::exception_ptr* failure;
  } context{&problem, &spec, &best, &start_best, &evaluations, &out.evaluations, &failure};
  nlopt::opt opt(nlopt::LN_BOBYQA, static_cast<unsigned>(p));
  opt.set_lower_bounds(std::vector<double>(p, 0.0));
  opt.set_upper_bounds(std::vector<double>(p, 1.0));
  opt.set_initial_step(kInitialStep);
  opt.set_xtol_abs(kStepTolerance);
  opt.set_maxeval(budget);
  opt.set_min_objective(
      [](const std::vector<double>& xs, std::vector<double>& /*gradient: none, derivative-free*/, void* data) {
        auto& c = *static_cast<Context*>(data);
        try {
          const FitEvaluation e = c.problem->evaluate(values_at(c.spec->parameters, xs), 0, c.spec->fit_replications);
          ++*c.evaluations;
          ++*c.start_evaluations;
          if (e.objective < c.start_best->objective) *c.start_best = e;
          if (e.objective < c.best->objective) *c.best = e;
          return e.objective;
        } catch (...) {
          *c.failure = std::current_exception();
          throw nlopt::forced_stop();  // NLopt stops at once; the failure is rethrown after optimize()
        }
      },
      &context);
  double f = 0.0;
  try {
    out.stop = nlopt_result_name(opt.optimize(x, f));
  } catch (const nlopt::forced_stop&) {
    if (failure) std::rethrow_exception(failure);
    throw;
  } catch (const nlopt::roundoff_limited&) {
    out.stop = "roundoff_limited";  // NLopt: the point is still the best it found
  }
  if (failure) std::rethrow_exception(failure);
  out.best = start_best.theta;
  out.objective = start_best.objective;
  return out;
}

}  // namespace

Optimum optimize(FitProblem& problem, const CalibrationSpec& spec) {
  const std::size_t p = spec.parameters.size();
  Optimum result;
  result.best.objective = HUGE_VAL;
  for (int s = 0; s < spec.starts; ++s) {
    // Start 0 at the parameters' starts; the others at the Halton points 1, 2, ... of the box.
    std::vector<double> from(p);
    for (std::size_t j = 0; j < p; ++j) {
      const CalibrationParameter& par = spec.parameters[j];
      from[j] = s == 0 ? par.start : rounded(par, value_at(par, radical_inverse(s, nth_prime(j))));
    }
    const int budget = spec.max_evaluations / spec.starts + (s < spec.max_evaluations % spec.starts ? 1 : 0);
    if (budget < 1) break;
    result.starts.push_back(run_start(problem, spec, std::move(from), budget, result.best, result.evaluations));
  }
  return result;
}

namespace {

// The Gauss-Newton step on the working scale, (J'WJ) du = -J'W r, and the decrease of the objective
// its linear model predicts, r'WJ (J'WJ)^-1 J'Wr; nullopt when J'WJ is singular.
std::optional<std::pair<std::vector<double>, double>> gauss_newton_step(const FitProblem& problem,
                                                                        const CalibrationSpec& spec,
                                                                        const FitEvaluation& at, const Matrix& j) {
  const std::size_t k = spec.targets.size();
  const Matrix jt_w = multiply(transpose(j), problem.weight());
  const std::optional<Matrix> a_inv = inverse_spd(multiply(jt_w, j));
  if (!a_inv) return std::nullopt;
  Matrix residual = zero_matrix(k, 1);
  for (std::size_t i = 0; i < k; ++i) residual[i][0] = at.means[i] - spec.targets[i].value;
  const Matrix gradient = multiply(jt_w, residual);  // half the objective's gradient
  const Matrix du = multiply(*a_inv, gradient);
  std::vector<double> step(du.size());
  double decrease = 0.0;
  for (std::size_t q = 0; q < du.size(); ++q) {
    step[q] = -du[q][0];
    decrease += gradient[q][0] * du[q][0];
  }
  return std::make_pair(std::move(step), decrease);
}

}  // namespace

Polished polish(FitProblem& problem, const CalibrationSpec& spec, FitEvaluation best) {
  const std::size_t p = spec.parameters.size();
  Polished out;
  for (int step = 0;; ++step) {
    out.curvature = curvature(problem, spec, best);
    out.jacobian_evaluations += out.curvature.evaluations;
    const auto gn = std::isfinite(out.curvature.condition)
                        ? gauss_newton_step(problem, spec, best, out.curvature.jacobian)
                        : std::nullopt;
    out.predicted_decrease = gn ? gn->second : std::nan("");
    if (step == kPolishSteps || !gn) break;
    // The full step, else half of it (Gauss-Newton leaves out the residuals' curvature, which matters
    // when the model does not fit the targets well); the first that lowers the objective is kept.
    bool improved = false;
    for (const double fraction : {1.0, 0.5}) {
      std::vector<double> theta = best.theta;
      for (std::size_t q = 0; q < p; ++q) {
        const CalibrationParameter& par = spec.parameters[q];
        const double u = working_value(par, theta[q]) + fraction * gn->first[q];
        theta[q] = std::clamp(par.scale == ParameterScale::kLog ? std::exp(u) : u, par.min, par.max);
      }
      if (theta == best.theta) break;
      FitEvaluation trial = problem.evaluate(theta, 0, spec.fit_replications);
      ++out.evaluations;
      if (trial.objective < best.objective - kPolishGain) {
        best = std::move(trial);
        improved = true;
        break;
      }
    }
    if (!improved) break;
    ++out.steps;
  }
  // The estimates as the fitted scenario holds them (6 significant digits), and the objective there.
  std::vector<double> theta = best.theta;
  for (std::size_t q = 0; q < p; ++q) theta[q] = rounded(spec.parameters[q], theta[q]);
  if (theta != best.theta) {
    best = problem.evaluate(theta, 0, spec.fit_replications);
    ++out.evaluations;
  }
  out.best = std::move(best);
  return out;
}

// ---- Standard errors ---------------------------------------------------------------------------

Curvature curvature(FitProblem& problem, const CalibrationSpec& spec, const FitEvaluation& best) {
  const std::size_t p = spec.parameters.size(), k = spec.targets.size();
  Curvature out;
  out.jacobian = zero_matrix(k, p);
  for (std::size_t j = 0; j < p; ++j) {
    const CalibrationParameter& par = spec.parameters[j];
    const double lo = working_value(par, par.min), hi = working_value(par, par.max);
    const double u = working_value(par, best.theta[j]), du = spec.jacobian_step * (hi - lo);
    // Central differences inside the box; one-sided at a bound.
    const double u_minus = std::max(lo, u - du), u_plus = std::min(hi, u + du);
    const auto at = [&](double w) {
      std::vector<double> theta = best.theta;
      theta[j] = std::clamp(par.scale == ParameterScale::kLog ? std::exp(w) : w, par.min, par.max);
      ++out.evaluations;
      return problem.evaluate(theta, 0, spec.fit_replications).means;
    };
    const std::vector<double> plus = u_plus > u ? at(u_plus) : best.means;
    const std::vector<double> minus = u_minus < u ? at(u_minus) : best.means;
    for (std::size_t i = 0; i < k; ++i) out.jacobian[i][j] = (plus[i] - minus[i]) / (u_plus - u_minus);
  }
  // M: the Monte Carlo covariance of the simulated means (sample covariance over replications / R).
  const std::size_t r = best.samples.size();
  Matrix noise = zero_matrix(k, k);
  if (r >= 2) {
    for (std::size_t a = 0; a < k; ++a) {
      for (std::size_t b = 0; b < k; ++b) {
        double s = 0.0;
        for (const auto& row : best.samples) s += (row[a] - best.means[a]) * (row[b] - best.means[b]);
        noise[a][b] = s / static_cast<double>(r - 1) / static_cast<double>(r);
      }
    }
  }
  out.mc_se.resize(k);
  for (std::size_t i = 0; i < k; ++i) out.mc_se[i] = r >= 2 ? std::sqrt(noise[i][i]) : std::nan("");
  // A = J'WJ (half the Gauss-Newton Hessian of Q); Cov = A^-1 J'W (C + M) WJ A^-1.
  const Matrix& w = problem.weight();
  const Matrix jt_w = multiply(transpose(out.jacobian), w);
  const Matrix a = multiply(jt_w, out.jacobian);
  // Identification: the condition number of A scaled to unit diagonal.
  std::vector<double> scale(p);
  bool zero_column = false;
  for (std::size_t j = 0; j < p; ++j) {
    zero_column = zero_column || !(a[j][j] > 0.0);
    scale[j] = a[j][j] > 0.0 ? 1.0 / std::sqrt(a[j][j]) : 0.0;
  }
  Matrix scaled = a;
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j < p; ++j) scaled[i][j] *= scale[i] * scale[j];
  }
  const std::vector<double> eigen = symmetric_eigenvalues(scaled);
  out.condition = zero_column || !(eigen.front() > 0.0) ? HUGE_VAL : eigen.back() / eigen.front();
  out.covariance = zero_matrix(p, p);
  const std::optional<Matrix> a_inv = out.condition < 1e12 ? inverse_spd(a) : std::nullopt;
  if (!a_inv) {
    for (auto& row : out.covariance) std::fill(row.begin(), row.end(), std::nan(""));
    return out;
  }
  Matrix c_plus_m = problem.observed_covariance();
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) c_plus_m[i][j] += noise[i][j];
  }
  const Matrix middle = multiply(multiply(jt_w, c_plus_m), transpose(jt_w));
  out.covariance = multiply(multiply(*a_inv, middle), *a_inv);
  return out;
}

double chi_square_p_value(double q, int dof) {
  if (dof <= 0 || !std::isfinite(q)) return std::nan("");
  const boost::math::chi_squared dist(dof);
  return boost::math::cdf(boost::math::complement(dist, std::max(q, 0.0)));
}

bool at_bound(const CalibrationParameter& p, double value, bool upper) {
  const double x = position_of(p, value);
  return upper ? x >= 1.0 - kAtBound : x <= kAtBound;
}

}  // namespace cxsim
