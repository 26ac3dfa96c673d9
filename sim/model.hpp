#pragma once
// The compiled model: an immutable, flat view of a validated Scenario for the hot loop. Touchpoints
// and segments become indices; each touchpoint's out-edges become a CSR row of cumulative shares
// (one uniform picks an edge by inversion, in id order); shares become cumulative tables too; discount
// factors and NPS report periods are precomputed. A segment, touchpoint or channel of the model
// is its scenario struct (every key, with its schema default) plus what is compiled from it, so a
// new scenario key reaches the kernel without being copied here.
#include <cstdint>
#include <string>
#include <vector>

#include "cxsim/scenario.hpp"
#include "intervention.hpp"

namespace cxsim {

// A schedule (MODEL.md "A customer base over time": a number or {"default", "weekly", "periods"})
// compiled for the run's periods: indexed by the run's period index t = period + warmup_periods
// (0 = the first warm-up period), over every period of the run and the first one after the horizon
// (the revenue a terminal value runs on). A constant schedule keeps no table: the kernel's common
// case reads one number.
struct PeriodTable {
  double constant = 0.0;
  std::vector<double> by_period;  // empty when constant
  double operator()(int t) const { return by_period.empty() ? constant : by_period[static_cast<std::size_t>(t)]; }
  // Periods first_period .. first_period + count - 1 of `schedule` (first_period < 0 in a warm-up).
  static PeriodTable compile(const Schedule& schedule, int first_period, int count);
};

// A categorical draw by inversion of the cumulative weights, in the order given (id order for
// scenario collections, MODEL.md "Randomness and reproducibility"): pick(u) is the first outcome
// whose cumulative share exceeds u. Monotone in the weights: a variant that changes one weight moves
// only the draws near that boundary, so common random numbers stay aligned (an alias table would
// reshuffle every draw). Outcomes of weight 0 are never picked.
struct CumulativeTable {
  std::vector<double> cumulative;  // running share after each outcome; the last positive one is 1
  std::uint32_t last = 0;          // the last outcome with a positive weight
  static CumulativeTable build(const std::vector<double>& weights);
  std::uint32_t pick(double u) const {
    return pick_in(cumulative.data(), static_cast<std::uint32_t>(cumulative.size()), last, u);
  }
  std::size_t size() const { return cumulative.size(); }
  // The same over a row stored elsewhere (a touchpoint's out-edges in the model's flat arrays).
  static std::uint32_t pick_in(const double* cumulative, std::uint32_t n, std::uint32_t last, double u) {
    for (std::uint32_t i = 0; i + 1 < n; ++i) {
      if (u < cumulative[i]) return i;
    }
    return last < n ? last : n - 1;
  }
};

// A start: where a customer is placed (not a visit), by inversion over `touchpoints`.
struct EntryPick {
  CumulativeTable pick;
  std::vector<std::uint32_t> touchpoints;
  std::uint32_t operator()(double u) const { return touchpoints[pick.pick(u)]; }
};

struct SegmentModel : Segment {
  EntryPick entry;               // initial customers' start
  CumulativeTable channel_pick;  // over channels (empty when there are no channels)
  PeriodTable contact_propensity_at, revenue_at;  // the schedules, by run period index
  // The experience weight's factor by [q < s]: 1, or negativity_bias (a lookup, not a branch: whether
  // an experience is worse than the sentiment is a coin toss the processor cannot predict).
  double bias_if_worse[2] = {1.0, 1.0};
};

struct TouchpointModel : Touchpoint {
  std::uint32_t edge_begin = 0, edge_end = 0;  // row of the CSR edge arrays
  std::uint32_t last_edge = 0;                 // row-relative index of the last edge (weights are > 0)
  PeriodTable failure_at;                      // the failure schedule, by run period index
};

// A channel of the model (MODEL.md "Service", version 2): its open day split into K intervals of
// interval_minutes, the contacts' arrival profile over them, and the servers on duty in each.
struct ChannelModel : Channel {
  bool unlimited = true;               // agents null or absent: no queue, no wait
  PeriodTable agents_at;               // paid staffing, by run period index (unlimited: unused)
  PeriodTable aht_at;                  // average handle time (minutes), by run period index
  int intervals = 1;                   // K
  double interval_minutes = 0.0;       // L = hours_per_period * 60 / K
  bool around_the_clock = false;       // open the whole period: the queue carries into the next one
  CumulativeTable interval_pick;       // a contact's interval, by arrival_profile
  std::vector<double> arrival_share;   // w_i / sum(w)
  std::vector<double> staffing_share;  // v_i / mean(v): 1 for a flat day
  // Backlog channels: the capacity (requests) worked before the start of each interval of the run,
  // slot t * K + i (t the run period index, warm-up included), and at its end (the last entry): the
  // fluid's clock (backlog.hpp).
  std::vector<double> capacity_before;

  bool backlog() const { return !unlimited && kind == ChannelKind::kBacklog; }
  bool queue() const { return !unlimited && kind == ChannelKind::kQueue; }
  // Servers on duty in interval i of run period index t: floor(agents_t (1 - shrinkage) concurrency
  // v_i / mean(v) + 0.5 + 1e-9) (MODEL.md "Details of version 2").
  int servers(int t, int i) const;
};

// Time: a run simulates warmup_periods periods before period 0, then horizon_periods. The engine
// counts them with one run period index t = period + warmup_periods (0 = the first warm-up period),
// so every per-period table and every period stored in a customer's state is a non-negative index;
// reports number the measured periods 0 .. horizon - 1.
struct Model {
  // Run size and identity.
  std::string file;  // the scenario file, for diagnostics
  std::uint64_t seed;
  int horizon_periods;
  int warmup_periods;
  int replications;
  std::uint32_t customers;  // initial customers (ids 0 .. customers - 1)
  double period_days;
  double discount_factor;        // d = (1 + annual rate)^(-period_days / 365)
  std::vector<double> discount;  // d^period by run period index; 0 in the warm-up (nothing is costed)
  std::vector<char> nps_due;     // 1 when population NPS is recorded at the end of run period index t
  std::vector<int> nps_periods;  // the (reported) periods where NPS is recorded
  double gross_margin;

  // The base over time: joiners per run period index (floor(A(t+1)) - floor(A(t)), A the cumulative
  // scheduled acquisition from the first warm-up period), their segment and start.
  std::vector<std::uint32_t> joiners;  // empty without acquisition
  std::uint64_t scheduled_joiners = 0;  // their sum
  CumulativeTable joiner_segment_pick;
  EntryPick joiner_entry;
  bool referrals_join = false;
  double max_referral_rate = 0.0;  // the largest segment referral_rate (the memory bound)

  int periods() const { return warmup_periods + horizon_periods; }
  // Upper bound on the customers a replication can hold: the initial ones, every scheduled joiner,
  // and (referrals_join) referrals at the largest referral rate with everyone a promoter; capped at
  // 2^32 - 1 (ids are 32-bit).
  std::uint64_t max_customers() const;

  std::vector<SegmentModel> segments;
  CumulativeTable segment_pick;  // initial customers' segment
  std::vector<TouchpointModel> touchpoints;
  std::vector<std::uint32_t> edge_target;  // CSR
  std::vector<double> edge_cumulative;     // per-row cumulative shares of the out-edges (CSR)
  std::vector<ChannelModel> channels;
  Service service;  // wait_penalty, resolution_bonus, unresolved_penalty (channels are in `channels`)
  ChurnCoefficients churn;
  NpsSpec nps;
  InterventionIndex interventions;  // empty when the scenario has none

  // Ids for reporting, in model index order.
  std::vector<std::string> segment_ids, touchpoint_ids, channel_ids;  // interventions.ids too

  // Picks the out-edge target of touchpoint v with one uniform.
  std::uint32_t next_touchpoint(std::uint32_t v, double u) const;
};

// Compiles a validated scenario. Throws InputError for what the engine does not support.
Model compile_model(const Scenario& scenario);

}  // namespace cxsim
