// `cxsim attribute`: removal effects of the journey's parts on common random numbers, their shares,
// the interaction left over when all parts of a group are removed at once, and optionally Shapley
// values (exact for small groups, by permutation sampling otherwise). See cxsim/explore.hpp and
// docs/exploration.md.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <random>

#include "cxsim/compare.hpp"
#include "cxsim/explore.hpp"
#include "cxsim/version.hpp"
#include "diagnostic_sink.hpp"
#include "explore_points.hpp"
#include "hash.hpp"
#include "messages.hpp"

namespace cxsim {

namespace {

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxPermutations = 1000;

const json& member(const json& doc, const char* key) {
  static const json empty = json::object();
  return doc.is_object() && doc.contains(key) && doc[key].is_object() ? doc[key] : empty;
}

// Membership of a coalition as text: '1' for each part removed ("0110").
std::string coalition_key(const std::vector<bool>& in) {
  std::string key;
  for (bool b : in) key += b ? '1' : '0';
  return key;
}

std::vector<PointChange> coalition_changes(const AttributionGroupPlan& g, const std::vector<bool>& in) {
  std::vector<PointChange> changes;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i]) changes.insert(changes.end(), g.removals[i].begin(), g.removals[i].end());
  }
  return changes;
}

// The coalitions a group's job runs: each part alone and all together (removal effects and the
// interaction), plus every subset (exact Shapley) or every prefix of the sampled orders.
std::vector<std::vector<bool>> coalitions_needed(const AttributionGroupPlan& g) {
  const std::size_t n = g.ids.size();
  std::vector<std::vector<bool>> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<bool> in(n, false);
    in[i] = true;
    out.push_back(in);
  }
  if (n >= 2) out.emplace_back(n, true);
  if (g.shapley_method == "exact") {
    for (std::uint64_t mask = 1; mask + 1 < (std::uint64_t{1} << n); ++mask) {
      std::vector<bool> in(n);
      for (std::size_t i = 0; i < n; ++i) in[i] = ((mask >> i) & 1u) != 0;
      out.push_back(in);
    }
  } else if (g.shapley_method == "permutations") {
    for (const auto& order : g.permutations) {
      std::vector<bool> in(n, false);
      for (std::size_t k = 0; k + 1 < n; ++k) {
        in[order[k]] = true;
        out.push_back(in);
      }
    }
  }
  return out;
}

// `count` orders of n parts for permutation-sampling Shapley values (Castro, Gomez and Tejada
// 2009), each followed by its reverse (antithetic sampling: Mitchell et al. 2022) while the count
// allows. Fisher-Yates on mt19937_64, whose output the C++ standard fixes, seeded from the
// scenario's seed and the group: the same orders on every machine.
std::vector<std::vector<std::size_t>> sample_orders(std::size_t n, int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::size_t>> out;
  while (static_cast<int>(out.size()) < count) {
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    for (std::size_t i = n; i-- > 1;) std::swap(order[i], order[rng() % (i + 1)]);
    out.push_back(order);
    if (static_cast<int>(out.size()) < count) out.emplace_back(order.rbegin(), order.rend());
  }
  return out;
}

double factorial(std::size_t k) { return k <= 1 ? 1.0 : static_cast<double>(k) * factorial(k - 1); }

// Shapley values of the removal game v(S) = Y(S removed) - Y(base), per replication and metric:
// exact (every subset, with weights |S|! (n - |S| - 1)! / n!) or the mean marginal contribution
// over the sampled orders. Either way the values of a replication sum to v(all parts).
std::vector<std::map<std::string, Summary>> shapley_values(const AttributionGroupPlan& g,
                                                           const std::map<std::string, RunResult>& runs,
                                                           const RunResult& base) {
  const std::size_t n = g.ids.size();
  const std::size_t reps = base.replications.size();
  std::map<std::string, std::vector<std::vector<double>>> phi;  // metric -> part -> replication
  const auto value = [&](const std::vector<bool>& in, const std::string& metric) {
    const bool empty = std::find(in.begin(), in.end(), true) == in.end();
    return empty ? std::vector<double>(reps, 0.0) : paired_replicates(runs.at(coalition_key(in)), base, metric);
  };
  for (const auto& entry : base.replications.front().metrics) {
    const std::string& metric = entry.first;  // a plain reference: clang 14 cannot capture bindings
    auto& out = phi[metric];
    out.assign(n, std::vector<double>(reps, 0.0));
    const auto add_marginal = [&](std::size_t i, std::vector<bool> in, double weight) {
      const std::vector<double> without = value(in, metric);
      in[i] = true;
      const std::vector<double> with = value(in, metric);
      for (std::size_t r = 0; r < reps; ++r) out[i][r] += weight * (with[r] - without[r]);
    };
    if (g.shapley_method == "exact") {
      for (std::size_t i = 0; i < n; ++i) {
        for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << n); ++mask) {
          if (((mask >> i) & 1u) != 0) continue;
          std::vector<bool> in(n);
          std::size_t size = 0;
          for (std::size_t j = 0; j < n; ++j) size += (in[j] = ((mask >> j) & 1u) != 0) ? 1 : 0;
          add_marginal(i, in, factorial(size) * factorial(n - size - 1) / factorial(n));
        }
      }
    } else {
      const double weight = 1.0 / static_cast<double>(g.permutations.size());
      for (const auto& order : g.permutations) {
        std::vector<bool> in(n, false);
        for (std::size_t i : order) {
          add_marginal(i, in, weight);
          in[i] = true;
        }
      }
    }
  }
  std::vector<std::map<std::string, Summary>> out(n);
  for (const auto& [metric, parts] : phi) {
    for (std::size_t i = 0; i < n; ++i) out[i][metric] = summarize(parts[i]);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& attribution_key_metrics() {
  static const std::vector<std::string> names = {"retention", "churned",           "nps", "csat", "tickets_per_period",
                                                 "net_value", "net_value_lifetime"};
  return names;
}

AttributionPlan plan_attribution(const ExploreBase& base, const AttributionOptions& options,
                                 std::vector<Diagnostic>* warnings) {
  DiagnosticSink sink("<command line>");
  if (options.shapley && (options.permutations < 1 || options.permutations > kMaxPermutations)) {
    sink.error("--permutations", fmt::format("--permutations = {}: expected an integer in [1, {}]",
                                             options.permutations, kMaxPermutations));
  }
  sink.throw_if_errors();
  const PointBuilder builder(base, warnings);
  AttributionPlan plan{base, options, {{}, builder.base_scenario()}, {}};
  const json& doc = builder.effective();

  AttributionGroupPlan touchpoints{"touchpoints", {}, {}, "", {}, {}};
  for (const auto& [id, tp] : member(member(doc, "journey"), "touchpoints").items()) {
    if (tp.is_object() && tp.value("exit", false)) continue;
    touchpoints.ids.push_back(id);
    touchpoints.removals.push_back({{child(child("/journey/touchpoints", id), "failure"), "0", false}});
  }
  // A perfect channel: unlimited agents (MODEL.md: unlimited channels never wait) and every answer
  // resolves; a queue kind only a staffed channel may have goes with the agents.
  AttributionGroupPlan channels{"channels", {}, {}, "", {}, {}};
  const json& raw_channels = member(member(builder.document(), "service"), "channels");
  for (const auto& [id, ch] : member(member(doc, "service"), "channels").items()) {
    if (!ch.is_object() || !ch.contains("agents") || ch["agents"].is_null()) continue;
    const std::string at = child("/service/channels", id);
    std::vector<PointChange> removal = {{child(at, "agents"), "null", false}, {child(at, "fcr"), "1", false}};
    if (raw_channels.contains(id) && raw_channels[id].is_object() && raw_channels[id].contains("kind")) {
      removal.push_back({child(at, "kind"), "", true});
    }
    channels.ids.push_back(id);
    channels.removals.push_back(std::move(removal));
  }
  AttributionGroupPlan interventions{"interventions", {}, {}, "", {}, {}};
  for (const auto& [id, iv] : member(doc, "interventions").items()) {
    interventions.ids.push_back(id);
    interventions.removals.push_back({{child("/interventions", id), "", true}});
  }

  std::vector<Diagnostic> errors;
  for (AttributionGroupPlan* g : {&touchpoints, &channels, &interventions}) {
    if (options.shapley && g->ids.size() >= 2) {
      if (g->ids.size() <= kMaxExactShapleyParts) {
        g->shapley_method = "exact";
      } else {
        g->shapley_method = "permutations";
        g->permutations =
            sample_orders(g->ids.size(), options.permutations, builder.base_scenario().seed ^ fnv1a64(g->name));
      }
    } else if (options.shapley && g->ids.size() == 1) {
      g->shapley_method = "exact";  // one part: its removal effect
    }
    for (const std::vector<bool>& in : coalitions_needed(*g)) {
      const std::string key = coalition_key(in);
      if (g->coalitions.count(key) > 0) continue;
      const std::vector<PointChange> changes = coalition_changes(*g, in);
      PointWording wording;
      wording.context = fmt::format("attribution variant ({})", describe_changes(changes));
      wording.label = [context = wording.context](Diagnostic d, const PointChange&) {
        d.message = fmt::format("{}: {}", context, d.message);
        return d;
      };
      if (auto point = builder.build(changes, wording, &errors, warnings))
        g->coalitions.emplace(key, std::move(*point));
    }
    plan.groups.push_back(std::move(*g));
  }
  throw_if_errors(std::move(errors));
  return plan;
}

Attribution run_attribution(const AttributionPlan& plan, const ExploreOptions& options) {
  PointRunner runner(options);
  std::vector<const Scenario*> scenarios = {&plan.base_point.scenario};
  for (const AttributionGroupPlan& g : plan.groups) {
    for (const auto& [key, point] : g.coalitions) scenarios.push_back(&point.scenario);
  }
  runner.plan(scenarios);

  Attribution out;
  out.base = metrics_only(*runner.run(plan.base_point.scenario));
  for (const AttributionGroupPlan& g : plan.groups) {
    std::map<std::string, RunResult> runs;
    for (const auto& [key, point] : g.coalitions) runs.emplace(key, metrics_only(*runner.run(point.scenario)));
    AttributionGroup group;
    group.name = g.name;
    group.shapley_method = g.shapley_method;
    group.shapley_permutations = static_cast<int>(g.permutations.size());
    const std::size_t n = g.ids.size();
    std::map<std::string, double> sum_of_parts;
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<bool> in(n, false);
      in[i] = true;
      AttributionPart part{g.ids[i], g.removals[i], paired_differences(runs.at(coalition_key(in)), out.base), {}, {}};
      for (const auto& [metric, d] : part.delta) sum_of_parts[metric] += d.mean;
      group.parts.push_back(std::move(part));
    }
    for (AttributionPart& part : group.parts) {
      for (const auto& [metric, d] : part.delta) {
        const double total = sum_of_parts[metric];
        part.share[metric] = total != 0.0 && std::isfinite(total) ? d.mean / total : kNaN;
      }
    }
    if (n >= 1) {
      group.joint = paired_differences(runs.at(coalition_key(std::vector<bool>(n, true))), out.base);
      for (const auto& [metric, d] : group.joint) group.interaction[metric] = d.mean - sum_of_parts[metric];
    }
    if (!g.shapley_method.empty()) {
      const auto phi = shapley_values(g, runs, out.base);
      for (std::size_t i = 0; i < n; ++i) group.parts[i].shapley = phi[i];
    }
    out.groups.push_back(std::move(group));
  }
  out.info = explore_info(plan.base, plan.base_point.scenario, options, runner);
  return out;
}

Report attribution_report(const Attribution& a) {
  Json doc = Json::object();
  doc["cxsim_version"] = kVersion;
  const bool shapley =
      std::any_of(a.groups.begin(), a.groups.end(), [](const auto& g) { return !g.shapley_method.empty(); });
  doc["options"] = options_json(a.info, Json{{"shapley", shapley}});
  doc["scenario"] = scenario_json(a.info.run);
  Json metrics = Json::array();
  for (const std::string& m : attribution_key_metrics()) metrics.push_back(m);
  Json attribution = Json{{"metrics", std::move(metrics)}, {"base", metric_summaries(a.base)}};
  Json joint = Json::object(), methods = Json::object();
  for (const AttributionGroup& g : a.groups) {
    Json parts = Json::object();
    for (const AttributionPart& p : g.parts) {
      Json changes = Json::array();
      for (const PointChange& c : p.changes) changes.push_back(describe_changes({c}));
      Json share = Json::object();
      for (const auto& [metric, x] : p.share) share[metric] = json_number(x);
      Json block = Json{{"changes", std::move(changes)}, {"delta", deltas_json(p.delta)}, {"share", std::move(share)}};
      if (!g.shapley_method.empty()) {
        block["shapley"] = deltas_json(p.shapley);
        Json shapley_share = Json::object();
        for (const auto& [metric, s] : p.shapley) {
          const double total = g.joint.count(metric) > 0 ? g.joint.at(metric).mean : kNaN;
          shapley_share[metric] = json_number(total != 0.0 ? s.mean / total : kNaN);
        }
        block["shapley_share"] = std::move(shapley_share);
      }
      parts[p.id] = std::move(block);
    }
    attribution[g.name] = std::move(parts);
    if (g.parts.empty()) continue;
    Json sum = Json::object(), interaction = Json::object();
    for (const auto& [metric, x] : g.interaction) {
      interaction[metric] = json_number(x);
      sum[metric] = json_number(g.joint.at(metric).mean - x);
    }
    joint[g.name] = Json{
        {"delta", deltas_json(g.joint)}, {"sum_of_parts", std::move(sum)}, {"interaction", std::move(interaction)}};
    if (!g.shapley_method.empty()) {
      methods[g.name] = Json{{"method", g.shapley_method}, {"permutations", g.shapley_permutations}};
    }
  }
  attribution["joint"] = std::move(joint);
  if (shapley) attribution["shapley"] = std::move(methods);
  doc["attribution"] = std::move(attribution);
  return make_report("attribution", std::move(doc));
}

}  // namespace cxsim
