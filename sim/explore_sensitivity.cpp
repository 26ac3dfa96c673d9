// `cxsim sensitivity`: one-at-a-time low/high changes of each parameter on common random numbers, a
// tornado sorted by the objective's swing (see cxsim/explore.hpp and docs/exploration.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "cxsim/compare.hpp"
#include "cxsim/explore.hpp"
#include "cxsim/version.hpp"
#include "diagnostic_sink.hpp"
#include "explore_points.hpp"
#include "loader.hpp"
#include "messages.hpp"

namespace cxsim {

namespace {

using nlohmann::json;

constexpr const char* kCommandLine = "<command line>";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The value `x` moved by `signed_step` of its magnitude (x + signed_step |x|): integers rounded
// (halves away from zero) and moved at least one unit; then kept within the schema's bounds (an
// inclusive bound clamps; a value that would cross an exclusive bound stays at x).
double moved(double x, double signed_step, const SchemaNumber& info) {
  // 12 significant digits: 0.0012 - 10% is 0.00108, not 0.0010799999999999998.
  double v = std::stod(fmt::format("{:.12g}", x + signed_step * std::fabs(x)));
  if (info.integer) {
    v = std::round(v);
    if (v == x) v = x + (signed_step > 0 ? 1.0 : -1.0);
  }
  if (info.minimum) v = std::max(v, *info.minimum);
  if (info.maximum) v = std::min(v, *info.maximum);
  if ((info.exclusive_minimum && v <= *info.exclusive_minimum) ||
      (info.exclusive_maximum && v >= *info.exclusive_maximum)) {
    v = x;
  }
  return v;
}

bool is_exit(const json& touchpoint) { return touchpoint.is_object() && touchpoint.value("exit", false); }

// Staffed: `agents` given and not null (0 included).
bool is_staffed(const json& channel) {
  return channel.is_object() && channel.contains("agents") && !channel["agents"].is_null();
}

const json& member(const json& doc, const char* key) {
  static const json empty = json::object();
  return doc.is_object() && doc.contains(key) && doc[key].is_object() ? doc[key] : empty;
}

// Sorting key of the tornado: |swing| descending; undefined swings, then skipped parameters, last.
double tornado_rank(const SensitivityParameter& p) {
  if (!p.skipped.empty()) return -2.0;
  return std::isfinite(p.swing.mean) ? std::fabs(p.swing.mean) : -1.0;
}

}  // namespace

std::vector<std::string> default_sensitivity_pointers(const Scenario& scenario) {
  const json doc = scenario_document(scenario);
  std::vector<std::string> out;
  for (const auto& [id, tp] : member(member(doc, "journey"), "touchpoints").items()) {
    if (!is_exit(tp)) out.push_back(child(child("/journey/touchpoints", id), "failure"));
  }
  const json& channels = member(member(doc, "service"), "channels");
  for (const auto& [id, ch] : channels.items()) {
    if (!is_staffed(ch)) continue;
    out.push_back(child(child("/service/channels", id), "agents"));
    out.push_back(child(child("/service/channels", id), "aht_minutes"));
  }
  for (const auto& [id, ch] : channels.items()) out.push_back(child(child("/service/channels", id), "fcr"));
  for (const auto& [id, iv] : member(doc, "interventions").items()) {
    out.push_back(child(child("/interventions", id), "coverage"));
  }
  for (const char* coefficient : {"sentiment", "open_issue", "bad_experiences", "effort"}) {
    out.push_back(child("/churn", coefficient));
  }
  for (const auto& [id, segment] : member(doc, "segments").items()) {
    out.push_back(child(child(child("/segments", id), "hazard"), "base"));
  }
  return out;
}

SensitivityPlan plan_sensitivity(const ExploreBase& base, const SensitivityOptions& options,
                                 std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink(kCommandLine);
  const double step = options.relative_step;
  if (!(step > 0.0 && step < 1.0)) {
    sink.error("--step", fmt::format("--step = {}: expected a relative step in (0, 1), e.g. 0.1 for -/+ 10%",
                                     format_number(step)));
  }
  const std::vector<std::string>& known = reported_metric_names();
  if (std::find(known.begin(), known.end(), options.objective) == known.end()) {
    sink.error("--objective", fmt::format("--objective: unknown metric {}{}", quote(options.objective),
                                          suggestion(options.objective, known)));
  }
  for (std::size_t i = 0; i < options.pointers.size(); ++i) {
    const std::string& p = options.pointers[i];
    if (p.empty() || !pointer_tokens(p)) {
      sink.error(
          p, fmt::format("--vary: {} is not a JSON pointer to a value in the scenario (\"/key/key...\")", quote(p)));
    } else if (const std::string problem = fixed_key_problem(p); !problem.empty()) {
      sink.error(p, "--vary " + problem);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (options.pointers[j] == p) sink.error(p, fmt::format("--vary {} is given twice", p));
    }
  }
  sink.throw_if_errors();

  const PointBuilder builder(base, warnings);
  SensitivityPlan plan{base, options, {{}, builder.base_scenario()}, {}, {}};
  if (plan.options.pointers.empty()) plan.options.pointers = default_sensitivity_pointers(builder.base_scenario());

  std::vector<Diagnostic> errors;
  for (const std::string& pointer : plan.options.pointers) {
    SensitivityParameter parameter;
    parameter.pointer = pointer;
    const json::json_pointer at(pointer);
    if (!builder.effective().contains(at)) {
      errors.push_back(
          {Severity::kError, kCommandLine, pointer,
           fmt::format("--vary {}: the scenario has no value there (even with the schema's defaults filled "
                       "in)",
                       pointer)});
      continue;
    }
    const json& value = builder.effective().at(at);
    // Integral numbers where the schema wants integers (the effective document writes 13.0).
    const auto same = move_numbers(value, pointer, [](double x, const SchemaNumber&) { return x; });
    parameter.base_text = same.value_or(value).dump();
    const auto low =
        move_numbers(value, pointer, [&](double x, const SchemaNumber& info) { return moved(x, -step, info); });
    const auto high =
        move_numbers(value, pointer, [&](double x, const SchemaNumber& info) { return moved(x, step, info); });
    if (!low || !high) {
      parameter.skipped = fmt::format("its value is {}, not a number or a schedule of numbers", describe(value));
    } else if (*low == *same && *high == *same) {
      parameter.skipped = "a relative step does not move it (0, or at the bounds of its range)";
    }
    std::pair<ExplorePoint, ExplorePoint> sides;
    if (parameter.skipped.empty()) {
      parameter.low_text = low->dump();
      parameter.high_text = high->dump();
      const double size = mean_of_numbers(value);
      parameter.relative_low = size != 0.0 ? (mean_of_numbers(*low) - size) / std::fabs(size) : kNaN;
      parameter.relative_high = size != 0.0 ? (mean_of_numbers(*high) - size) / std::fabs(size) : kNaN;
      bool ok = true;
      for (auto [text, side, name] : {std::tuple{&parameter.low_text, &sides.first, "low"},
                                      std::tuple{&parameter.high_text, &sides.second, "high"}}) {
        PointWording wording;
        wording.context = fmt::format("the {} value of {} ({})", name, pointer, *text);
        wording.label = [name = std::string(name)](Diagnostic d, const PointChange& c) {
          d.file = kCommandLine;
          d.pointer = c.pointer;
          d.message = fmt::format("--vary {}: the {} value {}: {}", c.pointer, name, c.value_text, d.message);
          return d;
        };
        auto point = builder.build({{pointer, *text, false}}, wording, &errors, warnings);
        if (point) {
          *side = std::move(*point);
        } else {
          ok = false;
        }
      }
      if (!ok) continue;
    }
    plan.parameters.push_back(std::move(parameter));
    plan.sides.push_back(std::move(sides));
  }
  throw_if_errors(std::move(errors));
  return plan;
}

Sensitivity run_sensitivity(const SensitivityPlan& plan, const ExploreOptions& options) {
  PointRunner runner(options);
  std::vector<const Scenario*> scenarios = {&plan.base_point.scenario};
  for (std::size_t k = 0; k < plan.parameters.size(); ++k) {
    if (!plan.parameters[k].skipped.empty()) continue;
    scenarios.push_back(&plan.sides[k].first.scenario);
    scenarios.push_back(&plan.sides[k].second.scenario);
  }
  runner.plan(scenarios);

  Sensitivity out;
  out.objective = plan.options.objective;
  out.relative_step = plan.options.relative_step;
  out.base = metrics_only(*runner.run(plan.base_point.scenario));
  const std::vector<double> base_y = replicates_of(out.base, out.objective);
  for (std::size_t k = 0; k < plan.parameters.size(); ++k) {
    SensitivityParameter p = plan.parameters[k];
    if (p.skipped.empty()) {
      const RunResult low = metrics_only(*runner.run(plan.sides[k].first.scenario));
      const RunResult high = metrics_only(*runner.run(plan.sides[k].second.scenario));
      p.delta_low = paired_differences(low, out.base);
      p.delta_high = paired_differences(high, out.base);
      const std::vector<double> swing = paired_replicates(high, low, out.objective);
      p.swing = summarize(swing);
      // Arc elasticity per replication: the objective's change from low to high relative to its base
      // magnitude, over the parameter's change relative to its base magnitude (so its sign is that
      // of dY/dx). Paired per replication, so its interval carries the common random numbers.
      const double dx = p.relative_high - p.relative_low;
      std::vector<double> elasticity(swing.size());
      for (std::size_t r = 0; r < swing.size(); ++r) {
        elasticity[r] = base_y[r] != 0.0 && dx != 0.0 ? swing[r] / std::fabs(base_y[r]) / dx : kNaN;
      }
      p.elasticity = summarize(elasticity);
    }
    out.parameters.push_back(std::move(p));
  }
  std::stable_sort(out.parameters.begin(), out.parameters.end(),
                   [](const auto& a, const auto& b) { return tornado_rank(a) > tornado_rank(b); });
  out.info = explore_info(plan.base, plan.base_point.scenario, options, runner);
  return out;
}

Report sensitivity_report(const Sensitivity& s) {
  Json doc = Json::object();
  doc["cxsim_version"] = kVersion;
  Json pointers = Json::array();
  for (const SensitivityParameter& p : s.parameters) pointers.push_back(p.pointer);
  doc["options"] =
      options_json(s.info, Json{{"vary", std::move(pointers)}, {"step", s.relative_step}, {"objective", s.objective}});
  doc["scenario"] = scenario_json(s.info.run);
  Json parameters = Json::array();
  for (const SensitivityParameter& p : s.parameters) {
    Json block = Json{{"pointer", p.pointer}, {"base", Json::parse(p.base_text)}};
    if (!p.skipped.empty()) {
      block["skipped"] = p.skipped;
      parameters.push_back(std::move(block));
      continue;
    }
    block["low"] = Json::parse(p.low_text);
    block["high"] = Json::parse(p.high_text);
    block["relative_change"] = Json{{"low", json_number(p.relative_low)}, {"high", json_number(p.relative_high)}};
    block["swing"] = summary_json(p.swing);
    block["elasticity"] = summary_json(p.elasticity);
    block["delta_low"] = deltas_json(p.delta_low);
    block["delta_high"] = deltas_json(p.delta_high);
    parameters.push_back(std::move(block));
  }
  doc["sensitivity"] = Json{{"objective", s.objective},
                            {"relative_step", s.relative_step},
                            {"base", metric_summaries(s.base)},
                            {"parameters", std::move(parameters)}};
  return make_report("sensitivity", std::move(doc));
}

}  // namespace cxsim
