// The charts of a run (html_report_detail.hpp, docs/html-report.md "Run report"): each drawn only
// when the document holds its data, so keys a later result version adds light up their charts.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cxsim/report.hpp"
#include "html_report_detail.hpp"

namespace cxsim::html {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The IDs of the per-entity series "PREFIX.ID", in the document's order.
std::vector<std::string> series_ids(const OJson* series, const std::string& prefix) {
  std::vector<std::string> ids;
  if (series == nullptr || !series->is_object()) return ids;
  for (const auto& [key, value] : series->items()) {
    if (starts_with(key, prefix + ".") && key.size() > prefix.size() + 1) ids.push_back(key.substr(prefix.size() + 1));
  }
  return ids;
}

struct RunContext {
  const OJson& doc;
  const OJson* series;
  std::vector<double> period;
  std::vector<double> nps_period;
  std::string currency;
  std::string period_axis;
};

RunContext run_context(const OJson& doc) {
  const OJson* scenario = member(doc, "scenario");
  const OJson* series = member(doc, "series");
  return RunContext{doc,
                    series,
                    numbers_of(member(series, "period")),
                    numbers_of(member(series, "nps_period")),
                    string_of(member(scenario, "currency")),
                    period_title(number_at(member(scenario, "period_days")))};
}

// One line per entity of the per-entity series PREFIX.ID (only those of the period axis' length).
std::vector<Line> entity_lines(const RunContext& r, const std::string& prefix) {
  std::vector<Line> lines;
  for (const auto& id : series_ids(r.series, prefix)) {
    std::vector<double> y = numbers_of(member(r.series, (prefix + "." + id).c_str()));
    if (y.size() == r.period.size()) lines.push_back(Line{id, r.period, std::move(y)});
  }
  return lines;
}

// Per-entity lines worth drawing: those with a non-zero value. The others are named in the
// description (zero throughout, e.g. the wait of an unlimited channel; or no value at all), so the
// chart does not hide them silently. When no line is left, the chart is not drawn and `omitted`
// (the page's note under the charts) says why, naming `title`.
std::vector<Line> drop_flat_lines(std::vector<Line> lines, std::string& description, const std::string& title,
                                  std::vector<std::string>& omitted) {
  std::vector<Line> kept;
  std::vector<std::string> zero, none;
  for (auto& l : lines) {
    if (!any_finite(l.y)) {
      none.push_back(l.name);
    } else if (std::all_of(l.y.begin(), l.y.end(), [](double v) { return !std::isfinite(v) || v == 0.0; })) {
      zero.push_back(l.name);
    } else {
      kept.push_back(std::move(l));
    }
  }
  if (kept.empty()) {
    if (!zero.empty()) omitted.push_back(title + ": zero throughout (" + join(zero) + ").");
    return kept;
  }
  if (!zero.empty()) description += " Zero throughout, not drawn: " + join(zero) + ".";
  if (!none.empty()) description += " Without values, not drawn: " + join(none) + ".";
  return kept;
}

// Retention with, when the document has the 95% interval of the mean per period
// (series_ci95.retention: {"lo": [...], "hi": [...]}, written by run_report for two or more
// replications), that interval as a band.
std::optional<Chart> retention_chart(const RunContext& r) {
  const std::vector<double> retention = numbers_of(member(r.series, "retention"));
  if (retention.size() != r.period.size()) return std::nullopt;
  LineOptions o;
  o.x_title = r.period_axis;
  o.y_title = "Initial customers still active (%)";
  o.y_format = "%";
  o.y_zero = false;
  std::string description =
      "Share of the initial customers still active at the end of each period (mean over replications).";
  const OJson* ci = member(member(r.doc, "series_ci95"), "retention");
  Band band{r.period, numbers_of(member(ci, "lo")), numbers_of(member(ci, "hi")), "95% interval"};
  if (band.lo.size() == r.period.size() && band.hi.size() == r.period.size() && any_finite(band.lo)) {
    const double replications = number_at(member(member(r.doc, "scenario"), "replications"));
    description +=
        std::isfinite(replications)
            ? fmt::format(" The band is the 95% interval of the mean over the {:g} replications.", replications)
            : std::string(" The band is the 95% interval of the mean over the replications.");
    o.band = std::move(band);
  }
  return line_chart("retention", "Retention", description, {Line{"retention", r.period, retention}}, o);
}

std::optional<Chart> nps_chart(const RunContext& r) {
  const std::vector<double> nps = numbers_of(member(r.series, "nps"));
  if (nps.empty() || nps.size() != r.nps_period.size() || !any_finite(nps)) return std::nullopt;
  std::vector<Line> lines = {Line{"population NPS", r.nps_period, nps}};
  std::string description =
      "Population NPS (computed over every active customer) at each NPS report period, mean over replications.";
  // Survey NPS: per report period when the document has that series, else the run's pooled value
  // (metric survey_nps) as one point at the last report period.
  const std::vector<double> survey = numbers_of(member(r.series, "survey_nps"));
  std::optional<Summary> pooled;
  if (survey.size() == r.nps_period.size() && any_finite(survey)) {
    lines.push_back(Line{"survey NPS", r.nps_period, survey});
    description += " Survey NPS: respondents only, per report period.";
  } else {
    const Summary m = summary_at(member(member(r.doc, "metrics"), "survey_nps"));
    if (std::isfinite(m.mean)) {
      lines.push_back(Line{"survey NPS (whole run)", {r.nps_period.back()}, {m.mean}});
      pooled = m;
      description +=
          " Survey NPS pools every survey response of the run (respondents only), drawn at the last period with its "
          "95% interval.";
    }
  }
  LineOptions o;
  o.x_title = r.period_axis;
  o.y_title = "NPS (-100 to 100)";
  o.y_zero = false;
  o.points = true;
  o.end_labels = true;
  o.group_title = "measure";
  auto c = line_chart("nps", "NPS over time", description, lines, o);
  if (c && pooled && pooled->ci95) {
    c->spec["layer"].push_back(Json{{"data",
                                     {{"values", Json::array({{{"period", chart_number(r.nps_period.back())},
                                                               {"lo", chart_number(pooled->ci95->first)},
                                                               {"hi", chart_number(pooled->ci95->second)}}})}}},
                                    {"mark", {{"type", "rule"}, {"strokeWidth", 1.5}}},
                                    {"encoding",
                                     {{"x", {{"field", "period"}, {"type", "quantitative"}}},
                                      {"y", {{"field", "lo"}, {"type", "quantitative"}}},
                                      {"y2", {{"field", "hi"}}}}}});
    c->marks.add("rule", 1);
  }
  return c;
}

struct EntityMeasure {
  const char* prefix;  // series PREFIX.ID
  const char* id;
  const char* title;
  const char* y_title;
  const char* y_format;
  const char* description;
};

// The per-channel series, in page order; those absent from a document draw nothing.
const std::vector<EntityMeasure>& channel_measures() {
  static const std::vector<EntityMeasure> measures = {
      {"tickets", "tickets", "Tickets by channel", "Contacts per period", ",~r",
       "Contacts arriving at each channel per period (mean over replications)."},
      {"frt", "answered_wait", "Answered wait (FRT) by channel", "Mean wait of answered contacts (minutes)", ",~r",
       "Mean wait of the contacts each queue channel answered in the period (first response time), in minutes."},
      {"service_level", "service_level", "Service level by channel", "Answered within target (%)", "%",
       "Share of the contacts offered to each queue channel that were answered within its service-level target "
       "(abandoned contacts count as missed)."},
      {"abandoned", "abandoned", "Abandoned contacts by channel", "Abandoned contacts per period", ",~r",
       "Contacts that hung up before an answer, per channel and period."},
      {"utilization", "utilization", "Utilization by channel", "Agent occupancy (%)", "%",
       "Busy agent time over on-duty agent time, per staffed channel and period."},
      {"backlog", "backlog", "Backlog by channel", "Requests waiting at close", ",~r",
       "Requests waiting in each backlog channel at the close of the period."},
      {"wait_hours", "backlog_wait", "Backlog wait by channel", "Wait until answered (hours)", ",~r",
       "Mean wait of the backlog requests answered in the period, in hours (closed hours included)."},
  };
  return measures;
}

// "+0:30"-style labels of interval starts after opening, or clock times when the block says when
// the channel opens ("opens_at_minute", minutes after midnight).
std::string interval_label(double start_minutes) {
  const auto m = static_cast<long long>(std::llround(start_minutes));
  return fmt::format("{:02d}:{:02d}", (m / 60) % 24, m % 60);
}

// Arrivals (bars) and agents on duty (line with points) per interval of the open hours, for a
// channel whose result has an intraday block:
//   {"interval_minutes": L, "arrivals": [K], "agents": [K], "opens_at_minute": optional}
// under channels.ID.intraday (or the top-level intraday.ID).
std::optional<Chart> intraday_chart(const std::string& channel, const OJson& block) {
  const std::vector<double> arrivals = numbers_of(member(block, "arrivals"));
  const std::vector<double> agents = numbers_of(member(block, "agents"));
  const double length = number_at(member(block, "interval_minutes"));
  const std::size_t k = std::max(arrivals.size(), agents.size());
  if (k == 0 || (!any_finite(arrivals) && !any_finite(agents))) return std::nullopt;
  const double opens = number_at(member(block, "opens_at_minute"));
  const bool clock = std::isfinite(opens);
  Json rows = Json::array(), order = Json::array();
  for (std::size_t i = 0; i < k; ++i) {
    const double start = std::isfinite(length) ? static_cast<double>(i) * length : static_cast<double>(i);
    std::string label = std::isfinite(length) ? (clock ? interval_label(opens + start) : "+" + interval_label(start))
                                              : fmt::format("{}", i + 1);
    order.push_back(label);
    rows.push_back(Json{{"interval", label},
                        {"arrivals", chart_number(i < arrivals.size() ? arrivals[i] : kNaN)},
                        {"agents", chart_number(i < agents.size() ? agents[i] : kNaN)}});
  }
  const std::string x_title = std::isfinite(length) ? fmt::format("Interval start ({}, {:g}-minute intervals)",
                                                                  clock ? "time of day" : "after opening", length)
                                                    : "Interval of the open hours";
  const std::string description = fmt::format(
      "Channel {}: contacts arriving per interval of the open hours (bars, left axis; mean per period) and agents on "
      "duty (line with points, right axis).",
      channel);
  Chart c{"intraday_" + channel, "Intraday profile: " + channel, description, spec_frame(description), {}};
  const Json x = {{"field", "interval"},
                  {"type", "ordinal"},
                  {"sort", order},
                  {"title", x_title},
                  {"axis", {{"labelAngle", -45}, {"labelOverlap", true}}}};
  Json layers = Json::array();
  if (any_finite(arrivals)) {
    layers.push_back(Json{{"mark", {{"type", "bar"}, {"color", "#9db4d0"}}},
                          {"encoding",
                           {{"x", x},
                            {"y",
                             {{"field", "arrivals"},
                              {"type", "quantitative"},
                              {"title", "Contacts arriving per interval (bars)"},
                              {"axis", {{"format", ",~r"}, {"orient", "left"}}}}}}}});
    c.marks.add("rect", count_finite(arrivals));
  }
  if (any_finite(agents)) {
    const Json y = {{"field", "agents"},
                    {"type", "quantitative"},
                    {"title", "Agents on duty (line)"},
                    {"axis", {{"format", ",~r"}, {"orient", "right"}}}};
    layers.push_back(
        Json{{"layer", Json::array({Json{{"mark", {{"type", "line"}, {"color", "#222"}, {"strokeWidth", 2}}},
                                         {"encoding", {{"x", x}, {"y", y}}}},
                                    Json{{"mark", {{"type", "point"}, {"filled", true}, {"color", "#222"}}},
                                         {"encoding", {{"x", x}, {"y", y}}}}})}});
    c.marks.add("line", 1);
    c.marks.add("symbol", count_finite(agents));
  }
  c.spec["width"] = kChartWidth;
  c.spec["height"] = kChartHeight;
  c.spec["data"] = {{"values", rows}};
  c.spec["layer"] = std::move(layers);
  c.spec["resolve"] = {{"scale", {{"y", "independent"}}}};
  return c;
}

}  // namespace

RunCharts run_charts(const OJson& doc) {
  RunCharts out;
  std::vector<Chart>& charts = out.charts;
  const RunContext r = run_context(doc);
  if (r.period.empty()) return out;

  add(charts, retention_chart(r));
  {
    LineOptions o;
    o.x_title = r.period_axis;
    o.y_title = "Active customers";
    o.y_zero = false;
    add(charts, line_chart("active", "Active customers",
                           "Customers active at the end of each period, joiners included (mean over replications).",
                           {Line{"active", r.period, numbers_of(member(r.series, "active"))}}, o));
    // Joiners only when some customer joined (population.acquisition, referrals_join).
    const std::vector<double> joined = numbers_of(member(r.series, "joined"));
    if (std::any_of(joined.begin(), joined.end(), [](double x) { return x > 0.0; })) {
      o.y_title = "Customers joining per period";
      o.y_zero = true;
      add(charts, line_chart("joined", "Customers joining",
                             "New customers joining in each period (acquisition and referrals that join).",
                             {Line{"joined", r.period, joined}}, o));
    }
  }
  add(charts, nps_chart(r));
  for (const auto& m : channel_measures()) {
    LineOptions o;
    o.x_title = r.period_axis;
    o.y_title = m.y_title;
    o.y_format = m.y_format;
    o.group_title = "channel";
    std::string description = m.description;
    std::vector<Line> lines = drop_flat_lines(entity_lines(r, m.prefix), description, m.title, out.omitted);
    add(charts, line_chart(m.id, m.title, description, lines, o));
  }
  // Intraday profiles: channels.ID.intraday, or the top-level intraday.ID.
  std::vector<std::pair<std::string, const OJson*>> intraday;
  if (const OJson* channels = member(doc, "channels"); channels != nullptr && channels->is_object()) {
    for (const auto& [id, ch] : channels->items()) {
      if (const OJson* block = member(ch, "intraday")) intraday.emplace_back(id, block);
    }
  }
  if (const OJson* blocks = member(doc, "intraday"); blocks != nullptr && blocks->is_object()) {
    for (const auto& [id, block] : blocks->items()) intraday.emplace_back(id, &block);
  }
  for (const auto& [id, block] : intraday) add(charts, intraday_chart(id, *block));

  if (const OJson* tps = member(doc, "touchpoints"); tps != nullptr && tps->is_object() && !tps->empty()) {
    BarPanel failures{"failures", "failures", {}}, exits{"exits", "exits", {}};
    for (const auto& [id, tp] : tps->items()) {
      failures.values.emplace_back(id, number_at(member(tp, "failures")));
      exits.values.emplace_back(id, number_at(member(tp, "exits")));
    }
    add(charts, bar_panels("touchpoints", "Touchpoint failures and exits",
                           "Failures at each touchpoint and customers leaving through it (exits), mean per replication "
                           "over the horizon.",
                           "touchpoint", {failures, exits}, r.currency));
  }
  if (const OJson* ivs = member(doc, "interventions"); ivs != nullptr && ivs->is_object() && !ivs->empty()) {
    BarPanel uses{"uses", "uses", {}}, reach{"reach (customers)", "reach", {}},
        cost{r.currency.empty() ? "cost" : "cost (" + r.currency + ")", "intervention_cost", {}};
    for (const auto& [id, iv] : ivs->items()) {
      uses.values.emplace_back(id, number_at(member(iv, "uses")));
      reach.values.emplace_back(id, number_at(member(iv, "reach")));
      cost.values.emplace_back(id, number_at(member(iv, "cost")));
    }
    std::vector<BarPanel> panels = {uses};
    if (std::any_of(reach.values.begin(), reach.values.end(), [](const auto& v) { return std::isfinite(v.second); })) {
      panels.push_back(reach);
    }
    panels.push_back(cost);
    add(charts, bar_panels("interventions", "Interventions: uses, reach and cost",
                           "Per intervention, mean per replication over the horizon: times it acted (uses), distinct "
                           "customers it reached, and its cost (undiscounted).",
                           "intervention", panels, r.currency));
    LineOptions o;
    o.x_title = r.period_axis;
    o.y_title = "Uses per period";
    o.group_title = "intervention";
    std::string description = "Times each intervention acted, per period (mean over replications).";
    const std::string title = "Intervention uses over time";
    std::vector<Line> lines = drop_flat_lines(entity_lines(r, "uses"), description, title, out.omitted);
    add(charts, line_chart("intervention_uses", title, description, lines, o));
  }
  return out;
}

}  // namespace cxsim::html
