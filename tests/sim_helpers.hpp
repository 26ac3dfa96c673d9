#pragma once
// Small helpers for tests that run whole simulations from inline scenario text.
#include <cmath>
#include <string>
#include <vector>

#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "model.hpp"

namespace cxsim::testing {

inline RunResult run_text(const std::string& json, int threads = 2) {
  const Scenario s = parse_scenario(json, "inline.json");
  const Model m = compile_model(s);
  RunOptions o;
  o.threads = threads;
  return run_simulation(s, o);
}

// Mean over replications of a metric.
inline double metric_mean(const RunResult& r, const std::string& name) {
  double sum = 0.0;
  for (const auto& rep : r.replications) sum += rep.metrics.at(name);
  return sum / static_cast<double>(r.replications.size());
}

// Mean over replications of element `i` of a series.
inline double series_mean(const RunResult& r, const std::string& name, std::size_t i) {
  double sum = 0.0;
  for (const auto& rep : r.replications) sum += rep.series.at(name).at(i);
  return sum / static_cast<double>(r.replications.size());
}

// Sum over replications of a touchpoint/channel count.
inline double touchpoint_total(const RunResult& r, const std::string& id, const std::string& count) {
  double sum = 0.0;
  for (const auto& rep : r.replications) sum += rep.touchpoints.at(id).values.at(count);
  return sum;
}

}  // namespace cxsim::testing
