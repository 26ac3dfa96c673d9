// Service metrics of a replication (see service_metrics.hpp).
#include "service_metrics.hpp"

#include <cmath>
#include <string>

namespace cxsim {

namespace {

double ratio(double num, double den) { return den > 0.0 ? num / den : std::nan(""); }
double count(std::int64_t x) { return static_cast<double>(x); }

}  // namespace

void service_metrics(const Model& m, const Tally& t, const std::vector<ChannelPeriods>& cs, ReplicationResult& r) {
  const int horizon = m.horizon_periods;
  auto& metrics = r.metrics;
  auto& series = r.series;

  // Over staffed queue channels (FRT, service level, abandonment), staffed channels (AHT,
  // occupancy), backlog channels (their waits) and all contacts (CSAT, CES, tickets).
  std::int64_t contacts = 0, queue_contacts = 0, queue_abandoned = 0, queue_answered = 0, within = 0;
  std::int64_t staffed_handled = 0, backlog_answered = 0;
  double queue_wait = 0.0, backlog_wait = 0.0, aht_weighted = 0.0, busy = 0.0, on_duty = 0.0;
  QuantileSketch waits;
  for (std::size_t k = 0; k < m.channels.size(); ++k) {
    const ChannelModel& ch = m.channels[k];
    const ChannelTally& ct = t.channels[k];
    contacts += ct.contacts;
    if (ch.unlimited) continue;
    staffed_handled += ct.handled;
    for (int p = 0; p < horizon; ++p) {
      aht_weighted += ch.aht_at(t.first + p) * count(ct.handled_by_period[static_cast<std::size_t>(p)]);
      busy += cs[k].busy_server_minutes[p];
      on_duty += cs[k].on_duty_server_minutes[p];
    }
    if (ch.queue()) {
      queue_contacts += ct.contacts;
      queue_abandoned += ct.abandoned;
      queue_answered += ct.handled;
      within += ct.within_target;
      queue_wait += ct.handled_wait_minutes.value();
      waits.merge(ct.handled_waits);
    } else {
      backlog_answered += ct.handled;
      backlog_wait += ct.handled_wait_minutes.value();
    }
  }
  const double nc = count(contacts);
  metrics["csat"] = 100.0 * ratio(count(t.satisfied), nc);
  metrics["ces"] = ratio(count(t.ces_sum), nc);
  metrics["frt_minutes"] = ratio(queue_wait, count(queue_answered));
  metrics["frt_p90_minutes"] = waits.count() > 0 ? waits.quantile(0.9) : std::nan("");
  metrics["service_level"] = ratio(count(within), count(queue_contacts));
  metrics["abandonment"] = ratio(count(queue_abandoned), count(queue_contacts));
  metrics["backlog_wait_hours"] = ratio(backlog_wait / 60.0, count(backlog_answered));
  metrics["art_periods"] = ratio(count(t.service_resolution_periods), count(t.service_resolutions));
  metrics["first_contacts"] = count(t.first_contacts);
  metrics["fcr"] = ratio(count(t.first_contact_resolved), count(t.first_contacts));
  metrics["aht_minutes"] = ratio(aht_weighted, count(staffed_handled));
  metrics["utilization"] = ratio(busy, on_duty);
  metrics["tickets_per_period"] = nc / horizon;

  if (m.channels.empty()) return;
  std::vector<double> tickets(horizon, 0.0), frt(horizon), util(horizon), level(horizon), abandonment(horizon);
  for (int p = 0; p < horizon; ++p) {
    double wait_sum = 0.0, answered = 0.0, busy_p = 0.0, on_duty_p = 0.0, offered = 0.0, within_p = 0.0, lost = 0.0;
    for (std::size_t k = 0; k < m.channels.size(); ++k) {
      const ChannelTally& ct = t.channels[k];
      tickets[p] += count(ct.contacts_by_period[p]);
      busy_p += cs[k].busy_server_minutes[p];
      on_duty_p += cs[k].on_duty_server_minutes[p];
      if (!m.channels[k].queue()) continue;
      wait_sum += ct.wait_by_period[p].value();
      answered += count(ct.handled_by_period[p]);
      offered += count(ct.contacts_by_period[p]);
      within_p += count(ct.within_target_by_period[p]);
      lost += count(ct.abandoned_by_period[p]);
    }
    frt[p] = ratio(wait_sum, answered);
    util[p] = ratio(busy_p, on_duty_p);
    level[p] = ratio(within_p, offered);
    abandonment[p] = ratio(lost, offered);
  }
  series["tickets"] = std::move(tickets);
  series["frt"] = std::move(frt);
  series["utilization"] = std::move(util);
  series["service_level"] = std::move(level);
  series["abandonment"] = std::move(abandonment);

  for (std::size_t k = 0; k < m.channels.size(); ++k) {
    const ChannelModel& ch = m.channels[k];
    const ChannelTally& ct = t.channels[k];
    const ChannelPeriods& cp = cs[k];
    const std::string& id = m.channel_ids[k];
    auto& counts = r.channels[id].values;
    counts["contacts"] = count(ct.contacts);
    counts["handled"] = count(ct.handled);
    counts["abandoned"] = count(ct.abandoned);
    counts["resolved"] = count(ct.resolved);
    double channel_busy = 0.0, channel_on_duty = 0.0, agent_cost = 0.0;
    for (int p = 0; p < horizon; ++p) {
      channel_busy += cp.busy_server_minutes[p];
      channel_on_duty += cp.on_duty_server_minutes[p];
      agent_cost += cp.agent_cost[p];
    }
    counts["utilization"] = ratio(channel_busy, channel_on_duty);
    counts["cost"] = agent_cost + ch.cost_per_contact * count(ct.contacts);
    const double wait_mean = ratio(ct.handled_wait_minutes.value(), count(ct.handled));
    std::vector<double> tk(horizon), fr(horizon), util_k(horizon), lost(horizon);
    for (int p = 0; p < horizon; ++p) {
      tk[p] = count(ct.contacts_by_period[p]);
      util_k[p] = ratio(cp.busy_server_minutes[p], cp.on_duty_server_minutes[p]);
      lost[p] = count(ct.abandoned_by_period[p]);
      fr[p] = ch.unlimited ? 0.0 : ratio(ct.wait_by_period[p].value(), count(ct.handled_by_period[p]));
    }
    series["tickets." + id] = std::move(tk);
    if (ch.backlog()) {
      counts["frt_minutes"] = std::nan("");  // FRT is a queue measure; a backlog's waits are in hours
      counts["wait_hours"] = wait_mean / 60.0;
      counts["backlog_end"] = cp.backlog[horizon - 1];
      counts["pending_end"] = count(ct.pending_end);
      for (double& x : fr) x /= 60.0;
      series["wait_hours." + id] = std::move(fr);
      series["backlog." + id] = cp.backlog;
    } else {
      counts["frt_minutes"] = ch.unlimited ? 0.0 : wait_mean;
      counts["frt_p90_minutes"] =
          ch.unlimited ? 0.0 : (ct.handled_waits.count() ? ct.handled_waits.quantile(0.9) : std::nan(""));
      series["frt." + id] = std::move(fr);
    }
    if (ch.unlimited) continue;
    series["utilization." + id] = std::move(util_k);
    series["abandoned." + id] = std::move(lost);
    if (ch.queue()) {
      counts["service_level"] = ratio(count(ct.within_target), count(ct.contacts));
      std::vector<double> level_k(horizon);
      for (int p = 0; p < horizon; ++p) {
        level_k[p] = ratio(count(ct.within_target_by_period[p]), count(ct.contacts_by_period[p]));
      }
      series["service_level." + id] = std::move(level_k);
    }
    // The intraday profile: per interval of the open day, the mean over the horizon of the contacts
    // that arrived, of the agents on duty and of the servers (agents x concurrency) (MODEL.md
    // "arrival_profile", "intraday_staffing").
    auto& profile = r.intraday[id];
    profile["interval_minutes"] = {ch.interval_minutes};
    std::vector<double> arrivals(ch.intervals), agents(ch.intervals), servers(ch.intervals);
    for (int i = 0; i < ch.intervals; ++i) {
      arrivals[i] = cp.interval_arrivals[i] / horizon;
      servers[i] = cp.interval_servers[i] / horizon;
      agents[i] = servers[i] / ch.concurrency;  // agents on duty (after shrinkage)
    }
    profile["arrivals"] = std::move(arrivals);
    profile["agents"] = std::move(agents);
    profile["servers"] = std::move(servers);
  }
}

}  // namespace cxsim
