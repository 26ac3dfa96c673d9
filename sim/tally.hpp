#pragma once
// What one replication accumulates while it runs: per-thread tallies of integers and exact fixed-point
// sums, merged once per replication in any order with the same bits (../shared/STYLE.md "Accumulate
// locally, merge once"). The kernel (engine.hpp) adds to them; metrics.hpp turns the merged tally
// into a ReplicationResult.
#include <cstdint>
#include <vector>

#include "intervention.hpp"
#include "model.hpp"
#include "quantile_sketch.hpp"

namespace cxsim {

// Sum of doubles in 2^-32 fixed point, so totals are exact and associative: merging per-thread or
// per-process tallies in any order gives the same bits. Each added value is truncated to 2^-32.
struct ExactSum {
  __extension__ typedef __int128 int128;
  int128 fixed = 0;
  void add(double x) {
    const double scaled = x * 4294967296.0;
    // The 64-bit conversion is a single instruction; the 128-bit one a library call.
    if (scaled > -9.2e18 && scaled < 9.2e18) {
      fixed += static_cast<std::int64_t>(scaled);
    } else {
      fixed += static_cast<int128>(scaled);
    }
  }
  double value() const { return static_cast<double>(fixed) / 4294967296.0; }
  ExactSum& operator+=(const ExactSum& o) {
    fixed += o.fixed;
    return *this;
  }
};

// Per-channel service tallies. Contacts (and a backlog request's volume) count when they arrive;
// handled, abandoned, resolved and waits when the outcome comes (for a backlog request, the period
// of its answer).
struct ChannelTally {
  std::int64_t contacts = 0, handled = 0, abandoned = 0, resolved = 0;
  std::int64_t within_target = 0;  // answered within service_level_seconds (queue channels)
  std::int64_t pending_end = 0;    // backlog requests whose answer would come after the horizon
  ExactSum handled_wait_minutes;   // answered contacts' waits (backlog: real minutes to the answer)
  QuantileSketch handled_waits;
  std::vector<std::int64_t> contacts_by_period, abandoned_by_period, handled_by_period, within_target_by_period;
  std::vector<ExactSum> wait_by_period;  // answered waits, minutes, by period of the outcome
  // This period's demand, which couples the customers: contacts per interval of the open day and per
  // segment (the mean patience of the channel's contacts). The runner reduces and clears them.
  std::vector<std::int64_t> period_interval_contacts, period_segment_contacts;
};

// Per-intervention tallies. `waitlist` is transient: the runner drains it after every period.
struct InterventionTally {
  std::int64_t fired = 0;          // trigger condition held for a targeted customer
  std::int64_t waitlisted = 0;     // capacity-limited: fired, covered and put on the list
  std::int64_t uses = 0;           // treatments applied
  std::int64_t reach = 0;          // distinct customers treated
  std::int64_t issues_closed = 0;  // open issues closed by a close_issue effect
  ExactSum cost_discounted;
  std::vector<std::int64_t> uses_by_period, waitlisted_by_period;
  std::vector<PriorityKey> waitlist;
};

// Everything one replication accumulates over `periods` consecutive periods of the run, from run
// period index `first` (the measured horizon, or the warm-up, whose tallies are discarded). Integers
// and ExactSums only: merge is exact. "Cohort" is the measured base: the customers active at the
// start of period 0 (MODEL.md "A customer base over time"); joiners of the horizon are the others.
struct Tally {
  // The measured horizon: run period indices warmup .. warmup + horizon - 1.
  explicit Tally(const Model& m);
  Tally(const Model& m, int first, int periods);
  void merge(const Tally& other);

  // Every summed field as one flat array of 128-bit integers (int64 counts widened, ExactSums as
  // they are), in a fixed order for a given model: what processes add up element-wise (cluster.hpp)
  // to merge their tallies exactly. set_words reads back what words wrote (the transient waitlists
  // and this period's demand are not part of it).
  std::vector<ExactSum::int128> words() const;
  void set_words(const std::vector<ExactSum::int128>& words);

  int first = 0;  // run period index of the tally's period 0
  // Position of run period index t in the per-period vectors.
  std::size_t at(int t) const { return static_cast<std::size_t>(t - first); }

  // Subscription revenue is counted, not summed: starts[(p * segments + g) * 2 + cohort] customers of
  // segment g (of the cohort, or not) started period p active. Touchpoint revenue and costs are
  // summed (discounted), touchpoint revenue for everyone and for the cohort.
  std::vector<std::int64_t> starts;
  std::size_t start_index(int t, std::size_t segments, std::size_t g, bool cohort) const {
    return ((at(t) * segments + g) << 1) | static_cast<std::size_t>(cohort);
  }
  ExactSum touchpoint_revenue, touchpoint_revenue_cohort, touchpoint_cost, contact_cost;
  // Terminal value (MODEL.md "Value beyond the horizon") of everyone, and of the cohort, active at the
  // horizon: gross margin x revenue_per_period x d^T / (1 - d (1 - p_T)).
  ExactSum terminal_value, terminal_value_cohort;
  std::int64_t survey_responses = 0, survey_promoters = 0, survey_detractors = 0;
  std::int64_t cohort_hazard_churns = 0, cohort_exit_churns = 0;  // churns of the cohort
  std::vector<std::int64_t> visits, failures, exits;              // per touchpoint, everyone

  // Service, over all channels.
  std::int64_t satisfied = 0, ces_sum = 0;  // per contact (CSAT 4-5; CES score)
  std::int64_t first_contacts = 0, first_contact_resolved = 0;
  std::int64_t service_resolutions = 0, service_resolution_periods = 0;  // ART
  std::vector<ChannelTally> channels;
  std::vector<InterventionTally> interventions;

  // Per period (everyone; cohort_active_end: the cohort).
  std::vector<std::int64_t> active_end, cohort_active_end, open_issues_end;
  std::vector<ExactSum> touchpoint_revenue_by_period;  // undiscounted
  std::vector<ExactSum> nps_sum;                       // sum of P(promoter|s) - P(detractor|s), when due
  std::vector<ExactSum> referrals_by_period;           // expected referrals (referral_rate x P(promoter))
};

}  // namespace cxsim
