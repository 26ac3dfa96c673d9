#pragma once
// The compiled model: an immutable, flat view of a validated Scenario for the hot loop. Touchpoints
// and segments become indices; each touchpoint's out-edges become a CSR row with a Walker/Vose
// alias table (one uniform picks an edge in O(1)); shares become alias tables too; discount
// factors and NPS report periods are precomputed. A segment, touchpoint or channel of the model
// is its scenario struct (every key, with its schema default) plus what is compiled from it, so a
// new scenario key reaches the kernel without being copied here.
#include <cstdint>
#include <string>
#include <vector>

#include "cxsim/scenario.hpp"
#include "intervention.hpp"

namespace cxsim {

// Walker/Vose alias table over n outcomes: pick(u) with one uniform u in (0, 1).
struct AliasTable {
  std::vector<double> prob;          // acceptance threshold per column
  std::vector<std::uint32_t> alias;  // alternative outcome per column
  static AliasTable build(const std::vector<double>& weights);
  std::uint32_t pick(double u) const;
  std::size_t size() const { return prob.size(); }
};

struct SegmentModel : Segment {
  AliasTable entry_pick;  // over entry_touchpoints
  std::vector<std::uint32_t> entry_touchpoints;
  AliasTable channel_pick;  // over channels (empty when there are no channels)
};

struct TouchpointModel : Touchpoint {
  std::uint32_t edge_begin = 0, edge_end = 0;  // row of the CSR edge arrays
};

struct ChannelModel : Channel {
  bool unlimited = true;              // agents null or absent: no queue
  std::vector<int> agents_by_period;  // staffing per period (empty when unlimited)
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
  AliasTable segment_pick;
  std::vector<TouchpointModel> touchpoints;
  std::vector<std::uint32_t> edge_target;  // CSR
  AliasTable edges;                        // per-row alias tables stored flat (indices row-relative)
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
