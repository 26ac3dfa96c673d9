// The HTML reporter (see report.hpp): the self-contained page of the report document.
#include <iostream>

#include "cxsim/report.hpp"
#include "html_report.hpp"
#include "io.hpp"
#include "report_document.hpp"

namespace cxsim {

void HtmlReporter::check() const {
  if (path_ != "-") check_output_path(path_);
}

void HtmlReporter::write(const Report& report) {
  const std::string page = html_report(report.document().json, options_);
  if (path_ == "-") {
    std::cout << page;
  } else {
    write_output_file(path_, page);
  }
}

}  // namespace cxsim
