// What every cxsim command shares (see cli.hpp).
#include "cli.hpp"

#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cxsim/batch.hpp"
#include "cxsim/cluster.hpp"

namespace cxsim::cli {

namespace {

// Set by the SIGINT/SIGTERM handler and read by the runner between periods. A signal handler can
// only reach process-wide state, so these two are the program's only globals.
std::atomic<bool> g_interrupt_requested{false};
volatile std::sig_atomic_t g_interrupt_signal = 0;
static_assert(std::atomic<bool>::is_always_lock_free, "the interrupt flag must be async-signal-safe");

extern "C" void on_interrupt(int signal_number) {
  g_interrupt_signal = signal_number;
  g_interrupt_requested.store(true, std::memory_order_relaxed);
}

// The command line of this process, set once by main (record_invocation) before the command runs.
Invocation& recorded_invocation() {
  static Invocation invocation;
  return invocation;
}

// A word of a command line as a POSIX shell reads it back: bare when it holds only safe
// characters, else in single quotes (a quote inside written as '\'').
std::string shell_word(const std::string& word) {
  const bool safe = !word.empty() && word.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789_-./:=@%+,") == std::string::npos;
  if (safe) return word;
  std::string out = "'";
  for (const char ch : word) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

}  // namespace

std::vector<Assignment> RunArgs::assignments() const {
  std::vector<Assignment> out;
  for (const auto& text : sets) out.push_back(parse_assignment(text));
  return out;
}

void add_run_options(CLI::App& cmd, RunArgs& a, const std::string& what) {
  cmd.add_option("-o,--output", a.output, "Write the result JSON to this file ('-' for stdout)");
  cmd.add_option("--csv", a.csv_dir, "Write the CSV files into this directory");
  cmd.add_option("--html", a.html, "Write the self-contained HTML report (charts and tables) to this file");
  cmd.add_option("--threads", a.threads, "Worker threads (0 = all cores); results never depend on it")
      ->check(CLI::Range(0, 4096));
  cmd.add_option("--customers", a.customers, "Override population.customers");
  cmd.add_option("--replications", a.replications, "Override replications");
  cmd.add_option("--seed", a.seed, "Override seed");
  cmd.add_option("--horizon", a.horizon, "Override horizon_periods");
  cmd.add_option("--set", a.sets, "Set " + what + ": /json/pointer=VALUE (JSON, else a string); repeatable")
      ->allow_extra_args(false);
  cmd.add_flag("-q,--quiet", a.quiet, "No tables, messages or progress bar");
}

namespace {

// "this is a strategy batch ...: use cxsim compare": an InputError when `path` holds a batch (a JSON
// object with "base" and "variants") where a scenario is expected.
void refuse_batch(const std::string& path) {
  if (!is_batch_file(path)) return;
  throw InputError({Diagnostic{Severity::kError, path, "",
                               fmt::format("this is a strategy batch (it has \"base\" and \"variants\"), not a "
                                           "scenario: use cxsim compare {}",
                                           shell_word(path))}});
}

}  // namespace

Scenario load_with_overrides(const RunArgs& a) {
  refuse_batch(a.input);
  std::vector<Diagnostic> warnings;
  Scenario s = load_scenario(a.input, a.assignments(), &warnings);
  print_diagnostics(warnings);
  apply_overrides(s, a.overrides());
  return s;
}

std::vector<std::unique_ptr<Reporter>> checked_reporters(const RunArgs& a) {
  std::vector<std::unique_ptr<Reporter>> reporters;
  if (!a.output.empty()) reporters.push_back(std::make_unique<JsonReporter>(a.output));
  if (!a.csv_dir.empty()) reporters.push_back(std::make_unique<CsvReporter>(a.csv_dir));
  if (a.html == "-") throw CLI::ValidationError("--html", "needs a file name: '-' would mix the page with the tables");
  if (!a.html.empty()) reporters.push_back(std::make_unique<HtmlReporter>(a.html));
  if (!a.quiet && a.output != "-") reporters.push_back(std::make_unique<ConsoleReporter>(std::cout));
  for (const auto& r : reporters) r->check();
  return reporters;
}

void write_reports(const std::vector<std::unique_ptr<Reporter>>& reporters, const Report& report) {
  const Report recorded = with_invocation(report, invocation());
  for (const auto& r : reporters) r->write(recorded);
}

void record_invocation(const CLI::App& app, int argc, const char* const* argv) {
  Invocation& inv = recorded_invocation();
  inv = Invocation{};
  // The program by its name, not its path: the path says where it was installed, not what it did.
  inv.command_line = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : std::string("cxsim");
  for (int i = 1; i < argc; ++i) inv.command_line += " " + shell_word(argv[i]);
  for (const CLI::App* command : app.get_subcommands()) {
    for (const CLI::Option* option : command->get_options()) {
      if (option->count() == 0) continue;
      const std::string name = !option->get_lnames().empty()   ? option->get_lnames().front()
                               : !option->get_snames().empty() ? option->get_snames().front()
                                                               : option->get_name(/*positional=*/true);
      Invocation::Option recorded{name, option->results(), option->get_expected_max() > 1};
      if (!option->get_lnames().empty() && recorded.values.empty()) recorded.values = {"true"};
      inv.options.push_back(std::move(recorded));
    }
  }
}

const Invocation& invocation() { return recorded_invocation(); }

void print_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) std::cerr << format_diagnostic(d) << '\n';
}

Progress::Progress(bool enabled) : enabled_(enabled && isatty(fileno(stderr))), start_(Clock::now()) {}

void Progress::update(double fraction) {
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

void Progress::clear() {
  if (shown_) fmt::print(stderr, "\r{:<70}\r", "");
  shown_ = false;
}

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

const std::atomic<bool>* interrupt_flag() { return &g_interrupt_requested; }

int interrupt_signal() { return g_interrupt_signal; }

const char* interrupt_signal_name() {
  const int s = g_interrupt_signal;
  return s == SIGINT ? "SIGINT" : s == SIGTERM ? "SIGTERM" : "signal";
}

// Under mpirun the processes that stopped because another one was signalled exit with its code too.
int interrupted_exit_code() { return 128 + max_over_processes(static_cast<int>(g_interrupt_signal)); }

}  // namespace cxsim::cli
