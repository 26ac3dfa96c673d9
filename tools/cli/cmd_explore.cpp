// `cxsim sweep`, `cxsim sensitivity` and `cxsim attribute`: what-if exploration around one scenario
// on common random numbers (cxsim/explore.hpp), and the job runner they share with `cxsim optimize`.
#include <fmt/core.h>

#include <optional>
#include <set>
#include <utility>

#include "cli.hpp"
#include "cxsim/explore.hpp"
#include "cxsim/runner.hpp"

namespace cxsim::cli {

int run_what_if(const RunArgs& a, const std::vector<const Scenario*>& scenarios, const char* what,
                const std::function<Report(const ExploreOptions&)>& job) {
  // The memory a run needs depends on its customers and horizon only: check each size once.
  std::set<std::pair<std::int64_t, int>> checked;
  for (const Scenario* s : scenarios) {
    if (checked.insert({s->population.customers, s->horizon_periods}).second) check_memory(*s, a.threads);
  }
  const auto reporters = checked_reporters(a);
  install_interrupt_handlers();
  std::optional<Report> report;
  {
    Progress progress(!a.quiet);
    ExploreOptions options;
    options.threads = a.threads;
    options.cancel = interrupt_flag();
    options.progress = [&progress](double f) { progress.update(f); };
    try {
      report = job(options);
    } catch (const Interrupted& e) {
      progress.clear();
      fmt::print(stderr,
                 "cxsim: interrupted ({}) in replication {} before period {}; {} not finished, no output written\n",
                 interrupt_signal_name(), e.replication() + 1, e.period(), what);
      return interrupted_exit_code();
    }
  }
  write_reports(reporters, *report);
  return kExitOk;
}

namespace {

ExploreBase explore_base(const RunArgs& a) {
  ExploreBase base;
  base.scenario_file = a.input;
  base.assignments = a.assignments();
  base.overrides = a.overrides();
  return base;
}

struct SweepArgs {
  RunArgs run;
  std::vector<std::string> vary;
};

int sweep(const SweepArgs& c) {
  std::vector<Vary> vary;
  for (const std::string& text : c.vary) vary.push_back(parse_vary(text));
  std::vector<Diagnostic> warnings;
  const SweepPlan plan = plan_sweep(explore_base(c.run), vary, &warnings);
  print_diagnostics(warnings);
  std::vector<const Scenario*> scenarios;
  for (const ExplorePoint& p : plan.points) scenarios.push_back(&p.scenario);
  return run_what_if(c.run, scenarios, "sweep",
                     [&](const ExploreOptions& o) { return sweep_report(run_sweep(plan, o)); });
}

struct SensitivityArgs {
  RunArgs run;
  SensitivityOptions options;
};

int sensitivity(const SensitivityArgs& c) {
  std::vector<Diagnostic> warnings;
  const SensitivityPlan plan = plan_sensitivity(explore_base(c.run), c.options, &warnings);
  print_diagnostics(warnings);
  return run_what_if(c.run, {&plan.base_point.scenario}, "sensitivity analysis",
                     [&](const ExploreOptions& o) { return sensitivity_report(run_sensitivity(plan, o)); });
}

struct AttributeArgs {
  RunArgs run;
  AttributionOptions options;
};

int attribute(const AttributeArgs& c) {
  std::vector<Diagnostic> warnings;
  const AttributionPlan plan = plan_attribution(explore_base(c.run), c.options, &warnings);
  print_diagnostics(warnings);
  return run_what_if(c.run, {&plan.base_point.scenario}, "attribution",
                     [&](const ExploreOptions& o) { return attribution_report(run_attribution(plan, o)); });
}

void describe_run_options(CLI::App& cmd) {
  cmd.get_option("--output")->description("Write the result JSON to this file ('-' for stdout)");
  cmd.get_option("--customers")->description("Override population.customers of every point");
  cmd.get_option("--replications")->description("Override replications of every point");
  cmd.get_option("--seed")->description("Override the seed of every point");
  cmd.get_option("--horizon")->description("Override horizon_periods of every point");
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a grid of scenario values on common random numbers, with paired deltas against the first point");
  cmd->add_option("scenario", args->run.input, "Scenario JSON file")->required();
  cmd->add_option("--vary", args->vary,
                  "A parameter and its values: /json/pointer=10,12,16 (JSON values or strings) or "
                  "/json/pointer=FROM:TO:STEP; repeatable: several make the full grid")
      ->required()
      ->allow_extra_args(false);
  add_run_options(*cmd, args->run, "a base scenario value before each point's values");
  describe_run_options(*cmd);
  cmd->get_option("--csv")->description("Write sweep.csv (one row per point and metric) into this directory");
  return {cmd, [args] { return sweep(*args); }};
}

Command add_sensitivity_command(CLI::App& app) {
  auto args = std::make_shared<SensitivityArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sensitivity", "One-at-a-time sensitivity (a tornado): each parameter moved down and up by a relative step");
  cmd->add_option("scenario", args->run.input, "Scenario JSON file")->required();
  cmd->add_option("--vary", args->options.pointers,
                  "A parameter to vary: /json/pointer (a number or a schedule of numbers); repeatable; default: "
                  "touchpoint failures, staffed channels' agents and aht, channels' fcr, intervention coverage, churn "
                  "coefficients, segments' hazard base")
      ->allow_extra_args(false);
  cmd->add_option("--step", args->options.relative_step, "Relative step of the low and high values, in (0, 1)")
      ->capture_default_str();
  cmd->add_option("--objective", args->options.objective, "The metric the parameters are ranked by")
      ->capture_default_str();
  add_run_options(*cmd, args->run, "a base scenario value before the parameters are varied");
  describe_run_options(*cmd);
  cmd->get_option("--csv")->description(
      "Write sensitivity.csv (one row per parameter) and sensitivity_deltas.csv into this directory");
  return {cmd, [args] { return sensitivity(*args); }};
}

Command add_attribute_command(CLI::App& app) {
  auto args = std::make_shared<AttributeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "attribute",
      "Attribute outcomes to touchpoints, channels and interventions by removal effects (and Shapley values)");
  cmd->add_option("scenario", args->run.input, "Scenario JSON file")->required();
  CLI::Option* shapley = cmd->add_flag(
      "--shapley", args->options.shapley,
      "Also compute Shapley values per group: exact for groups of at most 6 parts, else by sampled orders");
  cmd->add_option("--permutations", args->options.permutations,
                  "Sampled orders per group for Shapley values of groups of more than 6 parts")
      ->capture_default_str()
      ->needs(shapley);
  add_run_options(*cmd, args->run, "a base scenario value before the parts are removed");
  describe_run_options(*cmd);
  cmd->get_option("--csv")->description("Write attribution.csv (one row per part and metric) into this directory");
  return {cmd, [args] { return attribute(*args); }};
}

}  // namespace cxsim::cli
