// `cxsim calibrate`: fit a scenario to observed values (cxsim/calibrate.hpp, docs/calibration.md).
#include <fmt/core.h>

#include <iostream>

#include "cli.hpp"
#include "cxsim/calibrate.hpp"
#include "cxsim/runner.hpp"

namespace cxsim::cli {

namespace {

struct CalibrateArgs {
  RunArgs run;  // run.input holds the SPEC, run.output the fitted scenario
  std::string report;
  std::vector<std::string> targets_csv;
};

int calibrate_command(const CalibrateArgs& c) {
  const RunArgs& a = c.run;
  if (a.output == "-" && c.report == "-") {
    std::cerr << "cxsim calibrate: -o - and --report - cannot both write to stdout\n";
    return kExitInput;
  }
  CalibrationOverrides overrides;
  overrides.assignments = a.assignments();
  overrides.run = a.overrides();
  overrides.targets_csv = c.targets_csv;
  std::vector<Diagnostic> warnings;
  const CalibrationSpec spec = load_calibration_spec(a.input, overrides, &warnings);
  print_diagnostics(warnings);
  check_memory(spec.base, a.threads);

  // Every destination is checked before the fit, which may take long.
  std::unique_ptr<Reporter> fitted;
  if (!a.output.empty()) fitted = std::make_unique<JsonReporter>(a.output);
  std::vector<std::unique_ptr<Reporter>> reporters;
  if (!c.report.empty()) reporters.push_back(std::make_unique<JsonReporter>(c.report));
  if (!a.csv_dir.empty()) reporters.push_back(std::make_unique<CsvReporter>(a.csv_dir));
  if (a.html == "-") throw CLI::ValidationError("--html", "needs a file name: '-' would mix the page with the tables");
  if (!a.html.empty()) reporters.push_back(std::make_unique<HtmlReporter>(a.html));
  if (!a.quiet && a.output != "-" && c.report != "-") reporters.push_back(std::make_unique<ConsoleReporter>(std::cout));
  if (fitted) fitted->check();
  for (const auto& r : reporters) r->check();

  install_interrupt_handlers();
  CalibrationResult result;
  {
    Progress progress(!a.quiet);
    CalibrationOptions options;
    options.threads = a.threads;
    options.cancel = interrupt_flag();
    options.progress = [&progress](double f) { progress.update(f); };
    try {
      result = calibrate(spec, options);
    } catch (const Interrupted& e) {
      progress.clear();
      fmt::print(stderr,
                 "cxsim: interrupted ({}) in replication {} before period {} of a simulation; calibration not "
                 "finished, no output written\n",
                 interrupt_signal_name(), e.replication() + 1, e.period());
      return interrupted_exit_code();
    }
  }
  if (fitted) fitted->write(fitted_scenario(result));
  write_reports(reporters, calibration_report(result, result.check_run.info.threads));
  return kExitOk;
}

}  // namespace

Command add_calibrate_command(CLI::App& app) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Fit scenario values to observed metrics and series (BOBYQA under common random numbers), with standard "
      "errors and a check on fresh replications");
  cmd->add_option("spec", args->run.input, "Calibration SPEC JSON file")->required();
  add_run_options(*cmd, args->run, "a base scenario value before the parameters are written in");
  cmd->get_option("--output")->description("Write the fitted scenario (the base with the estimates) to this file");
  cmd->get_option("--csv")->description("Write parameters.csv and targets.csv of the fit into this directory");
  cmd->get_option("--customers")->description("Override the SPEC's customers (the fit and the check)");
  cmd->get_option("--replications")->description("Override the SPEC's replications of each fit evaluation");
  cmd->add_option("--report", args->report, "Write the fit report (JSON) to this file ('-' for stdout)");
  cmd->add_option("--targets-csv", args->targets_csv,
                  "Add the targets of a CSV file (kind,name,period,value,sd[,weight][,cohort_size]); repeatable")
      ->allow_extra_args(false);
  return {cmd, [args] { return calibrate_command(*args); }};
}

}  // namespace cxsim::cli
