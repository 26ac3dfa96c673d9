// `cxsim report`: the self-contained HTML page of a result file written earlier.
#include <fmt/core.h>

#include <filesystem>

#include "cli.hpp"

namespace cxsim::cli {

namespace {

struct ReportArgs {
  std::string input;   // a result file
  std::string output;  // the page; empty: the input with .html for .json, beside it
  std::string title;
};

// RESULT.json -> RESULT.html (any other name gets .html appended), in the same directory.
std::string default_output(const std::string& input) {
  std::filesystem::path p(input);
  if (p.extension() == ".json") return p.replace_extension(".html").string();
  return input + ".html";
}

int report(const ReportArgs& a) {
  // Read first: a file that is not a cxsim result is an input error (exit 2) before anything else.
  const Report report = read_report(a.input);
  HtmlReportOptions options;
  options.title = a.title;
  options.source_file = a.input;
  HtmlReporter reporter(a.output.empty() ? default_output(a.input) : a.output, options);
  reporter.check();
  // The page shows the command that made the result (the file's invocation block), not this one.
  reporter.write(report);
  return kExitOk;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write the self-contained HTML report (charts and tables) of a result file cxsim wrote");
  cmd->add_option("result", args->input, "Result JSON file (of run, compare or a later command)")->required();
  cmd->add_option("-o,--output", args->output,
                  "Write the page to this file ('-' for stdout); default: RESULT with .html for .json, beside it");
  cmd->add_option("--title", args->title, "The page's title (default: the scenario's or batch's name)");
  return {cmd, [args] { return report(*args); }};
}

}  // namespace cxsim::cli
