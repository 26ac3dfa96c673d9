// The console reporter (see report.hpp): tables on the terminal, from the report document alone.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <ostream>
#include <vector>

#include "calibrate_report.hpp"
#include "cxsim/report.hpp"
#include "report_document.hpp"

namespace cxsim {

namespace {

// The contract's metrics in their reading order; others follow by name.
const std::vector<std::string>& summary_order() {
  static const std::vector<std::string> order = {
      "nps",         "survey_nps",   "retention",          "churned",     "clv",
      "revenue",     "service_cost", "intervention_cost",  "net_value",   "csat",
      "ces",         "frt_minutes",  "frt_p90_minutes",    "art_periods", "fcr",
      "aht_minutes", "utilization",  "tickets_per_period", "abandonment", "referrals"};
  return order;
}

// The metrics shown per variant of a comparison, in reading order (the objective is added first
// when it is not among them).
const std::vector<std::string>& key_metrics() {
  static const std::vector<std::string> names = {"retention",   "nps", "csat",    "ces",          "frt_minutes",
                                                 "abandonment", "fcr", "revenue", "service_cost", "net_value"};
  return names;
}

std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(); }

std::string currency_of(const Json& run) {
  return run.contains("scenario") ? text_of(run["scenario"].value("currency", Json(""))) : std::string();
}

}  // namespace

// Shared with the other kinds' renderers (report_document.hpp).
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right) {
  std::vector<std::size_t> width(right.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line = " ";
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += ' ';
      line += right[c] ? fmt::format("{:>{}}", row[c], width[c]) : fmt::format("{:<{}}", row[c], width[c]);
      line += ' ';
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

namespace {

// The metric table of a run document: name, mean and 95% CI, contract metrics first.
void print_metrics(std::ostream& out, const Json& run) {
  const std::string currency = currency_of(run);
  std::vector<std::string> names;
  if (run.contains("metrics")) {
    for (const auto& [name, block] : run["metrics"].items()) names.push_back(name);
  }
  const auto& order = summary_order();
  const auto rank = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(order.begin(), order.end(), name) - order.begin());
  };
  std::stable_sort(names.begin(), names.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  std::vector<std::vector<std::string>> rows = {{"metric", "mean", "95% CI"}};
  for (const auto& name : names) {
    const Summary s = summary_of(run["metrics"][name]);
    rows.push_back({name, format_value(s.mean, unit_of(name), currency), format_interval(name, s, currency, false)});
  }
  print_table(out, rows, {false, true, false});
}

void print_run(std::ostream& out, const Json& run) {
  const Json& sc = run.contains("scenario") ? run["scenario"] : Json::object();
  out << fmt::format("{}: {} customers x {} replications, {} periods, seed {}\n", text_of(sc.value("name", Json(""))),
                     text_of(sc.value("customers", Json())), text_of(sc.value("replications", Json())),
                     text_of(sc.value("horizon_periods", Json())), text_of(sc.value("seed", Json())));
  print_metrics(out, run);
}

std::string format_half_width(const std::string& metric, double h, const std::string& currency) {
  std::string s = format_metric(metric, h, currency, /*difference=*/true);
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  return s;
}

std::string stopping_text(const Json& doc, const std::string& metric, const std::string& currency) {
  const Json& st = doc["stopping"];
  const auto replications = st.value("replications", 0), rounds = st.value("rounds", 0);
  const std::string outcome = st.value("outcome", "");
  const double target = number_of(st.value("target_half_width", Json()));
  if (outcome == "target_reached") {
    return fmt::format(
        "target reached: every variant's {} delta is within +/- {} after {} replications "
        "({} round{})",
        metric, format_half_width(metric, target, currency), replications, rounds, rounds == 1 ? "" : "s");
  }
  if (outcome == "max_replications") {
    double widest = 0.0;
    std::string who;
    for (const auto& [name, h_json] : st["objective_half_width"].items()) {
      const double h = number_of(h_json);
      if (who.empty() || std::isnan(h) || h > widest) {
        widest = h;
        who = name;
      }
      if (std::isnan(h)) break;
    }
    return fmt::format(
        "target NOT reached: stopped at the cap of {} replications ({} round{}); the widest "
        "interval is +/- {} ({}), the target +/- {}",
        replications, rounds, rounds == 1 ? "" : "s",
        std::isnan(widest) ? std::string("undefined") : format_half_width(metric, widest, currency), who,
        format_half_width(metric, target, currency));
  }
  return fmt::format("{} replications per variant (fixed)", replications);
}

bool excludes_zero(const Summary& d) {
  return d.ci95 && std::isfinite(d.mean) && (d.ci95->first > 0.0 || d.ci95->second < 0.0);
}

void print_comparison(std::ostream& out, const Json& doc) {
  const Json& batch = doc["batch"];
  const Json& variants = doc["variants"];
  const std::string baseline = batch["variants"].at(0).get<std::string>();
  const Json& base = variants[baseline];
  const std::string currency = currency_of(base);
  const std::string metric = batch["objective"].value("metric", "");
  out << fmt::format(
      "{}: {} variants and the baseline, {} customers x {} replications (common random numbers), "
      "{} periods, seed {}\n",
      text_of(batch.value("name", Json(""))), batch["variants"].size() - 1, text_of(base["scenario"]["customers"]),
      text_of(doc["stopping"]["replications"]), text_of(base["scenario"]["horizon_periods"]),
      text_of(base["scenario"]["seed"]));
  out << fmt::format("objective: {} ({}); {}\n\n", metric, batch["objective"].value("direction", ""),
                     stopping_text(doc, metric, currency));

  std::vector<std::vector<std::string>> rows = {
      {"rank", "variant", metric, "delta vs baseline", "95% CI of delta", ""}};
  for (const Json& r : doc["ranking"]) {
    const std::string name = r.value("variant", "");
    std::vector<std::string> row = {
        text_of(r["rank"]), name, format_metric(metric, number_of(r["mean"]), currency), "", "", ""};
    if (name == baseline) {
      row[3] = "(reference)";
    } else if (variants[name]["delta"].contains(metric)) {
      const Summary d = summary_of(variants[name]["delta"][metric]);
      row[3] = format_metric(metric, d.mean, currency, true);
      row[4] = format_interval(metric, d, currency, true);
      row[5] = excludes_zero(d) ? "*" : "";
    }
    rows.push_back(std::move(row));
  }
  print_table(out, rows, {false, false, true, true, false, false});
  out << "  * the 95% interval of the paired difference excludes zero\n";

  std::vector<std::string> shown = key_metrics();
  if (std::find(shown.begin(), shown.end(), metric) == shown.end()) shown.insert(shown.begin(), metric);
  for (const auto& [name, v] : variants.items()) {
    if (name == baseline) continue;
    const std::string description = text_of(v.value("description", Json("")));
    out << fmt::format("\n{}{}\n", name, description.empty() ? "" : ": " + description);
    std::vector<std::vector<std::string>> lines;
    for (const auto& m : shown) {
      if (!v["delta"].contains(m)) continue;
      const Summary d = summary_of(v["delta"][m]);
      lines.push_back({m, format_metric(m, d.mean, currency, true), format_interval(m, d, currency, true),
                       excludes_zero(d) ? "*" : ""});
    }
    // Metric names padded to the longest shown name, present or not (a stable layout).
    std::size_t w_metric = 0;
    for (const auto& m : shown) w_metric = std::max(w_metric, m.size());
    if (!lines.empty()) lines.front()[0] = fmt::format("{:<{}}", lines.front()[0], w_metric);
    print_table(out, lines, {false, true, false, false});
  }
}

}  // namespace

void ConsoleReporter::write(const Report& report) {
  const Json& doc = report.document().json;
  if (report.kind() == "run") {
    print_run(out_, doc);
  } else if (report.kind() == "comparison") {
    print_comparison(out_, doc);
  } else if (report.kind() == "calibration") {
    print_calibration(out_, doc);
  } else if (doc.is_object() && doc.contains("metrics")) {
    print_metrics(out_, doc);
  }
}

}  // namespace cxsim
