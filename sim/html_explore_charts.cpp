// The charts of the what-if kinds (html_report_detail.hpp, docs/html-report.md): a sweep's metrics
// against its parameter with their 95% bands, a sensitivity tornado, attribution bars with
// intervals, the optimiser's evaluations and confirmed candidates, a calibration's targets.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cxsim/compare.hpp"
#include "cxsim/report.hpp"
#include "html_report_detail.hpp"
#include "report_document.hpp"

namespace cxsim::html {

namespace {

std::string currency_in(const OJson& doc) { return string_of(member(member(doc, "scenario"), "currency")); }

// "retention (%)", "net_value (USD)", "frt_minutes (minutes)", "nps".
std::string value_title(const std::string& metric, const std::string& currency) {
  switch (unit_of(metric)) {
    case Unit::kFraction:
      return metric + " (%)";
    case Unit::kMoney:
      return currency.empty() ? metric : fmt::format("{} ({})", metric, currency);
    case Unit::kMinutes:
      return metric + " (minutes)";
    default:
      return metric;
  }
}

std::optional<Chart> forest_chart(const std::string& id, const std::string& title, const std::string& description,
                                  const std::vector<ForestRow>& rows, const std::string& x_title) {
  bool any = false;
  for (const auto& r : rows) any = any || std::isfinite(r.delta);
  if (!any) return std::nullopt;
  Chart c{id, title, description, spec_frame(description), {}};
  c.spec.update(forest(rows, x_title, kChartWidth, c.marks));
  return c;
}

// Sweep: each key metric's mean against a numeric parameter, with the band of its 95% interval.
std::vector<Chart> sweep_charts(const OJson& doc) {
  std::vector<Chart> charts;
  const OJson* sweep = member(doc, "sweep");
  const OJson* parameters = member(sweep, "parameters");
  const OJson* points = member(sweep, "points");
  if (parameters == nullptr || !parameters->is_array() || parameters->size() != 1 || points == nullptr ||
      !points->is_array()) {
    return charts;  // a grid of several parameters keeps its tables
  }
  const std::string pointer = (*parameters)[0].is_string() ? (*parameters)[0].get<std::string>() : "";
  const std::string currency = currency_in(doc);
  for (const char* metric :
       {"net_value", "net_value_lifetime", "retention", "nps", "csat", "service_level", "abandonment", "frt_minutes"}) {
    const double scale = delta_scale(metric);  // fractions in percent
    Line line{metric, {}, {}};
    Band band{{}, {}, {}, "95% interval over replications"};
    for (const auto& p : *points) {
      const double x = number_at(member(member(p, "values"), pointer.c_str()));
      const Summary m = summary_at(member(member(p, "metrics"), metric));
      if (!std::isfinite(x) || !std::isfinite(m.mean)) continue;
      line.x.push_back(x);
      line.y.push_back(m.mean * scale);
      if (m.ci95) {
        band.x.push_back(x);
        band.lo.push_back(m.ci95->first * scale);
        band.hi.push_back(m.ci95->second * scale);
      }
    }
    if (line.x.size() < 2) continue;
    LineOptions o;
    o.x_title = pointer;
    o.y_title = value_title(metric, currency);
    o.y_zero = false;
    o.points = true;
    o.end_labels = false;
    if (band.x.size() == line.x.size()) o.band = band;
    add(charts, line_chart(fmt::format("sweep-{}", metric), fmt::format("{} against {}", metric, pointer),
                           "Mean over replications at each point, with the band of its 95% interval; every point "
                           "runs the same replications (common random numbers).",
                           {line}, o));
  }
  return charts;
}

// Sensitivity: the tornado, each parameter's change of the objective at its low and its high value.
std::vector<Chart> sensitivity_charts(const OJson& doc) {
  std::vector<Chart> charts;
  const OJson* s = member(doc, "sensitivity");
  const OJson* parameters = member(s, "parameters");
  if (parameters == nullptr || !parameters->is_array()) return charts;
  const std::string objective = string_of(member(s, "objective"), "net_value");
  const std::string currency = currency_in(doc);
  std::vector<ForestRow> rows;
  for (const auto& p : *parameters) {
    const std::string pointer = string_of(member(p, "pointer"));
    for (const auto& [side, key] : {std::pair<const char*, const char*>{"low", "delta_low"}, {"high", "delta_high"}}) {
      const OJson* d = member(member(p, key), objective.c_str());
      if (d == nullptr) continue;
      rows.push_back(delta_row(fmt::format("{} ({})", pointer, side), d, objective, currency));
    }
  }
  add(charts, forest_chart("tornado", fmt::format("Tornado: change of {} per parameter", objective),
                           "Paired change of the objective when each parameter is moved down (low) and up (high) "
                           "alone, with its 95% interval; parameters in the order of their swing. * marks an "
                           "interval that excludes zero.",
                           rows, delta_title(objective, currency)));
  return charts;
}

// Attribution: per group and key metric, each part's removal effect with its interval.
std::vector<Chart> attribution_charts(const OJson& doc) {
  std::vector<Chart> charts;
  const OJson* a = member(doc, "attribution");
  const std::string currency = currency_in(doc);
  std::vector<std::string> metrics;
  if (const OJson* m = member(a, "metrics"); m != nullptr && m->is_array()) {
    for (const auto& x : *m) {
      if (x.is_string()) metrics.push_back(x.get<std::string>());
    }
  }
  for (const char* group : {"touchpoints", "channels", "interventions"}) {
    const OJson* parts = member(a, group);
    if (parts == nullptr || !parts->is_object() || parts->empty()) continue;
    for (const std::string& metric : metrics) {
      if (metric != "retention" && metric != "net_value" && metric != "net_value_lifetime") continue;
      std::vector<ForestRow> rows;
      for (const auto& [id, part] : parts->items()) {
        const OJson* d = member(member(part, "delta"), metric.c_str());
        if (d != nullptr) rows.push_back(delta_row(id, d, metric, currency));
      }
      add(charts, forest_chart(fmt::format("attribution-{}-{}", group, metric),
                               fmt::format("Removal effects of the {} on {}", group, metric),
                               "Paired difference to the base when each part is removed alone, with its 95% "
                               "interval. * marks an interval that excludes zero.",
                               rows, delta_title(metric, currency)));
    }
  }
  return charts;
}

// Optimize: the objective of every evaluation in search order, and the confirmed candidates' gap
// to the best.
std::vector<Chart> optimize_charts(const OJson& doc) {
  std::vector<Chart> charts;
  const OJson* o = member(doc, "optimize");
  const std::string objective = string_of(member(member(member(o, "spec"), "objective"), "metric"), "objective");
  const std::string currency = currency_in(doc);
  if (const OJson* evaluations = member(o, "evaluations"); evaluations != nullptr && evaluations->is_array()) {
    Line feasible{"feasible", {}, {}}, infeasible{"infeasible", {}, {}};
    double k = 0;
    for (const auto& e : *evaluations) {
      ++k;
      const double y = summary_at(member(e, "objective")).mean;
      if (!std::isfinite(y)) continue;
      const bool ok =
          member(e, "feasible") != nullptr && member(e, "feasible")->is_boolean() && member(e, "feasible")->get<bool>();
      (ok ? feasible : infeasible).x.push_back(k);
      (ok ? feasible : infeasible).y.push_back(y);
    }
    LineOptions opt;
    opt.x_title = "Evaluation (search order)";
    opt.y_title = value_title(objective, currency);
    opt.y_zero = false;
    opt.points = true;
    opt.end_labels = false;
    opt.group_title = "constraints";
    std::vector<Line> lines;
    for (auto* l : {&feasible, &infeasible}) {
      if (!l->x.empty()) lines.push_back(*l);
    }
    add(charts, line_chart("optimize-evaluations", fmt::format("{} of every evaluation", objective),
                           "The objective of each grid point the search simulated, in the order it did, on the "
                           "search's common random numbers.",
                           lines, opt));
  }
  if (const OJson* candidates = member(o, "candidates"); candidates != nullptr && candidates->is_array()) {
    std::vector<ForestRow> rows;
    int rank = 0;
    for (const auto& c : *candidates) {
      ++rank;
      const OJson* d = member(c, "delta_to_best");
      if (d == nullptr || !d->is_object()) continue;
      rows.push_back(delta_row(fmt::format("candidate {}", rank), d, objective, currency));
    }
    add(charts, forest_chart("optimize-candidates", "Confirmed candidates against the best",
                             "Paired difference of each confirmed candidate's objective to the best's, with its 95% "
                             "interval (the candidates' values are in the table below).",
                             rows, delta_title(objective, currency)));
  }
  return charts;
}

// Calibration: each target's standardized residual (fitted - observed) / sd with its interval.
std::vector<Chart> calibration_charts(const OJson& doc) {
  std::vector<Chart> charts;
  const OJson* targets = member(member(doc, "calibration"), "targets");
  if (targets == nullptr || !targets->is_array()) return charts;
  std::vector<ForestRow> rows;
  for (const auto& t : *targets) {
    const double observed = number_at(member(t, "observed"));
    const double sd = number_at(member(t, "sd"));
    const Summary f = summary_at(member(t, "fitted"));
    if (!std::isfinite(observed) || !(sd > 0) || !std::isfinite(f.mean)) continue;
    std::string name = string_of(member(t, "name"));
    if (const double period = number_at(member(t, "period")); std::isfinite(period)) {
      name += fmt::format(" (period {})", period);
    }
    ForestRow row;
    row.variant = name;
    row.delta = (f.mean - observed) / sd;
    if (f.ci95) {
      row.lo = (f.ci95->first - observed) / sd;
      row.hi = (f.ci95->second - observed) / sd;
      row.excludes_zero = row.lo > 0 || row.hi < 0;
    }
    row.label = fmt::format("{:+.2f}", row.delta);
    rows.push_back(std::move(row));
  }
  add(charts, forest_chart("calibration-targets", "Fitted against observed targets",
                           "Standardized residual (fitted - observed) / sd of each target, with the 95% interval of "
                           "the fitted mean on fresh replications; 0 is a perfect fit, +/-2 the edge of the "
                           "observation's own uncertainty.",
                           rows, "(fitted - observed) / sd"));
  return charts;
}

}  // namespace

std::vector<Chart> explore_charts(const OJson& doc, ResultKind kind) {
  switch (kind) {
    case ResultKind::kSweep:
      return sweep_charts(doc);
    case ResultKind::kSensitivity:
      return sensitivity_charts(doc);
    case ResultKind::kAttribution:
      return attribution_charts(doc);
    case ResultKind::kOptimize:
      return optimize_charts(doc);
    case ResultKind::kCalibration:
      return calibration_charts(doc);
    default:
      return {};
  }
}

}  // namespace cxsim::html
