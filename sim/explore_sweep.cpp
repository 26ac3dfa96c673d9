// `cxsim sweep`: a grid of values at scenario pointers, every point run on common random numbers
// (see cxsim/explore.hpp).
#include <fmt/format.h>

#include <algorithm>

#include "cxsim/compare.hpp"
#include "cxsim/explore.hpp"
#include "cxsim/version.hpp"
#include "diagnostic_sink.hpp"
#include "explore_points.hpp"
#include "messages.hpp"

namespace cxsim {

namespace {

constexpr const char* kCommandLine = "<command line>";

// Splits a comma list at the commas outside quotes, brackets and braces ("1,[2,3],\"a,b\"" -> 3).
std::vector<std::string> split_values(std::string_view spec) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : spec) {
    if (in_string) {
      in_string = escaped || c != '"';
      escaped = !escaped && c == '\\';
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  out.push_back(current);
  for (std::string& v : out) {
    const std::size_t first = v.find_first_not_of(" \t");
    const std::size_t last = v.find_last_not_of(" \t");
    v = first == std::string::npos ? std::string() : v.substr(first, last - first + 1);
  }
  return out;
}

// "FROM:TO:STEP" as three number texts, or nullopt when the spec is not of that form.
std::optional<std::vector<std::string>> range_parts(const std::string& spec) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() != 3) return std::nullopt;
  for (const std::string& p : parts) {
    const auto v = nlohmann::json::parse(p, nullptr, /*allow_exceptions=*/false);
    if (!v.is_number()) return std::nullopt;
  }
  return parts;
}

}  // namespace

Vary parse_vary(std::string_view text) {
  DiagnosticSink sink(kCommandLine);
  const std::size_t eq = text.find('=');
  const std::string pointer(text.substr(0, eq));
  if (eq == std::string_view::npos) {
    sink.error(!text.empty() && text[0] == '/' ? pointer : std::string(),
               fmt::format("--vary {}: expected /POINTER=VALUES, e.g. /service/channels/phone/agents=10,12,16 or "
                           "/service/channels/phone/agents=10:20:2 (FROM:TO:STEP)",
                           quote(text)));
    sink.throw_if_errors();
  }
  if (pointer.empty() || !pointer_tokens(pointer)) {
    sink.error(pointer, fmt::format("--vary: {} is not a JSON pointer to a value in the scenario; expected "
                                    "\"/key/key...\" (RFC 6901: starts with '/', '~' only as \"~0\" or \"~1\")",
                                    quote(pointer)));
    sink.throw_if_errors();
  }
  Vary vary{pointer, {}};
  const std::string spec(text.substr(eq + 1));
  if (const auto parts = range_parts(spec)) {
    const auto values = range_values((*parts)[0], (*parts)[1], (*parts)[2], kMaxSweepPoints);
    if (!values) {
      sink.error(pointer,
                 fmt::format("--vary {}={}: the range has more than {} values", pointer, spec, kMaxSweepPoints));
    } else if (values->empty()) {
      sink.error(pointer, fmt::format("--vary {}={}: expected FROM:TO:STEP with a step that is not 0 and leads from "
                                      "FROM to TO",
                                      pointer, spec));
    } else {
      vary.values = *values;
    }
  } else {
    vary.values = split_values(spec);
    if (std::any_of(vary.values.begin(), vary.values.end(), [](const std::string& v) { return v.empty(); })) {
      sink.error(pointer, fmt::format("--vary {}={}: expected a comma list of values (e.g. 10,12,16) or a range "
                                      "FROM:TO:STEP; found an empty value",
                                      pointer, spec));
    }
  }
  sink.throw_if_errors();
  return vary;
}

SweepPlan plan_sweep(const ExploreBase& base, const std::vector<Vary>& vary, std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink(kCommandLine);
  if (vary.empty()) sink.error("", "cxsim sweep needs at least one --vary /POINTER=VALUES");
  std::size_t points = vary.empty() ? 0 : 1;
  for (std::size_t i = 0; i < vary.size(); ++i) {
    const std::string& p = vary[i].pointer;
    for (std::size_t j = 0; j < i; ++j) {
      if (vary[j].pointer == p) sink.error(p, fmt::format("--vary {} is given twice; give all its values once", p));
    }
    if (const std::string problem = fixed_key_problem(p); !problem.empty()) sink.error(p, "--vary " + problem);
    if (base.overrides.customers && pointer_within("/population/customers", p)) {
      sink.error(p, fmt::format("--vary {} conflicts with --customers, which would override it at every point", p));
    }
    points = vary[i].values.empty() ? 0 : std::min(points * vary[i].values.size(), kMaxSweepPoints + 1);
  }
  if (points > kMaxSweepPoints) {
    sink.error("", fmt::format("the sweep's grid has more than {} points; vary fewer values", kMaxSweepPoints));
  }
  sink.throw_if_errors();

  const PointBuilder builder(base, warnings);
  SweepPlan plan{base, builder.base_scenario(), {}, {}};
  for (const Vary& v : vary) plan.parameters.push_back(v.pointer);
  PointWording wording;
  wording.label = [](Diagnostic d, const PointChange& c) {
    d.file = kCommandLine;
    d.pointer = c.pointer;
    d.message = fmt::format("--vary {}={}: {}", c.pointer, c.value_text, d.message);
    return d;
  };
  std::vector<Diagnostic> errors;
  std::vector<std::size_t> index(vary.size(), 0);
  for (std::size_t n = 0; n < points; ++n) {
    std::vector<PointChange> changes;
    for (std::size_t i = 0; i < vary.size(); ++i) changes.push_back({vary[i].pointer, vary[i].values[index[i]], false});
    wording.context = "sweep point " + describe_changes(changes);
    if (auto point = builder.build(changes, wording, &errors, warnings)) plan.points.push_back(std::move(*point));
    // The next grid index, the last parameter fastest (row-major order).
    for (std::size_t i = vary.size(); i-- > 0;) {
      if (++index[i] < vary[i].values.size()) break;
      index[i] = 0;
    }
  }
  throw_if_errors(std::move(errors));
  return plan;
}

Sweep run_sweep(const SweepPlan& plan, const ExploreOptions& options) {
  PointRunner runner(options);
  std::vector<const Scenario*> scenarios;
  for (const ExplorePoint& p : plan.points) scenarios.push_back(&p.scenario);
  runner.plan(scenarios);

  Sweep sweep;
  sweep.parameters = plan.parameters;
  for (const ExplorePoint& p : plan.points) {
    SweepPoint point;
    for (const PointChange& c : p.changes) point.values.push_back(c.value_text);
    point.result = *runner.run(p.scenario);
    sweep.points.push_back(std::move(point));
  }
  for (SweepPoint& p : sweep.points) p.delta = paired_differences(p.result, sweep.points.front().result);
  sweep.info = explore_info(plan.base, plan.base_scenario, options, runner);
  return sweep;
}

Report sweep_report(const Sweep& sweep) {
  Json doc = Json::object();
  doc["cxsim_version"] = kVersion;
  Json vary = Json::array();
  for (std::size_t i = 0; i < sweep.parameters.size(); ++i) {
    std::vector<std::string> values;
    for (const SweepPoint& p : sweep.points) {
      if (std::find(values.begin(), values.end(), p.values[i]) == values.end()) values.push_back(p.values[i]);
    }
    std::string joined;
    for (const std::string& v : values) joined += (joined.empty() ? "" : ",") + v;
    vary.push_back(sweep.parameters[i] + "=" + joined);
  }
  doc["options"] = options_json(sweep.info, Json{{"vary", std::move(vary)}});
  doc["scenario"] = scenario_json(sweep.info.run);
  Json points = Json::array();
  for (const SweepPoint& p : sweep.points) {
    Json values = Json::object();
    for (std::size_t i = 0; i < sweep.parameters.size(); ++i) values[sweep.parameters[i]] = value_json(p.values[i]);
    const Json run = run_report(p.result).document().json;
    points.push_back(Json{{"values", std::move(values)},
                          {"metrics", run["metrics"]},
                          {"series", run["series"]},
                          {"delta", deltas_json(p.delta)}});
  }
  Json parameters = Json::array();
  for (const std::string& p : sweep.parameters) parameters.push_back(p);
  doc["sweep"] = Json{{"parameters", std::move(parameters)}, {"reference", 0}, {"points", std::move(points)}};
  return make_report("sweep", std::move(doc));
}

}  // namespace cxsim
