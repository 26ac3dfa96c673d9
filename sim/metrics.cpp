// Every metric and series of a replication, derived from its merged tally (see metrics.hpp). Names
// and meanings follow ../shared/MODEL.md "Result file" and docs/model-notes.md.
#include "metrics.hpp"

#include "service_metrics.hpp"

#include <cmath>

namespace cxsim {

namespace {

double ratio(double num, double den) { return den > 0.0 ? num / den : std::nan(""); }

}  // namespace

double period_revenue(const Model& m, const Tally& tally, int t) {
  double r = 0.0;
  const std::size_t g_count = m.segments.size();
  for (std::size_t g = 0; g < g_count; ++g)
    r +=
        static_cast<double>(tally.starts[static_cast<std::size_t>(t) * g_count + g]) * m.segments[g].revenue_per_period;
  return r + tally.touchpoint_revenue_by_period[t].value();
}

double discounted_revenue(const Model& m, const Tally& tally) {
  double r = 0.0;
  const std::size_t g_count = m.segments.size();
  for (int t = 0; t < m.horizon_periods; ++t) {
    double subscription = 0.0;
    for (std::size_t g = 0; g < g_count; ++g)
      subscription += static_cast<double>(tally.starts[static_cast<std::size_t>(t) * g_count + g]) *
                      m.segments[g].revenue_per_period;
    r += subscription * m.discount[t];
  }
  return r + tally.touchpoint_revenue.value();
}

ReplicationResult replication_result(const Model& m, const Tally& t, const std::vector<ChannelPeriods>& cs) {
  ReplicationResult r;
  const int horizon = m.horizon_periods;
  const double n = m.customers;
  auto& metrics = r.metrics;

  const double active_end = static_cast<double>(t.active_end[horizon - 1]);
  metrics["nps"] = 100.0 * ratio(t.nps_sum[horizon - 1].value(), active_end);
  metrics["survey_nps"] = 100.0 * ratio(static_cast<double>(t.survey_promoters - t.survey_detractors),
                                        static_cast<double>(t.survey_responses));
  metrics["survey_responses"] = static_cast<double>(t.survey_responses);
  metrics["retention"] = active_end / n;
  metrics["churned"] = 1.0 - active_end / n;
  metrics["exit_churned"] = t.exit_churns / n;
  metrics["hazard_churned"] = t.hazard_churns / n;
  const double revenue = discounted_revenue(m, t);
  metrics["revenue"] = revenue;
  metrics["clv"] = revenue / n;
  double agent_cost = 0.0;
  for (const ChannelPeriods& c : cs) agent_cost += c.agent_cost_discounted;
  const double service_cost = agent_cost + t.contact_cost.value();
  metrics["service_cost"] = service_cost;
  double intervention_cost = 0.0;
  for (const InterventionTally& it : t.interventions) intervention_cost += it.cost_discounted.value();
  metrics["intervention_cost"] = intervention_cost;
  metrics["touchpoint_cost"] = t.touchpoint_cost.value();
  metrics["net_value"] = revenue - service_cost - intervention_cost - t.touchpoint_cost.value();
  metrics["referrals"] = t.referrals.value();
  metrics["referral_value"] = t.referrals.value() * revenue / n;

  service_metrics(m, t, cs, r);

  // Series.
  auto& series = r.series;
  std::vector<double> active(horizon), retention(horizon), rev(horizon), issues(horizon);
  for (int p = 0; p < horizon; ++p) {
    active[p] = static_cast<double>(t.active_end[p]);
    retention[p] = active[p] / n;
    rev[p] = period_revenue(m, t, p);
    issues[p] = static_cast<double>(t.open_issues_end[p]);
  }
  series["active"] = std::move(active);
  series["retention"] = std::move(retention);
  series["revenue"] = std::move(rev);
  series["open_issues"] = std::move(issues);
  std::vector<double> nps;
  for (int p : m.nps_periods) nps.push_back(100.0 * ratio(t.nps_sum[p].value(), static_cast<double>(t.active_end[p])));
  series["nps"] = std::move(nps);

  for (std::size_t v = 0; v < m.touchpoints.size(); ++v) {
    auto& counts = r.touchpoints[m.touchpoint_ids[v]].values;
    counts["visits"] = static_cast<double>(t.visits[v]);
    counts["failures"] = static_cast<double>(t.failures[v]);
    counts["exits"] = static_cast<double>(t.exits[v]);
  }
  const InterventionIndex& ix = m.interventions;
  for (std::size_t i = 0; i < ix.items.size(); ++i) {
    const InterventionTally& it = t.interventions[i];
    const std::string& id = ix.ids[i];
    auto& counts = r.interventions[id].values;
    counts["uses"] = static_cast<double>(it.uses);
    counts["reach"] = static_cast<double>(it.reach);
    counts["cost"] = static_cast<double>(it.uses) * ix.items[i].cost_per_use;
    counts["fired"] = static_cast<double>(it.fired);
    counts["issues_closed"] = static_cast<double>(it.issues_closed);
    std::vector<double> uses(horizon);
    for (int p = 0; p < horizon; ++p) uses[p] = static_cast<double>(it.uses_by_period[p]);
    series["uses." + id] = std::move(uses);
    if (ix.items[i].limited()) {
      counts["waitlisted"] = static_cast<double>(it.waitlisted);
      std::vector<double> listed(horizon);
      for (int p = 0; p < horizon; ++p) listed[p] = static_cast<double>(it.waitlisted_by_period[p]);
      series["waitlist." + id] = std::move(listed);
    }
  }
  return r;
}

}  // namespace cxsim
