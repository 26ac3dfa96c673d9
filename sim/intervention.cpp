// Compiles proactive interventions and holds their per-customer memory (see intervention.hpp).
#include "intervention.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "diagnostic_sink.hpp"
#include "hash.hpp"

namespace cxsim {

namespace {

std::unordered_map<std::string, std::uint32_t> positions(const std::vector<std::string>& ids) {
  std::unordered_map<std::string, std::uint32_t> idx;
  for (std::size_t i = 0; i < ids.size(); ++i) idx.emplace(ids[i], static_cast<std::uint32_t>(i));
  return idx;
}

}  // namespace

std::uint32_t intervention_stream_index(const std::string& id) {
  const std::uint64_t h = fnv1a64(id);
  return static_cast<std::uint32_t>((h ^ (h >> 24) ^ (h >> 48)) & 0xFFFFFFu);
}

TriggerKind trigger_kind(const Trigger& t) {
  if (t.on_visit) return TriggerKind::kOnVisit;
  if (t.on_failure) return TriggerKind::kOnFailure;
  if (t.after_contact) return TriggerKind::kAfterContact;
  if (t.sentiment_below) return TriggerKind::kSentimentBelow;
  if (t.risk_above) return TriggerKind::kRiskAbove;
  if (t.issue_age_above) return TriggerKind::kIssueAgeAbove;
  CXSIM_CHECK(t.periodic.has_value(), "an intervention without a trigger passed validation");
  return TriggerKind::kPeriodic;
}

InterventionIndex compile_interventions(const Scenario& s, const std::vector<std::string>& touchpoint_ids,
                                        const std::vector<std::string>& segment_ids) {
  InterventionIndex x;
  const auto tp = positions(touchpoint_ids);
  const auto seg = positions(segment_ids);
  x.on_visit.resize(touchpoint_ids.size());
  x.on_failure.resize(touchpoint_ids.size());
  x.failure_factors.resize(touchpoint_ids.size());

  for (const Intervention& iv : s.interventions) {
    const auto i = static_cast<std::uint32_t>(x.items.size());
    InterventionModel m;
    const Trigger& tr = iv.trigger;
    m.trigger = trigger_kind(tr);
    m.outcome = tr.after_contact.value_or(ContactOutcome::kResolved);
    m.threshold = tr.sentiment_below ? *tr.sentiment_below : tr.risk_above.value_or(0.0);
    m.hazard_threshold = m.threshold < 1.0 ? -std::log1p(-m.threshold) : std::numeric_limits<double>::infinity();
    m.issue_age = tr.issue_age_above.value_or(0);
    if (tr.periodic) {
      m.every = tr.periodic->every;
      m.from = tr.periodic->from + s.warmup_periods;
      m.until = tr.periodic->until.value_or(s.horizon_periods) + s.warmup_periods;
      m.due.assign(static_cast<std::size_t>(std::max(0, std::min(m.until, s.horizon_periods + s.warmup_periods))), 0);
      for (int t = std::max(0, m.from); t < static_cast<int>(m.due.size()); ++t) {
        m.due[static_cast<std::size_t>(t)] = (t - m.from) % m.every == 0 ? 1 : 0;
      }
    }
    m.targets.assign(segment_ids.size(), iv.target.empty() ? 1 : 0);
    for (const std::string& g : iv.target) m.targets[seg.at(g)] = 1;
    m.coverage = iv.coverage;
    m.capacity = iv.capacity_per_period ? *iv.capacity_per_period : -1;

    const Effect& e = iv.effect;
    if (e.failure_multiplier && e.failure_multiplier->on_visit) {
      m.has_visit_multiplier = true;
      m.visit_failure_multiplier = *e.failure_multiplier->on_visit;
    }
    const WeightedIds timed = e.failure_multiplier ? e.failure_multiplier->timed : WeightedIds{};
    m.sentiment_boost = e.sentiment_boost;
    m.effort_change = e.effort_change;
    m.close_issue = e.close_issue;
    if (e.quality) {
      m.has_quality = true;
      m.quality_mean = e.quality->mean;
      m.quality_sd = e.quality->sd;
    }
    m.salience = iv.salience;
    m.duration = e.duration;
    m.cost_per_use = iv.cost_per_use;
    m.stream_index = intervention_stream_index(iv.id);
    m.once = iv.once_per_customer;
    m.cooldown = iv.cooldown_periods;
    if (m.cooldown > 0 && !m.once) m.cooldown_slot = static_cast<int>(x.cooldown_slots++);
    for (std::size_t j = 0; j < x.items.size(); ++j) {
      if (x.items[j].stream_index == m.stream_index) {
        throw InputError({{Severity::kError, s.file, "/interventions/" + escape_pointer_token(iv.id),
                           "interventions \"" + x.ids[j] + "\" and \"" + iv.id +
                               "\" hash to the same random stream (a 1 in 16 million coincidence); rename one"}});
      }
    }
    if (!timed.empty() || e.hazard_multiplier) {
      m.timed_slot = static_cast<int>(x.timed_slots++);
      const auto slot = static_cast<std::uint32_t>(m.timed_slot);
      for (const auto& [id, factor] : timed) x.failure_factors[tp.at(id)].push_back({slot, factor});
      if (e.hazard_multiplier) x.hazard_factors.push_back({slot, *e.hazard_multiplier});
    }

    switch (m.trigger) {
      case TriggerKind::kOnVisit:
        m.touchpoint = tp.at(*tr.on_visit);
        x.on_visit[m.touchpoint].push_back(i);
        break;
      case TriggerKind::kOnFailure:
        m.touchpoint = tp.at(*tr.on_failure);
        x.on_failure[m.touchpoint].push_back(i);
        break;
      case TriggerKind::kAfterContact:
        x.after_contact[static_cast<int>(m.outcome)].push_back(i);
        break;
      case TriggerKind::kSentimentBelow:
      case TriggerKind::kRiskAbove:
      case TriggerKind::kIssueAgeAbove:
        x.state.push_back(i);
        break;
      case TriggerKind::kPeriodic:
        x.periodic.push_back(i);
        break;
    }
    if (m.limited()) x.limited.push_back(i);
    x.items.push_back(std::move(m));
    x.ids.push_back(iv.id);
  }
  x.touchpoint_hooks.assign(touchpoint_ids.size(), 0);
  for (std::size_t v = 0; v < touchpoint_ids.size(); ++v) {
    std::uint8_t& h = x.touchpoint_hooks[v];
    if (!x.on_visit[v].empty()) h |= InterventionIndex::kOnVisit;
    if (!x.failure_factors[v].empty()) h |= InterventionIndex::kFailureFactors;
    if (!x.on_failure[v].empty()) h |= InterventionIndex::kOnFailure;
  }
  x.periodic_due.assign(static_cast<std::size_t>(std::max(0, s.horizon_periods + s.warmup_periods)), 0);
  for (std::uint32_t i : x.periodic) {
    const std::vector<std::uint8_t>& due = x.items[i].due;
    for (std::size_t t = 0; t < due.size() && t < x.periodic_due.size(); ++t) x.periodic_due[t] |= due[t];
  }
  return x;
}

InterventionState::InterventionState(std::uint32_t customers, const InterventionIndex& index)
    : interventions_(static_cast<std::uint32_t>(index.items.size())),
      timed_(index.timed_slots),
      cooldowns_(index.cooldown_slots) {
  resize(customers);
}

void InterventionState::reset(std::uint32_t customers) {
  marks_.clear();
  until_.clear();
  ready_.clear();
  resize(customers);
}

void InterventionState::resize(std::uint32_t customers) {
  marks_.resize(static_cast<std::size_t>(customers) * interventions_, 0);
  until_.resize(static_cast<std::size_t>(customers) * timed_, 0);
  ready_.resize(static_cast<std::size_t>(customers) * cooldowns_, 0);
}

void InterventionState::reserve(std::uint64_t customers) {
  marks_.reserve(customers * interventions_);
  until_.reserve(customers * timed_);
  ready_.reserve(customers * cooldowns_);
}

std::size_t intervention_bytes_per_customer(const InterventionIndex& index) {
  return index.items.size() + (index.timed_slots + index.cooldown_slots) * sizeof(std::int32_t);
}

}  // namespace cxsim
