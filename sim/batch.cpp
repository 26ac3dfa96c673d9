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
#include "diagnostic_sink.hpp"
#include "json_input.hpp"
#include "loader.hpp"
#include "messages.hpp"
#include "schema.hpp"

namespace cxsim {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kBaselineName = "baseline";
constexpr std::size_t kMaxVariantNameLength = 64;

// Variant names become result keys and CSV directory names: letters, digits, '_', '-', '.'.
bool valid_variant_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxVariantNameLength || name[0] == '.' || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.'; });
}

// The objective (types already checked by the batch schema); the metric must be one cxsim reports.
Objective read_objective(const json& v, DiagnosticSink& sink) {
  Objective objective;
  const json* metric = v.is_string() ? &v : v.is_object() && v.contains("metric") ? &v["metric"] : nullptr;
  const std::string pointer = v.is_string() ? "/objective" : "/objective/metric";
  if (metric != nullptr && metric->is_string()) {
    const std::string name = metric->get<std::string>();
    const std::vector<std::string>& known = reported_metric_names();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      sink.error(pointer, fmt::format("unknown metric {}{}", quote(name), suggestion(name, known)));
    } else {
      objective.metric = name;
    }
  }
  if (v.is_object() && v.value("direction", "") == "minimize") objective.direction = Direction::kMinimize;
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
  const std::string patch_pointer = child(child("/variants", v.name), "patch");
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

// The collections a patch names members of by id (MODEL.md: every collection is an object keyed by
// id), with what a member is called.
const std::vector<std::pair<std::vector<std::string>, const char*>>& id_collections() {
  static const std::vector<std::pair<std::vector<std::string>, const char*>> collections = {
      {{"segments"}, "segment"},
      {{"journey", "touchpoints"}, "touchpoint"},
      {{"service", "channels"}, "channel"},
      {{"interventions"}, "intervention"}};
  return collections;
}

const json* object_at(const json& doc, const std::vector<std::string>& path) {
  const json* node = &doc;
  for (const auto& key : path) {
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
  }
  return node->is_object() ? node : nullptr;
}

// Ids a patch names that the base scenario does not have. Removing one (null) does nothing, which
// is never what was meant: an error, with the closest id or the list of ids. Adding one is how a
// variant adds a channel, segment, touchpoint or intervention, so it stays allowed; only when the
// new id is close to an existing one (a likely typo, e.g. "phnoe") does a warning ask "did you mean".
std::vector<Diagnostic> check_patch_ids(const json& base, const json& patch, const std::string& batch_file,
                                        const std::string& variant) {
  std::vector<Diagnostic> out;
  for (const auto& [path, what] : id_collections()) {
    const json* patched = object_at(patch, path);
    if (patched == nullptr) continue;
    const json* existing = object_at(base, path);
    std::vector<std::string> ids;
    if (existing != nullptr) {
      for (const auto& item : existing->items()) ids.push_back(item.key());
    }
    std::string pointer = child(child("/variants", variant), "patch");
    for (const auto& key : path) pointer = child(pointer, key);
    for (const auto& item : patched->items()) {
      const std::string& id = item.key();
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
      const std::string at = child(pointer, id);
      if (item.value().is_null()) {
        out.push_back({Severity::kError, batch_file, at,
                       fmt::format("variant \"{}\": the patch removes {} {}, which the base scenario does not have, so "
                                   "it would remove nothing{}",
                                   variant, what, quote(id), suggestion(id, ids))});
      } else if (const auto close = closest_name(id, ids)) {
        out.push_back({Severity::kWarning, batch_file, at,
                       fmt::format("variant \"{}\": the patch adds a new {} {} (the base scenario has none of that "
                                   "id); did you mean \"{}\"? (ignore this if the new {} is intended)",
                                   variant, what, quote(id), *close, what)});
      }
    }
  }
  return out;
}

}  // namespace

bool merge_patch_covers(const json& patch, const std::string& pointer) { return patch_covers(patch, pointer); }

const char* direction_name(Direction d) { return d == Direction::kMaximize ? "maximize" : "minimize"; }

bool is_batch_file(const std::string& path) {
  try {
    const json doc = read_json_file(path, kBatchLimits);
    return doc.is_object() && doc.contains("base") && doc.contains("variants");
  } catch (const InputError&) {
    // Not readable as JSON: not a batch. Whoever loads the file next reports the problem itself.
    return false;
  }
}

Batch load_batch(const std::string& path, const BatchOverrides& overrides, std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink(path);
  json doc = read_json_file(path, kBatchLimits);
  // The batch JSON Schema owns the types, ranges and keys; the checks below are the ones it cannot
  // express: the base file exists, the objective is a metric cxsim reports, variant names are usable.
  check_schema(SchemaKind::kBatch, doc, sink);
  if (!doc.is_object()) sink.throw_if_errors();

  Batch batch;
  batch.file = path;
  batch.name =
      doc.contains("name") && doc["name"].is_string() ? doc["name"].get<std::string>() : fs::path(path).stem().string();
  batch.description = doc.contains("description") && doc["description"].is_string()
                          ? doc["description"].get<std::string>()
                          : std::string();

  // The base scenario, relative to the batch file's directory.
  if (doc.contains("base") && doc["base"].is_string() && !doc["base"].get<std::string>().empty()) {
    const fs::path given = doc["base"].get<std::string>();
    batch.base_file =
        (given.is_absolute() ? given : (fs::path(path).parent_path() / given).lexically_normal()).string();
    if (!input_file_exists(batch.base_file)) {
      sink.error("/base", fmt::format("base scenario {} not found: no file at {} (the path is relative to the "
                                      "batch file's directory)",
                                      quote(given.string()), batch.base_file));
    }
  }

  std::optional<int> batch_replications;
  if (doc.contains("replications") && doc["replications"].is_number_integer()) {
    batch_replications =
        static_cast<int>(std::clamp<std::int64_t>(doc["replications"].get<std::int64_t>(), 1, kMaxReplicationCount));
  }
  if (doc.contains("objective")) batch.objective = read_objective(doc["objective"], sink);

  // Variant names and patches (the patches are applied once the base is known to be valid).
  std::vector<std::pair<std::string, const json*>> patches;
  std::vector<std::string> descriptions;
  if (doc.contains("variants") && doc["variants"].is_object()) {
    for (const auto& item : doc["variants"].items()) {
      const std::string& name = item.key();
      const std::string pointer = child("/variants", name);
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
      if (!v.is_object() || !v.contains("patch") || !v["patch"].is_object()) continue;  // the schema said why
      patches.emplace_back(name, &v["patch"]);
      descriptions.push_back(v.contains("description") && v["description"].is_string()
                                 ? v["description"].get<std::string>()
                                 : std::string());
    }
  }
  sink.throw_if_errors();

  // The baseline: the base document with the command-line assignments.
  json base_doc = read_json_file(batch.base_file, kScenarioLimits);
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
  RunOverrides run = overrides.run;
  if (!run.replications) run.replications = batch_replications;
  apply_overrides(base_scenario, run);
  batch.variants.push_back({kBaselineName, "The base scenario, unchanged.", std::move(base_scenario)});

  // The variants: every error of every variant is collected before failing.
  std::vector<Diagnostic> problems;
  for (std::size_t k = 0; k < patches.size(); ++k) {
    // Plain references, not a structured binding: C++17 lambdas cannot capture those (clang refuses).
    const std::string& name = patches[k].first;
    const json* patch = patches[k].second;
    const VariantSource source{path, batch.base_file, name, patch, &overrides.assignments};
    const std::string patch_pointer = child(child("/variants", name), "patch");
    json variant_doc = base_doc;
    variant_doc.merge_patch(*patch);
    // Ids the base lacks: checked first, so a typo's did-you-mean stands beside the errors it causes.
    const std::vector<Diagnostic> id_checks = check_patch_ids(base_doc, *patch, path, name);
    problems.insert(problems.end(), id_checks.begin(), id_checks.end());
    std::vector<Diagnostic> found;
    try {
      Scenario s = scenario_from_document(variant_doc, batch.base_file, &found);
      // Common random numbers need the base's seed; the batch owns replications and the horizon.
      const auto same = [&](const char* key, auto variant_value, auto base_value, const char* how) {
        if (variant_value == base_value) return true;
        problems.push_back({Severity::kError, path, child(patch_pointer, key),
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
      apply_overrides(s, run);
      for (const Diagnostic& w : found) {
        const bool also_base = std::any_of(base_warnings.begin(), base_warnings.end(), [&](const Diagnostic& b) {
          return b.pointer == w.pointer && b.message == w.message;
        });
        if (!also_base && warnings != nullptr) warnings->push_back(attribute_to_variant(w, source));
      }
      batch.variants.push_back({name, descriptions[k], std::move(s)});
    } catch (const InputError& e) {
      for (const Diagnostic& d : e.diagnostics()) problems.push_back(attribute_to_variant(d, source));
    }
  }
  if (std::any_of(problems.begin(), problems.end(),
                  [](const Diagnostic& d) { return d.severity == Severity::kError; })) {
    throw InputError(std::move(problems));
  }
  if (warnings != nullptr) warnings->insert(warnings->end(), problems.begin(), problems.end());  // id warnings
  return batch;
}

}  // namespace cxsim
