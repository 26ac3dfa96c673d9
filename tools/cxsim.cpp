// cxsim command line: parses arguments (CLI11), calls the library, maps errors to exit codes.
//   0 success, 2 invalid input or usage, 1 internal or output error,
//   128 + signal number when SIGINT (130) or SIGTERM (143) interrupted a run.
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cxsim/batch.hpp"
#include "cxsim/checkpoint.hpp"
#include "cxsim/compare.hpp"
#include "cxsim/diagnostics.hpp"
#include "cxsim/report.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "cxsim/version.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitInput = 2;

// Set by the SIGINT/SIGTERM handler and read by the runner between periods. A signal handler can
// only reach process-wide state, so these two are the program's only globals.
std::atomic<bool> g_interrupt_requested{false};
volatile std::sig_atomic_t g_interrupt_signal = 0;
static_assert(std::atomic<bool>::is_always_lock_free, "the interrupt flag must be async-signal-safe");

extern "C" void on_interrupt(int signal_number) {
  g_interrupt_signal = signal_number;
  g_interrupt_requested.store(true, std::memory_order_relaxed);
}

// The first SIGINT or SIGTERM asks the run to stop cleanly; SA_RESETHAND restores the default, so
// a second one kills at once (still without a partial output: files are only ever renamed in).
void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  for (const int signal_number : {SIGINT, SIGTERM}) {
    if (::sigaction(signal_number, &action, nullptr) != 0) {
      throw std::runtime_error(fmt::format("cannot install the handler for signal {}", signal_number));
    }
  }
}

void print_diagnostics(const std::vector<cxsim::Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) std::cerr << cxsim::format_diagnostic(d) << '\n';
}

// A progress bar on stderr, shown only on a terminal and only once the run has taken a second.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(fileno(stderr))), start_(Clock::now()) {}
  void update(double fraction) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    shown_ = true;
    const int width = 40;
    const int filled = static_cast<int>(fraction * width);
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
    fmt::print(stderr, "\r[{:<{}}] {:5.1f}%  {:.0f}s left ", std::string(filled, '#'), width, 100.0 * fraction, eta);
    std::fflush(stderr);
  }
  // Erases the bar (so a message can follow on a clean line).
  void clear() {
    if (shown_) fmt::print(stderr, "\r{:<70}\r", "");
    shown_ = false;
  }
  ~Progress() { clear(); }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool shown_ = false;
  Clock::time_point start_;
  Clock::time_point last_{};
};

struct RunArgs {
  std::string scenario;
  std::string output;
  std::string csv_dir;
  int threads = 0;
  std::optional<std::int64_t> customers;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  std::optional<int> horizon;
  std::vector<std::string> sets;  // --set POINTER=VALUE, in order
  std::string checkpoint;         // save completed replications here
  std::string resume;             // continue from this checkpoint (and keep saving to it)
  bool quiet = false;
};

std::vector<cxsim::Assignment> parse_assignments(const std::vector<std::string>& sets) {
  std::vector<cxsim::Assignment> out;
  for (const auto& text : sets) out.push_back(cxsim::parse_assignment(text));
  return out;
}

cxsim::RunOverrides run_overrides(const RunArgs& a) { return {a.customers, a.replications, a.seed, a.horizon}; }

cxsim::Scenario load_with_overrides(const RunArgs& a, bool print_warnings) {
  std::vector<cxsim::Diagnostic> warnings;
  cxsim::Scenario s = cxsim::load_scenario(a.scenario, parse_assignments(a.sets), &warnings);
  if (print_warnings) print_diagnostics(warnings);
  cxsim::apply_overrides(s, run_overrides(a));
  return s;
}

// "interrupted (SIGINT) in replication 4 of 8 before period 120: 3 replications complete; no output
// written" plus where the completed replications are kept, if anywhere.
std::string interrupted_message(const cxsim::Interrupted& e, int replications, const std::string& checkpoint) {
  const int signal_number = g_interrupt_signal;
  const char* name = signal_number == SIGINT ? "SIGINT" : signal_number == SIGTERM ? "SIGTERM" : "signal";
  std::string out = fmt::format(
      "cxsim: interrupted ({}) in replication {} of {} before period {}: {} "
      "replication{} complete; no output written",
      name, e.replication() + 1, replications, e.period(), e.replication(), e.replication() == 1 ? "" : "s");
  if (!checkpoint.empty()) {
    out += fmt::format("; checkpoint {} holds the {} complete replication{}: continue with --resume {}", checkpoint,
                       e.replication(), e.replication() == 1 ? "" : "s", checkpoint);
  }
  return out;
}

// The reporters the options ask for: the result file (-o), CSV files (--csv) and the console table
// (unless --quiet or the result file goes to stdout). Each checks its destination at once, so an
// unwritable path fails before hours of simulation, not after.
std::vector<std::unique_ptr<cxsim::Reporter>> checked_reporters(const RunArgs& a) {
  std::vector<std::unique_ptr<cxsim::Reporter>> reporters;
  if (!a.output.empty()) reporters.push_back(std::make_unique<cxsim::JsonReporter>(a.output));
  if (!a.csv_dir.empty()) reporters.push_back(std::make_unique<cxsim::CsvReporter>(a.csv_dir));
  if (!a.quiet && a.output != "-") reporters.push_back(std::make_unique<cxsim::ConsoleReporter>(std::cout));
  for (const auto& r : reporters) r->check();
  return reporters;
}

void write_reports(const std::vector<std::unique_ptr<cxsim::Reporter>>& reporters, const cxsim::Report& report) {
  for (const auto& r : reporters) r->write(report);
}

int cmd_run(const RunArgs& a) {
  const cxsim::Scenario scenario = load_with_overrides(a, true);
  cxsim::check_memory(scenario, a.threads);
  std::optional<cxsim::Checkpoint> resume;
  if (!a.resume.empty()) {
    resume = cxsim::load_checkpoint(a.resume);
    cxsim::check_checkpoint_matches(*resume, scenario, a.resume);
  }
  const std::string checkpoint = a.checkpoint.empty() ? a.resume : a.checkpoint;
  const auto reporters = checked_reporters(a);

  install_interrupt_handlers();
  cxsim::RunResult result;
  {
    Progress progress(!a.quiet);
    cxsim::RunOptions options;
    options.threads = a.threads;
    options.progress = [&progress](double f) { progress.update(f); };
    options.cancel = &g_interrupt_requested;
    try {
      result = cxsim::run_with_checkpoint(scenario, options, resume ? &*resume : nullptr, checkpoint);
    } catch (const cxsim::Interrupted& e) {
      progress.clear();
      std::cerr << interrupted_message(e, scenario.replications, checkpoint) << '\n';
      return 128 + static_cast<int>(g_interrupt_signal);
    }
  }
  write_reports(reporters, cxsim::run_report(result));
  return kExitOk;
}

struct CompareArgs {
  RunArgs run;  // scenario holds the batch file
  std::optional<double> target_ci;
  int max_replications = cxsim::CompareOptions{}.max_replications;
};

int cmd_compare(const CompareArgs& c) {
  const RunArgs& a = c.run;
  cxsim::BatchOverrides overrides;
  overrides.assignments = parse_assignments(a.sets);
  overrides.run = run_overrides(a);
  std::vector<cxsim::Diagnostic> warnings;
  const cxsim::Batch batch = cxsim::load_batch(a.scenario, overrides, &warnings);
  print_diagnostics(warnings);

  const auto reporters = checked_reporters(a);
  install_interrupt_handlers();

  Progress progress(!a.quiet);
  cxsim::CompareOptions options;
  options.threads = a.threads;
  options.cancel = &g_interrupt_requested;
  options.target_half_width = c.target_ci;
  options.max_replications = c.max_replications;
  options.progress = [&progress](double f) { progress.update(f); };
  const std::string currency = batch.variants.front().scenario.economics.currency;
  const std::string& metric = batch.objective.metric;
  options.on_round = [&](const cxsim::RoundReport& r) {
    if (a.quiet || r.next_replications == 0) return;
    std::string width = std::isnan(r.worst_half_width)
                            ? std::string("undefined")
                            : cxsim::format_metric(metric, r.worst_half_width, currency, true);
    if (!width.empty() && width[0] == '+') width.erase(0, 1);  // a half-width, not a change
    fmt::print(stderr, "round {}: {} replications; widest {} half-width {} ({}) > target; running to {}\n", r.round,
               r.replications, metric, width, r.worst_variant, r.next_replications);
  };
  cxsim::Comparison comparison;
  try {
    comparison = cxsim::run_comparison(batch, options);
  } catch (const cxsim::Interrupted& e) {
    progress.clear();
    const int signal_number = g_interrupt_signal;
    fmt::print(stderr,
               "cxsim: interrupted ({}) in replication {} before period {}; comparison not finished, no "
               "output written\n",
               signal_number == SIGINT    ? "SIGINT"
               : signal_number == SIGTERM ? "SIGTERM"
                                          : "signal",
               e.replication() + 1, e.period());
    return 128 + signal_number;
  }
  write_reports(reporters, cxsim::comparison_report(comparison));
  return kExitOk;
}

int cmd_validate(const RunArgs& a) {
  std::vector<cxsim::Diagnostic> warnings;
  const cxsim::Scenario s = cxsim::load_scenario(a.scenario, parse_assignments(a.sets), &warnings);
  print_diagnostics(warnings);
  cxsim::check_memory(s, a.threads);
  fmt::print(
      "{}: valid: \"{}\", {} customers, {} segments, {} touchpoints, {} channels, {} periods x {} "
      "replications ({} warnings)\n",
      a.scenario, s.name, s.population.customers, s.segments.size(), s.journey.touchpoints.size(),
      s.service.channels.size(), s.horizon_periods, s.replications, warnings.size());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cxsim: customer-journey simulator and what-if modeler"};
  app.set_version_flag("--version", std::string("cxsim ") + cxsim::kVersion);
  app.require_subcommand(1);

  RunArgs args;
  CLI::App* run = app.add_subcommand("run", "Simulate a scenario and report metrics with 95% confidence intervals");
  run->add_option("scenario", args.scenario, "Scenario JSON file")->required();
  run->add_option("-o,--output", args.output, "Write the result JSON to this file ('-' for stdout)");
  run->add_option("--csv", args.csv_dir, "Write series.csv, nps.csv and metrics.csv into this directory");
  run->add_option("--threads", args.threads, "Worker threads (0 = all cores); results never depend on it")
      ->check(CLI::Range(0, 4096));
  run->add_option("--customers", args.customers, "Override population.customers");
  run->add_option("--replications", args.replications, "Override replications");
  run->add_option("--seed", args.seed, "Override seed");
  run->add_option("--horizon", args.horizon, "Override horizon_periods");
  run->add_option("--set", args.sets,
                  "Set a scenario value before validation: /json/pointer=VALUE (JSON, else a string); repeatable")
      ->allow_extra_args(false);
  run->add_option("--checkpoint", args.checkpoint,
                  "Save completed replications to this file after each one (atomically), for --resume");
  run->add_option("--resume", args.resume,
                  "Continue an interrupted run from this checkpoint: run only the missing replications "
                  "(and keep saving to it unless --checkpoint names another file)");
  run->add_flag("-q,--quiet", args.quiet, "No summary table and no progress bar");

  CLI::App* validate = app.add_subcommand("validate", "Check a scenario and print every diagnostic");
  validate->add_option("scenario", args.scenario, "Scenario JSON file")->required();
  validate->add_option("--set", args.sets, "Set a scenario value before validation: /json/pointer=VALUE; repeatable")
      ->allow_extra_args(false);

  CompareArgs cargs;
  CLI::App* compare = app.add_subcommand(
      "compare", "Run a strategy batch (variants of a base scenario) with common random numbers and paired 95% CIs");
  compare->add_option("batch", cargs.run.scenario, "Batch JSON file")->required();
  compare->add_option("-o,--output", cargs.run.output, "Write the comparison JSON to this file ('-' for stdout)");
  compare->add_option("--csv", cargs.run.csv_dir,
                      "Write comparison.csv and each variant's CSV files into this directory");
  compare->add_option("--threads", cargs.run.threads, "Worker threads (0 = all cores); results never depend on it")
      ->check(CLI::Range(0, 4096));
  compare->add_option("--customers", cargs.run.customers, "Override population.customers of every variant");
  compare->add_option("--replications", cargs.run.replications,
                      "Override the batch's replications (the first round with --target-ci)");
  compare->add_option("--seed", cargs.run.seed, "Override the seed of every variant");
  compare->add_option("--horizon", cargs.run.horizon, "Override horizon_periods of every variant");
  CLI::Option* target = compare->add_option("--target-ci", cargs.target_ci,
                                            "Add replications in rounds until every variant's objective delta has a "
                                            "95% CI half-width <= X (objective units)");
  compare->add_option("--max-replications", cargs.max_replications, "Cap on replications with --target-ci")
      ->capture_default_str()
      ->needs(target);
  compare
      ->add_option("--set", cargs.run.sets,
                   "Set a base scenario value before the patches: /json/pointer=VALUE; repeatable")
      ->allow_extra_args(false);
  compare->add_flag("-q,--quiet", cargs.run.quiet, "No tables, round messages or progress bar");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInput;
  }

  try {
    if (run->parsed()) return cmd_run(args);
    if (compare->parsed()) return cmd_compare(cargs);
    return cmd_validate(args);
  } catch (const cxsim::InputError& e) {
    print_diagnostics(e.diagnostics());
    return kExitInput;
  } catch (const cxsim::OutputError& e) {
    std::cerr << "cxsim: error: " << e.what() << '\n';
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "cxsim: internal error: " << e.what() << '\n';
    return kExitInternal;
  }
}
