// Reports of a run (see report.hpp): result JSON, CSV files, console summary. Every number is a
// function of RunResult alone, so the same result always gives the same bytes.
#include "cxsim/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cxsim/stats.hpp"
#include "cxsim/version.hpp"
#include "io.hpp"

namespace cxsim {

namespace {

// Insertion-ordered, so the document opens with the version and scenario blocks.
using Json = nlohmann::ordered_json;

Json number(double x) {
  if (!std::isfinite(x)) return Json(nullptr);
  return Json(x);
}

// Metric names over all replications, in name order.
std::vector<std::string> metric_names(const RunResult& r) {
  std::set<std::string> names;
  for (const auto& rep : r.replications) {
    for (const auto& [name, value] : rep.metrics) names.insert(name);
  }
  return {names.begin(), names.end()};
}

std::vector<std::pair<std::string, Summary>> metric_summaries(const RunResult& r) {
  std::vector<std::pair<std::string, Summary>> out;
  for (const auto& name : metric_names(r)) out.emplace_back(name, summarize(replicates_of(r, name)));
  return out;
}

// Element-wise mean over replications of every series, in name order. All replications carry
// the same series with the same lengths (the engine's invariant); a mismatch is a bug, not data.
std::vector<std::pair<std::string, std::vector<double>>> series_means(const RunResult& r) {
  std::set<std::string> names;
  for (const auto& rep : r.replications) {
    for (const auto& [name, values] : rep.series) names.insert(name);
  }
  std::vector<std::pair<std::string, std::vector<double>>> out;
  const double n = static_cast<double>(r.replications.size());
  for (const auto& name : names) {
    std::vector<double> sum;
    bool first = true;
    for (const auto& rep : r.replications) {
      const auto it = rep.series.find(name);
      if (it == rep.series.end()) throw std::invalid_argument("series '" + name + "' missing in a replication");
      if (first) {
        sum.assign(it->second.size(), 0.0);
        first = false;
      } else if (it->second.size() != sum.size()) {
        throw std::invalid_argument("series '" + name + "' has different lengths across replications");
      }
      for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += it->second[i];
    }
    for (double& x : sum) x /= n;
    out.emplace_back(name, std::move(sum));
  }
  return out;
}

// {ID: {COUNT: mean over replications}}; an id or count absent from a replication counts as 0.
Json entity_means(const RunResult& r, std::map<std::string, EntityCounts> ReplicationResult::*member) {
  std::map<std::string, std::set<std::string>> keys;
  for (const auto& rep : r.replications) {
    for (const auto& [id, counts] : rep.*member) {
      auto& k = keys[id];
      for (const auto& [count, value] : counts.values) k.insert(count);
    }
  }
  Json out = Json::object();
  const double n = static_cast<double>(r.replications.size());
  for (const auto& [id, counts] : keys) {
    Json entity = Json::object();
    for (const auto& count : counts) {
      double sum = 0.0;
      for (const auto& rep : r.replications) {
        const auto& entities = rep.*member;
        const auto e = entities.find(id);
        if (e == entities.end()) continue;
        const auto v = e->second.values.find(count);
        if (v != e->second.values.end()) sum += v->second;
      }
      entity[count] = number(sum / n);
    }
    out[id] = std::move(entity);
  }
  return out;
}

// ---- CSV ------------------------------------------------------------------------------------

std::string csv_optional(const std::optional<double>& x) { return x ? csv_number(*x) : std::string(); }

// A table whose first column is `keys` and whose other columns are the series of matching length.
std::string csv_table(const std::vector<std::string>& header, const std::vector<int>& keys,
                      const std::vector<const std::vector<double>*>& columns) {
  std::string out;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (c > 0) out += ',';
    out += csv_field(header[c]);
  }
  out += '\n';
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out += fmt::format("{}", keys[i]);
    for (const auto* col : columns) {
      out += ',';
      if (col != nullptr) out += csv_number((*col)[i]);
    }
    out += '\n';
  }
  return out;
}

// ---- console --------------------------------------------------------------------------------

const std::vector<std::string>& summary_order() {
  static const std::vector<std::string> order = {
      "nps",         "survey_nps",   "retention",          "churned",     "clv",
      "revenue",     "service_cost", "intervention_cost",  "net_value",   "csat",
      "ces",         "frt_minutes",  "frt_p90_minutes",    "art_periods", "fcr",
      "aht_minutes", "utilization",  "tickets_per_period", "abandonment", "referrals"};
  return order;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

enum class Unit { kFraction, kMoney, kPlain };

Unit unit_of(const std::string& name) {
  static const std::set<std::string> fractions = {"retention", "churned", "fcr", "utilization", "abandonment"};
  if (fractions.count(name) > 0 || ends_with(name, "_churned")) return Unit::kFraction;
  if (name == "clv" || name == "revenue" || ends_with(name, "_cost") || ends_with(name, "_value")) {
    return Unit::kMoney;
  }
  return Unit::kPlain;
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

}  // namespace

// One value per replication, in replication order; a replication without the metric gives NaN.
std::vector<double> replicates_of(const RunResult& r, const std::string& metric) {
  std::vector<double> values;
  values.reserve(r.replications.size());
  for (const auto& rep : r.replications) {
    const auto it = rep.metrics.find(metric);
    values.push_back(it == rep.metrics.end() ? std::nan("") : it->second);
  }
  return values;
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

nlohmann::ordered_json result_document(const RunResult& result) {
  const RunInfo& info = result.info;
  Json doc = Json::object();
  doc["cxsim_version"] = kVersion;
  doc["scenario"] = Json{{"name", info.scenario_name},
                         {"file", info.scenario_file},
                         {"seed", info.seed},
                         {"customers", info.customers},
                         {"horizon_periods", info.horizon_periods},
                         {"replications", info.replications},
                         {"period_days", number(info.period_days)},
                         {"currency", info.currency}};
  doc["run"] = Json{{"threads", info.threads}};

  Json metrics = Json::object();
  for (const auto& [name, s] : metric_summaries(result)) {
    Json m = Json::object();
    m["mean"] = number(s.mean);
    m["sd"] = s.sd ? number(*s.sd) : Json(nullptr);
    m["ci95"] = s.ci95 ? Json::array({number(s.ci95->first), number(s.ci95->second)}) : Json(nullptr);
    Json reps = Json::array();
    for (double x : replicates_of(result, name)) reps.push_back(number(x));
    m["replicates"] = std::move(reps);
    metrics[name] = std::move(m);
  }
  doc["metrics"] = std::move(metrics);

  Json series = Json::object();
  series["period"] = result.period;
  series["nps_period"] = result.nps_period;
  for (const auto& [name, values] : series_means(result)) {
    if (name == "period" || name == "nps_period") continue;  // reserved for the axes above
    Json a = Json::array();
    for (double x : values) a.push_back(number(x));
    series[name] = std::move(a);
  }
  doc["series"] = std::move(series);

  doc["touchpoints"] = entity_means(result, &ReplicationResult::touchpoints);
  doc["channels"] = entity_means(result, &ReplicationResult::channels);
  doc["interventions"] = entity_means(result, &ReplicationResult::interventions);
  return doc;
}

std::string result_json(const RunResult& result) { return result_document(result).dump(2) + "\n"; }

void write_csv(const RunResult& result, const std::string& dir) {
  ensure_directory(dir);
  const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  const auto means = series_means(result);

  {  // series.csv: every per-period series
    std::vector<std::string> header = {"period"};
    std::vector<const std::vector<double>*> columns;
    for (const auto& [name, values] : means) {
      if (name == "period" || values.size() != result.period.size()) continue;
      header.push_back(name);
      columns.push_back(&values);
    }
    write_file_atomic(base + "series.csv", csv_table(header, result.period, columns));
  }
  {  // nps.csv: nps first, then any other series recorded at the NPS periods
    std::vector<std::string> header = {"nps_period", "nps"};
    std::vector<const std::vector<double>*> columns = {nullptr};
    for (const auto& [name, values] : means) {
      if (values.size() != result.nps_period.size()) continue;
      if (name == "nps") {
        columns[0] = &values;
      } else if (name != "nps_period") {
        header.push_back(name);
        columns.push_back(&values);
      }
    }
    write_file_atomic(base + "nps.csv", csv_table(header, result.nps_period, columns));
  }
  {  // metrics.csv
    std::string out = "metric,mean,sd,ci95_lo,ci95_hi\n";
    for (const auto& [name, s] : metric_summaries(result)) {
      out += fmt::format("{},{},{},{},{}\n", csv_field(name), csv_number(s.mean), csv_optional(s.sd),
                         s.ci95 ? csv_number(s.ci95->first) : std::string(),
                         s.ci95 ? csv_number(s.ci95->second) : std::string());
    }
    write_file_atomic(base + "metrics.csv", out);
  }
}

void print_summary(std::ostream& out, const RunResult& result) {
  const RunInfo& info = result.info;
  out << fmt::format("{}: {} customers x {} replications, {} periods, seed {}\n", info.scenario_name, info.customers,
                     info.replications, info.horizon_periods, info.seed);

  auto summaries = metric_summaries(result);
  // The contract's metrics in their reading order first, then any others by name.
  const auto& order = summary_order();
  auto rank = [&](const std::string& name) {
    const auto it = std::find(order.begin(), order.end(), name);
    return static_cast<std::size_t>(it - order.begin());
  };
  std::stable_sort(summaries.begin(), summaries.end(),
                   [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });

  struct Row {
    std::string metric, mean, ci;
  };
  std::vector<Row> rows = {{"metric", "mean", "95% CI"}};
  for (const auto& [name, s] : summaries) {
    const Unit unit = unit_of(name);
    Row row{name, format_value(s.mean, unit, info.currency), "n/a"};
    if (s.ci95 && std::isfinite(s.mean)) {
      row.ci = "[" + format_value(s.ci95->first, unit, info.currency) + ", " +
               format_value(s.ci95->second, unit, info.currency) + "]";
    }
    rows.push_back(std::move(row));
  }
  std::size_t w_metric = 0, w_mean = 0;
  for (const auto& r : rows) {
    w_metric = std::max(w_metric, r.metric.size());
    w_mean = std::max(w_mean, r.mean.size());
  }
  for (const auto& r : rows) {
    out << fmt::format("  {:<{}}  {:>{}}  {}\n", r.metric, w_metric, r.mean, w_mean, r.ci);
  }
}

std::string format_metric(const std::string& metric, double value, const std::string& currency, bool difference) {
  const Unit unit = unit_of(metric);
  if (!difference || !std::isfinite(value)) return format_value(value, unit, currency);
  if (value == 0.0) return unit == Unit::kFraction ? "0.00 pp" : format_value(0.0, unit, currency);
  if (unit == Unit::kFraction) return fmt::format("{:+.2f} pp", 100.0 * value);
  const std::string magnitude = format_value(std::fabs(value), unit, currency);
  return (value > 0.0 ? "+" : value < 0.0 ? "-" : "") + magnitude;
}

}  // namespace cxsim
