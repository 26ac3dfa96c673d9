// Scenario loader: JSON text -> validated plain structs (../shared/MODEL.md, "The scenario file").
//
// The loader works in four passes over one document, collecting every diagnostic in a
// DiagnosticSink instead of stopping at the first problem:
//   1. parse: nlohmann's parser is iterative; a callback enforces kMaxJsonDepth while parsing (so a
//      100000-deep "[[[..." never builds a deep tree) and records duplicate keys;
//   2. schema: the JSON Schema of scenarios/schema/ (schema.cpp); its errors are merged with the
//      reader's (merge_schema_diagnostics), which say the same more precisely where both apply;
//   3. read: every section is read with a few helpers (read_number, read_int, read_normal,
//      read_weighted_ids, check_keys) that apply the MODEL.md default when a key is absent and
//      report type, range, unknown-key and id errors with the value's RFC 6901 pointer;
//   4. graph: once every journey id resolves, check_journey (graph.cpp) checks the journey's shape.
#include "cxsim/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "cxsim/graph.hpp"
#include "cxsim/hash.hpp"
#include "cxsim/schema.hpp"

namespace cxsim {

namespace {

using nlohmann::json;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kShareTolerance = 1e-9;
constexpr std::int64_t kMaxCustomers = 4294967295LL;
constexpr std::int64_t kMaxReplications = kMaxReplicationCount;
constexpr std::int64_t kMaxHorizon = 100000;
constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
constexpr std::size_t kMaxSegments = 255;  // the engine stores a customer's segment in 8 bits
constexpr std::size_t kMaxChannels = 255;  // and its channel

// ---------------------------------------------------------------------------------------------
// Describing values and names in messages

std::string child(const std::string& pointer, std::string_view key) {
  return pointer + '/' + escape_pointer_token(key);
}

std::string child(const std::string& pointer, std::size_t index) { return pointer + '/' + std::to_string(index); }

// Shortest text that reads back as the same double (fmt's default).
std::string format_number(double x) { return fmt::format("{}", x); }

// A string as a JSON literal, shortened when long (the user's own text, so never re-escaped badly).
std::string quote(std::string_view s) {
  constexpr std::size_t kMaxShown = 60;
  std::string shown(s.substr(0, std::min(s.size(), kMaxShown)));
  std::string out = json(shown).dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > kMaxShown) out.insert(out.size() - 1, "...");
  return out;
}

// What was found, for "expected X, found Y".
std::string describe(const json& v) {
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

// "a, b, c" (at most 20 names, then a count of the rest).
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

// The closest candidate: a case-insensitive match, else the nearest within edit distance 2 (and
// closer than rewriting the whole word, so "x" does not suggest "sd").
// Bounded work, whatever the input: no suggestion among more than kMaxSuggestionCandidates names,
// and edit distances only between names of similar, modest length.
constexpr std::size_t kMaxSuggestionCandidates = 2000;
constexpr std::size_t kMaxSuggestedLength = 64;
std::optional<std::string> suggest(std::string_view word, const std::vector<std::string>& candidates) {
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

// ---------------------------------------------------------------------------------------------
// Ranges of valid values

struct Range {
  double lo = -kInf;
  double hi = kInf;
  bool lo_open = false;
  bool hi_open = false;

  bool contains(double x) const { return (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi); }
  // " in [0, 1]", " > 0", "" (any finite number).
  std::string text() const {
    const bool has_lo = lo > -kInf, has_hi = hi < kInf;
    if (has_lo && has_hi) {
      return fmt::format(" in {}{}, {}{}", lo_open ? '(' : '[', format_number(lo), format_number(hi),
                         hi_open ? ')' : ']');
    }
    if (has_lo) return fmt::format(" {} {}", lo_open ? ">" : ">=", format_number(lo));
    if (has_hi) return fmt::format(" {} {}", hi_open ? "<" : "<=", format_number(hi));
    return "";
  }
};

constexpr Range kFinite{};
constexpr Range kNonNegative{0.0, kInf};
constexpr Range kPositive{0.0, kInf, true, false};
constexpr Range kUnit{0.0, 1.0};
constexpr Range kSignedUnit{-1.0, 1.0};

struct IntRange {
  std::int64_t lo = 0;
  std::int64_t hi = kIntMax;
  std::string text() const { return fmt::format(" in [{}, {}]", lo, hi); }
};

// ---------------------------------------------------------------------------------------------
// Parsing with depth limit and duplicate-key detection

// Escapes bytes outside ASCII (nlohmann's "last read" may hold the invalid UTF-8 it stopped at).
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

// A first pass over the text with nlohmann's SAX interface, before any tree is built: it tracks
// the path being parsed (for the pointers of duplicate keys and of numbers too large for a double),
// refuses nesting deeper than kMaxJsonDepth as soon as it opens, and records syntax errors. Only a
// document that passes is then parsed into a tree (without a parser callback: nlohmann's callback
// parser rescans the parent object after each nested object, quadratic in the number of ids).
class ParseTracker : public nlohmann::json_sax<json> {
 public:
  struct Duplicate {
    std::string pointer;
    std::string key;
  };
  struct Failure {
    std::string pointer;  // "" for syntax errors (the position is in the message)
    std::string message;
    std::size_t byte = 0;  // parse errors: characters read, the offending one included
    bool syntax = false;
  };

  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    Frame& top = frames_.back();
    top.key = k;
    if (!top.keys.insert(k).second) duplicates_.push_back({pointer(), k});
    return true;
  }
  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t x, const string_t& literal) override {
    count_element();
    if (std::isfinite(x)) return true;
    // nlohmann refuses a number that overflows a double (1e999) when building the tree.
    failure_ = Failure{pointer(),
                       fmt::format("expected a finite number, found {} (too large to represent)", printable(literal)),
                       0, false};
    return false;
  }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool parse_error(std::size_t position, const std::string& last_token, const nlohmann::detail::exception& e) override {
    if (e.id == 406) {  // out_of_range.406: a number literal that overflows a double (1e999)
      failure_ =
          Failure{value_pointer(),
                  fmt::format("expected a finite number, found '{}' (too large to represent)", printable(last_token)),
                  0, false};
    } else {
      failure_ = Failure{"", e.what(), position, true};
    }
    return false;
  }

  const std::vector<Duplicate>& duplicates() const { return duplicates_; }
  const std::optional<Failure>& failure() const { return failure_; }
  bool too_deep() const { return too_deep_; }

 private:
  struct Frame {
    bool is_object;
    std::set<std::string> keys;
    std::string key;  // object: the member being parsed
    long index;       // array: the element being parsed
  };

  bool open(bool is_object) {
    // frames_.size() counts the containers around this one: the top-level value has depth 0.
    if (frames_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
      too_deep_ = true;
      return false;
    }
    count_element();
    frames_.push_back(Frame{is_object, {}, {}, -1});
    return true;
  }
  bool close() {
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }
  bool value() {
    count_element();
    return true;
  }
  void count_element() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }
  // Pointer of the value the parser is reading, before its event (in an array, the next index).
  std::string value_pointer() const {
    std::string out;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      const long index = i + 1 == frames_.size() ? f.index + 1 : f.index;
      out = f.is_object ? child(out, f.key) : child(out, static_cast<std::size_t>(index));
    }
    return out;
  }
  // Pointer of the value whose event is being handled.
  std::string pointer() const {
    std::string out;
    for (const Frame& f : frames_) {
      out = f.is_object ? child(out, f.key) : child(out, static_cast<std::size_t>(f.index));
    }
    return out;
  }

  std::vector<Frame> frames_;
  std::vector<Duplicate> duplicates_;
  std::optional<Failure> failure_;
  bool too_deep_ = false;
};

// "invalid JSON at line L, column C: REASON" from nlohmann's parse error at byte `byte`.
std::string syntax_error_message(std::string_view text, std::size_t byte, const std::string& what) {
  const std::size_t offset = std::min<std::size_t>(byte > 0 ? byte - 1 : 0, text.size());
  const std::string_view before = text.substr(0, offset);
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  const std::size_t column = offset - line_start + 1;
  // nlohmann's what(): "[json.exception.parse_error.101] parse error at line L, column C: REASON".
  std::string reason = what;
  const std::size_t at = reason.find("column ");
  const std::size_t colon = at == std::string::npos ? std::string::npos : reason.find(": ", at);
  if (colon != std::string::npos) {
    reason = reason.substr(colon + 2);
  } else if (reason.find("] ") != std::string::npos) {
    reason = reason.substr(reason.find("] ") + 2);
  }
  const bool utf8 = reason.find("UTF-8") != std::string::npos;
  return fmt::format("{} at line {}, column {}: {}", utf8 ? "invalid UTF-8" : "invalid JSON", line, column,
                     printable(reason));
}

// Parses `text`; on failure records one error and returns nullopt.
std::optional<json> parse_json(std::string_view text, DiagnosticSink& sink) {
  ParseTracker tracker;
  bool complete = false;
  try {
    complete = json::sax_parse(text.begin(), text.end(), &tracker);
  } catch (const json::exception& e) {
    sink.error("", fmt::format("invalid JSON: {}", printable(e.what())));
    return std::nullopt;
  }
  if (tracker.too_deep()) {
    sink.error("", fmt::format("JSON nested deeper than {} levels of objects and arrays; a scenario "
                               "needs at most 6",
                               kMaxJsonDepth));
    return std::nullopt;
  }
  if (const auto& f = tracker.failure()) {
    sink.error(f->pointer, f->syntax ? syntax_error_message(text, f->byte, f->message) : f->message);
    return std::nullopt;
  }
  if (!complete) {
    sink.error("", "invalid JSON: the document ended early");
    return std::nullopt;
  }
  for (const auto& d : tracker.duplicates()) {
    sink.error(d.pointer, fmt::format("duplicate key {}; JSON keeps only the last value, so remove "
                                      "one of them",
                                      quote(d.key)));
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // The first pass accepted the text, so this is a safety net, not a code path.
    sink.error("", fmt::format("invalid JSON: {}", printable(e.what())));
    return std::nullopt;
  }
}

// ---------------------------------------------------------------------------------------------
// The reader: one member function per section, built on a handful of generic helpers.

using Keys = std::vector<std::string>;

const Keys kTopKeys = {"$schema",     "name",         "description", "seed",          "horizon_periods",
                       "period_days", "replications", "population",  "economics",     "segments",
                       "journey",     "service",      "churn",       "interventions", "nps"};
const Keys kSegmentKeys = {"description",
                           "share",
                           "initial_sentiment",
                           "revenue_per_period",
                           "memory",
                           "negativity_bias",
                           "bad_threshold",
                           "bad_decay",
                           "effort_decay",
                           "contact_propensity",
                           "patience_minutes",
                           "self_resolve",
                           "referral_rate",
                           "hazard",
                           "entry",
                           "channel_mix"};
const Keys kTouchpointKeys = {"description", "exit", "quality",     "failure", "failure_quality", "effort", "salience",
                              "revenue",     "cost", "survey_rate", "next"};
const Keys kExitKeys = {"exit", "description"};
const Keys kChannelKeys = {"description", "share",  "agents",   "aht_minutes",           "hours_per_period", "fcr",
                           "quality",     "effort", "salience", "cost_per_agent_period", "cost_per_contact"};
const Keys kStaffingKeys = {"default", "weekly", "periods"};
const Keys kInterventionKeys = {"description",         "trigger", "target",       "coverage",
                                "capacity_per_period", "effect",  "cost_per_use", "salience"};
const Keys kTriggerKeys = {"on_visit",   "on_failure",      "after_contact", "sentiment_below",
                           "risk_above", "issue_age_above", "periodic"};
const Keys kEffectKeys = {"failure_multiplier", "sentiment_boost", "effort_change", "close_issue",
                          "hazard_multiplier",  "duration",        "quality"};
const Keys kOutcomes = {"resolved", "unresolved", "abandoned"};
const Keys kNormalKeys = {"mean", "sd"};
const Keys kPopulationKeys = {"customers"};
const Keys kEconomicsKeys = {"currency", "annual_discount_rate"};
const Keys kHazardKeys = {"base", "frailty_variance"};
const Keys kJourneyKeys = {"entry", "touchpoints"};
const Keys kServiceKeys = {"wait_penalty", "resolution_bonus", "unresolved_penalty", "channels"};
const Keys kChurnKeys = {"sentiment", "open_issue", "bad_experiences", "effort"};
const Keys kPeriodicKeys = {"every", "from", "until"};
const Keys kNpsKeys = {"noise_sd", "report_every"};

class Reader {
 public:
  explicit Reader(DiagnosticSink& sink) : sink_(sink) {}

  Scenario read(const json& doc);
  // True when every journey id resolved, so the graph check is meaningful.
  bool journey_ids_ok() const { return journey_id_errors_ == 0; }

 private:
  enum class IdKind { kTouchpoint, kSegment, kChannel };

  // --- generic helpers ---
  void error(const std::string& pointer, std::string message) { sink_.error(pointer, std::move(message)); }

  static const json* member(const json& obj, std::string_view key) {
    if (!obj.is_object()) return nullptr;
    const auto it = obj.find(std::string(key));
    return it == obj.end() ? nullptr : &*it;
  }

  void missing(const std::string& pointer, std::string_view key, std::string_view expected) {
    error(pointer, fmt::format("missing required key \"{}\" (expected {})", key, expected));
  }

  bool expect_object(const json& v, const std::string& pointer, std::string_view what) {
    if (v.is_object()) return true;
    error(pointer, fmt::format("expected {}, found {}", what, describe(v)));
    return false;
  }

  // Every key of `obj` must be in `allowed`; unknown keys get a did-you-mean when one is close.
  // `allowed` must be one of the lists of accepted_keys(), which the JSON Schema is tested against.
  void check_keys(const json& obj, const Keys& allowed, const std::string& pointer) {
    CXSIM_CHECK(std::any_of(accepted_keys().begin(), accepted_keys().end(),
                            [&allowed](const AcceptedKeys& a) { return a.keys == &allowed; }),
                "check_keys with a key list that accepted_keys() does not publish");
    check_known_keys(obj, allowed, pointer, sink_);
  }

  std::optional<double> number_value(const json& v, const std::string& pointer, const Range& range,
                                     std::string_view noun) {
    const std::string expected = fmt::format("expected {}{}", noun, range.text());
    if (!v.is_number()) {
      error(pointer, fmt::format("{}, found {}", expected, describe(v)));
      return std::nullopt;
    }
    const double x = v.get<double>();
    if (!std::isfinite(x)) {
      error(pointer, fmt::format("expected a finite number, found {}", describe(v)));
      return std::nullopt;
    }
    if (!range.contains(x)) {
      error(pointer, fmt::format("{}, found {}", expected, describe(v)));
      return std::nullopt;
    }
    return x;
  }

  std::optional<std::int64_t> int_value(const json& v, const std::string& pointer, const IntRange& range) {
    const std::string expected = fmt::format("expected an integer{}", range.text());
    if (!v.is_number()) {
      error(pointer, fmt::format("{}, found {}", expected, describe(v)));
      return std::nullopt;
    }
    std::int64_t x = 0;
    bool in_range = true;
    if (v.is_number_unsigned()) {
      const std::uint64_t u = v.get<std::uint64_t>();
      in_range = u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
      x = in_range ? static_cast<std::int64_t>(u) : 0;
    } else if (v.is_number_integer()) {
      x = v.get<std::int64_t>();
    } else {
      const double d = v.get<double>();
      if (!std::isfinite(d)) {
        error(pointer, fmt::format("expected a finite integer, found {}", describe(v)));
        return std::nullopt;
      }
      if (std::floor(d) != d) {
        error(pointer, fmt::format("{}, found {} (not an integer)", expected, describe(v)));
        return std::nullopt;
      }
      in_range = d >= -9.2e18 && d <= 9.2e18;
      x = in_range ? static_cast<std::int64_t>(d) : 0;
    }
    if (!in_range || x < range.lo || x > range.hi) {
      error(pointer, fmt::format("{}, found {}", expected, describe(v)));
      return std::nullopt;
    }
    return x;
  }

  // Reads obj[key] into `out` when present (else `out` keeps its default). False on error.
  bool read_number(const json& obj, std::string_view key, const std::string& pointer, const Range& range, double& out,
                   std::string_view noun = "a number", bool required = false) {
    const json* v = member(obj, key);
    if (v == nullptr) {
      if (required) missing(child(pointer, key), key, fmt::format("{}{}", noun, range.text()));
      return !required;
    }
    const auto x = number_value(*v, child(pointer, key), range, noun);
    if (x) out = *x;
    return x.has_value();
  }

  bool read_probability(const json& obj, std::string_view key, const std::string& pointer, double& out) {
    return read_number(obj, key, pointer, kUnit, out, "a probability");
  }

  template <typename Int>
  bool read_int(const json& obj, std::string_view key, const std::string& pointer, const IntRange& range, Int& out,
                bool required = false) {
    const json* v = member(obj, key);
    if (v == nullptr) {
      if (required) missing(child(pointer, key), key, "an integer" + range.text());
      return !required;
    }
    const auto x = int_value(*v, child(pointer, key), range);
    if (x) out = static_cast<Int>(*x);
    return x.has_value();
  }

  bool read_bool(const json& obj, std::string_view key, const std::string& pointer, bool& out) {
    const json* v = member(obj, key);
    if (v == nullptr) return true;
    if (!v->is_boolean()) {
      error(child(pointer, key), fmt::format("expected true or false, found {}", describe(*v)));
      return false;
    }
    out = v->get<bool>();
    return true;
  }

  bool read_string(const json& obj, std::string_view key, const std::string& pointer, std::string& out,
                   bool required = false, bool non_empty = false) {
    const json* v = member(obj, key);
    const std::string expected = non_empty ? "a non-empty string" : "a string";
    if (v == nullptr) {
      if (required) missing(child(pointer, key), key, expected);
      return !required;
    }
    if (!v->is_string() || (non_empty && v->get_ref<const std::string&>().empty())) {
      error(child(pointer, key), fmt::format("expected {}, found {}", expected, describe(*v)));
      return false;
    }
    out = v->get<std::string>();
    return true;
  }

  // {mean, sd}: mean in `mean_range`, sd >= 0; absent members keep their defaults.
  bool read_normal(const json& obj, std::string_view key, const std::string& pointer, NormalSpec& out,
                   const Range& mean_range = kSignedUnit) {
    const json* v = member(obj, key);
    if (v == nullptr) return true;
    const std::string p = child(pointer, key);
    if (!expect_object(*v, p, "an object {\"mean\": number, \"sd\": number}")) return false;
    check_keys(*v, kNormalKeys, p);
    const bool mean_ok = read_number(*v, "mean", p, mean_range, out.mean);
    const bool sd_ok = read_number(*v, "sd", p, kNonNegative, out.sd);
    return mean_ok && sd_ok;
  }

  // An object id -> number in `range` (ids are checked by the caller). False on any error.
  bool read_weighted_ids(const json& v, const std::string& pointer, const Range& range, std::string_view noun,
                         std::string_view what, WeightedIds& out) {
    if (!expect_object(v, pointer, what)) return false;
    bool ok = true;
    for (const auto& item : v.items()) {
      const auto x = number_value(item.value(), child(pointer, item.key()), range, noun);
      ok = ok && x.has_value();
      out.emplace_back(item.key(), x.value_or(0.0));
    }
    return ok;
  }

  void check_shares_sum(const WeightedIds& shares, const std::string& pointer, std::string_view what) {
    double sum = 0.0;
    for (const auto& [id, share] : shares) sum += share;
    if (std::abs(sum - 1.0) > kShareTolerance) {
      error(pointer, fmt::format("{} sum to {:.12g}, expected 1 (within 1e-9)", what, sum));
    }
  }

  const std::vector<std::string>& ids_of(IdKind kind) const {
    return kind == IdKind::kTouchpoint ? touchpoint_ids_ : kind == IdKind::kSegment ? segment_ids_ : channel_ids_;
  }

  // True when `id` names an existing item of `kind`; otherwise an error naming the known ids.
  bool resolve(const std::string& id, const std::string& pointer, IdKind kind, std::string_view context) {
    const auto& known = ids_of(kind);
    if (std::binary_search(known.begin(), known.end(), id)) return true;  // ids are sorted (JSON key order)
    const char* noun = kind == IdKind::kTouchpoint ? "touchpoint" : kind == IdKind::kSegment ? "segment" : "channel";
    const auto hint = suggest(id, known);
    std::string message = fmt::format("unknown {} {} in {}", noun, quote(id), context);
    if (hint) message += fmt::format("; did you mean \"{}\"?", *hint);
    message += known.empty() ? fmt::format("; no {}s are defined", noun)
                             : fmt::format("{} known {}s: {}", hint ? "" : ";", noun, list_names(known));
    error(pointer, message);
    return false;
  }

  bool is_exit(const std::string& id) const { return std::binary_search(exit_ids_.begin(), exit_ids_.end(), id); }

  // An existing, non-exit touchpoint (entries, intervention triggers and multipliers).
  bool resolve_visitable(const std::string& id, const std::string& pointer, std::string_view context,
                         std::string_view why) {
    if (!resolve(id, pointer, IdKind::kTouchpoint, context)) return false;
    if (!is_exit(id)) return true;
    error(pointer, fmt::format("touchpoint {} in {} is an exit touchpoint; {}", quote(id), context, why));
    return false;
  }

  // An entry: a touchpoint id, or an object id -> share summing to 1. Counts journey id errors.
  void read_entry(const json& v, const std::string& pointer, WeightedIds& out) {
    constexpr std::string_view kWhy =
        "customers would leave before their first step, so start them at a "
        "non-exit touchpoint";
    const std::size_t before = sink_.all().size();
    if (v.is_string()) {
      const std::string id = v.get<std::string>();
      if (resolve_visitable(id, pointer, "entry", kWhy)) out = {{id, 1.0}};
    } else if (v.is_object()) {
      if (v.empty()) {
        error(pointer, "expected at least one touchpoint id with its share, found an empty object");
      } else if (read_weighted_ids(v, pointer, kUnit, "a share", "an object of touchpoint ids to shares", out)) {
        for (const auto& [id, share] : out) resolve_visitable(id, child(pointer, id), "entry", kWhy);
        check_shares_sum(out, pointer, "entry shares");
      }
    } else {
      error(pointer,
            fmt::format("expected a touchpoint id or an object of touchpoint ids to shares, found {}", describe(v)));
    }
    if (sink_.all().size() != before) ++journey_id_errors_;
  }

  // Calls fn(id, value, pointer) for each member of the collection obj[key], whose values must be
  // objects. Returns false when the collection or one of its items is malformed.
  template <typename Fn>
  bool for_each_item(const json& obj, std::string_view key, const std::string& pointer, std::string_view what,
                     bool required, Fn fn) {
    const json* v = member(obj, key);
    const std::string p = child(pointer, key);
    if (v == nullptr) {
      if (required) missing(p, key, fmt::format("an object of {} keyed by id", what));
      return !required;
    }
    if (!expect_object(*v, p, fmt::format("an object of {} keyed by id", what))) return false;
    if (required && v->empty()) {
      error(p, fmt::format("expected at least one of the {}, found an empty object", what));
      return false;
    }
    bool ok = true;
    for (const auto& item : v->items()) {
      const std::string item_pointer = child(p, item.key());
      if (item.key().empty()) {
        error(item_pointer, "an id must be a non-empty string");
        ok = false;
      } else if (!expect_object(item.value(), item_pointer, "an object")) {
        ok = false;
      } else {
        fn(item.key(), item.value(), item_pointer);
      }
    }
    return ok;
  }

  static std::vector<std::string> keys_of(const json& doc, std::string_view section, std::string_view sub = {}) {
    std::vector<std::string> ids;
    const json* v = member(doc, section);
    if (v != nullptr && !sub.empty()) v = member(*v, sub);
    if (v == nullptr || !v->is_object()) return ids;
    for (const auto& item : v->items()) ids.push_back(item.key());
    return ids;
  }

  // --- sections ---
  void read_run(const json& doc);
  void read_population(const json& doc);
  void read_economics(const json& doc);
  void read_segments(const json& doc);
  void read_journey(const json& doc);
  Touchpoint read_touchpoint(const std::string& id, const json& v, const std::string& pointer);
  void read_service(const json& doc);
  Staffing read_staffing(const json& v, const std::string& pointer);
  void read_churn(const json& doc);
  void read_interventions(const json& doc);
  void read_trigger(const json& v, const std::string& pointer, Trigger& out);
  void read_effect(const json& v, const std::string& pointer, Effect& out);
  void read_nps(const json& doc);

  DiagnosticSink& sink_;
  Scenario s_;
  bool period_days_ok_ = true;
  int journey_id_errors_ = 0;
  std::vector<std::string> touchpoint_ids_, exit_ids_, segment_ids_, channel_ids_;
};

Scenario Reader::read(const json& doc) {
  if (!doc.is_object()) {
    error("", fmt::format("expected a JSON object at the top level, found {}", describe(doc)));
    ++journey_id_errors_;
    return s_;
  }
  check_keys(doc, kTopKeys, "");
  // Ids first, so references resolve whatever the order of sections.
  touchpoint_ids_ = keys_of(doc, "journey", "touchpoints");
  segment_ids_ = keys_of(doc, "segments");
  channel_ids_ = keys_of(doc, "service", "channels");
  const json* journey = member(doc, "journey");
  if (const json* tps = journey == nullptr ? nullptr : member(*journey, "touchpoints"); tps && tps->is_object()) {
    for (const auto& item : tps->items()) {
      const json* exit = member(item.value(), "exit");
      if (exit != nullptr && exit->is_boolean() && exit->get<bool>()) exit_ids_.push_back(item.key());
    }
  }
  read_run(doc);
  read_population(doc);
  read_economics(doc);
  read_segments(doc);
  read_journey(doc);
  read_service(doc);
  read_churn(doc);
  read_interventions(doc);
  read_nps(doc);
  return s_;
}

void Reader::read_run(const json& doc) {
  read_string(doc, "name", "", s_.name, /*required=*/true, /*non_empty=*/true);
  read_string(doc, "description", "", s_.description);
  if (const json* v = member(doc, "$schema"); v != nullptr && !v->is_string()) {
    error("/$schema", fmt::format("expected a string, found {}", describe(*v)));
  }
  if (const json* v = member(doc, "seed")) {
    // The full unsigned 64-bit range: nlohmann keeps non-negative integers as uint64.
    const bool integral_float = v->is_number_float() && std::isfinite(v->get<double>()) &&
                                std::floor(v->get<double>()) == v->get<double>() && v->get<double>() >= 0 &&
                                v->get<double>() < 18446744073709551616.0;
    if (v->is_number_unsigned()) {
      s_.seed = v->get<std::uint64_t>();
    } else if (integral_float) {
      s_.seed = static_cast<std::uint64_t>(v->get<double>());
    } else {
      error("/seed", fmt::format("expected an integer in [0, 18446744073709551615], found {}", describe(*v)));
    }
  }
  read_int(doc, "horizon_periods", "", IntRange{1, kMaxHorizon}, s_.horizon_periods);
  period_days_ok_ = read_number(doc, "period_days", "", Range{0.0, 366.0, true, false}, s_.period_days);
  read_int(doc, "replications", "", IntRange{1, kMaxReplications}, s_.replications);
}

void Reader::read_population(const json& doc) {
  const json* v = member(doc, "population");
  if (v == nullptr) {
    missing("/population", "population", "an object {\"customers\": integer}");
    return;
  }
  if (!expect_object(*v, "/population", "an object {\"customers\": integer}")) return;
  check_keys(*v, kPopulationKeys, "/population");
  read_int(*v, "customers", "/population", IntRange{1, kMaxCustomers}, s_.customers, /*required=*/true);
}

void Reader::read_economics(const json& doc) {
  const json* v = member(doc, "economics");
  if (v == nullptr || !expect_object(*v, "/economics", "an object")) return;
  check_keys(*v, kEconomicsKeys, "/economics");
  read_string(*v, "currency", "/economics", s_.economics.currency, false, /*non_empty=*/true);
  read_number(*v, "annual_discount_rate", "/economics", Range{0.0, 10.0}, s_.economics.annual_discount_rate);
}

void Reader::read_segments(const json& doc) {
  bool shares_ok = true;
  const bool collection_ok = for_each_item(
      doc, "segments", "", "segments", /*required=*/true,
      [&](const std::string& id, const json& v, const std::string& p) {
        Segment g;
        g.id = id;
        check_keys(v, kSegmentKeys, p);
        read_string(v, "description", p, g.description);
        shares_ok = read_number(v, "share", p, kUnit, g.share, "a share", /*required=*/true) && shares_ok;
        read_normal(v, "initial_sentiment", p, g.initial_sentiment);
        read_number(v, "revenue_per_period", p, kNonNegative, g.revenue_per_period);
        read_probability(v, "memory", p, g.memory);
        read_number(v, "negativity_bias", p, Range{0.0, 100.0, true, false}, g.negativity_bias);
        read_number(v, "bad_threshold", p, kSignedUnit, g.bad_threshold);
        read_probability(v, "bad_decay", p, g.bad_decay);
        read_probability(v, "effort_decay", p, g.effort_decay);
        read_probability(v, "contact_propensity", p, g.contact_propensity);
        read_number(v, "patience_minutes", p, kPositive, g.patience_minutes);
        read_probability(v, "self_resolve", p, g.self_resolve);
        read_number(v, "referral_rate", p, Range{0.0, 100.0}, g.referral_rate);
        if (const json* h = member(v, "hazard")) {
          const std::string hp = child(p, "hazard");
          if (expect_object(*h, hp, "an object {\"base\": number, \"frailty_variance\": number}")) {
            check_keys(*h, kHazardKeys, hp);
            read_number(*h, "base", hp, Range{0.0, 1e3}, g.hazard.base);
            read_number(*h, "frailty_variance", hp, Range{0.0, 100.0}, g.hazard.frailty_variance);
          }
        }
        if (const json* e = member(v, "entry")) read_entry(*e, child(p, "entry"), g.entry);
        if (const json* m = member(v, "channel_mix")) {
          const std::string mp = child(p, "channel_mix");
          if (read_weighted_ids(*m, mp, kUnit, "a share", "an object of channel ids to shares", g.channel_mix)) {
            bool ids_ok = true;
            for (const auto& [channel, share] : g.channel_mix) {
              ids_ok = resolve(channel, child(mp, channel), IdKind::kChannel, "channel_mix") && ids_ok;
            }
            if (g.channel_mix.empty()) {
              error(mp, "expected at least one channel id with its share, found an empty object");
            } else if (ids_ok) {
              check_shares_sum(g.channel_mix, mp, "channel_mix shares");
            }
          }
        }
        s_.segments.push_back(std::move(g));
      });
  if (s_.segments.size() > kMaxSegments) {
    error("/segments", fmt::format("{} segments, more than the {} a scenario may have; merge similar segments",
                                   s_.segments.size(), kMaxSegments));
  }
  if (collection_ok && shares_ok && !s_.segments.empty()) {
    WeightedIds shares;
    for (const auto& g : s_.segments) shares.emplace_back(g.id, g.share);
    check_shares_sum(shares, "/segments", "segment shares");
  }
}

void Reader::read_journey(const json& doc) {
  const json* v = member(doc, "journey");
  if (v == nullptr) {
    missing("/journey", "journey", "an object {\"entry\": ..., \"touchpoints\": {...}}");
    ++journey_id_errors_;
    return;
  }
  if (!expect_object(*v, "/journey", "an object {\"entry\": ..., \"touchpoints\": {...}}")) {
    ++journey_id_errors_;
    return;
  }
  check_keys(*v, kJourneyKeys, "/journey");
  const bool touchpoints_ok = for_each_item(*v, "touchpoints", "/journey", "touchpoints", /*required=*/true,
                                            [&](const std::string& id, const json& t, const std::string& p) {
                                              s_.journey.touchpoints.push_back(read_touchpoint(id, t, p));
                                            });
  if (!touchpoints_ok) ++journey_id_errors_;
  if (const json* e = member(*v, "entry")) {
    read_entry(*e, "/journey/entry", s_.journey.entry);
  } else {
    missing("/journey/entry", "entry", "a touchpoint id or an object of touchpoint ids to shares");
    ++journey_id_errors_;
  }
}

Touchpoint Reader::read_touchpoint(const std::string& id, const json& v, const std::string& p) {
  Touchpoint t;
  t.id = id;
  read_bool(v, "exit", p, t.exit);
  read_string(v, "description", p, t.description);
  if (t.exit) {
    // Absorbing: arriving there is leaving, so nothing about a visit applies.
    for (const auto& item : v.items()) {
      const std::string& key = item.key();
      if (std::find(kExitKeys.begin(), kExitKeys.end(), key) != kExitKeys.end()) continue;
      if (std::find(kTouchpointKeys.begin(), kTouchpointKeys.end(), key) != kTouchpointKeys.end()) {
        error(child(p, key), fmt::format("exit touchpoints are absorbing and never visited; remove {}", key));
      } else {
        check_keys(json::object({{key, nullptr}}), kTouchpointKeys, p);
      }
    }
    return t;
  }
  check_keys(v, kTouchpointKeys, p);
  read_normal(v, "quality", p, t.quality);
  read_probability(v, "failure", p, t.failure);
  read_number(v, "failure_quality", p, kSignedUnit, t.failure_quality);
  read_number(v, "effort", p, kNonNegative, t.effort);
  read_number(v, "salience", p, kNonNegative, t.salience);
  read_number(v, "revenue", p, kFinite, t.revenue);
  read_number(v, "cost", p, kNonNegative, t.cost);
  read_probability(v, "survey_rate", p, t.survey_rate);
  if (const json* next = member(v, "next")) {
    // A missing or empty next is check_journey's error. Targets with a bad weight stay as edges
    // so the graph check does not report a second, misleading problem.
    const std::string np = child(p, "next");
    WeightedIds edges;
    if (!next->is_object()) ++journey_id_errors_;
    read_weighted_ids(*next, np, kPositive, "a weight", "an object of target touchpoint ids to weights > 0", edges);
    for (const auto& edge : edges) {
      if (resolve(edge.first, child(np, edge.first), IdKind::kTouchpoint, "next")) {
        t.next.push_back(edge);
      } else {
        ++journey_id_errors_;
      }
    }
  }
  return t;
}

void Reader::read_service(const json& doc) {
  const json* v = member(doc, "service");
  if (v == nullptr || !expect_object(*v, "/service", "an object")) return;
  check_keys(*v, kServiceKeys, "/service");
  read_number(*v, "wait_penalty", "/service", kNonNegative, s_.service.wait_penalty);
  read_number(*v, "resolution_bonus", "/service", kNonNegative, s_.service.resolution_bonus);
  read_number(*v, "unresolved_penalty", "/service", kNonNegative, s_.service.unresolved_penalty);
  const double max_hours = period_days_ok_ ? 24.0 * s_.period_days : kInf;
  bool shares_ok = true;
  const bool collection_ok = for_each_item(
      *v, "channels", "/service", "channels", /*required=*/false,
      [&](const std::string& id, const json& c, const std::string& p) {
        Channel ch;
        ch.id = id;
        check_keys(c, kChannelKeys, p);
        read_string(c, "description", p, ch.description);
        shares_ok = read_number(c, "share", p, kUnit, ch.share, "a share", /*required=*/true) && shares_ok;
        if (const json* a = member(c, "agents")) ch.agents = read_staffing(*a, child(p, "agents"));
        read_number(c, "aht_minutes", p, kPositive, ch.aht_minutes);
        if (const json* h = member(c, "hours_per_period"); h != nullptr) {
          const auto x =
              number_value(*h, child(p, "hours_per_period"), Range{0.0, max_hours, true, false}, "a number of hours");
          if (x) ch.hours_per_period = *x;
        }
        read_probability(c, "fcr", p, ch.fcr);
        read_normal(c, "quality", p, ch.quality);
        read_number(c, "effort", p, kNonNegative, ch.effort);
        read_number(c, "salience", p, kNonNegative, ch.salience);
        read_number(c, "cost_per_agent_period", p, kNonNegative, ch.cost_per_agent_period);
        read_number(c, "cost_per_contact", p, kNonNegative, ch.cost_per_contact);
        s_.service.channels.push_back(std::move(ch));
      });
  if (s_.service.channels.size() > kMaxChannels) {
    error("/service/channels",
          fmt::format("{} channels, more than the {} a scenario may have", s_.service.channels.size(), kMaxChannels));
  }
  if (collection_ok && shares_ok && !s_.service.channels.empty()) {
    WeightedIds shares;
    for (const auto& ch : s_.service.channels) shares.emplace_back(ch.id, ch.share);
    check_shares_sum(shares, "/service/channels", "channel shares");
  }
}

Staffing Reader::read_staffing(const json& v, const std::string& p) {
  Staffing st;
  constexpr IntRange kAgents{0, kIntMax};
  if (v.is_null()) return st;  // unlimited (self-service)
  if (v.is_number()) {
    if (const auto n = int_value(v, p, kAgents)) {
      st.unlimited = false;
      st.default_agents = static_cast<int>(*n);
    }
    return st;
  }
  if (!v.is_object()) {
    error(p, fmt::format("expected null (unlimited), an integer >= 0 or an object {{\"default\", \"weekly\", "
                         "\"periods\"}}, found {}",
                         describe(v)));
    return st;
  }
  st.unlimited = false;
  check_keys(v, kStaffingKeys, p);
  if (member(v, "default") == nullptr && member(v, "weekly") == nullptr) {
    // Without either, periods outside the listed ranges would silently have no agents.
    missing(child(p, "default"), "default",
            "an integer >= 0: the agents outside the listed periods (or give \"weekly\")");
  }
  read_int(v, "default", p, kAgents, st.default_agents);
  if (const json* w = member(v, "weekly")) {
    const std::string wp = child(p, "weekly");
    if (!w->is_array() || w->size() != 7) {
      error(wp, fmt::format("expected an array of exactly 7 integers >= 0 (periods t with t % 7 = 0..6), "
                            "found {}{}",
                            describe(*w), w->is_array() ? fmt::format(" of {} elements", w->size()) : ""));
    } else {
      for (std::size_t i = 0; i < 7; ++i) {
        st.weekly.push_back(static_cast<int>(int_value((*w)[i], child(wp, i), kAgents).value_or(0)));
      }
    }
  }
  if (const json* periods = member(v, "periods")) {
    const std::string pp = child(p, "periods");
    if (expect_object(*periods, pp, "an object of \"FROM-UNTIL\" period ranges to agents")) {
      for (const auto& item : periods->items()) {
        const std::string& key = item.key();
        const std::string kp = child(pp, key);
        const std::size_t dash = key.find('-');
        const auto digits = [](std::string_view s) {
          return !s.empty() && s.size() <= 9 &&
                 std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
        };
        if (dash == std::string::npos || !digits(std::string_view(key).substr(0, dash)) ||
            !digits(std::string_view(key).substr(dash + 1))) {
          error(kp, fmt::format("expected a period range \"FROM-UNTIL\" (integers, FROM <= t < UNTIL, e.g. "
                                "\"0-30\"), found {}",
                                quote(key)));
          continue;
        }
        Staffing::Range r;
        r.from = std::stoi(key.substr(0, dash));
        r.until = std::stoi(key.substr(dash + 1));
        if (r.from >= r.until) {
          error(kp, fmt::format("empty period range {}: FROM must be less than UNTIL (periods FROM <= t < UNTIL)",
                                quote(key)));
          continue;
        }
        const auto n = int_value(item.value(), kp, kAgents);
        if (!n) continue;
        r.agents = static_cast<int>(*n);
        st.ranges.push_back(r);
      }
      // Ranges must not overlap, so the key order (alphabetical in JSON) never matters.
      std::sort(st.ranges.begin(), st.ranges.end(),
                [](const Staffing::Range& a, const Staffing::Range& b) { return a.from < b.from; });
      for (std::size_t i = 1; i < st.ranges.size(); ++i) {
        const auto& a = st.ranges[i - 1];
        const auto& b = st.ranges[i];
        if (b.from < a.until) {
          error(pp, fmt::format("period ranges \"{}-{}\" and \"{}-{}\" overlap; each period may be listed once", a.from,
                                a.until, b.from, b.until));
        }
      }
    }
  }
  return st;
}

void Reader::read_churn(const json& doc) {
  const json* v = member(doc, "churn");
  if (v == nullptr || !expect_object(*v, "/churn", "an object")) return;
  check_keys(*v, kChurnKeys, "/churn");
  read_number(*v, "sentiment", "/churn", kFinite, s_.churn.sentiment);
  read_number(*v, "open_issue", "/churn", kFinite, s_.churn.open_issue);
  read_number(*v, "bad_experiences", "/churn", kFinite, s_.churn.bad_experiences);
  read_number(*v, "effort", "/churn", kFinite, s_.churn.effort);
}

void Reader::read_interventions(const json& doc) {
  for_each_item(
      doc, "interventions", "", "interventions", /*required=*/false,
      [&](const std::string& id, const json& v, const std::string& p) {
        Intervention iv;
        iv.id = id;
        check_keys(v, kInterventionKeys, p);
        read_string(v, "description", p, iv.description);
        if (const json* t = member(v, "trigger")) {
          read_trigger(*t, child(p, "trigger"), iv.trigger);
        } else {
          missing(child(p, "trigger"), "trigger", "an object with one of: " + list_names(kTriggerKeys));
        }
        if (const json* t = member(v, "target")) {
          const std::string tp = child(p, "target");
          if (!t->is_array() || t->empty()) {
            error(tp, fmt::format("expected a non-empty array of segment ids (omit target to reach every segment), "
                                  "found {}",
                                  describe(*t)));
          } else {
            std::set<std::string> listed;
            for (std::size_t i = 0; i < t->size(); ++i) {
              const json& e = (*t)[i];
              if (!e.is_string()) {
                error(child(tp, i), fmt::format("expected a segment id, found {}", describe(e)));
              } else if (!listed.insert(e.get<std::string>()).second) {
                error(child(tp, i), fmt::format("segment {} is listed twice in target", quote(e.get<std::string>())));
              } else if (resolve(e.get<std::string>(), child(tp, i), IdKind::kSegment, "target")) {
                iv.target.push_back(e.get<std::string>());
              }
            }
          }
        }
        read_probability(v, "coverage", p, iv.coverage);
        if (member(v, "capacity_per_period") != nullptr) {
          std::int64_t capacity = 0;
          if (read_int(v, "capacity_per_period", p, IntRange{0, kMaxCustomers}, capacity)) {
            iv.capacity_per_period = capacity;
          }
        }
        if (const json* e = member(v, "effect")) {
          read_effect(*e, child(p, "effect"), iv.effect);
          if (iv.effect.failure_multiplier && member(v, "trigger") != nullptr &&
              iv.trigger.kind != TriggerKind::kOnVisit) {
            sink_.warning(child(child(p, "effect"), "failure_multiplier"),
                          "a single failure_multiplier applies to the triggering visit, so it only acts with an "
                          "on_visit trigger; use {\"touchpoint\": multiplier} to apply it for `duration` periods");
          } else if (iv.effect.failure_multiplier && iv.capacity_per_period) {
            sink_.warning(child(child(p, "effect"), "failure_multiplier"),
                          "a capacity-limited intervention treats its customers in the period after the trigger, "
                          "when the triggering visit is over, so a single failure_multiplier never acts; use "
                          "{\"touchpoint\": multiplier} to apply it for `duration` periods");
          }
        } else {
          missing(child(p, "effect"), "effect", "an object with at least one of: " + list_names(kEffectKeys));
        }
        read_number(v, "cost_per_use", p, kNonNegative, iv.cost_per_use);
        read_number(v, "salience", p, kNonNegative, iv.salience);
        s_.interventions.push_back(std::move(iv));
      });
}

void Reader::read_trigger(const json& v, const std::string& p, Trigger& out) {
  if (!expect_object(v, p, "an object with exactly one of: " + list_names(kTriggerKeys))) return;
  check_keys(v, kTriggerKeys, p);
  std::vector<std::string> kinds;
  for (const auto& k : kTriggerKeys) {
    if (member(v, k) != nullptr) kinds.push_back(k);
  }
  if (kinds.size() != 1) {
    error(p, kinds.empty()
                 ? fmt::format("expected exactly one trigger, found none; use one of: {}", list_names(kTriggerKeys))
                 : fmt::format("expected exactly one trigger, found {} ({}); split it into one intervention per "
                               "trigger",
                               kinds.size(), list_names(kinds)));
    return;
  }
  const std::string& kind = kinds.front();
  const json& arg = *member(v, kind);
  const std::string ap = child(p, kind);
  if (kind == "on_visit" || kind == "on_failure") {
    out.kind = kind == "on_visit" ? TriggerKind::kOnVisit : TriggerKind::kOnFailure;
    if (!arg.is_string()) {
      error(ap, fmt::format("expected a touchpoint id, found {}", describe(arg)));
    } else if (resolve_visitable(arg.get<std::string>(), ap, "trigger " + kind,
                                 "exits are never visited, so it would never fire")) {
      out.touchpoint = arg.get<std::string>();
    }
  } else if (kind == "after_contact") {
    out.kind = TriggerKind::kAfterContact;
    const auto it =
        arg.is_string() ? std::find(kOutcomes.begin(), kOutcomes.end(), arg.get<std::string>()) : kOutcomes.end();
    if (it == kOutcomes.end()) {
      const auto hint = arg.is_string() ? suggest(arg.get<std::string>(), kOutcomes) : std::nullopt;
      error(ap, fmt::format("expected \"resolved\", \"unresolved\" or \"abandoned\", found {}{}", describe(arg),
                            hint ? fmt::format("; did you mean \"{}\"?", *hint) : ""));
    } else {
      out.outcome = static_cast<ContactOutcome>(it - kOutcomes.begin());
    }
  } else if (kind == "sentiment_below") {
    out.kind = TriggerKind::kSentimentBelow;
    out.threshold = number_value(arg, ap, kSignedUnit, "a sentiment").value_or(0.0);
  } else if (kind == "risk_above") {
    out.kind = TriggerKind::kRiskAbove;
    out.threshold = number_value(arg, ap, kUnit, "a probability").value_or(0.0);
  } else if (kind == "issue_age_above") {
    out.kind = TriggerKind::kIssueAgeAbove;
    out.issue_age = static_cast<int>(int_value(arg, ap, IntRange{0, kIntMax}).value_or(0));
  } else {
    out.kind = TriggerKind::kPeriodic;
    if (!expect_object(arg, ap, "an object {\"every\": integer, \"from\": integer, \"until\": integer}")) return;
    check_keys(arg, kPeriodicKeys, ap);
    read_int(arg, "every", ap, IntRange{1, kIntMax}, out.every, /*required=*/true);
    const bool from_ok = read_int(arg, "from", ap, IntRange{0, kIntMax}, out.from);
    if (member(arg, "until") != nullptr) {
      read_int(arg, "until", ap, IntRange{from_ok ? out.from + 1LL : 1LL, kIntMax}, out.until);
    }
  }
}

void Reader::read_effect(const json& v, const std::string& p, Effect& out) {
  if (!expect_object(v, p, "an object")) return;
  if (v.empty()) {
    error(p, "an empty effect does nothing; give at least one of: " + list_names(kEffectKeys));
    return;
  }
  check_keys(v, kEffectKeys, p);
  if (const json* m = member(v, "failure_multiplier")) {
    const std::string mp = child(p, "failure_multiplier");
    if (m->is_object()) {
      if (m->empty()) {
        error(mp, "expected at least one touchpoint id with its multiplier, found an empty object");
      } else if (read_weighted_ids(*m, mp, kNonNegative, "a multiplier", "", out.failure_multipliers)) {
        for (const auto& [id, factor] : out.failure_multipliers) {
          resolve_visitable(id, child(mp, id), "failure_multiplier", "exits are never visited");
        }
      }
    } else {
      const auto x = number_value(*m, mp, kNonNegative, "a multiplier (or an object of touchpoint ids to them)");
      if (x) out.failure_multiplier = *x;
    }
  }
  read_number(v, "sentiment_boost", p, Range{-2.0, 2.0}, out.sentiment_boost);
  read_number(v, "effort_change", p, kFinite, out.effort_change);
  read_bool(v, "close_issue", p, out.close_issue);
  if (member(v, "hazard_multiplier") != nullptr) {
    double factor = 1.0;
    if (read_number(v, "hazard_multiplier", p, kNonNegative, factor, "a multiplier")) out.hazard_multiplier = factor;
  }
  read_int(v, "duration", p, IntRange{1, kIntMax}, out.duration);
  if (const json* q = member(v, "quality")) {
    if (q->is_number()) {
      if (const auto x = number_value(*q, child(p, "quality"), kSignedUnit, "a quality"))
        out.quality = NormalSpec{*x, 0.0};
    } else {
      NormalSpec spec;
      if (q->is_object()) {
        if (read_normal(v, "quality", p, spec)) out.quality = spec;
      } else {
        error(child(p, "quality"),
              fmt::format("expected a quality in [-1, 1] or an object {{\"mean\", \"sd\"}}, found {}", describe(*q)));
      }
    }
  }
}

void Reader::read_nps(const json& doc) {
  const json* v = member(doc, "nps");
  if (v == nullptr || !expect_object(*v, "/nps", "an object")) return;
  check_keys(*v, kNpsKeys, "/nps");
  read_number(*v, "noise_sd", "/nps", kNonNegative, s_.nps.noise_sd);
  read_int(*v, "report_every", "/nps", IntRange{1, kIntMax}, s_.nps.report_every);
}

bool only_whitespace(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// UTF-16 and UTF-32 text (Windows editors and spreadsheets write it) by its byte order mark, or by
// the zero bytes ASCII characters have in it; nullptr for anything else.
const char* wide_encoding(std::string_view text) {
  const auto starts = [&text](std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; };
  using namespace std::string_view_literals;
  if (starts("\xFF\xFE\0\0"sv) || starts("\0\0\xFE\xFF"sv)) return "UTF-32";
  if (starts("\xFF\xFE"sv) || starts("\xFE\xFF"sv)) return "UTF-16";
  if (text.size() >= 4 && (text[0] == '\0' || text[1] == '\0')) {
    return text[0] == '\0' && text[1] == '\0' ? "UTF-32" : (text[2] == '\0' && text[3] == '\0') ? "UTF-32" : "UTF-16";
  }
  return nullptr;
}

// Schema errors first, then the loader's. Both check types, ranges and keys, and the loader's
// message is the more specific one (it knows the ids and says how to fix it), so a schema error is
// kept only where the loader found nothing wrong at that value or inside it.
DiagnosticSink merge_schema_diagnostics(const DiagnosticSink& schema, const DiagnosticSink& loader) {
  std::set<std::string> flagged;
  for (const auto& d : loader.all()) {
    if (d.severity == Severity::kError) flagged.insert(d.pointer);
  }
  DiagnosticSink all(loader.file());
  for (const auto& d : schema.all()) {
    const std::string prefix = d.pointer + "/";
    const auto below = flagged.lower_bound(prefix);
    const bool covered =
        flagged.count(d.pointer) > 0 || (below != flagged.end() && below->compare(0, prefix.size(), prefix) == 0);
    if (!covered) all.error(d.pointer, d.message);
  }
  for (const auto& d : loader.all()) {
    if (d.severity == Severity::kError) {
      all.error(d.pointer, d.message);
    } else {
      all.warning(d.pointer, d.message);
    }
  }
  return all;
}

std::string size_limit_message(std::uintmax_t size, std::string_view kind) {
  return fmt::format("file is {} bytes, larger than the limit of {} bytes (16 MiB) for a {}", size, kMaxScenarioBytes,
                     kind);
}

// Reads a whole file of at most kMaxScenarioBytes; problems go to `sink` (which throws).
std::string read_text_file(const std::string& path, std::string_view kind, DiagnosticSink& sink) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) {
    sink.error("", fmt::format("cannot open {} file: no such file", kind));
  } else if (ec) {
    sink.error("", fmt::format("cannot open {} file: {}", kind, ec.message()));
  } else if (fs::is_directory(status)) {
    sink.error("", fmt::format("is a directory, expected a {} file (JSON)", kind));
  } else if (fs::is_regular_file(status)) {
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) {
      sink.error("", fmt::format("cannot read {} file: {}", kind, ec.message()));
    } else if (size > kMaxScenarioBytes) {
      sink.error("", size_limit_message(size, kind));
    }
  }
  sink.throw_if_errors();

  // Read at most one byte past the limit: a file that grew since the stat still fails cleanly.
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    sink.error("", fmt::format("cannot open {} file: {}", kind, std::strerror(errno)));
    sink.throw_if_errors();
  }
  std::string text;
  char buffer[1 << 16];
  std::size_t n = 0;
  while (text.size() <= kMaxScenarioBytes && (n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
    text.append(buffer, n);
  }
  const bool read_failed = std::ferror(f) != 0;
  std::fclose(f);
  if (read_failed) {
    sink.error("", fmt::format("cannot read {} file: read error", kind));
  } else if (text.size() > kMaxScenarioBytes) {
    sink.error("", fmt::format("file is larger than the limit of {} bytes (16 MiB) for a {}", kMaxScenarioBytes, kind));
  }
  sink.throw_if_errors();
  return text;
}

// Size, emptiness and JSON checks of a document's text; problems go to `sink` (which throws).
json parse_document_text(std::string_view text, std::string_view kind, DiagnosticSink& sink) {
  if (text.size() > kMaxScenarioBytes) {
    sink.error("", size_limit_message(text.size(), kind));
    sink.throw_if_errors();
  }
  if (only_whitespace(text)) {
    sink.error("", "empty file, expected a JSON object");
    sink.throw_if_errors();
  }
  if (const char* encoding = wide_encoding(text)) {
    sink.error("", fmt::format("the file is encoded as {}; JSON {}s must be UTF-8: save it as UTF-8 "
                               "(\"UTF-8\" or \"UTF-8 without BOM\" in the editor's or spreadsheet's save options)",
                               encoding, kind));
    sink.throw_if_errors();
  }
  std::optional<json> doc = parse_json(text, sink);
  sink.throw_if_errors();
  return std::move(*doc);
}

// Reads a parsed document into a Scenario: the JSON Schema first (types, ranges, required and
// unknown keys), then the loader's semantic checks; problems go to a sink that throws.
Scenario validate_document(const json& original, DiagnosticSink& sink, std::vector<Diagnostic>* warnings) {
  // check_schema rewrites integral floats (5.0) as integers, as JSON Schema reads them; the loader
  // then reads the same rewritten copy, so both agree on what is an integer.
  json doc = original;
  DiagnosticSink schema_sink(sink.file());
  check_schema(SchemaKind::kScenario, doc, schema_sink);
  Scenario scenario;
  try {
    Reader reader(sink);
    scenario = reader.read(doc);
    if (reader.journey_ids_ok() && !scenario.journey.touchpoints.empty()) check_journey(scenario, sink);
  } catch (const json::exception& e) {
    // The reader checks types before every access; this is a safety net, not a code path.
    sink.error("", fmt::format("could not read the document: {}", printable(e.what())));
  }
  scenario.file = sink.file();
  merge_schema_diagnostics(schema_sink, sink).throw_if_errors();
  scenario.content_hash = fnv1a64(doc.dump(-1, ' ', false, json::error_handler_t::replace));
  if (warnings != nullptr) {
    for (const auto& d : sink.all()) {
      if (d.severity == Severity::kWarning) warnings->push_back(d);
    }
  }
  return scenario;
}

// RFC 6901 reference tokens of a pointer ("/a~1b/c" -> {"a/b", "c"}); nullopt when malformed.
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

// An array index token: "0" or digits without a leading zero (RFC 6901, section 4).
std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0')) return std::nullopt;
  if (!std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(std::stoul(token));
}

// True when `pointer` is `prefix` or lies below it.
bool pointer_within(const std::string& pointer, const std::string& prefix) {
  return pointer.size() >= prefix.size() && pointer.compare(0, prefix.size(), prefix) == 0 &&
         (pointer.size() == prefix.size() || pointer[prefix.size()] == '/');
}

constexpr const char* kCommandLine = "<command line>";

}  // namespace

int Staffing::agents_at(int period) const {
  for (const auto& r : ranges) {
    if (r.from <= period && period < r.until) return r.agents;
  }
  if (!weekly.empty()) return weekly[static_cast<std::size_t>(((period % 7) + 7) % 7)];
  return default_agents;
}

Scenario parse_scenario(std::string_view text, const std::string& file, std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink(file);
  const json doc = parse_document_text(text, "scenario", sink);
  return validate_document(doc, sink, warnings);
}

Scenario load_scenario(const std::string& path, std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink(path);
  const std::string text = read_text_file(path, "scenario", sink);
  return parse_scenario(text, path, warnings);
}

json read_json_document(const std::string& path, std::string_view kind) {
  DiagnosticSink sink(path);
  const std::string text = read_text_file(path, kind, sink);
  return parse_document_text(text, kind, sink);
}

Scenario scenario_from_document(const json& doc, const std::string& file, std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink(file);
  return validate_document(doc, sink, warnings);
}

Assignment parse_assignment(std::string_view text) {
  DiagnosticSink sink(kCommandLine);
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    const std::string pointer = !text.empty() && text[0] == '/' ? std::string(text) : std::string();
    sink.error(pointer, fmt::format("--set {}: expected POINTER=VALUE, e.g. /population/customers=20000", quote(text)));
    sink.throw_if_errors();
  }
  Assignment a{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  if (!pointer_tokens(a.pointer)) {
    sink.error(a.pointer, fmt::format("--set: {} is not a JSON pointer to a value in the scenario; expected "
                                      "\"/key/key...\" (RFC 6901: starts with '/', '~' only as \"~0\" or \"~1\")",
                                      quote(a.pointer)));
  }
  sink.throw_if_errors();
  return a;
}

void apply_assignments(json& doc, const std::vector<Assignment>& assignments) {
  DiagnosticSink sink(kCommandLine);
  for (const Assignment& a : assignments) {
    const auto tokens = pointer_tokens(a.pointer);
    if (!tokens) {
      sink.error(a.pointer, fmt::format("--set: {} is not a JSON pointer starting with '/'", quote(a.pointer)));
      continue;
    }
    json value = json::parse(a.value_text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) value = a.value_text;  // not JSON: a plain string

    json* node = &doc;
    std::string at;  // pointer of *node
    bool ok = true;
    for (std::size_t i = 0; i < tokens->size() && ok; ++i) {
      const std::string& token = (*tokens)[i];
      const bool last = i + 1 == tokens->size();
      if (node->is_object()) {
        const auto it = node->find(token);
        if (last) {
          (*node)[token] = value;
        } else if (it == node->end()) {
          std::vector<std::string> keys;
          for (const auto& item : node->items()) keys.push_back(item.key());
          const auto hint = closest_name(token, keys);
          sink.error(a.pointer, fmt::format("--set: {} has no key {}{}", at.empty() ? "the document" : at, quote(token),
                                            hint ? fmt::format("; did you mean \"{}\"?", *hint) : ""));
          ok = false;
        } else {
          node = &*it;
        }
      } else if (node->is_array()) {
        const auto index = array_index(token);
        if (!index || *index >= node->size()) {
          sink.error(a.pointer, fmt::format("--set: {} is an array of {} elements; {} is not one of its indices", at,
                                            node->size(), quote(token)));
          ok = false;
        } else if (last) {
          (*node)[*index] = value;
        } else {
          node = &(*node)[*index];
        }
      } else {
        sink.error(a.pointer, fmt::format("--set: {} is {}, which has no member {}", at.empty() ? "the document" : at,
                                          describe(*node), quote(token)));
        ok = false;
      }
      at = child(at, token);
    }
  }
  sink.throw_if_errors();
}

std::vector<Diagnostic> attribute_to_assignments(std::vector<Diagnostic> diagnostics,
                                                 const std::vector<Assignment>& assignments) {
  for (Diagnostic& d : diagnostics) {
    // The last assignment at or above the diagnostic's pointer is the one whose value is there.
    for (auto a = assignments.rbegin(); a != assignments.rend(); ++a) {
      if (!pointer_within(d.pointer, a->pointer)) continue;
      d.message = fmt::format("--set {}={}: {}", a->pointer, a->value_text, d.message);
      d.file = kCommandLine;
      break;
    }
  }
  return diagnostics;
}

Scenario load_edited_scenario(const std::string& path, const std::vector<Assignment>& assignments,
                              std::vector<Diagnostic>* warnings) {
  json doc = read_json_document(path, "scenario");
  apply_assignments(doc, assignments);
  std::vector<Diagnostic> found;
  try {
    Scenario s = scenario_from_document(doc, path, &found);
    if (warnings != nullptr) {
      for (auto& d : attribute_to_assignments(std::move(found), assignments)) warnings->push_back(std::move(d));
    }
    return s;
  } catch (const InputError& e) {
    throw InputError(attribute_to_assignments(e.diagnostics(), assignments));
  }
}

std::string describe_json(const json& value) { return describe(value); }

void check_known_keys(const json& object, const std::vector<std::string>& allowed, const std::string& pointer,
                      DiagnosticSink& sink) {
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const auto hint = suggest(key, allowed);
    sink.error(child(pointer, key),
               hint ? fmt::format("unknown key {}; did you mean \"{}\"?", quote(key), *hint)
                    : fmt::format("unknown key {}; expected one of: {}", quote(key), list_names(allowed)));
  }
}

std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string>& candidates) {
  return suggest(word, candidates);
}

std::string pointer_child(const std::string& pointer, std::string_view key) { return child(pointer, key); }

const std::vector<AcceptedKeys>& accepted_keys() {
  static const std::vector<AcceptedKeys> keys = {
      {"", &kTopKeys},
      {"/population", &kPopulationKeys},
      {"/economics", &kEconomicsKeys},
      {"/segments/*", &kSegmentKeys},
      {"/segments/*/initial_sentiment", &kNormalKeys},
      {"/segments/*/hazard", &kHazardKeys},
      {"/journey", &kJourneyKeys},
      {"/journey/touchpoints/*", &kTouchpointKeys},
      {"/journey/touchpoints/*/quality", &kNormalKeys},
      {"/service", &kServiceKeys},
      {"/service/channels/*", &kChannelKeys},
      {"/service/channels/*/agents", &kStaffingKeys},
      {"/service/channels/*/quality", &kNormalKeys},
      {"/churn", &kChurnKeys},
      {"/interventions/*", &kInterventionKeys},
      {"/interventions/*/trigger", &kTriggerKeys},
      {"/interventions/*/trigger/periodic", &kPeriodicKeys},
      {"/interventions/*/effect", &kEffectKeys},
      {"/interventions/*/effect/quality", &kNormalKeys},
      {"/nps", &kNpsKeys},
  };
  return keys;
}

const std::vector<std::string>& exit_touchpoint_keys() { return kExitKeys; }

void check_run_size(const Scenario& s) {
  DiagnosticSink sink("<command line>");
  const auto check = [&sink](const char* pointer, const char* name, std::int64_t value, std::int64_t lo,
                             std::int64_t hi) {
    if (value < lo || value > hi) {
      sink.error(pointer,
                 fmt::format("{} = {} (from the command line): expected an integer in [{}, {}]", name, value, lo, hi));
    }
  };
  check("/population/customers", "customers", s.customers, 1, kMaxCustomers);
  check("/replications", "replications", s.replications, 1, kMaxReplications);
  check("/horizon_periods", "horizon_periods", s.horizon_periods, 1, kMaxHorizon);
  sink.throw_if_errors();
}

}  // namespace cxsim
