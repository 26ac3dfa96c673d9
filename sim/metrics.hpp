#pragma once
// Metrics: a replication's merged tally (and the channels' per-period numbers the runner knows from
// the queue plans) turned into the named metrics, series and per-entity counts of a
// ReplicationResult. Pure functions of the tally, so every thread count gives the same bits.
#include <vector>

#include "cxsim/results.hpp"
#include "model.hpp"
#include "tally.hpp"

namespace cxsim {

// Per-period, per-channel numbers the runner itself knows (from the queue plans).
struct ChannelPeriods {
  std::vector<double> backlog, utilization, agents, agent_cost;  // agent cost undiscounted
  double agent_cost_discounted = 0.0;
  double agent_periods = 0.0, busy_agent_periods = 0.0;
};

// Revenue of period t (undiscounted): subscription plus touchpoint revenue.
double period_revenue(const Model& m, const Tally& tally, int t);
// Total discounted revenue over the horizon.
double discounted_revenue(const Model& m, const Tally& tally);

// Every metric, series and entity count of one replication.
ReplicationResult replication_result(const Model& m, const Tally& tally, const std::vector<ChannelPeriods>& channels);

}  // namespace cxsim
