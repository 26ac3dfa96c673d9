// The command line never loses a result: SIGINT/SIGTERM stop a run cleanly (exit 130/143, a message
// saying what was interrupted, no output file), a checkpoint resumes to the same bytes, and write
// failures (missing directory, full disk, not a directory) are clear errors with exit code 1.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Long enough that a signal sent after loading always arrives mid-run (several seconds in all).
const char* kLongScenario = R"({"name": "long run", "seed": 3, "horizon_periods": 365, "replications": 20,
  "population": {"customers": 60000},
  "segments": {"a": {"share": 1, "initial_sentiment": {"mean": 0.5, "sd": 0.3}, "revenue_per_period": 1,
                     "hazard": {"base": 0.0005}}},
  "journey": {"entry": "use", "touchpoints": {
    "use": {"quality": {"mean": 0.6, "sd": 0.2}, "failure": 0.02, "next": {"use": 9, "bill": 1}},
    "bill": {"quality": {"mean": 0.4, "sd": 0.2}, "failure": 0.1, "next": {"use": 1}}}},
  "service": {"channels": {"phone": {"share": 1, "agents": 20, "fcr": 0.7}}}})";

const char* kSmallScenario = R"({"name": "small run", "seed": 3, "horizon_periods": 30, "replications": 4,
  "population": {"customers": 2000},
  "segments": {"a": {"share": 1, "initial_sentiment": {"mean": 0.5, "sd": 0.3}, "revenue_per_period": 1,
                     "hazard": {"base": 0.002}}},
  "journey": {"entry": "use", "touchpoints": {
    "use": {"quality": {"mean": 0.6, "sd": 0.2}, "failure": 0.05, "next": {"use": 9, "bill": 1}},
    "bill": {"quality": {"mean": 0.4, "sd": 0.2}, "failure": 0.1, "next": {"use": 1}}}},
  "service": {"channels": {"phone": {"share": 1, "agents": 1, "fcr": 0.7}}}})";

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("cxsim_cli_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write(path("long.json"), kLongScenario);
    write(path("small.json"), kSmallScenario);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static void write(const std::string& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
  }
  static std::string read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Starts the command line with `args`, stdout and stderr to files in the test directory.
  pid_t spawn(const std::vector<std::string>& args) {
    const std::string out = path("stdout.txt"), err = path("stderr.txt");
    const pid_t pid = ::fork();
    if (pid == 0) {
      if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(err.c_str(), "w", stderr)) ::_exit(99);
      std::vector<char*> argv;
      std::string cli = CXSIM_CLI_PATH;
      argv.push_back(cli.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(98);
    }
    return pid;
  }

  // Exit status of a finished child; fails the test when it was killed by a signal.
  static int wait_exit(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) {
      ADD_FAILURE() << "waitpid failed";
      return -1;
    }
    if (!WIFEXITED(status)) {
      ADD_FAILURE() << "the command line did not exit normally (killed by signal "
                    << (WIFSIGNALED(status) ? WTERMSIG(status) : 0) << ")";
      return -1;
    }
    return WEXITSTATUS(status);
  }

  int run(const std::vector<std::string>& args) { return wait_exit(spawn(args)); }
  std::string stderr_text() const { return read(path("stderr.txt")); }

  // Waits until `file` exists (the checkpoint is written before the first replication starts).
  static bool wait_for_file(const std::string& file, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!fs::exists(file)) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  // Waits until process `pid` catches `signal_number` (Linux: the SigCgt mask in /proc/PID/status),
  // i.e. it has loaded the scenario and started the run.
  static bool wait_for_handler(pid_t pid, int signal_number, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      std::ifstream status("/proc/" + std::to_string(pid) + "/status");
      std::string line;
      while (std::getline(status, line)) {
        if (line.rfind("SigCgt:", 0) == 0 &&
            (std::stoull(line.substr(7), nullptr, 16) >> (signal_number - 1) & 1ull) != 0) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  fs::path dir_;
};

}  // namespace

TEST_F(Cli, SigintStopsCleanlyWithoutOutput) {
  const std::string out = path("out.json"), cp = path("cp.json");
  const pid_t pid = spawn({"run", path("long.json"), "-o", out, "--checkpoint", cp, "--quiet", "--threads", "2"});
  ASSERT_TRUE(wait_for_file(cp, std::chrono::seconds(60)));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_EQ(wait_exit(pid), 130);
  const std::string err = stderr_text();
  EXPECT_NE(err.find("interrupted (SIGINT) in replication "), std::string::npos) << err;
  EXPECT_NE(err.find(" of 20 before period "), std::string::npos) << err;
  EXPECT_NE(err.find("no output written"), std::string::npos) << err;
  EXPECT_NE(err.find("--resume " + cp), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << "left behind: " << e.path();
  }
}

TEST_F(Cli, SigtermStopsCleanlyWithoutOutput) {
  const std::string out = path("out.json");
  const std::string csv = path("csv");
  const pid_t pid = spawn({"run", path("long.json"), "-o", out, "--csv", csv, "--quiet", "--threads", "1"});
  ASSERT_TRUE(wait_for_handler(pid, SIGTERM, std::chrono::seconds(60)));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(pid), 143);
  const std::string err = stderr_text();
  EXPECT_NE(err.find("interrupted (SIGTERM) in replication 1 of 20 before period "), std::string::npos) << err;
  EXPECT_NE(err.find("0 replications complete; no output written"), std::string::npos) << err;
  EXPECT_EQ(err.find("--resume"), std::string::npos) << "no checkpoint was asked for: " << err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(csv));
}

TEST_F(Cli, SigintStopsACompareCleanlyWithoutOutput) {
  write(path("batch.json"), R"({"base": "long.json", "variants": {"same": {"patch": {}}}})");
  const std::string out = path("cmp.json"), csv = path("cmp_csv");
  const pid_t pid = spawn({"compare", path("batch.json"), "-o", out, "--csv", csv, "--quiet", "--threads", "1"});
  ASSERT_TRUE(wait_for_handler(pid, SIGINT, std::chrono::seconds(60)));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_EQ(wait_exit(pid), 130);
  const std::string err = stderr_text();
  EXPECT_NE(err.find("interrupted (SIGINT) in replication 1 before period "), std::string::npos) << err;
  EXPECT_NE(err.find("comparison not finished, no output written"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(csv));
}

TEST_F(Cli, SigintStopsASweepCleanlyWithoutOutput) {
  const std::string out = path("sweep.json"), csv = path("sweep_csv");
  const pid_t pid = spawn({"sweep", path("long.json"), "--vary", "/service/channels/phone/agents=20,21", "-o", out,
                           "--csv", csv, "--quiet", "--threads", "1"});
  ASSERT_TRUE(wait_for_handler(pid, SIGINT, std::chrono::seconds(60)));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_EQ(wait_exit(pid), 130);
  EXPECT_NE(stderr_text().find("interrupted (SIGINT) in replication 1 before period "), std::string::npos)
      << stderr_text();
  EXPECT_NE(stderr_text().find("sweep not finished, no output written"), std::string::npos) << stderr_text();
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(csv));
}

TEST_F(Cli, SigtermStopsAnOptimisationCleanlyWithoutOutput) {
  write(path("spec.json"), R"({"base": "long.json", "objective": "net_value",
    "variables": [{"pointer": "/service/channels/phone/agents", "min": 10, "max": 30}]})");
  const std::string out = path("opt.json");
  const pid_t pid = spawn({"optimize", path("spec.json"), "-o", out, "--quiet", "--threads", "1"});
  ASSERT_TRUE(wait_for_handler(pid, SIGTERM, std::chrono::seconds(60)));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(pid), 143);
  EXPECT_NE(stderr_text().find("optimisation not finished, no output written"), std::string::npos) << stderr_text();
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(Cli, SigintAndSigtermStopACalibrationCleanlyWithoutOutput) {
  write(path("spec.json"), R"({"base": "long.json", "targets": [{"metric": "nps", "value": 20, "sd": 2}],
    "parameters": {"/segments/a/hazard/base": {"min": 0.0001, "max": 0.01, "scale": "log"}}})");
  const std::string fitted = path("fitted.json"), report = path("fit.json"), csv = path("fit_csv");
  for (const int signal_number : {SIGINT, SIGTERM}) {
    const pid_t pid = spawn(
        {"calibrate", path("spec.json"), "-o", fitted, "--report", report, "--csv", csv, "--quiet", "--threads", "1"});
    ASSERT_TRUE(wait_for_handler(pid, signal_number, std::chrono::seconds(60)));
    ASSERT_EQ(::kill(pid, signal_number), 0);
    EXPECT_EQ(wait_exit(pid), 128 + signal_number);
    const std::string err = stderr_text();
    EXPECT_NE(err.find(signal_number == SIGINT ? "interrupted (SIGINT)" : "interrupted (SIGTERM)"), std::string::npos)
        << err;
    EXPECT_NE(err.find("calibration not finished, no output written"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(fitted));
    EXPECT_FALSE(fs::exists(report));
    EXPECT_FALSE(fs::exists(csv));
  }
}

TEST_F(Cli, ResumeGivesTheSameBytesAndRefusesAnotherRun) {
  const std::string full = path("full.json"), resumed = path("resumed.json"), cp = path("cp.json");
  ASSERT_EQ(run({"run", path("small.json"), "-o", full, "--quiet", "--threads", "2"}), 0) << stderr_text();
  // A checkpoint of the first 2 replications: the same run with --replications 2.
  ASSERT_EQ(run({"run", path("small.json"), "--replications", "2", "--checkpoint", cp, "--quiet"}), 0);
  ASSERT_EQ(run({"run", path("small.json"), "-o", resumed, "--resume", cp, "--quiet", "--threads", "2"}), 0)
      << stderr_text();
  // Identical but for the invocation block, which records each command line (the resumed one names
  // --resume): drop that line and compare the bytes.
  const auto without_invocation = [](std::string text) {
    const auto at = text.find("\n  \"invocation\": ");
    const auto end = text.find("\n  \"scenario\": ");
    if (at != std::string::npos && end != std::string::npos) text.erase(at, end - at);
    return text;
  };
  EXPECT_NE(read(full).find("\n  \"invocation\": "), std::string::npos);
  EXPECT_TRUE(without_invocation(read(resumed)) == without_invocation(read(full))) << "resumed result differs";

  // Another seed is another run: refused with exit 2, naming the checkpoint; nothing written.
  const std::string other = path("other.json");
  EXPECT_EQ(run({"run", path("small.json"), "--seed", "4", "-o", other, "--resume", cp, "--quiet"}), 2);
  EXPECT_NE(stderr_text().find(cp + ":/run_id: error: checkpoint belongs to another run"), std::string::npos)
      << stderr_text();
  EXPECT_FALSE(fs::exists(other));

  // A corrupted checkpoint: exit 2 and the checksum named.
  std::string text = read(cp);
  text[text.find("\"revenue\":") + 11] ^= 1;
  write(cp, text);
  EXPECT_EQ(run({"run", path("small.json"), "-o", other, "--resume", cp, "--quiet"}), 2);
  EXPECT_NE(stderr_text().find(cp + ":/checksum: error: checksum mismatch"), std::string::npos) << stderr_text();
  EXPECT_FALSE(fs::exists(other));

  // A missing checkpoint.
  EXPECT_EQ(run({"run", path("small.json"), "--resume", path("none.json"), "--quiet"}), 2);
  EXPECT_NE(stderr_text().find("cannot open checkpoint"), std::string::npos) << stderr_text();
}

TEST_F(Cli, FullDiskIsAClearErrorAndTheDeviceStays) {
  struct stat before {};
  ASSERT_EQ(::stat("/dev/full", &before), 0) << "this test needs /dev/full (Linux)";
  ASSERT_TRUE(S_ISCHR(before.st_mode));
  EXPECT_EQ(run({"run", path("small.json"), "-o", "/dev/full", "--quiet"}), 1);
  EXPECT_NE(stderr_text().find("cxsim: error: cannot write /dev/full: No space left on device"), std::string::npos)
      << stderr_text();
  struct stat after {};
  ASSERT_EQ(::stat("/dev/full", &after), 0);
  EXPECT_TRUE(S_ISCHR(after.st_mode)) << "/dev/full must never be replaced by a file";
  EXPECT_EQ(before.st_rdev, after.st_rdev);
  // /dev/null takes the result like any sink.
  EXPECT_EQ(run({"run", path("small.json"), "-o", "/dev/null", "--quiet"}), 0) << stderr_text();
}

TEST_F(Cli, UnwritableOutputsFailBeforeTheRun) {
  // A directory that cannot be created (below a regular file): exit 1 at once (the long scenario
  // would take seconds to run). A merely missing directory is created, as for --csv.
  write(path("plain"), "x");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run({"run", path("long.json"), "-o", path("plain/missing/out.json"), "--quiet"}), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_NE(stderr_text().find("cannot create directory " + path("plain/missing") + ": " + path("plain") +
                               " exists and is not a directory"),
            std::string::npos)
      << stderr_text();
  // An output that is a directory.
  fs::create_directories(path("taken"));
  EXPECT_EQ(run({"run", path("long.json"), "-o", path("taken"), "--quiet"}), 1);
  EXPECT_NE(stderr_text().find("Is a directory"), std::string::npos) << stderr_text();
  // A CSV directory below a regular file.
  EXPECT_EQ(run({"run", path("long.json"), "--csv", path("plain/csv"), "--quiet"}), 1);
  EXPECT_NE(stderr_text().find("exists and is not a directory"), std::string::npos) << stderr_text();
  // A checkpoint in a missing directory.
  EXPECT_EQ(run({"run", path("long.json"), "--checkpoint", path("missing/cp.json"), "--quiet"}), 1);
  EXPECT_NE(stderr_text().find("cannot write " + path("missing/cp.json")), std::string::npos) << stderr_text();
  EXPECT_FALSE(fs::exists(path("missing")));
}

// Permission errors need a user the kernel checks (root may write anywhere), so the directory is
// made unwritable and the test only asserts the error when the check applies to this user.
TEST_F(Cli, ReadOnlyDirectoryIsAClearError) {
  fs::create_directories(path("ro"));
  fs::permissions(path("ro"), fs::perms::owner_read | fs::perms::owner_exec);
  const bool enforced = ::access(path("ro").c_str(), W_OK) != 0;
  const int code = run({"run", path("small.json"), "-o", path("ro/out.json"), "--quiet"});
  fs::permissions(path("ro"), fs::perms::owner_all);
  if (enforced) {
    EXPECT_EQ(code, 1);
    EXPECT_NE(stderr_text().find("Permission denied"), std::string::npos) << stderr_text();
    EXPECT_FALSE(fs::exists(path("ro/out.json")));
  } else {
    EXPECT_EQ(code, 0) << "as root the write succeeds: " << stderr_text();
    EXPECT_TRUE(fs::exists(path("ro/out.json")));
  }
}
