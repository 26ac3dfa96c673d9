// The calibration's documents (see cxsim/calibrate.hpp): the fit report (kind "calibration") and the
// fitted scenario, and the fit report's console and CSV rendering (calibrate_report.hpp).
#include "calibrate_report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ostream>
#include <vector>

#include "calibrate_detail.hpp"
#include "cxsim/calibrate.hpp"
#include "cxsim/version.hpp"
#include "io.hpp"

namespace cxsim {

namespace {

Json interval_json(const std::pair<double, double>& ci) {
  if (!std::isfinite(ci.first) || !std::isfinite(ci.second)) return Json(nullptr);
  return Json::array({json_number(ci.first), json_number(ci.second)});
}

Json matrix_json(const std::vector<std::vector<double>>& m) {
  Json out = Json::array();
  for (const auto& row : m) {
    Json r = Json::array();
    for (double x : row) r.push_back(json_number(x));
    out.push_back(std::move(r));
  }
  return out;
}

std::string method_text(const CalibrationSpec& spec) {
  return fmt::format(
      "BOBYQA (Powell 2009; NLopt LN_BOBYQA) on the parameters scaled to [0, 1] (log scale where asked), "
      "{} start{}, at most {} evaluations, step tolerance 1e-4 of each range, then at most 3 Gauss-Newton steps "
      "on the finite-difference Jacobian; objective r'Wr over the targets' "
      "standardized residuals with common random numbers (seed {}, replications 0 to {}); fitted values rounded "
      "to 6 significant digits; intervals from {} fresh replications ({} to {})",
      spec.starts, spec.starts == 1 ? "" : "s", spec.max_evaluations, spec.base.seed, spec.fit_replications - 1,
      spec.check_replications, spec.fit_replications, spec.fit_replications + spec.check_replications - 1);
}

std::string se_method_text(const CalibrationSpec& spec) {
  return fmt::format(
      "curvature of the objective: Gauss-Newton Hessian 2 J'WJ at the optimum, J by finite differences of the "
      "target means (step {} of each parameter's range, log range for log parameters) on the fit's replications "
      "(common random numbers); sandwich covariance (J'WJ)^-1 J'W (C + M) WJ (J'WJ)^-1 with C the targets' "
      "covariance and M the Monte Carlo covariance of the simulated means; for log parameters the delta method "
      "(se = estimate x se of log) and an interval symmetric in log",
      spec.jacobian_step);
}

std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(); }

std::string number_text(const Json& v) {
  const double x = number_of(v);
  return std::isfinite(x) ? fmt::format("{:.4g}", x) : "n/a";
}

// A target's value in its metric's unit ("98.5%", "2,400", "31.2").
std::string target_text(const Json& t, const Json& v) { return format_metric(t.value("name", ""), number_of(v), ""); }

std::string target_name(const Json& t) {
  return t["period"].is_null() ? text_of(t["name"]) : fmt::format("{}[{}]", text_of(t["name"]), text_of(t["period"]));
}

}  // namespace

Report calibration_report(const CalibrationResult& r, int threads) {
  const CalibrationSpec& spec = r.spec;
  Json doc = Json::object();
  doc["cxsim_version"] = kVersion;
  doc["options"] = Json{{"spec", spec.file},
                        {"base", spec.base_file},
                        {"customers", spec.base.population.customers},
                        {"seed", spec.base.seed},
                        {"horizon_periods", spec.base.horizon_periods},
                        {"fit_replications", spec.fit_replications},
                        {"check_replications", spec.check_replications},
                        {"max_evaluations", spec.max_evaluations},
                        {"starts", spec.starts},
                        {"jacobian_step", spec.jacobian_step},
                        {"threads", threads}};
  Json parameters = Json::array();
  for (const ParameterEstimate& e : r.parameters) {
    const CalibrationParameter& p = e.parameter;
    parameters.push_back(Json{{"pointer", p.pointer},
                              {"estimate", json_number(e.estimate)},
                              {"se", json_number(e.se)},
                              {"ci95", interval_json(e.ci95)},
                              {"min", p.min},
                              {"max", p.max},
                              {"scale", scale_name(p.scale)},
                              {"start", p.start},
                              {"base_value", p.base_value},
                              {"at_bound", e.at_lower || e.at_upper},
                              {"bound", e.at_lower   ? Json("lower")
                                        : e.at_upper ? Json("upper")
                                                     : Json(nullptr)}});
  }
  Json targets = Json::array();
  for (const TargetFit& t : r.targets) {
    const CalibrationTarget& g = t.target;
    targets.push_back(Json{{"kind", target_kind_name(g.kind)},
                           {"name", g.name},
                           {"period", g.kind == TargetKind::kSeries ? Json(g.period) : Json(nullptr)},
                           {"observed", g.value},
                           {"sd", g.sd},
                           {"weight", g.weight},
                           {"cohort_size", g.cohort_size ? Json(*g.cohort_size) : Json(nullptr)},
                           {"source", g.source},
                           {"fitted", summary_json(t.check)},
                           {"fit_mean", json_number(t.fit_mean)},
                           {"fit_mc_se", json_number(t.fit_mc_se)},
                           {"residual", json_number(t.residual)}});
  }
  Json starts = Json::array();
  for (const StartOutcome& s : r.starts) {
    Json from = Json::array(), best = Json::array();
    for (double x : s.from) from.push_back(json_number(x));
    for (double x : s.best) best.push_back(json_number(x));
    starts.push_back(Json{{"from", std::move(from)},
                          {"best", std::move(best)},
                          {"objective", json_number(s.objective)},
                          {"evaluations", s.evaluations},
                          {"stop", s.stop}});
  }
  doc["calibration"] = Json{{"name", spec.name},
                            {"description", spec.description},
                            {"method", method_text(spec)},
                            {"se_method", se_method_text(spec)},
                            {"objective", json_number(r.objective)},
                            {"objective_check", json_number(r.objective_check)},
                            {"degrees_of_freedom", r.degrees_of_freedom},
                            {"p_value", json_number(r.p_value)},
                            {"evaluations", r.evaluations},
                            {"jacobian_evaluations", r.jacobian_evaluations},
                            {"polish_steps", r.polish_steps},
                            {"parameters", std::move(parameters)},
                            {"targets", std::move(targets)},
                            {"correlation", matrix_json(r.correlation)},
                            {"starts", std::move(starts)},
                            {"warnings", r.warnings}};
  doc["fitted_run"] = run_report(r.check_run).document().json;
  return make_report("calibration", std::move(doc));
}

Report fitted_scenario(const CalibrationResult& r) {
  Json doc = Json::parse(r.spec.base_document);
  for (const ParameterEstimate& e : r.parameters) set_parameter_value(doc, e.parameter.pointer, e.estimate);
  return make_report("scenario", std::move(doc));
}

void print_calibration(std::ostream& out, const Json& doc) {
  const Json& c = doc["calibration"];
  const Json& o = doc["options"];
  out << fmt::format("calibration {}: {} customers x {} replications (common random numbers), seed {}, base {}\n",
                     text_of(c["name"]), text_of(o["customers"]), text_of(o["fit_replications"]), text_of(o["seed"]),
                     text_of(o["base"]));
  out << fmt::format(
      "objective {} on the fit's replications, {} on {} fresh ones ({} degrees of freedom{}); {} "
      "evaluations and {} more for finite differences (standard errors, polish)\n\n",
      number_text(c["objective"]), number_text(c["objective_check"]), text_of(o["check_replications"]),
      text_of(c["degrees_of_freedom"]), c["p_value"].is_number() ? ", p = " + number_text(c["p_value"]) : "",
      text_of(c["evaluations"]), text_of(c["jacobian_evaluations"]));
  std::vector<std::vector<std::string>> rows = {{"parameter", "estimate", "SE", "95% CI", "range", "scale", ""}};
  for (const Json& p : c["parameters"]) {
    const Json& ci = p["ci95"];
    rows.push_back({text_of(p["pointer"]), number_text(p["estimate"]), number_text(p["se"]),
                    ci.is_array() ? fmt::format("[{}, {}]", number_text(ci[0]), number_text(ci[1])) : "n/a",
                    fmt::format("[{}, {}]", number_text(p["min"]), number_text(p["max"])), text_of(p["scale"]),
                    p["bound"].is_null() ? "" : "at " + text_of(p["bound"]) + " bound"});
  }
  print_table(out, rows, {false, true, true, false, false, false, false});
  out << '\n';
  rows = {{"target", "observed", "sd", "fitted", "95% CI (fresh replications)", "residual"}};
  for (const Json& t : c["targets"]) {
    const Summary s = summary_of(t["fitted"]);
    rows.push_back({target_name(t), target_text(t, t["observed"]), target_text(t, t["sd"]),
                    target_text(t, t["fitted"]["mean"]), format_interval(text_of(t["name"]), s, "", false),
                    t["residual"].is_number() ? fmt::format("{:+.2f}", number_of(t["residual"])) : "n/a"});
  }
  print_table(out, rows, {false, true, true, true, false, true});
  out << "  residual = (fitted - observed) / sd\n";
  if (!c["warnings"].empty()) {
    out << "\nwarnings:\n";
    for (const Json& w : c["warnings"]) out << "  - " << text_of(w) << '\n';
  }
}

void write_calibration_csv(const Json& doc, const std::string& base) {
  const Json& c = doc["calibration"];
  std::string parameters = "pointer,estimate,se,ci95_lo,ci95_hi,min,max,scale,start,base_value,bound\n";
  for (const Json& p : c["parameters"]) {
    const Json& ci = p["ci95"];
    parameters += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(text_of(p["pointer"])),
                              csv_number(number_of(p["estimate"])), csv_number(number_of(p["se"])),
                              ci.is_array() ? csv_number(number_of(ci[0])) : "",
                              ci.is_array() ? csv_number(number_of(ci[1])) : "", csv_number(number_of(p["min"])),
                              csv_number(number_of(p["max"])), text_of(p["scale"]), csv_number(number_of(p["start"])),
                              csv_number(number_of(p["base_value"])), text_of(p["bound"]));
  }
  std::string targets =
      "kind,name,period,observed,sd,weight,cohort_size,fit_mean,fit_mc_se,fitted_mean,fitted_sd,fitted_ci95_lo,"
      "fitted_ci95_hi,residual\n";
  for (const Json& t : c["targets"]) {
    const Summary s = summary_of(t["fitted"]);
    targets +=
        fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", text_of(t["kind"]), csv_field(text_of(t["name"])),
                    text_of(t["period"]), csv_number(number_of(t["observed"])), csv_number(number_of(t["sd"])),
                    csv_number(number_of(t["weight"])), text_of(t["cohort_size"]), csv_number(number_of(t["fit_mean"])),
                    csv_number(number_of(t["fit_mc_se"])), csv_number(s.mean), csv_optional(s.sd),
                    s.ci95 ? csv_number(s.ci95->first) : "", s.ci95 ? csv_number(s.ci95->second) : "",
                    csv_number(number_of(t["residual"])));
  }
  write_file_atomic(base + "parameters.csv", parameters);
  write_file_atomic(base + "targets.csv", targets);
}

}  // namespace cxsim
