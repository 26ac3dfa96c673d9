#pragma once
// What the files of the HTML report share (html_report.hpp, docs/html-report.md):
//   html_chart_kit.cpp          reading the document tolerantly; the chart kinds (lines, bar
//                               panels, forest plots) as Vega-Lite specifications with their
//                               expected mark counts;
//   html_run_charts.cpp         the charts of a run;
//   html_comparison_charts.cpp  the charts of a comparison;
//   html_sections.cpp           the HTML of each kind of page (cards, tables, details);
//   html_page.cpp               the page around them (style, renderer, boot script), dispatch.
// Numbers are formatted by report_document.hpp (format_metric, unit_of), like every reporter.
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cxsim/stats.hpp"
#include "html_report.hpp"
#include "report_document.hpp"

namespace cxsim::html {

using OJson = nlohmann::ordered_json;  // the result document
using Json = nlohmann::json;           // chart specifications (key order is irrelevant to Vega-Lite)

// ---- reading the document (tolerant: a missing or mistyped key reads as absent) ----------------

const OJson* member(const OJson& o, const char* key);
const OJson* member(const OJson* o, const char* key);
double number_at(const OJson* v);  // NaN when absent or not a number
std::string string_of(const OJson* v, const std::string& fallback = "");
// An array of numbers; null and non-numbers read as NaN. Empty when not an array.
std::vector<double> numbers_of(const OJson* v);
// A metric's summary ({mean, sd, ci95}) from a metric table entry; mean NaN when absent.
Summary summary_at(const OJson* entry);
bool any_finite(const std::vector<double>& v);
std::size_t count_finite(const std::vector<double>& v);
bool starts_with(const std::string& s, const std::string& prefix);
std::string join(const std::vector<std::string>& names);

// ---- chart kit ------------------------------------------------------------------------------

constexpr int kChartWidth = 640;
constexpr int kChartHeight = 220;

// A value for chart data: 6 significant digits, whole numbers as integers, null when not finite.
Json chart_number(double x);
// "Period (days)" etc., from the scenario's period_days.
std::string period_title(double period_days);

// Rendered items per Vega mark type, as the browser test counts them.
class Marks {
 public:
  void add(const std::string& type, std::size_t n) {
    if (n > 0) counts_[type] += static_cast<int>(n);
  }
  Json json() const;

 private:
  std::map<std::string, int> counts_;
};

struct Chart {
  std::string id;
  std::string title;
  std::string description;
  Json spec;
  Marks marks;
};

// The top-level keys every spec carries (description, config, background).
Json spec_frame(const std::string& description);
void add(std::vector<Chart>& charts, std::optional<Chart> c);

struct Line {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

struct Band {
  std::vector<double> x, lo, hi;
  std::string label;
};

struct LineOptions {
  std::string x_title = "Period";
  std::string y_title;
  std::string y_format = ",~r";  // d3-format of the y axis
  std::string group_title;       // legend title of the lines (e.g. "channel")
  bool y_zero = true;            // y scale includes zero
  bool points = false;           // a point per value
  bool end_labels = true;        // with several lines, each line's name at its last value
  std::optional<double> rule_y;  // a dashed reference line (0 for differences)
  std::optional<Band> band;      // a shaded interval behind the lines
  int height = kChartHeight;
};

// Lines over a numeric x (periods); nullopt when no line has a finite value.
std::optional<Chart> line_chart(const std::string& id, const std::string& title, const std::string& description,
                                const std::vector<Line>& all_lines, const LineOptions& o);

// One panel of a bar chart: a value per category, labelled as format_metric formats `format_as`.
struct BarPanel {
  std::string title;
  std::string format_as;  // metric name for format_metric (e.g. "intervention_cost" for money)
  std::vector<std::pair<std::string, double>> values;
};

// Horizontal bars, one panel per measure side by side; nullopt when no value is finite.
std::optional<Chart> bar_panels(const std::string& id, const std::string& title, const std::string& description,
                                const std::string& category_title, const std::vector<BarPanel>& panels,
                                const std::string& currency);

struct ForestRow {
  std::string variant;
  double delta = std::numeric_limits<double>::quiet_NaN();  // NaN when undefined
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
  bool excludes_zero = false;
  std::string label;
};

// One forest plot (a layered spec with its own data), counting its marks into `marks`.
Json forest(const std::vector<ForestRow>& rows, const std::string& x_title, int width, Marks& marks);
// "Δ retention (percentage points)", "Δ net_value (USD)", "Δ frt_minutes (minutes)", "Δ nps".
std::string delta_title(const std::string& metric, const std::string& currency);
// Chart values of a difference: fractions in percentage points, like the console.
double delta_scale(const std::string& metric);
// A forest row of a summary entry ({mean, ci95}): scaled by delta_scale, labelled like the console,
// " *" when the interval excludes zero.
ForestRow delta_row(const std::string& name, const OJson* entry, const std::string& metric,
                    const std::string& currency);

// ---- the charts of each kind ------------------------------------------------------------------

struct RunCharts {
  std::vector<Chart> charts;
  std::vector<std::string> omitted;  // charts left out because their data are zero throughout
};
RunCharts run_charts(const OJson& doc);

// The comparison's variants as the page shows them.
struct ComparisonContext {
  const OJson& doc;
  const OJson* variants;
  std::string objective;
  std::string currency;
  std::vector<std::string> order;  // non-baseline variants, best first (ranking), then any unranked
};
ComparisonContext comparison_context(const OJson& doc);
std::vector<Chart> comparison_charts(const OJson& doc);
// The what-if kinds: sweep, sensitivity, attribution, optimize, calibration (html_explore_charts.cpp).
std::vector<Chart> explore_charts(const OJson& doc, ResultKind kind);

// ---- HTML -------------------------------------------------------------------------------------

std::string escape_html(const std::string& s);

// The body of each kind of page.
struct Page {
  std::string title;
  std::string subtitle;
  std::string body;
};
Page run_page(const OJson& doc, const Json& charts, const HtmlReportOptions& options);
Page comparison_page(const OJson& doc, const Json& charts, const HtmlReportOptions& options);
Page generic_page(const OJson& doc, ResultKind kind, const Json& charts, const HtmlReportOptions& options);

}  // namespace cxsim::html
