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

// Everything one replication accumulates. Integers and ExactSums only: merge is exact.
struct Tally {
  explicit Tally(const Model& m);
  void merge(const Tally& other);

  // Subscription revenue is counted, not summed: starts[t * segments + g] customers of segment g
  // started period t active. Touchpoint revenue and costs are summed (discounted).
  std::vector<std::int64_t> starts;
  ExactSum touchpoint_revenue, touchpoint_cost, contact_cost, referrals;
  std::int64_t survey_responses = 0, survey_promoters = 0, survey_detractors = 0;
  std::int64_t hazard_churns = 0, exit_churns = 0;
  std::vector<std::int64_t> visits, failures, exits;  // per touchpoint

  // Service, over all channels.
  std::int64_t satisfied = 0, ces_sum = 0;  // per contact (CSAT 4-5; CES score)
  std::int64_t first_contacts = 0, first_contact_resolved = 0;
  std::int64_t service_resolutions = 0, service_resolution_periods = 0;  // ART
  std::vector<ChannelTally> channels;
  std::vector<InterventionTally> interventions;

  // Per period.
  std::vector<std::int64_t> active_end, open_issues_end;
  std::vector<ExactSum> touchpoint_revenue_by_period;  // undiscounted
  std::vector<ExactSum> nps_sum;                       // sum of P(promoter|s) - P(detractor|s), when due
};

}  // namespace cxsim
