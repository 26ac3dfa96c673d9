#include "diagnostic_sink.hpp"

#include <algorithm>

namespace cxsim {

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.file;
  out += ':';
  out += d.pointer.empty() ? std::string("(document)") : d.pointer;
  out += d.severity == Severity::kError ? ": error: " : ": warning: ";
  out += d.message;
  return out;
}

static std::string summarize(const std::vector<Diagnostic>& diagnostics) {
  const auto errors = std::count_if(diagnostics.begin(), diagnostics.end(),
                                    [](const Diagnostic& d) { return d.severity == Severity::kError; });
  std::string out = "invalid input (" + std::to_string(errors) + (errors == 1 ? " error)" : " errors)");
  for (const auto& d : diagnostics) out += "\n" + format_diagnostic(d);
  return out;
}

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(summarize(diagnostics)), diagnostics_(std::move(diagnostics)) {}

void DiagnosticSink::error(std::string pointer, std::string message) {
  diagnostics_.push_back({Severity::kError, file_, std::move(pointer), std::move(message)});
}

void DiagnosticSink::warning(std::string pointer, std::string message) {
  diagnostics_.push_back({Severity::kWarning, file_, std::move(pointer), std::move(message)});
}

bool DiagnosticSink::has_errors() const {
  return std::any_of(diagnostics_.begin(), diagnostics_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

void DiagnosticSink::throw_if_errors() const {
  if (has_errors()) throw InputError(diagnostics_);
}

}  // namespace cxsim
