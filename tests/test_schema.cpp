// The JSON Schemas of scenarios/schema/ agree with the loader: the same keys in every object (both
// directions), every shipped scenario valid against both, and for single-value changes of a file
// that uses every key, the schema refuses a change exactly when the loader does (except where the
// loader checks what no schema can: shares summing to 1, ids that resolve, relations between keys).
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 with -fsanitize=address reports -Wmaybe-uninitialized inside libstdc++'s <regex> (which
// valijson uses): a false positive in the standard library, not in this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cxsim/scenario.hpp"
#include "cxsim/schema.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kSource = CXSIM_SOURCE_DIR;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json schema_json(cxsim::SchemaKind kind) { return json::parse(cxsim::schema_text(kind)); }

std::vector<cxsim::Diagnostic> schema_errors(cxsim::SchemaKind kind, json doc) {
  cxsim::DiagnosticSink sink("doc.json");
  cxsim::check_schema(kind, doc, sink);
  return sink.all();
}

std::string dump(const std::vector<cxsim::Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += cxsim::format_diagnostic(d) + "\n";
  return out;
}

// Whether the loader's own checks accept `doc`. parse_scenario runs the schema too; its messages end
// with "(JSON Schema scenario.schema.json)" and are left out here, so the two can be compared.
bool loader_accepts(const json& doc) {
  try {
    cxsim::parse_scenario(doc.dump(), "doc.json");
    return true;
  } catch (const cxsim::InputError& e) {
    const std::string schema_suffix = "(JSON Schema scenario.schema.json)";
    for (const auto& d : e.diagnostics()) {
      const bool from_schema =
          d.message.size() >= schema_suffix.size() &&
          d.message.compare(d.message.size() - schema_suffix.size(), schema_suffix.size(), schema_suffix) == 0;
      if (d.severity == cxsim::Severity::kError && !from_schema) return false;
    }
    return true;
  }
}

// Follows a local "$ref" ("#/definitions/x").
const json& resolve(const json& root, const json& node) {
  const json* n = &node;
  while (n->is_object() && n->contains("$ref")) {
    const std::string ref = (*n)["$ref"].get<std::string>();
    EXPECT_EQ(ref.rfind("#/", 0), 0u) << "only local references: " << ref;
    n = &root.at(json::json_pointer(ref.substr(1)));
  }
  return *n;
}

// Every object schema reachable from the root, by where its objects sit in a scenario ("*" = any
// id), with the keys its "properties" declare.
void collect_objects(const json& root, const json& node, const std::string& where,
                     std::map<std::string, std::set<std::string>>& out) {
  const json& n = resolve(root, node);
  if (!n.is_object()) return;
  if (n.contains("properties")) {
    EXPECT_EQ(n.value("additionalProperties", json(true)), json(false))
        << where << ": an object with properties must refuse unknown keys, as the loader does";
    auto& keys = out[where];
    for (const auto& [key, sub] : n["properties"].items()) {
      keys.insert(key);
      collect_objects(root, sub, where + "/" + key, out);
    }
  }
  if (n.contains("additionalProperties") && n["additionalProperties"].is_object()) {
    collect_objects(root, n["additionalProperties"], where + "/*", out);
  }
}

// Pointers of every value below `v` (not `v` itself), containers included.
void collect_pointers(const json& v, const std::string& pointer, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [key, child] : v.items()) {
      std::string token;
      for (char c : key) token += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
      const std::string p = pointer + "/" + token;
      out.push_back(p);
      collect_pointers(child, p, out);
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string p = pointer + "/" + std::to_string(i);
      out.push_back(p);
      collect_pointers(v[i], p, out);
    }
  }
}

// Where the loader checks more than any JSON Schema can: shares that must sum to 1, ids that must
// resolve, hours bounded by period_days, periodic until > from, and seeds (valijson reads integers
// above 2^63 - 1 as negative, so the schema gives seed no minimum).
const std::regex kLoaderOnly(
    "^/segments/[^/]+/share$|^/service/channels/[^/]+/share$|/entry(/.*)?$|/channel_mix(/.*)?$"
    "|/trigger/on_visit$|/trigger/on_failure$|/target/[0-9]+$|/failure_multiplier/[^/]+$"
    "|/hours_per_period$|^/period_days$|/periodic/until$|/periodic/from$|^/seed$|/agents/periods/[^/]+$");

}  // namespace

TEST(Schema, EmbeddedTextIsTheShippedFile) {
  EXPECT_TRUE(cxsim::schema_text(cxsim::SchemaKind::kScenario) ==
              read(kSource + "/scenarios/schema/scenario.schema.json"));
  EXPECT_TRUE(cxsim::schema_text(cxsim::SchemaKind::kBatch) == read(kSource + "/scenarios/schema/batch.schema.json"));
  EXPECT_EQ(cxsim::schema_name(cxsim::SchemaKind::kScenario), "scenario.schema.json");
}

TEST(Schema, ShippedScenariosAreValidAndReferenceTheSchema) {
  std::size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(kSource + "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const json doc = json::parse(read(entry.path().string()));
    EXPECT_EQ(dump(schema_errors(cxsim::SchemaKind::kScenario, doc)), "");
    EXPECT_NO_THROW(cxsim::load_scenario(entry.path().string()));
    ASSERT_TRUE(doc.contains("$schema"));
    EXPECT_EQ(doc["$schema"], "schema/scenario.schema.json");
    EXPECT_TRUE(fs::exists(entry.path().parent_path() / doc["$schema"].get<std::string>()));
    ++checked;
  }
  EXPECT_GE(checked, 2u);
  for (const char* file : {"/tests/data/model_example.json", "/tests/data/all_keys.json"}) {
    SCOPED_TRACE(file);
    EXPECT_EQ(dump(schema_errors(cxsim::SchemaKind::kScenario, json::parse(read(kSource + file)))), "");
    EXPECT_NO_THROW(cxsim::load_scenario(kSource + file));
  }
}

// The loader's key lists and the schema's "properties", object by object, in both directions.
TEST(Schema, SameKeysAsTheLoader) {
  const json root = schema_json(cxsim::SchemaKind::kScenario);
  std::map<std::string, std::set<std::string>> schema_objects;
  collect_objects(root, root, "", schema_objects);
  // Objects whose keys are fixed by the schema alone: an effect's quality is a number or {mean, sd}
  // (listed by the loader too), the exit branch is a subset of the touchpoint's keys.
  std::map<std::string, std::set<std::string>> loader_objects;
  for (const auto& a : cxsim::accepted_keys()) loader_objects[a.where] = {a.keys->begin(), a.keys->end()};
  for (const auto& [where, keys] : loader_objects) {
    SCOPED_TRACE("loader object " + (where.empty() ? std::string("(top level)") : where));
    ASSERT_TRUE(schema_objects.count(where)) << "the schema does not describe this object";
    for (const auto& k : keys) EXPECT_TRUE(schema_objects[where].count(k)) << "schema lacks key " << k;
    for (const auto& k : schema_objects[where]) EXPECT_TRUE(keys.count(k)) << "loader does not accept key " << k;
  }
  for (const auto& [where, keys] : schema_objects) {
    EXPECT_TRUE(loader_objects.count(where)) << "the schema describes " << where << ", which the loader lacks";
  }
  // An exit touchpoint takes only the exit keys: the schema's "then" branch says the same.
  const json& tp = resolve(root, root["definitions"]["touchpoint"]);
  std::set<std::string> then_keys;
  for (const auto& [k, v] : tp["then"]["properties"].items()) then_keys.insert(k);
  const auto& exit_keys = cxsim::exit_touchpoint_keys();
  EXPECT_EQ(then_keys, std::set<std::string>(exit_keys.begin(), exit_keys.end()));
  EXPECT_EQ(tp["then"]["additionalProperties"], json(false));
}

// Editors show descriptions on hover and completion: every key has one.
TEST(Schema, EveryKeyHasADescription) {
  for (const auto kind : {cxsim::SchemaKind::kScenario, cxsim::SchemaKind::kBatch}) {
    const json root = schema_json(kind);
    std::vector<std::string> pointers;
    collect_pointers(root, "", pointers);
    std::size_t properties = 0;
    for (const auto& p : pointers) {
      const json::json_pointer ptr(p);
      if (ptr.empty() || ptr.parent_pointer().empty() || ptr.parent_pointer().back() != "properties") continue;
      // The conditions of if/then restate keys described elsewhere.
      if (p.find("/if/") != std::string::npos || p.find("/then/") != std::string::npos) continue;
      const json& sub = root.at(ptr);
      ++properties;
      EXPECT_TRUE(sub.contains("description") && sub["description"].is_string() &&
                  !sub["description"].get<std::string>().empty())
          << cxsim::schema_name(kind) << p << " has no description";
    }
    EXPECT_GE(properties, kind == cxsim::SchemaKind::kScenario ? 90u : 10u);
  }
}

// The file that uses every key uses every key: the change test below reaches all of them.
TEST(Schema, AllKeysFixtureCoversEveryLoaderKey) {
  const json doc = json::parse(read(kSource + "/tests/data/all_keys.json"));
  std::vector<std::string> pointers;
  collect_pointers(doc, "", pointers);
  std::set<std::string> present;  // "where/key" with ids replaced by "*"
  const json root = schema_json(cxsim::SchemaKind::kScenario);
  for (const auto& a : cxsim::accepted_keys()) {
    for (const auto& key : *a.keys) {
      const std::regex where(std::regex_replace(a.where, std::regex("\\*"), "[^/]+") + "/" +
                             std::regex_replace(key, std::regex("\\$"), "\\$"));
      bool found = false;
      for (const auto& p : pointers) found = found || std::regex_match(p, where);
      EXPECT_TRUE(found) << "tests/data/all_keys.json does not use " << a.where << "/" << key;
    }
  }
}

// One value changed at a time: the schema refuses exactly what the loader refuses.
TEST(Schema, RefusesWhatTheLoaderRefuses) {
  const json base = json::parse(read(kSource + "/tests/data/all_keys.json"));
  ASSERT_TRUE(loader_accepts(base));
  std::vector<std::string> pointers;
  collect_pointers(base, "", pointers);
  const std::vector<json> replacements = {
      json(-1e9),   json(-1),  json(-0.5),   json(0),  json(0.5),     json(1),    json(1.5),     json(7),
      json(2.5e10), json(1e9), json("text"), json(""), json(nullptr), json(true), json::array(), json::object()};
  std::size_t compared = 0, both_refuse = 0;
  for (const auto& p : pointers) {
    const json::json_pointer ptr(p);
    const bool container = base.at(ptr).is_structured() && !base.at(ptr).empty() && !base.at(ptr).is_array();
    if (container) continue;  // whole sections replaced: references break in ways only the loader sees
    const bool loader_only = std::regex_search(p, kLoaderOnly);
    std::vector<json> docs;
    for (const auto& r : replacements) {
      json d = base;
      d[ptr] = r;
      docs.push_back(std::move(d));
    }
    if (base.at(ptr.parent_pointer()).is_object()) {  // and the key removed
      json d = base;
      d.at(ptr.parent_pointer()).erase(ptr.back());
      docs.push_back(std::move(d));
    }
    for (const json& d : docs) {
      const bool schema_ok = schema_errors(cxsim::SchemaKind::kScenario, d).empty();
      const bool loader_ok = loader_accepts(d);
      ++compared;
      both_refuse += !schema_ok && !loader_ok;
      const std::string change = p + (d.contains(ptr) ? " = " + d.at(ptr).dump() : std::string(" removed"));
      EXPECT_FALSE(!schema_ok && loader_ok) << change << ": the schema refuses what the loader accepts:\n"
                                            << dump(schema_errors(cxsim::SchemaKind::kScenario, d));
      if (!loader_only) {
        EXPECT_FALSE(schema_ok && !loader_ok) << change << ": the loader refuses what the schema accepts";
      }
    }
  }
  EXPECT_GT(compared, 2000u);
  EXPECT_GT(both_refuse, 1300u);
}

TEST(Schema, DiagnosticsPointAtTheValue) {
  json doc = json::parse(read(kSource + "/tests/data/all_keys.json"));
  doc["journey"]["touchpoints"]["billing"]["falure"] = 0.1;              // unknown key
  doc["segments"]["loyal"].erase("share");                               // missing required key
  doc["nps"]["report_every"] = 0;                                        // out of range
  doc["journey"]["touchpoints"]["gone"]["next"] = {{"usage", 1}};        // exit with next
  doc["service"]["channels"]["phone"]["agents"]["periods"]["1..2"] = 3;  // bad range key
  const auto errors = schema_errors(cxsim::SchemaKind::kScenario, doc);
  std::set<std::string> pointers;
  for (const auto& d : errors) pointers.insert(d.pointer);
  EXPECT_EQ(pointers,
            (std::set<std::string>{"/journey/touchpoints/billing/falure", "/segments/loyal/share", "/nps/report_every",
                                   "/journey/touchpoints/gone/next", "/service/channels/phone/agents/periods/1..2"}))
      << dump(errors);
  for (const auto& d : errors) EXPECT_NE(d.message.find("(JSON Schema scenario.schema.json)"), std::string::npos);

  // Through the loader, each problem is reported once, by the more specific message.
  try {
    cxsim::parse_scenario(doc.dump(), "doc.json");
    FAIL() << "accepted";
  } catch (const cxsim::InputError& e) {
    std::map<std::string, int> per_pointer;
    for (const auto& d : e.diagnostics()) ++per_pointer[d.pointer];
    for (const auto& p : pointers) EXPECT_EQ(per_pointer[p], 1) << p << "\n" << dump(e.diagnostics());
  }
}

TEST(Schema, IntegralFloatsAreIntegers) {
  json doc = json::parse(read(kSource + "/tests/data/all_keys.json"));
  doc["population"]["customers"] = 500.0;  // JSON Schema: an integer is any number with no fraction
  doc["nps"]["report_every"] = 1e1;
  EXPECT_EQ(dump(schema_errors(cxsim::SchemaKind::kScenario, doc)), "");
  doc["population"]["customers"] = 500.5;
  EXPECT_EQ(schema_errors(cxsim::SchemaKind::kScenario, doc).size(), 1u);
}

TEST(Schema, ShippedBatchFilesValidateAndReferenceTheSchema) {
  int batches = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSource + "/scenarios/strategies")) {
    if (entry.path().extension() != ".json") continue;
    ++batches;
    const json doc = json::parse(read(entry.path().string()));
    EXPECT_EQ(dump(schema_errors(cxsim::SchemaKind::kBatch, doc)), "") << entry.path();
    EXPECT_EQ(doc.value("$schema", ""), "../schema/batch.schema.json") << entry.path();
  }
  EXPECT_GE(batches, 3);
}

TEST(Schema, BatchFiles) {
  const json good = json::parse(R"({"$schema": "../schema/batch.schema.json", "name": "staffing",
    "description": "More agents or a bill video?", "base": "../telecom_subscription.json", "replications": 4,
    "objective": {"metric": "net_value", "direction": "maximize"},
    "variants": {"more_agents": {"description": "+10 phone agents",
                                 "patch": {"service": {"channels": {"phone": {"agents": 50}}}}},
                 "no_chat": {"patch": {"service": {"channels": {"chat": null}}}}}})");
  EXPECT_EQ(dump(schema_errors(cxsim::SchemaKind::kBatch, good)), "");
  json plain_objective = good;
  plain_objective["objective"] = "nps";
  EXPECT_EQ(dump(schema_errors(cxsim::SchemaKind::kBatch, plain_objective)), "");

  const auto pointer_of_change = [&](const std::string& pointer, const json& value) {
    json d = good;
    if (value.is_discarded()) {
      d.at(json::json_pointer(pointer).parent_pointer()).erase(json::json_pointer(pointer).back());
    } else {
      d[json::json_pointer(pointer)] = value;
    }
    const auto errors = schema_errors(cxsim::SchemaKind::kBatch, d);
    return errors.size() == 1 ? errors[0].pointer : "<" + std::to_string(errors.size()) + " errors>\n" + dump(errors);
  };
  const json removed = json::value_t::discarded;
  EXPECT_EQ(pointer_of_change("/base", removed), "/base");
  EXPECT_EQ(pointer_of_change("/name", removed), "<0 errors>\n");  // optional: defaults to the file name
  EXPECT_EQ(pointer_of_change("/variants", removed), "/variants");
  EXPECT_EQ(pointer_of_change("/variants", json::object()), "/variants");
  EXPECT_EQ(pointer_of_change("/replications", 0), "/replications");
  EXPECT_EQ(pointer_of_change("/replications", 1.5), "/replications");
  EXPECT_EQ(pointer_of_change("/objective/direction", "up"), "/objective/direction");
  EXPECT_EQ(pointer_of_change("/objective/metric", removed), "/objective/metric");
  EXPECT_EQ(pointer_of_change("/objective", 3), "/objective");
  EXPECT_EQ(pointer_of_change("/variants/no_chat/patch", removed), "/variants/no_chat/patch");
  EXPECT_EQ(pointer_of_change("/variants/no_chat/patch", json::array()), "/variants/no_chat/patch");
  EXPECT_EQ(pointer_of_change("/variants/no_chat/colour", "red"), "/variants/no_chat/colour");
  EXPECT_EQ(pointer_of_change("/seed", 1), "/seed");
}
