// `--set POINTER=VALUE` (see loader.hpp and cxsim/scenario.hpp): RFC 6901 pointers through
// nlohmann::json_pointer, with errors that name the command line, the pointer and what is there.
#include <fmt/format.h>

#include "cxsim/scenario.hpp"
#include "diagnostic_sink.hpp"
#include "loader.hpp"
#include "messages.hpp"

namespace cxsim {

namespace {

using nlohmann::json;

constexpr const char* kCommandLine = "<command line>";

// An array index token: "0" or digits without a leading zero (RFC 6901, section 4).
std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0')) return std::nullopt;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return static_cast<std::size_t>(std::stoul(token));
}

std::string where(const json::json_pointer& p) { return p.empty() ? "the document" : p.to_string(); }

// Whether `ptr` names an existing value (nlohmann's contains; an array index too large for it to
// represent throws, and does not exist either).
bool exists(const json& doc, const json::json_pointer& ptr) {
  try {
    return doc.contains(ptr);
  } catch (const json::exception&) {
    return false;  // an index nlohmann cannot represent: it does not exist
  }
}

// The value at `ptr` when every token names an existing member; otherwise an error about the first
// token that does not, and nullptr.
json* existing(json& doc, const json::json_pointer& ptr, const Assignment& a, DiagnosticSink& sink) {
  if (exists(doc, ptr)) return &doc.at(ptr);
  json::json_pointer at;
  for (const std::string& token : pointer_tokens(ptr.to_string()).value_or(std::vector<std::string>{})) {
    const json& node = doc.at(at);
    if (!exists(doc, at / token)) {
      if (node.is_object()) {
        std::vector<std::string> keys;
        for (const auto& item : node.items()) keys.push_back(item.key());
        const auto hint = closest_name(token, keys);
        sink.error(a.pointer, fmt::format("--set: {} has no key {}{}", where(at), quote(token),
                                          hint ? fmt::format("; did you mean \"{}\"?", *hint) : ""));
      } else if (node.is_array()) {
        sink.error(a.pointer, fmt::format("--set: {} is an array of {} elements; {} is not one of its indices",
                                          where(at), node.size(), quote(token)));
      } else {
        sink.error(a.pointer,
                   fmt::format("--set: {} is {}, which has no member {}", where(at), describe(node), quote(token)));
      }
      return nullptr;
    }
    at /= token;
  }
  return nullptr;
}

}  // namespace

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
    if (!pointer_tokens(a.pointer)) {
      sink.error(a.pointer, fmt::format("--set: {} is not a JSON pointer starting with '/'", quote(a.pointer)));
      continue;
    }
    json value = json::parse(a.value_text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) value = a.value_text;  // not JSON: a plain string
    const json::json_pointer ptr(a.pointer);
    json* parent = existing(doc, ptr.parent_pointer(), a, sink);
    if (parent == nullptr) continue;
    const std::string& last = ptr.back();
    if (parent->is_object()) {
      (*parent)[last] = std::move(value);
    } else if (parent->is_array()) {
      const auto index = array_index(last);
      if (!index || *index >= parent->size()) {
        sink.error(a.pointer, fmt::format("--set: {} is an array of {} elements; {} is not one of its indices",
                                          where(ptr.parent_pointer()), parent->size(), quote(last)));
        continue;
      }
      (*parent)[*index] = std::move(value);
    } else {
      sink.error(a.pointer, fmt::format("--set: {} is {}, which has no member {}", where(ptr.parent_pointer()),
                                        describe(*parent), quote(last)));
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

}  // namespace cxsim
