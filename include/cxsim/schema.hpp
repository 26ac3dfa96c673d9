#pragma once
// JSON Schema checks of input documents (JSON Schema draft 7, checked with valijson). The schemas
// are the files of scenarios/schema/, compiled into the library (cmake/embed.cmake), so editors and
// cxsim check scenario and batch files against the same text. The loader (scenario.cpp) runs the
// scenario schema before its own semantic checks (shares summing to 1, ids that resolve, the
// journey graph), which no schema can express.
#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "cxsim/diagnostics.hpp"

namespace cxsim {

enum class SchemaKind {
  kScenario,  // scenarios/schema/scenario.schema.json
  kBatch      // scenarios/schema/batch.schema.json (cxsim compare)
};

// The schema's JSON text, byte for byte as shipped.
std::string_view schema_text(SchemaKind kind);

// File name of the schema, for messages ("scenario.schema.json").
std::string_view schema_name(SchemaKind kind);

// Checks `doc` against the schema and appends one error per violated constraint to `sink`, each at
// the JSON pointer of the offending value (an unknown or missing key points at the key itself).
// First rewrites, in place, every float with a zero fractional part that fits a 64-bit integer as
// an integer: JSON Schema's "integer" is any number with a zero fractional part (draft 7 core,
// 4.2.1), while valijson checks how the number was stored. Returns the number of errors added.
std::size_t check_schema(SchemaKind kind, nlohmann::json& doc, DiagnosticSink& sink);

}  // namespace cxsim
