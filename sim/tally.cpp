// Tallies of a replication (see tally.hpp).
#include "tally.hpp"

#include "diagnostic_sink.hpp"

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

namespace {

// Calls f(a's field, b's field) for every summed field of two tallies of one model, in a fixed
// order: the one list that merge, words and set_words share, so a new field is named once.
template <typename A, typename B, typename F>
void zip_fields(A& a, B& b, F&& f) {
  f(a.starts, b.starts);
  f(a.touchpoint_revenue, b.touchpoint_revenue);
  f(a.touchpoint_revenue_cohort, b.touchpoint_revenue_cohort);
  f(a.terminal_value, b.terminal_value);
  f(a.terminal_value_cohort, b.terminal_value_cohort);
  f(a.touchpoint_cost, b.touchpoint_cost);
  f(a.contact_cost, b.contact_cost);
  f(a.survey_responses, b.survey_responses);
  f(a.survey_promoters, b.survey_promoters);
  f(a.survey_detractors, b.survey_detractors);
  f(a.cohort_hazard_churns, b.cohort_hazard_churns);
  f(a.cohort_exit_churns, b.cohort_exit_churns);
  f(a.visits, b.visits);
  f(a.failures, b.failures);
  f(a.exits, b.exits);
  f(a.satisfied, b.satisfied);
  f(a.ces_sum, b.ces_sum);
  f(a.first_contacts, b.first_contacts);
  f(a.first_contact_resolved, b.first_contact_resolved);
  f(a.service_resolutions, b.service_resolutions);
  f(a.service_resolution_periods, b.service_resolution_periods);
  for (std::size_t k = 0; k < a.channels.size(); ++k) {
    auto& x = a.channels[k];
    auto& y = b.channels[k];
    f(x.contacts, y.contacts);
    f(x.handled, y.handled);
    f(x.abandoned, y.abandoned);
    f(x.resolved, y.resolved);
    f(x.within_target, y.within_target);
    f(x.pending_end, y.pending_end);
    f(x.handled_wait_minutes, y.handled_wait_minutes);
    f(x.handled_waits, y.handled_waits);
    f(x.contacts_by_period, y.contacts_by_period);
    f(x.abandoned_by_period, y.abandoned_by_period);
    f(x.handled_by_period, y.handled_by_period);
    f(x.within_target_by_period, y.within_target_by_period);
    f(x.wait_by_period, y.wait_by_period);
  }
  for (std::size_t i = 0; i < a.interventions.size(); ++i) {
    auto& x = a.interventions[i];
    auto& y = b.interventions[i];
    f(x.fired, y.fired);
    f(x.waitlisted, y.waitlisted);
    f(x.uses, y.uses);
    f(x.reach, y.reach);
    f(x.issues_closed, y.issues_closed);
    f(x.cost_discounted, y.cost_discounted);
    f(x.uses_by_period, y.uses_by_period);
    f(x.waitlisted_by_period, y.waitlisted_by_period);
  }
  f(a.active_end, b.active_end);
  f(a.cohort_active_end, b.cohort_active_end);
  f(a.open_issues_end, b.open_issues_end);
  f(a.touchpoint_revenue_by_period, b.touchpoint_revenue_by_period);
  f(a.nps_sum, b.nps_sum);
  f(a.referrals_by_period, b.referrals_by_period);
}

using int128 = ExactSum::int128;

// Adds one field of another tally.
struct Add {
  void operator()(std::int64_t& x, const std::int64_t& y) const { x += y; }
  void operator()(ExactSum& x, const ExactSum& y) const { x += y; }
  void operator()(QuantileSketch& x, const QuantileSketch& y) const { x.merge(y); }
  template <typename T>
  void operator()(std::vector<T>& x, const std::vector<T>& y) const {
    for (std::size_t i = 0; i < x.size(); ++i) (*this)(x[i], y[i]);
  }
};

// Appends one field's values as 128-bit integers.
struct Write {
  std::vector<int128>& out;
  void operator()(const std::int64_t& x, const std::int64_t&) const { out.push_back(x); }
  void operator()(const ExactSum& x, const ExactSum&) const { out.push_back(x.fixed); }
  void operator()(const QuantileSketch& x, const QuantileSketch&) const {
    x.for_each_count([this](const std::uint64_t& c) { out.push_back(static_cast<int128>(c)); });
  }
  template <typename T>
  void operator()(const std::vector<T>& x, const std::vector<T>&) const {
    for (const T& v : x) (*this)(v, v);
  }
};

// Reads one field's values back, in Write's order.
struct Read {
  const std::vector<int128>& in;
  std::size_t& at;
  int128 next() const {
    CXSIM_CHECK(at < in.size(), "tally words: fewer words than fields");
    return in[at++];
  }
  void operator()(std::int64_t& x, std::int64_t&) const { x = static_cast<std::int64_t>(next()); }
  void operator()(ExactSum& x, ExactSum&) const { x.fixed = next(); }
  void operator()(QuantileSketch& x, QuantileSketch&) const {
    x.for_each_count([this](std::uint64_t& c) { c = static_cast<std::uint64_t>(next()); });
  }
  template <typename T>
  void operator()(std::vector<T>& x, std::vector<T>&) const {
    for (T& v : x) (*this)(v, v);
  }
};

}  // namespace

void Tally::merge(const Tally& o) { zip_fields(*this, o, Add{}); }

std::vector<ExactSum::int128> Tally::words() const {
  std::vector<int128> out;
  zip_fields(*this, *this, Write{out});
  return out;
}

void Tally::set_words(const std::vector<ExactSum::int128>& in) {
  std::size_t at = 0;
  zip_fields(*this, *this, Read{in, at});
  CXSIM_CHECK(at == in.size(), "tally words: more words than fields");
}

}  // namespace cxsim
