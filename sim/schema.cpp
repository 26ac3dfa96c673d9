// JSON Schema checks (schema.hpp) with valijson: the embedded schemas are parsed once, documents
// are validated through valijson's nlohmann adapter, and valijson's errors become diagnostics with
// RFC 6901 pointers.
#include "schema.hpp"

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 with -fsanitize=address reports -Wmaybe-uninitialized inside libstdc++'s <regex> (which
// valijson uses): a false positive in the standard library, not in this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
// valijson aborts on internal errors unless told to throw.
#define VALIJSON_USE_EXCEPTIONS 1

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "batch_schema.inc"
#include "calibration_schema.inc"
#include "messages.hpp"
#include "optimize_schema.inc"
#include "scenario_schema.inc"

namespace cxsim {

namespace {

using nlohmann::json;

// A parsed schema; valijson's Schema is neither copyable nor movable.
struct CompiledSchema {
  json document;
  valijson::Schema schema;
};

std::unique_ptr<CompiledSchema> compile(std::string_view text) {
  auto compiled = std::make_unique<CompiledSchema>();
  compiled->document = json::parse(text);
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter adapter(compiled->document);
  parser.populateSchema(adapter, compiled->schema);
  return compiled;
}

// Parsed on first use and immutable afterwards (C++11 guarantees thread-safe initialization).
const CompiledSchema& compiled(SchemaKind kind) {
  static const std::unique_ptr<CompiledSchema> scenario = compile(schema_text(SchemaKind::kScenario));
  static const std::unique_ptr<CompiledSchema> batch = compile(schema_text(SchemaKind::kBatch));
  static const std::unique_ptr<CompiledSchema> optimize = compile(schema_text(SchemaKind::kOptimize));
  static const std::unique_ptr<CompiledSchema> calibration = compile(schema_text(SchemaKind::kCalibration));
  switch (kind) {
    case SchemaKind::kScenario:
      return *scenario;
    case SchemaKind::kBatch:
      return *batch;
    case SchemaKind::kOptimize:
      return *optimize;
    case SchemaKind::kCalibration:
      break;
  }
  return *calibration;
}

void normalize_integral_numbers(json& v) {
  if (v.is_number_float()) {
    const double x = v.get<double>();
    if (std::isfinite(x) && std::floor(x) == x) {
      if (x >= -9223372036854775808.0 && x < 9223372036854775808.0) {
        v = static_cast<std::int64_t>(x);
      } else if (x >= 0 && x < 18446744073709551616.0) {
        v = static_cast<std::uint64_t>(x);
      }
    }
  } else if (v.is_structured()) {
    for (auto& child : v) normalize_integral_numbers(child);  // depth is bounded by the parser's limit
  }
}

// valijson's context is {"<root>", "[key]", "[0]", ...}; array indices and keys print alike in a
// pointer, so the tokens map one to one.
std::vector<std::string> tokens_of(const std::vector<std::string>& context) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i < context.size(); ++i) {
    std::string_view token = context[i];
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') token = token.substr(1, token.size() - 2);
    out.emplace_back(token);
  }
  return out;
}

std::string pointer_of(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) out = child(out, t);
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Messages that only summarize errors of nested values (or of a conditional's branch).
bool is_summary(std::string_view message) {
  return starts_with(message, "Failed to validate against schema associated with") ||
         starts_with(message, "Failed to validate item #") ||
         starts_with(message, "Failed to validate against additional properties schema") ||
         starts_with(message, "Failed to validate against child schema") ||
         starts_with(message, "Failed to validate against dependent schema") ||
         starts_with(message, "Failed to validate against a conditional schema") ||
         starts_with(message, "Failed to validate against any schemas allowed by anyOf") ||
         starts_with(message, "Failed to validate against exactly one child schema");
}

// The text between the last pair of single quotes ("... 'falure'." -> falure).
std::string quoted_name(const std::string& message) {
  const std::size_t close = message.rfind('\'');
  const std::size_t open =
      close == std::string::npos || close == 0 ? std::string::npos : message.rfind('\'', close - 1);
  return open == std::string::npos ? std::string() : message.substr(open + 1, close - open - 1);
}

// ---- reading the schema ---------------------------------------------------------------------

// Follows local "$ref"s ("#/definitions/x").
const json* resolve(const json& root, const json* node) {
  while (node != nullptr && node->is_object() && node->contains("$ref")) {
    const std::string& ref = (*node)["$ref"].get_ref<const std::string&>();
    if (ref.rfind("#/", 0) != 0) return nullptr;
    const json::json_pointer p(ref.substr(1));
    node = root.contains(p) ? &root.at(p) : nullptr;
  }
  return node;
}

// An annotation of `node` or, following $ref, of what it refers to.
const json* annotation(const json& root, const json* node, const char* key) {
  while (node != nullptr && node->is_object()) {
    if (node->contains(key)) return &(*node)[key];
    if (!node->contains("$ref")) return nullptr;
    const std::string& ref = (*node)["$ref"].get_ref<const std::string&>();
    const json::json_pointer p(ref.substr(1));
    node = root.contains(p) ? &root.at(p) : nullptr;
  }
  return nullptr;
}

// The subschema of a member `token` of an object (or element of an array) described by `node`.
const json* member_schema(const json& root, const json* node, const std::string& token) {
  node = resolve(root, node);
  if (node == nullptr || !node->is_object()) return nullptr;
  if (const auto p = node->find("properties"); p != node->end() && p->contains(token)) return &(*p)[token];
  if (const auto pp = node->find("patternProperties"); pp != node->end()) {
    for (const auto& [pattern, sub] : pp->items()) {
      if (std::regex_search(token, std::regex(pattern))) return &sub;
    }
  }
  if (const auto a = node->find("additionalProperties"); a != node->end() && a->is_object()) return &*a;
  if (const auto items = node->find("items"); items != node->end() && items->is_object()) return &*items;
  return nullptr;
}

const json* schema_at(const json& root, const std::vector<std::string>& tokens) {
  const json* node = &root;
  for (const auto& t : tokens) {
    node = member_schema(root, node, t);
    if (node == nullptr) return nullptr;
  }
  return node;
}

std::vector<std::string> declared_keys(const json& root, const json* node) {
  std::vector<std::string> keys;
  node = resolve(root, node);
  if (node != nullptr && node->contains("properties")) {
    for (const auto& [key, sub] : (*node)["properties"].items()) keys.push_back(key);
  }
  return keys;
}

// " in [0, 1]", " in (0, 366]", " >= 0", " > 0", "".
std::string range_text(const json& node) {
  const auto bound = [&node](const char* inclusive, const char* exclusive, bool& open) -> std::optional<double> {
    open = false;
    if (node.contains(exclusive) && node[exclusive].is_number()) {
      open = true;
      return node[exclusive].get<double>();
    }
    if (node.contains(inclusive) && node[inclusive].is_number()) return node[inclusive].get<double>();
    return std::nullopt;
  };
  bool lo_open = false, hi_open = false;
  const auto lo = bound("minimum", "exclusiveMinimum", lo_open);
  const auto hi = bound("maximum", "exclusiveMaximum", hi_open);
  if (lo && hi) {
    return fmt::format(" in {}{}, {}{}", lo_open ? '(' : '[', format_number(*lo), format_number(*hi),
                       hi_open ? ')' : ']');
  }
  if (lo) return fmt::format(" {} {}", lo_open ? ">" : ">=", format_number(*lo));
  if (hi) return fmt::format(" {} {}", hi_open ? "<" : "<=", format_number(*hi));
  return "";
}

// "an integer in [0, 7]" -> "integers in [0, 7]", "a non-empty string" -> "non-empty strings".
std::string plural(std::string noun) {
  for (const char* article : {"a ", "an "}) {
    if (noun.rfind(article, 0) == 0) noun.erase(0, std::string_view(article).size());
  }
  std::size_t head_end = noun.size();
  for (const char* tail : {" in ", " >", " <"}) head_end = std::min(head_end, noun.find(tail));
  return noun.substr(0, head_end) + "s" + noun.substr(head_end);
}

std::string type_noun(const json& root, const json& node, const std::string& type) {
  if (type == "number") return "a number" + range_text(node);
  if (type == "integer") return "an integer" + range_text(node);
  if (type == "boolean") return "true or false";
  if (type == "null") return "null";
  if (type == "string") {
    if (node.contains("enum")) {
      std::vector<std::string> values;
      for (const auto& v : node["enum"]) values.push_back(v.dump());
      return "one of " + list_names(values);
    }
    return node.value("minLength", 0) > 0 ? "a non-empty string" : "a string";
  }
  if (type == "array") {
    const int min = node.value("minItems", 0), max = node.value("maxItems", -1);
    const std::string array = min == max ? fmt::format("an array of exactly {}", min)
                              : min > 0  ? std::string("a non-empty array of")
                                         : std::string("an array of");
    const json* items = resolve(root, node.contains("items") ? &node["items"] : nullptr);
    const std::string item_type = items != nullptr ? items->value("type", "") : "";
    if (item_type.empty()) return min == max ? array + " elements" : array + " values";
    return array + " " + plural(type_noun(root, *items, item_type));
  }
  if (type == "object") return "an object";
  return "a " + type;
}

std::string expectation(const json& root, const json* node_in) {
  if (const json* text = annotation(root, node_in, "x-expected")) return text->get<std::string>();
  const json* node = resolve(root, node_in);
  if (node == nullptr || !node->is_object()) return "";
  std::vector<std::string> nouns;
  if (node->contains("type")) {
    const json& type = (*node)["type"];
    if (type.is_string()) {
      nouns.push_back(type_noun(root, *node, type.get<std::string>()));
    } else {
      for (const auto& t : type) nouns.push_back(type_noun(root, *node, t.get<std::string>()));
    }
  }
  std::string out;
  for (std::size_t i = 0; i < nouns.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == nouns.size() ? " or " : ", ") + nouns[i];
  }
  return out;
}

std::string found_text(const json& value, const json* node) {
  std::string found = describe(value);
  if (value.is_array() && !value.empty())
    found += fmt::format(" of {} element{}", value.size(), value.size() == 1 ? "" : "s");
  const bool wants_integer =
      node != nullptr && node->contains("type") &&
      ((*node)["type"] == "integer" ||
       ((*node)["type"].is_array() &&
        std::find((*node)["type"].begin(), (*node)["type"].end(), "integer") != (*node)["type"].end() &&
        std::find((*node)["type"].begin(), (*node)["type"].end(), "number") == (*node)["type"].end()));
  if (wants_integer && value.is_number_float() && std::isfinite(value.get<double>())) found += " (not an integer)";
  if (value.is_string() && node != nullptr && node->contains("enum")) {
    std::vector<std::string> values;
    for (const auto& v : (*node)["enum"]) {
      if (v.is_string()) values.push_back(v.get<std::string>());
    }
    if (const auto hint = closest_name(value.get<std::string>(), values))
      found += fmt::format("; did you mean \"{}\"?", *hint);
  }
  return found;
}

struct SchemaError {
  std::string pointer;
  std::string message;
  bool summary;
};

SchemaError translate(const json& root, const json& doc, const valijson::ValidationResults::Error& e) {
  std::vector<std::string> tokens = tokens_of(e.context);
  SchemaError out{pointer_of(tokens), e.description, is_summary(e.description)};
  const json* node = schema_at(root, tokens);
  const json::json_pointer at(out.pointer);
  const json* value = doc.contains(at) ? &doc.at(at) : nullptr;
  const std::string& what = e.description;
  if (out.summary) {
    // Kept only when nothing more precise was said at or below the value: say what was expected.
    const json* why = annotation(root, node, "x-conditional");
    const std::string expected = expectation(root, node);
    if (why != nullptr && starts_with(what, "Failed to validate against a conditional schema")) {
      out.message = why->get<std::string>();
    } else if (value != nullptr && !expected.empty()) {
      out.message = fmt::format("expected {}, found {}", expected, found_text(*value, resolve(root, node)));
    }
    return out;
  }
  if (starts_with(what, "Missing required property")) {
    const std::string key = quoted_name(what);
    out.pointer = child(out.pointer, key);
    const std::string expected = expectation(root, member_schema(root, node, key));
    out.message =
        fmt::format("missing required key {}{}", quote(key), expected.empty() ? "" : " (expected " + expected + ")");
  } else if (starts_with(what, "Object contains a property that could not be validated")) {
    const std::string key = quoted_name(what);
    out.pointer = child(out.pointer, key);
    const std::vector<std::string> keys = declared_keys(root, node);
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
      // A known key refused by a conditional branch (an exit touchpoint takes only "exit" and
      // "description"); the object's schema words why.
      const json* why = annotation(root, node, "x-conditional");
      out.message = fmt::format("{} is not allowed here{}", quote(key), why ? "; " + why->get<std::string>() : "");
    } else if (const json* form = annotation(root, node, "x-key")) {
      // Keys of a pattern ("FROM-UNTIL"): say the form rather than list keys.
      out.message = fmt::format("expected a key of the form {}, found {}", form->get<std::string>(), quote(key));
    } else {
      out.message = fmt::format("unknown key {}{}", quote(key), suggestion(key, keys));
    }
  } else if (starts_with(what, "Object should have no fewer than") ||
             starts_with(what, "Object should have no more than")) {
    const json* n = resolve(root, node);
    const int min = n != nullptr ? n->value("minProperties", 0) : 0;
    const int max = n != nullptr ? n->value("maxProperties", -1) : -1;
    const std::size_t count = value != nullptr && value->is_object() ? value->size() : 0;
    if (min == 1 && max == 1) {
      std::vector<std::string> present;
      if (value != nullptr && value->is_object()) {
        for (const auto& item : value->items()) present.push_back(item.key());
      }
      out.message = fmt::format("expected exactly one of: {}; found {}", list_names(declared_keys(root, node)),
                                present.empty() ? "none" : fmt::format("{} ({})", present.size(), list_names(present)));
    } else if (const json* text =
                   count < static_cast<std::size_t>(min) ? annotation(root, node, "x-expected") : nullptr) {
      out.message = fmt::format("expected {}, found {}", text->get<std::string>(),
                                value != nullptr ? describe(*value) : "nothing");
    } else if (count < static_cast<std::size_t>(min)) {
      const std::vector<std::string> keys = declared_keys(root, node);
      const std::string what = !keys.empty() && min == 1 ? "at least one of: " + list_names(keys)
                               : min == 1                ? std::string("at least one entry")
                                                         : fmt::format("at least {} entries", min);
      out.message = fmt::format("expected {}, found {}", what, value != nullptr ? describe(*value) : "nothing");
    } else {
      out.message = fmt::format("expected at most {} entries, found {}", max, count);
    }
  } else {
    const std::string expected = expectation(root, node);
    out.message = value == nullptr ? what
                  : expected.empty()
                      ? fmt::format("found {}: {}", describe(*value), what)
                      : fmt::format("expected {}, found {}", expected, found_text(*value, resolve(root, node)));
  }
  return out;
}

}  // namespace

std::string_view schema_text(SchemaKind kind) {
  switch (kind) {
    case SchemaKind::kScenario:
      return {reinterpret_cast<const char*>(k_scenario_schema), k_scenario_schema_size};
    case SchemaKind::kBatch:
      return {reinterpret_cast<const char*>(k_batch_schema), k_batch_schema_size};
    case SchemaKind::kOptimize:
      return {reinterpret_cast<const char*>(k_optimize_schema), k_optimize_schema_size};
    case SchemaKind::kCalibration:
      break;
  }
  return {reinterpret_cast<const char*>(k_calibration_schema), k_calibration_schema_size};
}

std::string_view schema_name(SchemaKind kind) {
  switch (kind) {
    case SchemaKind::kScenario:
      return "scenario.schema.json";
    case SchemaKind::kBatch:
      return "batch.schema.json";
    case SchemaKind::kOptimize:
      return "optimize.schema.json";
    case SchemaKind::kCalibration:
      break;
  }
  return "calibration.schema.json";
}

const json& schema_document(SchemaKind kind) { return compiled(kind).document; }

std::string schema_expectation(SchemaKind kind, const std::string& pointer) {
  const auto tokens =
      pointer.empty() ? std::optional<std::vector<std::string>>(std::vector<std::string>{}) : pointer_tokens(pointer);
  if (!tokens) return "";
  const json& root = schema_document(kind);
  return expectation(root, schema_at(root, *tokens));
}

bool schema_in_range(SchemaKind kind, const std::string& pointer, double value) {
  const auto tokens = pointer_tokens(pointer);
  const json& root = schema_document(kind);
  const json* node = tokens ? resolve(root, schema_at(root, *tokens)) : nullptr;
  if (node == nullptr) return true;
  const auto number = [node](const char* key) {
    return node->contains(key) && (*node)[key].is_number() ? std::optional<double>((*node)[key].get<double>())
                                                           : std::nullopt;
  };
  if (const auto lo = number("minimum"); lo && value < *lo) return false;
  if (const auto lo = number("exclusiveMinimum"); lo && value <= *lo) return false;
  if (const auto hi = number("maximum"); hi && value > *hi) return false;
  if (const auto hi = number("exclusiveMaximum"); hi && value >= *hi) return false;
  return true;
}

std::optional<SchemaNumber> schema_number(SchemaKind kind, const std::string& pointer) {
  const auto tokens = pointer_tokens(pointer);
  const json& root = schema_document(kind);
  const json* node = tokens ? resolve(root, schema_at(root, *tokens)) : nullptr;
  if (node == nullptr || !node->is_object() || !node->contains("type")) return std::nullopt;
  const json& type = (*node)["type"];
  const auto accepts = [&type](const char* t) {
    return type == t || (type.is_array() && std::find(type.begin(), type.end(), t) != type.end());
  };
  if (!accepts("number") && !accepts("integer")) return std::nullopt;
  SchemaNumber out;
  out.integer = !accepts("number");
  const auto number = [node](const char* key) {
    return node->contains(key) && (*node)[key].is_number() ? std::optional<double>((*node)[key].get<double>())
                                                           : std::nullopt;
  };
  out.minimum = number("minimum");
  out.maximum = number("maximum");
  out.exclusive_minimum = number("exclusiveMinimum");
  out.exclusive_maximum = number("exclusiveMaximum");
  return out;
}

std::size_t check_schema(SchemaKind kind, json& doc, DiagnosticSink& sink) {
  normalize_integral_numbers(doc);
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  try {
    if (validator.validate(compiled(kind).schema, target, &results)) return 0;
  } catch (const std::exception& e) {
    sink.error("", fmt::format("could not check the document against {}: {}", schema_name(kind), e.what()));
    return 1;
  }
  std::vector<SchemaError> errors;
  for (const auto& e : results) errors.push_back(translate(schema_document(kind), doc, e));
  // Keep the most specific errors: a summary only when nothing more precise was said at or below
  // its value (valijson reports some failures, e.g. propertyNames, only as a summary). Sorted sets
  // keep this O(n log n) for documents with very many errors.
  std::set<std::string> pointers, precise;
  for (const SchemaError& e : errors) {
    pointers.insert(e.pointer);
    if (!e.summary) precise.insert(e.pointer);
  }
  std::size_t added = 0;
  std::set<std::pair<std::string, std::string>> reported;
  for (const SchemaError& e : errors) {
    const std::string prefix = e.pointer + "/";
    const auto below = pointers.lower_bound(prefix);
    const bool covered =
        (below != pointers.end() && starts_with(*below, prefix)) || (e.summary && precise.count(e.pointer) > 0);
    if (!covered && reported.insert({e.pointer, e.message}).second) {
      sink.error(e.pointer, e.message);
      ++added;
    }
  }
  return added;
}

}  // namespace cxsim
