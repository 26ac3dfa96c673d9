#pragma once
// What every `cxsim` command shares: the run options (--threads, --customers, --replications,
// --seed, --horizon, --set, -o, --csv, --html, --quiet), loading a scenario with them, the reporters
// they ask for, the command line recorded in every result (its invocation block), the progress bar,
// SIGINT/SIGTERM handling and diagnostics on stderr. Each command lives
// in its own file (cmd_*.cpp) and registers itself with add_*_command; main (cxsim.cpp) dispatches.
//
// Exit codes: 0 success, 2 invalid input or usage, 1 internal or output error, 128 + signal number
// when SIGINT (130) or SIGTERM (143) interrupted a run.
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cxsim/diagnostics.hpp"
#include "cxsim/explore.hpp"
#include "cxsim/report.hpp"
#include "cxsim/scenario.hpp"

namespace cxsim::cli {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitInput = 2;

// The options every simulating command takes.
struct RunArgs {
  std::string input;  // the scenario (or batch, or spec) file
  std::string output;
  std::string csv_dir;
  std::string html;  // --html FILE: the self-contained HTML report
  int threads = 0;
  std::optional<std::int64_t> customers;
  std::optional<int> replications;
  std::optional<std::uint64_t> seed;
  std::optional<int> horizon;
  std::vector<std::string> sets;  // --set POINTER=VALUE, in order
  bool quiet = false;

  RunOverrides overrides() const { return {customers, replications, seed, horizon}; }
  std::vector<Assignment> assignments() const;
};

// Registers the run options on `cmd`; `what` words --set's target ("a scenario value", "a base
// scenario value before the patches").
void add_run_options(CLI::App& cmd, RunArgs& args, const std::string& what = "a scenario value");

// The scenario of `args.input` with --set and the overrides applied; warnings go to stderr. A
// strategy batch given instead is refused with a pointer to `cxsim compare`.
Scenario load_with_overrides(const RunArgs& args);

// The reporters the options ask for: the result file (-o), CSV files (--csv), the HTML report
// (--html) and the console table (unless --quiet or the result file goes to stdout). Each checks its
// destination at once, so an unwritable path fails before hours of simulation, not after. Throws
// CLI::ValidationError (exit 2) for `--html -`: the page would mix with the console's tables.
std::vector<std::unique_ptr<Reporter>> checked_reporters(const RunArgs& args);
// Writes `report`, with this process's invocation block (record_invocation), to every reporter.
void write_reports(const std::vector<std::unique_ptr<Reporter>>& reporters, const Report& report);

// Records the command line and the options of the command that `app` parsed (main calls it once,
// after parsing, before the command runs): every result file carries it (Report's invocation
// block) and the HTML report shows it. A process runs one command, so this is process-wide.
void record_invocation(const CLI::App& app, int argc, const char* const* argv);
const Invocation& invocation();

void print_diagnostics(const std::vector<Diagnostic>& diagnostics);

// A progress bar on stderr, shown only on a terminal and only once the run has taken a second.
class Progress {
 public:
  explicit Progress(bool enabled);
  void update(double fraction);
  // Erases the bar (so a message can follow on a clean line).
  void clear();
  ~Progress() { clear(); }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool shown_ = false;
  Clock::time_point start_;
  Clock::time_point last_{};
};

// SIGINT/SIGTERM: the first asks the run to stop cleanly (the flag the runner polls between
// periods); a second kills at once (still without partial output: files are only renamed in).
void install_interrupt_handlers();
const std::atomic<bool>* interrupt_flag();
int interrupt_signal();
// "SIGINT", "SIGTERM" or "signal".
const char* interrupt_signal_name();
// The exit code of an interrupted command: 128 + the signal number.
int interrupted_exit_code();

// A registered command: its CLI11 subcommand and what running it does (returns the exit code).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_run_command(CLI::App& app);
Command add_validate_command(CLI::App& app);
Command add_compare_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
Command add_sensitivity_command(CLI::App& app);
Command add_attribute_command(CLI::App& app);
Command add_optimize_command(CLI::App& app);

// Runs a what-if job (cmd_explore.cpp): checks the memory of each run size among `scenarios` and the
// output destinations, then runs `job` with the progress bar over the whole job and the interrupt
// flag, and writes the report; SIGINT/SIGTERM: no output, exit 130/143.
int run_what_if(const RunArgs& args, const std::vector<const Scenario*>& scenarios, const char* what,
                const std::function<Report(const ExploreOptions&)>& job);
Command add_calibrate_command(CLI::App& app);

}  // namespace cxsim::cli
