#pragma once
// The HTML report (docs/html-report.md): one self-contained page from any result file cxsim writes.
// HtmlReporter (report.hpp) writes it as a member of the reporter family; the code is split by
// concept into html_chart_kit, html_run_charts, html_comparison_charts, html_sections and html_page
// (html_report_detail.hpp says what each holds).
//
// The page needs nothing but a browser: the chart renderer (Vega, Vega-Lite and vega-embed, the
// minified browser bundles pinned in tools/vega/package-lock.json) is compiled into the library
// and written inline, the data travels inside the page as JSON, the style sheet (with a print
// style) is inline, and a Content-Security-Policy forbids any request, so it opens from disk, mailed
// or attached to a ticket, without a network. Charts are data: chart_specs() writes Vega-Lite
// specifications from the result document; the page only hands them to vega-embed (SVG renderer,
// expressions interpreted, no eval). There is no hand-written drawing code.
//
// Dispatch is on the document's top-level keys (result_kind): a run ("scenario" and "metrics") gets
// headline cards, charts and the metric table; a comparison ("batch" and "variants") the ranking,
// forest plots of the paired deltas, differences over time and the stopping outcome. Kinds this
// code does not know yet ("sweep", "sensitivity", "attribution", "optimize", "calibration", or none
// of these) still get every metric table found anywhere in the document.
//
// Charts appear only for data the document holds, so keys a later result version adds (service
// level, abandonment, backlog and wait series per channel, joiners, intraday blocks, per-replication
// series for bands) light up charts without changes to the callers; docs/html-report.md lists the
// keys each chart reads.
#include <nlohmann/json.hpp>
#include <string>

#include "cxsim/report.hpp"  // HtmlReportOptions

namespace cxsim {

enum class ResultKind { kRun, kComparison, kSweep, kSensitivity, kAttribution, kOptimize, kCalibration, kUnknown };

// The kind of a result document, from its top-level keys: "sweep", "sensitivity", "attribution",
// "optimize" or "calibration" name their kind; else "batch" with "variants" is a comparison, and
// "scenario" with "metrics" a run; anything else is kUnknown.
ResultKind result_kind(const nlohmann::ordered_json& result);

// A human-readable name of the kind ("Run", "Comparison", "Sweep", ..., "Result").
const char* result_kind_name(ResultKind kind);

// The charts of the page for `result`, in page order: an array of
//   {"id": unique token for element ids, "title", "description": what the chart shows (its caption),
//    "spec": the Vega-Lite specification, data inline,
//    "expected_marks": {MARK TYPE: count}}.
// expected_marks is computed from the data: for each Vega mark type ("line", "area", "symbol",
// "rect", "rule", "text") the number of items the SVG renderer draws for the chart's data marks
// (one path per line or area, one element per point, bar, rule or label); the browser test
// (tools/vega/check-reports.mjs) compares it with the rendered page. Empty for kinds without charts.
nlohmann::json chart_specs(const nlohmann::ordered_json& result);

// The complete page (UTF-8, about 850 kB of it the embedded renderer). Never throws on unexpected
// or missing keys: what is absent is left out; throws std::invalid_argument only when `result` is not
// a JSON object.
std::string html_report(const nlohmann::ordered_json& result, const HtmlReportOptions& options = {});

}  // namespace cxsim
