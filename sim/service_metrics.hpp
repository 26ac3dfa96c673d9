#pragma once
// The service metrics of a replication (MODEL.md "Service", version 2): FRT, service level and
// abandonment over staffed queue channels, occupancy as utilization, CSAT, CES, FCR, ART, AHT, the
// backlog channels' waits, and the per-channel counts, series and intraday profiles.
#include <vector>

#include "cxsim/results.hpp"
#include "metrics.hpp"
#include "model.hpp"
#include "tally.hpp"

namespace cxsim {

// Adds the service metrics, series, channel counts and intraday profiles to `r`.
void service_metrics(const Model& m, const Tally& t, const std::vector<ChannelPeriods>& channels, ReplicationResult& r);

}  // namespace cxsim
