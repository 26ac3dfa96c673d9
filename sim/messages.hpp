#pragma once
// Wording of diagnostics about JSON input, shared by every reader of a document (scenario, batch,
// checkpoint, `--set`, schema checks): what a value is, a user's string quoted safely, lists of
// names, a did-you-mean for a misspelt name, and RFC 6901 pointers.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cxsim {

// What a value is, for "expected X, found Y": `string "abc"`, `an empty object`, `12`, `boolean true`.
std::string describe(const nlohmann::json& value);

// A user's string as a JSON literal, shortened when long, never re-escaped badly.
std::string quote(std::string_view text);

// Shortest text that reads back as the same double.
std::string format_number(double x);

// "a, b, c" (at most 20 names, then a count of the rest).
std::string list_names(const std::vector<std::string>& names);

// The closest of `candidates` to a misspelt `word`: a case-insensitive match, else the nearest within
// edit distance 2 (optimal string alignment) that is closer than rewriting the whole word. Bounded
// work whatever the input: nothing is suggested among more than 2000 names or for words over 64 bytes.
std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean \"x\"?" when a name is close, else "; expected one of: a, b, c" (or "" when
// `candidates` is empty).
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates);

// The pointer of `key` (escaped: "~" -> "~0", "/" -> "~1") or of array element `index` below `pointer`.
std::string child(const std::string& pointer, std::string_view key);
std::string child(const std::string& pointer, std::size_t index);

// RFC 6901 reference tokens of a pointer ("/a~1b/c" -> {"a/b", "c"}); nullopt when malformed.
std::optional<std::vector<std::string>> pointer_tokens(std::string_view pointer);

// True when `pointer` is `prefix` or lies below it.
bool pointer_within(const std::string& pointer, const std::string& prefix);

// Bytes outside ASCII escaped as \xNN (a parser's "last read" may hold invalid UTF-8).
std::string printable(std::string_view text);

}  // namespace cxsim
