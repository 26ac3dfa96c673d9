// Input limits and resource guards: a run that cannot fit in memory is refused with the estimate
// and the memory available (never an out-of-memory kill), and pathological but small-enough files
// (many ids, many unknown references, long ids) are checked in bounded time.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "model.hpp"
#include "run_model.hpp"

namespace fs = std::filesystem;

namespace {

std::string scenario(long long customers, int replications, int horizon) {
  return "{\"name\": \"size\", \"replications\": " + std::to_string(replications) +
         ", \"horizon_periods\": " + std::to_string(horizon) +
         ", \"population\": {\"customers\": " + std::to_string(customers) +
         "}, \"segments\": {\"a\": {\"share\": 1}}, \"journey\": {\"entry\": \"u\", \"touchpoints\": "
         "{\"u\": {\"next\": {\"u\": 1}}}}, \"service\": {\"channels\": {\"phone\": {\"share\": 1, \"agents\": 2}}}}";
}

std::uint64_t estimate(long long customers, int replications, int horizon, int threads) {
  const cxsim::Scenario s = cxsim::parse_scenario(scenario(customers, replications, horizon), "size.json");
  return cxsim::estimate_memory_bytes(cxsim::compile_model(s), threads);
}

}  // namespace

TEST(Limits, MemoryEstimateCountsStateResultsAndThreads) {
  const std::uint64_t base = estimate(1000, 1, 10, 1);
  // 32 bytes of state per customer.
  EXPECT_EQ(estimate(1001000, 1, 10, 1) - base, 1000000u * cxsim::state_bytes_per_customer());
  // Results of every replication: at least 8 bytes per series value (4 + 3 + 4 series with one channel).
  EXPECT_GE(estimate(1000, 101, 1000, 1) - estimate(1000, 1, 1000, 1), 100u * 1000u * 11u * 8u);
  // One tally per worker thread.
  EXPECT_GT(estimate(1000, 1, 1000, 8), estimate(1000, 1, 1000, 2));
}

TEST(Limits, RunThatCannotFitIsRefusedWithBothNumbers) {
  const cxsim::Scenario s = cxsim::parse_scenario(scenario(2000000, 8, 365), "size.json");
  const cxsim::Model m = cxsim::compile_model(s);
  const std::uint64_t need = cxsim::estimate_memory_bytes(m, 2);
  EXPECT_NO_THROW(cxsim::check_memory(s.file, m, 2, need));
  try {
    cxsim::check_memory(s.file, m, 2, need - 1);
    FAIL() << "not refused";
  } catch (const cxsim::InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    const auto& d = e.diagnostics()[0];
    EXPECT_EQ(d.file, "size.json");
    EXPECT_EQ(d.pointer, "/population/customers");
    EXPECT_NE(d.message.find("needs about 0.1"), std::string::npos) << d.message;  // ~64 MiB + 64 MB of state
    EXPECT_NE(d.message.find("GiB available"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("2000000 customers x 32 bytes"), std::string::npos) << d.message;
  }
}

// A distributed run (include/cxsim/cluster.hpp): each process holds its blocks of the initial
// customers, so the estimate is per process, and the processes on one machine share its memory.
TEST(Limits, MemoryEstimateIsPerProcessOfADistributedRun) {
  const cxsim::Scenario s = cxsim::parse_scenario(scenario(1000000, 1, 10), "size.json");
  const cxsim::Model m = cxsim::compile_model(s);
  EXPECT_EQ(cxsim::customers_per_process(m, 1), 1000000u);
  // 245 blocks of 4096 over 3 processes: at most 82 blocks each.
  EXPECT_EQ(cxsim::customers_per_process(m, 3), 82u * 4096u);
  EXPECT_EQ(cxsim::customers_per_process(m, 1000), 4096u);  // a block at most, even for idle processes
  // The state of the customers it does not hold, less the two tallies a distributed process adds to
  // exchange its totals (a few kB for 10 periods).
  const std::uint64_t saved = (1000000u - 82u * 4096u) * cxsim::state_bytes_per_customer();
  const std::uint64_t difference = cxsim::estimate_memory_bytes(m, 1, 1) - cxsim::estimate_memory_bytes(m, 1, 3);
  EXPECT_LE(difference, saved);
  EXPECT_GE(difference, saved - (1u << 20));
  // Four processes on a machine need four times one process's estimate.
  const std::uint64_t one = cxsim::estimate_memory_bytes(m, 2, 1);
  EXPECT_NO_THROW(cxsim::check_memory(s.file, m, 2, 4 * one, 4));
  EXPECT_THROW(cxsim::check_memory(s.file, m, 2, 4 * one - 1, 4), cxsim::InputError);
}

// Through the command line, against this machine's real MemAvailable: 10000 replications of
// 100000 periods keep about 90 TB of results, which no machine has. Refused at once, exit 2.
TEST(Limits, CliRefusesARunNoMachineCanHold) {
  const fs::path dir = fs::temp_directory_path() / ("cxsim_limits_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / "huge.json";
  std::ofstream(file) << scenario(1000, 10000, 100000);
  for (const char* command : {"validate", "run"}) {
    SCOPED_TRACE(command);
    const auto start = std::chrono::steady_clock::now();
    const std::string output = std::string(command) == "run" ? " -o " + (dir / "out.json").string() : "";
    const std::string line = std::string(CXSIM_CLI_PATH) + " " + command + " " + file.string() + output + " 2> " +
                             (dir / "err.txt").string();
    const int status = std::system(line.c_str());
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
    std::ifstream in(dir / "err.txt");
    std::stringstream err;
    err << in.rdbuf();
    EXPECT_NE(err.str().find(file.string() + ":/population/customers: error: this run needs about"), std::string::npos)
        << err.str();
    EXPECT_NE(err.str().find("GiB available"), std::string::npos) << err.str();
    EXPECT_FALSE(fs::exists(dir / "out.json"));
  }
  fs::remove_all(dir);
}

// 20000 touchpoints whose edges all point at ids that do not exist: every reference is reported,
// without comparing each one against every id (that was quadratic: minutes for this file).
TEST(Limits, ManyUnknownReferencesAreCheckedInBoundedTime) {
  std::string tps;
  for (int i = 0; i < 20000; ++i) {
    tps += (i ? ", \"t" : "\"t") + std::to_string(i) + "\": {\"next\": {\"missing" + std::to_string(i) + "\": 1}}";
  }
  const std::string text =
      "{\"name\": \"n\", \"population\": {\"customers\": 10}, \"segments\": {\"a\": "
      "{\"share\": 1}}, \"journey\": {\"entry\": \"t0\", \"touchpoints\": {" +
      tps + "}}}";
  const auto start = std::chrono::steady_clock::now();
  try {
    cxsim::parse_scenario(text, "many.json");
    FAIL() << "accepted";
  } catch (const cxsim::InputError& e) {
    EXPECT_EQ(e.diagnostics().size(), 20000u);
    EXPECT_EQ(e.diagnostics()[0].pointer.rfind("/journey/touchpoints/t0/next/missing0", 0), 0u);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

// A 1 MB unknown key is reported (shortened) without an edit-distance table of its length.
TEST(Limits, HugeUnknownKeyIsReportedQuickly) {
  const std::string key(1 << 20, 'k');
  const std::string text = "{\"" + key +
                           "\": 1, \"name\": \"n\", \"population\": {\"customers\": 10}, "
                           "\"segments\": {\"a\": {\"share\": 1}}, \"journey\": {\"entry\": \"u\", "
                           "\"touchpoints\": {\"u\": {\"next\": {\"u\": 1}}}}}";
  const auto start = std::chrono::steady_clock::now();
  try {
    cxsim::parse_scenario(text, "key.json");
    FAIL() << "accepted";
  } catch (const cxsim::InputError& e) {
    ASSERT_GE(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].pointer, "/" + key);
    EXPECT_LT(e.diagnostics()[0].message.size(), 400u);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}
