#pragma once
// Diagnostics about user input: every problem found in a scenario names the file, the JSON pointer
// of the offending value, what was found and what was expected. Loaders collect all of them before
// failing, so a planner fixes a file in one pass.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cxsim {

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;     // path as the user gave it ("<command line>" for overrides)
  std::string pointer;  // RFC 6901 JSON pointer, "" for the whole document
  std::string message;  // what was found and what was expected (and how to fix it, when known)
};

// One reference token of an RFC 6901 JSON pointer: "~" -> "~0", "/" -> "~1".
std::string escape_pointer_token(std::string_view token);

// "file:/json/pointer: error: message" (pointer "" prints as "(document)").
std::string format_diagnostic(const Diagnostic& d);

// Thrown when user input is invalid; carries every error (and warning) that was collected.
// Maps to exit code 2 in the command line.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// A failure to write output (missing directory, no permission, full disk): exit code 1.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cxsim
