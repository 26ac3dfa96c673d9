#pragma once
// The scenario loader's steps, for callers that edit a document between reading and validating
// (`--set`, strategy batches): read_json_file (json_input.hpp), apply_assignments or a JSON Merge
// Patch, then scenario_from_document.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cxsim/scenario.hpp"

namespace cxsim {

// Validates a parsed document as a scenario: the JSON Schema (types, ranges, required and unknown
// keys), then the checks no schema can express: ids that resolve (entries, next, channel_mix,
// triggers, targets, multipliers), shares summing to 1, staffed hours within a period, periodic
// ranges, and the journey graph (graph.hpp). Throws InputError with every diagnostic; warnings go to
// *warnings when given. `file` names the document in diagnostics.
Scenario scenario_from_document(const nlohmann::json& doc, const std::string& file,
                                std::vector<Diagnostic>* warnings = nullptr);

// The effective document of a scenario: its structs written back as JSON, every default of the
// schema filled in (what sensitivity analyses read base values from, and reports show).
nlohmann::json scenario_document(const Scenario& scenario);

// Sets each value in `doc`, in order (RFC 6901 through nlohmann::json_pointer). Every token but the
// last must name an existing member (object key or array index); the last may add a key to an
// object or replace an existing array element. Throws InputError (file `<command line>`, the
// assignment's pointer) with every failure.
void apply_assignments(nlohmann::json& doc, const std::vector<Assignment>& assignments);

// True when the JSON Merge Patch `patch` wrote the value at `pointer` of the patched document (or a
// value above it that replaced the subtree): a diagnostic there is about the patch.
bool merge_patch_covers(const nlohmann::json& patch, const std::string& pointer);

// Diagnostics at or below an assigned pointer are about the command line: their file becomes
// `<command line>` and their message names the assignment. Others are returned unchanged.
std::vector<Diagnostic> attribute_to_assignments(std::vector<Diagnostic> diagnostics,
                                                 const std::vector<Assignment>& assignments);

}  // namespace cxsim
