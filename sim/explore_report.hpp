#pragma once
// The console and CSV renderings of the what-if documents (cxsim/explore.hpp, cxsim/optimize.hpp),
// which the console and CSV reporters dispatch to by kind. Like every reporter they read the
// document alone, so `cxsim report` renders a result file written earlier the same way.
#include <iosfwd>
#include <string>

#include "report_document.hpp"

namespace cxsim {

// "sweep", "sensitivity", "attribution" or "optimize" by the document's top-level key; "" for
// other documents.
std::string exploration_kind(const Json& doc);

// Prints the tables of a what-if document; false (printing nothing) for other kinds.
bool print_exploration(std::ostream& out, const std::string& kind, const Json& doc);

// Writes the CSV files of a what-if document under `base` (a directory prefix); false for other
// kinds. sweep: sweep.csv; sensitivity: sensitivity.csv and sensitivity_deltas.csv; attribution:
// attribution.csv; optimize: evaluations.csv and candidates.csv.
bool write_exploration_csv(const std::string& kind, const Json& doc, const std::string& base);

}  // namespace cxsim
