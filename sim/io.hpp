#pragma once
// Output files are written atomically: the content goes to a temporary file in the same directory,
// is flushed to disk (fsync), and is renamed over the target, so an error or an interrupt never
// leaves a partial result file behind.
#include <string>

#include "cxsim/diagnostics.hpp"

namespace cxsim {

// Writes `contents` to `path` atomically; throws OutputError naming the path and the OS reason
// (missing directory, permission, full disk). An existing target that is not a regular file (a
// pipe, a terminal, /dev/null, /dev/full) is written directly instead, never replaced.
void write_file_atomic(const std::string& path, const std::string& contents);

// Checks, before a long run, that write_file_atomic(path, ...) can succeed: the directory exists
// and a file can be created in it (tried with a temporary file, removed at once), and `path` is
// not a directory. Throws OutputError naming the path and the reason.
void check_output_file(const std::string& path);

// Checks that ensure_directory(path) can succeed: `path` is a directory, or its nearest existing
// ancestor is a writable directory. Creates nothing.
void check_output_directory(const std::string& path);

// Creates directory `path` (and parents) if missing; throws OutputError when impossible.
void ensure_directory(const std::string& path);

// A result file whose directory may not exist yet (`-o`, `--html`): check_output_path checks before
// a long run, creating nothing, that write_output_file can succeed (check_output_file when the
// directory exists, else check_output_directory on it); write_output_file creates the directory
// (and its parents) when missing, then writes the file atomically.
void check_output_path(const std::string& path);
void write_output_file(const std::string& path, const std::string& contents);

}  // namespace cxsim
