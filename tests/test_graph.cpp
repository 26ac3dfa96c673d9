// Journey graph checks: out-edges (error), reachability and closed groups (warnings).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cxsim/scenario.hpp"
#include "graph.hpp"

namespace {

using cxsim::Diagnostic;
using cxsim::DiagnosticSink;
using cxsim::Scenario;
using cxsim::Severity;
using cxsim::Touchpoint;
using cxsim::WeightedIds;

Touchpoint touchpoint(const std::string& id, WeightedIds next) {
  Touchpoint t;
  t.id = id;
  t.next = std::move(next);
  return t;
}

Touchpoint exit_touchpoint(const std::string& id) {
  Touchpoint t;
  t.id = id;
  t.exit = true;
  return t;
}

Scenario journey(const std::string& entry, std::vector<Touchpoint> touchpoints) {
  Scenario s;
  s.name = "graph";
  s.journey.entry = {{entry, 1.0}};
  s.journey.touchpoints = std::move(touchpoints);
  s.segments.push_back({});
  s.segments[0].id = "all";
  s.segments[0].share = 1.0;
  return s;
}

std::vector<Diagnostic> check(const Scenario& s) {
  DiagnosticSink sink("graph.json");
  cxsim::check_journey(s, sink);
  return sink.all();
}

std::string dump(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += cxsim::format_diagnostic(d) + "\n";
  return out;
}

TEST(GraphCheck, JourneyWithExitPathHasNoDiagnostics) {
  const Scenario s =
      journey("onboarding", {touchpoint("billing", {{"usage", 0.97}, {"cancelled", 0.03}}),
                             exit_touchpoint("cancelled"), touchpoint("onboarding", {{"onboarding", 6}, {"usage", 1}}),
                             touchpoint("usage", {{"usage", 28}, {"billing", 1}})});
  const auto d = check(s);
  EXPECT_TRUE(d.empty()) << dump(d);
}

TEST(GraphCheck, MissingOutEdgesIsAnError) {
  const Scenario s =
      journey("a", {touchpoint("a", {{"b", 1}, {"out", 1}}), touchpoint("b", {}), exit_touchpoint("out")});
  const auto d = check(s);
  ASSERT_EQ(d.size(), 1u) << dump(d);
  EXPECT_EQ(d[0].severity, Severity::kError);
  EXPECT_EQ(d[0].pointer, "/journey/touchpoints/b/next");
  EXPECT_NE(d[0].message.find("every non-exit touchpoint needs at least one out-edge in next"), std::string::npos);
}

TEST(GraphCheck, UnreachableTouchpointWarns) {
  const Scenario s = journey("a", {touchpoint("a", {{"a", 1}, {"out", 1}}), touchpoint("island", {{"out", 1}}),
                                   exit_touchpoint("out"), exit_touchpoint("unused_exit")});
  const auto d = check(s);
  ASSERT_EQ(d.size(), 2u) << dump(d);
  EXPECT_EQ(d[0].severity, Severity::kWarning);
  EXPECT_EQ(d[0].pointer, "/journey/touchpoints/island");
  EXPECT_NE(d[0].message.find("unreachable from every entry (a)"), std::string::npos) << d[0].message;
  EXPECT_EQ(d[1].pointer, "/journey/touchpoints/unused_exit");
}

TEST(GraphCheck, SegmentEntryMakesTouchpointReachable) {
  Scenario s = journey("a", {touchpoint("a", {{"out", 1}}), touchpoint("b", {{"out", 1}}), exit_touchpoint("out")});
  EXPECT_EQ(check(s).size(), 1u);
  s.segments[0].entry = {{"b", 1.0}};
  const auto d = check(s);
  EXPECT_TRUE(d.empty()) << dump(d);
}

TEST(GraphCheck, ClosedCycleWarnsWithItsMembers) {
  // a -> b <-> c, and nothing leaves {b, c}; a can still leave.
  const Scenario s = journey("a", {touchpoint("a", {{"b", 1}, {"out", 1}}), touchpoint("b", {{"c", 1}}),
                                   touchpoint("c", {{"b", 1}, {"c", 3}}), exit_touchpoint("out")});
  const auto d = check(s);
  ASSERT_EQ(d.size(), 1u) << dump(d);
  EXPECT_EQ(d[0].severity, Severity::kWarning);
  EXPECT_EQ(d[0].pointer, "/journey/touchpoints/b");
  EXPECT_NE(d[0].message.find("customers who reach {b, c} never leave them except through the churn hazard"),
            std::string::npos)
      << d[0].message;
}

TEST(GraphCheck, SelfLoopOnlyIsAClosedGroup) {
  const Scenario s = journey("home", {touchpoint("home", {{"home", 1}})});
  const auto d = check(s);
  ASSERT_EQ(d.size(), 1u) << dump(d);
  EXPECT_EQ(d[0].severity, Severity::kWarning);
  EXPECT_EQ(d[0].pointer, "/journey/touchpoints/home");
  EXPECT_NE(d[0].message.find("{home}"), std::string::npos);
}

TEST(GraphCheck, UnreachableClosedGroupIsOnlyUnreachable) {
  const Scenario s =
      journey("a", {touchpoint("a", {{"out", 1}}), touchpoint("loop", {{"loop", 1}}), exit_touchpoint("out")});
  const auto d = check(s);
  ASSERT_EQ(d.size(), 1u) << dump(d);
  EXPECT_NE(d[0].message.find("unreachable"), std::string::npos);
}

TEST(GraphCheck, WholeJourneyClosedWithoutExit) {
  // A journey without any exit: one closed group of everything reachable.
  const Scenario s =
      journey("usage", {touchpoint("billing", {{"usage", 1}}), touchpoint("usage", {{"usage", 28}, {"billing", 1}})});
  const auto d = check(s);
  ASSERT_EQ(d.size(), 1u) << dump(d);
  EXPECT_EQ(d[0].pointer, "/journey/touchpoints/billing");
  EXPECT_NE(d[0].message.find("{billing, usage}"), std::string::npos) << d[0].message;
}

TEST(GraphCheck, LoaderReturnsGraphWarnings) {
  const std::string text = R"json({"name": "loop", "population": {"customers": 5},
    "segments": {"all": {"share": 1}},
    "journey": {"entry": "home", "touchpoints": {"home": {"next": {"home": 1}}, "spare": {"next": {"home": 1}}}}})json";
  std::vector<Diagnostic> warnings;
  const Scenario s = cxsim::parse_scenario(text, "loop.json", &warnings);
  ASSERT_EQ(warnings.size(), 2u) << dump(warnings);
  EXPECT_EQ(warnings[0].pointer, "/journey/touchpoints/spare");  // unreachable
  EXPECT_EQ(warnings[1].pointer, "/journey/touchpoints/home");   // closed
  EXPECT_EQ(warnings[1].file, "loop.json");
}

}  // namespace
