// The JSON Schemas of scenarios/schema/ own every scenario key: every object of the schema becomes a
// generated struct, every key of a file that uses them all is read into the structs and written back
// unchanged, the structs' defaults are the schema's, every shipped file is valid, and the schema's
// messages name the value, what was expected and what was found.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 with -fsanitize=address reports -Wmaybe-uninitialized inside libstdc++'s <regex> (which
// valijson uses): a false positive in the standard library, not in this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cxsim/scenario.hpp"
#include "loader.hpp"
#include "schema.hpp"

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

// A scenario's effective document: the structs written back, every default filled in.
json effective(const cxsim::Scenario& s) { return cxsim::scenario_document(s); }

// Every property of an object schema reachable from `node`, by where its values sit in a scenario
// ("*" = any id), with its subschema.
void collect_properties(const json& root, const json& node, const std::string& where,
                        std::vector<std::pair<std::string, json>>& out) {
  const json& n = resolve(root, node);
  if (!n.is_object()) return;
  if (n.contains("properties")) {
    for (const auto& [key, sub] : n["properties"].items()) {
      out.emplace_back(where + "/" + key, sub);
      collect_properties(root, sub, where + "/" + key, out);
    }
  }
  if (n.contains("additionalProperties") && n["additionalProperties"].is_object()) {
    out.emplace_back(where + "/*", n["additionalProperties"]);
    collect_properties(root, n["additionalProperties"], where + "/*", out);
  }
}

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
  for (const char* file :
       {"/tests/data/model_example.json", "/tests/data/all_keys.json", "/tests/data/all_keys_forms.json"}) {
    SCOPED_TRACE(file);
    EXPECT_EQ(dump(schema_errors(cxsim::SchemaKind::kScenario, json::parse(read(kSource + file)))), "");
    EXPECT_NO_THROW(cxsim::load_scenario(kSource + file));
  }
}

// Every object the schema describes with properties is a generated struct that refuses unknown keys;
// values of other shapes name their hand-written type and reader.
TEST(Schema, EveryObjectBecomesAStruct) {
  const json root = schema_json(cxsim::SchemaKind::kScenario);
  std::vector<std::pair<std::string, json>> properties;
  collect_properties(root, root, "", properties);
  EXPECT_GE(properties.size(), 90u);
  std::set<std::string> structs;
  const std::function<void(const json&, const std::string&)> visit = [&](const json& node, const std::string& where) {
    const json& n = resolve(root, node);
    if (!n.is_object() || !n.contains("properties")) return;
    EXPECT_TRUE(n.contains("x-cxsim-struct") || n.contains("x-cxsim-type"))
        << where << ": an object of keys needs a generated struct (or a hand-written type)";
    EXPECT_EQ(n.value("additionalProperties", json(true)), json(false)) << where << ": unknown keys must be refused";
    if (n.contains("x-cxsim-struct")) structs.insert(n["x-cxsim-struct"].get<std::string>());
  };
  visit(root, "");
  for (const auto& [where, sub] : properties) {
    visit(sub, where);
    const json& n = resolve(root, sub);
    const bool typed = n.contains("x-cxsim-type") || sub.contains("x-cxsim-type");
    if (n.is_object() && n.contains("type") && n["type"].is_array() && !typed) {
      ADD_FAILURE() << where << ": a value of several JSON types needs \"x-cxsim-type\" and \"x-cxsim-read\"";
    }
  }
  EXPECT_TRUE(structs.count("Segment") && structs.count("Touchpoint") && structs.count("Channel"));
}

// The defaults of the structs are the schema's: a minimal scenario read and written back holds, at
// every key the schema gives a default, exactly that default.
TEST(Schema, StructDefaultsAreTheSchemaDefaults) {
  const json root = schema_json(cxsim::SchemaKind::kScenario);
  json minimal = json::parse(R"({"name": "m", "population": {"customers": 1},
    "segments": {"s": {"share": 1}},
    "journey": {"entry": "a", "touchpoints": {"a": {"next": {"a": 1}}, "x": {"exit": true}}},
    "service": {"channels": {"c": {"share": 1}}},
    "interventions": {"i": {"trigger": {"periodic": {"every": 2}}, "effect": {"close_issue": true}}}})");
  const json doc = effective(cxsim::parse_scenario(minimal.dump(), "minimal.json"));
  std::vector<std::pair<std::string, json>> properties;
  collect_properties(root, root, "", properties);
  const std::map<std::string, std::string> instance = {{"/segments/*", "/segments/s"},
                                                       {"/journey/touchpoints/*", "/journey/touchpoints/a"},
                                                       {"/service/channels/*", "/service/channels/c"},
                                                       {"/interventions/*", "/interventions/i"}};
  std::size_t checked = 0;
  for (const auto& [where, sub] : properties) {
    const json& n = resolve(root, sub);
    const json* def = sub.contains("default") ? &sub["default"] : n.contains("default") ? &n["default"] : nullptr;
    if (def == nullptr) continue;
    std::string pointer = where;
    for (const auto& [pattern, id] : instance) {
      if (pointer.rfind(pattern + "/", 0) == 0) pointer = id + pointer.substr(pattern.size());
    }
    if (pointer.find("/*") != std::string::npos) continue;  // inside a map of ids (no item here)
    const json::json_pointer ptr(pointer);
    if (minimal.contains(ptr)) continue;                // given, not defaulted
    if (!doc.contains(ptr.parent_pointer())) continue;  // inside an optional value that is absent
    SCOPED_TRACE(where);
    ASSERT_TRUE(doc.contains(ptr)) << "the read scenario has no value at " << pointer;
    if (def->is_number()) {
      EXPECT_EQ(doc.at(ptr).get<double>(), def->get<double>());
    } else {
      EXPECT_EQ(doc.at(ptr), *def);
    }
    ++checked;
  }
  EXPECT_GE(checked, 40u);
}

// Every key of a file that uses every key is read: written back, the effective document holds the
// file's value at every leaf (in the normal form of the few keys with two forms).
TEST(Schema, EveryKeyIsReadAndWrittenBack) {
  const json doc = json::parse(read(kSource + "/tests/data/all_keys.json"));
  const json back = effective(cxsim::load_scenario(kSource + "/tests/data/all_keys.json"));
  std::vector<std::string> pointers;
  collect_pointers(doc, "", pointers);
  std::size_t leaves = 0;
  for (const auto& p : pointers) {
    const json::json_pointer ptr(p);
    const json& v = doc.at(ptr);
    if (v.is_object() || p == "/$schema") continue;
    SCOPED_TRACE(p);
    if (v.is_string() && (p.size() >= 6 && p.compare(p.size() - 6, 6, "/entry") == 0)) {
      EXPECT_EQ(back.at(ptr), (json{{v.get<std::string>(), 1.0}}));  // an id is {id: 1}
    } else if (v.is_number() && p.size() >= 15 && p.compare(p.size() - 15, 15, "/effect/quality") == 0) {
      EXPECT_EQ(back.at(ptr), (json{{"mean", v.get<double>()}, {"sd", 0.0}}));  // x is N(x, 0)
    } else if (v.is_null()) {
      EXPECT_FALSE(back.contains(ptr));  // agents null: unlimited, left out like an absent key
    } else if (v.is_number()) {
      ASSERT_TRUE(back.contains(ptr));
      EXPECT_EQ(back.at(ptr).get<double>(), v.get<double>());
    } else if (v.is_array()) {
      ASSERT_TRUE(back.contains(ptr));
      for (std::size_t i = 0; i < v.size(); ++i) {
        EXPECT_TRUE(v[i].is_number() ? back.at(ptr)[i].get<double>() == v[i].get<double>() : back.at(ptr)[i] == v[i]);
      }
    } else {
      EXPECT_EQ(back.at(ptr), v);
    }
    ++leaves;
  }
  EXPECT_GE(leaves, 80u);
}

// The files that use every key (all_keys.json, and all_keys_forms.json for the second form of a
// key that cannot sit beside the first) use every key of the schema.
TEST(Schema, AllKeysFixtureCoversEverySchemaKey) {
  std::vector<std::string> pointers;
  for (const char* file : {"/tests/data/all_keys.json", "/tests/data/all_keys_forms.json"}) {
    collect_pointers(json::parse(read(kSource + file)), "", pointers);
  }
  const json root = schema_json(cxsim::SchemaKind::kScenario);
  std::vector<std::pair<std::string, json>> properties;
  collect_properties(root, root, "", properties);
  for (const auto& [where, sub] : properties) {
    if (where.find("/then/") != std::string::npos) continue;
    if (where.size() >= 2 && where.compare(where.size() - 2, 2, "/*") == 0) continue;  // an id, not a key
    const std::regex pattern(
        std::regex_replace(std::regex_replace(where, std::regex("\\$"), "\\$"), std::regex("\\*"), "[^/]+"));
    bool found = false;
    for (const auto& p : pointers) found = found || std::regex_match(p, pattern);
    EXPECT_TRUE(found) << "tests/data/all_keys.json and all_keys_forms.json do not use " << where;
  }
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
  // Through the loader, each problem is reported once.
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
