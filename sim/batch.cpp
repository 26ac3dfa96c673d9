// Strategy batch loader (see batch.hpp): batch file -> baseline and patched variant scenarios,
// validated and compiled, with every diagnostic collected before failing.
//
// Order of work: (1) the batch file's own keys, (2) the base scenario document with the `--set`
// assignments, validated as the baseline, (3) per variant: the base document with the patch merged
// (RFC 7386, nlohmann's merge_patch), validated and compiled. A variant's diagnostics are moved to
// the batch file: at the patch's own path when the patch wrote the value in question, else at the
// variant's patch with the scenario path named in the message.
#include "cxsim/batch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>

#include "cxsim/results.hpp"
#include "cxsim/schema.hpp"

namespace cxsim {

namespace {

using nlohmann::json;
using Keys = std::vector<std::string>;
namespace fs = std::filesystem;

const Keys kBatchKeys = {"$schema", "name", "description", "base", "replications", "objective", "variants"};
const Keys kVariantKeys = {"description", "patch"};
const Keys kObjectiveKeys = {"metric", "direction"};
const Keys kDirections = {"maximize", "minimize"};
constexpr const char* kBaselineName = "baseline";
constexpr std::size_t kMaxVariantNameLength = 64;

std::string quote(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string list_names(const Keys& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i > 0 ? ", " : "") + names[i];
  return out;
}

// Variant names become result keys and CSV directory names: letters, digits, '_', '-', '.'.
bool valid_variant_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxVariantNameLength || name[0] == '.' || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.'; });
}

std::optional<std::string> read_string(const json& doc, const char* key, DiagnosticSink& sink) {
  const auto it = doc.find(key);
  if (it == doc.end()) return std::nullopt;
  if (!it->is_string()) {
    sink.error(pointer_child("", key), fmt::format("expected a string, found {}", describe_json(*it)));
    return std::nullopt;
  }
  return it->get<std::string>();
}

Objective read_objective(const json& v, DiagnosticSink& sink) {
  Objective objective;
  const auto check_metric = [&](const json& m, const std::string& pointer) {
    if (!m.is_string()) {
      sink.error(pointer, fmt::format("expected a metric name (a string), found {}", describe_json(m)));
      return;
    }
    const std::string name = m.get<std::string>();
    const Keys& known = reported_metric_names();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      const auto hint = closest_name(name, known);
      sink.error(pointer, hint ? fmt::format("unknown metric {}; did you mean \"{}\"?", quote(name), *hint)
                               : fmt::format("unknown metric {}; expected one of: {}", quote(name), list_names(known)));
      return;
    }
    objective.metric = name;
  };
  if (v.is_string()) {
    check_metric(v, "/objective");
  } else if (v.is_object()) {
    check_known_keys(v, kObjectiveKeys, "/objective", sink);
    const auto metric = v.find("metric");
    if (metric == v.end()) {
      sink.error("/objective", "missing required key \"metric\" (expected a metric name, e.g. \"net_value\")");
    } else {
      check_metric(*metric, "/objective/metric");
    }
    if (const auto d = v.find("direction"); d != v.end()) {
      if (d->is_string() && d->get<std::string>() == "maximize") {
        objective.direction = Direction::kMaximize;
      } else if (d->is_string() && d->get<std::string>() == "minimize") {
        objective.direction = Direction::kMinimize;
      } else {
        sink.error("/objective/direction",
                   fmt::format("expected \"maximize\" or \"minimize\", found {}", describe_json(*d)));
      }
    }
  } else {
    sink.error("/objective", fmt::format("expected a metric name or {{\"metric\": NAME, \"direction\": "
                                         "\"maximize\" | \"minimize\"}}, found {}",
                                         describe_json(v)));
  }
  return objective;
}

// RFC 6901 tokens of a pointer made by the loader (always well formed); empty for "".
std::vector<std::string> tokens_of(const std::string& pointer) {
  std::vector<std::string> tokens;
  json::json_pointer p(pointer);
  while (!p.empty()) {
    tokens.push_back(p.back());
    p.pop_back();
  }
  std::reverse(tokens.begin(), tokens.end());
  return tokens;
}

// True when the patch wrote the value at `pointer` of the patched document (or a value above it
// that replaced the subtree).
bool patch_covers(const json& patch, const std::string& pointer) {
  const std::vector<std::string> tokens = tokens_of(pointer);
  if (tokens.empty()) return false;
  const json* node = &patch;
  for (const std::string& token : tokens) {
    if (!node->is_object()) return true;  // a non-object patch value replaced everything below it
    const auto it = node->find(token);
    if (it == node->end()) return false;
    node = &*it;
  }
  return true;
}

struct VariantSource {
  std::string batch_file;
  std::string base_file;
  std::string name;
  const json* patch;
  const std::vector<Assignment>* assignments;
};

// Moves a diagnostic about a patched variant (file: the base) to the batch file and the variant.
Diagnostic attribute_to_variant(Diagnostic d, const VariantSource& v) {
  if (d.file != v.base_file) return d;  // already about the command line
  const std::string patch_pointer = pointer_child(pointer_child("/variants", v.name), "patch");
  if (patch_covers(*v.patch, d.pointer)) {
    d.message = fmt::format("variant \"{}\": {}", v.name, d.message);
    d.pointer = patch_pointer + d.pointer;
    d.file = v.batch_file;
    return d;
  }
  Diagnostic assigned = attribute_to_assignments({d}, *v.assignments).front();
  if (assigned.file != d.file) {
    assigned.message = fmt::format("variant \"{}\": {}", v.name, assigned.message);
    return assigned;
  }
  d.message = fmt::format("variant \"{}\": with the patch applied, the scenario {} at {}: {}", v.name, v.base_file,
                          d.pointer.empty() ? "(document)" : d.pointer, d.message);
  d.pointer = patch_pointer;
  d.file = v.batch_file;
  return d;
}

void apply_overrides(Scenario& s, const BatchOverrides& o, const std::optional<int>& batch_replications) {
  if (batch_replications) s.replications = *batch_replications;
  if (o.customers) s.customers = *o.customers;
  if (o.replications) s.replications = *o.replications;
  if (o.seed) s.seed = *o.seed;
  if (o.horizon) s.horizon_periods = *o.horizon;
}

}  // namespace

const char* direction_name(Direction d) { return d == Direction::kMaximize ? "maximize" : "minimize"; }

Batch load_batch(const std::string& path, const BatchOverrides& overrides, std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink(path);
  const json doc = read_json_document(path, "batch");
  if (!doc.is_object()) {
    sink.error("", fmt::format("expected a JSON object (a strategy batch), found {}", describe_json(doc)));
    sink.throw_if_errors();
  }
  check_known_keys(doc, kBatchKeys, "", sink);
  // The batch JSON Schema (what editors check); its errors count where the checks below, which
  // give more specific messages, find nothing at that value.
  DiagnosticSink schema_sink(path);
  json schema_doc = doc;
  check_schema(SchemaKind::kBatch, schema_doc, schema_sink);

  Batch batch;
  batch.file = path;
  batch.name = read_string(doc, "name", sink).value_or(fs::path(path).stem().string());
  batch.description = read_string(doc, "description", sink).value_or("");
  if (const auto it = doc.find("$schema"); it != doc.end() && !it->is_string()) {
    sink.error("/$schema", fmt::format("expected a string, found {}", describe_json(*it)));
  }

  // The base scenario, relative to the batch file's directory.
  const auto base = doc.find("base");
  if (base == doc.end()) {
    sink.error("/base",
               "missing required key \"base\" (expected the path of the base scenario, relative to "
               "the batch file, e.g. \"../telecom_subscription.json\")");
  } else if (!base->is_string() || base->get<std::string>().empty()) {
    sink.error("/base", fmt::format("expected the path of the base scenario (a non-empty string), found {}",
                                    describe_json(*base)));
  } else {
    const fs::path given = base->get<std::string>();
    batch.base_file =
        (given.is_absolute() ? given : (fs::path(path).parent_path() / given).lexically_normal()).string();
    std::error_code ec;
    if (!fs::is_regular_file(batch.base_file, ec)) {
      sink.error("/base", fmt::format("base scenario {} not found: no file at {} (the path is relative to the "
                                      "batch file's directory)",
                                      quote(given.string()), batch.base_file));
    }
  }

  std::optional<int> batch_replications;
  if (const auto it = doc.find("replications"); it != doc.end()) {
    const bool integral = it->is_number_integer() || it->is_number_unsigned() ||
                          (it->is_number_float() && std::floor(it->get<double>()) == it->get<double>());
    const double value = it->is_number() ? it->get<double>() : 0.0;
    if (!integral || value < 1 || value > kMaxReplicationCount) {
      sink.error("/replications",
                 fmt::format("expected an integer in [1, {}], found {}", kMaxReplicationCount, describe_json(*it)));
    } else {
      batch_replications = static_cast<int>(value);
    }
  }

  if (const auto it = doc.find("objective"); it != doc.end()) batch.objective = read_objective(*it, sink);

  // Variant names and patches (the patches are applied once the base is known to be valid).
  std::vector<std::pair<std::string, const json*>> patches;
  std::vector<std::string> descriptions;
  const auto variants = doc.find("variants");
  if (variants == doc.end()) {
    sink.error("/variants",
               "missing required key \"variants\" (expected an object {NAME: {\"description\": "
               "\"...\", \"patch\": {...}}})");
  } else if (!variants->is_object() || variants->empty()) {
    sink.error("/variants", fmt::format("expected an object with at least one variant {{NAME: {{\"description\": "
                                        "\"...\", \"patch\": {{...}}}}}}, found {}",
                                        describe_json(*variants)));
  } else {
    for (const auto& item : variants->items()) {
      const std::string& name = item.key();
      const std::string pointer = pointer_child("/variants", name);
      if (name == kBaselineName) {
        sink.error(pointer,
                   "a variant may not be named \"baseline\": the base scenario is always run under that "
                   "name; rename the variant");
        continue;
      }
      if (!valid_variant_name(name)) {
        sink.error(pointer, fmt::format("invalid variant name {}: expected 1 to {} letters, digits, '_', '-' or "
                                        "'.', not starting with '.' or '-'",
                                        quote(name), kMaxVariantNameLength));
        continue;
      }
      const json& v = item.value();
      if (!v.is_object()) {
        sink.error(pointer, fmt::format("expected an object {{\"description\": \"...\", \"patch\": {{...}}}}, "
                                        "found {}",
                                        describe_json(v)));
        continue;
      }
      check_known_keys(v, kVariantKeys, pointer, sink);
      std::string description;
      if (const auto d = v.find("description"); d != v.end()) {
        if (d->is_string()) {
          description = d->get<std::string>();
        } else {
          sink.error(pointer_child(pointer, "description"),
                     fmt::format("expected a string, found {}", describe_json(*d)));
        }
      }
      const auto patch = v.find("patch");
      if (patch == v.end()) {
        sink.error(pointer,
                   "missing required key \"patch\" (expected a JSON Merge Patch of the base scenario, "
                   "e.g. {\"service\": {\"channels\": {\"phone\": {\"agents\": 20}}}}; {} runs the "
                   "base unchanged)");
      } else if (!patch->is_object()) {
        sink.error(pointer_child(pointer, "patch"),
                   fmt::format("expected an object (a JSON Merge Patch of the base scenario), found {}",
                               describe_json(*patch)));
      } else {
        patches.emplace_back(name, &*patch);
        descriptions.push_back(std::move(description));
      }
    }
  }
  if (!sink.has_errors()) {
    for (const auto& d : schema_sink.all()) sink.error(d.pointer, d.message);
  }
  sink.throw_if_errors();

  // The baseline: the base document with the command-line assignments.
  json base_doc = read_json_document(batch.base_file, "scenario");
  apply_assignments(base_doc, overrides.assignments);
  std::vector<Diagnostic> base_warnings;
  Scenario base_scenario;
  try {
    base_scenario = scenario_from_document(base_doc, batch.base_file, &base_warnings);
  } catch (const InputError& e) {
    throw InputError(attribute_to_assignments(e.diagnostics(), overrides.assignments));
  }
  base_warnings = attribute_to_assignments(std::move(base_warnings), overrides.assignments);
  if (warnings != nullptr) warnings->insert(warnings->end(), base_warnings.begin(), base_warnings.end());
  const Scenario unpatched = base_scenario;  // before the run-size overrides
  apply_overrides(base_scenario, overrides, batch_replications);
  check_run_size(base_scenario);
  Model base_model = compile_model(base_scenario);
  batch.variants.push_back(
      {kBaselineName, "The base scenario, unchanged.", std::move(base_scenario), std::move(base_model)});

  // The variants: every error of every variant is collected before failing.
  std::vector<Diagnostic> problems;
  for (std::size_t k = 0; k < patches.size(); ++k) {
    // Plain references, not a structured binding: C++17 lambdas cannot capture those (clang refuses).
    const std::string& name = patches[k].first;
    const json* patch = patches[k].second;
    const VariantSource source{path, batch.base_file, name, patch, &overrides.assignments};
    const std::string patch_pointer = pointer_child(pointer_child("/variants", name), "patch");
    json variant_doc = base_doc;
    variant_doc.merge_patch(*patch);
    std::vector<Diagnostic> found;
    try {
      Scenario s = scenario_from_document(variant_doc, batch.base_file, &found);
      // Common random numbers need the base's seed; the batch owns replications and the horizon.
      const auto same = [&](const char* key, auto variant_value, auto base_value, const char* how) {
        if (variant_value == base_value) return true;
        problems.push_back({Severity::kError, path, pointer_child(patch_pointer, key),
                            fmt::format("variant \"{}\": the patch changes {} from {} to {}; {}", name, key, base_value,
                                        variant_value, how)});
        return false;
      };
      bool ok = same("seed", s.seed, unpatched.seed,
                     "every variant must draw the same random numbers as the baseline (common random numbers "
                     "pair replication r of each variant); use --seed to change it for all");
      ok = same("replications", s.replications, unpatched.replications,
                "the batch's \"replications\" or --replications sets it for all variants") &&
           ok;
      ok = same("horizon_periods", s.horizon_periods, unpatched.horizon_periods,
                "variants are compared over the same periods; use --horizon to change it for all") &&
           ok;
      if (!ok) continue;
      apply_overrides(s, overrides, batch_replications);
      Model m = compile_model(s);
      for (const Diagnostic& w : found) {
        const bool also_base = std::any_of(base_warnings.begin(), base_warnings.end(), [&](const Diagnostic& b) {
          return b.pointer == w.pointer && b.message == w.message;
        });
        if (!also_base && warnings != nullptr) warnings->push_back(attribute_to_variant(w, source));
      }
      batch.variants.push_back({name, descriptions[k], std::move(s), std::move(m)});
    } catch (const InputError& e) {
      for (const Diagnostic& d : e.diagnostics()) problems.push_back(attribute_to_variant(d, source));
    }
  }
  if (std::any_of(problems.begin(), problems.end(),
                  [](const Diagnostic& d) { return d.severity == Severity::kError; })) {
    throw InputError(std::move(problems));
  }
  return batch;
}

}  // namespace cxsim
