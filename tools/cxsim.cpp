// cxsim command line: parses arguments (CLI11), calls the library, maps errors to exit codes (see
// cli/cli.hpp). Each command is a file of tools/cli/ that registers itself here.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cxsim/cluster.hpp"
#include "cxsim/version.hpp"

namespace {

// Under mpirun only rank 0 prints: the other processes' standard output and error go to /dev/null
// (they compute the same results and meet the same errors). Their original standard error stays
// open for an error only that process met (fatal()).
int g_stderr = STDERR_FILENO;

void quiet(const cxsim::ProcessGroup& group) {
  if (group.rank() == 0) return;
  g_stderr = ::dup(STDERR_FILENO);
  if (std::freopen("/dev/null", "w", stdout) == nullptr || std::freopen("/dev/null", "w", stderr) == nullptr) {
    std::perror("cxsim: cannot redirect the output of a process other than rank 0");
    group.abort(cxsim::cli::kExitInternal);
  }
}

// An internal error (a bug, or memory exhausted outside a run) that other processes may not share:
// printed by this process and, under mpirun, ending every process with the same exit code.
int fatal(const cxsim::ProcessGroup& group, const std::string& message) {
  const std::string line = (group.size() > 1 ? "cxsim (rank " + std::to_string(group.rank()) + "): " : "cxsim: ") +
                           "internal error: " + message + "\n";
  if (group.rank() == 0) {
    std::cerr << line << std::flush;
  } else if (::write(g_stderr, line.data(), line.size()) < 0) {
    std::perror("cxsim: cannot report an internal error");
  }
  group.abort(cxsim::cli::kExitInternal);
  return cxsim::cli::kExitInternal;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cxsim::cli;
  // MPI first (a no-op without it or outside mpirun): every process parses the same arguments.
  cxsim::ProcessGroup group(&argc, &argv);
  quiet(group);
  CLI::App app{"cxsim: customer-journey simulator and what-if modeler"};
  app.set_version_flag("--version", std::string("cxsim ") + cxsim::kVersion);
  app.require_subcommand(1);
  const std::vector<Command> commands = {
      add_run_command(app),       add_compare_command(app),  add_validate_command(app),
      add_report_command(app),    add_sweep_command(app),    add_sensitivity_command(app),
      add_attribute_command(app), add_optimize_command(app), add_calibrate_command(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInput;
  }

  try {
    record_invocation(app, argc, argv);
    for (const Command& c : commands) {
      if (c.app->parsed()) return c.run();
    }
    return kExitInput;
  } catch (const cxsim::InputError& e) {
    print_diagnostics(e.diagnostics());
    return kExitInput;
  } catch (const CLI::ParseError& e) {  // a usage error found once the command runs (e.g. --html -)
    app.exit(e);
    return kExitInput;
  } catch (const cxsim::OutputError& e) {
    std::cerr << "cxsim: error: " << e.what() << '\n';
    return kExitInternal;
  } catch (const std::exception& e) {
    return fatal(group, e.what());
  }
}
