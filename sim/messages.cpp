// Wording of diagnostics about JSON input (see messages.hpp).
#include "messages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "cxsim/diagnostics.hpp"

namespace cxsim {

namespace {

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

}  // namespace

std::string child(const std::string& pointer, std::string_view key) {
  return pointer + '/' + escape_pointer_token(key);
}

std::string child(const std::string& pointer, std::size_t index) { return pointer + '/' + std::to_string(index); }

std::string format_number(double x) { return fmt::format("{}", x); }

std::string quote(std::string_view s) {
  constexpr std::size_t kMaxShown = 60;
  std::string shown(s.substr(0, std::min(s.size(), kMaxShown)));
  std::string out = nlohmann::json(shown).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > kMaxShown) out.insert(out.size() - 1, "...");
  return out;
}

std::string describe(const nlohmann::json& v) {
  using nlohmann::json;
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return v.get<bool>() ? "boolean true" : "boolean false";
    case json::value_t::string:
      return "string " + quote(v.get_ref<const std::string&>());
    case json::value_t::number_integer:
      return std::to_string(v.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(v.get<std::uint64_t>());
    case json::value_t::number_float: {
      const double x = v.get<double>();
      if (std::isnan(x)) return "a number that is not a number (NaN)";
      if (std::isinf(x)) return "a number too large to represent (it reads as infinity)";
      return format_number(x);
    }
    case json::value_t::array:
      return v.empty() ? "an empty array" : "an array";
    case json::value_t::object:
      return v.empty() ? "an empty object" : "an object";
    default:
      return "an unsupported value";
  }
}

std::string list_names(const std::vector<std::string>& names) {
  constexpr std::size_t kMaxListed = 20;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kMaxListed; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > kMaxListed) out += fmt::format(", ... ({} more)", names.size() - kMaxListed);
  return out;
}

constexpr std::size_t kMaxSuggestionCandidates = 2000;
constexpr std::size_t kMaxSuggestedLength = 64;
std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string>& candidates) {
  if (candidates.size() > kMaxSuggestionCandidates || word.size() > kMaxSuggestedLength) return std::nullopt;
  for (const auto& c : candidates) {
    if (iequals(word, c)) return c;
  }
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  for (const auto& c : candidates) {
    const std::size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (gap >= best_distance) continue;  // the distance is at least the difference in length
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && d < std::max(word.size(), c.size())) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  if (const auto hint = closest_name(word, candidates)) return fmt::format("; did you mean \"{}\"?", *hint);
  if (candidates.empty()) return "";
  return "; expected one of: " + list_names(candidates);
}

std::optional<std::vector<std::string>> pointer_tokens(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty() || pointer[0] != '/') return std::nullopt;
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(token);
      token.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) return std::nullopt;
      token += pointer[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      token += pointer[i];
    }
  }
  return tokens;
}

bool pointer_within(const std::string& pointer, const std::string& prefix) {
  return pointer.size() >= prefix.size() && pointer.compare(0, prefix.size(), prefix) == 0 &&
         (pointer.size() == prefix.size() || pointer[prefix.size()] == '/');
}

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x80) {
      out += fmt::format("\\x{:02X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace cxsim
