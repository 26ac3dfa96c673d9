#pragma once
// The document behind a Report, and what every reporter needs to read it: one number formatter,
// CSV fields, and a metric's summary ({mean, sd, ci95}) read back from the document (where null
// stands for an undefined number).
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cxsim/report.hpp"
#include "cxsim/stats.hpp"

namespace cxsim {

// Insertion-ordered, so a document opens with its version and context blocks.
using Json = nlohmann::ordered_json;

struct Report::Document {
  std::string kind;
  Json json;
};

Report make_report(std::string kind, Json json);

// A number for a document: null when not finite.
Json json_number(double x);
// A number read from a document: NaN for null (or anything that is not a number).
double number_of(const Json& v);

// {"mean", "sd", "ci95"} of a summary (the interval and sd null when undefined).
Json summary_json(const Summary& s);
// A summary read back from such a block (n stays 0).
Summary summary_of(const Json& block);
// The mean value of `key` in a document block (`{"mean": x}` or a plain number); NaN when absent.
double mean_of(const Json& block);

enum class Unit { kFraction, kMoney, kPlain };
Unit unit_of(const std::string& metric);
std::string format_value(double x, Unit unit, const std::string& currency);
// "[lo, hi]" of an interval formatted like its metric (differences when `difference`); "n/a".
std::string format_interval(const std::string& metric, const Summary& s, const std::string& currency, bool difference);

// Rows of columns on the console, each padded to its widest cell; `right` columns are right-aligned.
// Trailing spaces are trimmed.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right);

// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
std::string csv_field(const std::string& text);
// A number for CSV: the shortest text that reads back to the same double, empty when not finite.
std::string csv_number(double x);
std::string csv_optional(const std::optional<double>& x);

}  // namespace cxsim
