// Report documents (see report.hpp): what a run or a comparison produced, as the result file of
// ../shared/MODEL.md "Result file", and the JSON reporter that writes it. Every number is a function
// of the results alone, so the same results always give the same bytes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "cxsim/report.hpp"
#include "cxsim/version.hpp"
#include "html_report.hpp"
#include "explore_report.hpp"
#include "io.hpp"
#include "json_input.hpp"
#include "report_document.hpp"
#include "saturation.hpp"

namespace cxsim {

namespace {

// Metric names over all replications, in name order.
std::vector<std::string> metric_names(const RunResult& r) {
  std::set<std::string> names;
  for (const auto& rep : r.replications) {
    for (const auto& [name, value] : rep.metrics) names.insert(name);
  }
  return {names.begin(), names.end()};
}

// Element-wise mean over replications of every series, in name order. All replications carry
// the same series with the same lengths (the engine's invariant); a mismatch is a bug, not data.
// Element-wise means of named vectors over replications (one map per replication), in name order.
// Every replication carries the same names with the same lengths (the engine's invariant); a
// mismatch is a bug, not data.
std::vector<std::pair<std::string, std::vector<double>>> vector_means(
    const std::vector<const std::map<std::string, std::vector<double>>*>& maps) {
  std::set<std::string> names;
  for (const auto* m : maps) {
    for (const auto& [name, values] : *m) names.insert(name);
  }
  std::vector<std::pair<std::string, std::vector<double>>> out;
  const double n = static_cast<double>(maps.size());
  for (const auto& name : names) {
    std::vector<double> sum;
    bool first = true;
    for (const auto* m : maps) {
      const auto it = m->find(name);
      if (it == m->end()) throw std::invalid_argument("series '" + name + "' missing in a replication");
      if (first) {
        sum.assign(it->second.size(), 0.0);
        first = false;
      } else if (it->second.size() != sum.size()) {
        throw std::invalid_argument("series '" + name + "' has different lengths across replications");
      }
      for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += it->second[i];
    }
    for (double& x : sum) x /= n;
    out.emplace_back(name, std::move(sum));
  }
  return out;
}

std::vector<std::pair<std::string, std::vector<double>>> series_means(const RunResult& r) {
  std::vector<const std::map<std::string, std::vector<double>>*> maps;
  for (const auto& rep : r.replications) maps.push_back(&rep.series);
  return vector_means(maps);
}

// {ID: {interval_minutes, arrivals: [...], servers: [...]}}: each staffed channel's open day, means
// over replications.
void add_intraday(const RunResult& r, Json& channels) {
  if (r.replications.empty()) return;
  for (const auto& [id, profile] : r.replications.front().intraday) {
    std::vector<const std::map<std::string, std::vector<double>>*> maps;
    for (const auto& rep : r.replications) maps.push_back(&rep.intraday.at(id));
    Json block = Json::object();
    for (const auto& [name, values] : vector_means(maps)) {
      if (name == "interval_minutes" && values.size() == 1) {
        block[name] = json_number(values.front());
        continue;
      }
      Json a = Json::array();
      for (double x : values) a.push_back(json_number(x));
      block[name] = std::move(a);
    }
    channels[id]["intraday"] = std::move(block);
  }
}

// {ID: {COUNT: mean over replications}}; an id or count absent from a replication counts as 0.
Json entity_means(const RunResult& r, std::map<std::string, EntityCounts> ReplicationResult::*member) {
  std::map<std::string, std::set<std::string>> keys;
  for (const auto& rep : r.replications) {
    for (const auto& [id, counts] : rep.*member) {
      auto& k = keys[id];
      for (const auto& [count, value] : counts.values) k.insert(count);
    }
  }
  Json out = Json::object();
  const double n = static_cast<double>(r.replications.size());
  for (const auto& [id, counts] : keys) {
    Json entity = Json::object();
    for (const auto& count : counts) {
      double sum = 0.0;
      for (const auto& rep : r.replications) {
        const auto& entities = rep.*member;
        const auto e = entities.find(id);
        if (e == entities.end()) continue;
        const auto v = e->second.values.find(count);
        if (v != e->second.values.end()) sum += v->second;
      }
      entity[count] = json_number(sum / n);
    }
    out[id] = std::move(entity);
  }
  return out;
}

}  // namespace

std::vector<double> replicates_of(const RunResult& r, const std::string& metric) {
  std::vector<double> values;
  values.reserve(r.replications.size());
  for (const auto& rep : r.replications) {
    const auto it = rep.metrics.find(metric);
    values.push_back(it == rep.metrics.end() ? std::nan("") : it->second);
  }
  return values;
}

// {ID: {METRIC: {mean, sd, ci95}}}: per channel, the metrics of each replication's channel counts
// summarized over replications, so per-channel figures have intervals like the pooled metrics.
// abandonment is abandoned / contacts; the others are the channel's own counts where the engine
// reports them. A replication without the channel or the count gives NaN (an undefined summary).
Json channel_metrics(const RunResult& r) {
  std::set<std::string> ids;
  for (const auto& rep : r.replications) {
    for (const auto& [id, counts] : rep.channels) ids.insert(id);
  }
  const auto count = [](const ReplicationResult& rep, const std::string& id, const char* name) {
    const auto c = rep.channels.find(id);
    if (c == rep.channels.end()) return std::nan("");
    const auto v = c->second.values.find(name);
    return v == c->second.values.end() ? std::nan("") : v->second;
  };
  const auto reported = [&](const std::string& id, const char* name) {
    return std::any_of(r.replications.begin(), r.replications.end(),
                       [&](const ReplicationResult& rep) { return !std::isnan(count(rep, id, name)); });
  };
  Json out = Json::object();
  for (const std::string& id : ids) {
    Json m = Json::object();
    for (const char* name : {"frt_minutes", "service_level", "abandonment", "utilization", "backlog_wait_hours"}) {
      const bool abandonment = std::string(name) == "abandonment";
      if (abandonment ? !reported(id, "abandoned") || !reported(id, "contacts") : !reported(id, name)) continue;
      std::vector<double> values;
      for (const auto& rep : r.replications) {
        const double contacts = count(rep, id, "contacts");
        values.push_back(!abandonment     ? count(rep, id, name)
                         : contacts > 0.0 ? count(rep, id, "abandoned") / contacts
                                          : std::nan(""));
      }
      m[name] = summary_json(summarize(values));
    }
    out[id] = std::move(m);
  }
  return out;
}

// {"retention": {"lo": [...], "hi": [...]}}: the Student-t 95% interval of the mean per period
// (the HTML report's band); null where undefined. Empty with fewer than two replications.
Json series_intervals(const RunResult& r) {
  Json out = Json::object();
  if (r.replications.size() < 2) return out;
  for (const char* name : {"retention"}) {
    std::vector<const std::vector<double>*> reps;
    for (const auto& rep : r.replications) {
      const auto it = rep.series.find(name);
      if (it == rep.series.end()) return out;
      reps.push_back(&it->second);
    }
    Json lo = Json::array(), hi = Json::array();
    for (std::size_t t = 0; t < reps.front()->size(); ++t) {
      std::vector<double> values;
      for (const auto* v : reps) values.push_back(t < v->size() ? (*v)[t] : std::nan(""));
      const Summary s = summarize(values);
      lo.push_back(s.ci95 ? json_number(s.ci95->first) : Json(nullptr));
      hi.push_back(s.ci95 ? json_number(s.ci95->second) : Json(nullptr));
    }
    out[name] = Json{{"lo", std::move(lo)}, {"hi", std::move(hi)}};
  }
  return out;
}

Json warnings_json(const RunResult& r) {
  Json out = Json::array();
  for (const RunWarning& w : saturation_warnings(r)) {
    out.push_back(Json{{"kind", w.kind},
                       {"channel", w.channel},
                       {"measures", w.measures},
                       {"from_period", w.from_period},
                       {"replications", w.replications},
                       {"of", w.of},
                       {"message", w.message}});
  }
  return out;
}
namespace {

Json interval(const Summary& s) {
  if (!s.ci95 || !std::isfinite(s.mean)) return Json(nullptr);
  return Json::array({json_number(s.ci95->first), json_number(s.ci95->second)});
}

const Summary* delta_of(const VariantOutcome& v, const std::string& metric) {
  const auto it = v.delta.find(metric);
  return it == v.delta.end() ? nullptr : &it->second;
}

// Result files written by cxsim: large (every replication's values), nested a few levels.
constexpr JsonLimits kResultLimits{"result", std::size_t{1} << 32, 16, 6};

}  // namespace

Report::Report(std::shared_ptr<const Document> document) : document_(std::move(document)) {}

const std::string& Report::kind() const { return document_->kind; }

std::string Report::json() const { return document_->json.dump(2) + "\n"; }

Report run_report(const RunResult& result) {
  const RunInfo& info = result.info;
  Json doc = Json::object();
  doc["cxsim_version"] = kVersion;
  doc["scenario"] = Json{{"name", info.scenario_name},
                         {"file", info.scenario_file},
                         {"seed", info.seed},
                         {"customers", info.customers},
                         {"horizon_periods", info.horizon_periods},
                         {"replications", info.replications},
                         {"period_days", json_number(info.period_days)},
                         {"currency", info.currency}};
  doc["run"] = Json{{"threads", info.threads}};
  if (Json warnings = warnings_json(result); !warnings.empty()) doc["warnings"] = std::move(warnings);

  Json metrics = Json::object();
  for (const auto& name : metric_names(result)) {
    const std::vector<double> replicates = replicates_of(result, name);
    Json m = summary_json(summarize(replicates));
    Json reps = Json::array();
    for (double x : replicates) reps.push_back(json_number(x));
    m["replicates"] = std::move(reps);
    metrics[name] = std::move(m);
  }
  doc["metrics"] = std::move(metrics);

  Json series = Json::object();
  series["period"] = result.period;
  series["nps_period"] = result.nps_period;
  for (const auto& [name, values] : series_means(result)) {
    if (name == "period" || name == "nps_period") continue;  // reserved for the axes above
    Json a = Json::array();
    for (double x : values) a.push_back(json_number(x));
    series[name] = std::move(a);
  }
  doc["series"] = std::move(series);
  if (Json intervals = series_intervals(result); !intervals.empty()) doc["series_ci95"] = std::move(intervals);

  doc["touchpoints"] = entity_means(result, &ReplicationResult::touchpoints);
  doc["channels"] = entity_means(result, &ReplicationResult::channels);
  add_intraday(result, doc["channels"]);
  doc["channel_metrics"] = channel_metrics(result);
  doc["interventions"] = entity_means(result, &ReplicationResult::interventions);
  return make_report("run", std::move(doc));
}

Report comparison_report(const Comparison& c) {
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
    half_widths[c.variants[k].name] = d == nullptr ? Json(nullptr) : json_number(ci_half_width(*d));
  }
  doc["stopping"] = Json{{"rule", c.target_half_width ? "target_ci" : "fixed"},
                         {"outcome", stop_reason_name(c.stop)},
                         {"replications", c.replications},
                         {"rounds", c.rounds},
                         {"target_half_width", c.target_half_width ? json_number(*c.target_half_width) : Json(nullptr)},
                         {"max_replications", c.max_replications ? Json(*c.max_replications) : Json(nullptr)},
                         {"objective_half_width", std::move(half_widths)}};

  Json ranking = Json::array();
  int rank = 0;
  for (std::size_t k : rank_variants(c)) {
    const VariantOutcome& v = c.variants[k];
    const Summary s = summarize(replicates_of(v.result, metric));
    const Summary* d = delta_of(v, metric);
    ranking.push_back(Json{{"rank", ++rank},
                           {"variant", v.name},
                           {"mean", json_number(s.mean)},
                           {"ci95", interval(s)},
                           {"delta", d == nullptr ? Json(nullptr) : json_number(d->mean)},
                           {"delta_ci95", d == nullptr ? Json(nullptr) : interval(*d)},
                           {"excludes_zero", d != nullptr && interval_excludes_zero(*d)}});
  }
  doc["ranking"] = std::move(ranking);

  Json variants = Json::object();
  const RunResult& baseline = c.variants.front().result;
  for (const VariantOutcome& v : c.variants) {
    Json block = run_report(v.result).document().json;
    block["description"] = v.description;
    Json delta = Json::object();
    for (const auto& [name, s] : v.delta) {
      Json reps = Json::array();
      for (double x : paired_replicates(v.result, baseline, name)) reps.push_back(json_number(x));
      delta[name] = Json{{"mean", json_number(s.mean)},
                         {"sd", s.sd && std::isfinite(s.mean) ? json_number(*s.sd) : Json(nullptr)},
                         {"ci95", interval(s)},
                         {"replicates", std::move(reps)}};
    }
    block["delta"] = std::move(delta);
    variants[v.name] = std::move(block);
  }
  doc["variants"] = std::move(variants);
  return make_report("comparison", std::move(doc));
}

Report read_report(const std::string& path) {
  Json doc = read_ordered_json_file(path, kResultLimits);
  if (!doc.is_object() || !doc.contains("cxsim_version") || !doc["cxsim_version"].is_string()) {
    throw InputError({Diagnostic{Severity::kError, path, "",
                                 "not a cxsim result file: expected a JSON object with \"cxsim_version\" (the file "
                                 "`cxsim run -o`, `cxsim compare -o` and the other commands write)"}});
  }
  // The kind as Report::kind names it: the top-level key of later kinds, "run", "comparison", "unknown".
  static const std::map<ResultKind, const char*> kinds = {{ResultKind::kRun, "run"},
                                                          {ResultKind::kComparison, "comparison"},
                                                          {ResultKind::kSweep, "sweep"},
                                                          {ResultKind::kSensitivity, "sensitivity"},
                                                          {ResultKind::kAttribution, "attribution"},
                                                          {ResultKind::kOptimize, "optimize"},
                                                          {ResultKind::kCalibration, "calibration"},
                                                          {ResultKind::kUnknown, "unknown"}};
  std::string kind = kinds.at(result_kind(doc));
  return make_report(std::move(kind), std::move(doc));
}

Report with_invocation(const Report& report, const Invocation& invocation) {
  Json options = Json::object();
  for (const auto& option : invocation.options) {
    options[option.name] =
        option.repeatable || option.values.size() != 1 ? Json(option.values) : Json(option.values.front());
  }
  const Json block = Json{{"command_line", invocation.command_line}, {"options", std::move(options)}};
  const Json& doc = report.document().json;
  Json out = Json::object();
  if (!doc.contains("cxsim_version")) out["invocation"] = block;
  for (const auto& [key, value] : doc.items()) {
    if (key == "invocation") continue;
    out[key] = value;
    if (key == "cxsim_version") out["invocation"] = block;
  }
  return make_report(report.kind(), std::move(out));
}

void JsonReporter::check() const {
  if (path_ != "-") check_output_path(path_);
}

void JsonReporter::write(const Report& report) {
  if (path_ == "-") {
    std::cout << report.json();
  } else {
    write_output_file(path_, report.json());
  }
}

}  // namespace cxsim
