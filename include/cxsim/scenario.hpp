#pragma once
// The scenario: what a simulation means (../shared/MODEL.md, "The scenario file"), as plain
// validated structs. The structs are generated from the JSON Schema scenarios/schema/scenario.schema.json
// (cxsim/scenario_keys.hpp): the schema owns every key's name, type, range and default. Loading a
// scenario checks it against the schema, then what no schema can express (ids that resolve, shares
// summing to 1, the journey graph), collecting every diagnostic before failing. Collections keep
// the JSON object's key order (sorted by id), so runs do not depend on file layout.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cxsim/diagnostics.hpp"
#include "cxsim/scenario_keys.hpp"

namespace cxsim {

struct Scenario : ScenarioKeys {
  std::string file;  // where it was loaded from (for diagnostics)
  // FNV-1a 64 of the validated document dumped canonically (keys sorted, no whitespace): what a
  // checkpoint checks its scenario against. 0 for a Scenario not built by the loader.
  std::uint64_t content_hash = 0;
};

// Replications of a run: 1 .. kMaxReplicationCount.
inline constexpr int kMaxReplicationCount = 10000;

// A command-line assignment `--set POINTER=VALUE`: POINTER is an RFC 6901 JSON pointer into the
// scenario; VALUE is parsed as JSON, or taken as a plain string when it is not JSON.
struct Assignment {
  std::string pointer;
  std::string value_text;
};

// Splits "POINTER=VALUE" at the first '='. Throws InputError (file `<command line>`) when there is
// no '=' or POINTER is not a JSON pointer ("/a/b", "~0" and "~1" escapes only).
Assignment parse_assignment(std::string_view text);

// Reads, parses and validates a scenario file, with `assignments` applied to the document before
// validation (diagnostics caused by one name `<command line>` and its pointer). Throws InputError
// with every diagnostic when the file is missing, unreadable, too large, not JSON, or invalid.
// Warnings (for example unreachable touchpoints) are appended to *warnings when given.
Scenario load_scenario(const std::string& path, const std::vector<Assignment>& assignments = {},
                       std::vector<Diagnostic>* warnings = nullptr);

// Same, from text already in memory; `file` names it in diagnostics.
Scenario parse_scenario(std::string_view text, const std::string& file, std::vector<Diagnostic>* warnings = nullptr);

// The value at RFC 6901 `pointer` in the scenario's effective document (the scenario written back
// with every default of the schema filled in), as JSON text ("12", "0.15", "\"queue\"", "{...}");
// nullopt when the pointer names no value. What-if tools read base values here.
std::optional<std::string> scenario_value(const Scenario& scenario, const std::string& pointer);

// Command-line overrides of a run's size (`--customers`, `--replications`, `--seed`, `--horizon`).
struct RunOverrides {
  std::optional<std::int64_t> customers;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  std::optional<int> horizon;
};

// Applies the overrides and re-checks their ranges (the schema's); throws InputError naming
// `<command line>` and the option.
void apply_overrides(Scenario& scenario, const RunOverrides& overrides);

}  // namespace cxsim
