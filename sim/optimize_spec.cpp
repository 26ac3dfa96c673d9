// Reading an optimisation spec (see cxsim/optimize.hpp): the JSON Schema
// (scenarios/schema/optimize.schema.json) owns the keys and types; this file checks what a schema
// cannot (metric names, ranges that make a grid, a start on the grid, the base scenario) and
// validates the points at the ends of every variable before anything runs.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "cxsim/optimize.hpp"
#include "cxsim/results.hpp"
#include "diagnostic_sink.hpp"
#include "explore_points.hpp"
#include "json_input.hpp"
#include "messages.hpp"
#include "optimize_detail.hpp"
#include "schema.hpp"

namespace cxsim {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr JsonLimits kSpecLimits{"optimisation spec", 16u << 20, 64, 8};
constexpr std::size_t kMaxGridValues = 10000;

void check_metric(const std::string& name, const std::string& pointer, DiagnosticSink& sink) {
  const std::vector<std::string>& known = reported_metric_names();
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    sink.error(pointer, fmt::format("unknown metric {}{}", quote(name), suggestion(name, known)));
  }
}

Objective read_objective(const json& v, DiagnosticSink& sink) {
  Objective objective;
  if (v.is_string()) {
    objective.metric = v.get<std::string>();
    check_metric(objective.metric, "/objective", sink);
  } else if (v.is_object() && v.contains("metric") && v["metric"].is_string()) {
    objective.metric = v["metric"].get<std::string>();
    check_metric(objective.metric, "/objective/metric", sink);
    if (v.value("direction", "maximize") == "minimize") objective.direction = Direction::kMinimize;
  }
  return objective;
}

// The index of `value` among the variable's values (numbers within half a step), or nullopt.
std::optional<std::size_t> index_of(const DecisionVariable& v, const json& value) {
  for (std::size_t i = 0; i < v.values.size(); ++i) {
    const json grid = parse_value_text(v.values[i]);
    if (grid == value) return i;
    if (v.range && value.is_number() && std::fabs(grid.get<double>() - value.get<double>()) <= 0.5 * v.step) return i;
  }
  return std::nullopt;
}

// A range variable's grid, or an error at `at`.
void read_range(const json& item, const std::string& at, bool schema_integer, DecisionVariable& v,
                DiagnosticSink& sink) {
  v.range = true;
  v.min = item["min"].get<double>();
  v.max = item["max"].get<double>();
  v.integer = item.contains("integer") ? item["integer"].get<bool>() : schema_integer;
  v.step = item.contains("step") ? item["step"].get<double>() : v.integer ? 1.0 : (v.max - v.min) / 100.0;
  if (v.min > v.max) {
    sink.error(child(at, "min"), fmt::format("min = {} is above max = {}", format_number(v.min), format_number(v.max)));
    return;
  }
  if (v.step <= 0.0) v.step = 1.0;  // min == max without a step: one value
  if (v.integer && (std::floor(v.min) != v.min || std::floor(v.max) != v.max || std::floor(v.step) != v.step)) {
    sink.error(at, fmt::format("an integer variable needs integer min, max and step; found {}, {}, {}",
                               format_number(v.min), format_number(v.max), format_number(v.step)));
    return;
  }
  const auto text = [&](const char* key, double x) { return item.contains(key) ? item[key].dump() : format_number(x); };
  const auto values = range_values(text("min", v.min), text("max", v.max), text("step", v.step), kMaxGridValues);
  if (!values) {
    sink.error(at, fmt::format("the range has more than {} values; use a larger step", kMaxGridValues));
    return;
  }
  for (const std::string& t : *values) v.values.push_back(v.integer ? number_text(std::stod(t), true) : t);
}

DecisionVariable read_variable(const json& item, const std::string& at, const PointBuilder& builder,
                               DiagnosticSink& sink) {
  DecisionVariable v;
  v.pointer = item["pointer"].get<std::string>();
  v.name = item.contains("name") ? item["name"].get<std::string>() : v.pointer;
  v.description = item.value("description", "");
  v.add = item.value("change", "set") == "add";
  if (!pointer_tokens(v.pointer)) {
    sink.error(child(at, "pointer"), fmt::format("{} is not a JSON pointer (RFC 6901)", quote(v.pointer)));
    return v;
  }
  if (const std::string problem = fixed_key_problem(v.pointer); !problem.empty()) {
    sink.error(child(at, "pointer"), problem);
    return v;
  }
  const json::json_pointer p(v.pointer);
  const json* base_value = builder.effective().contains(p) ? &builder.effective().at(p) : nullptr;
  const auto info = schema_number(SchemaKind::kScenario, v.pointer);
  const bool has_range = item.contains("min") || item.contains("max") || item.contains("step");
  if (item.contains("values") && has_range) {
    sink.error(at, "give either \"values\" or a range \"min\", \"max\" (and \"step\"), not both");
    return v;
  }
  if (item.contains("values")) {
    for (const json& value : item["values"]) v.values.push_back(value.dump());
  } else if (item.contains("min") && item.contains("max")) {
    read_range(item, at, info && info->integer, v, sink);
  } else {
    sink.error(at,
               fmt::format("missing {}: a variable is a range {{\"min\", \"max\", \"step\"}} or a list of \"values\"",
                           item.contains("min") ? "\"max\"" : "\"min\""));
    return v;
  }
  if (v.add) {
    const bool numbers =
        base_value != nullptr &&
        move_numbers(*base_value, v.pointer, [](double x, const SchemaNumber&) { return x; }).has_value();
    if (!numbers) {
      sink.error(child(at, "change"),
                 fmt::format("\"add\" adds to the numbers at {}, but the base scenario has {} there", v.pointer,
                             base_value ? describe(*base_value) : "no value"));
    }
    for (const std::string& t : v.values) {
      if (!parse_value_text(t).is_number()) {
        sink.error(child(at, "values"), fmt::format("\"add\" needs numbers; found {}", t));
        break;
      }
    }
  }
  if (v.values.empty()) return v;
  if (item.contains("start")) {
    const auto i = index_of(v, item["start"]);
    if (!i) {
      sink.error(child(at, "start"),
                 fmt::format("start = {} is not one of the variable's values", item["start"].dump()));
    } else {
      v.start = *i;
    }
  } else {
    // The base's own value when it is on the grid (0 for "add"), else the middle of the grid.
    const json here = v.add ? json(0) : base_value != nullptr ? *base_value : json();
    v.start = index_of(v, here).value_or(v.values.size() / 2);
  }
  return v;
}

}  // namespace

const char* search_method_name(SearchMethod m) {
  switch (m) {
    case SearchMethod::kAuto:
      return "auto";
    case SearchMethod::kGrid:
      return "grid";
    case SearchMethod::kCobyla:
      return "cobyla";
    case SearchMethod::kBobyqa:
      return "bobyqa";
    case SearchMethod::kNelderMead:
      return "neldermead";
  }
  return "unknown";
}

OptimizePlan plan_optimize(const std::string& spec_file, const std::vector<Assignment>& assignments,
                           const RunOverrides& overrides, std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink(spec_file);
  json doc = read_json_file(spec_file, kSpecLimits);
  check_schema(SchemaKind::kOptimize, doc, sink);
  sink.throw_if_errors();

  OptimizeSpec spec;
  spec.file = spec_file;
  spec.name = doc.contains("name") ? doc["name"].get<std::string>() : fs::path(spec_file).stem().string();
  spec.description = doc.value("description", "");
  const fs::path given = doc["base"].get<std::string>();
  spec.base_file =
      (given.is_absolute() ? given : (fs::path(spec_file).parent_path() / given).lexically_normal()).string();
  if (!input_file_exists(spec.base_file)) {
    sink.error("/base", fmt::format("base scenario {} not found: no file at {} (the path is relative to the spec "
                                    "file's directory)",
                                    quote(given.string()), spec.base_file));
  }
  spec.objective = read_objective(doc["objective"], sink);
  if (doc.contains("constraints")) {
    for (std::size_t i = 0; i < doc["constraints"].size(); ++i) {
      const json& c = doc["constraints"][i];
      const std::string at = child("/constraints", i);
      Constraint constraint;
      if (c["metric"].is_string()) {
        constraint.metrics = {c["metric"].get<std::string>()};
        check_metric(constraint.metrics.front(), child(at, "metric"), sink);
      } else {
        for (std::size_t k = 0; k < c["metric"].size(); ++k) {
          constraint.metrics.push_back(c["metric"][k].get<std::string>());
          check_metric(constraint.metrics.back(), child(child(at, "metric"), k), sink);
        }
      }
      if (c.contains("min")) constraint.min = c["min"].get<double>();
      if (c.contains("max")) constraint.max = c["max"].get<double>();
      constraint.description = c.value("description", "");
      if (!constraint.min && !constraint.max) sink.error(at, "a constraint needs \"min\", \"max\" or both");
      if (constraint.min && constraint.max && *constraint.min > *constraint.max) {
        sink.error(child(at, "min"), fmt::format("min = {} is above max = {}: no value can meet it (use an infeasible "
                                                 "bound on purpose with min or max alone)",
                                                 format_number(*constraint.min), format_number(*constraint.max)));
      }
      spec.constraints.push_back(std::move(constraint));
    }
  }
  spec.judge_on_interval = doc.value("judge_constraints", "mean") == "ci";
  const std::string method = doc.value("method", "auto");
  for (SearchMethod m : {SearchMethod::kAuto, SearchMethod::kGrid, SearchMethod::kCobyla, SearchMethod::kBobyqa,
                         SearchMethod::kNelderMead}) {
    if (method == search_method_name(m)) spec.method = m;
  }
  const json budget = doc.value("budget", json::object());
  spec.evaluations = budget.value("evaluations", 30);
  spec.candidates = budget.value("candidates", 5);
  sink.throw_if_errors();

  spec.base.scenario_file = spec.base_file;
  spec.base.assignments = assignments;
  spec.base.overrides = overrides;
  if (!spec.base.overrides.replications && doc.contains("replications")) {
    spec.base.overrides.replications = doc["replications"].get<int>();
  }
  if (doc.contains("patch")) {
    spec.base.patch = doc["patch"].dump();
    spec.base.patch_file = spec_file;
    spec.base.patch_pointer = "/patch";
  }
  const PointBuilder builder(spec.base, warnings);
  spec.search_replications = builder.base_scenario().replications;
  spec.confirm_replications = budget.value("confirm_replications", 2 * spec.search_replications);
  if (spec.search_replications < 2) {
    const std::string why = fmt::format(
        "the search would run {} replication; an optimisation needs at least 2 (for the intervals of its "
        "constraints and of the comparison of candidates)",
        spec.search_replications);
    if (overrides.replications) {
      throw InputError({{Severity::kError, "<command line>", "--replications", "--replications 1: " + why}});
    }
    sink.error("/replications", why + "; the base scenario has 1: give \"replications\" here (>= 2)");
  }
  if (spec.confirm_replications < spec.search_replications || spec.confirm_replications > kMaxReplicationCount) {
    sink.error("/budget/confirm_replications",
               fmt::format("confirm_replications = {}: expected an integer in [{}, {}] (at least the search's {} "
                           "replications, which the confirmation continues)",
                           spec.confirm_replications, spec.search_replications, kMaxReplicationCount,
                           spec.search_replications));
  }
  for (std::size_t i = 0; i < doc["variables"].size(); ++i) {
    spec.variables.push_back(read_variable(doc["variables"][i], child("/variables", i), builder, sink));
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.variables[j].pointer == spec.variables[i].pointer) {
        sink.error(
            child(child("/variables", i), "pointer"),
            fmt::format("{} is already variable {}; each pointer may be one variable", spec.variables[i].pointer, j));
      }
      if (spec.variables[j].name == spec.variables[i].name) {
        sink.error(child(child("/variables", i), "name"),
                   fmt::format("the name {} is already variable {}'s", quote(spec.variables[i].name), j));
      }
    }
  }
  sink.throw_if_errors();

  // Every variable at each end of its range (each of its values for a list), the others at their
  // start, and the start itself: a value the scenario refuses is found before anything runs.
  std::vector<Diagnostic> errors;
  std::vector<std::size_t> start(spec.variables.size());
  for (std::size_t i = 0; i < start.size(); ++i) start[i] = spec.variables[i].start;
  const auto check = [&](const std::vector<std::size_t>& index) {
    const std::vector<PointChange> changes = point_changes(spec, builder.effective(), index);
    PointWording wording;
    wording.context = fmt::format("{}: the point {}", spec_file, describe_values(spec, index));
    wording.label = [&](Diagnostic d, const PointChange& c) {
      for (std::size_t i = 0; i < spec.variables.size(); ++i) {
        if (spec.variables[i].pointer != c.pointer) continue;
        d.file = spec_file;
        d.pointer = child("/variables", i);
        d.message =
            fmt::format("variable {} = {}: {}", spec.variables[i].name, spec.variables[i].values[index[i]], d.message);
      }
      return d;
    };
    if (!builder.build(changes, wording, &errors, warnings)) return;  // the errors say why
  };
  check(start);
  for (std::size_t i = 0; i < spec.variables.size(); ++i) {
    const DecisionVariable& v = spec.variables[i];
    std::vector<std::size_t> ends =
        v.range ? std::vector<std::size_t>{0, v.values.size() - 1} : std::vector<std::size_t>{};
    if (!v.range) {
      for (std::size_t k = 0; k < v.values.size(); ++k) ends.push_back(k);
    }
    for (std::size_t k : ends) {
      if (k == v.start) continue;
      std::vector<std::size_t> index = start;
      index[i] = k;
      check(index);
    }
  }
  throw_if_errors(std::move(errors));
  return OptimizePlan{std::move(spec), builder.base_scenario()};
}

}  // namespace cxsim
