// `cxsim optimize`: simulation optimisation of a scenario's decision variables on common random
// numbers, with the best candidates confirmed and screened (cxsim/optimize.hpp).
#include "cli.hpp"
#include "cxsim/optimize.hpp"

namespace cxsim::cli {

namespace {

int optimize(const RunArgs& a) {
  std::vector<Diagnostic> warnings;
  const OptimizePlan plan = plan_optimize(a.input, a.assignments(), a.overrides(), &warnings);
  print_diagnostics(warnings);
  return run_what_if(a, {&plan.base_scenario}, "optimisation",
                     [&](const ExploreOptions& o) { return optimize_report(run_optimize(plan, o)); });
}

}  // namespace

Command add_optimize_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd =
      app.add_subcommand("optimize",
                         "Search decision variables for the best objective under constraints (NLopt on common random "
                         "numbers), then confirm the best candidates with more replications");
  cmd->add_option("spec", args->input, "Optimisation spec JSON file (scenarios/schema/optimize.schema.json)")
      ->required();
  add_run_options(*cmd, *args, "a base scenario value before the spec's variables");
  cmd->get_option("--output")->description("Write the optimisation result JSON to this file ('-' for stdout)");
  cmd->get_option("--csv")->description("Write evaluations.csv and candidates.csv into this directory");
  cmd->get_option("--replications")->description("Override the search's replications (the spec's and the scenario's)");
  cmd->get_option("--customers")->description("Override population.customers of every evaluation");
  cmd->get_option("--seed")->description("Override the seed of every evaluation");
  cmd->get_option("--horizon")->description("Override horizon_periods of every evaluation");
  return {cmd, [args] { return optimize(*args); }};
}

}  // namespace cxsim::cli
