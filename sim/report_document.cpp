// Reading and formatting report documents (see report_document.hpp): every reporter formats numbers
// here, so the console, CSV and HTML of one result agree.
#include "report_document.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

namespace cxsim {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "1234567" -> "1,234,567" (digits only, sign handled by the caller).
std::string group_thousands(const std::string& digits) {
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Whole number with thousands separators, e.g. -1234.6 -> "-1,235".
std::string grouped_integer(double x) {
  std::string s = fmt::format("{:.0f}", x);
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.erase(0, 1);
  if (s == "0") return "0";
  return (negative ? "-" : "") + group_thousands(s);
}

// 4 significant digits in fixed notation, at most 6 decimals, trailing zeros dropped: 2.346,
// 0.001234, 0.000024 (for |x| < 10,000; larger numbers are grouped whole numbers).
std::string significant_digits(double x) {
  if (x == 0.0) return "0";
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(x))));
  const int decimals = std::clamp(3 - magnitude, 0, 6);
  std::string s = fmt::format("{:.{}f}", x, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

}  // namespace

Report make_report(std::string kind, Json json) {
  return Report(std::make_shared<const Report::Document>(Report::Document{std::move(kind), std::move(json)}));
}

Json json_number(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }

double number_of(const Json& v) { return v.is_number() ? v.get<double>() : std::nan(""); }

Json summary_json(const Summary& s) {
  Json m = Json::object();
  m["mean"] = json_number(s.mean);
  m["sd"] = s.sd ? json_number(*s.sd) : Json(nullptr);
  m["ci95"] = s.ci95 ? Json::array({json_number(s.ci95->first), json_number(s.ci95->second)}) : Json(nullptr);
  return m;
}

Summary summary_of(const Json& block) {
  Summary s;
  if (!block.is_object()) {
    s.mean = number_of(block);
    return s;
  }
  s.mean = block.contains("mean") ? number_of(block["mean"]) : std::nan("");
  if (block.contains("sd") && block["sd"].is_number()) s.sd = block["sd"].get<double>();
  if (block.contains("ci95") && block["ci95"].is_array() && block["ci95"].size() == 2) {
    s.ci95 = std::make_pair(number_of(block["ci95"][0]), number_of(block["ci95"][1]));
  }
  return s;
}

double mean_of(const Json& block) { return summary_of(block).mean; }

Unit unit_of(const std::string& name) {
  static const std::map<std::string, Unit> named = {{"retention", Unit::kFraction},
                                                    {"churned", Unit::kFraction},
                                                    {"fcr", Unit::kFraction},
                                                    {"utilization", Unit::kFraction},
                                                    {"abandonment", Unit::kFraction},
                                                    {"service_level", Unit::kFraction},
                                                    {"clv", Unit::kMoney},
                                                    {"revenue", Unit::kMoney},
                                                    {"margin", Unit::kMoney},
                                                    {"clv_lifetime", Unit::kMoney},
                                                    {"clv_joiners", Unit::kMoney},
                                                    {"net_value_lifetime", Unit::kMoney},
                                                    {"cost", Unit::kMoney},
                                                    {"csat", Unit::kScore100},
                                                    {"nps", Unit::kNps},
                                                    {"survey_nps", Unit::kNps},
                                                    {"ces", Unit::kScale7},
                                                    {"tickets_per_period", Unit::kCountPerPeriod},
                                                    {"customers_end", Unit::kCount},
                                                    {"customers_start", Unit::kCount},
                                                    {"joined", Unit::kCount},
                                                    {"customers", Unit::kCount},
                                                    {"referrals", Unit::kCount},
                                                    {"first_contacts", Unit::kCount},
                                                    {"survey_responses", Unit::kCount},
                                                    {"contacts", Unit::kCount},
                                                    {"uses", Unit::kCount},
                                                    {"reach", Unit::kCount},
                                                    {"visits", Unit::kCount},
                                                    {"failures", Unit::kCount},
                                                    {"exits", Unit::kCount},
                                                    {"abandoned", Unit::kCount},
                                                    {"handled", Unit::kCount},
                                                    {"resolved", Unit::kCount},
                                                    {"count", Unit::kCount}};
  if (const auto it = named.find(name); it != named.end()) return it->second;
  if (ends_with(name, "_churned")) return Unit::kFraction;
  if (ends_with(name, "_cost") || ends_with(name, "_value")) return Unit::kMoney;
  if (ends_with(name, "_minutes")) return Unit::kMinutes;
  if (ends_with(name, "_hours")) return Unit::kHours;
  if (ends_with(name, "_periods")) return Unit::kPeriods;
  return Unit::kPlain;
}

namespace {

// Each unit's name in CSV files and its label beside a number (and beside a difference).
struct UnitText {
  Unit unit;
  const char* name;
  const char* label;
  const char* difference_label;
};

const UnitText& unit_text(Unit unit) {
  static const UnitText texts[] = {
      {Unit::kFraction, "fraction", "%", "pp"},
      {Unit::kMoney, "currency", "", ""},  // labelled with the scenario's currency
      {Unit::kMinutes, "minutes", "minutes", "minutes"},
      {Unit::kHours, "hours", "hours", "hours"},
      {Unit::kPeriods, "periods", "periods", "periods"},
      {Unit::kScore100, "score_0_100", "0-100", "points"},
      {Unit::kNps, "score_-100_100", "-100 to 100", "points"},
      {Unit::kScale7, "score_1_7", "1-7, higher = more effort", "1-7, higher = more effort"},
      {Unit::kCount, "count", "count", "count"},
      {Unit::kCountPerPeriod, "count_per_period", "per period", "per period"},
      {Unit::kPlain, "number", "", ""}};
  for (const UnitText& t : texts) {
    if (t.unit == unit) return t;
  }
  return texts[std::size(texts) - 1];
}

}  // namespace

const char* unit_name(Unit unit) { return unit_text(unit).name; }

std::string unit_label(Unit unit, const std::string& currency, bool difference) {
  if (unit == Unit::kMoney) return currency;
  return difference ? unit_text(unit).difference_label : unit_text(unit).label;
}

std::string format_value(double x, Unit unit, const std::string& currency) {
  if (!std::isfinite(x)) return "n/a";
  if (unit == Unit::kFraction) {
    const double percent = 100.0 * x;
    return fmt::format(std::fabs(percent) < 1.0 && percent != 0.0 ? "{:.2f}%" : "{:.1f}%", percent);
  }
  if (unit == Unit::kMoney) {
    std::string s = std::fabs(x) >= 1000.0 ? grouped_integer(x) : fmt::format("{:.2f}", x);
    return currency.empty() ? s : s + " " + currency;
  }
  if (std::fabs(x) >= 10000.0) return grouped_integer(x);
  return significant_digits(x);
}

std::string format_metric(const std::string& metric, double value, const std::string& currency, bool difference) {
  const Unit unit = unit_of(metric);
  if (!difference || !std::isfinite(value)) return format_value(value, unit, currency);
  if (value == 0.0) return unit == Unit::kFraction ? "0.00 pp" : format_value(0.0, unit, currency);
  if (unit == Unit::kFraction) return fmt::format("{:+.2f} pp", 100.0 * value);
  const std::string magnitude = format_value(std::fabs(value), unit, currency);
  return (value > 0.0 ? "+" : value < 0.0 ? "-" : "") + magnitude;
}

std::string format_interval(const std::string& metric, const Summary& s, const std::string& currency, bool difference) {
  if (!s.ci95 || !std::isfinite(s.mean)) return "n/a";
  if (!difference) {
    const Unit unit = unit_of(metric);
    return "[" + format_value(s.ci95->first, unit, currency) + ", " + format_value(s.ci95->second, unit, currency) +
           "]";
  }
  return "[" + format_metric(metric, s.ci95->first, currency, true) + ", " +
         format_metric(metric, s.ci95->second, currency, true) + "]";
}

const std::vector<std::string>& comparison_key_metrics() {
  static const std::vector<std::string> names = {"retention",
                                                 "nps",
                                                 "csat",
                                                 "ces",
                                                 "frt_minutes",
                                                 "service_level",
                                                 "abandonment",
                                                 "fcr",
                                                 "revenue",
                                                 "margin",
                                                 "service_cost",
                                                 "intervention_cost",
                                                 "touchpoint_cost",
                                                 "net_value",
                                                 "net_value_lifetime"};
  return names;
}

std::optional<Summary> channel_summary(const Json& run, const std::string& channel, const std::string& metric) {
  const auto block = [&](const char* key) -> const Json* {
    if (!run.is_object() || !run.contains(key) || !run[key].is_object() || !run[key].contains(channel)) return nullptr;
    return &run[key][channel];
  };
  if (const Json* m = block("channel_metrics"); m != nullptr && m->is_object() && m->contains(metric)) {
    return summary_of((*m)[metric]);
  }
  const Json* counts = block("channels");
  if (counts == nullptr || !counts->is_object()) return std::nullopt;
  if (metric == "abandonment" && counts->contains("abandoned") && counts->contains("contacts")) {
    return summary_of(Json(number_of((*counts)["abandoned"]) / number_of((*counts)["contacts"])));
  }
  if (counts->contains(metric)) return summary_of((*counts)[metric]);
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> channel_columns(const Json& run) {
  static const std::vector<std::pair<std::string, std::string>> all = {{"frt_minutes", "answered wait (min)"},
                                                                       {"service_level", "service level"},
                                                                       {"abandonment", "abandonment"},
                                                                       {"utilization", "utilization"},
                                                                       {"backlog_wait_hours", "backlog wait (h)"}};
  std::vector<std::pair<std::string, std::string>> out;
  if (!run.is_object() || !run.contains("channels") || !run["channels"].is_object()) return out;
  for (const auto& column : all) {
    for (const auto& [id, counts] : run["channels"].items()) {
      if (channel_summary(run, id, column.first)) {
        out.push_back(column);
        break;
      }
    }
  }
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

// Shortest representation that reads back to the same double; empty for NaN/inf (undefined).
std::string csv_number(double x) { return std::isfinite(x) ? fmt::format("{}", x) : std::string(); }

std::string csv_optional(const std::optional<double>& x) { return x ? csv_number(*x) : std::string(); }

}  // namespace cxsim
