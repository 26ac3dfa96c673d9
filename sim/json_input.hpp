#pragma once
// Reading JSON documents that users give (scenarios, batches, checkpoints, result files): one
// implementation of the limits and checks every such file gets. The file must be a regular file of
// at most `max_bytes`, UTF-8 (UTF-16/32 text is named as such), non-empty JSON without duplicate
// keys, nested at most `max_depth` deep (checked while parsing, before any tree is built, so a
// 100000-deep "[[[..." costs nothing) and without numbers too large for a double. Problems throw
// InputError naming the file, the pointer where known, and the line and column of syntax errors.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace cxsim {

struct JsonLimits {
  const char* kind;  // what the file is, in messages: "scenario", "batch", "checkpoint" ...
  std::size_t max_bytes;
  int max_depth;     // containers around the deepest value
  int needed_depth;  // what a valid document of this kind needs, in the depth message
};

// Scenario and batch files: 16 MiB, 64 levels (a scenario nests at most 6).
inline constexpr JsonLimits kScenarioLimits{"scenario", 16u << 20, 64, 6};
inline constexpr JsonLimits kBatchLimits{"batch", 16u << 20, 64, 8};

// Reads and parses a file; throws InputError naming `path`.
nlohmann::json read_json_file(const std::string& path, const JsonLimits& limits);

// Same, keeping the file's key order (for documents whose order means something, like result files).
nlohmann::ordered_json read_ordered_json_file(const std::string& path, const JsonLimits& limits);

// Whether `path` is a regular file, as rank 0 of a distributed run sees it (cluster.hpp): the one
// process that reads input files answers for all.
bool input_file_exists(const std::string& path);

// Parses text already in memory; `file` names it in diagnostics.
nlohmann::json parse_json_text(std::string_view text, const std::string& file, const JsonLimits& limits);

}  // namespace cxsim
