// JSON Schema checks (schema.hpp) with valijson: the embedded schemas are parsed once, documents
// are validated through valijson's nlohmann adapter, and valijson's errors become diagnostics with
// RFC 6901 pointers.
#include "cxsim/schema.hpp"

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 with -fsanitize=address reports -Wmaybe-uninitialized inside libstdc++'s <regex> (which
// valijson uses): a false positive in the standard library, not in this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
// valijson aborts on internal errors unless told to throw.
#define VALIJSON_USE_EXCEPTIONS 1

#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
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
const valijson::Schema& compiled_schema(SchemaKind kind) {
  static const std::unique_ptr<CompiledSchema> scenario = compile(schema_text(SchemaKind::kScenario));
  static const std::unique_ptr<CompiledSchema> batch = compile(schema_text(SchemaKind::kBatch));
  return kind == SchemaKind::kScenario ? scenario->schema : batch->schema;
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
std::string pointer_of(const std::vector<std::string>& context) {
  std::string out;
  for (std::size_t i = 1; i < context.size(); ++i) {
    std::string_view token = context[i];
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') token = token.substr(1, token.size() - 2);
    out += '/';
    out += escape_pointer_token(token);
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Messages that only summarize errors of nested values, reported after them.
bool is_summary(std::string_view message) {
  return starts_with(message, "Failed to validate against schema associated with") ||
         starts_with(message, "Failed to validate item #") ||
         starts_with(message, "Failed to validate against additional properties schema") ||
         starts_with(message, "Failed to validate against child schema") ||
         starts_with(message, "Failed to validate against dependent schema");
}

// A key as shown in a message: quoted, and shortened when long (the pointer has it in full).
std::string shown_key(const std::string& key) {
  constexpr std::size_t kMaxShown = 60;
  return "\"" + (key.size() > kMaxShown ? key.substr(0, kMaxShown) + "..." : key) + "\"";
}

// The text between the last pair of single quotes ("... 'falure'." -> falure).
std::string quoted_name(const std::string& message) {
  const std::size_t close = message.rfind('\'');
  const std::size_t open =
      close == std::string::npos || close == 0 ? std::string::npos : message.rfind('\'', close - 1);
  return open == std::string::npos ? std::string() : message.substr(open + 1, close - open - 1);
}

struct SchemaError {
  std::string pointer;
  std::string message;
  bool summary;
};

SchemaError translate(const valijson::ValidationResults::Error& e, std::string_view schema) {
  SchemaError out{pointer_of(e.context), e.description, is_summary(e.description)};
  if (starts_with(e.description, "Missing required property")) {
    const std::string key = quoted_name(e.description);
    out.pointer += '/' + escape_pointer_token(key);
    out.message = fmt::format("missing required key {}", shown_key(key));
  } else if (starts_with(e.description, "Object contains a property that could not be validated")) {
    const std::string key = quoted_name(e.description);
    out.pointer += '/' + escape_pointer_token(key);
    out.message = fmt::format("unknown key {}", shown_key(key));
  } else if (starts_with(e.description, "Failed to validate against a conditional schema")) {
    out.message =
        "does not satisfy the schema's conditions for this object (for example: exit touchpoints take "
        "only \"exit\" and \"description\"; other touchpoints need \"next\")";
  } else if (starts_with(e.description, "Failed to validate against schema associated with property name")) {
    out.message = "has a key the schema does not allow here (see the schema's propertyNames)";
  }
  out.message = fmt::format("{} (JSON Schema {})", out.message, schema);
  return out;
}

}  // namespace

std::string_view schema_text(SchemaKind kind) {
  return kind == SchemaKind::kScenario
             ? std::string_view(reinterpret_cast<const char*>(k_scenario_schema), k_scenario_schema_size)
             : std::string_view(reinterpret_cast<const char*>(k_batch_schema), k_batch_schema_size);
}

std::string_view schema_name(SchemaKind kind) {
  return kind == SchemaKind::kScenario ? "scenario.schema.json" : "batch.schema.json";
}

std::size_t check_schema(SchemaKind kind, json& doc, DiagnosticSink& sink) {
  normalize_integral_numbers(doc);
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  try {
    if (validator.validate(compiled_schema(kind), target, &results)) return 0;
  } catch (const std::exception& e) {
    sink.error("", fmt::format("could not check the document against {}: {}", schema_name(kind), e.what()));
    return 1;
  }
  std::vector<SchemaError> errors;
  for (const auto& e : results) errors.push_back(translate(e, schema_name(kind)));
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
