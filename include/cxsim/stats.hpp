#pragma once
// Statistics over replicate values: pure functions, no state. The 95% interval is Student-t with
// n - 1 degrees of freedom (Boost.Math), the standard choice for a handful of independent
// replications of a Monte Carlo run.
#include <optional>
#include <utility>
#include <vector>

namespace cxsim {

struct Summary {
  double mean = 0.0;
  std::optional<double> sd;                       // sample sd (n - 1); empty when n < 2
  std::optional<std::pair<double, double>> ci95;  // mean -/+ t(0.975, n-1) sd / sqrt(n); empty when n < 2
  std::size_t n = 0;
};

// Summary of replicate values. Requires at least one value; a NaN among them (an undefined metric,
// e.g. survey NPS with no responses) makes the mean NaN and sd/ci empty.
Summary summarize(const std::vector<double>& replicates);

// Student-t quantile t(p, dof) (Boost.Math).
double student_t_quantile(double p, double dof);

}  // namespace cxsim
