// `cxsim run` and `cxsim validate`.
#include <fmt/core.h>

#include <optional>

#include "cli.hpp"
#include "cxsim/batch.hpp"
#include "cxsim/checkpoint.hpp"
#include "cxsim/runner.hpp"

namespace cxsim::cli {

namespace {

struct RunCommandArgs {
  RunArgs run;
  std::string checkpoint;  // save completed replications here
  std::string resume;      // continue from this checkpoint (and keep saving to it)
};

// "interrupted (SIGINT) in replication 4 of 8 before period 120: 3 replications complete; no output
// written" plus where the completed replications are kept, if anywhere.
std::string interrupted_message(const Interrupted& e, int replications, const std::string& checkpoint) {
  std::string out = fmt::format(
      "cxsim: interrupted ({}) in replication {} of {} before period {}: {} "
      "replication{} complete; no output written",
      interrupt_signal_name(), e.replication() + 1, replications, e.period(), e.replication(),
      e.replication() == 1 ? "" : "s");
  if (!checkpoint.empty()) {
    out += fmt::format("; checkpoint {} holds the {} complete replication{}: continue with --resume {}", checkpoint,
                       e.replication(), e.replication() == 1 ? "" : "s", checkpoint);
  }
  return out;
}

int run(const RunCommandArgs& c) {
  const RunArgs& a = c.run;
  const Scenario scenario = load_with_overrides(a);
  check_memory(scenario, a.threads);
  std::optional<Checkpoint> resume;
  if (!c.resume.empty()) {
    resume = load_checkpoint(c.resume);
    check_checkpoint_matches(*resume, scenario, c.resume);
  }
  const std::string checkpoint = c.checkpoint.empty() ? c.resume : c.checkpoint;
  const auto reporters = checked_reporters(a);

  install_interrupt_handlers();
  RunResult result;
  {
    Progress progress(!a.quiet);
    RunOptions options;
    options.threads = a.threads;
    options.progress = [&progress](double f) { progress.update(f); };
    options.cancel = interrupt_flag();
    try {
      result = run_with_checkpoint(scenario, options, resume ? &*resume : nullptr, checkpoint);
    } catch (const Interrupted& e) {
      progress.clear();
      fmt::print(stderr, "{}\n", interrupted_message(e, scenario.replications, checkpoint));
      return interrupted_exit_code();
    }
  }
  write_reports(reporters, run_report(result));
  return kExitOk;
}

// A strategy batch: the batch file, the base scenario and every variant, as `cxsim compare` loads it.
int validate_batch(const RunArgs& a) {
  BatchOverrides overrides;
  overrides.assignments = a.assignments();
  std::vector<Diagnostic> warnings;
  const Batch batch = load_batch(a.input, overrides, &warnings);
  print_diagnostics(warnings);
  for (const Variant& v : batch.variants) check_memory(v.scenario, a.threads);
  fmt::print(
      "{}: valid strategy batch \"{}\": base {} and {} variant{}, objective {} ({}), {} replications ({} "
      "warnings); run it with cxsim compare {}\n",
      a.input, batch.name, batch.base_file, batch.variants.size() - 1, batch.variants.size() == 2 ? "" : "s",
      batch.objective.metric, direction_name(batch.objective.direction), batch.variants.front().scenario.replications,
      warnings.size(), a.input);
  return kExitOk;
}

int validate(const RunArgs& a) {
  if (is_batch_file(a.input)) return validate_batch(a);
  std::vector<Diagnostic> warnings;
  const Scenario s = load_scenario(a.input, a.assignments(), &warnings);
  print_diagnostics(warnings);
  check_memory(s, a.threads);
  fmt::print(
      "{}: valid: \"{}\", {} customers, {} segments, {} touchpoints, {} channels, {} periods x {} "
      "replications ({} warnings)\n",
      a.input, s.name, s.population.customers, s.segments.size(), s.journey.touchpoints.size(),
      s.service.channels.size(), s.horizon_periods, s.replications, warnings.size());
  return kExitOk;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunCommandArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario and report metrics with 95% confidence intervals");
  cmd->add_option("scenario", args->run.input, "Scenario JSON file")->required();
  add_run_options(*cmd, args->run, "a scenario value before validation");
  cmd->get_option("--csv")->description("Write series.csv, nps.csv and metrics.csv into this directory");
  cmd->add_option("--checkpoint", args->checkpoint,
                  "Save completed replications to this file after each one (atomically), for --resume");
  cmd->add_option("--resume", args->resume,
                  "Continue an interrupted run from this checkpoint: run only the missing replications "
                  "(and keep saving to it unless --checkpoint names another file)");
  return {cmd, [args] { return run(*args); }};
}

Command add_validate_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("validate", "Check a scenario or a strategy batch and print every diagnostic");
  cmd->add_option("scenario", args->input, "Scenario or batch JSON file")->required();
  cmd->add_option("--set", args->sets,
                  "Set a scenario value (a batch's base scenario value) before validation: /json/pointer=VALUE; "
                  "repeatable")
      ->allow_extra_args(false);
  return {cmd, [args] { return validate(*args); }};
}

}  // namespace cxsim::cli
