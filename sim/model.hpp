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

struct SegmentModel : Segment {
  CumulativeTable entry_pick;  // over entry_touchpoints
  std::vector<std::uint32_t> entry_touchpoints;
  CumulativeTable channel_pick;  // over channels (empty when there are no channels)
};

struct TouchpointModel : Touchpoint {
  std::uint32_t edge_begin = 0, edge_end = 0;  // row of the CSR edge arrays
  std::uint32_t last_edge = 0;                 // row-relative index of the last edge (weights are > 0)
};

// A channel of the model (MODEL.md "Service", version 2): its open day split into K intervals of
// interval_minutes, the contacts' arrival profile over them, and the servers on duty in each.
struct ChannelModel : Channel {
  bool unlimited = true;               // agents null or absent: no queue, no wait
  std::vector<int> agents_by_period;   // paid staffing per period (empty when unlimited)
  int intervals = 1;                   // K
  double interval_minutes = 0.0;       // L = hours_per_period * 60 / K
  bool around_the_clock = false;       // open the whole period: the queue carries into the next one
  CumulativeTable interval_pick;       // a contact's interval, by arrival_profile
  std::vector<double> arrival_share;   // w_i / sum(w)
  std::vector<double> staffing_share;  // v_i / mean(v): 1 for a flat day
  // Backlog channels: the capacity (requests) worked before the start of each interval of the run,
  // slot t * K + i, and at its end (the last entry): the fluid's clock (backlog.hpp).
  std::vector<double> capacity_before;

  bool backlog() const { return !unlimited && kind == ChannelKind::kBacklog; }
  bool queue() const { return !unlimited && kind == ChannelKind::kQueue; }
  // Servers on duty in interval i of period t: floor(agents_t (1 - shrinkage) concurrency v_i /
  // mean(v) + 0.5 + 1e-9) (MODEL.md "Details of version 2").
  int servers(int t, int i) const;
};

struct Model {
  // Run size and identity.
  std::uint64_t seed;
  int horizon_periods;
  int replications;
  std::uint32_t customers;
  double period_days;
  std::vector<double> discount;  // d^t per period, d = (1 + annual rate)^(-period_days / 365)
  std::vector<char> nps_due;     // 1 when population NPS is recorded at the end of period t
  std::vector<int> nps_periods;  // the periods where nps_due is 1

  std::vector<SegmentModel> segments;
  CumulativeTable segment_pick;
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
