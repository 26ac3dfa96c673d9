#pragma once
// JSON Schema checks of input documents (JSON Schema draft 7, checked with valijson). The schemas
// are the files of scenarios/schema/, compiled into the library (cmake/embed.cmake), so editors and
// cxsim check scenario and batch files against the same text. The schema owns every key's type,
// range, default and whether it is known at all; the loaders (loader.cpp, batch.cpp) check only
// what no schema can express (shares summing to 1, ids that resolve, the journey graph).
//
// Messages are written from the schema, not from valijson's wording: at the pointer of each
// violation the subschema there says what was expected ("expected a number in [0, 1], found 1.2"),
// unknown keys get a did-you-mean from the keys the subschema declares, and a missing key names
// what it should hold. A subschema may word its expectation itself with "x-expected".
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "diagnostic_sink.hpp"

namespace cxsim {

enum class SchemaKind {
  kScenario,    // scenarios/schema/scenario.schema.json
  kBatch,       // scenarios/schema/batch.schema.json (cxsim compare)
  kOptimize,    // scenarios/schema/optimize.schema.json (cxsim optimize)
  kCalibration  // scenarios/schema/calibration.schema.json (cxsim calibrate)
};

// The schema's JSON text, byte for byte as shipped.
std::string_view schema_text(SchemaKind kind);

// The parsed schema (parsed once, immutable).
const nlohmann::json& schema_document(SchemaKind kind);

// File name of the schema, for messages ("scenario.schema.json").
std::string_view schema_name(SchemaKind kind);

// Checks `doc` against the schema and appends one error per violated constraint to `sink`, each at
// the JSON pointer of the offending value (an unknown or missing key points at the key itself).
// First rewrites, in place, every float with a zero fractional part that fits a 64-bit integer as
// an integer: JSON Schema's "integer" is any number with a zero fractional part (draft 7 core,
// 4.2.1), while valijson checks how the number was stored. Returns the number of errors added.
std::size_t check_schema(SchemaKind kind, nlohmann::json& doc, DiagnosticSink& sink);

// What the subschema of `kind` at document pointer `pointer` accepts, in words ("a number in [0, 1]",
// "an integer >= 1"); "" when no subschema applies there.
std::string schema_expectation(SchemaKind kind, const std::string& pointer);

// Whether a number given outside any document (a command-line override) lies within the range of
// the subschema at `pointer` (minimum, maximum and their exclusive forms).
bool schema_in_range(SchemaKind kind, const std::string& pointer, double value);

// What the subschema at `pointer` says about a number there (what-if tools move numbers within
// it): whether it must be an integer, and its bounds. nullopt when no subschema applies there or
// it accepts no number.
struct SchemaNumber {
  bool integer = false;
  std::optional<double> minimum, maximum;                      // inclusive bounds
  std::optional<double> exclusive_minimum, exclusive_maximum;  // exclusive bounds
};
std::optional<SchemaNumber> schema_number(SchemaKind kind, const std::string& pointer);

}  // namespace cxsim
