// Checkpoints: exact round trip of replication results (doubles to the bit, NaN and infinities),
// refusal of corrupted, foreign and other-version checkpoints, and resumed runs whose result file
// is identical to the bytes of an uninterrupted run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "cxsim/checkpoint.hpp"
#include "cxsim/report.hpp"
#include "cxsim/version.hpp"
#include "hash.hpp"
#include "io.hpp"

namespace fs = std::filesystem;

namespace {

const char* kScenario = R"({"name": "checkpoint", "seed": 7, "horizon_periods": 40, "replications": 5,
  "population": {"customers": 3001, "acquisition": 7.5, "referrals_join": true}, "warmup_periods": 10,
  "segments": {"a": {"share": 1, "initial_sentiment": {"mean": 0.5, "sd": 0.3}, "revenue_per_period": 2, "referral_rate": 0.002,
                     "hazard": {"base": 0.002, "frailty_variance": 0.5}, "self_resolve": 0.05}},
  "journey": {"entry": "use", "touchpoints": {
    "use": {"quality": {"mean": 0.6, "sd": 0.2}, "failure": 0.05, "survey_rate": 0.02, "next": {"use": 9, "bill": 1}},
    "bill": {"quality": {"mean": 0.4, "sd": 0.2}, "failure": 0.2, "next": {"use": 0.97, "gone": 0.03}},
    "gone": {"exit": true}}},
  "service": {"channels": {
    "phone": {"share": 0.7, "agents": 1, "aht_minutes": 12, "fcr": 0.7, "cost_per_agent_period": 100},
    "web": {"share": 0.3, "agents": null, "fcr": 0.3}}}})";

std::uint64_t bits(double x) {
  std::uint64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Same doubles to the bit (NaN equals NaN; -0.0 differs from 0.0).
void expect_same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i])) {
      EXPECT_TRUE(std::isnan(b[i])) << "element " << i;
    } else {
      EXPECT_EQ(bits(a[i]), bits(b[i])) << "element " << i << ": " << a[i] << " vs " << b[i];
    }
  }
}

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("cxsim_cp_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// The pointer of the first error an InputError carries ("<none>" when nothing was thrown).
template <typename Fn>
std::string error_pointer(Fn fn) {
  try {
    fn();
  } catch (const cxsim::InputError& e) {
    return e.diagnostics().empty() ? std::string("<empty>") : e.diagnostics().front().pointer;
  }
  return "<none>";
}

struct Fixture {
  cxsim::Scenario scenario = cxsim::parse_scenario(kScenario, "inline.json");
};

std::string full_run_json(const Fixture& f) {
  cxsim::RunOptions o;
  o.threads = 2;
  return cxsim::run_report(cxsim::run_simulation(f.scenario, o)).json();
}

}  // namespace

TEST(Checkpoint, DoublesRoundTripToTheBit) {
  std::vector<double> xs = {0.0,
                            -0.0,
                            1.0,
                            0.1,
                            1.0 / 3.0,
                            -2.5e-310,  // subnormal
                            std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::min(),
                            std::numeric_limits<double>::max(),
                            -std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::epsilon(),
                            9007199254740993.0,
                            123456789012345678.0,
                            std::numeric_limits<double>::quiet_NaN(),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity()};
  std::mt19937_64 gen(12345);
  while (xs.size() < 5000) {
    const std::uint64_t b = gen();
    double x = 0.0;
    std::memcpy(&x, &b, sizeof x);
    xs.push_back(x);  // any bit pattern, NaNs and infinities included
  }
  cxsim::Checkpoint cp;
  cp.cxsim_version = cxsim::kVersion;
  cp.run_id = "0123456789abcdef";
  cp.scenario_name = "round \"trip\" \u00e9";
  cxsim::ReplicationResult r;
  r.series["x"] = xs;
  for (std::size_t i = 0; i < 50; ++i) r.metrics["m" + std::to_string(i)] = xs[i];
  r.touchpoints["tp/with~odd id"].values["visits"] = 1e300;
  r.channels["phone"].values["frt_minutes"] = std::nan("");
  r.interventions["iv"].values["uses"] = -0.0;
  cp.replications = {r, cxsim::ReplicationResult{}};

  const cxsim::Checkpoint back = cxsim::parse_checkpoint(cxsim::checkpoint_json(cp), "cp.json");
  EXPECT_EQ(back.cxsim_version, cp.cxsim_version);
  EXPECT_EQ(back.run_id, cp.run_id);
  EXPECT_EQ(back.scenario_name, cp.scenario_name);
  ASSERT_EQ(back.replications.size(), 2u);
  expect_same_bits(back.replications[0].series.at("x"), xs);
  ASSERT_EQ(back.replications[0].metrics.size(), r.metrics.size());
  for (const auto& [name, value] : r.metrics) {
    expect_same_bits({back.replications[0].metrics.at(name)}, {value});
  }
  expect_same_bits({back.replications[0].touchpoints.at("tp/with~odd id").values.at("visits")}, {1e300});
  EXPECT_TRUE(std::isnan(back.replications[0].channels.at("phone").values.at("frt_minutes")));
  expect_same_bits({back.replications[0].interventions.at("iv").values.at("uses")}, {-0.0});
  EXPECT_TRUE(back.replications[1].metrics.empty());
  // Writing what was read gives the same bytes again.
  EXPECT_EQ(cxsim::checkpoint_json(back), cxsim::checkpoint_json(cp));
}

TEST(Checkpoint, CorruptionIsRefused) {
  Fixture f;
  cxsim::Checkpoint cp;
  cp.cxsim_version = cxsim::kVersion;
  cp.run_id = cxsim::run_identity(f.scenario);
  cp.scenario_name = f.scenario.name;
  cxsim::RunOptions o;
  o.replication_count = 1;
  cp.replications = cxsim::run_simulation(f.scenario, o).replications;
  const std::string text = cxsim::checkpoint_json(cp);
  EXPECT_EQ(error_pointer([&] { cxsim::parse_checkpoint(text, "cp.json"); }), "<none>");

  // One changed digit in a value: the checksum no longer matches.
  std::string edited = text;
  const std::size_t at = edited.find("\"revenue\":") + 11;
  edited[at] = edited[at] == '1' ? '2' : '1';
  EXPECT_EQ(error_pointer([&] { cxsim::parse_checkpoint(edited, "cp.json"); }), "/checksum");
  // Truncated (a write cut short, a partial copy): not JSON any more.
  EXPECT_EQ(error_pointer([&] { cxsim::parse_checkpoint(text.substr(0, text.size() / 2), "cp.json"); }), "");
  EXPECT_EQ(error_pointer([&] { cxsim::parse_checkpoint("", "cp.json"); }), "");
  // Checksum removed.
  std::string no_sum = text;
  no_sum.replace(no_sum.find("\"checksum\""), 10, "\"checksuX\"");
  EXPECT_EQ(error_pointer([&] { cxsim::parse_checkpoint(no_sum, "cp.json"); }), "/checksum");
  // A scenario file (or any other JSON) is not a checkpoint.
  EXPECT_EQ(error_pointer([&] { cxsim::parse_checkpoint(kScenario, "cp.json"); }), "");
  // A future format version.
  std::string future = text;
  const std::string current = "\"format_version\":" + std::to_string(cxsim::kCheckpointFormatVersion);
  future.replace(future.find(current), current.size(),
                 "\"format_version\":" + std::to_string(cxsim::kCheckpointFormatVersion + 1));
  EXPECT_EQ(error_pointer([&] { cxsim::parse_checkpoint(future, "cp.json"); }), "/format_version");
  // Deep nesting never recurses far.
  EXPECT_EQ(error_pointer([&] { cxsim::parse_checkpoint(std::string(100000, '[') + std::string(100000, ']'), "c"); }),
            "");
  // A missing file.
  EXPECT_EQ(error_pointer([&] { cxsim::load_checkpoint("/nonexistent/dir/cp.json"); }), "");
}

TEST(Checkpoint, ForeignRunOrVersionIsRefused) {
  Fixture f;
  cxsim::Checkpoint cp;
  cp.cxsim_version = cxsim::kVersion;
  cp.run_id = cxsim::run_identity(f.scenario);
  EXPECT_EQ(error_pointer([&] { cxsim::check_checkpoint_matches(cp, f.scenario, "cp.json"); }), "<none>");

  // Any command-line override that changes the replications changes the identity...
  for (int which = 0; which < 3; ++which) {
    cxsim::Scenario other = f.scenario;
    if (which == 0) other.seed += 1;
    if (which == 1) other.population.customers += 1;
    if (which == 2) other.horizon_periods += 1;
    EXPECT_EQ(error_pointer([&] { cxsim::check_checkpoint_matches(cp, other, "cp.json"); }), "/run_id") << which;
  }
  // ... and so does any change to the scenario's content, even one the engine ignores.
  std::string text = kScenario;
  text.replace(text.find("\"failure\": 0.2"), 14, "\"failure\": 0.21");
  const cxsim::Scenario edited = cxsim::parse_scenario(text, "inline.json");
  EXPECT_EQ(error_pointer([&] { cxsim::check_checkpoint_matches(cp, edited, "cp.json"); }), "/run_id");
  // The replication count is not part of the identity (a run can be extended).
  cxsim::Scenario more = f.scenario;
  more.replications = 9;
  EXPECT_EQ(error_pointer([&] { cxsim::check_checkpoint_matches(cp, more, "cp.json"); }), "<none>");
  // Layout of the file does not matter: the same document reformatted has the same identity.
  std::string spaced = kScenario;
  spaced.replace(spaced.find("\"seed\": 7"), 9, "\"seed\" :\n 7");
  EXPECT_EQ(cxsim::run_identity(cxsim::parse_scenario(spaced, "other.json")), cp.run_id);

  cp.cxsim_version = "0.0.1";
  EXPECT_EQ(error_pointer([&] { cxsim::check_checkpoint_matches(cp, f.scenario, "cp.json"); }), "/cxsim_version");
}

// Interrupt after k replications (the cancel flag, set from on_replication), resume from the
// checkpoint file, and compare the result file with an uninterrupted run's, byte for byte.
TEST(Checkpoint, ResumedRunIsByteIdenticalToUninterrupted) {
  Fixture f;
  TempDir dir;
  const std::string expected = full_run_json(f);
  for (int k : {0, 1, 3, 5}) {
    SCOPED_TRACE("interrupted after " + std::to_string(k) + " replications");
    const std::string path = dir.file("cp" + std::to_string(k) + ".json");
    std::atomic<bool> cancel{k == 0};
    cxsim::RunOptions o;
    o.threads = 2;
    o.cancel = &cancel;
    o.on_replication = [&](int replication, const cxsim::ReplicationResult&) {
      if (replication + 1 == k) cancel.store(true);
    };
    if (k < f.scenario.replications) {
      try {
        cxsim::run_with_checkpoint(f.scenario, o, nullptr, path);
        ADD_FAILURE() << "not interrupted";
      } catch (const cxsim::Interrupted& e) {
        EXPECT_EQ(e.replication(), k);
        EXPECT_EQ(e.period(), -f.scenario.warmup_periods);  // before the first warm-up period
        EXPECT_EQ(e.replications_done(), k);
      }
    } else {
      cxsim::run_with_checkpoint(f.scenario, o, nullptr, path);
    }
    const cxsim::Checkpoint cp = cxsim::load_checkpoint(path);
    ASSERT_EQ(static_cast<int>(cp.replications.size()), k);
    cxsim::check_checkpoint_matches(cp, f.scenario, path);

    cxsim::RunOptions resume;
    resume.threads = 2;
    int ran = 0;
    resume.on_replication = [&](int, const cxsim::ReplicationResult&) { ++ran; };
    const cxsim::RunResult r = cxsim::run_with_checkpoint(f.scenario, resume, &cp, path);
    EXPECT_EQ(ran, f.scenario.replications - k) << "resume must run only the missing replications";
    EXPECT_TRUE(cxsim::run_report(r).json() == expected) << "resumed result differs from the uninterrupted run";
    EXPECT_EQ(cxsim::load_checkpoint(path).replications.size(), static_cast<std::size_t>(f.scenario.replications));
  }
}

// A cancel between periods stops within the replication; the checkpoint keeps only whole ones.
TEST(Checkpoint, CancelMidReplicationKeepsCompletedOnly) {
  Fixture f;
  TempDir dir;
  const std::string path = dir.file("cp.json");
  std::atomic<bool> cancel{false};
  cxsim::RunOptions o;
  o.threads = 1;
  o.cancel = &cancel;
  int periods = 0;
  o.progress = [&](double) {
    // Progress counts every period run, the warm-up's included.
    if (++periods == (f.scenario.warmup_periods + f.scenario.horizon_periods) * 2 + 17) cancel.store(true);
  };
  try {
    cxsim::run_with_checkpoint(f.scenario, o, nullptr, path);
    FAIL() << "not interrupted";
  } catch (const cxsim::Interrupted& e) {
    EXPECT_EQ(e.replication(), 2);
    EXPECT_EQ(e.period(), 17 - f.scenario.warmup_periods);
  }
  const cxsim::Checkpoint cp = cxsim::load_checkpoint(path);
  EXPECT_EQ(cp.replications.size(), 2u);
  cxsim::RunOptions resume;
  resume.threads = 2;
  EXPECT_TRUE(cxsim::run_report(cxsim::run_with_checkpoint(f.scenario, resume, &cp, "")).json() == full_run_json(f));
}

// A finished run extended with more replications equals a run of that many from the start.
TEST(Checkpoint, ExtendingAFinishedRunMatchesALongerRun) {
  Fixture f;
  TempDir dir;
  const std::string path = dir.file("cp.json");
  cxsim::RunOptions o;
  o.threads = 2;
  cxsim::run_with_checkpoint(f.scenario, o, nullptr, path);
  cxsim::Scenario longer = f.scenario;
  longer.replications = 7;
  const cxsim::Checkpoint cp = cxsim::load_checkpoint(path);
  cxsim::check_checkpoint_matches(cp, longer, path);
  const std::string extended = cxsim::run_report(cxsim::run_with_checkpoint(longer, o, &cp, "")).json();
  EXPECT_TRUE(extended == cxsim::run_report(cxsim::run_simulation(longer, o)).json());
  // And a shorter run uses the first replications of a longer checkpoint.
  cxsim::Scenario shorter = f.scenario;
  shorter.replications = 2;
  EXPECT_TRUE(cxsim::run_report(cxsim::run_with_checkpoint(shorter, o, &cp, "")).json() ==
              cxsim::run_report(cxsim::run_simulation(shorter, o)).json());
}

TEST(Checkpoint, UnwritableCheckpointFailsBeforeRunning) {
  Fixture f;
  cxsim::RunOptions o;
  int ran = 0;
  o.on_replication = [&](int, const cxsim::ReplicationResult&) { ++ran; };
  EXPECT_THROW(cxsim::run_with_checkpoint(f.scenario, o, nullptr, "/nonexistent/dir/cp.json"), cxsim::OutputError);
  EXPECT_EQ(ran, 0);
}

TEST(Hash, Fnv1a64KnownValues) {
  // Reference values of the FNV-1a 64-bit hash (Fowler/Noll/Vo test suite).
  EXPECT_EQ(cxsim::fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(cxsim::fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(cxsim::fnv1a64("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(cxsim::fnv1a64("bar", cxsim::fnv1a64("foo")), cxsim::fnv1a64("foobar"));
  EXPECT_EQ(cxsim::hex64(0x0123456789abcdefull), "0123456789abcdef");
  EXPECT_EQ(cxsim::hex64(0), "0000000000000000");
}
