// cxsim command line: parses arguments (CLI11), calls the library, maps errors to exit codes (see
// cli/cli.hpp). Each command is a file of tools/cli/ that registers itself here.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cxsim/version.hpp"

int main(int argc, char** argv) {
  using namespace cxsim::cli;
  CLI::App app{"cxsim: customer-journey simulator and what-if modeler"};
  app.set_version_flag("--version", std::string("cxsim ") + cxsim::kVersion);
  app.require_subcommand(1);
  const std::vector<Command> commands = {
      add_run_command(app),       add_compare_command(app),     add_validate_command(app),
      add_report_command(app),    add_sweep_command(app),       add_sensitivity_command(app),
      add_attribute_command(app), add_optimize_command(app),    add_calibrate_command(app)};

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
    std::cerr << "cxsim: internal error: " << e.what() << '\n';
    return kExitInternal;
  }
}
