// Report documents (see report.hpp): what a run or a comparison produced, as the result file of
// ../shared/MODEL.md "Result file", and the JSON reporter that writes it. Every number is a function
// of the results alone, so the same results always give the same bytes.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "cxsim/report.hpp"
#include "cxsim/version.hpp"
#include "io.hpp"
#include "json_input.hpp"
#include "report_document.hpp"

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
std::vector<std::pair<std::string, std::vector<double>>> series_means(const RunResult& r) {
  std::set<std::string> names;
  for (const auto& rep : r.replications) {
    for (const auto& [name, values] : rep.series) names.insert(name);
  }
  std::vector<std::pair<std::string, std::vector<double>>> out;
  const double n = static_cast<double>(r.replications.size());
  for (const auto& name : names) {
    std::vector<double> sum;
    bool first = true;
    for (const auto& rep : r.replications) {
      const auto it = rep.series.find(name);
      if (it == rep.series.end()) throw std::invalid_argument("series '" + name + "' missing in a replication");
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

// One value per replication of `metric`, in replication order (NaN where a replication lacks it).
std::vector<double> replicates_of(const RunResult& r, const std::string& metric) {
  std::vector<double> values;
  values.reserve(r.replications.size());
  for (const auto& rep : r.replications) {
    const auto it = rep.metrics.find(metric);
    values.push_back(it == rep.metrics.end() ? std::nan("") : it->second);
  }
  return values;
}

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

  doc["touchpoints"] = entity_means(result, &ReplicationResult::touchpoints);
  doc["channels"] = entity_means(result, &ReplicationResult::channels);
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
  std::string kind = "unknown";
  if (doc.is_object() && doc.contains("calibration") && doc.contains("options")) {
    kind = "calibration";
  } else if (doc.is_object() && doc.contains("batch") && doc.contains("variants")) {
    kind = "comparison";
  } else if (doc.is_object() && doc.contains("scenario") && doc.contains("metrics")) {
    kind = "run";
  }
  return make_report(std::move(kind), std::move(doc));
}

void JsonReporter::check() const {
  if (path_ != "-") check_output_file(path_);
}

void JsonReporter::write(const Report& report) {
  if (path_ == "-") {
    std::cout << report.json();
  } else {
    write_file_atomic(path_, report.json());
  }
}

}  // namespace cxsim
