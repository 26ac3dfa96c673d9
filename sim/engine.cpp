#include "engine.hpp"

#include <algorithm>
#include <cmath>

#include "diagnostic_sink.hpp"
#include "rng.hpp"
#include "rng_simd.hpp"

namespace cxsim {

namespace {

// std::min(1.0, std::max(-1.0, x)), written as the selects the processor's min and max compute
// (the same result for every x, NaN included), so the compiler emits no branch.
inline double clamp_unit(double x) {
  const double above = x > -1.0 ? x : -1.0;
  return above < 1.0 ? above : 1.0;
}

inline double normal_draw(double mean, double sd, double u1, double u2) {
  return sd > 0.0 ? mean + sd * standard_normal(u1, u2) : mean;
}

}  // namespace

// L = clamp(round(5 + 5 s + e), 0, 10): promoter iff 5 + 5 s + e >= 8.5, detractor iff < 6.5.
double promoter_probability(double s, double noise_sd) {
  const double gap = 8.5 - (5.0 + 5.0 * s);
  if (noise_sd <= 0.0) return gap <= 0.0 ? 1.0 : 0.0;
  return 0.5 * std::erfc(gap / (noise_sd * 1.4142135623730950488));
}

double detractor_probability(double s, double noise_sd) {
  const double gap = 6.5 - (5.0 + 5.0 * s);
  if (noise_sd <= 0.0) return gap > 0.0 ? 1.0 : 0.0;
  return 0.5 * std::erfc(-gap / (noise_sd * 1.4142135623730950488));
}

PromoterTable::PromoterTable(double noise_sd) : step_(noise_sd <= 0.0) {
  // f(s) = Phi((5 s - 3.5) / sd): |f''| <= (5 / sd)^2 * max|phi'| = (5 / sd)^2 * 0.242.
  const double curvature = noise_sd > 0.0 ? 25.0 / (noise_sd * noise_sd) * 0.242 : 0.0;
  std::size_t intervals = 4096;
  while (curvature > 0.0 && intervals < (1u << 20) && curvature * (2.0 / intervals) * (2.0 / intervals) / 8.0 > 1e-7) {
    intervals *= 2;
  }
  values_.resize(intervals + 1);
  for (std::size_t i = 0; i <= intervals; ++i) {
    values_[i] = promoter_probability(-1.0 + 2.0 * static_cast<double>(i) / intervals, noise_sd);
  }
  scale_ = intervals / 2.0;
  last_ = static_cast<double>(intervals - 1);
  error_bound_ = curvature * (2.0 / intervals) * (2.0 / intervals) / 8.0;
}

Kernel::Kernel(const Model& model, std::uint32_t replication, InterventionState* interventions, PendingAnswers* pending,
               KernelMath math)
    : m_(model),
      replication_(replication),
      promoter_(model.nps.noise_sd),
      iv_state_(interventions),
      pending_(pending),
      math_(math) {
  double most = 0.0, least = 0.0;
  for (const SegmentModel& g : model.segments) {
    most = std::max(most, g.referral_rate);
    least = std::min(least, g.referral_rate);
  }
  any_referrals_ = most > 0.0;
  // In lanes each term 2^32 rate P <= 2^32 * 1000 < 2^52 and a block's sum of 4,096 stay far below
  // 2^63 (rng_simd.hpp interpolated_fixed_sum); the schema keeps rates in [0, 100].
  referral_lanes_ = any_referrals_ && !promoter_.step() && least >= 0.0 && most <= 1000.0;
  CXSIM_CHECK(model.interventions.empty() || interventions != nullptr,
              "a model with interventions needs their per-customer state");
}

void Kernel::init(Customer& c, Who who, bool joiner) const {
  const CustomerRng rng(m_.seed, replication_, who.id);
  const Uniforms4 u = rng.uniforms(0, Stream::kInit);
  c = Customer{};
  c.segment = static_cast<std::uint8_t>((joiner ? m_.joiner_segment_pick : m_.segment_pick).pick(u[0]));
  const SegmentModel& g = m_.segments[c.segment];
  c.touchpoint = static_cast<std::uint16_t>(joiner ? m_.joiner_entry(u[1]) : g.entry(u[1]));
  c.sentiment =
      static_cast<float>(clamp_unit(normal_draw(g.initial_sentiment.mean, g.initial_sentiment.sd, u[2], u[3])));
  c.frailty = static_cast<float>(gamma_frailty(rng, g.hazard.frailty_variance));
  c.hazard_budget = static_cast<float>(-std::log(rng.uniforms(0, Stream::kHazard)[0]));
  c.issue_opened = -1;
  c.flags = Customer::kActive;
  if (!joiner && m_.warmup_periods == 0) c.flags |= Customer::kCohort;
}

// s <- s + w (q - s), w = min(1, memory * salience [* negativity_bias when q < s]).
void Kernel::experience(Customer& c, double q, double salience) const {
  const SegmentModel& g = m_.segments[c.segment];
  const double s = c.sentiment;
  const double w = std::min(1.0, g.memory * salience * g.bias_if_worse[q < s]);
  c.sentiment = static_cast<float>(clamp_unit(s + w * (q - s)));
  if (q < g.bad_threshold) c.bad += 1.0f;
}

void Kernel::step(Customer& c, Who who, int t, Tally& tally, const VisitDraw* draw) const {
  step_one(c, who, t, m_.interventions.any_periodic_due(t), tally, draw);
}

void Kernel::step_block(Customer* customers, std::uint32_t first_id, std::uint32_t first_slot, std::uint32_t count,
                        int t, Tally& tally, const BlockDraws& draws) const {
  const bool periodic_due = m_.interventions.any_periodic_due(t);
  for (std::uint32_t j = 0; j < count; ++j) {
    const VisitDraw draw{{draws.w[0][j], draws.w[1][j], draws.w[2][j], draws.w[3][j]}, draws.z[j]};
    step_one(customers[j], Who(first_id + j, first_slot + j), t, periodic_due, tally, &draw);
  }
}

// step, inlined into the block loop (the hot loop of the demand pass) and into step.
// `periodic_due`: some periodic trigger is due in period t (the same for every customer).
[[gnu::always_inline]] inline void Kernel::step_one(Customer& c, Who who, int t, bool periodic_due, Tally& tally,
                                                    const VisitDraw* draw) const {
  if (!c.active()) return;
  const SegmentModel& g = m_.segments[c.segment];
  ++tally.starts[tally.start_index(t, m_.segments.size(), c.segment, c.cohort())];
  const CustomerRng rng(m_.seed, replication_, who.id);

  const InterventionIndex& ix = m_.interventions;
  if (periodic_due) {
    for (std::uint32_t i : ix.periodic) {
      if (ix.items[i].periodic_due(t)) fire(c, who, t, i, tally);
    }
  }
  if (c.flags & Customer::kTreat) {  // selected by a capacity-limited intervention: its marks say which
    c.flags &= static_cast<std::uint8_t>(~Customer::kTreat);
    for (std::uint32_t i : ix.limited) {
      std::uint8_t& marks = iv_state_->marks(who.slot, i);
      if (marks & InterventionState::kPending) {
        marks &= static_cast<std::uint8_t>(~InterventionState::kPending);
        treat(c, who, t, i, tally);
      }
    }
  }

  if (c.has_issue()) {
    const Uniforms4 u = rng.uniforms(static_cast<std::uint32_t>(t), Stream::kIssue);
    if (u[0] < g.self_resolve) {
      c.issue_opened = -1;
      c.issue_contacts = 0;
    } else if (!m_.channels.empty() && !c.pending() && u[1] < g.contact_propensity_at(t)) {
      // A contact: its channel and the interval of the open day it arrives in, both by inversion.
      c.channel = static_cast<std::uint8_t>(g.channel_pick.pick(u[2]));
      const ChannelModel& ch = m_.channels[c.channel];
      c.interval = static_cast<std::uint8_t>(ch.interval_pick.pick(u[3]));
      c.flags |= Customer::kContacting;
      ChannelTally& ct = tally.channels[c.channel];
      ++ct.contacts;
      ++ct.contacts_by_period[tally.at(t)];
      ++ct.period_interval_contacts[c.interval];
      ++ct.period_segment_contacts[c.segment];
      if (ch.cost_per_contact != 0.0) tally.contact_cost.add(ch.cost_per_contact * m_.discount[t]);
      return;
    }
  }

  const Words4 words = draw != nullptr ? draw->words : rng.block(static_cast<std::uint32_t>(t), Stream::kVisit);
  // Lane 0 picks the edge, lane 1 draws the failure; lanes 2-3 are the normal's (in `draw`, or below).
  const std::uint32_t v = m_.next_touchpoint(c.touchpoint, uniform_of(words[0]));
  c.touchpoint = static_cast<std::uint16_t>(v);
  if (m_.touchpoints[v].exit) {
    c.flags &= static_cast<std::uint8_t>(~Customer::kActive);
    ++tally.exits[v];
    tally.cohort_exit_churns += c.cohort();
    return;
  }
  double z = 0.0;
  if (draw != nullptr) {
    z = draw->normal;
  } else if (math_ == KernelMath::kScalarReference) {
    const Uniforms4 u = uniforms_of(words);
    z = standard_normal(u[2], u[3]);
  } else {
    z = standard_normal_lane(words[2], words[3]);
  }
  visit(c, who, t, v, uniform_of(words[1]), z, tally);
}

// Experiencing touchpoint v (MODEL "Journey graph" steps 1-5), with on_visit triggers before the
// failure draw and on_failure triggers after the failure's experience.
// Inlined into step_one, the hot loop (a call there costs its registers' spills and reloads).
[[gnu::always_inline]] inline void Kernel::visit(Customer& c, Who who, int t, std::uint32_t v, double failure_draw,
                                                 double z, Tally& tally) const {
  const TouchpointModel& tp = m_.touchpoints[v];
  const InterventionIndex& ix = m_.interventions;
  ++tally.visits[v];
  double failure = tp.failure_at(t);
  // What interventions do here (nothing at most touchpoints; a factor of 1 changes nothing).
  const std::uint8_t hooks = ix.empty() ? 0 : ix.touchpoint_hooks[v];
  if (hooks & (InterventionIndex::kOnVisit | InterventionIndex::kFailureFactors)) {
    double factor = 1.0;
    for (std::uint32_t i : ix.on_visit[v]) {
      if (fire(c, who, t, i, tally) && ix.items[i].has_visit_multiplier) factor *= ix.items[i].visit_failure_multiplier;
    }
    if (c.flags & Customer::kTimed) {
      for (const TimedFactor& f : ix.failure_factors[v]) {
        if (iv_state_->until(who.slot, f.slot) > t) factor *= f.factor;
      }
    }
    failure *= factor;
  }

  double q;
  const bool failed = failure > 0.0 && failure_draw < failure;
  if (failed) {
    q = tp.failure_quality;
    ++tally.failures[v];
    if (!c.has_issue()) {
      c.issue_opened = t;
      c.issue_contacts = 0;
    }
  } else {
    q = clamp_unit(tp.quality.sd > 0.0 ? tp.quality.mean + tp.quality.sd * z : tp.quality.mean);
  }
  if (tp.revenue != 0.0) {
    tally.touchpoint_revenue.add(tp.revenue * m_.discount[t]);
    if (c.cohort()) tally.touchpoint_revenue_cohort.add(tp.revenue * m_.discount[t]);
    tally.touchpoint_revenue_by_period[tally.at(t)].add(tp.revenue);
  }
  if (tp.cost != 0.0) tally.touchpoint_cost.add(tp.cost * m_.discount[t]);
  c.effort += static_cast<float>(tp.effort);
  experience(c, q, tp.salience);
  if (failed && (hooks & InterventionIndex::kOnFailure)) {
    for (std::uint32_t i : ix.on_failure[v]) fire(c, who, t, i, tally);
  }

  if (tp.survey_rate > 0.0) {
    const CustomerRng rng(m_.seed, replication_, who.id);
    const Uniforms4 su = rng.uniforms(static_cast<std::uint32_t>(t), Stream::kSurvey);
    if (su[0] < tp.survey_rate) {
      const double x = 5.0 + 5.0 * c.sentiment + normal_draw(0.0, m_.nps.noise_sd, su[1], su[2]);
      const double likelihood = std::min(10.0, std::max(0.0, std::round(x)));
      ++tally.survey_responses;
      if (likelihood >= 9.0) ++tally.survey_promoters;
      if (likelihood <= 6.0) ++tally.survey_detractors;
    }
  }
}

bool Kernel::ready_for(Who who, int t, std::uint32_t i, const InterventionModel& iv) const {
  if (iv.once) return !(iv_state_->marks(who.slot, i) & InterventionState::kReached);
  return iv.cooldown_slot < 0 || t >= iv_state_->ready(who.slot, static_cast<std::uint32_t>(iv.cooldown_slot));
}

bool Kernel::fire(Customer& c, Who who, int t, std::uint32_t i, Tally& tally) const {
  const InterventionModel& iv = m_.interventions.items[i];
  if (!iv.targets[c.segment] || !ready_for(who, t, i, iv)) return false;
  InterventionTally& it = tally.interventions[i];
  ++it.fired;
  const CustomerRng rng(m_.seed, replication_, who.id);
  const auto w = rng.block(static_cast<std::uint32_t>(t), Stream::kIntervention, iv.stream_index);
  if ((w[0] + 0.5) / 4294967296.0 >= iv.coverage) return false;
  if (iv.limited()) {
    it.waitlist.push_back((static_cast<PriorityKey>(w[1]) << 32) | who.id);
    ++it.waitlisted;
    ++it.waitlisted_by_period[tally.at(t)];
    return false;
  }
  treat(c, who, t, i, tally);
  return true;
}

// Effects apply in this order: close_issue, effort_change, sentiment_boost, the intervention's own
// experience (quality), then the timed effects start (live in periods t .. t + duration - 1).
void Kernel::treat(Customer& c, Who who, int t, std::uint32_t i, Tally& tally) const {
  const InterventionModel& iv = m_.interventions.items[i];
  InterventionTally& it = tally.interventions[i];
  ++it.uses;
  ++it.uses_by_period[tally.at(t)];
  std::uint8_t& marks = iv_state_->marks(who.slot, i);
  if (!(marks & InterventionState::kReached)) {
    marks |= InterventionState::kReached;
    ++it.reach;
  }
  if (iv.cost_per_use != 0.0) it.cost_discounted.add(iv.cost_per_use * m_.discount[t]);
  if (iv.close_issue && c.has_issue()) {
    c.issue_opened = -1;
    c.issue_contacts = 0;
    ++it.issues_closed;
  }
  if (iv.effort_change != 0.0) c.effort = std::max(0.0f, c.effort + static_cast<float>(iv.effort_change));
  if (iv.sentiment_boost != 0.0) c.sentiment = static_cast<float>(clamp_unit(c.sentiment + iv.sentiment_boost));
  if (iv.has_quality) {
    const CustomerRng rng(m_.seed, replication_, who.id);
    const Uniforms4 u = rng.uniforms(static_cast<std::uint32_t>(t), Stream::kIntervention, iv.stream_index);
    experience(c, clamp_unit(normal_draw(iv.quality_mean, iv.quality_sd, u[2], u[3])), iv.salience);
  }
  if (iv.timed_slot >= 0) {
    c.flags |= Customer::kTimed;
    const std::int64_t until = std::min<std::int64_t>(std::int64_t{t} + iv.duration, m_.periods());
    iv_state_->until(who.slot, static_cast<std::uint32_t>(iv.timed_slot)) = static_cast<std::int32_t>(until);
  }
  if (iv.cooldown_slot >= 0) {
    const std::int64_t ready = std::min<std::int64_t>(std::int64_t{t} + iv.cooldown, m_.periods());
    iv_state_->ready(who.slot, static_cast<std::uint32_t>(iv.cooldown_slot)) = static_cast<std::int32_t>(ready);
  }
}

void Kernel::serve(Customer& c, Who who, int t, const ServicePeriod& service, Tally& tally) const {
  if (c.flags & Customer::kContacting) {
    c.flags &= static_cast<std::uint8_t>(~Customer::kContacting);
    const ChannelModel& ch = m_.channels[c.channel];
    const CustomerRng rng(m_.seed, replication_, who.id);
    const Uniforms4 u = rng.uniforms(static_cast<std::uint32_t>(t), Stream::kService);
    if (ch.backlog()) {
      // The request joins the backlog at a uniform position in its interval; its answer time is
      // fixed now (FIFO), its outcome waits for it.
      const BacklogAnswer a =
          backlog_answer(ch, *service.backlog[c.channel], c.interval, u[0], m_.period_days * 1440.0);
      if (!a.answered || a.period >= m_.periods()) {
        ++tally.channels[c.channel].pending_end;
      } else {
        c.flags |= Customer::kPending;
        pending_->answer_period(who.slot) = a.period;
        pending_->request_period(who.slot) = t;
        pending_->wait_minutes(who.slot) = static_cast<float>(a.wait_minutes);
      }
    } else {
      double wait = 0.0;  // unlimited channels never wait
      bool abandoned = false;
      if (const ErlangADay* day = service.queue[c.channel]) {
        // Erlang A: the state this contact finds (time average of its interval), the wait that
        // state offers, and the customer's own patience.
        const double offered = day->offered_wait_minutes(c.interval, day->state_found(c.interval, u[0]), u[1]);
        const double patience = -m_.segments[c.segment].patience_minutes * std::log(u[2]);
        abandoned = offered > patience;
        wait = abandoned ? patience : offered;  // the time actually spent waiting
        if (!abandoned && wait * 60.0 <= ch.service_level_seconds) {
          ++tally.channels[c.channel].within_target;
          ++tally.channels[c.channel].within_target_by_period[tally.at(t)];
        }
      }
      outcome(c, who, t, abandoned, wait, /*backlog=*/false, /*same_issue=*/true, tally);
    }
  }
  if (c.pending() && pending_->answer_period(who.slot) == t) {
    c.flags &= static_cast<std::uint8_t>(~Customer::kPending);
    if (!c.active()) return;  // churned while waiting: the request was worked, nobody hears the answer
    // The answer applies only to the issue it was about: one still open since the request.
    const bool same_issue = c.has_issue() && c.issue_opened <= pending_->request_period(who.slot);
    outcome(c, who, t, /*abandoned=*/false, pending_->wait_minutes(who.slot), /*backlog=*/true, same_issue, tally);
  }
}

void Kernel::outcome(Customer& c, Who who, int t, bool abandoned, double wait, bool backlog, bool same_issue,
                     Tally& tally) const {
  const SegmentModel& g = m_.segments[c.segment];
  const ChannelModel& ch = m_.channels[c.channel];
  ChannelTally& ct = tally.channels[c.channel];
  const CustomerRng rng(m_.seed, replication_, who.id);
  const bool resolved =
      !abandoned && same_issue && rng.uniforms(static_cast<std::uint32_t>(t), Stream::kService)[3] < ch.fcr;
  if (abandoned) {
    ++ct.abandoned;
    ++ct.abandoned_by_period[tally.at(t)];
  } else {
    ++ct.handled;
    ++ct.handled_by_period[tally.at(t)];
    if (!ch.unlimited) {
      ct.handled_wait_minutes.add(wait);
      ct.handled_waits.add(wait);
      ct.wait_by_period[tally.at(t)].add(wait);
    }
  }

  // The wait weighs against the customer's patience on a live line, against a day (of periods) in
  // a backlog; a backlog's waiting adds at most 24 to the effort.
  const double wait_share = backlog ? wait / (1440.0 * m_.period_days) : wait / g.patience_minutes;
  const Uniforms4 qu = rng.uniforms(static_cast<std::uint32_t>(t), Stream::kContactQuality);
  const double q =
      clamp_unit(normal_draw(ch.quality.mean, ch.quality.sd, qu[0], qu[1]) - m_.service.wait_penalty * wait_share +
                 (resolved ? m_.service.resolution_bonus : -m_.service.unresolved_penalty));
  const double contact_effort = ch.effort + (backlog ? std::min(wait / 60.0, 24.0) : wait / 60.0) + c.issue_contacts;
  c.effort += static_cast<float>(contact_effort);
  experience(c, q, ch.salience);

  const double csat = std::min(5.0, std::max(1.0, std::round(3.0 + 2.0 * q)));
  if (csat >= 4.0) ++tally.satisfied;
  tally.ces_sum += static_cast<std::int64_t>(std::min(7.0, std::max(1.0, std::round(1.0 + contact_effort))));

  if (same_issue) {
    if (c.issue_contacts == 0) {
      ++tally.first_contacts;
      if (resolved) ++tally.first_contact_resolved;
    }
    if (c.issue_contacts < 0xFFFF) ++c.issue_contacts;
  }
  if (resolved) {
    ++ct.resolved;
    ++tally.service_resolutions;
    tally.service_resolution_periods += t - c.issue_opened;
    c.issue_opened = -1;
    c.issue_contacts = 0;
  }
  if (!m_.interventions.empty()) {
    const ContactOutcome outcome =
        abandoned ? ContactOutcome::kAbandoned : (resolved ? ContactOutcome::kResolved : ContactOutcome::kUnresolved);
    for (std::uint32_t i : m_.interventions.after_contact[static_cast<int>(outcome)]) fire(c, who, t, i, tally);
  }
}

double Kernel::hazard_multiplier(Who who, int t) const {
  double m = 1.0;
  for (const TimedFactor& f : m_.interventions.hazard_factors) {
    if (iv_state_->until(who.slot, f.slot) > t) m *= f.factor;
  }
  return m;
}

bool Kernel::state_trigger_holds(const Customer& c, int t, const InterventionModel& iv, double hazard) const {
  switch (iv.trigger) {
    case TriggerKind::kSentimentBelow:
      return c.sentiment < iv.threshold;
    case TriggerKind::kIssueAgeAbove:
      return c.has_issue() && t - c.issue_opened > iv.issue_age;
    case TriggerKind::kRiskAbove:
      // p = 1 - exp(-lambda) is increasing in lambda: compare hazards, no expm1 needed.
      return hazard > iv.hazard_threshold;
    default:
      return false;
  }
}

double Kernel::hazard_predictor(const Customer& c) const {
  const ChurnCoefficients& b = m_.churn;
  return b.sentiment * c.sentiment + (c.has_issue() ? b.open_issue : 0.0) + b.bad_experiences * c.bad +
         b.effort * c.effort;
}

double Kernel::hazard_exp(const Customer& c) const {
  const double x = hazard_predictor(c);
  return math_ == KernelMath::kScalarReference ? std::exp(x) : exp_lane(x);
}

// The cumulative-hazard increment z base m exp(b.x) of this period (cloglog proportional hazards).
double Kernel::period_hazard(const Customer& c, double hazard_multiplier, double exp_x) const {
  const SegmentModel& g = m_.segments[c.segment];
  return static_cast<double>(c.frailty) * g.hazard.base * hazard_multiplier * exp_x;
}

double Kernel::churn_probability(const Customer& c, double hazard_multiplier) const {
  return -std::expm1(-period_hazard(c, hazard_multiplier, hazard_exp(c)));
}

void Kernel::end_period(Customer& c, Who who, int t, Tally& tally) const {
  if (!c.active()) return;
  count_referrals(c, tally.referrals_by_period[tally.at(t)]);
  PeriodEnd end(m_, tally, t);
  end_period(c, who, t, tally, end, hazard_exp(c), start_multiplier(c, who, t));
  end.add_to(tally);
}

// The referrals a customer makes this period, rate P(promoter | s) (MODEL.md), into `sum`.
void Kernel::count_referrals(const Customer& c, ExactSum& sum) const {
  const double rate = m_.segments[c.segment].referral_rate;
  if (rate > 0.0) sum.add(rate * promoter_(c.sentiment));
}

void Kernel::end_period_block(Customer* customers, std::uint32_t first_id, std::uint32_t first_slot,
                              std::uint32_t count, int t, Tally& tally, double* scratch,
                              const ServicePeriod* service) const {
  // Only a contact of this period or a pending backlog request has an outcome to serve.
  const auto serve_first = [&](Customer& c, Who who) {
    if (service != nullptr && (c.flags & (Customer::kContacting | Customer::kPending)))
      serve(c, who, t, *service, tally);
  };
  if (math_ == KernelMath::kScalarReference) {
    for (std::uint32_t j = 0; j < count; ++j) {
      serve_first(customers[j], Who(first_id + j, first_slot + j));
      end_period(customers[j], Who(first_id + j, first_slot + j), t, tally);
    }
    return;
  }
  PeriodEnd end(m_, tally, t);
  // One pass over the block's state as the phase starts (each customer served first): b.x for exp
  // in lanes, each customer's sentiment and referral rate (0 if inactive) for the referrals, summed
  // at once and added to the tally once (fixed point: the same integers as one ExactSum::add per
  // customer, in any order), and the hazard multiplier of the few customers with a live timed effect
  // (their scattered side-array reads overlap here instead of stalling the customer loop below).
  double* sentiment = scratch + count;
  double* rate = scratch + 2 * std::size_t{count};
  double* multiplier = scratch + 3 * std::size_t{count};
  for (std::uint32_t j = 0; j < count; ++j) {
    Customer& c = customers[j];
    serve_first(c, Who(first_id + j, first_slot + j));
    scratch[j] = hazard_predictor(c);
    sentiment[j] = c.sentiment;
    rate[j] = c.active() ? m_.segments[c.segment].referral_rate : 0.0;
    multiplier[j] = start_multiplier(c, Who(first_id + j, first_slot + j), t);
  }
  if (any_referrals_) {
    ExactSum referrals;
    if (referral_lanes_) {
      referrals.fixed =
          interpolated_fixed_sum(promoter_.values(), promoter_.scale(), promoter_.last(), sentiment, rate, count);
    } else {
      for (std::uint32_t j = 0; j < count; ++j) {
        if (customers[j].active()) count_referrals(customers[j], referrals);
      }
    }
    tally.referrals_by_period[tally.at(t)] += referrals;
  }
  exp_lanes(scratch, count);
  for (std::uint32_t j = 0; j < count; ++j) {
    Customer& c = customers[j];
    if (c.active()) end_period(c, Who(first_id + j, first_slot + j), t, tally, end, scratch[j], multiplier[j]);
  }
  end.add_to(tally);
}

Kernel::PeriodEnd::PeriodEnd(const Model& m, const Tally& tally, int t)
    : p(tally.at(t)),
      nps_due(m.nps_due[static_cast<std::size_t>(t)] != 0),
      terminal(t + 1 == m.periods() && m.discount_factor < 1.0) {}  // undiscounted, it is not defined

void Kernel::PeriodEnd::add_to(Tally& tally) const {
  tally.active_end[p] += active;
  tally.cohort_active_end[p] += cohort_active;
  tally.open_issues_end[p] += open_issues;
}

// The product of the hazard multipliers live as the phase starts (exactly 1 without a live timed
// effect).
double Kernel::start_multiplier(const Customer& c, Who who, int t) const {
  return !m_.interventions.hazard_factors.empty() && (c.flags & Customer::kTimed) ? hazard_multiplier(who, t) : 1.0;
}

// After the referrals (counted by the caller): `exp_x` is exp(b.x) of the customer's state and
// `multiplier` its start_multiplier as the phase starts; a state trigger's treatment, which may change
// the state and start a timed hazard multiplier, recomputes both.
[[gnu::always_inline]] inline void Kernel::end_period(Customer& c, Who who, int t, Tally& tally, PeriodEnd& end,
                                                      double exp_x, double multiplier) const {
  const SegmentModel& g = m_.segments[c.segment];
  const InterventionIndex& ix = m_.interventions;
  double hazard = period_hazard(c, multiplier, exp_x);
  for (std::uint32_t i : ix.state) {
    if (state_trigger_holds(c, t, ix.items[i], hazard) && fire(c, who, t, i, tally)) {
      // The treatment may change the state and start a timed multiplier.
      hazard = period_hazard(c, start_multiplier(c, who, t), hazard_exp(c));
    }
  }
  const double budget = c.hazard_budget - hazard;
  if (budget <= 0.0) {
    c.flags &= static_cast<std::uint8_t>(~Customer::kActive);
    tally.cohort_hazard_churns += c.cohort();
    return;
  }
  c.hazard_budget = static_cast<float>(budget);
  // Every timed effect ends by the next period: from then on the common path skips them.
  if ((c.flags & Customer::kTimed) && !iv_state_->timed_live_at(who.slot, t + 1)) {
    c.flags &= static_cast<std::uint8_t>(~Customer::kTimed);
  }
  c.bad *= static_cast<float>(g.bad_decay);
  c.effort *= static_cast<float>(g.effort_decay);
  ++end.active;
  end.cohort_active += c.cohort();
  end.open_issues += c.has_issue();
  if (end.nps_due) {
    tally.nps_sum[end.p].add(promoter_probability(c.sentiment, m_.nps.noise_sd) -
                             detractor_probability(c.sentiment, m_.nps.noise_sd));
  }
  if (end.terminal) {
    // Terminal value: the margin of every period after the horizon at this period's churn
    // probability p_T held for ever, sum_{k >= 0} m r d^(T + k) (1 - p_T)^k, discounted to period 0.
    const double survive = std::exp(-hazard);  // 1 - p_T
    const double value = m_.gross_margin * g.revenue_at(t + 1) * m_.discount[t] * m_.discount_factor /
                         (1.0 - m_.discount_factor * survive);
    tally.terminal_value.add(value);
    if (c.cohort()) tally.terminal_value_cohort.add(value);
  }
}

}  // namespace cxsim
