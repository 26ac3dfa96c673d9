// Tallies of a replication (see tally.hpp).
#include "tally.hpp"

namespace cxsim {

Tally::Tally(const Model& m) : Tally(m, m.warmup_periods, m.horizon_periods) {}

Tally::Tally(const Model& m, int first_period, int periods)
    : first(first_period),
      starts(static_cast<std::size_t>(periods) * m.segments.size() * 2, 0),
      visits(m.touchpoints.size(), 0),
      failures(m.touchpoints.size(), 0),
      exits(m.touchpoints.size(), 0),
      channels(m.channels.size()),
      interventions(m.interventions.items.size()),
      active_end(static_cast<std::size_t>(periods), 0),
      cohort_active_end(static_cast<std::size_t>(periods), 0),
      open_issues_end(static_cast<std::size_t>(periods), 0),
      touchpoint_revenue_by_period(static_cast<std::size_t>(periods)),
      nps_sum(static_cast<std::size_t>(periods)),
      referrals_by_period(static_cast<std::size_t>(periods)) {
  const auto n = static_cast<std::size_t>(periods);
  for (std::size_t k = 0; k < channels.size(); ++k) {
    ChannelTally& c = channels[k];
    c.contacts_by_period.assign(n, 0);
    c.abandoned_by_period.assign(n, 0);
    c.handled_by_period.assign(n, 0);
    c.within_target_by_period.assign(n, 0);
    c.wait_by_period.assign(n, ExactSum{});
    c.period_interval_contacts.assign(m.channels[k].intervals, 0);
    c.period_segment_contacts.assign(m.segments.size(), 0);
  }
  for (InterventionTally& it : interventions) {
    it.uses_by_period.assign(n, 0);
    it.waitlisted_by_period.assign(n, 0);
  }
}

template <typename T>
static void add_all(std::vector<T>& into, const std::vector<T>& from) {
  for (std::size_t i = 0; i < into.size(); ++i) into[i] += from[i];
}

void Tally::merge(const Tally& o) {
  add_all(starts, o.starts);
  touchpoint_revenue += o.touchpoint_revenue;
  touchpoint_revenue_cohort += o.touchpoint_revenue_cohort;
  terminal_value += o.terminal_value;
  terminal_value_cohort += o.terminal_value_cohort;
  touchpoint_cost += o.touchpoint_cost;
  contact_cost += o.contact_cost;
  survey_responses += o.survey_responses;
  survey_promoters += o.survey_promoters;
  survey_detractors += o.survey_detractors;
  cohort_hazard_churns += o.cohort_hazard_churns;
  cohort_exit_churns += o.cohort_exit_churns;
  add_all(visits, o.visits);
  add_all(failures, o.failures);
  add_all(exits, o.exits);
  satisfied += o.satisfied;
  ces_sum += o.ces_sum;
  first_contacts += o.first_contacts;
  first_contact_resolved += o.first_contact_resolved;
  service_resolutions += o.service_resolutions;
  service_resolution_periods += o.service_resolution_periods;
  for (std::size_t k = 0; k < channels.size(); ++k) {
    ChannelTally& a = channels[k];
    const ChannelTally& b = o.channels[k];
    a.contacts += b.contacts;
    a.handled += b.handled;
    a.abandoned += b.abandoned;
    a.resolved += b.resolved;
    a.within_target += b.within_target;
    a.pending_end += b.pending_end;
    a.handled_wait_minutes += b.handled_wait_minutes;
    a.handled_waits.merge(b.handled_waits);
    add_all(a.contacts_by_period, b.contacts_by_period);
    add_all(a.abandoned_by_period, b.abandoned_by_period);
    add_all(a.handled_by_period, b.handled_by_period);
    add_all(a.within_target_by_period, b.within_target_by_period);
    add_all(a.wait_by_period, b.wait_by_period);
  }
  for (std::size_t i = 0; i < interventions.size(); ++i) {
    InterventionTally& a = interventions[i];
    const InterventionTally& b = o.interventions[i];
    a.fired += b.fired;
    a.waitlisted += b.waitlisted;
    a.uses += b.uses;
    a.reach += b.reach;
    a.issues_closed += b.issues_closed;
    a.cost_discounted += b.cost_discounted;
    add_all(a.uses_by_period, b.uses_by_period);
    add_all(a.waitlisted_by_period, b.waitlisted_by_period);
  }
  add_all(active_end, o.active_end);
  add_all(cohort_active_end, o.cohort_active_end);
  add_all(open_issues_end, o.open_issues_end);
  add_all(touchpoint_revenue_by_period, o.touchpoint_revenue_by_period);
  add_all(nps_sum, o.nps_sum);
  add_all(referrals_by_period, o.referrals_by_period);
}

}  // namespace cxsim
