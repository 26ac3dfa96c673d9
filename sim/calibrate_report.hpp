#pragma once
// The calibration report's console and CSV rendering (calibrate_report.cpp), called from the
// reporters' kind dispatch (console_reporter.cpp, csv_reporter.cpp).
#include <iosfwd>
#include <string>

#include "report_document.hpp"

namespace cxsim {

// The fit on the console: what was fitted how, the parameter table (estimate, SE, 95% CI, range),
// the target table (observed, fitted on fresh replications with its 95% CI, standardized residual),
// the objective and the warnings.
void print_calibration(std::ostream& out, const Json& doc);

// parameters.csv and targets.csv of a calibration document into `base` (a directory prefix).
void write_calibration_csv(const Json& doc, const std::string& base);

}  // namespace cxsim
