// Every metric and series of a replication, derived from its merged tally (see metrics.hpp). Names
// and meanings follow ../shared/MODEL.md "Result file" and docs/model-notes.md.
#include "metrics.hpp"

#include "service_metrics.hpp"

#include <cmath>

namespace cxsim {

namespace {

double ratio(double num, double den) { return den > 0.0 ? num / den : std::nan(""); }

}  // namespace

double period_revenue(const Model& m, const Tally& tally, int p) {
  double r = 0.0;
  const std::size_t g_count = m.segments.size();
  const int t = tally.first + p;
  for (std::size_t g = 0; g < g_count; ++g) {
    const double starts = static_cast<double>(tally.starts[tally.start_index(t, g_count, g, false)] +
                                              tally.starts[tally.start_index(t, g_count, g, true)]);
    r += starts * m.segments[g].revenue_at(t);
  }
  return r + tally.touchpoint_revenue_by_period[static_cast<std::size_t>(p)].value();
}

double discounted_revenue(const Model& m, const Tally& tally, bool cohort_only) {
  double r = 0.0;
  const std::size_t g_count = m.segments.size();
  const int periods = static_cast<int>(tally.active_end.size());
  for (int p = 0; p < periods; ++p) {
    const int t = tally.first + p;
    double subscription = 0.0;
    for (std::size_t g = 0; g < g_count; ++g) {
      std::int64_t starts = tally.starts[tally.start_index(t, g_count, g, true)];
      if (!cohort_only) starts += tally.starts[tally.start_index(t, g_count, g, false)];
      subscription += static_cast<double>(starts) * m.segments[g].revenue_at(t);
    }
    r += subscription * m.discount[static_cast<std::size_t>(t)];
  }
  return r + (cohort_only ? tally.touchpoint_revenue_cohort : tally.touchpoint_revenue).value();
}

ReplicationResult replication_result(const Model& m, const Tally& t, const std::vector<ChannelPeriods>& cs,
                                     const BasePeriods& base) {
  ReplicationResult r;
  const int horizon = m.horizon_periods;
  const double n = base.cohort;  // the measured base: retention, churn and CLV are per cohort customer
  auto& metrics = r.metrics;

  const double active_end = static_cast<double>(t.active_end[horizon - 1]);
  const double cohort_end = static_cast<double>(t.cohort_active_end[horizon - 1]);
  metrics["nps"] = 100.0 * ratio(t.nps_sum[horizon - 1].value(), active_end);
  metrics["survey_nps"] = 100.0 * ratio(static_cast<double>(t.survey_promoters - t.survey_detractors),
                                        static_cast<double>(t.survey_responses));
  metrics["survey_responses"] = static_cast<double>(t.survey_responses);
  metrics["retention"] = ratio(cohort_end, n);
  metrics["churned"] = 1.0 - ratio(cohort_end, n);
  metrics["exit_churned"] = ratio(static_cast<double>(t.cohort_exit_churns), n);
  metrics["hazard_churned"] = ratio(static_cast<double>(t.cohort_hazard_churns), n);
  metrics["customers_start"] = n;
  metrics["customers_end"] = active_end;
  double joined = 0.0, joined_weight = 0.0;  // joiners, and joiners weighted by d^t of their period
  for (int p = 0; p < horizon; ++p) {
    joined += base.joined[static_cast<std::size_t>(p)];
    joined_weight += base.joined[static_cast<std::size_t>(p)] * m.discount[static_cast<std::size_t>(t.first + p)];
  }
  metrics["joined"] = joined;

  // Money within the horizon (discounted to period 0): revenue and costs over everyone, CLV per
  // cohort customer.
  const double revenue = discounted_revenue(m, t);
  const double cohort_revenue = discounted_revenue(m, t, /*cohort_only=*/true);
  metrics["revenue"] = revenue;
  metrics["clv"] = ratio(cohort_revenue, n);
  double agent_cost = 0.0;
  for (const ChannelPeriods& c : cs) agent_cost += c.agent_cost_discounted;
  const double service_cost = agent_cost + t.contact_cost.value();
  metrics["service_cost"] = service_cost;
  double intervention_cost = 0.0;
  for (const InterventionTally& it : t.interventions) intervention_cost += it.cost_discounted.value();
  metrics["intervention_cost"] = intervention_cost;
  metrics["touchpoint_cost"] = t.touchpoint_cost.value();
  const double costs = service_cost + intervention_cost + t.touchpoint_cost.value();
  metrics["net_value"] = revenue - costs;
  ExactSum referrals;
  for (const ExactSum& x : t.referrals_by_period) referrals += x;
  metrics["referrals"] = referrals.value();
  metrics["referral_value"] = ratio(referrals.value() * cohort_revenue, n);

  // Beyond the horizon (MODEL.md "Value beyond the horizon"): margin, and the terminal value of the
  // customers active at the horizon; not defined without discounting (the loader warns).
  const double margin = revenue * m.gross_margin;
  const double cohort_margin = cohort_revenue * m.gross_margin;
  const bool lifetime = m.discount_factor < 1.0;
  const double terminal = lifetime ? t.terminal_value.value() : std::nan("");
  const double cohort_terminal = lifetime ? t.terminal_value_cohort.value() : std::nan("");
  metrics["margin"] = margin;
  metrics["terminal_value"] = terminal;
  metrics["clv_lifetime"] = ratio(cohort_margin + cohort_terminal, n);
  metrics["net_value_lifetime"] = margin + terminal - costs;
  // A joiner's lifetime value at the moment it joins, averaged over the horizon's joiners with weight
  // d^t of the period t it joined: (their margin + terminal value, discounted to period 0) / sum d^t.
  metrics["clv_joiners"] = ratio(margin - cohort_margin + terminal - cohort_terminal, joined_weight);

  service_metrics(m, t, cs, r);

  // Series.
  auto& series = r.series;
  std::vector<double> active(horizon), retention(horizon), rev(horizon), issues(horizon);
  for (int p = 0; p < horizon; ++p) {
    active[p] = static_cast<double>(t.active_end[p]);
    retention[p] = ratio(static_cast<double>(t.cohort_active_end[p]), n);
    rev[p] = period_revenue(m, t, p);
    issues[p] = static_cast<double>(t.open_issues_end[p]);
  }
  series["active"] = std::move(active);
  series["joined"] = base.joined;
  std::vector<double> referred(horizon);
  for (int p = 0; p < horizon; ++p) referred[p] = t.referrals_by_period[static_cast<std::size_t>(p)].value();
  series["referrals"] = std::move(referred);
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
