// `cxsim compare`: a strategy batch under common random numbers.
#include <fmt/core.h>

#include <cmath>

#include "cli.hpp"
#include "cxsim/batch.hpp"
#include "cxsim/compare.hpp"
#include "cxsim/runner.hpp"

namespace cxsim::cli {

namespace {

struct CompareArgs {
  RunArgs run;  // run.input holds the batch file
  std::optional<double> target_ci;
  int max_replications = CompareOptions{}.max_replications;
};

int compare(const CompareArgs& c) {
  const RunArgs& a = c.run;
  BatchOverrides overrides;
  overrides.assignments = a.assignments();
  overrides.run = a.overrides();
  std::vector<Diagnostic> warnings;
  const Batch batch = load_batch(a.input, overrides, &warnings);
  print_diagnostics(warnings);

  const auto reporters = checked_reporters(a);
  install_interrupt_handlers();

  Progress progress(!a.quiet);
  CompareOptions options;
  options.threads = a.threads;
  options.cancel = interrupt_flag();
  options.target_half_width = c.target_ci;
  options.max_replications = c.max_replications;
  options.progress = [&progress](double f) { progress.update(f); };
  const std::string currency = batch.variants.front().scenario.economics.currency;
  const std::string& metric = batch.objective.metric;
  options.on_round = [&](const RoundReport& r) {
    if (a.quiet || r.next_replications == 0) return;
    std::string width = std::isnan(r.worst_half_width) ? std::string("undefined")
                                                       : format_metric(metric, r.worst_half_width, currency, true);
    if (!width.empty() && width[0] == '+') width.erase(0, 1);  // a half-width, not a change
    fmt::print(stderr, "round {}: {} replications; widest {} half-width {} ({}) > target; running to {}\n", r.round,
               r.replications, metric, width, r.worst_variant, r.next_replications);
  };
  Comparison comparison;
  try {
    comparison = run_comparison(batch, options);
  } catch (const Interrupted& e) {
    progress.clear();
    fmt::print(stderr,
               "cxsim: interrupted ({}) in replication {} before period {}; comparison not finished, no "
               "output written\n",
               interrupt_signal_name(), e.replication() + 1, e.period());
    return interrupted_exit_code();
  }
  write_reports(reporters, comparison_report(comparison));
  return kExitOk;
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Run a strategy batch (variants of a base scenario) with common random numbers and paired 95% CIs");
  cmd->add_option("batch", args->run.input, "Batch JSON file")->required();
  add_run_options(*cmd, args->run, "a base scenario value before the patches");
  cmd->get_option("--output")->description("Write the comparison JSON to this file ('-' for stdout)");
  cmd->get_option("--csv")->description("Write comparison.csv and each variant's CSV files into this directory");
  cmd->get_option("--customers")->description("Override population.customers of every variant");
  cmd->get_option("--replications")
      ->description("Override the batch's replications (the first round with --target-ci)");
  cmd->get_option("--seed")->description("Override the seed of every variant");
  cmd->get_option("--horizon")->description("Override horizon_periods of every variant");
  CLI::Option* target = cmd->add_option("--target-ci", args->target_ci,
                                        "Add replications in rounds until every variant's objective delta has a "
                                        "95% CI half-width <= X (objective units)");
  cmd->add_option("--max-replications", args->max_replications, "Cap on replications with --target-ci")
      ->capture_default_str()
      ->needs(target);
  return {cmd, [args] { return compare(*args); }};
}

}  // namespace cxsim::cli
