// Malformed scenarios: every file in tests/data/bad/ (listed with its expected JSON pointer in
// EXPECTED.tsv), plus files generated here that are too large or too deep to commit, must be
// refused by the loader with a diagnostic naming the file and the pointer, and by the command line
// with exit status 2, that diagnostic on stderr, and no result file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cxsim/scenario.hpp"
#include "json_input.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kBadDir = CXSIM_TEST_DATA_DIR "/bad";

struct BadCase {
  std::string path;
  std::string pointer;  // as printed by format_diagnostic; "(document)" for file-level errors
};

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("cxsim_" + tag + "_" + std::to_string(::getpid()) + "_" + (info != nullptr ? info->name() : "x"));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<BadCase> committed_cases() {
  std::vector<BadCase> cases;
  std::ifstream in(kBadDir + "/EXPECTED.tsv");
  EXPECT_TRUE(in.good()) << "cannot read " << kBadDir << "/EXPECTED.tsv";
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    EXPECT_NE(tab, std::string::npos) << "EXPECTED.tsv line without a tab: " << line;
    if (tab == std::string::npos) continue;
    cases.push_back({kBadDir + "/" + line.substr(0, tab), line.substr(tab + 1)});
  }
  return cases;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Files too large or too deep to keep in the repository.
std::vector<BadCase> generated_cases(const fs::path& dir) {
  std::string huge = "{\"name\": \"";
  huge.append(cxsim::kScenarioLimits.max_bytes, 'x');
  huge += "\"}";
  write_file(dir / "too_large.json", huge);
  write_file(dir / "deep_arrays.json", std::string(100000, '[') + std::string(100000, ']'));
  std::string objects;
  for (int i = 0; i < 100; ++i) objects += "{\"a\": ";
  objects += "1";
  objects += std::string(100, '}');
  write_file(dir / "deep_objects.json", objects);
  // 256 segments: one more than a customer's 8-bit segment index holds.
  std::string segments;
  for (int i = 0; i < 256; ++i) segments += (i ? ", \"s" : "\"s") + std::to_string(i) + "\": {\"share\": 0.00390625}";
  write_file(dir / "too_many_segments.json",
             "{\"name\": \"n\", \"population\": {\"customers\": 10}, \"segments\": {" + segments +
                 "}, \"journey\": {\"entry\": \"a\", \"touchpoints\": {\"a\": {\"next\": {\"a\": 1}}}}}");
  return {{(dir / "too_large.json").string(), "(document)"},
          {(dir / "deep_arrays.json").string(), "(document)"},
          {(dir / "deep_objects.json").string(), "(document)"},
          {(dir / "too_many_segments.json").string(), "/segments"}};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "FILE:POINTER: error: " is how format_diagnostic starts a diagnostic about that spot.
std::string expected_prefix(const BadCase& c) { return c.path + ":" + c.pointer + ": error: "; }

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

void expect_loader_reports(const BadCase& c) {
  SCOPED_TRACE(c.path);
  try {
    cxsim::load_scenario(c.path);
    ADD_FAILURE() << "loaded without error: " << c.path;
  } catch (const cxsim::InputError& e) {
    std::string all;
    bool found = false;
    for (const auto& d : e.diagnostics()) {
      const std::string text = cxsim::format_diagnostic(d);
      all += text + "\n";
      found = found || text.rfind(expected_prefix(c), 0) == 0;
    }
    EXPECT_TRUE(found) << "expected a diagnostic starting with " << expected_prefix(c) << ", got:\n" << all;
  }
}

TEST(BadInput, EveryFileIsListedInExpected) {
  std::vector<std::string> listed;
  for (const auto& c : committed_cases()) listed.push_back(fs::path(c.path).filename().string());
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(kBadDir)) {
    const std::string name = entry.path().filename().string();
    if (name == "EXPECTED.tsv") continue;
    ++files;
    EXPECT_NE(std::find(listed.begin(), listed.end(), name), listed.end()) << name << " is not in EXPECTED.tsv";
  }
  EXPECT_EQ(files, listed.size());
  EXPECT_GE(files, 60u);
}

TEST(BadInput, LoaderReportsPath) {
  const auto cases = committed_cases();
  ASSERT_GE(cases.size(), 60u);
  for (const auto& c : cases) expect_loader_reports(c);
}

TEST(BadInput, LoaderRefusesGeneratedHugeAndDeepFiles) {
  TempDir dir("bad_gen");
  for (const auto& c : generated_cases(dir.path())) expect_loader_reports(c);
}

TEST(BadInput, CliExitsTwoWithoutOutput) {
  TempDir dir("bad_cli");
  auto cases = committed_cases();
  for (const auto& c : generated_cases(dir.path())) cases.push_back(c);
  const fs::path out = dir.path() / "out.json";
  const fs::path err = dir.path() / "stderr.txt";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    fs::remove(out);
    const std::string command = std::string(quoted(CXSIM_CLI_PATH)) + " run " + quoted(c.path) + " -o " +
                                quoted(out.string()) + " --quiet > /dev/null 2> " + quoted(err.string());
    const int status = std::system(command.c_str());
    ASSERT_NE(status, -1) << "could not run " << command;
    ASSERT_TRUE(WIFEXITED(status)) << "the command line did not exit normally (signal?): " << command;
    const std::string stderr_text = read_file(err);
    EXPECT_EQ(WEXITSTATUS(status), 2) << stderr_text;
    EXPECT_NE(stderr_text.find(expected_prefix(c)), std::string::npos) << "stderr lacks " << expected_prefix(c) << ":\n"
                                                                       << stderr_text;
    EXPECT_FALSE(fs::exists(out)) << "a result file was written for invalid input";
  }
}

}  // namespace
