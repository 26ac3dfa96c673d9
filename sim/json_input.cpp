// Reading JSON documents safely (see json_input.hpp): size and depth limits, encodings, duplicate
// keys, numbers too large for a double, and syntax errors with line and column.
#include "json_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

#include "cluster.hpp"
#include "diagnostic_sink.hpp"
#include "messages.hpp"

namespace cxsim {

namespace {

using nlohmann::json;

// A first pass over the text with nlohmann's SAX interface, before any tree is built: it tracks
// the path being parsed (for the pointers of duplicate keys and of numbers too large for a double),
// refuses nesting deeper than the limit as soon as it opens, and records syntax errors. Only a
// document that passes is then parsed into a tree (without a parser callback: nlohmann's callback
// parser rescans the parent object after each nested object, quadratic in the number of ids).
class ParseTracker : public nlohmann::json_sax<json> {
 public:
  explicit ParseTracker(int max_depth) : max_depth_(max_depth) {}

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
    if (frames_.size() >= static_cast<std::size_t>(max_depth_)) {
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
  int max_depth_;
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
template <typename Document>
std::optional<Document> parse_json(std::string_view text, const JsonLimits& limits, DiagnosticSink& sink) {
  ParseTracker tracker(limits.max_depth);
  bool complete = false;
  try {
    complete = json::sax_parse(text.begin(), text.end(), &tracker);
  } catch (const json::exception& e) {
    sink.error("", fmt::format("invalid JSON: {}", printable(e.what())));
    return std::nullopt;
  }
  if (tracker.too_deep()) {
    sink.error("", fmt::format("JSON nested deeper than {} levels of objects and arrays; a {} needs at most {}",
                               limits.max_depth, limits.kind, limits.needed_depth));
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
    return Document::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // The first pass accepted the text, so this is a safety net, not a code path.
    sink.error("", fmt::format("invalid JSON: {}", printable(e.what())));
    return std::nullopt;
  }
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

std::string size_limit_message(std::uintmax_t size, const JsonLimits& limits) {
  return fmt::format("file is {} bytes, larger than the limit of {} bytes ({} MiB) for a {}", size, limits.max_bytes,
                     limits.max_bytes >> 20, limits.kind);
}

// Reads a whole file of at most limits.max_bytes; problems go to `sink` (which throws).
std::string read_text_file_here(const std::string& path, const JsonLimits& limits, DiagnosticSink& sink) {
  const std::string_view kind = limits.kind;
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
    } else if (size > limits.max_bytes) {
      sink.error("", size_limit_message(size, limits));
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
  while (text.size() <= limits.max_bytes && (n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
    text.append(buffer, n);
  }
  const bool read_failed = std::ferror(f) != 0;
  std::fclose(f);
  if (read_failed) {
    sink.error("", fmt::format("cannot read {} file: read error", kind));
  } else if (text.size() > limits.max_bytes) {
    sink.error("", fmt::format("file is larger than the limit of {} bytes ({} MiB) for a {}", limits.max_bytes,
                               limits.max_bytes >> 20, kind));
  }
  sink.throw_if_errors();
  return text;
}

// read_text_file_here on rank 0 of a distributed run (cluster.hpp), whose bytes or error every
// process receives: only one process reads the inputs.
std::string read_text_file(const std::string& path, const JsonLimits& limits, DiagnosticSink& sink) {
  return from_rank_zero([&] { return read_text_file_here(path, limits, sink); });
}

// Size, emptiness and JSON checks of a document's text; problems go to `sink` (which throws).
template <typename Document = json>
Document parse_document_text(std::string_view text, const JsonLimits& limits, DiagnosticSink& sink) {
  const std::string_view kind = limits.kind;
  if (text.size() > limits.max_bytes) {
    sink.error("", size_limit_message(text.size(), limits));
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
  std::optional<Document> doc = parse_json<Document>(text, limits, sink);
  sink.throw_if_errors();
  return std::move(*doc);
}

}  // namespace

json read_json_file(const std::string& path, const JsonLimits& limits) {
  DiagnosticSink sink(path);
  const std::string text = read_text_file(path, limits, sink);
  return parse_document_text(text, limits, sink);
}

nlohmann::ordered_json read_ordered_json_file(const std::string& path, const JsonLimits& limits) {
  DiagnosticSink sink(path);
  const std::string text = read_text_file(path, limits, sink);
  return parse_document_text<nlohmann::ordered_json>(text, limits, sink);
}

bool input_file_exists(const std::string& path) {
  return from_rank_zero([&] {
           std::error_code ec;
           return std::string(std::filesystem::is_regular_file(path, ec) ? "1" : "0");
         }) == "1";
}

json parse_json_text(std::string_view text, const std::string& file, const JsonLimits& limits) {
  DiagnosticSink sink(file);
  return parse_document_text(text, limits, sink);
}

}  // namespace cxsim
