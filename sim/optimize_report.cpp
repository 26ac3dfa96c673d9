// The result document of `cxsim optimize` (see cxsim/optimize.hpp).
#include "cxsim/optimize.hpp"
#include "cxsim/version.hpp"
#include "explore_points.hpp"
#include "optimize_detail.hpp"

namespace cxsim {

namespace {

Json metric_json(const Constraint& c) {
  if (c.metrics.size() == 1) return c.metrics.front();
  Json out = Json::array();
  for (const std::string& m : c.metrics) out.push_back(m);
  return out;
}

Json constraints_json(const OptimizeSpec& spec, const std::vector<ConstraintValue>& values) {
  Json out = Json::array();
  for (std::size_t k = 0; k < values.size(); ++k) {
    const Constraint& c = spec.constraints[k];
    Json block = Json{{"metric", metric_json(c)}};
    if (c.min) block["min"] = *c.min;
    if (c.max) block["max"] = *c.max;
    block["value"] = summary_json(values[k].value);
    block["satisfied"] = values[k].satisfied;
    out.push_back(std::move(block));
  }
  return out;
}

Json spec_json(const OptimizeSpec& spec) {
  Json variables = Json::array();
  for (const DecisionVariable& v : spec.variables) {
    Json block = Json{{"name", v.name}, {"pointer", v.pointer}, {"change", v.add ? "add" : "set"}};
    if (v.range) {
      block["min"] = v.min;
      block["max"] = v.max;
      block["step"] = v.step;
      block["integer"] = v.integer;
    } else {
      Json values = Json::array();
      for (const std::string& t : v.values) values.push_back(value_json(t));
      block["values"] = std::move(values);
    }
    block["start"] = value_json(v.values[v.start]);
    block["grid_values"] = v.values.size();
    if (!v.description.empty()) block["description"] = v.description;
    variables.push_back(std::move(block));
  }
  Json constraints = Json::array();
  for (const Constraint& c : spec.constraints) {
    Json block = Json{{"metric", metric_json(c)}};
    if (c.min) block["min"] = *c.min;
    if (c.max) block["max"] = *c.max;
    if (!c.description.empty()) block["description"] = c.description;
    constraints.push_back(std::move(block));
  }
  return Json{
      {"name", spec.name},
      {"description", spec.description},
      {"file", spec.file},
      {"base", spec.base_file},
      {"objective", Json{{"metric", spec.objective.metric}, {"direction", direction_name(spec.objective.direction)}}},
      {"variables", std::move(variables)},
      {"constraints", std::move(constraints)},
      {"judge_constraints", spec.judge_on_interval ? "ci" : "mean"},
      {"method", search_method_name(spec.method)},
      {"budget", Json{{"evaluations", spec.evaluations},
                      {"candidates", spec.candidates},
                      {"confirm_replications", spec.confirm_replications}}}};
}

Json changes_json(const std::vector<PointChange>& changes) {
  Json out = Json::object();
  for (const PointChange& c : changes) out[c.pointer] = value_json(c.value_text);
  return out;
}

}  // namespace

Report optimize_report(const Optimization& o) {
  const OptimizeSpec& spec = o.spec;
  Json doc = Json::object();
  doc["cxsim_version"] = kVersion;
  doc["options"] = options_json(o.info, Json{{"spec", spec.file}, {"method", search_method_name(o.method)}});
  doc["scenario"] = scenario_json(o.info.run);

  const auto point = [&](const Evaluation& e) {
    return Json{{"values", values_json(spec, e.index)}, {"changes", changes_json(e.changes)}};
  };
  const auto candidate = [&](const Candidate& c) {
    Json block = point(o.evaluations[c.evaluation]);
    block["evaluation"] = c.evaluation;
    block["replications"] = c.result.replications.size();
    block["objective"] = summary_json(c.objective);
    block["delta_to_best"] = summary_json(c.delta_to_best);
    block["constraints"] = constraints_json(spec, c.constraints);
    block["feasible"] = c.feasible;
    block["indistinguishable"] = c.indistinguishable;
    return block;
  };

  Json best;
  if (o.best_candidate) {
    const Candidate& c = o.candidates[*o.best_candidate];
    best = candidate(c);
    best["metrics"] = run_report(c.result).document().json["metrics"];
  } else if (!o.evaluations.empty()) {
    const Evaluation& e = o.evaluations[o.best_evaluation];
    best = point(e);
    best["evaluation"] = o.best_evaluation;
    best["replications"] = e.result.replications.size();
    best["objective"] = summary_json(e.objective);
    best["constraints"] = constraints_json(spec, e.constraints);
    best["feasible"] = false;
    best["violation"] = json_number(e.violation);
    best["metrics"] = run_report(e.result).document().json["metrics"];
  }
  Json indistinguishable = Json::array(), candidates = Json::array();
  for (const Candidate& c : o.candidates) {
    if (c.indistinguishable) indistinguishable.push_back(candidate(c));
    candidates.push_back(candidate(c));
  }
  Json evaluations = Json::array();
  for (std::size_t k = 0; k < o.evaluations.size(); ++k) {
    const Evaluation& e = o.evaluations[k];
    Json block = Json{{"evaluation", k},
                      {"phase", e.phase},
                      {"values", values_json(spec, e.index)},
                      {"changes", changes_json(e.changes)}};
    block["objective"] = summary_json(e.objective);
    block["constraints"] = constraints_json(spec, e.constraints);
    block["feasible"] = e.feasible;
    block["violation"] = json_number(e.violation);
    evaluations.push_back(std::move(block));
  }
  doc["optimize"] =
      Json{{"spec", spec_json(spec)},
           {"method", search_method_name(o.method)},
           {"stop", o.stop},
           {"grid_points", o.grid_points},
           {"evaluations_used", o.evaluations.size()},
           {"replications", Json{{"search", spec.search_replications}, {"confirm", spec.confirm_replications}}},
           {"feasible", o.feasible},
           {"best", std::move(best)},
           {"indistinguishable", std::move(indistinguishable)},
           {"candidates", std::move(candidates)},
           {"evaluations", std::move(evaluations)}};
  return make_report("optimize", std::move(doc));
}

}  // namespace cxsim
