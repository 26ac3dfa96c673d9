// Loading a calibration SPEC (see cxsim/calibrate.hpp): the SPEC's JSON Schema, its base scenario,
// its parameters and its targets, with every diagnostic collected before anything runs.
//
// Order of work: (1) the SPEC's own keys (schema), (2) the base scenario with the `--set`
// assignments, validated, (3) the parameters against the effective base scenario (pointer names a
// number, bounds within the scenario's range, the scenario valid with every parameter at the middle
// of its range: that refuses integer keys and keys bound by sums), (4) the targets of the SPEC and of
// its CSV files against the metrics cxsim reports and the series a one-customer probe run of the base
// produces (so the list of series stays owned by the engine).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

#include "calibrate_detail.hpp"
#include "cxsim/calibrate.hpp"
#include "cxsim/runner.hpp"
#include "diagnostic_sink.hpp"
#include "json_input.hpp"
#include "loader.hpp"
#include "messages.hpp"
#include "schema.hpp"

namespace cxsim {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A SPEC nests at most 4 levels (/targets/0/value); the limits are those of batch files.
constexpr JsonLimits kSpecLimits{"calibration spec", 16u << 20, 64, 4};

// `given` relative to the SPEC's directory (absolute paths unchanged).
std::string beside(const std::string& spec, const std::string& given) {
  const fs::path p = given;
  return (p.is_absolute() ? p : (fs::path(spec).parent_path() / p).lexically_normal()).string();
}

// A path the SPEC names at `pointer` that must be an existing file.
std::string existing_file(const std::string& spec, const json& doc, const char* key, const char* what,
                          DiagnosticSink& sink) {
  if (!doc.contains(key) || !doc[key].is_string() || doc[key].get<std::string>().empty()) return "";
  const std::string given = doc[key].get<std::string>();
  const std::string path = beside(spec, given);
  if (!input_file_exists(path)) {
    sink.error(child("", key), fmt::format("{} {} not found: no file at {} (the path is relative to the spec "
                                           "file's directory)",
                                           what, quote(given), path));
  }
  return path;
}

// The keys of the effective scenario at the first token of `pointer` that does not exist, for a
// did-you-mean; "" when the pointer exists or nothing is close.
std::string pointer_hint(const json& effective, const std::string& pointer) {
  json::json_pointer at;
  for (const std::string& token : pointer_tokens(pointer).value_or(std::vector<std::string>{})) {
    const json& node = effective.at(at);
    if (!node.is_object()) return "";
    if (!node.contains(token)) {
      std::vector<std::string> keys;
      for (const auto& item : node.items()) keys.push_back(item.key());
      const auto hint = closest_name(token, keys);
      return hint
                 ? fmt::format("; did you mean \"{}\" at {}?", *hint, at.empty() ? "the top" : at.to_string())
                 : fmt::format("; {} has the keys: {}", at.empty() ? "the scenario" : at.to_string(), list_names(keys));
    }
    at /= token;
  }
  return "";
}

std::optional<double> number_in(const json& v, const char* key) {
  return v.contains(key) && v[key].is_number() ? std::optional<double>(v[key].get<double>()) : std::nullopt;
}

// One parameter (types already checked by the schema): the pointer names a number of the effective
// base scenario, and its bounds are ordered and accepted by the scenario's schema.
std::optional<CalibrationParameter> read_parameter(const std::string& key, const json& v, const Scenario& base,
                                                   const json& effective, DiagnosticSink& sink,
                                                   std::vector<Diagnostic>& notes) {
  const std::string at = child("/parameters", key);
  if (!pointer_tokens(key) || key.empty()) {
    sink.error(at, fmt::format("{} is not a JSON pointer into the scenario; expected \"/key/key...\" (RFC 6901: "
                               "starts with '/', '~' only as \"~0\" or \"~1\")",
                               quote(key)));
    return std::nullopt;
  }
  const std::optional<std::string> text = scenario_value(base, key);
  if (!text) {
    sink.error(at, fmt::format("unknown pointer: the base scenario {} has no value at {}{}", base.file, key,
                               pointer_hint(effective, key)));
    return std::nullopt;
  }
  const json value = json::parse(*text);
  if (!value.is_number()) {
    sink.error(at, fmt::format("the base scenario's value at {} is {}; only a number can be calibrated", key,
                               describe(value)));
    return std::nullopt;
  }
  CalibrationParameter p;
  p.pointer = key;
  p.base_value = value.get<double>();
  const auto min = number_in(v, "min"), max = number_in(v, "max");
  if (!v.is_object() || !min || !max) return std::nullopt;  // the schema said why
  p.min = *min;
  p.max = *max;
  p.scale = v.value("scale", "linear") == "log" ? ParameterScale::kLog : ParameterScale::kLinear;
  bool ok = true;
  if (!(p.min < p.max)) {
    sink.error(child(at, "min"),
               fmt::format("min ({}) must be less than max ({})", format_number(p.min), format_number(p.max)));
    ok = false;
  }
  if (p.scale == ParameterScale::kLog && p.min <= 0.0) {
    sink.error(child(at, "min"), fmt::format("a log scale needs min > 0, found {}; use \"scale\": \"linear\" or a "
                                             "positive lower bound",
                                             format_number(p.min)));
    ok = false;
  }
  for (const auto& [bound, x] : {std::pair<const char*, double>{"min", p.min}, {"max", p.max}}) {
    if (!schema_in_range(SchemaKind::kScenario, key, x)) {
      sink.error(child(at, bound), fmt::format("{} {} is outside what the scenario accepts at {}: {}", bound,
                                               format_number(x), key, schema_expectation(SchemaKind::kScenario, key)));
      ok = false;
    }
  }
  if (const auto start = number_in(v, "start")) {
    if (ok && (*start < p.min || *start > p.max)) {
      sink.error(child(at, "start"), fmt::format("start {} is outside [{}, {}]", format_number(*start),
                                                 format_number(p.min), format_number(p.max)));
      ok = false;
    }
    p.start = *start;
  } else {
    p.start = std::clamp(p.base_value, p.min, p.max);
    if (ok && p.start != p.base_value) {
      notes.push_back({Severity::kWarning, sink.file(), at,
                       fmt::format("the base scenario's value {} lies outside [{}, {}]; the first start is at {}",
                                   format_number(p.base_value), format_number(p.min), format_number(p.max),
                                   format_number(p.start))});
    }
  }
  if (!ok) return std::nullopt;
  return p;
}

// The base scenario with every parameter at the middle of its range must be valid: a key that
// takes integers, or a share that must sum to 1 with others, cannot be calibrated continuously.
void check_midpoint(const json& base_doc, const std::string& base_file, const std::vector<CalibrationParameter>& ps,
                    DiagnosticSink& sink) {
  json doc = base_doc;
  for (const auto& p : ps) set_parameter_value(doc, p.pointer, value_at(p, 0.5));
  try {
    (void)scenario_from_document(doc, base_file);  // validation only: the scenario itself is not needed
  } catch (const InputError& e) {
    for (const Diagnostic& d : e.diagnostics()) {
      if (d.severity != Severity::kError) continue;
      const auto about = std::find_if(
          ps.begin(), ps.end(), [&](const CalibrationParameter& p) { return pointer_within(d.pointer, p.pointer); });
      const std::string at = about == ps.end() ? "/parameters" : child("/parameters", about->pointer);
      sink.error(at, fmt::format("with every parameter at the middle of its range the base scenario is invalid: "
                                 "{}; only real-valued keys the scenario lets vary freely can be calibrated",
                                 format_diagnostic(d)));
    }
  }
}

// Where a target was given: a pointer of the SPEC, or a line of a CSV file.
struct Origin {
  std::string file;
  std::string pointer;  // in the SPEC ("" for CSV rows)
  int line = 0;         // in a CSV file (0 for the SPEC)
};

// A diagnostic about `column` (a key of the target) of a target given at `origin`.
Diagnostic problem_at(const Origin& origin, const std::string& column, const std::string& message) {
  if (origin.line == 0) return {Severity::kError, origin.file, child(origin.pointer, column), message};
  return {Severity::kError, origin.file, "", fmt::format("line {}, column {}: {}", origin.line, column, message)};
}

// A target of the SPEC (types checked by the schema), without its name checks.
std::optional<CalibrationTarget> read_spec_target(const json& v, const Origin& origin, std::vector<Diagnostic>& out) {
  if (!v.is_object() || !number_in(v, "value")) return std::nullopt;
  CalibrationTarget t;
  t.source = origin.file + ":" + origin.pointer;
  const bool metric = v.contains("metric") && v["metric"].is_string();
  const bool series = v.contains("series") && v["series"].is_string();
  if (metric == series) {
    out.push_back({Severity::kError, origin.file, origin.pointer,
                   "a target names exactly one of \"metric\" (a metric of the result file) or \"series\" (with "
                   "\"period\")"});
    return std::nullopt;
  }
  t.kind = metric ? TargetKind::kMetric : TargetKind::kSeries;
  t.name = v[metric ? "metric" : "series"].get<std::string>();
  if (v.contains("period") && v["period"].is_number_integer()) t.period = v["period"].get<int>();
  t.value = v["value"].get<double>();
  t.sd = number_in(v, "sd").value_or(0.0);
  t.weight = number_in(v, "weight").value_or(1.0);
  if (v.contains("cohort_size") && v["cohort_size"].is_number_integer()) {
    t.cohort_size = v["cohort_size"].get<std::int64_t>();
  }
  return t;
}

// Checks a target (from the SPEC or a CSV file) against what a run of the base reports: the metric
// exists, or the series exists and is recorded at its period within the horizon; its sd.
void check_target(CalibrationTarget& t, const RunResult& probe, int horizon, const Origin& origin,
                  std::vector<Diagnostic>& out) {
  const auto problem = [&](const char* column, const std::string& message) {
    out.push_back(problem_at(origin, column, message));
  };
  if (t.kind == TargetKind::kMetric) {
    const std::vector<std::string>& known = reported_metric_names();
    if (std::find(known.begin(), known.end(), t.name) == known.end()) {
      problem("metric", fmt::format("unknown metric {}{}", quote(t.name), suggestion(t.name, known)));
    }
    if (t.period >= 0) problem("period", "a metric has no period (a period belongs to a series target)");
  } else {
    std::vector<std::string> names;
    for (const auto& [name, values] : probe.replications.front().series) names.push_back(name);
    if (t.period < 0) {
      problem("period", fmt::format("series {} needs a \"period\" in [0, {}]", quote(t.name), horizon - 1));
    } else if (t.period >= horizon) {
      problem("period", fmt::format("period {} is beyond the horizon: the base scenario runs periods 0 to {} "
                                    "(horizon_periods {})",
                                    t.period, horizon - 1, horizon));
    } else if (std::find(names.begin(), names.end(), t.name) == names.end()) {
      problem("series", fmt::format("unknown series {}{}", quote(t.name), suggestion(t.name, names)));
    } else if (!target_index(probe, t)) {
      problem("period", fmt::format("series {} is not recorded at period {} (it is recorded at the NPS report "
                                    "periods: nps.report_every)",
                                    quote(t.name), t.period));
    }
  }
  if (t.cohort_size) {
    if (t.kind != TargetKind::kSeries || t.name != "retention") {
      problem("cohort_size", "cohort_size belongs to series \"retention\" targets (shares of one cohort)");
    } else if (t.sd > 0.0) {
      problem("sd", "give either sd or cohort_size: a cohort's sd is binomial, sqrt(value (1 - value) / n)");
    } else if (!(t.value > 0.0 && t.value < 1.0)) {
      problem("value", fmt::format("a cohort's retention share must lie strictly between 0 and 1, found {}",
                                   format_number(t.value)));
    } else {
      t.sd = cohort_sd(t.value, *t.cohort_size);
    }
  } else if (!(t.sd > 0.0)) {
    problem("sd",
            "a target needs \"sd\" > 0, the standard deviation of the observed value (or, for series "
            "retention, the cohort_size it was measured on)");
  }
}

// The retention points of a cohort: one cohort size, shares falling strictly from period to period
// (their covariance, C_st = S_t (1 - S_s) / n, is then positive definite).
void check_cohort(const std::vector<CalibrationTarget>& targets, const std::vector<Origin>& origins,
                  std::vector<Diagnostic>& out) {
  std::vector<std::size_t> cohort;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (targets[i].cohort_size && targets[i].kind == TargetKind::kSeries && targets[i].sd > 0.0) cohort.push_back(i);
  }
  std::sort(cohort.begin(), cohort.end(),
            [&](std::size_t a, std::size_t b) { return targets[a].period < targets[b].period; });
  for (std::size_t k = 1; k < cohort.size(); ++k) {
    const CalibrationTarget &before = targets[cohort[k - 1]], &t = targets[cohort[k]];
    if (*t.cohort_size != *targets[cohort.front()].cohort_size) {
      out.push_back(problem_at(
          origins[cohort[k]], "cohort_size",
          fmt::format("every cohort retention target must have the same cohort_size (the "
                      "simulated base is one cohort): {} here, {} at {}",
                      *t.cohort_size, *targets[cohort.front()].cohort_size, targets[cohort.front()].source)));
    } else if (!(t.value < before.value) && t.period > before.period) {
      out.push_back(problem_at(
          origins[cohort[k]], "value",
          fmt::format("a cohort's retention must fall from period to period: {} at period {}, "
                      "{} at period {} ({})",
                      format_number(t.value), t.period, format_number(before.value), before.period, before.source)));
    }
  }
}

// The schema's default of a top-level SPEC key (the schema owns it).
template <class T>
T spec_value(const json& doc, const char* key) {
  if (doc.contains(key)) return doc[key].get<T>();
  return schema_document(SchemaKind::kCalibration)["properties"][key]["default"].get<T>();
}

// Series names and axes from a one-customer probe run of the base (only when a series is targeted).
RunResult probe_run(const Scenario& base, const std::vector<CalibrationTarget>& targets) {
  const bool any_series = std::any_of(targets.begin(), targets.end(),
                                      [](const CalibrationTarget& t) { return t.kind == TargetKind::kSeries; });
  if (!any_series) {
    RunResult empty;
    empty.replications.emplace_back();
    return empty;
  }
  Scenario small = base;
  small.population.customers = 1;
  small.replications = 1;
  RunOptions o;
  o.threads = 1;
  return run_simulation(small, o);
}

// Every target of the SPEC and of its CSV files, checked against the base scenario `base` (with the
// fit's run size); problems are appended to `problems`.
std::vector<CalibrationTarget> read_targets(const std::string& path, const json& doc,
                                            const std::vector<std::string>& csv_files, const Scenario& base,
                                            std::vector<Diagnostic>& problems) {
  std::vector<CalibrationTarget> targets;
  std::vector<Origin> origins;
  if (doc.contains("targets") && doc["targets"].is_array()) {
    for (std::size_t i = 0; i < doc["targets"].size(); ++i) {
      const Origin origin{path, child("/targets", i), 0};
      if (auto t = read_spec_target(doc["targets"][i], origin, problems)) {
        targets.push_back(std::move(*t));
        origins.push_back(origin);
      }
    }
  }
  for (const std::string& file : csv_files) {
    for (auto& [t, line] : read_targets_csv(file, problems)) {
      targets.push_back(std::move(t));
      origins.push_back({file, "", line});
    }
  }
  const RunResult probe = probe_run(base, targets);
  std::map<std::tuple<TargetKind, std::string, int>, std::string> seen;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    CalibrationTarget& t = targets[i];
    check_target(t, probe, base.horizon_periods, origins[i], problems);
    const auto [it, fresh] = seen.emplace(std::make_tuple(t.kind, t.name, t.period), t.source);
    if (!fresh) {
      problems.push_back(problem_at(origins[i], t.kind == TargetKind::kMetric ? "metric" : "series",
                                    fmt::format("target {} is given twice: also at {}", target_label(t), it->second)));
    }
  }
  check_cohort(targets, origins, problems);
  return targets;
}

}  // namespace

const char* scale_name(ParameterScale scale) { return scale == ParameterScale::kLog ? "log" : "linear"; }

const char* target_kind_name(TargetKind kind) { return kind == TargetKind::kMetric ? "metric" : "series"; }

CalibrationSpec load_calibration_spec(const std::string& path, const CalibrationOverrides& overrides,
                                      std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink(path);
  json doc = read_json_file(path, kSpecLimits);
  check_schema(SchemaKind::kCalibration, doc, sink);
  if (!doc.is_object()) sink.throw_if_errors();

  CalibrationSpec spec;
  spec.file = path;
  spec.name =
      doc.contains("name") && doc["name"].is_string() ? doc["name"].get<std::string>() : fs::path(path).stem().string();
  spec.description =
      doc.contains("description") && doc["description"].is_string() ? doc["description"].get<std::string>() : "";
  spec.base_file = existing_file(path, doc, "base", "base scenario", sink);
  const std::string csv_file = existing_file(path, doc, "targets_csv", "targets file", sink);
  sink.throw_if_errors();
  spec.max_evaluations = spec_value<int>(doc, "max_evaluations");
  spec.starts = spec_value<int>(doc, "starts");
  spec.jacobian_step = spec_value<double>(doc, "jacobian_step");

  // The base scenario: its file's document (key order kept for the fitted scenario) with --set.
  nlohmann::ordered_json ordered = read_ordered_json_file(spec.base_file, kScenarioLimits);
  json base_doc = json::parse(ordered.dump());
  apply_assignments(base_doc, overrides.assignments);
  for (const Assignment& a : overrides.assignments) {
    json value = json::parse(a.value_text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) value = a.value_text;  // as apply_assignments reads it
    ordered[nlohmann::ordered_json::json_pointer(a.pointer)] = nlohmann::ordered_json::parse(value.dump());
  }
  spec.base_document = ordered.dump(2) + "\n";
  std::vector<Diagnostic> found;
  Scenario unchanged;
  try {
    unchanged = scenario_from_document(base_doc, spec.base_file, &found);
  } catch (const InputError& e) {
    throw InputError(attribute_to_assignments(e.diagnostics(), overrides.assignments));
  }
  std::vector<Diagnostic> notes = attribute_to_assignments(std::move(found), overrides.assignments);

  // The run size of the fit: the command line wins over the SPEC, the SPEC over the base scenario.
  RunOverrides run = overrides.run;
  if (!run.customers && doc.contains("customers")) run.customers = doc["customers"].get<std::int64_t>();
  if (!run.replications)
    run.replications = doc.contains("replications") ? doc["replications"].get<int>() : unchanged.replications;
  spec.base = unchanged;
  apply_overrides(spec.base, run);
  spec.fit_replications = spec.base.replications;
  spec.check_replications =
      doc.contains("check_replications") ? doc["check_replications"].get<int>() : std::max(2, spec.fit_replications);

  // Parameters, against the effective base scenario (before the run-size overrides).
  const json effective = scenario_document(unchanged);
  // In the SPEC's order (reports list them so); nlohmann::json keeps keys sorted, so the order comes
  // from a second, order-keeping read of the file.
  const nlohmann::ordered_json in_order = read_ordered_json_file(path, kSpecLimits);
  if (doc.contains("parameters") && doc["parameters"].is_object() && in_order["parameters"].is_object()) {
    for (const auto& item : in_order["parameters"].items()) {
      if (auto p = read_parameter(item.key(), doc["parameters"][item.key()], unchanged, effective, sink, notes)) {
        spec.parameters.push_back(std::move(*p));
      }
    }
  }
  if (!sink.has_errors()) check_midpoint(base_doc, spec.base_file, spec.parameters, sink);

  // Targets: the SPEC's, then its CSV file's, then the command line's CSV files.
  std::vector<std::string> csv_files = overrides.targets_csv;
  if (!csv_file.empty()) csv_files.insert(csv_files.begin(), csv_file);
  std::vector<Diagnostic> problems;
  spec.targets = read_targets(path, doc, csv_files, spec.base, problems);
  if (spec.targets.empty() && problems.empty()) {
    sink.error("/targets", "no targets: give at least one in \"targets\", in \"targets_csv\" or with --targets-csv");
  }
  if (!spec.parameters.empty() && !spec.targets.empty() && spec.targets.size() < spec.parameters.size()) {
    notes.push_back({Severity::kWarning, path, "/targets",
                     fmt::format("{} targets for {} parameters: the targets cannot identify every parameter",
                                 spec.targets.size(), spec.parameters.size())});
  }
  std::vector<Diagnostic> all = sink.all();
  all.insert(all.end(), problems.begin(), problems.end());
  if (std::any_of(all.begin(), all.end(), [](const Diagnostic& d) { return d.severity == Severity::kError; })) {
    throw InputError(std::move(all));
  }
  if (warnings != nullptr) warnings->insert(warnings->end(), notes.begin(), notes.end());
  return spec;
}

}  // namespace cxsim
