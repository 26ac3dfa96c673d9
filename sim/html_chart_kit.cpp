// The HTML report's chart kit (html_report_detail.hpp): reading the result document tolerantly, and
// the chart kinds every page uses (lines over periods, bar panels, forest plots) as Vega-Lite
// specifications with the number of marks the renderer must draw for their data.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cxsim/compare.hpp"
#include "cxsim/report.hpp"
#include "html_report_detail.hpp"

namespace cxsim::html {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The font stack of the charts' SVG text: fonts of the reader's system only.
constexpr const char* kFontStack =
    "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";

Json chart_config() {
  return Json{{"font", kFontStack},
              {"axis", {{"labelFontSize", 11}, {"titleFontSize", 12}, {"titleFontWeight", "normal"}}},
              {"legend", {{"labelFontSize", 11}, {"titleFontSize", 12}, {"titleFontWeight", "normal"}}},
              {"header", {{"labelFontSize", 12}, {"titleFontSize", 12}}},
              {"view", {{"stroke", "#ccc"}}}};
}

// Zero rule layers draw from one empty datum, so they draw once whatever the chart's data.
Json reference_rule(const char* channel, double at) {
  return Json{{"data", {{"values", Json::array({Json::object()})}}},
              {"mark", {{"type", "rule"}, {"color", "#555"}, {"strokeDash", {4, 3}}}},
              {"encoding", {{channel, {{"datum", at}}}}}};
}

// Vertical pixel offsets that keep the end labels of lines about `gap` pixels apart: labels are
// placed where their values fall on a linear axis of `height` pixels over [lo, hi] (the data's
// range; the chart's nice rounding of the axis narrows the gaps a little), then pushed apart in
// value order. The chart draws each label at its value moved by its offset.
std::vector<double> dodge_labels(const std::vector<double>& values, double lo, double hi, double height, double gap) {
  const std::size_t n = values.size();
  std::vector<double> pixel(n), placed(n);
  for (std::size_t i = 0; i < n; ++i) pixel[i] = hi > lo ? height * (hi - values[i]) / (hi - lo) : height / 2.0;
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pixel[a] < pixel[b]; });
  // Place top to bottom, then centre the group of shifted labels on where they belong on average.
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = order[k];
    placed[i] = k == 0 ? pixel[i] : std::max(pixel[i], placed[order[k - 1]] + gap);
  }
  double shift = 0.0;
  for (std::size_t i = 0; i < n; ++i) shift += placed[i] - pixel[i];
  shift /= static_cast<double>(std::max<std::size_t>(n, 1));
  std::vector<double> offsets(n);
  for (std::size_t i = 0; i < n; ++i) offsets[i] = std::round(placed[i] - pixel[i] - shift);
  return offsets;
}

constexpr const char* kExcludesZero = "95% interval excludes 0";
constexpr const char* kIncludesZero = "95% interval includes 0";

}  // namespace

// ---- reading the document -------------------------------------------------------------------

const OJson* member(const OJson& o, const char* key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

const OJson* member(const OJson* o, const char* key) { return o == nullptr ? nullptr : member(*o, key); }

double number_at(const OJson* v) { return v != nullptr && v->is_number() ? v->get<double>() : kNaN; }

std::string string_of(const OJson* v, const std::string& fallback) {
  return v != nullptr && v->is_string() ? v->get<std::string>() : fallback;
}

std::vector<double> numbers_of(const OJson* v) {
  std::vector<double> out;
  if (v == nullptr || !v->is_array()) return out;
  out.reserve(v->size());
  for (const auto& x : *v) out.push_back(x.is_number() ? x.get<double>() : kNaN);
  return out;
}

Summary summary_at(const OJson* entry) {
  if (entry == nullptr) return Summary{kNaN, std::nullopt, std::nullopt, 0};
  Summary s = summary_of(*entry);
  // An interval is drawn and printed only when both ends are numbers.
  if (s.ci95 && (!std::isfinite(s.ci95->first) || !std::isfinite(s.ci95->second))) s.ci95.reset();
  return s;
}

bool any_finite(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

std::size_t count_finite(const std::vector<double>& v) {
  return static_cast<std::size_t>(std::count_if(v.begin(), v.end(), [](double x) { return std::isfinite(x); }));
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// ---- chart kit ------------------------------------------------------------------------------

// Charts need no more than 6 significant digits, and the page stays small; nulls are left out of
// points and bars and break lines.
Json chart_number(double x) {
  if (!std::isfinite(x)) return Json(nullptr);
  const std::string text = fmt::format("{:.6g}", x);
  double rounded = x;
  std::from_chars(text.data(), text.data() + text.size(), rounded);  // locale-independent, unlike stod
  if (rounded == std::floor(rounded) && std::fabs(rounded) < 9.0e15) return Json(static_cast<std::int64_t>(rounded));
  return Json(rounded);
}

std::string period_title(double period_days) {
  if (period_days == 1.0) return "Period (days)";
  if (period_days == 7.0) return "Period (weeks)";
  if (std::isfinite(period_days) && period_days > 0.0) return fmt::format("Period ({:g} days each)", period_days);
  return "Period";
}

Json Marks::json() const {
  Json out = Json::object();
  for (const auto& [type, n] : counts_) out[type] = n;
  return out;
}

void add(std::vector<Chart>& charts, std::optional<Chart> c) {
  if (c) charts.push_back(std::move(*c));
}

// The top-level keys every spec carries.
Json spec_frame(const std::string& description) {
  return Json{{"description", description}, {"config", chart_config()}, {"background", "white"}};
}

// Lines over a numeric x (periods). Lines without a finite value are left out. Several lines are
// told apart by colour and dash pattern, and by their names at the line ends
// (moved apart where lines end close together), so the chart reads without colour.
std::optional<Chart> line_chart(const std::string& id, const std::string& title, const std::string& description,
                                const std::vector<Line>& all_lines, const LineOptions& o) {
  std::vector<const Line*> lines;
  for (const auto& l : all_lines) {
    if (any_finite(l.y)) lines.push_back(&l);
  }
  if (lines.empty()) return std::nullopt;
  Chart c{id, title, description, spec_frame(description), {}};
  const bool several = lines.size() > 1;

  Json rows = Json::array();
  std::vector<std::pair<const Line*, std::size_t>> ends;  // each line's last finite point
  double lo = o.y_zero ? 0.0 : std::numeric_limits<double>::infinity();
  double hi = o.y_zero ? 0.0 : -std::numeric_limits<double>::infinity();
  for (const Line* l : lines) {
    const std::size_t n = std::min(l->x.size(), l->y.size());
    std::optional<std::size_t> last;
    for (std::size_t i = 0; i < n; ++i) {
      rows.push_back(Json{{"period", chart_number(l->x[i])}, {"value", chart_number(l->y[i])}, {"series", l->name}});
      if (std::isfinite(l->y[i]) && std::isfinite(l->x[i])) {
        last = i;
        lo = std::min(lo, l->y[i]);
        hi = std::max(hi, l->y[i]);
      }
    }
    if (last) ends.emplace_back(l, *last);
  }
  Json labels = Json::array();
  if (several && o.end_labels) {
    std::vector<double> end_values;
    for (const auto& [l, i] : ends) end_values.push_back(l->y[i]);
    const std::vector<double> offsets = dodge_labels(end_values, lo, hi, o.height, 12.0);
    const double per_pixel = hi > lo ? (hi - lo) / o.height : 1.0 / o.height;
    for (std::size_t k = 0; k < ends.size(); ++k) {
      const auto& [l, i] = ends[k];
      labels.push_back(Json{{"period", chart_number(l->x[i])},
                            {"value", chart_number(l->y[i] - offsets[k] * per_pixel)},
                            {"series", l->name}});
    }
  }

  const Json x = {{"field", "period"},
                  {"type", "quantitative"},
                  {"title", o.x_title},
                  {"scale", {{"nice", false}}},
                  {"axis", {{"format", "d"}, {"tickMinStep", 1}}}};
  Json y = {{"field", "value"}, {"type", "quantitative"}, {"title", o.y_title}, {"axis", {{"format", o.y_format}}}};
  if (!o.y_zero) y["scale"] = {{"zero", false}};
  // Axes pick their precision from the tick step; a tooltip shows one value, so it names its own.
  const std::string tooltip_format = o.y_format == "%" ? ".1%" : ",.4~r";
  const Json tooltip = Json::array({{{"field", "series"}, {"title", o.group_title.empty() ? "series" : o.group_title}},
                                    {{"field", "period"}, {"title", "period"}},
                                    {{"field", "value"}, {"title", "value"}, {"format", tooltip_format}}});

  Json layers = Json::array();
  if (o.band) {
    Json band_rows = Json::array();
    std::size_t finite = 0;
    for (std::size_t i = 0; i < o.band->x.size() && i < o.band->lo.size() && i < o.band->hi.size(); ++i) {
      if (!std::isfinite(o.band->lo[i]) || !std::isfinite(o.band->hi[i])) continue;
      band_rows.push_back(Json{{"period", chart_number(o.band->x[i])},
                               {"lo", chart_number(o.band->lo[i])},
                               {"hi", chart_number(o.band->hi[i])},
                               {"band", o.band->label}});
      ++finite;
    }
    if (finite > 0) {
      Json by = y;
      by["field"] = "lo";
      layers.push_back(Json{{"data", {{"values", band_rows}}},
                            {"mark", {{"type", "area"}, {"opacity", 0.3}, {"color", "#7a9cc6"}}},
                            {"encoding", {{"x", x}, {"y", by}, {"y2", {{"field", "hi"}}}}}});
      c.marks.add("area", 1);
    }
  }
  // With points, they are the line mark's own overlay (Vega-Lite's line "point"), so colour and
  // dash share one legend.
  Json line_mark = {{"type", "line"}, {"strokeWidth", 1.6}};
  Json line_encoding = {{"x", x}, {"y", y}};
  if (o.points) {
    line_mark["point"] = {{"filled", true}, {"size", 40}};
    line_encoding["tooltip"] = tooltip;
  }
  if (several) {
    const Json legend = {{"orient", "bottom"}, {"direction", "horizontal"}, {"symbolStrokeWidth", 2.5}};
    for (const char* channel : {"color", "strokeDash"}) {
      line_encoding[channel] = {{"field", "series"}, {"type", "nominal"}, {"title", o.group_title}, {"legend", legend}};
    }
  }
  layers.push_back(Json{{"mark", line_mark}, {"encoding", line_encoding}});
  c.marks.add("line", lines.size());
  if (o.points) {
    for (const Line* l : lines) {
      std::size_t n = 0;
      for (std::size_t i = 0; i < std::min(l->x.size(), l->y.size()); ++i) n += std::isfinite(l->y[i]) ? 1 : 0;
      c.marks.add("symbol", n);
    }
  }
  if (!labels.empty()) {
    layers.push_back(Json{{"data", {{"values", labels}}},
                          {"mark", {{"type", "text"}, {"align", "left"}, {"dx", 7}, {"fontSize", 11}}},
                          {"encoding", {{"x", x}, {"y", y}, {"text", {{"field", "series"}}}}}});
    c.marks.add("text", labels.size());
  }
  if (o.rule_y) {
    layers.push_back(reference_rule("y", *o.rule_y));
    c.marks.add("rule", 1);
  }
  c.spec["width"] = kChartWidth;
  c.spec["height"] = o.height;
  c.spec["data"] = {{"values", rows}};
  c.spec["layer"] = std::move(layers);
  return c;
}

// Horizontal bars, one panel per measure side by side (each with its own scale and a header that
// names it), every bar labelled with its value: reads without colour.
std::optional<Chart> bar_panels(const std::string& id, const std::string& title, const std::string& description,
                                const std::string& category_title, const std::vector<BarPanel>& panels,
                                const std::string& currency) {
  Json rows = Json::array(), order = Json::array();
  std::size_t finite = 0;
  for (const auto& p : panels) {
    order.push_back(p.title);
    for (const auto& [category, value] : p.values) {
      rows.push_back(Json{{"category", category},
                          {"panel", p.title},
                          {"value", chart_number(value)},
                          {"label", format_metric(p.format_as, value, currency)}});
      finite += std::isfinite(value) ? 1 : 0;
    }
  }
  if (finite == 0) return std::nullopt;
  Chart c{id, title, description, spec_frame(description), {}};
  const Json y = {{"field", "category"}, {"type", "nominal"}, {"title", category_title}, {"sort", nullptr}};
  const Json x = {{"field", "value"},
                  {"type", "quantitative"},
                  {"title", nullptr},
                  {"axis", {{"format", ",~r"}, {"tickCount", 4}}}};
  const Json bar = {{"mark", {{"type", "bar"}, {"color", "#5b7fa8"}}},
                    {"encoding",
                     {{"y", y},
                      {"x", x},
                      {"tooltip", Json::array({{{"field", "category"}, {"title", category_title}},
                                               {{"field", "panel"}, {"title", "measure"}},
                                               {{"field", "label"}, {"title", "value"}}})}}}};
  const Json text = {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 3}, {"fontSize", 11}}},
                     {"encoding", {{"y", y}, {"x", x}, {"text", {{"field", "label"}}}}}};
  c.spec["data"] = {{"values", rows}};
  c.spec["facet"] = {{"column",
                      {{"field", "panel"},
                       {"type", "nominal"},
                       {"title", nullptr},
                       {"sort", order},
                       {"header", {{"labelFontSize", 12}}}}}};
  c.spec["spec"] = {{"width", 190}, {"height", {{"step", 22}}}, {"layer", Json::array({bar, text})}};
  c.spec["resolve"] = {{"scale", {{"x", "independent"}}}};
  c.spec["spacing"] = 70;  // room for the labels of the longest bar
  c.marks.add("rect", finite);
  c.marks.add("text", finite);
  return c;
}

// One forest plot (a layered spec with its own data): a dashed rule at 0, each variant's 95%
// interval as a rule and its mean delta as a point, shaped (and labelled with `*`) by whether the
// interval excludes 0.
Json forest(const std::vector<ForestRow>& rows, const std::string& x_title, int width, Marks& marks) {
  Json data = Json::array(), order = Json::array();
  std::size_t intervals = 0, points = 0;
  for (const auto& r : rows) {
    order.push_back(r.variant);
    data.push_back(Json{{"variant", r.variant},
                        {"delta", chart_number(r.delta)},
                        {"label_at", chart_number(std::isfinite(r.hi) ? r.hi : r.delta)},
                        {"lo", chart_number(r.lo)},
                        {"hi", chart_number(r.hi)},
                        {"verdict", r.excludes_zero ? kExcludesZero : kIncludesZero},
                        {"label", r.label}});
    if (std::isfinite(r.lo) && std::isfinite(r.hi)) ++intervals;
    if (std::isfinite(r.delta)) ++points;
  }
  const Json y = {{"field", "variant"}, {"type", "nominal"}, {"title", nullptr}, {"sort", order}};
  const Json x = {{"field", "delta"}, {"type", "quantitative"}, {"title", x_title}, {"axis", {{"format", ",~r"}}}};
  Json lo = x;
  lo["field"] = "lo";
  const Json verdict_scale = {{"domain", {kExcludesZero, kIncludesZero}}};
  Json layers = Json::array();
  layers.push_back(reference_rule("x", 0.0));
  layers.push_back(Json{{"transform", Json::array({{{"filter", "isValid(datum.lo) && isValid(datum.hi)"}}})},
                        {"mark", {{"type", "rule"}, {"strokeWidth", 2}, {"color", "#333"}}},
                        {"encoding", {{"y", y}, {"x", lo}, {"x2", {{"field", "hi"}}}}}});
  Json shape = {{"field", "verdict"}, {"type", "nominal"}, {"title", nullptr}, {"scale", verdict_scale}};
  shape["scale"]["range"] = {"diamond", "circle"};
  Json color = {{"field", "verdict"}, {"type", "nominal"}, {"title", nullptr}, {"scale", verdict_scale}};
  color["scale"]["range"] = {"#b2182b", "#555555"};
  const Json legend = {{"orient", "bottom"}};
  shape["legend"] = legend;
  color["legend"] = legend;
  layers.push_back(Json{{"transform", Json::array({{{"filter", "isValid(datum.delta)"}}})},
                        {"mark", {{"type", "point"}, {"filled", true}, {"size", 90}, {"opacity", 1}}},
                        {"encoding",
                         {{"y", y},
                          {"x", x},
                          {"shape", shape},
                          {"color", color},
                          {"tooltip", Json::array({{{"field", "variant"}},
                                                   {{"field", "label"}, {"title", "delta"}},
                                                   {{"field", "lo"}, {"title", "95% low"}, {"format", ",~r"}},
                                                   {{"field", "hi"}, {"title", "95% high"}, {"format", ",~r"}}})}}}});
  // The label right of the interval (or of the point when there is none), so it never covers either.
  Json label_x = x;
  label_x["field"] = "label_at";
  layers.push_back(Json{{"transform", Json::array({{{"filter", "isValid(datum.delta)"}}})},
                        {"mark", {{"type", "text"}, {"align", "left"}, {"dx", 7}, {"fontSize", 11}}},
                        {"encoding", {{"y", y}, {"x", label_x}, {"text", {{"field", "label"}}}}}});
  marks.add("rule", 1 + intervals);
  marks.add("symbol", points);
  marks.add("text", points);
  return Json{{"width", width}, {"height", {{"step", 34}}}, {"data", {{"values", data}}}, {"layer", std::move(layers)}};
}

std::string delta_title(const std::string& metric, const std::string& currency) {
  const Unit unit = unit_of(metric);
  if (unit == Unit::kFraction) return "Δ " + metric + " (percentage points)";
  if (unit == Unit::kMoney && !currency.empty()) return "Δ " + metric + " (" + currency + ")";
  return "Δ " + metric;
}

double delta_scale(const std::string& metric) { return unit_of(metric) == Unit::kFraction ? 100.0 : 1.0; }

ForestRow delta_row(const std::string& name, const OJson* entry, const std::string& metric,
                    const std::string& currency) {
  const double scale = delta_scale(metric);
  const Summary m = summary_at(entry);
  ForestRow row;
  row.variant = name;
  row.delta = m.mean * scale;
  if (m.ci95) {
    row.lo = m.ci95->first * scale;
    row.hi = m.ci95->second * scale;
    row.excludes_zero = interval_excludes_zero(m);
  }
  row.label = format_metric(metric, m.mean, currency, true) + (row.excludes_zero ? " *" : "");
  return row;
}

}  // namespace cxsim::html
