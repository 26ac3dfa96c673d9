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

// Collects diagnostics while a document is checked; knows the file name.
class DiagnosticSink {
 public:
  explicit DiagnosticSink(std::string file) : file_(std::move(file)) {}
  void error(std::string pointer, std::string message);
  void warning(std::string pointer, std::string message);
  bool has_errors() const;
  const std::vector<Diagnostic>& all() const { return diagnostics_; }
  const std::string& file() const { return file_; }
  // Throws InputError with everything collected when any error was recorded.
  void throw_if_errors() const;

 private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
};

// Internal invariant check for programmer errors (never for user input): throws std::logic_error.
#define CXSIM_CHECK(cond, msg)                                                                                    \
  do {                                                                                                            \
    if (!(cond))                                                                                                  \
      throw std::logic_error(std::string("cxsim internal check failed: ") + (msg) + " (" #cond ") at " __FILE__); \
  } while (0)

}  // namespace cxsim
