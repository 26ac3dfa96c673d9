// Golden results (STYLE.md point 9): every shipped scenario (scenarios/*.json), run small, must give
// the committed result file tests/data/golden/<name>.json byte for byte. Any change to the engine,
// the reports or a scenario that moves a single number shows up here as the first differing line.
//
// When a change is intended, regenerate the files and review the diff before committing:
//   CXSIM_UPDATE_GOLDEN=1 build/tests/cxsim_tests --gtest_filter='*Golden*'
// With CXSIM_UPDATE_GOLDEN=1 the test writes the golden file instead of comparing (and says so).
//
// The run is 3000 customers x 120 periods x 2 replications on 2 threads (a fraction of a second);
// results never depend on the thread count, so the file is the same on any machine that computes
// the same floating-point results (same libm: the reference build is Debian 12's).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cxsim/report.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "io.hpp"
#include "model.hpp"

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kGoldenCustomers = 3000;
constexpr int kGoldenHorizonPeriods = 120;
constexpr int kGoldenReplications = 2;
constexpr int kGoldenThreads = 2;

const std::string kScenarioDir = CXSIM_SOURCE_DIR "/scenarios";
const std::string kGoldenDir = CXSIM_TEST_DATA_DIR "/golden";

// Names (file stems) of the shipped scenarios, sorted.
std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kScenarioDir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool update_requested() {
  const char* v = std::getenv("CXSIM_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

// The result JSON of the small golden run. The scenario's `file` is recorded relative to the
// project root so the bytes do not depend on where the checkout lives.
std::string golden_run(const std::string& name) {
  cxsim::Scenario s = cxsim::load_scenario(kScenarioDir + "/" + name + ".json");
  s.file = "scenarios/" + name + ".json";
  s.population.customers = kGoldenCustomers;
  s.horizon_periods = kGoldenHorizonPeriods;
  s.replications = kGoldenReplications;
  cxsim::apply_overrides(s, {});
  const cxsim::Model model = cxsim::compile_model(s);
  cxsim::RunOptions options;
  options.threads = kGoldenThreads;
  return cxsim::run_report(cxsim::run_simulation(s, options)).json();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// "" when equal; otherwise where the texts first differ, line by line.
std::string first_difference(const std::string& expected, const std::string& actual) {
  if (expected == actual) return "";
  const auto e = lines_of(expected), a = lines_of(actual);
  const std::size_t n = std::min(e.size(), a.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (e[i] != a[i]) {
      return "first difference at line " + std::to_string(i + 1) + ":\n  golden: " + e[i] + "\n  actual: " + a[i];
    }
  }
  if (e.size() != a.size()) {
    return "the files agree on their first " + std::to_string(n) + " lines; golden has " + std::to_string(e.size()) +
           " lines, actual " + std::to_string(a.size());
  }
  return "the files differ only in line endings or a trailing newline";
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, ResultFileMatchesCommittedGolden) {
  const std::string name = GetParam();
  const std::string path = kGoldenDir + "/" + name + ".json";
  const std::string actual = golden_run(name);
  if (update_requested()) {
    cxsim::ensure_directory(kGoldenDir);
    cxsim::write_file_atomic(path, actual);
    std::cout << "[  GOLDEN  ] CXSIM_UPDATE_GOLDEN=1: wrote " << path << '\n';
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "no golden file " << path
                  << "; create it with CXSIM_UPDATE_GOLDEN=1 build/tests/cxsim_tests --gtest_filter='*Golden*'";
  std::ostringstream expected;
  expected << in.rdbuf();
  const std::string difference = first_difference(expected.str(), actual);
  EXPECT_TRUE(difference.empty()) << path << ": the result differs from the golden file; " << difference
                                  << "\nIf the change is intended, regenerate with CXSIM_UPDATE_GOLDEN=1 "
                                     "build/tests/cxsim_tests --gtest_filter='*Golden*' and review the diff.";
}

INSTANTIATE_TEST_SUITE_P(ShippedScenarios, Golden, ::testing::ValuesIn(shipped_scenarios()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// The comparison helper itself: equal texts, a changed line, a missing line.
TEST(GoldenCompare, ReportsTheFirstDifferingLine) {
  EXPECT_EQ(first_difference("a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(first_difference("a\nb\nc\n", "a\nB\nc\n"), "first difference at line 2:\n  golden: b\n  actual: B");
  EXPECT_EQ(first_difference("a\nb\n", "a\n"), "the files agree on their first 1 lines; golden has 2 lines, actual 1");
  EXPECT_EQ(first_difference("a\n", "a"), "the files differ only in line endings or a trailing newline");
}

// Every shipped scenario is found (the suite above would silently shrink if the glob broke).
TEST(GoldenCompare, FindsTheShippedScenarios) {
  const auto names = shipped_scenarios();
  EXPECT_NE(std::find(names.begin(), names.end(), "telecom_subscription"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "ecommerce_retailer"), names.end());
}

}  // namespace
