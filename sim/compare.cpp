// Paired comparison of strategy variants with sequential stopping (see compare.hpp).
#include "cxsim/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <tuple>

#include "cxsim/runner.hpp"
#include "diagnostic_sink.hpp"
#include "run_model.hpp"

namespace cxsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double metric_of(const ReplicationResult& rep, const std::string& name) {
  const auto it = rep.metrics.find(name);
  return it == rep.metrics.end() ? kNaN : it->second;
}

// The widest objective half-width over the variants other than the baseline (index 0); an
// undefined one counts as infinitely wide.
std::pair<double, std::string> worst_half_width(const Comparison& c) {
  double worst = 0.0;
  std::string who;
  for (std::size_t k = 1; k < c.variants.size(); ++k) {
    const auto it = c.variants[k].delta.find(c.objective.metric);
    const double h = it == c.variants[k].delta.end() ? kNaN : ci_half_width(it->second);
    if (std::isnan(h)) return {kNaN, c.variants[k].name};
    if (who.empty() || h > worst) {
      worst = h;
      who = c.variants[k].name;
    }
  }
  return {worst, who};
}

// Replications after the next round: n (h / target)^2, at least n + 1, at most 2 n and the cap.
int next_replication_count(int n, double half_width, double target, int cap) {
  double aim = 2.0 * n;
  if (std::isfinite(half_width)) aim = std::ceil(n * (half_width / target) * (half_width / target));
  const double bounded = std::clamp(aim, n + 1.0, 2.0 * n);
  return static_cast<int>(std::min<double>(bounded, cap));
}

}  // namespace

std::map<std::string, Summary> paired_differences(const RunResult& variant, const RunResult& baseline) {
  CXSIM_CHECK(variant.replications.size() == baseline.replications.size(),
              "paired differences need the same replications in both runs");
  CXSIM_CHECK(!variant.replications.empty(), "paired differences need at least one replication");
  std::set<std::string> names;
  for (const RunResult* r : {&variant, &baseline}) {
    for (const auto& rep : r->replications) {
      for (const auto& [name, value] : rep.metrics) names.insert(name);
    }
  }
  std::map<std::string, Summary> out;
  for (const std::string& name : names) out.emplace(name, summarize(paired_replicates(variant, baseline, name)));
  return out;
}

std::vector<double> paired_replicates(const RunResult& variant, const RunResult& baseline, const std::string& metric) {
  CXSIM_CHECK(variant.replications.size() == baseline.replications.size(),
              "paired differences need the same replications in both runs");
  std::vector<double> differences(variant.replications.size());
  for (std::size_t r = 0; r < differences.size(); ++r) {
    differences[r] = metric_of(variant.replications[r], metric) - metric_of(baseline.replications[r], metric);
  }
  return differences;
}

double ci_half_width(const Summary& s) {
  if (!s.ci95 || !std::isfinite(s.mean)) return kNaN;
  return 0.5 * (s.ci95->second - s.ci95->first);
}

bool interval_excludes_zero(const Summary& s) {
  if (!s.ci95 || !std::isfinite(s.mean)) return false;
  return s.ci95->first > 0.0 || s.ci95->second < 0.0;
}

const char* stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::kFixed:
      return "fixed";
    case StopReason::kTargetReached:
      return "target_reached";
    case StopReason::kMaxReplications:
      return "max_replications";
  }
  return "unknown";
}

Comparison run_comparison(const Batch& batch, const CompareOptions& options) {
  CXSIM_CHECK(batch.variants.size() >= 2 && batch.variants.front().name == "baseline",
              "a batch holds the baseline first and at least one variant");
  const int first_count = batch.variants.front().scenario.replications;
  for (const Variant& v : batch.variants) {
    CXSIM_CHECK(v.scenario.replications == first_count && v.scenario.seed == batch.variants.front().scenario.seed,
                "variants share the baseline's seed and replications");
  }

  Comparison c;
  c.batch_name = batch.name;
  c.batch_description = batch.description;
  c.batch_file = batch.file;
  c.base_file = batch.base_file;
  c.objective = batch.objective;
  c.target_half_width = options.target_half_width;
  int cap = first_count;
  if (options.target_half_width) {
    DiagnosticSink sink("<command line>");
    const double target = *options.target_half_width;
    if (!(target > 0.0) || !std::isfinite(target)) {
      sink.error("--target-ci", fmt::format("--target-ci = {}: expected a positive half-width in the units of the "
                                            "objective ({})",
                                            target, batch.objective.metric));
    }
    if (options.max_replications < first_count || options.max_replications > kMaxReplicationCount) {
      sink.error("--max-replications",
                 fmt::format("--max-replications = {}: expected an integer in [{}, {}] (at least the {} "
                             "replications of the first round)",
                             options.max_replications, first_count, kMaxReplicationCount, first_count));
    }
    sink.throw_if_errors();
    cap = options.max_replications;
    c.max_replications = cap;
  }
  std::vector<Model> models;
  for (const Variant& v : batch.variants) {
    models.push_back(compile_model(v.scenario));
    check_memory(v.scenario.file, models.back(), options.threads);
  }

  for (const Variant& v : batch.variants) c.variants.push_back({v.name, v.description, {}, {}});
  int done = 0;
  int target_count = first_count;
  while (true) {
    ++c.rounds;
    const int count = target_count - done;
    for (std::size_t k = 0; k < batch.variants.size(); ++k) {
      RunOptions run;
      run.threads = options.threads;
      run.first_replication = done;
      run.replication_count = count;
      run.cancel = options.cancel;
      if (options.progress) {
        const double variants = static_cast<double>(batch.variants.size());
        run.progress = [&options, k, variants](double f) { options.progress((k + f) / variants); };
      }
      RunResult part = run_model(models[k], run_info(batch.variants[k].scenario), run);
      RunResult& whole = c.variants[k].result;
      if (done == 0) {
        whole = std::move(part);
      } else {
        for (auto& rep : part.replications) whole.replications.push_back(std::move(rep));
        whole.info.replications = static_cast<int>(whole.replications.size());
      }
    }
    done = target_count;
    for (VariantOutcome& v : c.variants) v.delta = paired_differences(v.result, c.variants.front().result);

    RoundReport report;
    report.round = c.rounds;
    report.replications = done;
    std::tie(report.worst_half_width, report.worst_variant) = worst_half_width(c);
    if (!options.target_half_width) {
      c.stop = StopReason::kFixed;
    } else if (report.worst_half_width <= *options.target_half_width) {  // false for NaN (undefined)
      c.stop = StopReason::kTargetReached;
    } else if (done >= cap) {
      c.stop = StopReason::kMaxReplications;
    } else {
      report.next_replications = next_replication_count(done, report.worst_half_width, *options.target_half_width, cap);
    }
    if (options.on_round) options.on_round(report);
    if (report.next_replications == 0) break;
    target_count = report.next_replications;
  }
  c.replications = done;
  return c;
}

std::vector<std::size_t> rank_variants(const Comparison& comparison) {
  const std::string& metric = comparison.objective.metric;
  const bool maximize = comparison.objective.direction == Direction::kMaximize;
  std::vector<double> score;
  for (const VariantOutcome& v : comparison.variants) {
    std::vector<double> values;
    for (const auto& rep : v.result.replications) values.push_back(metric_of(rep, metric));
    const double mean = values.empty() ? kNaN : summarize(values).mean;  // the mean the reports show
    score.push_back(maximize ? mean : -mean);
  }
  std::vector<std::size_t> order(comparison.variants.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (std::isnan(score[a]) || std::isnan(score[b])) return !std::isnan(score[a]) && std::isnan(score[b]);
    return score[a] > score[b];
  });
  return order;
}

}  // namespace cxsim
