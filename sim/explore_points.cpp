// Points of a what-if exploration and the runner they share (see explore_points.hpp).
#include "explore_points.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "cxsim/runner.hpp"
#include "diagnostic_sink.hpp"
#include "json_input.hpp"
#include "loader.hpp"
#include "messages.hpp"

namespace cxsim {

namespace {

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A message of apply_assignments or attribute_to_assignments without its "--set" wording
// ("--set: x" -> "x", "--set /p=v: x" -> "x"): the caller words which change it was.
std::string without_set_prefix(const std::string& message) {
  if (message.rfind("--set: ", 0) == 0) return message.substr(7);
  if (message.rfind("--set ", 0) == 0) {
    const std::size_t colon = message.find(": ");
    if (colon != std::string::npos) return message.substr(colon + 2);
  }
  return message;
}

// Deletes the key at `pointer` when it is there (its parent an object holding it).
void remove_if_present(json& doc, const std::string& pointer) {
  const auto tokens = pointer_tokens(pointer);
  if (!tokens || tokens->empty()) return;
  json* node = &doc;
  for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
    if (!node->is_object() || !node->contains((*tokens)[i])) return;
    node = &(*node)[(*tokens)[i]];
  }
  if (node->is_object()) node->erase(tokens->back());
}

bool same_diagnostic(const Diagnostic& a, const Diagnostic& b) {
  return a.severity == b.severity && a.file == b.file && a.pointer == b.pointer && a.message == b.message;
}

// Digits after the decimal point of a number's text ("0.25" -> 2, "3" -> 0); -1 with an exponent.
int decimals_of(const std::string& text) {
  if (text.find_first_of("eE") != std::string::npos) return -1;
  const std::size_t dot = text.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
}

std::optional<double> number_in(const std::string& text) {
  const json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!v.is_number()) return std::nullopt;
  const double x = v.get<double>();
  return std::isfinite(x) ? std::optional<double>(x) : std::nullopt;
}

}  // namespace

PointBuilder::PointBuilder(const ExploreBase& base, std::vector<Diagnostic>* warnings) : base_(base) {
  document_ = read_json_file(base.scenario_file, kScenarioLimits);
  if (!base.patch.empty()) {
    patch_ = json::parse(base.patch);
    document_.merge_patch(patch_);
  }
  apply_assignments(document_, base.assignments);
  std::vector<Diagnostic> found;
  try {
    base_scenario_ = scenario_from_document(document_, base.scenario_file, &found);
  } catch (const InputError& e) {
    std::vector<Diagnostic> moved;
    for (const Diagnostic& d : e.diagnostics()) moved.push_back(attribute_to_base(d));
    throw InputError(std::move(moved));
  }
  base_warnings_ = found;  // as scenario_from_document words them, to recognize them in points
  if (warnings != nullptr) {
    for (Diagnostic& d : found) warnings->push_back(attribute_to_base(std::move(d)));
  }
  apply_overrides(base_scenario_, base.overrides);
  effective_ = scenario_document(base_scenario_);
}

Diagnostic PointBuilder::attribute_to_base(Diagnostic d) const {
  const std::string file = d.file;
  d = attribute_to_assignments({std::move(d)}, base_.assignments).front();
  if (d.file != file || patch_.is_null() || !merge_patch_covers(patch_, d.pointer)) return d;
  d.file = base_.patch_file;
  d.pointer = base_.patch_pointer + d.pointer;
  return d;
}

std::optional<ExplorePoint> PointBuilder::build(const std::vector<PointChange>& changes, const PointWording& wording,
                                                std::vector<Diagnostic>* errors,
                                                std::vector<Diagnostic>* warnings) const {
  json doc = document_;
  bool ok = true;
  for (const PointChange& change : changes) {
    if (change.remove) {
      remove_if_present(doc, change.pointer);
      continue;
    }
    try {
      apply_assignments(doc, {Assignment{change.pointer, change.value_text}});
    } catch (const InputError& e) {
      for (Diagnostic d : e.diagnostics()) {
        d.message = without_set_prefix(d.message);
        errors->push_back(wording.label(std::move(d), change));
      }
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  // A diagnostic at or below a changed pointer is about that change (the last one that wrote it);
  // others are about the point as a whole.
  // (The point's changes are applied after the base's --set assignments, so they win.)
  const auto word = [&](Diagnostic d) {
    for (auto c = changes.rbegin(); c != changes.rend(); ++c) {
      if (pointer_within(d.pointer, c->pointer) || (c->remove && pointer_within(c->pointer, d.pointer))) {
        return wording.label(std::move(d), *c);
      }
    }
    d = attribute_to_base(std::move(d));
    if (!wording.context.empty()) d.message = fmt::format("{}: {}", wording.context, d.message);
    return d;
  };
  std::vector<Diagnostic> found;
  try {
    ExplorePoint point{changes, scenario_from_document(doc, base_.scenario_file, &found)};
    apply_overrides(point.scenario, base_.overrides);
    for (const Diagnostic& w : found) {
      const bool also_base = std::any_of(base_warnings_.begin(), base_warnings_.end(), [&](const Diagnostic& b) {
        return b.pointer == w.pointer && b.message == w.message;
      });
      if (!also_base && warnings != nullptr) warnings->push_back(word(w));
    }
    return point;
  } catch (const InputError& e) {
    for (const Diagnostic& d : e.diagnostics()) errors->push_back(word(d));
    return std::nullopt;
  }
}

void throw_if_errors(std::vector<Diagnostic> errors) {
  std::vector<Diagnostic> unique;
  for (Diagnostic& d : errors) {
    const bool seen =
        std::any_of(unique.begin(), unique.end(), [&](const Diagnostic& u) { return same_diagnostic(u, d); });
    if (!seen) unique.push_back(std::move(d));
  }
  const bool any_error =
      std::any_of(unique.begin(), unique.end(), [](const Diagnostic& d) { return d.severity == Severity::kError; });
  if (any_error) throw InputError(std::move(unique));
}

std::string describe_changes(const std::vector<PointChange>& changes) {
  std::string out;
  for (const PointChange& c : changes) {
    if (!out.empty()) out += ", ";
    out += c.remove ? "without " + c.pointer : c.pointer + "=" + c.value_text;
  }
  return out;
}

std::string fixed_key_problem(const std::string& pointer) {
  for (const char* key : {"/seed", "/replications", "/horizon_periods"}) {
    if (pointer_within(key, pointer)) {
      return fmt::format(
          "{} cannot be varied: every point runs the base's seed, replications and horizon, so that replication r "
          "of each point draws the same random numbers (common random numbers); use --seed, --replications or "
          "--horizon to change them for all points",
          pointer.empty() ? std::string("the whole scenario") : pointer);
    }
  }
  return "";
}

// ---- runner -------------------------------------------------------------------------------------

std::string PointRunner::key(const Scenario& scenario, int first, int count) {
  const int n = count < 0 ? scenario.replications - first : count;
  return fmt::format("{}:{}:{}", first, n, scenario_document(scenario).dump());
}

double PointRunner::work(const Scenario& scenario, int first, int count) {
  const int n = count < 0 ? scenario.replications - first : count;
  return static_cast<double>(n) * static_cast<double>(scenario.population.customers) *
         static_cast<double>(scenario.horizon_periods);
}

void PointRunner::plan(const std::vector<const Scenario*>& scenarios, int first, int count) {
  for (const Scenario* s : scenarios) {
    if (planned_keys_.emplace(key(*s, first, count), true).second) planned_ += work(*s, first, count);
  }
}

std::shared_ptr<const RunResult> PointRunner::run(const Scenario& scenario, int first, int count) {
  const std::string k = key(scenario, first, count);
  if (const auto it = done_.find(k); it != done_.end()) return it->second;
  const double w = work(scenario, first, count);
  if (planned_keys_.emplace(k, true).second) planned_ += w;
  RunOptions run;
  run.threads = options_.threads;
  run.first_replication = first;
  run.replication_count = count;
  run.cancel = options_.cancel;
  if (options_.progress) {
    run.progress = [this, w](double f) {
      options_.progress(planned_ > 0.0 ? std::min(1.0, (worked_ + f * w) / planned_) : 1.0);
    };
  }
  auto result = std::make_shared<const RunResult>(run_simulation(scenario, run));
  worked_ += w;
  ++simulations_;
  done_.emplace(k, result);
  return result;
}

ExploreInfo explore_info(const ExploreBase& base, const Scenario& s, const ExploreOptions& options,
                         const PointRunner& runner) {
  ExploreInfo info;
  info.base = base;
  info.run.scenario_name = s.name;
  info.run.scenario_file = s.file;
  info.run.seed = s.seed;
  info.run.customers = s.population.customers;
  info.run.horizon_periods = s.horizon_periods;
  info.run.replications = s.replications;
  info.run.period_days = s.period_days;
  info.run.currency = s.economics.currency;
  info.run.threads = options.threads;
  info.threads = options.threads;
  info.simulations = runner.simulations();
  return info;
}

RunResult metrics_only(const RunResult& result) {
  RunResult out;
  out.info = result.info;
  for (const ReplicationResult& rep : result.replications) {
    ReplicationResult r;
    r.metrics = rep.metrics;
    out.replications.push_back(std::move(r));
  }
  return out;
}

RunResult concatenate(RunResult a, const RunResult& b) {
  for (const ReplicationResult& rep : b.replications) a.replications.push_back(rep);
  a.info.replications = static_cast<int>(a.replications.size());
  return a;
}

// ---- numbers ------------------------------------------------------------------------------------

std::optional<json> move_numbers(const json& value, const std::string& pointer,
                                 const std::function<double(double, const SchemaNumber&)>& move) {
  if (value.is_number()) {
    const SchemaNumber info = schema_number(SchemaKind::kScenario, pointer).value_or(SchemaNumber{});
    const double x = move(value.get<double>(), info);
    // Integral values as integers (the effective document writes 13.0; the schema reads both alike).
    if (info.integer || (std::floor(x) == x && std::fabs(x) < 9e15))
      return json(static_cast<std::int64_t>(std::llround(x)));
    return json(x);
  }
  if (!value.is_structured() || value.empty()) return std::nullopt;
  json out = value;
  if (value.is_object()) {
    for (auto& [key, item] : out.items()) {
      auto moved = move_numbers(value[key], child(pointer, key), move);
      if (!moved) return std::nullopt;
      item = std::move(*moved);
    }
  } else {
    for (std::size_t i = 0; i < value.size(); ++i) {
      auto moved = move_numbers(value[i], child(pointer, i), move);
      if (!moved) return std::nullopt;
      out[i] = std::move(*moved);
    }
  }
  return out;
}

double mean_of_numbers(const json& value) {
  double sum = 0.0;
  std::size_t n = 0;
  const std::function<void(const json&)> visit = [&](const json& v) {
    if (v.is_number()) {
      sum += v.get<double>();
      ++n;
    } else if (v.is_structured()) {
      for (const auto& item : v) visit(item);
    }
  };
  visit(value);
  return n == 0 ? kNaN : sum / static_cast<double>(n);
}

std::string number_text(double x, bool integer) {
  if (integer) return fmt::format("{}", static_cast<std::int64_t>(std::llround(x)));
  return format_number(x);
}

std::optional<std::vector<std::string>> range_values(const std::string& from_text, const std::string& to_text,
                                                     const std::string& step_text, std::size_t max_values) {
  const auto from = number_in(from_text), to = number_in(to_text), step = number_in(step_text);
  std::vector<std::string> out;
  if (!from || !to || !step || *step == 0.0 || (*to - *from) / *step < -1e-9) return out;
  const double count = std::floor((*to - *from) / *step + 1e-9) + 1.0;
  if (count > static_cast<double>(max_values)) return std::nullopt;
  const bool integer = decimals_of(from_text) == 0 && decimals_of(to_text) == 0 && decimals_of(step_text) == 0;
  const int decimals = std::min(decimals_of(from_text), decimals_of(step_text)) < 0
                           ? -1
                           : std::max(decimals_of(from_text), decimals_of(step_text));
  for (std::size_t k = 0; k < static_cast<std::size_t>(count); ++k) {
    // from + k step, not a running sum: no drift over long ranges.
    const double x = *from + static_cast<double>(k) * *step;
    if (integer) {
      out.push_back(number_text(x, true));
    } else if (decimals >= 0) {
      // Rounded to the decimals given, and written as the shortest text of that double.
      out.push_back(format_number(std::stod(fmt::format("{:.{}f}", x, decimals))));
    } else {
      out.push_back(format_number(x));
    }
  }
  return out;
}

// ---- document pieces ------------------------------------------------------------------------------

Json scenario_json(const RunInfo& info) {
  RunResult nothing_run;  // the run document owns the block's form; a run without replications has it alone
  nothing_run.info = info;
  return run_report(nothing_run).document().json["scenario"];
}

Json options_json(const ExploreInfo& info, const Json& extra) {
  Json sets = Json::array();
  for (const Assignment& a : info.base.assignments) sets.push_back(a.pointer + "=" + a.value_text);
  Json out = Json{{"scenario", info.base.scenario_file},
                  {"set", std::move(sets)},
                  {"seed", info.run.seed},
                  {"customers", info.run.customers},
                  {"replications", info.run.replications},
                  {"horizon_periods", info.run.horizon_periods},
                  {"threads", info.threads},
                  {"common_random_numbers", true},
                  {"simulations", info.simulations}};
  for (const auto& [key, value] : extra.items()) out[key] = value;
  return out;
}

Json metric_summaries(const RunResult& result) {
  std::set<std::string> names;
  for (const ReplicationResult& rep : result.replications) {
    for (const auto& [name, value] : rep.metrics) names.insert(name);
  }
  Json out = Json::object();
  for (const std::string& name : names) out[name] = summary_json(summarize(replicates_of(result, name)));
  return out;
}

Json deltas_json(const std::map<std::string, Summary>& deltas) {
  Json out = Json::object();
  for (const auto& [name, s] : deltas) out[name] = summary_json(s);
  return out;
}

json parse_value_text(const std::string& value_text) {
  json v = json::parse(value_text, nullptr, /*allow_exceptions=*/false);
  return v.is_discarded() ? json(value_text) : v;
}

Json value_json(const std::string& value_text) {
  Json v = Json::parse(value_text, nullptr, /*allow_exceptions=*/false);
  return v.is_discarded() ? Json(value_text) : v;
}

}  // namespace cxsim
