// Reading and formatting report documents (see report_document.hpp): every reporter formats numbers
// here, so the console, CSV and HTML of one result agree.
#include "report_document.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

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
  static const std::set<std::string> fractions = {"retention", "churned", "fcr", "utilization", "abandonment"};
  if (fractions.count(name) > 0 || ends_with(name, "_churned")) return Unit::kFraction;
  if (name == "clv" || name == "revenue" || ends_with(name, "_cost") || ends_with(name, "_value")) {
    return Unit::kMoney;
  }
  return Unit::kPlain;
}

std::string format_value(double x, Unit unit, const std::string& currency) {
  if (!std::isfinite(x)) return "n/a";
  switch (unit) {
    case Unit::kFraction:
      return fmt::format("{:.1f}%", 100.0 * x);
    case Unit::kMoney: {
      std::string s = std::fabs(x) >= 1000.0 ? grouped_integer(x) : fmt::format("{:.2f}", x);
      return currency.empty() ? s : s + " " + currency;
    }
    case Unit::kPlain:
      break;
  }
  if (std::fabs(x) >= 10000.0) return grouped_integer(x);  // 4 significant digits would need an exponent
  return fmt::format("{:.4g}", x);
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
