#pragma once
// The pieces of a calibration fit (calibrate.cpp), which calibrate() (calibrate_result.cpp) puts
// together: the objective under common random numbers, the optimiser, and the curvature behind the
// standard errors.
#include <nlohmann/json.hpp>
#include <vector>

#include "cxsim/calibrate.hpp"
#include "small_matrix.hpp"

namespace cxsim {

// One simulation of a parameter point.
struct FitEvaluation {
  std::vector<double> theta;                 // parameter values
  std::vector<double> means;                 // per target: the mean over replications
  std::vector<std::vector<double>> samples;  // per replication, per target
  double objective = 0.0;
};

// The objective of a SPEC: Q = r'Wr on the means of a fixed seed and replication range.
class FitProblem {
 public:
  FitProblem(const CalibrationSpec& spec, const CalibrationOptions& options);

  // Simulates replications first .. first + count - 1 of the scenario at `theta`; the run itself goes
  // to *run when given. Throws Interrupted, and InputError when the point is not a valid scenario.
  FitEvaluation evaluate(const std::vector<double>& theta, int first_replication, int replications,
                         RunResult* run = nullptr);
  double objective(const std::vector<double>& means) const;

  const Matrix& weight() const { return weight_; }                     // W = D^(1/2) C^-1 D^(1/2)
  const Matrix& observed_covariance() const { return observed_cov_; }  // C
  int undefined_evaluations() const { return undefined_evaluations_; }
  // Marks the job done (the optimiser may stop before its budget).
  void finish_progress();

 private:
  Scenario scenario_at(const std::vector<double>& theta) const;

  const CalibrationSpec& spec_;
  const CalibrationOptions& options_;
  nlohmann::json base_doc_;
  Matrix observed_cov_;
  Matrix weight_;
  std::vector<std::size_t> index_;  // each target's index in its series (from the first run)
  double done_work_ = 0.0;          // replications simulated so far
  double total_work_ = 1.0;         // replications of the whole job at most
  int undefined_evaluations_ = 0;
};

struct Optimum {
  FitEvaluation best;
  int evaluations = 0;
  std::vector<StartOutcome> starts;
};

// BOBYQA from spec.starts starts over the box scaled to [0, 1] (log scale where asked), sharing
// spec.max_evaluations among them.
Optimum optimize(FitProblem& problem, const CalibrationSpec& spec);

struct Curvature {
  Matrix jacobian;            // d mean_i / d u_j, u the working scale (log for log parameters)
  Matrix covariance;          // of the estimates on the working scale; NaN when not identified
  std::vector<double> mc_se;  // Monte Carlo standard error of each target's mean at the optimum
  double condition = 0.0;     // of J'WJ scaled to unit diagonal; inf when singular
  int evaluations = 0;
};

// The Jacobian by finite differences at the optimum (same replications: common random numbers) and
// the sandwich covariance (J'WJ)^-1 J'W (C + M) WJ (J'WJ)^-1.
Curvature curvature(FitProblem& problem, const CalibrationSpec& spec, const FitEvaluation& best);

struct Polished {
  FitEvaluation best;   // at the rounded estimates (6 significant digits)
  Curvature curvature;  // at the last Gauss-Newton point (before rounding, which moves it negligibly)
  int steps = 0;        // Gauss-Newton steps kept
  // The decrease of the objective a further Gauss-Newton step would bring by its linear model (NaN
  // when not identified): near 0 at a minimum.
  double predicted_decrease = 0.0;
  int evaluations = 0;           // trial points and the rounded point
  int jacobian_evaluations = 0;  // finite differences
};

// Gauss-Newton steps from BOBYQA's optimum on the finite-difference Jacobian. Under common random
// numbers the objective of a finite population is flat at scales below a few customers' outcomes,
// which can stop BOBYQA's quadratic models early; the Jacobian's step (jacobian_step of each range)
// sees past that. Then the curvature at the final point and the estimates rounded to 6 digits.
Polished polish(FitProblem& problem, const CalibrationSpec& spec, FitEvaluation best);

// P(chi2(dof) > q); NaN when dof <= 0.
double chi_square_p_value(double q, int dof);

// Whether `value` lies within 0.1% of the range from the lower (or upper) bound.
bool at_bound(const CalibrationParameter& p, double value, bool upper);

}  // namespace cxsim
