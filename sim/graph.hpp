#pragma once
// Structural checks of the journey graph with Boost.Graph: entry touchpoints exist, every non-exit
// touchpoint has out-edges (errors); touchpoints unreachable from every entry, and closed groups of
// non-exit touchpoints that no customer can leave except through the churn hazard (warnings).
#include "cxsim/scenario.hpp"
#include "diagnostic_sink.hpp"

namespace cxsim {

// Adds errors and warnings to `sink`, naming JSON pointers under /journey (and /segments/ID/entry).
// Assumes every `next` target and entry id already resolves (the loader checks that first).
void check_journey(const Scenario& scenario, DiagnosticSink& sink);

}  // namespace cxsim
