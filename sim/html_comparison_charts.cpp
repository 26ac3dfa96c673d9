// The charts of a comparison (html_report_detail.hpp, docs/html-report.md "Comparison report"):
// forest plots of the paired deltas and the differences over time against the baseline.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cxsim/compare.hpp"
#include "cxsim/report.hpp"
#include "html_report_detail.hpp"

namespace cxsim::html {

namespace {

std::vector<ForestRow> forest_rows(const ComparisonContext& c, const std::string& metric) {
  std::vector<ForestRow> rows;
  for (const auto& name : c.order) {
    const OJson* d = member(member(member(c.variants, name.c_str()), "delta"), metric.c_str());
    if (d != nullptr) rows.push_back(delta_row(name, d, metric, c.currency));
  }
  return rows;
}

// Differences variant - baseline of a series, per variant (fractions in percentage points).
std::vector<Line> delta_lines(const ComparisonContext& c, const char* name, const char* axis, double scale) {
  std::vector<Line> lines;
  const OJson* base_series = member(member(c.variants, "baseline"), "series");
  const std::vector<double> base = numbers_of(member(base_series, name));
  const std::vector<double> x = numbers_of(member(base_series, axis));
  if (base.empty() || base.size() != x.size()) return lines;
  for (const auto& v : c.order) {
    const std::vector<double> y = numbers_of(member(member(member(c.variants, v.c_str()), "series"), name));
    if (y.size() != base.size()) continue;
    Line l{v, x, {}};
    for (std::size_t i = 0; i < y.size(); ++i) l.y.push_back((y[i] - base[i]) * scale);
    lines.push_back(std::move(l));
  }
  return lines;
}

}  // namespace

ComparisonContext comparison_context(const OJson& doc) {
  ComparisonContext c{doc, member(doc, "variants"), "net_value", "", {}};
  c.objective = string_of(member(member(member(doc, "batch"), "objective"), "metric"), "net_value");
  if (const OJson* ranking = member(doc, "ranking"); ranking != nullptr && ranking->is_array()) {
    for (const auto& row : *ranking) {
      const std::string name = string_of(member(row, "variant"));
      if (!name.empty() && name != "baseline") c.order.push_back(name);
    }
  }
  if (c.variants != nullptr && c.variants->is_object()) {
    for (const auto& [name, v] : c.variants->items()) {
      if (name != "baseline" && std::find(c.order.begin(), c.order.end(), name) == c.order.end()) {
        c.order.push_back(name);
      }
      if (c.currency.empty()) c.currency = string_of(member(member(v, "scenario"), "currency"));
    }
  }
  return c;
}

std::vector<Chart> comparison_charts(const OJson& doc) {
  std::vector<Chart> charts;
  const ComparisonContext c = comparison_context(doc);
  if (c.order.empty()) return charts;

  {  // the objective
    const std::vector<ForestRow> rows = forest_rows(c, c.objective);
    if (std::any_of(rows.begin(), rows.end(), [](const ForestRow& r) { return std::isfinite(r.delta); })) {
      const std::string description = fmt::format(
          "Paired difference of {} against the baseline for each variant, best first: the point is the mean of the "
          "per-replication differences, the line its 95% interval; diamonds and * mark intervals that exclude 0.",
          c.objective);
      Chart chart{"objective_forest",
                  "Objective: " + c.objective + " against the baseline",
                  description,
                  spec_frame(description),
                  {}};
      chart.spec.update(forest(rows, delta_title(c.objective, c.currency), kChartWidth, chart.marks));
      charts.push_back(std::move(chart));
    }
  }
  {  // small multiples over the key metrics
    const std::string description =
        "Paired differences against the baseline of the key metrics, one panel per metric (its own scale and unit): "
        "mean and 95% interval per variant; diamonds and * mark intervals that exclude 0.";
    Chart chart{"key_metrics_forest", "Key metrics against the baseline", description, spec_frame(description), {}};
    Json panels = Json::array();
    for (const auto& metric : comparison_key_metrics()) {
      const std::vector<ForestRow> rows = forest_rows(c, metric);
      if (!std::any_of(rows.begin(), rows.end(), [](const ForestRow& r) { return std::isfinite(r.delta); })) continue;
      Json panel = forest(rows, delta_title(metric, c.currency), 300, chart.marks);
      panel["title"] = {{"text", metric}, {"anchor", "start"}, {"fontSize", 13}};
      panels.push_back(std::move(panel));
    }
    if (!panels.empty()) {
      chart.spec["concat"] = std::move(panels);
      chart.spec["columns"] = 2;
      chart.spec["spacing"] = 40;
      chart.spec["resolve"] = {{"legend", {{"shape", "shared"}, {"color", "shared"}}}};
      charts.push_back(std::move(chart));
    }
  }
  LineOptions o;
  o.x_title = period_title(number_at(member(member(member(c.variants, "baseline"), "scenario"), "period_days")));
  o.group_title = "variant";
  o.rule_y = 0.0;
  o.y_title = "Δ retention (percentage points)";
  add(charts, line_chart("retention_delta", "Retention against the baseline over time",
                         "Retention of each variant minus the baseline's, per period, in percentage points (means "
                         "over the same replications).",
                         delta_lines(c, "retention", "period", 100.0), o));
  o.y_title = "Δ population NPS (points)";
  o.points = true;
  add(charts, line_chart("nps_delta", "Population NPS against the baseline over time",
                         "Population NPS of each variant minus the baseline's, at each NPS report period.",
                         delta_lines(c, "nps", "nps_period", 1.0), o));
  return charts;
}

}  // namespace cxsim::html
