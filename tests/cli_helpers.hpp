#pragma once
// Helpers for tests that run the cxsim command line (CXSIM_CLI_PATH) in a scratch directory.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cxsim::testing {

// A fresh directory under the system temp dir, named after the test, removed at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "cli") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("cxsim_" + tag + "_" + std::to_string(::getpid()) + "_" + (info != nullptr ? info->name() : "x"));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A shell word: 'text' with embedded quotes escaped.
inline std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

struct CliResult {
  int status = -1;  // exit status; -1 when the command did not exit normally
  std::string out, err;
};

// Runs the cxsim binary with `args` (already quoted shell words), capturing stdout and stderr in
// files of `dir`.
inline CliResult run_cli(const std::string& args, const std::filesystem::path& dir) {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string command =
      quoted(CXSIM_CLI_PATH) + " " + args + " > " + quoted(out.string()) + " 2> " + quoted(err.string());
  const int status = std::system(command.c_str());
  CliResult r;
  if (status != -1 && WIFEXITED(status)) r.status = WEXITSTATUS(status);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace cxsim::testing
