#pragma once
// Metrics: a replication's merged tally (and the channels' per-period numbers the runner knows from
// the queue plans) turned into the named metrics, series and per-entity counts of a
// ReplicationResult. Pure functions of the tally, so every thread count gives the same bits.
#include <vector>

#include "cxsim/results.hpp"
#include "model.hpp"
#include "tally.hpp"

namespace cxsim {

// Per-period, per-channel numbers the runner itself knows (from the queue plans): paid agents and
// their cost, server-minutes on duty and busy (occupancy: from the Erlang A chain of a queue
// channel, from work done of a backlog one; open hours only), the backlog at close, and sums over
// the horizon per interval of the open day (the intraday profile).
struct ChannelPeriods {
  std::vector<double> agents, agent_cost;  // per period; cost undiscounted
  std::vector<double> busy_server_minutes, on_duty_server_minutes, backlog;
  double agent_cost_discounted = 0.0;
  std::vector<double> interval_arrivals, interval_servers;  // sums over the horizon, per interval
};

// What the runner knows of the base over time (MODEL.md "A customer base over time"): the cohort
// (the customers active at the start of period 0, whom retention and CLV follow) and the joiners of
// each reported period (scheduled acquisition plus referrals that join).
struct BasePeriods {
  double cohort = 0.0;
  std::vector<double> joined;  // per reported period
};

// Revenue of reported period p (undiscounted): subscription plus touchpoint revenue, everyone.
double period_revenue(const Model& m, const Tally& tally, int p);
// Total discounted revenue over the horizon, of everyone or of the cohort only.
double discounted_revenue(const Model& m, const Tally& tally, bool cohort_only = false);

// Every metric, series and entity count of one replication.
ReplicationResult replication_result(const Model& m, const Tally& tally, const std::vector<ChannelPeriods>& channels,
                                     const BasePeriods& base);

}  // namespace cxsim
