#pragma once
// Output files are written atomically: the content goes to a temporary file in the same directory,
// is flushed to disk (fsync), and is renamed over the target, so an error or an interrupt never
// leaves a partial result file behind.
#include <stdexcept>
#include <string>

namespace cxsim {

// A failure to write output (missing directory, no permission, full disk): exit code 1.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `contents` to `path` atomically; throws OutputError naming the path and the OS reason.
void write_file_atomic(const std::string& path, const std::string& contents);

// Creates directory `path` (and parents) if missing; throws OutputError when impossible.
void ensure_directory(const std::string& path);

}  // namespace cxsim
