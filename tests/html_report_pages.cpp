// Writes the HTML report of result files, for the browser test (tools/vega/check-reports.mjs) and
// the screenshots (tools/report-screenshots.sh), until `cxsim report` does the same.
//
// Usage: cxsim_html_pages [--clean] [--broken] OUTDIR INPUT...
// Each INPUT is a result file (.json) or a directory, whose *.json files are taken in name order.
// The page of DIR/NAME.json is OUTDIR/NAME.html; when two inputs share a NAME, the later one is
// written as OUTDIR/PARENT-NAME.html (PARENT: its directory's name). Prints one line per page.
// --clean removes OUTDIR's *.html files first, so pages of removed inputs do not linger.
// --broken writes, instead, deliberately broken variants of the first input's page (an external
// image, an external URL in the text, a console error, a chart whose mark count is off, a chart
// that cannot render): the browser test must fail every one of them (its --expect-failures mode),
// which shows that it is not passing pages vacuously.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "html_report.hpp"
#include "io.hpp"

namespace fs = std::filesystem;

namespace {

nlohmann::ordered_json read_document(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return nlohmann::ordered_json::parse(text.str());
}

// `page` with the first `from` replaced by `to`; throws when `from` is absent (the page changed
// shape and this helper must follow).
std::string replace_first(std::string page, const std::string& from, const std::string& to) {
  const auto at = page.find(from);
  if (at == std::string::npos) throw std::runtime_error("broken pages: \"" + from + "\" not found in the page");
  return page.replace(at, from.size(), to);
}

// Hosts under .invalid never resolve (RFC 2606); the browser test blocks every request anyway.
std::vector<std::pair<std::string, std::string>> broken_pages(const std::string& page) {
  const std::string main = "<main>\n";
  return {
      {"broken-external-image",
       replace_first(page, main, main + "<img src=\"https://cxsim-test.invalid/x.png\" alt=\"\">")},
      {"broken-url-in-text", replace_first(page, main, main + "<p>see http://cxsim-test.invalid/page</p>")},
      {"broken-console-error", replace_first(page, main, main + "<script>console.error(\"deliberate\");</script>")},
      {"broken-mark-count", replace_first(page, "\"expected_marks\":{\"line\":1}", "\"expected_marks\":{\"line\":2}")},
      {"broken-spec", replace_first(page, "\"mark\":{\"strokeWidth\":1.6,\"type\":\"line\"}",
                                    "\"mark\":{\"strokeWidth\":1.6,\"type\":\"no-such-mark\"}")},
  };
}

}  // namespace

int main(int argc, char** argv) {
  bool clean = false, broken = false;
  int first = 1;
  for (; first < argc && std::string(argv[first]).rfind("--", 0) == 0; ++first) {
    const std::string flag = argv[first];
    if (flag == "--clean") {
      clean = true;
    } else if (flag == "--broken") {
      broken = true;
    } else {
      std::cerr << "cxsim_html_pages: unknown option " << flag << '\n';
      return 2;
    }
  }
  if (argc < first + 2) {
    std::cerr << "usage: cxsim_html_pages [--clean] [--broken] OUTDIR INPUT.json|DIR ...\n";
    return 2;
  }
  const fs::path out_dir = argv[first];
  std::vector<fs::path> inputs;
  for (int i = first + 1; i < argc; ++i) {
    const fs::path p = argv[i];
    if (fs::is_directory(p)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(p)) {
        if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else {
      inputs.push_back(p);
    }
  }
  try {
    cxsim::ensure_directory(out_dir.string());
    if (clean) {
      for (const auto& e : fs::directory_iterator(out_dir)) {
        if (e.is_regular_file() && e.path().extension() == ".html") fs::remove(e.path());
      }
    }
    if (broken) {
      if (inputs.empty()) throw std::runtime_error("--broken needs an input");
      const std::string page = cxsim::html_report(read_document(inputs.front()));
      for (const auto& [name, html] : broken_pages(page)) {
        const fs::path out = out_dir / (name + ".html");
        cxsim::write_file_atomic(out.string(), html);
        std::cout << out.string() << '\n';
      }
      return 0;
    }
    std::set<std::string> written;
    for (const auto& input : inputs) {
      const auto doc = read_document(input);
      std::string name = input.stem().string();
      if (written.count(name) > 0) name = input.parent_path().filename().string() + "-" + name;
      written.insert(name);
      cxsim::HtmlReportOptions options;
      options.source_file = input.string();
      const std::string page = cxsim::html_report(doc, options);
      const fs::path out = out_dir / (name + ".html");
      cxsim::write_file_atomic(out.string(), page);
      std::cout << out.string() << " (" << cxsim::result_kind_name(cxsim::result_kind(doc)) << ", " << page.size()
                << " bytes)\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "cxsim_html_pages: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
