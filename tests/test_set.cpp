// `--set /json/pointer=VALUE`: editing a scenario document before validation, from the library
// (apply_assignments) and from the command line (`cxsim run`), with errors that name the command
// line and the pointer.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_helpers.hpp"
#include "cxsim/scenario.hpp"
#include "loader.hpp"

namespace {

namespace fs = std::filesystem;
using cxsim::testing::CliResult;
using cxsim::testing::quoted;
using cxsim::testing::read_file;
using cxsim::testing::run_cli;
using cxsim::testing::TempDir;
using nlohmann::json;

const std::string kBase = CXSIM_TEST_DATA_DIR "/batch/base.json";

}  // namespace

TEST(SetCli, RunAppliesValuesAndRefusesBadOnes) {
  TempDir dir("set");
  const fs::path out = dir.path() / "run.json";
  const std::string base = "run " + quoted(kBase) + " -o " + quoted(out.string()) + " --quiet --replications 1";
  CliResult r = run_cli(base + " --set /population/customers=700 --set '/name=What if'", dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const json doc = json::parse(read_file(out));
  EXPECT_EQ(doc.at("scenario").at("customers"), 700);
  EXPECT_EQ(doc.at("scenario").at("name"), "What if");  // not JSON: taken as a string

  struct Bad {
    std::string set, prefix;
  };
  for (const Bad& b :
       {Bad{"/population/customerz=5", "<command line>:/population/customerz: error: "},
        Bad{"/nothere/x=1", "<command line>:/nothere/x: error: "},
        Bad{"/population/customers=-3", "<command line>:/population/customers: error: "},
        Bad{"population/customers=5", "<command line>:population/customers: error: "},
        Bad{"/population/customers", "<command line>:/population/customers: error: "},
        Bad{"/journey/touchpoints/use/next/use/x=1", "<command line>:/journey/touchpoints/use/next/use/x: "}}) {
    SCOPED_TRACE(b.set);
    fs::remove(out);
    r = run_cli(base + " --set " + quoted(b.set), dir.path());
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(b.prefix), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
}

TEST(Assignments, SetObjectKeysAndArrayElements) {
  json doc = json::parse(R"({"a": {"b": 1, "list": [1, 2, 3]}, "s": "x"})");
  cxsim::apply_assignments(doc, {cxsim::parse_assignment("/a/b=2.5"), cxsim::parse_assignment("/a/new={\"k\": null}"),
                                 cxsim::parse_assignment("/a/list/1=7"), cxsim::parse_assignment("/s=plain text"),
                                 cxsim::parse_assignment("/a~1b=true")});
  EXPECT_EQ(doc, json::parse(R"({"a": {"b": 2.5, "new": {"k": null}, "list": [1, 7, 3]}, "s": "plain text",
                                 "a/b": true})"));
  for (const char* bad : {"/a/list/3=1", "/a/list/01=1", "/a/list/-=1", "/a/b/c=1", "/x/y=1"}) {
    SCOPED_TRACE(bad);
    json copy = doc;
    EXPECT_THROW(cxsim::apply_assignments(copy, {cxsim::parse_assignment(bad)}), cxsim::InputError);
    EXPECT_EQ(copy, doc);  // a failed assignment changes nothing
  }
  EXPECT_THROW(cxsim::parse_assignment("/a/~2=1"), cxsim::InputError);
  EXPECT_THROW(cxsim::parse_assignment("no equals sign"), cxsim::InputError);
}
