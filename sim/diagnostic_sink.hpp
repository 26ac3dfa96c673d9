#pragma once
// Collecting diagnostics while a document is checked, and the invariant check for programmer
// errors. Private: users see Diagnostic and InputError (cxsim/diagnostics.hpp).
#include <string>
#include <utility>
#include <vector>

#include "cxsim/diagnostics.hpp"

namespace cxsim {

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
