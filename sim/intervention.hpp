#pragma once
// Proactive interventions (../shared/MODEL.md "Proactive interventions"), compiled for the hot loop,
// plus the per-customer memory they need and the exact capacity selection.
//
// - InterventionModel / InterventionIndex: an intervention's trigger, target, coverage, capacity and
//   effect as flat numbers, and per-trigger lists of intervention indices, so a kernel step touches
//   only the interventions that can fire there (none at all when the scenario has none).
// - InterventionState: side arrays beside the 32-byte Customer, allocated only when interventions
//   exist: per (customer, intervention) one byte of marks (ever treated, treatment pending), and per
//   (customer, timed intervention) the first period its timed effects no longer apply.
// - capacity: a capacity-limited intervention treats, at the start of period t + 1, the
//   `capacity_per_period` customers with the smallest priority keys among those triggered (and
//   covered) in period t who are still active. Keys are (priority draw << 32 | customer id), unique
//   integers drawn from each customer's own stream, so the choice is exact and independent of threads
//   (the runner sorts the keys in parallel and takes the first active ones).
#include <cstdint>
#include <vector>

#include "cxsim/scenario.hpp"

namespace cxsim {

enum class TriggerKind { kOnVisit, kOnFailure, kAfterContact, kSentimentBelow, kRiskAbove, kIssueAgeAbove, kPeriodic };

// Which trigger a validated intervention has (the schema admits exactly one).
TriggerKind trigger_kind(const Trigger& trigger);

struct InterventionModel {
  TriggerKind trigger = TriggerKind::kOnVisit;
  ContactOutcome outcome = ContactOutcome::kResolved;  // after_contact
  std::uint32_t touchpoint = 0;                        // on_visit, on_failure
  double threshold = 0.0;                              // sentiment_below, risk_above
  double hazard_threshold = 0.0;       // risk_above as a hazard: p > x  <=>  z base m exp(b.x) > -log(1 - x)
  int issue_age = 0;                   // issue_age_above (periods)
  int every = 1, from = 0, until = 0;  // periodic, as run period indices (period + warm-up); until
                                       // resolved to the horizon
  std::vector<char> targets;           // per segment: 1 when targeted
  double coverage = 1.0;
  std::int64_t capacity = -1;  // capacity_per_period; -1 = acts at once, unlimited

  // Effect.
  bool has_visit_multiplier = false;
  double visit_failure_multiplier = 1.0;  // on the triggering visit (on_visit, acting at once)
  double sentiment_boost = 0.0;
  double effort_change = 0.0;
  bool close_issue = false;
  bool has_quality = false;
  double quality_mean = 0.0, quality_sd = 0.0, salience = 1.0;
  int duration = 1;     // periods the timed effects last, counting the treatment's period
  int timed_slot = -1;  // index into the timed effects, -1 when the effect has none
  double cost_per_use = 0.0;
  // Index of this intervention's draws in Stream::kIntervention: a 24-bit hash of its id, never its
  // position, so adding, removing or renaming one intervention leaves every other's draws in place.
  std::uint32_t stream_index = 0;
  // cooldown_periods (version 2): treated in period t, the customer is neither triggered nor treated
  // by this intervention again before period t + cooldown; once_per_customer: never again.
  int cooldown = 0;
  bool once = false;
  int cooldown_slot = -1;  // index into the per-customer cooldown clocks, -1 without a cooldown

  bool limited() const { return capacity >= 0; }
  // Periodic schedule: fires at the start of t when from <= t < until and (t - from) % every == 0.
  // (A table by run period: the hot loop asks for every active customer, a division each time.)
  std::vector<std::uint8_t> due;  // due[t] for t < min(until, run periods); empty unless periodic
  bool periodic_due(int t) const {
    return t >= 0 && t < static_cast<int>(due.size()) && due[static_cast<std::size_t>(t)];
  }
};

// A timed multiplier: while customer-slot `slot` is live, multiply by `factor`.
struct TimedFactor {
  std::uint32_t slot;
  double factor;
};

struct InterventionIndex {
  std::vector<InterventionModel> items;  // model index order (sorted by id)
  std::vector<std::string> ids;

  std::vector<std::vector<std::uint32_t>> on_visit, on_failure;  // per touchpoint
  std::vector<std::uint32_t> after_contact[3];                   // per ContactOutcome
  std::vector<std::uint32_t> state;  // sentiment_below, risk_above, issue_age_above, in order
  std::vector<std::uint32_t> periodic;
  std::vector<std::uint32_t> limited;  // capacity-limited interventions

  std::uint32_t timed_slots = 0;                          // interventions with timed effects
  std::uint32_t cooldown_slots = 0;                       // interventions with a cooldown
  std::vector<std::vector<TimedFactor>> failure_factors;  // per touchpoint
  std::vector<TimedFactor> hazard_factors;

  // Per touchpoint, what a visit there must look at (so a visit anywhere else looks at nothing):
  // kOnVisit, an on_visit trigger; kFailureFactors, a timed failure multiplier; kOnFailure, an
  // on_failure trigger.
  static constexpr std::uint8_t kOnVisit = 1, kFailureFactors = 2, kOnFailure = 4;
  std::vector<std::uint8_t> touchpoint_hooks;
  // Periodic triggers due at run period t (any of them): periodic_due[t] for t below the run periods.
  std::vector<std::uint8_t> periodic_due;
  bool any_periodic_due(int t) const {
    return t >= 0 && t < static_cast<int>(periodic_due.size()) && periodic_due[static_cast<std::size_t>(t)];
  }

  bool empty() const { return items.empty(); }
};

// The stream index of an intervention id: FNV-1a 64 of the id folded to 24 bits.
std::uint32_t intervention_stream_index(const std::string& id);

// Compiles the scenario's interventions; `touchpoint_index` and `segment_index` map ids to model
// indices. Periods become run period indices (period + warmup_periods). Throws InputError for
// combinations the engine cannot honour, and when two ids hash to the same stream index (rename one).
InterventionIndex compile_interventions(const Scenario& s, const std::vector<std::string>& touchpoint_ids,
                                        const std::vector<std::string>& segment_ids);

// Per-customer memory of interventions, indexed by customer id (so blocks never share an entry).
// It grows with the base (joiners): resize keeps what is there and clears the new entries.
class InterventionState {
 public:
  static constexpr std::uint8_t kReached = 1;  // treated at least once (reach)
  static constexpr std::uint8_t kPending = 2;  // selected for treatment at the start of next period

  InterventionState() = default;
  InterventionState(std::uint32_t customers, const InterventionIndex& index);
  // Clears everything and holds `customers` customers (a new replication).
  void reset(std::uint32_t customers);
  // Holds `customers` customers; new entries are cleared. Reserve first to grow without copies.
  void resize(std::uint32_t customers);
  void reserve(std::uint64_t customers);

  std::uint8_t& marks(std::uint32_t customer, std::uint32_t intervention) {
    return marks_[static_cast<std::size_t>(customer) * interventions_ + intervention];
  }
  // First period at which the timed effects of `slot` no longer apply (0: never applied).
  std::int32_t& until(std::uint32_t customer, std::uint32_t slot) {
    return until_[static_cast<std::size_t>(customer) * timed_ + slot];
  }
  std::int32_t until(std::uint32_t customer, std::uint32_t slot) const {
    return until_[static_cast<std::size_t>(customer) * timed_ + slot];
  }
  // Some timed effect of the customer is live in period t.
  bool timed_live_at(std::uint32_t customer, int t) const {
    const std::int32_t* u = until_.data() + static_cast<std::size_t>(customer) * timed_;
    for (std::uint32_t k = 0; k < timed_; ++k) {
      if (u[k] > t) return true;
    }
    return false;
  }
  // First period at which intervention cooldown `slot` may treat the customer again (0: any).
  std::int32_t& ready(std::uint32_t customer, std::uint32_t slot) {
    return ready_[static_cast<std::size_t>(customer) * cooldowns_ + slot];
  }
  // Bytes of side state per customer.
  std::size_t bytes_per_customer() const { return interventions_ + (timed_ + cooldowns_) * sizeof(std::int32_t); }

 private:
  std::uint32_t interventions_ = 0, timed_ = 0, cooldowns_ = 0;
  std::vector<std::uint8_t> marks_;
  std::vector<std::int32_t> until_, ready_;
};

// Bytes of side state per customer a model's interventions need (0 without interventions).
std::size_t intervention_bytes_per_customer(const InterventionIndex& index);

// A waitlisted customer of a capacity-limited intervention: (priority word << 32) | customer id.
using PriorityKey = std::uint64_t;
inline std::uint32_t key_customer(PriorityKey k) { return static_cast<std::uint32_t>(k & 0xFFFFFFFFu); }

}  // namespace cxsim
