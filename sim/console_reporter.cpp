// The console reporter (see report.hpp): tables on the terminal, from the report document alone.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <ostream>
#include <utility>
#include <vector>

#include "cxsim/compare.hpp"
#include "calibrate_report.hpp"
#include "cxsim/report.hpp"
#include "explore_report.hpp"
#include "report_document.hpp"

namespace cxsim {

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

// The contract's metrics in their reading order; others follow by name.
const std::vector<std::string>& summary_order() {
  static const std::vector<std::string> order = {"nps",
                                                 "survey_nps",
                                                 "retention",
                                                 "churned",
                                                 "customers_start",
                                                 "customers_end",
                                                 "joined",
                                                 "clv",
                                                 "clv_lifetime",
                                                 "clv_joiners",
                                                 "revenue",
                                                 "margin",
                                                 "service_cost",
                                                 "intervention_cost",
                                                 "touchpoint_cost",
                                                 "net_value",
                                                 "terminal_value",
                                                 "net_value_lifetime",
                                                 "csat",
                                                 "ces",
                                                 "frt_minutes",
                                                 "frt_p90_minutes",
                                                 "service_level",
                                                 "abandonment",
                                                 "art_periods",
                                                 "fcr",
                                                 "aht_minutes",
                                                 "utilization",
                                                 "tickets_per_period",
                                                 "backlog_wait_hours",
                                                 "referrals"};
  return order;
}

std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(); }

std::string currency_of(const Json& run) {
  return run.contains("scenario") ? text_of(run["scenario"].value("currency", Json(""))) : std::string();
}

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

// The run's warnings (saturated channels, replications in two regimes), one line each, prefixed
// with `who` (a comparison's variant) when given.
void print_warnings(std::ostream& out, const Json& run, const std::string& who) {
  if (!run.contains("warnings") || !run["warnings"].is_array()) return;
  for (const Json& w : run["warnings"]) {
    const std::string text = w.is_string() ? w.get<std::string>() : text_of(w.value("message", Json("")));
    if (!text.empty()) out << "warning: " << (who.empty() ? "" : who + ": ") << text << '\n';
  }
}

// Per channel: contacts per period, then answered wait, service level, abandonment and utilization
// with their 95% intervals over replications (channel_metrics; the means of `channels` in a document
// without it). Columns no channel has are left out; "n/a" where a channel has no value (no
// utilization for an unlimited channel).
void print_channels(std::ostream& out, const Json& run) {
  if (!run.contains("channels") || !run["channels"].is_object() || run["channels"].empty()) return;
  const std::string currency = currency_of(run);
  const Json& channels = run["channels"];
  const double horizon = number_of(run["scenario"].value("horizon_periods", Json()));
  const auto columns = channel_columns(run);
  std::vector<std::vector<std::string>> rows = {{"channel", "contacts/period"}};
  for (const auto& column : columns) rows.front().push_back(column.second);
  for (const auto& [id, c] : channels.items()) {
    std::vector<std::string> row = {
        id, format_metric("tickets_per_period", number_of(c.value("contacts", Json())) / horizon, currency)};
    for (const auto& [metric, title] : columns) {
      const std::optional<Summary> s = channel_summary(run, id, metric);
      if (!s || !std::isfinite(s->mean)) {
        row.push_back("n/a");
      } else {
        row.push_back(format_metric(metric, s->mean, currency) +
                      (s->ci95 ? " " + format_interval(metric, *s, currency, false) : std::string()));
      }
    }
    rows.push_back(std::move(row));
  }
  std::vector<bool> right(rows.front().size(), false);
  right[1] = true;
  print_table(out, rows, right);
}

// What the names mean, for a newcomer reading the tables.
void print_legend(std::ostream& out) {
  out << "  nps: population NPS, from the sentiment of every active customer (-100 to 100);\n"
         "    survey_nps: NPS of the surveyed customers' answers only\n"
         "  csat: % of contacts satisfied (4 or 5 of 5); ces: customer effort, 1 to 7, higher = more effort\n"
         "  money, discounted to period 0: revenue, margin (revenue x gross_margin), the costs, clv and net_value\n"
         "    stop at the horizon; terminal_value (the customers active at the horizon), clv_lifetime,\n"
         "    clv_joiners and net_value_lifetime add the value beyond it;\n"
         "    net_value = revenue - service_cost - intervention_cost - touchpoint_cost;\n"
         "    net_value_lifetime = margin + terminal_value - the same costs;\n"
         "    series.revenue and the costs per channel and intervention are undiscounted\n"
         "  base: retention, churned and clv follow the customers active at period 0 (customers_start);\n"
         "    joined counts the customers who joined after it; nps, revenue and costs cover everyone\n";
}

void print_run(std::ostream& out, const Json& run) {
  const Json& sc = run.contains("scenario") ? run["scenario"] : Json::object();
  out << fmt::format("{}: {} customers x {} replications, {} periods, seed {}\n", text_of(sc.value("name", Json(""))),
                     text_of(sc.value("customers", Json())), text_of(sc.value("replications", Json())),
                     text_of(sc.value("horizon_periods", Json())), text_of(sc.value("seed", Json())));
  print_warnings(out, run, "");
  print_metrics(out, run);
  if (run.contains("channels") && run["channels"].is_object() && !run["channels"].empty()) {
    out << "\n  per channel: mean over replications [95% CI]\n";
    print_channels(out, run);
  }
  out << '\n';
  print_legend(out);
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
      row[5] = interval_excludes_zero(d) ? "*" : "";
    }
    rows.push_back(std::move(row));
  }
  print_table(out, rows, {false, false, true, true, false, false});
  out << "  * the 95% interval of the paired difference excludes zero\n";

  bool any_warning = false;
  for (const auto& [name, v] : variants.items()) any_warning = any_warning || v.contains("warnings");
  if (any_warning) out << '\n';
  for (const auto& [name, v] : variants.items()) print_warnings(out, v, name);

  // Each variant's block in rank order: its deltas of the key metrics (every money line, so they
  // visibly add up), then its own per-channel figures.
  std::vector<std::string> shown = comparison_key_metrics();
  if (std::find(shown.begin(), shown.end(), metric) == shown.end()) shown.insert(shown.begin(), metric);
  std::size_t w_metric = 0;  // metric names padded to the longest shown name, present or not (a stable layout)
  for (const auto& m : shown) w_metric = std::max(w_metric, m.size());
  for (const Json& r : doc["ranking"]) {
    const std::string name = r.value("variant", "");
    if (!variants.contains(name)) continue;
    const Json& v = variants[name];
    const std::string description = text_of(v.value("description", Json("")));
    out << fmt::format("\n{}. {}{}\n", text_of(r["rank"]), name, description.empty() ? "" : ": " + description);
    if (name != baseline) {
      std::vector<std::vector<std::string>> lines;
      for (const auto& m : shown) {
        if (!v["delta"].contains(m)) continue;
        const Summary d = summary_of(v["delta"][m]);
        lines.push_back({m, format_metric(m, d.mean, currency, true), format_interval(m, d, currency, true),
                         interval_excludes_zero(d) ? "*" : ""});
      }
      if (!lines.empty()) lines.front()[0] = fmt::format("{:<{}}", lines.front()[0], w_metric);
      print_table(out, lines, {false, true, false, false});
    } else {
      out << "  (the reference: every delta is against it)\n";
    }
    print_channels(out, v);
  }
  out << "\n  deltas: variant minus baseline, paired over replications [95% CI]; fractions in percentage points (pp)\n"
         "  channels: each variant's own mean over replications [95% CI]\n";
  print_legend(out);
}

}  // namespace

void ConsoleReporter::write(const Report& report) {
  const Json& doc = report.document().json;
  if (report.kind() == "run") {
    print_run(out_, doc);
  } else if (report.kind() == "comparison") {
    print_comparison(out_, doc);
  } else if (print_exploration(out_, report.kind(), doc)) {
    // a what-if document (explore_report.hpp)
  } else if (report.kind() == "calibration") {
    print_calibration(out_, doc);
  } else if (doc.is_object() && doc.contains("metrics")) {
    print_metrics(out_, doc);
  }
}

}  // namespace cxsim
