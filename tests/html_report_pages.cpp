// Writes deliberately broken variants of the HTML report of a result file, for the browser test's
// self-check (ctest html_report_browser_catches_broken_pages): an external image, an external URL
// in the text, a console error, a chart whose mark count is off, a chart that cannot render. The
// browser test (tools/vega/check-reports.mjs --expect-failures) must fail every one of them, which
// shows that it is not passing pages vacuously. The pages it must pass are written by `cxsim report`
// (tests/write_report_pages.cmake).
//
// Usage: cxsim_html_pages OUTDIR RESULT.json
// OUTDIR's *.html files are removed first; prints one line per page.
#include <filesystem>
#include <fstream>
#include <iostream>
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
  if (argc != 3) {
    std::cerr << "usage: cxsim_html_pages OUTDIR RESULT.json\n";
    return 2;
  }
  const fs::path out_dir = argv[1];
  try {
    cxsim::ensure_directory(out_dir.string());
    for (const auto& e : fs::directory_iterator(out_dir)) {
      if (e.is_regular_file() && e.path().extension() == ".html") fs::remove(e.path());
    }
    const std::string page = cxsim::html_report(read_document(argv[2]));
    for (const auto& [name, html] : broken_pages(page)) {
      const fs::path out = out_dir / (name + ".html");
      cxsim::write_file_atomic(out.string(), html);
      std::cout << out.string() << '\n';
    }
  } catch (const std::exception& e) {
    std::cerr << "cxsim_html_pages: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
