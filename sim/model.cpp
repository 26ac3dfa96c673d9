#include "model.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "diagnostic_sink.hpp"

namespace cxsim {

CumulativeTable CumulativeTable::build(const std::vector<double>& weights) {
  const std::size_t n = weights.size();
  CXSIM_CHECK(n > 0, "a categorical draw needs at least one outcome");
  double total = 0.0;
  for (double w : weights) total += w;
  CXSIM_CHECK(total > 0.0 && std::isfinite(total), "categorical weights must have a positive sum");
  CumulativeTable t;
  t.cumulative.resize(n);
  double running = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    running += weights[i];
    t.cumulative[i] = running / total;
    if (weights[i] > 0.0) t.last = static_cast<std::uint32_t>(i);
  }
  return t;
}

PeriodTable PeriodTable::compile(const Schedule& schedule, int first_period, int count) {
  PeriodTable table;
  table.constant = schedule.default_value;
  if (schedule.constant()) return table;
  table.by_period.resize(static_cast<std::size_t>(count));
  for (int t = 0; t < count; ++t) table.by_period[static_cast<std::size_t>(t)] = schedule.at(first_period + t);
  return table;
}

int ChannelModel::servers(int t, int i) const {
  if (unlimited) return 0;
  const double c = std::floor(agents_at(t)) * (1.0 - shrinkage) * concurrency * staffing_share[i];
  return static_cast<int>(std::floor(c + 0.5 + 1e-9));
}

std::uint64_t Model::max_customers() const {
  constexpr double kIds = 4294967295.0;
  double bound = customers;
  for (int t = 0; t < periods(); ++t) {
    // Referrals of period t join in t + 1: at most max_referral_rate per customer held in t.
    if (referrals_join && t > 0) bound += std::ceil(bound * max_referral_rate);
    if (!joiners.empty()) bound += joiners[static_cast<std::size_t>(t)];
    if (bound >= kIds) return static_cast<std::uint64_t>(kIds);
  }
  return static_cast<std::uint64_t>(bound);
}

std::uint32_t Model::next_touchpoint(std::uint32_t v, double u) const {
  const TouchpointModel& tp = touchpoints[v];
  const std::uint32_t k =
      CumulativeTable::pick_in(edge_cumulative.data() + tp.edge_begin, tp.edge_end - tp.edge_begin, tp.last_edge, u);
  return edge_target[tp.edge_begin + k];
}

namespace {

template <typename T>
std::unordered_map<std::string, std::uint32_t> index_of(const std::vector<T>& items) {
  std::unordered_map<std::string, std::uint32_t> idx;
  for (std::size_t i = 0; i < items.size(); ++i) idx.emplace(items[i].id, static_cast<std::uint32_t>(i));
  return idx;
}

CumulativeTable cumulative_over(const WeightedIds& ids, const std::unordered_map<std::string, std::uint32_t>& idx,
                                std::vector<std::uint32_t>* values, std::size_t n_all) {
  // Weights over all n_all outcomes (value order = model index order), or over the listed ids.
  std::vector<double> w;
  if (values) {
    for (const auto& [id, share] : ids) {
      values->push_back(idx.at(id));
      w.push_back(share);
    }
  } else {
    w.assign(n_all, 0.0);
    for (const auto& [id, share] : ids) w[idx.at(id)] += share;
  }
  return CumulativeTable::build(w);
}

EntryPick entry_pick(const WeightedIds& entry, const std::unordered_map<std::string, std::uint32_t>& tp_index) {
  EntryPick e;
  e.pick = cumulative_over(entry, tp_index, &e.touchpoints, 0);
  return e;
}

// Joiners per run period index: floor(A(t + 1)) - floor(A(t)), A the cumulative scheduled amount
// from the first warm-up period. Summed in long double and floored with a small tolerance, so an
// amount like 0.1 per period gives exactly one joiner every tenth period.
std::vector<std::uint32_t> scheduled_joiners(const Schedule& amount, int first_period, int count,
                                             const std::string& file) {
  std::vector<std::uint32_t> out(static_cast<std::size_t>(count), 0);
  long double cumulative = 0.0L;
  std::uint64_t floor_before = 0;
  for (int t = 0; t < count; ++t) {
    cumulative += static_cast<long double>(amount.at(first_period + t));
    const auto floor_after = static_cast<std::uint64_t>(std::floor(cumulative + 1e-9L));
    if (floor_after > 4294967295ull) {
      throw InputError({{Severity::kError, file, "/population/acquisition",
                         "the scheduled acquisition adds more than 4294967295 customers over the run; cxsim's "
                         "customer ids are 32-bit"}});
    }
    out[static_cast<std::size_t>(t)] = static_cast<std::uint32_t>(floor_after - floor_before);
    floor_before = floor_after;
  }
  return out;
}

}  // namespace

Model compile_model(const Scenario& s) {
  CXSIM_CHECK(!s.segments.empty() && !s.journey.touchpoints.empty(), "scenario was not validated");
  Model m;
  m.file = s.file;
  m.seed = s.seed;
  m.horizon_periods = s.horizon_periods;
  m.warmup_periods = s.warmup_periods;
  m.replications = s.replications;
  m.customers = static_cast<std::uint32_t>(s.population.customers);
  m.period_days = s.period_days;
  m.gross_margin = s.economics.gross_margin;
  const int warmup = s.warmup_periods, periods = m.periods();
  // Schedules cover every period of the run and the first one after it (the terminal value's).
  const auto table = [warmup, periods](const Schedule& schedule) {
    return PeriodTable::compile(schedule, -warmup, periods + 1);
  };
  const double d = std::pow(1.0 + s.economics.annual_discount_rate, -s.period_days / 365.0);
  m.discount_factor = d;
  m.discount.assign(static_cast<std::size_t>(periods), 0.0);
  m.nps_due.assign(static_cast<std::size_t>(periods), 0);
  for (int t = 0; t < s.horizon_periods; ++t) {
    m.discount[static_cast<std::size_t>(warmup + t)] = std::pow(d, t);
    if ((t + 1) % s.nps.report_every == 0 || t == s.horizon_periods - 1) {
      m.nps_due[static_cast<std::size_t>(warmup + t)] = 1;
      m.nps_periods.push_back(t);
    }
  }

  if (s.journey.touchpoints.size() > 65535) {
    throw InputError(
        {{Severity::kError, s.file, "/journey/touchpoints",
          "found " + std::to_string(s.journey.touchpoints.size()) + " touchpoints; cxsim supports at most 65535"}});
  }
  const auto tp_index = index_of(s.journey.touchpoints);
  const auto ch_index = index_of(s.service.channels);

  for (const Touchpoint& tp : s.journey.touchpoints) {
    TouchpointModel t;
    static_cast<Touchpoint&>(t) = tp;
    t.failure_at = table(tp.failure);
    t.edge_begin = static_cast<std::uint32_t>(m.edge_target.size());
    std::vector<double> w;
    for (const auto& [target, weight] : tp.next) {
      m.edge_target.push_back(tp_index.at(target));
      w.push_back(weight);
    }
    t.edge_end = static_cast<std::uint32_t>(m.edge_target.size());
    CXSIM_CHECK(tp.exit || !w.empty(), "non-exit touchpoint without out-edges passed validation");
    if (!w.empty()) {
      const CumulativeTable row = CumulativeTable::build(w);
      m.edge_cumulative.insert(m.edge_cumulative.end(), row.cumulative.begin(), row.cumulative.end());
      t.last_edge = row.last;
    }
    m.touchpoints.push_back(std::move(t));
    m.touchpoint_ids.push_back(tp.id);
  }

  std::vector<double> segment_shares;
  for (const Segment& g : s.segments) {
    SegmentModel sm;
    static_cast<Segment&>(sm) = g;
    sm.entry = entry_pick(g.entry.empty() ? s.journey.entry : g.entry, tp_index);
    sm.contact_propensity_at = table(g.contact_propensity);
    sm.revenue_at = table(g.revenue_per_period);
    sm.bias_if_worse[1] = g.negativity_bias;
    m.max_referral_rate = std::max(m.max_referral_rate, g.referral_rate);
    if (!s.service.channels.empty()) {
      if (g.channel_mix.empty()) {
        WeightedIds shares;
        for (const Channel& c : s.service.channels) shares.emplace_back(c.id, c.share);
        sm.channel_pick = cumulative_over(shares, ch_index, nullptr, s.service.channels.size());
      } else {
        sm.channel_pick = cumulative_over(g.channel_mix, ch_index, nullptr, s.service.channels.size());
      }
    }
    segment_shares.push_back(g.share);
    m.segments.push_back(std::move(sm));
    m.segment_ids.push_back(g.id);
  }
  CXSIM_CHECK(m.segments.size() <= 255, "at most 255 segments are supported");
  m.segment_pick = CumulativeTable::build(segment_shares);

  // Joiners: the acquisition's segment mix (default: the segments' shares) and start (default: the
  // journey's entry, as MODEL.md says; a segment's own entry places the initial base only).
  m.referrals_join = s.population.referrals_join;
  m.joiner_segment_pick = m.segment_pick;
  m.joiner_entry = entry_pick(s.journey.entry, tp_index);
  if (const auto& a = s.population.acquisition) {
    const auto seg_index = index_of(s.segments);
    if (!a->segments.empty()) m.joiner_segment_pick = cumulative_over(a->segments, seg_index, nullptr, s.segments.size());
    if (!a->entry.empty()) m.joiner_entry = entry_pick(a->entry, tp_index);
    m.joiners = scheduled_joiners(a->per_period, -warmup, periods, s.file);
    for (std::uint32_t n : m.joiners) m.scheduled_joiners += n;
    if (m.scheduled_joiners + m.customers > 4294967295ull) {
      throw InputError({{Severity::kError, s.file, "/population/acquisition",
                         "the initial customers and the scheduled joiners add up to more than 4294967295; cxsim's "
                         "customer ids are 32-bit"}});
    }
  }

  for (const Channel& c : s.service.channels) {
    ChannelModel cm;
    static_cast<Channel&>(cm) = c;
    cm.unlimited = !c.agents.has_value();
    if (!cm.unlimited) cm.agents_at = table(*c.agents);
    cm.aht_at = table(c.aht_minutes);
    // K comes from arrival_profile, or from intraday_staffing when only it is given (the loader
    // checked that both have the same length when both have more than one weight).
    const std::vector<double> flat(std::max(c.arrival_profile.size(), c.intraday_staffing.size()), 1.0);
    const std::vector<double>& arrivals = c.arrival_profile.size() == flat.size() ? c.arrival_profile : flat;
    cm.intervals = static_cast<int>(flat.size());
    cm.interval_minutes = c.hours_per_period * 60.0 / cm.intervals;
    cm.around_the_clock = std::abs(c.hours_per_period - 24.0 * s.period_days) < 1e-9;
    cm.interval_pick = CumulativeTable::build(arrivals);
    double arrival_total = 0.0, staffing_total = 0.0;
    for (double w : arrivals) arrival_total += w;
    for (double w : c.intraday_staffing) staffing_total += w;
    for (int i = 0; i < cm.intervals; ++i) {
      cm.arrival_share.push_back(arrivals[i] / arrival_total);
      cm.staffing_share.push_back(c.intraday_staffing.empty() ? 1.0
                                                              : c.intraday_staffing[i] * cm.intervals / staffing_total);
    }
    if (cm.backlog()) {
      cm.capacity_before.assign(1, 0.0);
      for (int t = 0; t < periods; ++t) {
        for (int i = 0; i < cm.intervals; ++i) {
          cm.capacity_before.push_back(cm.capacity_before.back() +
                                       cm.servers(t, i) * cm.interval_minutes / cm.aht_at(t));
        }
      }
    }
    m.channels.push_back(std::move(cm));
    m.channel_ids.push_back(c.id);
  }
  CXSIM_CHECK(m.channels.size() <= 255, "at most 255 channels are supported");
  m.service = s.service;
  m.service.channels.clear();  // compiled into m.channels
  m.churn = s.churn;
  m.nps = s.nps;

  m.interventions = compile_interventions(s, m.touchpoint_ids, m.segment_ids);
  return m;
}

}  // namespace cxsim
