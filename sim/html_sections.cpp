// The HTML of each kind of page (html_report_detail.hpp): headline cards, warnings, per-channel and
// metric tables, the ranking and the details of a run or a comparison, and the metric tables of any
// other document. Numbers are written by format_metric and format_interval, like the console's.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cxsim/compare.hpp"
#include "cxsim/report.hpp"
#include "html_report_detail.hpp"

namespace cxsim::html {

namespace {

// A metric table: one row per metric (mean, 95% CI, and for deltas whether it excludes 0).
std::string metric_table(const OJson& table, const std::string& currency, bool difference, const std::string& caption) {
  std::string out = "<table>";
  if (!caption.empty()) out += "<caption>" + escape_html(caption) + "</caption>";
  out += "<thead><tr><th>metric</th><th class=\"num\">";
  out += difference ? "difference" : "mean";
  out += "</th><th class=\"num\">95% CI</th><th>unit</th>";
  if (difference) out += "<th>excludes 0</th>";
  out += "</tr></thead><tbody>";
  for (const auto& [name, entry] : table.items()) {
    const Summary m = summary_at(&entry);
    out += "<tr><td>" + escape_html(name) + "</td><td class=\"num\">" +
           escape_html(format_metric(name, m.mean, currency, difference)) + "</td><td class=\"num\">" +
           escape_html(format_interval(name, m, currency, difference)) + "</td><td>" +
           escape_html(unit_label(unit_of(name), currency, difference)) + "</td>";
    if (difference) {
      const bool excludes = interval_excludes_zero(m);
      out += std::string("<td>") + (excludes ? "<span class=\"marker\">* yes</span>" : "no") + "</td>";
    }
    out += "</tr>";
  }
  return out + "</tbody></table>\n";
}

// An object whose every member is an object with a "mean": a metric table of a result document.
bool is_metric_table(const OJson& node) {
  if (!node.is_object() || node.empty()) return false;
  return std::all_of(node.begin(), node.end(), [](const OJson& v) { return v.is_object() && v.contains("mean"); });
}

struct FoundTable {
  std::string path;  // JSON pointer
  std::string currency;
  bool difference = false;
  const OJson* table = nullptr;
};

constexpr std::size_t kMaxTables = 200;
constexpr int kMaxDepth = 12;

// Every metric table in the document, depth first in document order; the currency is the nearest
// enclosing document's scenario.currency.
void find_metric_tables(const OJson& node, const std::string& path, std::string currency, int depth,
                        std::vector<FoundTable>& out) {
  if (depth > kMaxDepth || out.size() >= kMaxTables) return;
  if (node.is_object()) {
    if (const OJson* c = member(member(node, "scenario"), "currency"); c != nullptr && c->is_string()) {
      currency = c->get<std::string>();
    }
    for (const auto& [key, value] : node.items()) {
      std::string escaped;
      for (const char ch : key) escaped += ch == '~' ? "~0" : ch == '/' ? "~1" : std::string(1, ch);
      const std::string child = path + "/" + escaped;
      if (is_metric_table(value)) {
        if (out.size() < kMaxTables) out.push_back(FoundTable{child, currency, key == "delta", &value});
      } else {
        find_metric_tables(value, child, currency, depth + 1, out);
      }
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      find_metric_tables(node[i], path + "/" + std::to_string(i), currency, depth + 1, out);
    }
  }
}

struct Card {
  const char* metric;
  const char* label;
  const char* note;
};

// The headline cards of a run, in order; metrics a document lacks are left out.
const std::vector<Card>& headline_cards() {
  static const std::vector<Card> cards = {
      {"nps", "NPS", "population NPS at the horizon"},
      {"retention", "Retention", "initial customers active at the horizon"},
      {"clv", "CLV", "value per initial customer over the horizon"},
      {"net_value", "Net value", "over the horizon, after service, intervention and touchpoint costs"},
      {"clv_lifetime", "Lifetime CLV", "CLV with the terminal value beyond the horizon"},
      {"net_value_lifetime", "Lifetime net value", "net value with the terminal value beyond the horizon"},
      {"customers_end", "Customers at the horizon", "everyone active at the horizon, joiners included"},
      {"csat", "CSAT", "% of contacts satisfied (4 or 5)"},
      {"frt_minutes", "FRT", "mean wait of answered contacts, minutes"},
      {"service_level", "Service level", "contacts answered within the target"},
  };
  return cards;
}

std::string cards_html(const OJson* metrics, const std::string& currency, int replications) {
  std::string out = "<div class=\"cards\">";
  for (const auto& card : headline_cards()) {
    const OJson* entry = member(metrics, card.metric);
    if (entry == nullptr) continue;
    const Summary m = summary_at(entry);
    std::string ci = m.ci95 && std::isfinite(m.mean) ? "95% CI " + format_interval(card.metric, m, currency, false)
                     : replications == 1             ? "no interval: 1 replication"
                                                     : "no interval";
    out += fmt::format(
        "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"ci\">{}</div>"
        "<div class=\"note\">{}</div></div>",
        escape_html(card.label), escape_html(format_metric(card.metric, m.mean, currency)), escape_html(ci),
        escape_html(card.note));
  }
  return out + "</div>\n";
}

std::string figures_html(const Json& charts) {
  std::string out;
  for (const auto& c : charts) {
    const std::string id = c.at("id").get<std::string>();
    out += fmt::format(
        "<figure id=\"fig-{0}\"><figcaption><h3>{1}</h3><p>{2}</p></figcaption>"
        "<div class=\"chart\" id=\"chart-{0}\"></div>"
        "<noscript><p class=\"note\">Charts need JavaScript; the tables below hold the numbers.</p></noscript>"
        "</figure>\n",
        escape_html(id), escape_html(c.at("title").get<std::string>()),
        escape_html(c.at("description").get<std::string>()));
  }
  return out;
}

std::string detail_row(const std::string& term, const std::string& value, bool code = false) {
  if (value.empty()) return "";
  return "<dt>" + escape_html(term) + "</dt><dd>" + (code ? "<code>" : "") + escape_html(value) +
         (code ? "</code>" : "") + "</dd>";
}

std::string count_text(const OJson* v) {
  const double x = number_at(v);
  return std::isfinite(x) ? format_metric("count", x, "") : "";
}

// The command that made the result: the option's (a caller's override), else the document's own
// (invocation.command_line, recorded by the command line for every command).
std::string command_line_of(const OJson& doc, const HtmlReportOptions& options) {
  if (!options.command_line.empty()) return options.command_line;
  return string_of(member(member(doc, "invocation"), "command_line"));
}

// The document's warnings (run_report's `warnings`: saturated channels, replications in two
// regimes), each prefixed with `who` (a comparison's variant); empty when there are none.
std::string warning_items(const OJson& doc, const std::string& who) {
  std::string out;
  if (const OJson* warnings = member(doc, "warnings"); warnings != nullptr && warnings->is_array()) {
    for (const auto& w : *warnings) {
      const std::string text = w.is_string() ? w.get<std::string>() : string_of(member(w, "message"));
      if (!text.empty()) out += "<li>" + escape_html(who.empty() ? text : who + ": " + text) + "</li>";
    }
  }
  return out;
}

std::string warnings_section(const std::string& items) {
  if (items.empty()) return "";
  return "<section id=\"warnings\" class=\"warnings\"><h2>Warnings</h2><ul>" + items + "</ul></section>\n";
}

// Service by channel: contacts per period, then answered wait, service level, abandonment,
// utilization and backlog wait, each with its 95% interval over replications (channel_metrics), or
// the mean over replications (channels) when the document has no intervals. Columns no channel has
// are left out.
std::string channel_table(const OJson& doc, const std::string& currency) {
  const OJson* channels = member(doc, "channels");
  if (channels == nullptr || !channels->is_object() || channels->empty()) return "";
  const double horizon = number_at(member(member(doc, "scenario"), "horizon_periods"));
  const auto columns = channel_columns(doc);
  std::string out =
      "<section id=\"channels\"><h2>Service by channel</h2><p class=\"note\">Per channel, mean over replications "
      "with its 95% interval: contacts per period, the wait of answered contacts, the share answered within the "
      "target (service level), the share that abandoned and agent occupancy (utilization; none for unlimited "
      "channels).</p><table class=\"channels\"><thead><tr><th>channel</th><th class=\"num\">contacts per "
      "period</th>";
  for (const auto& column : columns) out += "<th class=\"num\">" + column.second + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& [id, counts] : channels->items()) {
    out += "<tr><td>" + escape_html(id) + "</td><td class=\"num\">" +
           escape_html(format_metric("tickets_per_period", number_at(member(counts, "contacts")) / horizon, currency)) +
           "</td>";
    for (const auto& [metric, title] : columns) {
      const std::optional<Summary> m = channel_summary(doc, id, metric);
      out += "<td class=\"num\">" + escape_html(format_metric(metric, m ? m->mean : std::nan(""), currency)) +
             (m && m->ci95 ? "<div class=\"ci\">" + escape_html(format_interval(metric, *m, currency, false)) + "</div>"
                           : "") +
             "</td>";
    }
    out += "</tr>";
  }
  return out + "</tbody></table></section>\n";
}

// The run details: scenario, seed, sizes, versions and the command line.
std::string run_details(const OJson& doc, const HtmlReportOptions& options) {
  const OJson* s = member(doc, "scenario");
  std::string out = "<dl class=\"details\">";
  out += detail_row("Scenario", string_of(member(s, "name")));
  out += detail_row("Scenario file", string_of(member(s, "file")), true);
  if (const OJson* seed = member(s, "seed"); seed != nullptr && seed->is_number()) {
    out += detail_row("Seed", seed->dump());
  }
  out += detail_row("Customers", count_text(member(s, "customers")));
  const double horizon = number_at(member(s, "horizon_periods")), days = number_at(member(s, "period_days"));
  if (std::isfinite(horizon)) {
    out += detail_row(
        "Horizon", fmt::format("{:g} periods{}", horizon,
                               std::isfinite(days) ? fmt::format(" of {:g} day{}", days, days == 1 ? "" : "s") : ""));
  }
  out += detail_row("Replications", count_text(member(s, "replications")));
  out += detail_row("Currency", string_of(member(s, "currency")));
  out += detail_row("Threads", count_text(member(member(doc, "run"), "threads")));
  out += detail_row("Made by", "cxsim " + string_of(member(doc, "cxsim_version"), "(version not recorded)"));
  out += detail_row("Command line", command_line_of(doc, options), true);
  out += detail_row("Result file", options.source_file, true);
  return out + "</dl>\n";
}

std::string stopping_html(const OJson* stopping, const std::string& objective, const std::string& currency) {
  if (stopping == nullptr || !stopping->is_object()) return "";
  const std::string outcome = string_of(member(stopping, "outcome"));
  const std::string reps = count_text(member(stopping, "replications"));
  const std::string rounds = count_text(member(stopping, "rounds"));
  const double target = number_at(member(stopping, "target_half_width"));
  const std::string target_text = std::isfinite(target) ? format_metric(objective, target, currency, false) : "?";
  std::string text;
  if (outcome == "target_reached") {
    text = fmt::format(
        "Target reached: every variant's {} interval has a half-width of at most {} after {} "
        "replications ({} rounds).",
        objective, target_text, reps, rounds);
  } else if (outcome == "max_replications") {
    text = fmt::format(
        "Stopped at the cap of {} replications ({} rounds) before every {} interval reached a "
        "half-width of {}.",
        reps, rounds, objective, target_text);
  } else {
    text = fmt::format("Fixed: the batch's {} replications per variant were run ({} round{}).", reps, rounds,
                       rounds == "1" ? "" : "s");
  }
  std::string out = "<p><strong>Stopping: " + escape_html(outcome.empty() ? "not recorded" : outcome) + ".</strong> " +
                    escape_html(text) + "</p>";
  if (const OJson* hw = member(stopping, "objective_half_width"); hw != nullptr && hw->is_object() && !hw->empty()) {
    out += "<table><caption>Half-width of each variant's " + escape_html(objective) +
           " delta interval</caption><thead><tr><th>variant</th><th class=\"num\">half-width</th></tr></thead><tbody>";
    for (const auto& [name, value] : hw->items()) {
      out += "<tr><td>" + escape_html(name) + "</td><td class=\"num\">" +
             escape_html(format_metric(objective, number_at(&value), currency, false)) + "</td></tr>";
    }
    out += "</tbody></table>";
  }
  return out + "\n";
}

// Every metric's delta for every variant in one table: a row per metric, a column per variant
// (ranking order), each cell the delta (with * when its interval excludes 0) above its interval.
std::string delta_table(const ComparisonContext& c) {
  std::vector<std::string> metrics;
  for (const auto& name : c.order) {
    const OJson* delta = member(member(c.variants, name.c_str()), "delta");
    if (delta == nullptr || !is_metric_table(*delta)) continue;
    for (const auto& [metric, entry] : delta->items()) {
      if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) metrics.push_back(metric);
    }
  }
  if (metrics.empty()) return "";
  std::string out =
      "<p class=\"note\">Mean of the paired per-replication differences (variant minus baseline) with its 95% "
      "interval; fractions in percentage points (pp); * the interval excludes 0.</p><table class=\"deltas\"><thead>"
      "<tr><th>metric</th>";
  for (const auto& name : c.order) out += "<th class=\"num\">" + escape_html(name) + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& metric : metrics) {
    out += "<tr><td>" + escape_html(metric) + "</td>";
    for (const auto& name : c.order) {
      const OJson* entry = member(member(member(c.variants, name.c_str()), "delta"), metric.c_str());
      if (entry == nullptr) {
        out += "<td class=\"num\"></td>";
        continue;
      }
      const Summary m = summary_at(entry);
      const bool excludes = interval_excludes_zero(m);
      out += "<td class=\"num\">" + escape_html(format_metric(metric, m.mean, c.currency, true)) +
             (excludes ? " <span class=\"marker\">*</span>" : "") + "<div class=\"ci\">" +
             escape_html(format_interval(metric, m, c.currency, true)) + "</div></td>";
    }
    out += "</tr>";
  }
  return out + "</tbody></table>\n";
}

}  // namespace

Page run_page(const OJson& doc, const Json& charts, const HtmlReportOptions& options) {
  const OJson* scenario = member(doc, "scenario");
  const std::string currency = string_of(member(scenario, "currency"));
  const int replications = static_cast<int>(number_at(member(scenario, "replications")));
  Page p;
  p.title = string_of(member(scenario, "name"), "cxsim run");
  const double customers = number_at(member(scenario, "customers"));
  p.subtitle = fmt::format("Run report: {} customers x {} replications, {} periods, seed {}",
                           std::isfinite(customers) ? format_metric("customers", customers, "") : "?",
                           replications > 0 ? std::to_string(replications) : "?",
                           count_text(member(scenario, "horizon_periods")),
                           member(scenario, "seed") != nullptr ? member(scenario, "seed")->dump() : "?");
  const OJson* metrics = member(doc, "metrics");
  p.body += "<section id=\"summary\"><h2>Headline</h2>" + cards_html(metrics, currency, replications) + "</section>\n";
  p.body += warnings_section(warning_items(doc, ""));
  p.body += channel_table(doc, currency);
  const std::vector<std::string> omitted = run_charts(doc).omitted;
  if (!charts.empty() || !omitted.empty()) {
    p.body += "<section id=\"charts\"><h2>Charts</h2>" + figures_html(charts);
    if (!omitted.empty()) {
      p.body += "<p class=\"note\">Not drawn:</p><ul class=\"note\">";
      for (const auto& o : omitted) p.body += "<li>" + escape_html(o) + "</li>";
      p.body += "</ul>";
    }
    p.body += "</section>\n";
  }
  if (metrics != nullptr && is_metric_table(*metrics)) {
    p.body +=
        "<section id=\"metrics\"><h2>All metrics</h2><p class=\"note\">Mean over replications with its "
        "Student-t 95% confidence interval; fractions as percentages, money in " +
        escape_html(currency.empty() ? "the scenario's currency" : currency) + ".</p>" +
        metric_table(*metrics, currency, false, "") + "</section>\n";
  }
  p.body += "<section id=\"details\"><h2>Run details</h2>" + run_details(doc, options) + "</section>\n";
  return p;
}

Page comparison_page(const OJson& doc, const Json& charts, const HtmlReportOptions& options) {
  const ComparisonContext c = comparison_context(doc);
  const OJson* batch = member(doc, "batch");
  Page p;
  p.title = string_of(member(batch, "name"), "cxsim comparison");
  const std::string direction = string_of(member(member(batch, "objective"), "direction"), "maximize");
  p.subtitle = fmt::format(
      "Comparison report: {} variants against the baseline, ranked on {} ({}), common random "
      "numbers",
      c.order.size(), c.objective, direction);
  if (const std::string d = string_of(member(batch, "description")); !d.empty()) {
    p.body += "<p class=\"description\">" + escape_html(d) + "</p>\n";
  }
  p.body += "<section id=\"ranking\"><h2>Ranking on " + escape_html(c.objective) + "</h2>";
  p.body += stopping_html(member(doc, "stopping"), c.objective, c.currency);
  if (const OJson* ranking = member(doc, "ranking"); ranking != nullptr && ranking->is_array()) {
    p.body += "<table class=\"ranking\"><thead><tr><th class=\"num\">rank</th><th>variant</th><th class=\"num\">" +
              escape_html(c.objective) +
              " (95% CI)</th><th class=\"num\">delta against the baseline (95% CI)</th>"
              "</tr></thead><tbody>";
    for (const auto& row : *ranking) {
      const std::string name = string_of(member(row, "variant"));
      const Summary mean = summary_at(&row);
      Summary delta;
      delta.mean = number_at(member(row, "delta"));
      if (const OJson* ci = member(row, "delta_ci95");
          ci != nullptr && ci->is_array() && ci->size() == 2 && (*ci)[0].is_number() && (*ci)[1].is_number()) {
        delta.ci95 = std::make_pair((*ci)[0].get<double>(), (*ci)[1].get<double>());
      }
      const OJson* excludes_key = member(row, "excludes_zero");
      const bool excludes = excludes_key != nullptr && excludes_key->is_boolean() && excludes_key->get<bool>();
      p.body += "<tr><td class=\"num\">" + count_text(member(row, "rank")) + "</td><td><strong>" + escape_html(name) +
                "</strong><div class=\"note\">" +
                escape_html(string_of(member(member(c.variants, name.c_str()), "description"))) +
                "</div></td><td class=\"num\">" + escape_html(format_metric(c.objective, mean.mean, c.currency)) +
                "<div class=\"ci\">" + escape_html(format_interval(c.objective, mean, c.currency, false)) +
                "</div></td><td class=\"num\">";
      if (name != "baseline") {
        p.body += escape_html(format_metric(c.objective, delta.mean, c.currency, true)) +
                  (excludes ? " <span class=\"marker\">*</span>" : "") + "<div class=\"ci\">" +
                  escape_html(format_interval(c.objective, delta, c.currency, true)) + "</div>";
      }
      p.body += "</td></tr>";
    }
    p.body += "</tbody></table><p class=\"note\">* the paired 95% interval of the delta excludes 0.</p>";
  }
  p.body += "</section>\n";
  std::string warnings;
  for (const auto& name : c.order) {
    if (const OJson* v = member(c.variants, name.c_str())) warnings += warning_items(*v, name);
  }
  if (const OJson* base = member(c.variants, "baseline")) warnings = warning_items(*base, "baseline") + warnings;
  p.body += warnings_section(warnings);
  if (!charts.empty()) p.body += "<section id=\"charts\"><h2>Charts</h2>" + figures_html(charts) + "</section>\n";

  p.body += "<section id=\"deltas\"><h2>Differences against the baseline</h2>" + delta_table(c) + "</section>\n";
  p.body += "<section id=\"variants\"><h2>Each variant's metrics</h2>";
  std::vector<std::string> shown = {"baseline"};
  shown.insert(shown.end(), c.order.begin(), c.order.end());
  for (const auto& name : shown) {  // the baseline, then the variants in ranking order
    const OJson* metrics = member(member(c.variants, name.c_str()), "metrics");
    if (metrics == nullptr || !is_metric_table(*metrics)) continue;
    p.body += "<details><summary>" + escape_html(name) + "</summary>" + metric_table(*metrics, c.currency, false, "") +
              "</details>";
  }
  p.body += "</section>\n";

  p.body += "<section id=\"details\"><h2>Batch details</h2><dl class=\"details\">";
  p.body += detail_row("Batch", string_of(member(batch, "name")));
  p.body += detail_row("Batch file", string_of(member(batch, "file")), true);
  p.body += detail_row("Base scenario", string_of(member(batch, "base")), true);
  p.body += detail_row("Objective", c.objective + " (" + direction + ")");
  p.body += detail_row("Command line", command_line_of(doc, options), true);
  p.body += detail_row("Made by", "cxsim " + string_of(member(doc, "cxsim_version"), "(version not recorded)"));
  p.body += "</dl>";
  if (const OJson* base = member(c.variants, "baseline")) {
    HtmlReportOptions base_options = options;
    base_options.command_line.clear();  // shown once, above
    p.body += "<h3>Baseline run</h3>" + run_details(*base, base_options);
  }
  p.body += "</section>\n";
  return p;
}

Page generic_page(const OJson& doc, ResultKind kind, const Json& charts, const HtmlReportOptions& options) {
  Page p;
  p.title = std::string("cxsim ") + result_kind_name(kind);
  for (const char* key : {"name", "title"}) {
    if (const std::string n = string_of(member(doc, key)); !n.empty()) p.title = n;
  }
  p.subtitle = std::string(result_kind_name(kind)) + " report";
  if (charts.empty()) p.subtitle += ": the document's metric tables";
  if (!charts.empty()) p.body += "<section id=\"charts\"><h2>Charts</h2>" + figures_html(charts) + "</section>\n";
  std::vector<FoundTable> tables;
  find_metric_tables(doc, "", "", 0, tables);
  p.body += "<section id=\"metrics\"><h2>Metric tables</h2>";
  if (tables.empty()) p.body += "<p>The document holds no metric table (objects of {mean, ci95} per metric).</p>";
  for (const auto& t : tables) {
    p.body += metric_table(*t.table, t.currency, t.difference, t.path);
  }
  if (tables.size() >= kMaxTables) {
    p.body += fmt::format("<p class=\"note\">Only the first {} tables are shown.</p>", kMaxTables);
  }
  p.body += "</section>\n<section id=\"details\"><h2>Details</h2><dl class=\"details\">";
  p.body += detail_row("Kind", result_kind_name(kind));
  p.body += detail_row("Made by", "cxsim " + string_of(member(doc, "cxsim_version"), "(version not recorded)"));
  p.body += detail_row("Command line", command_line_of(doc, options), true);
  p.body += detail_row("Result file", options.source_file, true);
  p.body += "</dl></section>\n";
  return p;
}

}  // namespace cxsim::html
