// Reports of a comparison (see compare_report.hpp). Each variant's block reuses the run report's
// result_document, so a variant reads exactly like the result file of `cxsim run`.
#include "cxsim/compare_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "cxsim/report.hpp"
#include "cxsim/version.hpp"
#include "io.hpp"

namespace cxsim {

namespace {

using Json = nlohmann::ordered_json;

Json number(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }

Json interval(const Summary& s) {
  if (!s.ci95 || !std::isfinite(s.mean)) return Json(nullptr);
  return Json::array({number(s.ci95->first), number(s.ci95->second)});
}

Summary metric_summary(const RunResult& r, const std::string& metric) { return summarize(replicates_of(r, metric)); }

const Summary* delta_of(const VariantOutcome& v, const std::string& metric) {
  const auto it = v.delta.find(metric);
  return it == v.delta.end() ? nullptr : &it->second;
}

std::string currency_of(const Comparison& c) { return c.variants.front().result.info.currency; }

std::string format_half_width(const std::string& metric, double h, const std::string& currency) {
  std::string s = format_metric(metric, h, currency, /*difference=*/true);
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  return s;
}

std::string format_interval(const std::string& metric, const Summary& s, const std::string& currency) {
  if (!s.ci95 || !std::isfinite(s.mean)) return "n/a";
  return "[" + format_metric(metric, s.ci95->first, currency, true) + ", " +
         format_metric(metric, s.ci95->second, currency, true) + "]";
}

// The metrics shown per variant on the console, in reading order (the objective is added first
// when it is not among them).
const std::vector<std::string>& key_metrics() {
  static const std::vector<std::string> names = {"retention",   "nps", "csat",    "ces",          "frt_minutes",
                                                 "abandonment", "fcr", "revenue", "service_cost", "net_value"};
  return names;
}

std::string stopping_text(const Comparison& c) {
  const std::string currency = currency_of(c);
  const std::string& metric = c.objective.metric;
  switch (c.stop) {
    case StopReason::kFixed:
      return fmt::format("{} replications per variant (fixed)", c.replications);
    case StopReason::kTargetReached:
      return fmt::format(
          "target reached: every variant's {} delta is within +/- {} after {} replications "
          "({} round{})",
          metric, format_half_width(metric, *c.target_half_width, currency), c.replications, c.rounds,
          c.rounds == 1 ? "" : "s");
    case StopReason::kMaxReplications: {
      double widest = 0.0;
      std::string who;
      for (std::size_t k = 1; k < c.variants.size(); ++k) {
        const Summary* d = delta_of(c.variants[k], metric);
        const double h = d == nullptr ? std::nan("") : ci_half_width(*d);
        if (who.empty() || std::isnan(h) || h > widest) {
          widest = h;
          who = c.variants[k].name;
        }
        if (std::isnan(h)) break;
      }
      return fmt::format(
          "target NOT reached: stopped at the cap of {} replications ({} round{}); the widest "
          "interval is +/- {} ({}), the target +/- {}",
          c.replications, c.rounds, c.rounds == 1 ? "" : "s",
          std::isnan(widest) ? std::string("undefined") : format_half_width(metric, widest, currency), who,
          format_half_width(metric, *c.target_half_width, currency));
    }
  }
  return "";
}

}  // namespace

std::string comparison_json(const Comparison& c) {
  const std::string& metric = c.objective.metric;
  Json doc = Json::object();
  doc["cxsim_version"] = kVersion;

  Json names = Json::array();
  for (const VariantOutcome& v : c.variants) names.push_back(v.name);
  doc["batch"] = Json{{"name", c.batch_name},
                      {"description", c.batch_description},
                      {"file", c.batch_file},
                      {"base", c.base_file},
                      {"objective", Json{{"metric", metric}, {"direction", direction_name(c.objective.direction)}}},
                      {"variants", std::move(names)},
                      {"common_random_numbers", true}};

  Json half_widths = Json::object();
  for (std::size_t k = 1; k < c.variants.size(); ++k) {
    const Summary* d = delta_of(c.variants[k], metric);
    half_widths[c.variants[k].name] = d == nullptr ? Json(nullptr) : number(ci_half_width(*d));
  }
  doc["stopping"] = Json{{"rule", c.target_half_width ? "target_ci" : "fixed"},
                         {"outcome", stop_reason_name(c.stop)},
                         {"replications", c.replications},
                         {"rounds", c.rounds},
                         {"target_half_width", c.target_half_width ? number(*c.target_half_width) : Json(nullptr)},
                         {"max_replications", c.max_replications ? Json(*c.max_replications) : Json(nullptr)},
                         {"objective_half_width", std::move(half_widths)}};

  Json ranking = Json::array();
  int rank = 0;
  for (std::size_t k : rank_variants(c)) {
    const VariantOutcome& v = c.variants[k];
    const Summary s = metric_summary(v.result, metric);
    const Summary* d = delta_of(v, metric);
    ranking.push_back(Json{{"rank", ++rank},
                           {"variant", v.name},
                           {"mean", number(s.mean)},
                           {"ci95", interval(s)},
                           {"delta", d == nullptr ? Json(nullptr) : number(d->mean)},
                           {"delta_ci95", d == nullptr ? Json(nullptr) : interval(*d)},
                           {"excludes_zero", d != nullptr && interval_excludes_zero(*d)}});
  }
  doc["ranking"] = std::move(ranking);

  Json variants = Json::object();
  const RunResult& baseline = c.variants.front().result;
  for (const VariantOutcome& v : c.variants) {
    Json block = result_document(v.result);
    block["description"] = v.description;
    Json delta = Json::object();
    for (const auto& [name, s] : v.delta) {
      Json reps = Json::array();
      for (double x : paired_replicates(v.result, baseline, name)) reps.push_back(number(x));
      delta[name] = Json{{"mean", number(s.mean)},
                         {"sd", s.sd && std::isfinite(s.mean) ? number(*s.sd) : Json(nullptr)},
                         {"ci95", interval(s)},
                         {"replicates", std::move(reps)}};
    }
    block["delta"] = std::move(delta);
    variants[v.name] = std::move(block);
  }
  doc["variants"] = std::move(variants);
  return doc.dump(2) + "\n";
}

void write_comparison_csv(const Comparison& c, const std::string& dir) {
  ensure_directory(dir);
  const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  std::string out =
      "variant,metric,mean,sd,ci95_lo,ci95_hi,delta,delta_sd,delta_ci95_lo,delta_ci95_hi,delta_excludes_zero\n";
  for (const VariantOutcome& v : c.variants) {
    std::set<std::string> metrics;
    for (const auto& rep : v.result.replications) {
      for (const auto& [name, value] : rep.metrics) metrics.insert(name);
    }
    for (const auto& [name, d] : v.delta) metrics.insert(name);
    for (const std::string& name : metrics) {
      const Summary s = metric_summary(v.result, name);
      const Summary* d = delta_of(v, name);
      const bool defined = std::isfinite(s.mean);
      const bool d_defined = d != nullptr && std::isfinite(d->mean);
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(v.name), csv_field(name), csv_number(s.mean),
                         defined && s.sd ? csv_number(*s.sd) : "", defined && s.ci95 ? csv_number(s.ci95->first) : "",
                         defined && s.ci95 ? csv_number(s.ci95->second) : "", d_defined ? csv_number(d->mean) : "",
                         d_defined && d->sd ? csv_number(*d->sd) : "",
                         d_defined && d->ci95 ? csv_number(d->ci95->first) : "",
                         d_defined && d->ci95 ? csv_number(d->ci95->second) : "",
                         d != nullptr && interval_excludes_zero(*d) ? "true" : "false");
    }
  }
  write_file_atomic(base + "comparison.csv", out);
  for (const VariantOutcome& v : c.variants) write_csv(v.result, base + v.name);
}

void print_comparison(std::ostream& out, const Comparison& c) {
  const RunInfo& info = c.variants.front().result.info;
  const std::string currency = currency_of(c);
  const std::string& metric = c.objective.metric;
  out << fmt::format(
      "{}: {} variants and the baseline, {} customers x {} replications (common random numbers), "
      "{} periods, seed {}\n",
      c.batch_name, c.variants.size() - 1, info.customers, c.replications, info.horizon_periods, info.seed);
  out << fmt::format("objective: {} ({}); {}\n\n", metric, direction_name(c.objective.direction), stopping_text(c));

  struct Row {
    std::string rank, variant, mean, delta, ci, mark;
  };
  std::vector<Row> rows = {{"rank", "variant", metric, "delta vs baseline", "95% CI of delta", ""}};
  int rank = 0;
  for (std::size_t k : rank_variants(c)) {
    const VariantOutcome& v = c.variants[k];
    const Summary* d = delta_of(v, metric);
    Row row{std::to_string(++rank),
            v.name,
            format_metric(metric, metric_summary(v.result, metric).mean, currency),
            "",
            "",
            ""};
    if (k > 0 && d != nullptr) {
      row.delta = format_metric(metric, d->mean, currency, true);
      row.ci = format_interval(metric, *d, currency);
      row.mark = interval_excludes_zero(*d) ? "*" : "";
    } else if (k == 0) {
      row.delta = "(reference)";
    }
    rows.push_back(std::move(row));
  }
  std::size_t w[5] = {0, 0, 0, 0, 0};
  for (const Row& r : rows) {
    w[0] = std::max(w[0], r.rank.size());
    w[1] = std::max(w[1], r.variant.size());
    w[2] = std::max(w[2], r.mean.size());
    w[3] = std::max(w[3], r.delta.size());
    w[4] = std::max(w[4], r.ci.size());
  }
  for (const Row& r : rows) {
    std::string line = fmt::format("  {:<{}}  {:<{}}  {:>{}}  {:>{}}  {:<{}}  {}", r.rank, w[0], r.variant, w[1],
                                   r.mean, w[2], r.delta, w[3], r.ci, w[4], r.mark);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
  out << "  * the 95% interval of the paired difference excludes zero\n";

  std::vector<std::string> shown = key_metrics();
  if (std::find(shown.begin(), shown.end(), metric) == shown.end()) shown.insert(shown.begin(), metric);
  std::size_t w_metric = 0;
  for (const auto& name : shown) w_metric = std::max(w_metric, name.size());
  for (std::size_t k = 1; k < c.variants.size(); ++k) {
    const VariantOutcome& v = c.variants[k];
    out << fmt::format("\n{}{}\n", v.name, v.description.empty() ? "" : ": " + v.description);
    std::vector<std::array<std::string, 4>> lines;
    std::size_t w_delta = 0, w_ci = 0;
    for (const auto& name : shown) {
      const Summary* d = delta_of(v, name);
      if (d == nullptr) continue;
      lines.push_back({name, format_metric(name, d->mean, currency, true), format_interval(name, *d, currency),
                       interval_excludes_zero(*d) ? "*" : ""});
      w_delta = std::max(w_delta, lines.back()[1].size());
      w_ci = std::max(w_ci, lines.back()[2].size());
    }
    for (const auto& l : lines) {
      std::string line = fmt::format("  {:<{}}  {:>{}}  {:<{}}  {}", l[0], w_metric, l[1], w_delta, l[2], w_ci, l[3]);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << '\n';
    }
  }
}

}  // namespace cxsim
