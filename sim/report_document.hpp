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

// One value per replication of `metric`, in replication order (NaN where a replication lacks it).
std::vector<double> replicates_of(const RunResult& r, const std::string& metric);

// {"mean", "sd", "ci95"} of a summary (the interval and sd null when undefined).
Json summary_json(const Summary& s);
// A summary read back from such a block (n stays 0).
Summary summary_of(const Json& block);
// The mean value of `key` in a document block (`{"mean": x}` or a plain number); NaN when absent.
double mean_of(const Json& block);

// What a metric's number measures. Every reporter asks unit_of, so a metric reads the same on the
// console, in CSV (its `unit` column) and in the HTML page.
enum class Unit {
  kFraction,        // a share in [0, 1] (retention, fcr, utilization, service_level ...): shown as %
  kMoney,           // the scenario's currency (metrics: discounted to period 0)
  kMinutes,         // waits and handle times
  kHours,           // backlog waits
  kPeriods,         // durations counted in periods (art_periods)
  kScore100,        // 0 to 100 (csat: % of contacts satisfied)
  kNps,             // -100 to 100 (nps, survey_nps)
  kScale7,          // 1 to 7, higher = more effort (ces)
  kCount,           // customers, contacts, uses, responses
  kCountPerPeriod,  // counts per period (tickets_per_period)
  kPlain,           // anything else
};
// The unit of a metric (or of a per-entity count such as "uses"): MODEL.md's metrics and version 2's
// (service_level, customers_end, margin, terminal_value, clv_lifetime, net_value_lifetime,
// backlog_wait_hours), then by suffix (_minutes, _hours, _periods, _cost, _value, _churned), else kPlain.
Unit unit_of(const std::string& metric);
// The unit's name in CSV files: fraction, currency, minutes, hours, periods, score_0_100,
// score_-100_100, score_1_7, count, count_per_period, number.
const char* unit_name(Unit unit);
// The unit as a reader sees it beside a number (the HTML report's unit column, legends): "%" (or
// "pp" for a difference), the currency, "minutes", "hours", "periods", "0-100", "-100 to 100",
// "1-7, higher = more effort", "count", "per period", "".
std::string unit_label(Unit unit, const std::string& currency, bool difference = false);
// A value as every reporter shows it (no exponent notation, ever):
//   fraction: a percentage with 1 decimal (85.0%), with 2 below 1% (0.38%);
//   money: whole units with thousands separators from 1,000 (1,234,568 USD), else 2 decimals;
//   every other unit: whole numbers with thousands separators from 10,000 (123,457), else 4
//   significant digits in fixed notation with at most 6 decimals (2.346, 0.001234, 0.000024);
//   "n/a" when not finite.
std::string format_value(double x, Unit unit, const std::string& currency);
// "[lo, hi]" of an interval formatted like its metric (differences when `difference`); "n/a".
std::string format_interval(const std::string& metric, const Summary& s, const std::string& currency, bool difference);

// The metrics a comparison shows for each variant (the console's detail blocks, the HTML report's
// key-metric forest plots), in reading order; those a document lacks are skipped. Every money line
// is there (revenue, margin, service, intervention and touchpoint costs, net value), so the deltas
// visibly add up: net_value = revenue - service_cost - intervention_cost - touchpoint_cost.
const std::vector<std::string>& comparison_key_metrics();

// A channel's summary of `metric` in a run document: from channel_metrics (with its interval), else
// the mean over replications of the channel's count in `channels` (abandonment: abandoned /
// contacts), without an interval; nullopt when the document has neither.
std::optional<Summary> channel_summary(const Json& run, const std::string& channel, const std::string& metric);
// The per-channel metrics the console and the HTML report show ({metric, column title}, in order:
// frt_minutes, service_level, abandonment, utilization, backlog_wait_hours), those some channel of
// `run` has.
std::vector<std::pair<std::string, std::string>> channel_columns(const Json& run);
// Rows of columns, each padded to its widest cell; `right` columns are right-aligned. Trailing
// spaces are trimmed. (The console reporter's tables.)
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right);

// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
std::string csv_field(const std::string& text);
// A number for CSV: the shortest text that reads back to the same double, empty when not finite.
std::string csv_number(double x);
std::string csv_optional(const std::optional<double>& x);

}  // namespace cxsim
