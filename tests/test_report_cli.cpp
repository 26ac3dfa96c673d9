// The reports from the command line (issue 15): `cxsim report RESULT.json [-o PAGE.html]` for run,
// comparison and other result files, `--html` on run and compare, the invocation block every result
// file carries, the comparison console (money lines, rank order, legend) and the papercuts: -o and
// --html create a missing directory, batches given to run and validate, patch ids that match
// nothing, and a resume refused because of a changed --set.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_helpers.hpp"
#include "cxsim/batch.hpp"
#include "cxsim/diagnostics.hpp"

namespace {

namespace fs = std::filesystem;
using cxsim::testing::CliResult;
using cxsim::testing::quoted;
using cxsim::testing::read_file;
using cxsim::testing::run_cli;
using cxsim::testing::TempDir;
using cxsim::testing::write_file;
using nlohmann::ordered_json;

const std::string kBatchDir = CXSIM_TEST_DATA_DIR "/batch";
const std::string kBase = kBatchDir + "/base.json";
const std::string kStaffing = kBatchDir + "/staffing.json";
const std::string kSmall = " --customers 600 --horizon 30 --replications 2 --threads 2";

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// A page cxsim wrote: the three embedded bundles and the chart data.
void expect_page(const std::string& html) {
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count(html, "<script data-cxsim-bundle="), 3u);
  EXPECT_NE(html.find("<script type=\"application/json\" id=\"cxsim-charts\">"), std::string::npos);
}

TEST(ReportCli, RunFileToPageBesideIt) {
  TempDir dir("report");
  const fs::path run = dir.path() / "run.json";
  CliResult r = run_cli("run " + quoted(kBase) + " -o " + quoted(run.string()) + " --quiet" + kSmall, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  // The result file records how it was made, right after cxsim_version.
  const ordered_json doc = ordered_json::parse(read_file(run));
  EXPECT_EQ(std::next(doc.begin()).key(), "invocation");
  const std::string command_line = doc["invocation"]["command_line"];
  EXPECT_EQ(command_line.rfind("cxsim run " + kBase + " -o " + run.string() + " --quiet --customers 600", 0), 0u)
      << command_line;
  EXPECT_EQ(doc["invocation"]["options"]["customers"], "600");
  EXPECT_EQ(doc["invocation"]["options"]["quiet"], "true");
  EXPECT_EQ(doc["invocation"]["options"]["scenario"], kBase);

  r = run_cli("report " + quoted(run.string()), dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string html = read_file(dir.path() / "run.html");  // RESULT.json -> RESULT.html
  expect_page(html);
  EXPECT_NE(html.find("Run report:"), std::string::npos);
  EXPECT_NE(html.find("<dt>Command line</dt><dd><code>cxsim run "), std::string::npos);
  EXPECT_NE(html.find("<dt>Result file</dt><dd><code>" + run.string() + "</code>"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"channels\">"), std::string::npos);

  // -o names the page (a missing directory is created); --title sets its title; '-' is stdout.
  const fs::path page = dir.path() / "pages" / "deep" / "p.html";
  r = run_cli("report " + quoted(run.string()) + " -o " + quoted(page.string()) + " --title 'Budget <2025>'",
              dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(read_file(page).find("<title>Budget &lt;2025&gt;</title>"), std::string::npos);
  r = run_cli("report " + quoted(run.string()) + " -o -", dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  expect_page(r.out);
}

TEST(ReportCli, ComparisonAndUnknownKinds) {
  TempDir dir("report");
  const fs::path cmp = dir.path() / "cmp.json";
  CliResult r =
      run_cli("compare " + quoted(kStaffing) + " -o " + quoted(cmp.string()) + " --quiet" + kSmall, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_cli("report " + quoted(cmp.string()) + " -o " + quoted((dir.path() / "cmp.html").string()), dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string html = read_file(dir.path() / "cmp.html");
  expect_page(html);
  EXPECT_NE(html.find("Comparison report:"), std::string::npos);
  EXPECT_NE(html.find("<dt>Command line</dt><dd><code>cxsim compare "), std::string::npos);
  // A kind this version does not chart: every metric table of the document.
  r = run_cli("report " + quoted(CXSIM_TEST_DATA_DIR "/html_report/sweep_unknown_kind.json") + " -o " +
                  quoted((dir.path() / "sweep.html").string()),
              dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string sweep = read_file(dir.path() / "sweep.html");
  expect_page(sweep);
  EXPECT_NE(sweep.find("Sweep report"), std::string::npos);
  EXPECT_NE(sweep.find("<caption>/points/0/metrics</caption>"), std::string::npos);
}

// Files that are not cxsim results: exit 2, the file named, no page.
TEST(ReportCli, RefusesWhatIsNotAResult) {
  TempDir dir("report");
  const fs::path out = dir.path() / "page.html";
  write_file(dir.path() / "broken.json", "{\"cxsim_version\": ");
  write_file(dir.path() / "array.json", "[1, 2]");
  struct Case {
    std::string file, text;
  };
  for (const Case& c : {Case{(dir.path() / "broken.json").string(), ":"},
                        Case{(dir.path() / "array.json").string(), ":(document): error: not a cxsim result file"},
                        Case{CXSIM_SOURCE_DIR "/results/bench_engine.json", ":(document): error: not a cxsim result"},
                        Case{(dir.path() / "missing.json").string(), ":"}}) {
    SCOPED_TRACE(c.file);
    const CliResult r = run_cli("report " + quoted(c.file) + " -o " + quoted(out.string()), dir.path());
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(c.file + c.text), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
}

// --html on run and compare: the page beside the result file, its directory created when missing;
// '-' is refused (the page would mix with the tables) before anything runs.
TEST(ReportCli, HtmlOptionOnRunAndCompare) {
  TempDir dir("report");
  const fs::path run_page = dir.path() / "new" / "run.html", run_json = dir.path() / "other" / "run.json";
  CliResult r = run_cli("run " + quoted(kBase) + " -o " + quoted(run_json.string()) + " --html " +
                            quoted(run_page.string()) + " --quiet" + kSmall,
                        dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  expect_page(read_file(run_page));
  EXPECT_NE(read_file(run_page).find("--html " + run_page.string()), std::string::npos);
  EXPECT_TRUE(fs::exists(run_json));
  const fs::path cmp_page = dir.path() / "cmp.html";
  r = run_cli("compare " + quoted(kStaffing) + " --html " + quoted(cmp_page.string()) + " --quiet" + kSmall,
              dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  expect_page(read_file(cmp_page));
  EXPECT_NE(read_file(cmp_page).find("id=\"chart-objective_forest\""), std::string::npos);

  r = run_cli("run " + quoted(kBase) + " --html - --quiet" + kSmall, dir.path());
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--html"), std::string::npos) << r.err;
  // Below a regular file: exit 1 before the run, nothing written.
  write_file(dir.path() / "plain", "x");
  r = run_cli("run " + quoted(kBase) + " --html " + quoted((dir.path() / "plain" / "p.html").string()) + kSmall,
              dir.path());
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("cannot write " + (dir.path() / "plain" / "p.html").string() + ": Not a directory"),
            std::string::npos)
      << r.err;
}

// -o creates a missing directory as --csv does, and an interrupted or failed run leaves none behind
// (it is created only when the result is written).
TEST(ReportCli, OutputCreatesItsDirectory) {
  TempDir dir("report");
  const fs::path out = dir.path() / "a" / "b" / "run.json";
  const CliResult r = run_cli("run " + quoted(kBase) + " -o " + quoted(out.string()) + " --quiet" + kSmall, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NO_THROW(ordered_json::parse(read_file(out)));
  const fs::path bad = dir.path() / "c" / "run.json";
  const CliResult invalid =
      run_cli("run " + quoted(kBase) + " -o " + quoted(bad.string()) + " --set /population/customers=-1", dir.path());
  EXPECT_EQ(invalid.status, 2);
  EXPECT_FALSE(fs::exists(dir.path() / "c"));
}

// The comparison console: the variants' blocks in rank order, every money line, the per-channel
// lines and the legend.
TEST(ReportCli, CompareConsoleShowsMoneyLinesInRankOrder) {
  TempDir dir("report");
  const fs::path cmp = dir.path() / "cmp.json";
  const CliResult r = run_cli("compare " + quoted(kStaffing) + " -o " + quoted(cmp.string()) + kSmall, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const ordered_json doc = ordered_json::parse(read_file(cmp));
  std::size_t previous = 0;
  for (const auto& row : doc["ranking"]) {
    const std::string header = "\n" + row["rank"].dump() + ". " + row["variant"].get<std::string>();
    const std::size_t at = r.out.find(header);
    ASSERT_NE(at, std::string::npos) << header << "\n" << r.out;
    EXPECT_GT(at, previous) << header;
    previous = at;
  }
  const std::size_t block = r.out.find(". more_agents: ");
  ASSERT_NE(block, std::string::npos);
  const std::string text = r.out.substr(block);
  std::size_t last = 0;
  for (const char* line :
       {"\n  revenue ", "\n  service_cost ", "\n  intervention_cost ", "\n  touchpoint_cost ", "\n  net_value "}) {
    const std::size_t at = text.find(line);
    EXPECT_NE(at, std::string::npos) << line << "\n" << text;
    EXPECT_GT(at, last) << line;
    last = at;
  }
  EXPECT_NE(text.find("\n  channel  contacts/period  answered wait (min)"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  phone "), std::string::npos) << text;
  EXPECT_NE(r.out.find("(the reference: every delta is against it)"), std::string::npos);
  EXPECT_NE(r.out.find("survey_nps: NPS of the surveyed customers' answers only"), std::string::npos);
  EXPECT_NE(r.out.find("ces: customer effort, 1 to 7, higher = more effort"), std::string::npos);
}

// `validate` checks a batch like compare loads it; `run` and `validate` name the right command.
TEST(ReportCli, BatchesGivenToRunAndValidate) {
  TempDir dir("report");
  CliResult r = run_cli("validate " + quoted(kStaffing), dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(kStaffing + ": valid strategy batch \"batch test: staffing\": base "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("and 4 variants, objective net_value (maximize)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run it with cxsim compare " + kStaffing), std::string::npos) << r.out;

  const fs::path out = dir.path() / "run.json";
  r = run_cli("run " + quoted(kStaffing) + " -o " + quoted(out.string()), dir.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(kStaffing +
                       ":(document): error: this is a strategy batch (it has \"base\" and \"variants\"), "
                       "not a scenario: use cxsim compare " +
                       kStaffing),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("unknown key"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));

  // An invalid batch: validate reports it as compare would (exit 2).
  write_file(dir.path() / "bad.json", R"({"base": ")" + kBase + R"(", "variants": {"x": {"patch": {"seed": 5}}}})");
  r = run_cli("validate " + quoted((dir.path() / "bad.json").string()), dir.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("/variants/x/patch/seed: error: variant \"x\": the patch changes seed"), std::string::npos)
      << r.err;
  // A scenario still validates as before.
  r = run_cli("validate " + quoted(kBase), dir.path());
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(": valid: \"batch test base\""), std::string::npos) << r.out;
}

// A patch id that names no member of the base: removing it is an error; adding one close to an
// existing id warns with a did-you-mean; adding a genuinely new one stays possible and quiet.
TEST(ReportCli, PatchIdsThatMatchNothing) {
  TempDir dir("report");
  const auto batch = [&](const std::string& patch) {
    const fs::path p = dir.path() / "batch.json";
    write_file(p, R"({"base": ")" + kBase + R"(", "variants": {"v": {"patch": )" + patch + "}}}");
    return p.string();
  };
  // A typo in a removal.
  std::string file = batch(R"({"service": {"channels": {"wbe": null}}})");
  try {
    cxsim::load_batch(file);
    ADD_FAILURE() << "a removal of an unknown id loaded";
  } catch (const cxsim::InputError& e) {
    ASSERT_FALSE(e.diagnostics().empty());
    EXPECT_EQ(cxsim::format_diagnostic(e.diagnostics().front()),
              file +
                  ":/variants/v/patch/service/channels/wbe: error: variant \"v\": the patch removes channel "
                  "\"wbe\", which the base scenario does not have, so it would remove nothing; did you mean "
                  "\"web\"?");
  }
  // A typo in an addition: the variant fails (an incomplete channel), and the did-you-mean is among
  // the diagnostics, first.
  file = batch(R"({"service": {"channels": {"phnoe": {"agents": 3}}}})");
  const CliResult r = run_cli("compare " + cxsim::testing::quoted(file) + " --quiet", dir.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(file + ":/variants/v/patch/service/channels/phnoe: warning: variant \"v\": the patch adds a "
                              "new channel \"phnoe\" (the base scenario has none of that id); did you mean "
                              "\"phone\"?"),
            std::string::npos)
      << r.err;
  // A close new id that is complete: allowed, with the warning.
  file = batch(R"({"segments": {"al": {"share": 0.5, "hazard": {"base": 0.001}}, "all": {"share": 0.5}}})");
  std::vector<cxsim::Diagnostic> warnings;
  cxsim::Batch loaded;
  ASSERT_NO_THROW(loaded = cxsim::load_batch(file, {}, &warnings));
  ASSERT_EQ(loaded.variants.size(), 2u);
  bool warned = false;
  for (const auto& w : warnings) warned = warned || w.message.find("did you mean \"all\"?") != std::string::npos;
  EXPECT_TRUE(warned);
  // A new id far from every existing one: no diagnostic about it.
  file = batch(
      R"({"interventions": {"welcome_call": {"trigger": {"on_visit": "bill"}, "effect": {"sentiment_boost": 0.1}}}})");
  warnings.clear();
  ASSERT_NO_THROW(cxsim::load_batch(file, {}, &warnings));
  for (const auto& w : warnings) EXPECT_EQ(w.message.find("welcome_call"), std::string::npos) << w.message;
}

// A resume refused because of a changed --set says that --set is among the reasons.
TEST(ReportCli, ResumeRefusalNamesSet) {
  TempDir dir("report");
  const fs::path cp = dir.path() / "cp.json";
  CliResult r =
      run_cli("run " + quoted(kBase) + " --checkpoint " + quoted(cp.string()) + " --quiet" + kSmall, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_cli("run " + quoted(kBase) + " --resume " + quoted(cp.string()) +
                  " --set /segments/all/revenue_per_period=2 --quiet" + kSmall,
              dir.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("checkpoint belongs to another run"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("a --set changes the scenario's content"), std::string::npos) << r.err;
}

}  // namespace
