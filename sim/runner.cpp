#include "cxsim/runner.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>
#include <string>
#include <thread>

#include "diagnostic_sink.hpp"
#include "engine.hpp"
#include "queue.hpp"
#include "run_model.hpp"

namespace cxsim {

Interrupted::Interrupted(int replication, int period, int replications_done)
    : std::runtime_error("interrupted in replication " + std::to_string(replication + 1) + " before period " +
                         std::to_string(period)),
      replication_(replication),
      period_(period),
      replications_done_(replications_done) {}

std::size_t state_bytes_per_customer() { return sizeof(Customer); }

std::size_t state_bytes_per_customer(const Model& model) {
  return sizeof(Customer) + intervention_bytes_per_customer(model.interventions);
}

std::uint64_t estimate_memory_bytes(const Model& model, int threads) {
  const std::uint64_t horizon = static_cast<std::uint64_t>(std::max(model.horizon_periods, 0));
  const std::uint64_t segments = model.segments.size(), touchpoints = model.touchpoints.size();
  const std::uint64_t channels = model.channels.size();
  const std::uint64_t workers =
      threads > 0 ? static_cast<std::uint64_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
  // One tally per worker plus the merged one (engine.hpp Tally: per-period counts, per segment and
  // period subscription starts, per touchpoint counts, per channel and period queue tallies).
  const std::uint64_t per_tally = sizeof(Tally) + touchpoints * 3 * 8 + horizon * (64 + segments * 8) +
                                  channels * (sizeof(ChannelTally) + horizon * 40 + 16 * 1024);
  const std::uint64_t tallies = per_tally * (workers + 1);
  // Results are kept for every replication: series of one value per period (4, and with channels
  // 3 more plus 4 per channel), NPS per report period, and the per-entity counts.
  const std::uint64_t series_values =
      horizon * (4 + (channels > 0 ? 3 + 4 * channels : 0) + 2 * model.interventions.items.size()) +
      model.nps_periods.size();
  const std::uint64_t per_replication = series_values * 8 + (touchpoints * 3 + channels * 9 + 64) * 64;
  const std::uint64_t results = static_cast<std::uint64_t>(std::max(model.replications, 1)) * per_replication;
  const std::uint64_t channel_series = channels * horizon * 4 * 8;
  // Capacity-limited waitlists hold at most one 8-byte key per customer and intervention.
  const std::uint64_t waitlists = static_cast<std::uint64_t>(model.customers) * 8 * model.interventions.limited.size();
  return static_cast<std::uint64_t>(model.customers) * state_bytes_per_customer(model) + waitlists + tallies + results +
         channel_series + (64ull << 20);
}

static std::uint64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return std::numeric_limits<std::uint64_t>::max();  // unknown platform: do not refuse
}

void check_memory(const Scenario& scenario, int threads) {
  check_memory(scenario.file, compile_model(scenario), threads);
}

void check_memory(const std::string& file, const Model& model, int threads) {
  check_memory(file, model, threads, available_memory_bytes());
}

void check_memory(const std::string& file, const Model& model, int threads, std::uint64_t available_bytes) {
  const std::uint64_t need = estimate_memory_bytes(model, threads);
  if (need > available_bytes) {
    std::ostringstream msg;
    msg.precision(3);
    msg << "this run needs about " << need / 1073741824.0 << " GiB of memory (" << model.customers << " customers x "
        << state_bytes_per_customer(model) << " bytes of state, plus tallies and the results of " << model.replications
        << " replications x " << model.horizon_periods << " periods), but this machine has "
        << available_bytes / 1073741824.0
        << " GiB available; reduce population.customers (--customers), replications (--replications) or "
           "horizon_periods (--horizon)";
    throw InputError({{Severity::kError, file, "/population/customers", msg.str()}});
  }
}

namespace {

// Runs `body(first, last, tally)` over fixed blocks of customers, in parallel.
template <typename Body>
void for_blocks(std::uint32_t n, tbb::enumerable_thread_specific<Tally>& locals, const Body& body) {
  const std::uint32_t blocks = (n + kBlockCustomers - 1) / kBlockCustomers;
  tbb::parallel_for(
      tbb::blocked_range<std::uint32_t>(0, blocks, 1),
      [&](const tbb::blocked_range<std::uint32_t>& r) {
        Tally& tally = locals.local();
        for (std::uint32_t b = r.begin(); b != r.end(); ++b) {
          const std::uint32_t first = b * kBlockCustomers;
          body(first, std::min(n, first + kBlockCustomers), tally);
        }
      },
      tbb::simple_partitioner());
}

double ratio(double num, double den) { return den > 0.0 ? num / den : std::nan(""); }

// Per-period, per-channel numbers the runner itself knows (from the queue plans).
struct ChannelSeries {
  std::vector<double> backlog, utilization, agents, agent_cost;  // agent cost undiscounted
  double agent_cost_discounted = 0.0;
  double agent_periods = 0.0, busy_agent_periods = 0.0;
};

ReplicationResult finalize(const Model& m, const Tally& t, const std::vector<ChannelSeries>& cs) {
  ReplicationResult r;
  const int horizon = m.horizon_periods;
  const double n = m.customers;
  auto& metrics = r.metrics;

  const double active_end = static_cast<double>(t.active_end[horizon - 1]);
  metrics["nps"] = 100.0 * ratio(t.nps_sum[horizon - 1].value(), active_end);
  metrics["survey_nps"] = 100.0 * ratio(static_cast<double>(t.survey_promoters - t.survey_detractors),
                                        static_cast<double>(t.survey_responses));
  metrics["survey_responses"] = static_cast<double>(t.survey_responses);
  metrics["retention"] = active_end / n;
  metrics["churned"] = 1.0 - active_end / n;
  metrics["exit_churned"] = t.exit_churns / n;
  metrics["hazard_churned"] = t.hazard_churns / n;
  const double revenue = discounted_revenue(m, t);
  metrics["revenue"] = revenue;
  metrics["clv"] = revenue / n;
  double agent_cost = 0.0;
  for (const ChannelSeries& c : cs) agent_cost += c.agent_cost_discounted;
  const double service_cost = agent_cost + t.contact_cost.value();
  metrics["service_cost"] = service_cost;
  double intervention_cost = 0.0;
  for (const InterventionTally& it : t.interventions) intervention_cost += it.cost_discounted.value();
  metrics["intervention_cost"] = intervention_cost;
  metrics["touchpoint_cost"] = t.touchpoint_cost.value();
  metrics["net_value"] = revenue - service_cost - intervention_cost - t.touchpoint_cost.value();
  metrics["referrals"] = t.referrals.value();
  metrics["referral_value"] = t.referrals.value() * revenue / n;

  // Service.
  std::int64_t contacts = 0, abandoned = 0, staffed_handled = 0;
  double staffed_wait = 0.0, aht_weighted = 0.0, agent_periods = 0.0, busy = 0.0;
  QuantileSketch waits;
  for (std::size_t k = 0; k < m.channels.size(); ++k) {
    const ChannelTally& ct = t.channels[k];
    contacts += ct.contacts;
    abandoned += ct.abandoned;
    if (!m.channels[k].unlimited) {
      staffed_handled += ct.handled;
      staffed_wait += ct.handled_wait_minutes.value();
      aht_weighted += m.channels[k].aht_minutes * ct.handled;
      waits.merge(ct.handled_waits);
    }
    agent_periods += cs[k].agent_periods;
    busy += cs[k].busy_agent_periods;
  }
  const double nc = static_cast<double>(contacts);
  metrics["csat"] = 100.0 * ratio(static_cast<double>(t.satisfied), nc);
  metrics["ces"] = ratio(static_cast<double>(t.ces_sum), nc);
  metrics["frt_minutes"] = ratio(staffed_wait, static_cast<double>(staffed_handled));
  metrics["frt_p90_minutes"] = waits.count() > 0 ? waits.quantile(0.9) : std::nan("");
  metrics["art_periods"] =
      ratio(static_cast<double>(t.service_resolution_periods), static_cast<double>(t.service_resolutions));
  metrics["first_contacts"] = static_cast<double>(t.first_contacts);
  metrics["fcr"] = ratio(static_cast<double>(t.first_contact_resolved), static_cast<double>(t.first_contacts));
  metrics["aht_minutes"] = ratio(aht_weighted, static_cast<double>(staffed_handled));
  metrics["utilization"] = ratio(busy, agent_periods);
  metrics["tickets_per_period"] = nc / horizon;
  metrics["abandonment"] = ratio(static_cast<double>(abandoned), nc);

  // Series.
  auto& series = r.series;
  std::vector<double> active(horizon), retention(horizon), rev(horizon), issues(horizon);
  std::vector<double> tickets(horizon, 0.0), frt(horizon), util(horizon);
  for (int p = 0; p < horizon; ++p) {
    active[p] = static_cast<double>(t.active_end[p]);
    retention[p] = active[p] / n;
    rev[p] = period_revenue(m, t, p);
    issues[p] = static_cast<double>(t.open_issues_end[p]);
    double wait_sum = 0.0, handled = 0.0, agents = 0.0, busy_p = 0.0;
    for (std::size_t k = 0; k < m.channels.size(); ++k) {
      tickets[p] += static_cast<double>(t.channels[k].contacts_by_period[p]);
      if (!m.channels[k].unlimited) {
        wait_sum += t.channels[k].wait_by_period[p].value();
        handled += static_cast<double>(t.channels[k].handled_by_period[p]);
        agents += cs[k].agents[p];
        busy_p += cs[k].agents[p] * cs[k].utilization[p];
      }
    }
    frt[p] = ratio(wait_sum, handled);
    util[p] = ratio(busy_p, agents);
  }
  series["active"] = std::move(active);
  series["retention"] = std::move(retention);
  series["revenue"] = std::move(rev);
  series["open_issues"] = std::move(issues);
  std::vector<double> nps;
  for (int p : m.nps_periods) nps.push_back(100.0 * ratio(t.nps_sum[p].value(), static_cast<double>(t.active_end[p])));
  series["nps"] = std::move(nps);
  if (!m.channels.empty()) {
    series["tickets"] = std::move(tickets);
    series["frt"] = std::move(frt);
    series["utilization"] = std::move(util);
  }

  for (std::size_t v = 0; v < m.touchpoints.size(); ++v) {
    auto& counts = r.touchpoints[m.touchpoint_ids[v]].values;
    counts["visits"] = static_cast<double>(t.visits[v]);
    counts["failures"] = static_cast<double>(t.failures[v]);
    counts["exits"] = static_cast<double>(t.exits[v]);
  }
  for (std::size_t k = 0; k < m.channels.size(); ++k) {
    const ChannelTally& ct = t.channels[k];
    const std::string& id = m.channel_ids[k];
    auto& counts = r.channels[id].values;
    counts["contacts"] = static_cast<double>(ct.contacts);
    counts["handled"] = static_cast<double>(ct.handled);
    counts["abandoned"] = static_cast<double>(ct.abandoned);
    counts["resolved"] = static_cast<double>(ct.resolved);
    counts["frt_minutes"] =
        m.channels[k].unlimited ? 0.0 : ratio(ct.handled_wait_minutes.value(), static_cast<double>(ct.handled));
    counts["frt_p90_minutes"] =
        m.channels[k].unlimited ? 0.0 : (ct.handled_waits.count() ? ct.handled_waits.quantile(0.9) : std::nan(""));
    counts["utilization"] = ratio(cs[k].busy_agent_periods, cs[k].agent_periods);
    double cost = 0.0;
    for (double c : cs[k].agent_cost) cost += c;
    counts["cost"] = cost + m.channels[k].cost_per_contact * static_cast<double>(ct.contacts);
    std::vector<double> tk(horizon), fr(horizon);
    for (int p = 0; p < horizon; ++p) {
      tk[p] = static_cast<double>(ct.contacts_by_period[p]);
      fr[p] = m.channels[k].unlimited
                  ? 0.0
                  : ratio(ct.wait_by_period[p].value(), static_cast<double>(ct.handled_by_period[p]));
    }
    series["tickets." + id] = std::move(tk);
    series["frt." + id] = std::move(fr);
    series["utilization." + id] = cs[k].utilization;
    series["backlog." + id] = cs[k].backlog;
  }
  const InterventionIndex& ix = m.interventions;
  for (std::size_t i = 0; i < ix.items.size(); ++i) {
    const InterventionTally& it = t.interventions[i];
    const std::string& id = ix.ids[i];
    auto& counts = r.interventions[id].values;
    counts["uses"] = static_cast<double>(it.uses);
    counts["reach"] = static_cast<double>(it.reach);
    counts["cost"] = static_cast<double>(it.uses) * ix.items[i].cost_per_use;
    counts["fired"] = static_cast<double>(it.fired);
    counts["issues_closed"] = static_cast<double>(it.issues_closed);
    std::vector<double> uses(horizon);
    for (int p = 0; p < horizon; ++p) uses[p] = static_cast<double>(it.uses_by_period[p]);
    series["uses." + id] = std::move(uses);
    if (ix.items[i].limited()) {
      counts["waitlisted"] = static_cast<double>(it.waitlisted);
      std::vector<double> listed(horizon);
      for (int p = 0; p < horizon; ++p) listed[p] = static_cast<double>(it.waitlisted_by_period[p]);
      series["waitlist." + id] = std::move(listed);
    }
  }
  return r;
}

}  // namespace

RunInfo run_info(const Scenario& scenario) {
  RunInfo info;
  info.scenario_name = scenario.name;
  info.scenario_file = scenario.file;
  info.currency = scenario.economics.currency;
  return info;
}

RunResult run_simulation(const Scenario& scenario, const RunOptions& options) {
  return run_model(compile_model(scenario), run_info(scenario), options);
}

RunResult run_model(const Model& m, const RunInfo& info, const RunOptions& options) {
  RunResult result;
  result.info = info;
  result.info.seed = m.seed;
  result.info.customers = m.customers;
  result.info.horizon_periods = m.horizon_periods;
  const int first_rep = options.first_replication;
  const int rep_count = options.replication_count < 0 ? m.replications - first_rep : options.replication_count;
  CXSIM_CHECK(first_rep >= 0 && rep_count >= 0, "replication range must be non-negative");
  result.info.replications = rep_count;
  result.info.period_days = m.period_days;
  const int threads = options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  result.info.threads = threads;
  for (int p = 0; p < m.horizon_periods; ++p) result.period.push_back(p);
  result.nps_period = m.nps_periods;

  std::vector<Customer> customers;
  try {
    customers.resize(m.customers);
  } catch (const std::bad_alloc&) {
    throw InputError({{Severity::kError, info.scenario_file, "/population/customers",
                       "cannot allocate the state of " + std::to_string(m.customers) +
                           " customers; reduce population.customers (or --customers)"}});
  }

  const std::uint32_t n = m.customers;
  const int horizon = m.horizon_periods;
  const std::size_t n_channels = m.channels.size();
  const double total_periods = static_cast<double>(std::max(rep_count, 1)) * horizon;
  tbb::task_arena arena(threads);
  const InterventionIndex& ix = m.interventions;
  InterventionState iv_state;
  if (!ix.empty()) iv_state = InterventionState(n, ix);
  std::vector<PriorityKey> waitlist;

  for (int rep = first_rep; rep < first_rep + rep_count; ++rep) {
    const Kernel kernel(m, static_cast<std::uint32_t>(rep), ix.empty() ? nullptr : &iv_state);
    iv_state.reset();
    tbb::enumerable_thread_specific<Tally> locals([&m] { return Tally(m); });
    std::vector<ChannelSeries> cs(n_channels);
    for (ChannelSeries& c : cs) {
      c.backlog.assign(horizon, 0.0);
      c.utilization.assign(horizon, 0.0);
      c.agents.assign(horizon, 0.0);
      c.agent_cost.assign(horizon, 0.0);
    }
    std::vector<double> backlog(n_channels, 0.0);
    std::vector<QueuePeriod> queues(n_channels);

    int stopped_at = -1;  // the period a cancel request stopped this replication before
    arena.execute([&] {
      for_blocks(n, locals, [&](std::uint32_t first, std::uint32_t last, Tally&) {
        for (std::uint32_t i = first; i < last; ++i) kernel.init(customers[i], i);
      });
      for (int t = 0; t < horizon; ++t) {
        if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
          stopped_at = t;
          break;
        }
        if (n_channels == 0) {
          for_blocks(n, locals, [&](std::uint32_t first, std::uint32_t last, Tally& tally) {
            for (std::uint32_t i = first; i < last; ++i) {
              kernel.step(customers[i], i, t, tally);
              kernel.end_period(customers[i], i, t, tally);
            }
          });
        } else {
          for_blocks(n, locals, [&](std::uint32_t first, std::uint32_t last, Tally& tally) {
            for (std::uint32_t i = first; i < last; ++i) kernel.step(customers[i], i, t, tally);
          });
          // Demand phase result: exact contact counts per channel, then the queue model.
          for (std::size_t k = 0; k < n_channels; ++k) {
            std::int64_t arrivals = 0;
            for (const Tally& tl : locals) arrivals += tl.channels[k].contacts_by_period[t];
            const ChannelModel& ch = m.channels[k];
            QueueInput in;
            in.unlimited = ch.unlimited;
            in.agents = ch.unlimited ? 0 : ch.agents_by_period[t];
            in.aht_minutes = ch.aht_minutes;
            in.hours_per_period = ch.hours_per_period;
            in.arrivals = static_cast<double>(arrivals);
            in.backlog = backlog[k];
            queues[k] = plan_queue_period(in);
          }
          for_blocks(n, locals, [&](std::uint32_t first, std::uint32_t last, Tally& tally) {
            for (std::uint32_t i = first; i < last; ++i) {
              kernel.serve(customers[i], i, t, queues, tally);
              kernel.end_period(customers[i], i, t, tally);
            }
          });
          for (std::size_t k = 0; k < n_channels; ++k) {
            std::int64_t abandoned = 0;
            for (const Tally& tl : locals) abandoned += tl.channels[k].abandoned_by_period[t];
            backlog[k] = next_backlog(queues[k], static_cast<double>(abandoned));
            const ChannelModel& ch = m.channels[k];
            const double agents = ch.unlimited ? 0.0 : ch.agents_by_period[t];
            cs[k].backlog[t] = backlog[k];
            cs[k].utilization[t] = queues[k].utilization;
            cs[k].agents[t] = agents;
            cs[k].agent_cost[t] = agents * ch.cost_per_agent_period;
            cs[k].agent_cost_discounted += agents * ch.cost_per_agent_period * m.discount[t];
            cs[k].agent_periods += agents;
            cs[k].busy_agent_periods += agents * queues[k].utilization;
          }
        }
        // Capacity-limited interventions: next period's treatments are the first `capacity` active
        // customers of this period's waitlist in priority-key order (exact, any thread count).
        for (std::uint32_t i : ix.limited) {
          waitlist.clear();
          for (Tally& tl : locals) {
            std::vector<PriorityKey>& list = tl.interventions[i].waitlist;
            waitlist.insert(waitlist.end(), list.begin(), list.end());
            list.clear();
          }
          tbb::parallel_sort(waitlist.begin(), waitlist.end());
          std::int64_t treated = 0;
          for (PriorityKey key : waitlist) {
            if (treated >= ix.items[i].capacity) break;
            const std::uint32_t id = key_customer(key);
            if (!customers[id].active()) continue;
            iv_state.marks(id, i) |= InterventionState::kPending;
            ++treated;
          }
        }
        if (options.progress)
          options.progress(((rep - first_rep) * static_cast<double>(horizon) + t + 1) / total_periods);
      }
    });

    if (stopped_at >= 0) throw Interrupted(rep, stopped_at, rep - first_rep);

    Tally total(m);
    for (const Tally& tl : locals) total.merge(tl);
    result.replications.push_back(finalize(m, total, cs));
    if (options.on_replication) options.on_replication(rep, result.replications.back());
  }
  return result;
}

}  // namespace cxsim
