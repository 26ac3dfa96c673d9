#include "model.hpp"

#include <cmath>
#include <unordered_map>

#include "diagnostic_sink.hpp"

namespace cxsim {

AliasTable AliasTable::build(const std::vector<double>& weights) {
  // Vose's alias method: columns whose scaled weight is below 1 are topped up by one large column.
  const std::size_t n = weights.size();
  CXSIM_CHECK(n > 0, "alias table needs at least one outcome");
  double total = 0.0;
  for (double w : weights) total += w;
  CXSIM_CHECK(total > 0.0 && std::isfinite(total), "alias table weights must have a positive sum");
  AliasTable t;
  t.prob.assign(n, 1.0);
  t.alias.resize(n);
  std::vector<double> scaled(n);
  std::vector<std::uint32_t> small, large;
  for (std::size_t i = 0; i < n; ++i) {
    t.alias[i] = static_cast<std::uint32_t>(i);
    scaled[i] = weights[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const std::uint32_t s = small.back(), l = large.back();
    small.pop_back();
    t.prob[s] = scaled[s];
    t.alias[s] = l;
    scaled[l] -= 1.0 - scaled[s];
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Leftovers are 1 up to rounding; weight-zero columns must never be accepted.
  for (std::uint32_t i : small) t.prob[i] = weights[i] > 0.0 ? 1.0 : 0.0;
  return t;
}

static inline std::uint32_t alias_pick(const double* prob, const std::uint32_t* alias, std::uint32_t n, double u) {
  const double x = u * n;
  std::uint32_t i = static_cast<std::uint32_t>(x);
  if (i >= n) i = n - 1;
  return (x - i) < prob[i] ? i : alias[i];
}

std::uint32_t AliasTable::pick(double u) const {
  return alias_pick(prob.data(), alias.data(), static_cast<std::uint32_t>(prob.size()), u);
}

std::uint32_t Model::next_touchpoint(std::uint32_t v, double u) const {
  const TouchpointModel& tp = touchpoints[v];
  const std::uint32_t n = tp.edge_end - tp.edge_begin;
  const std::uint32_t k = alias_pick(edges.prob.data() + tp.edge_begin, edges.alias.data() + tp.edge_begin, n, u);
  return edge_target[tp.edge_begin + k];
}

namespace {

template <typename T>
std::unordered_map<std::string, std::uint32_t> index_of(const std::vector<T>& items) {
  std::unordered_map<std::string, std::uint32_t> idx;
  for (std::size_t i = 0; i < items.size(); ++i) idx.emplace(items[i].id, static_cast<std::uint32_t>(i));
  return idx;
}

AliasTable alias_over(const WeightedIds& ids, const std::unordered_map<std::string, std::uint32_t>& idx,
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
  return AliasTable::build(w);
}

}  // namespace

Model compile_model(const Scenario& s) {
  CXSIM_CHECK(!s.segments.empty() && !s.journey.touchpoints.empty(), "scenario was not validated");
  Model m;
  m.seed = s.seed;
  m.horizon_periods = s.horizon_periods;
  m.replications = s.replications;
  m.customers = static_cast<std::uint32_t>(s.population.customers);
  m.period_days = s.period_days;
  const double d = std::pow(1.0 + s.economics.annual_discount_rate, -s.period_days / 365.0);
  m.discount.resize(s.horizon_periods);
  m.nps_due.assign(s.horizon_periods, 0);
  for (int t = 0; t < s.horizon_periods; ++t) {
    m.discount[t] = std::pow(d, t);
    if ((t + 1) % s.nps.report_every == 0 || t == s.horizon_periods - 1) {
      m.nps_due[t] = 1;
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
    t.edge_begin = static_cast<std::uint32_t>(m.edge_target.size());
    std::vector<double> w;
    for (const auto& [target, weight] : tp.next) {
      m.edge_target.push_back(tp_index.at(target));
      w.push_back(weight);
    }
    t.edge_end = static_cast<std::uint32_t>(m.edge_target.size());
    CXSIM_CHECK(tp.exit || !w.empty(), "non-exit touchpoint without out-edges passed validation");
    if (!w.empty()) {
      const AliasTable row = AliasTable::build(w);
      m.edges.prob.insert(m.edges.prob.end(), row.prob.begin(), row.prob.end());
      m.edges.alias.insert(m.edges.alias.end(), row.alias.begin(), row.alias.end());
    }
    m.touchpoints.push_back(std::move(t));
    m.touchpoint_ids.push_back(tp.id);
  }

  std::vector<double> segment_shares;
  for (const Segment& g : s.segments) {
    SegmentModel sm;
    static_cast<Segment&>(sm) = g;
    sm.entry_pick = alias_over(g.entry.empty() ? s.journey.entry : g.entry, tp_index, &sm.entry_touchpoints, 0);
    if (!s.service.channels.empty()) {
      if (g.channel_mix.empty()) {
        WeightedIds shares;
        for (const Channel& c : s.service.channels) shares.emplace_back(c.id, c.share);
        sm.channel_pick = alias_over(shares, ch_index, nullptr, s.service.channels.size());
      } else {
        sm.channel_pick = alias_over(g.channel_mix, ch_index, nullptr, s.service.channels.size());
      }
    }
    segment_shares.push_back(g.share);
    m.segments.push_back(std::move(sm));
    m.segment_ids.push_back(g.id);
  }
  CXSIM_CHECK(m.segments.size() <= 255, "at most 255 segments are supported");
  m.segment_pick = AliasTable::build(segment_shares);

  for (const Channel& c : s.service.channels) {
    ChannelModel cm;
    static_cast<Channel&>(cm) = c;
    cm.unlimited = !c.agents.has_value();
    if (!cm.unlimited) {
      cm.agents_by_period.resize(s.horizon_periods);
      for (int t = 0; t < s.horizon_periods; ++t) cm.agents_by_period[t] = static_cast<int>(c.agents->at(t));
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
