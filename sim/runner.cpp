#include "cxsim/runner.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <tbb/task_arena.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>
#include <string>
#include <thread>

#include "backlog.hpp"
#include "diagnostic_sink.hpp"
#include "engine.hpp"
#include "erlang_a.hpp"
#include "metrics.hpp"
#include "run_model.hpp"
#include "tally.hpp"

namespace cxsim {

Interrupted::Interrupted(int replication, int period, int replications_done)
    : std::runtime_error("interrupted in replication " + std::to_string(replication + 1) +
                         (period < 0 ? " in its warm-up (" + std::to_string(-period) + " periods before period 0)"
                                     : " before period " + std::to_string(period))),
      replication_(replication),
      period_(period),
      replications_done_(replications_done) {}

std::size_t state_bytes_per_customer() { return sizeof(Customer); }

bool has_backlog_channel(const Model& model) {
  return std::any_of(model.channels.begin(), model.channels.end(), [](const ChannelModel& c) { return c.backlog(); });
}

std::size_t state_bytes_per_customer(const Model& model) {
  return sizeof(Customer) + intervention_bytes_per_customer(model.interventions) +
         (has_backlog_channel(model) ? PendingAnswers::kBytesPerCustomer : 0);
}

std::uint64_t estimate_memory_bytes(const Model& model, int threads) {
  // Tallies cover the warm-up, then the horizon (never both at once).
  const std::uint64_t horizon = static_cast<std::uint64_t>(std::max({model.horizon_periods, model.warmup_periods, 0}));
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
  // The largest base a replication can hold (initial customers, every scheduled joiner and a bound
  // on referrals that join); capacity-limited waitlists hold at most one 8-byte key per customer and
  // intervention.
  const std::uint64_t customers = model.max_customers();
  const std::uint64_t waitlists = customers * 8 * model.interventions.limited.size();
  return customers * state_bytes_per_customer(model) + waitlists + tallies + results + channel_series + (64ull << 20);
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
    const std::uint64_t most = model.max_customers();
    msg << "this run needs about " << need / 1073741824.0 << " GiB of memory (" << most << " customers";
    if (most != model.customers) {
      msg << " at most: " << model.customers << " initial, " << model.scheduled_joiners << " joining by acquisition";
      if (model.referrals_join) msg << ", the rest a bound on referrals that join";
    }
    msg << " x " << state_bytes_per_customer(model) << " bytes of state, plus tallies and the results of "
        << model.replications << " replications x " << model.horizon_periods << " periods), but this machine has "
        << available_bytes / 1073741824.0
        << " GiB available; reduce population.customers (--customers), replications (--replications) or "
           "horizon_periods (--horizon)";
    if (most != model.customers) msg << ", or the acquisition";
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

// One replication of a compiled model, period by period. The period loop of run_model reads as
// MODEL.md "One period, in order": admit (joiners), start_period, demand, serve, end_period. Per-customer
// work runs in parallel over fixed blocks of customers into per-thread tallies; the couplings between
// customers are exact integer reductions between the parallel passes (a channel's contact count, a
// capacity-limited team's waitlist, the referrals that join). Each pass over the customers does as
// much of a period as it can, so the state is read from memory as few times as possible: the demand
// pass also runs the start-of-period effects of step 1, and the serve pass also each customer's end
// of period (step 4). Periods are run period indices t (model.hpp "Time"): a warm-up runs first into
// tallies that are then dropped, and the reported horizon's tallies start empty.
class Replication {
 public:
  Replication(const Model& m, int replication, std::vector<Customer>& customers, InterventionState& iv_state,
              PendingAnswers& pending)
      : m_(m),
        customers_(customers),
        iv_state_(iv_state),
        pending_(pending),
        kernel_(m, static_cast<std::uint32_t>(replication), m.interventions.empty() ? nullptr : &iv_state, &pending),
        tally_first_(m.warmup_periods > 0 ? 0 : m.warmup_periods),
        tally_periods_(m.warmup_periods > 0 ? m.warmup_periods : m.horizon_periods),
        locals_([this] { return Tally(m_, tally_first_, tally_periods_); }),
        channels_(m.channels.size()),
        days_(m.channels.size()),
        carried_(m.channels.size()),
        backlogs_(m.channels.size()),
        backlog_in_(m.channels.size(), 0.0) {
    service_.queue.assign(m.channels.size(), nullptr);
    service_.backlog.assign(m.channels.size(), nullptr);
    for (std::size_t k = 0; k < m.channels.size(); ++k) {
      ChannelPeriods& c = channels_[k];
      for (auto* v : {&c.agents, &c.agent_cost, &c.busy_server_minutes, &c.on_duty_server_minutes, &c.backlog}) {
        v->assign(m.horizon_periods, 0.0);
      }
      c.interval_arrivals.assign(m.channels[k].intervals, 0.0);
      c.interval_servers.assign(m.channels[k].intervals, 0.0);
    }
    base_.joined.assign(static_cast<std::size_t>(m.horizon_periods), 0.0);
    base_.cohort = m.customers;
  }

  // The initial customers: segment, sentiment, frailty and starting touchpoint.
  void initialize() {
    customers_.resize(m_.customers);
    iv_state_.reset(m_.customers);
    pending_.resize(m_.customers);
    for_customers([this](Customer& c, std::uint32_t id, Tally&) { kernel_.init(c, id); });
  }

  // Period 0 begins: the customers active now are the cohort (retention, CLV); the warm-up's tallies
  // are dropped (what was referred in the warm-up still joins).
  void begin_horizon() {
    if (m_.warmup_periods == 0) return;  // the initial customers are the cohort from the start
    std::int64_t cohort = 0;
    for (const Tally& tl : locals_) cohort += tl.active_end[static_cast<std::size_t>(m_.warmup_periods - 1)];
    base_.cohort = static_cast<double>(cohort);
    for_customers([](Customer& c, std::uint32_t, Tally&) {
      if (c.active()) c.flags |= Customer::kCohort;
    });
    locals_.clear();
    tally_first_ = m_.warmup_periods;
    tally_periods_ = m_.horizon_periods;
  }

  // New customers join at the start of period t: the scheduled acquisition, then the referrals of
  // period t - 1 that join, with the next ids in that order.
  void admit(int t) {
    std::uint64_t joining = referral_joiners_;
    referral_joiners_ = 0;
    if (!m_.joiners.empty()) joining += m_.joiners[static_cast<std::size_t>(t)];
    if (joining == 0) return;
    const std::uint64_t first = customers_.size();
    if (first + joining > 4294967295ull) {
      throw InputError({{Severity::kError, m_.file, "/population",
                         fmt::format("in period {} the base would grow past 4294967295 customers (ids are 32-bit); "
                                     "lower the acquisition or the referral rates",
                                     t - m_.warmup_periods)}});
    }
    const auto n = static_cast<std::uint32_t>(first + joining);
    try {
      customers_.resize(n);
      iv_state_.resize(n);
      pending_.resize(n);
    } catch (const std::bad_alloc&) {
      throw InputError({{Severity::kError, m_.file, "/population",
                         fmt::format("out of memory growing the base to {} customers in period {}; lower the "
                                     "acquisition or the referral rates, or the initial customers",
                                     n, t - m_.warmup_periods)}});
    }
    const auto begin = static_cast<std::uint32_t>(first);
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(begin, n, kBlockCustomers),
                      [this](const tbb::blocked_range<std::uint32_t>& r) {
                        for (std::uint32_t id = r.begin(); id != r.end(); ++id) {
                          kernel_.init(customers_[id], id, /*joiner=*/true);
                        }
                      });
    if (t >= m_.warmup_periods) base_.joined[static_cast<std::size_t>(t - m_.warmup_periods)] = static_cast<double>(joining);
  }

  // Step 1: periodic triggers and last period's capacity-limited treatments act at the start of the
  // period, and open issues may self-resolve; the kernel does both per customer in the demand pass.
  void start_period(int) {}

  // Steps 1-2: each active customer contacts service or takes a journey step. Without channels
  // nothing couples the customers, so the end of the period (step 4) follows in the same pass.
  void demand(int t) {
    if (m_.channels.empty()) {
      for_customers([this, t](Customer& c, std::uint32_t id, Tally& tally) {
        kernel_.step(c, id, t, tally);
        kernel_.end_period(c, id, t, tally);
      });
    } else {
      for_customers([this, t](Customer& c, std::uint32_t id, Tally& tally) { kernel_.step(c, id, t, tally); });
    }
  }

  // Step 3: each staffed channel's queue from the period's exact demand (an Erlang A chain through
  // the day, or a backlog's fluid), then every contact's outcome; step 4 per customer (state
  // triggers, churn, decays, NPS) in the same pass.
  void serve(int t) {
    if (m_.channels.empty()) return;
    for (std::size_t k = 0; k < m_.channels.size(); ++k) plan_channel(k, t);
    for_customers([this, t](Customer& c, std::uint32_t id, Tally& tally) {
      kernel_.serve(c, id, t, service_, tally);
      kernel_.end_period(c, id, t, tally);
    });
  }

  // Step 4, what concerns everyone: the capacity-limited interventions' choice of whom to treat at
  // the start of the next period, and the referrals that join then (floor of the cumulative expected
  // referrals, exact: the sums are fixed point).
  void end_period(int t) {
    for (std::uint32_t i : m_.interventions.limited) select_for_treatment(i);
    if (m_.referrals_join) {
      for (const Tally& tl : locals_) referrals_ += tl.referrals_by_period[tl.at(t)];
      const auto whole = static_cast<std::uint64_t>(referrals_.fixed >> 32);
      referral_joiners_ = whole - referral_whole_;
      referral_whole_ = whole;
    }
  }

  ReplicationResult result() const {
    Tally total(m_);
    for (const Tally& tl : locals_) total.merge(tl);
    return replication_result(m_, total, channels_, base_);
  }

 private:
  // The period's queue of channel k from its exact demand: contacts per interval and per segment,
  // reduced over the threads' tallies (and cleared for the next period). Only the reported periods
  // are recorded; a warm-up's queue carries into period 0 all the same.
  void plan_channel(std::size_t k, int t) {
    const ChannelModel& ch = m_.channels[k];
    std::vector<std::int64_t> arrivals(ch.intervals, 0);
    std::vector<std::int64_t> by_segment(m_.segments.size(), 0);
    for (Tally& tl : locals_) {
      ChannelTally& ct = tl.channels[k];
      for (int i = 0; i < ch.intervals; ++i) arrivals[i] += ct.period_interval_contacts[i];
      for (std::size_t g = 0; g < by_segment.size(); ++g) by_segment[g] += ct.period_segment_contacts[g];
      std::fill(ct.period_interval_contacts.begin(), ct.period_interval_contacts.end(), 0);
      std::fill(ct.period_segment_contacts.begin(), ct.period_segment_contacts.end(), 0);
    }
    if (ch.unlimited) return;
    ChannelPeriods& cp = channels_[k];
    const bool reported = t >= m_.warmup_periods;
    const auto p = static_cast<std::size_t>(t - m_.warmup_periods);
    const double aht = ch.aht_at(t);
    if (reported) {
      const double agents = std::floor(ch.agents_at(t));
      cp.agents[p] = agents;
      cp.agent_cost[p] = agents * ch.cost_per_agent_period;
      cp.agent_cost_discounted += agents * ch.cost_per_agent_period * m_.discount[static_cast<std::size_t>(t)];
      double on_duty = 0.0;
      for (int i = 0; i < ch.intervals; ++i) {
        const int servers = ch.servers(t, i);
        on_duty += servers * ch.interval_minutes;
        cp.interval_arrivals[i] += static_cast<double>(arrivals[i]);
        cp.interval_servers[i] += servers;
      }
      cp.on_duty_server_minutes[p] = on_duty;
    }
    if (ch.backlog()) {
      backlogs_[k] = plan_backlog_period(ch, t, backlog_in_[k], arrivals);
      backlog_in_[k] = backlogs_[k].backlog_end();
      if (reported) {
        cp.backlog[p] = backlog_in_[k];
        cp.busy_server_minutes[p] = backlogs_[k].work_done() * aht;
      }
      service_.backlog[k] = &backlogs_[k];
      return;
    }
    // Erlang A carried through the day (MODEL.md "Queue channels"): arrivals at the period's
    // count spread by the profile, servers of each interval, abandonment at the rate of the mean
    // patience of the channel's contacts (of the segments' shares when nobody contacted).
    std::int64_t contacts = 0;
    double patience_sum = 0.0;
    for (std::size_t g = 0; g < by_segment.size(); ++g) {
      contacts += by_segment[g];
      patience_sum += static_cast<double>(by_segment[g]) * m_.segments[g].patience_minutes;
    }
    if (contacts == 0) {
      for (const SegmentModel& g : m_.segments) patience_sum += g.share * g.patience_minutes;
    }
    const double theta = (contacts > 0 ? static_cast<double>(contacts) : 1.0) / patience_sum;
    std::vector<ErlangAInterval> intervals(ch.intervals);
    for (int i = 0; i < ch.intervals; ++i) {
      intervals[i] = {static_cast<double>(contacts) * ch.arrival_share[i] / ch.interval_minutes, ch.servers(t, i),
                      ch.interval_minutes};
    }
    ErlangADay& day = days_[k];
    day.solve(intervals, 1.0 / aht, theta, ch.around_the_clock ? carried_[k] : StateDistribution{});
    if (ch.around_the_clock) carried_[k] = day.end_distribution();
    if (reported) {
      double busy = 0.0;
      for (int i = 0; i < ch.intervals; ++i) busy += day.mean_busy_servers(i) * ch.interval_minutes;
      cp.busy_server_minutes[p] = busy;
    }
    service_.queue[k] = &day;
  }

  template <typename Fn>
  void for_customers(const Fn& fn) {
    for_blocks(static_cast<std::uint32_t>(customers_.size()), locals_,
               [&](std::uint32_t first, std::uint32_t last, Tally& tally) {
                 for (std::uint32_t id = first; id < last; ++id) fn(customers_[id], id, tally);
               });
  }

  // Capacity-limited intervention i: next period's treatments are the first `capacity` active
  // customers of this period's waitlist in priority-key order (exact, any thread count).
  void select_for_treatment(std::uint32_t i) {
    waitlist_.clear();
    for (Tally& tl : locals_) {
      std::vector<PriorityKey>& list = tl.interventions[i].waitlist;
      waitlist_.insert(waitlist_.end(), list.begin(), list.end());
      list.clear();
    }
    tbb::parallel_sort(waitlist_.begin(), waitlist_.end());
    std::int64_t treated = 0;
    for (PriorityKey key : waitlist_) {
      if (treated >= m_.interventions.items[i].capacity) break;
      const std::uint32_t id = key_customer(key);
      if (!customers_[id].active()) continue;
      iv_state_.marks(id, i) |= InterventionState::kPending;
      ++treated;
    }
  }

  const Model& m_;
  std::vector<Customer>& customers_;
  InterventionState& iv_state_;
  PendingAnswers& pending_;
  const Kernel kernel_;
  int tally_first_, tally_periods_;  // what the next thread-local tally covers (warm-up, then horizon)
  tbb::enumerable_thread_specific<Tally> locals_;
  std::vector<ChannelPeriods> channels_;
  std::vector<ErlangADay> days_;            // per queue channel, reused every period
  std::vector<StateDistribution> carried_;  // per channel open around the clock: the queue at midnight
  std::vector<BacklogPeriod> backlogs_;     // per backlog channel, this period's fluid
  std::vector<double> backlog_in_;          // per backlog channel, the backlog carried into the period
  ServicePeriod service_;
  std::vector<PriorityKey> waitlist_;
  BasePeriods base_;
  ExactSum referrals_;                   // the cumulative expected referrals, warm-up included
  std::uint64_t referral_whole_ = 0;     // its floor
  std::uint64_t referral_joiners_ = 0;   // referrals joining at the start of the next period
};

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

  // Customer state for the initial customers and every scheduled joiner (ids in order of joining);
  // referrals that join grow it further.
  std::vector<Customer> customers;
  InterventionState iv_state;
  if (!m.interventions.empty()) iv_state = InterventionState(0, m.interventions);
  PendingAnswers pending;
  const bool backlog = has_backlog_channel(m);
  try {
    const std::uint64_t planned = std::uint64_t{m.customers} + m.scheduled_joiners;
    customers.reserve(planned);
    customers.resize(m.customers);
    iv_state.reserve(planned);
    if (backlog) pending.reserve(planned);
  } catch (const std::bad_alloc&) {
    throw InputError({{Severity::kError, info.scenario_file, "/population/customers",
                       "cannot allocate the state of " + std::to_string(m.customers + m.scheduled_joiners) +
                           " customers (initial and scheduled joiners); reduce population.customers (or "
                           "--customers) or the acquisition"}});
  }

  const int periods = m.periods();
  const double total_periods = static_cast<double>(std::max(rep_count, 1)) * periods;
  tbb::task_arena arena(threads);

  for (int rep = first_rep; rep < first_rep + rep_count; ++rep) {
    Replication replication(m, rep, customers, iv_state, pending);
    int stopped_at = -1;  // the run period index a cancel request stopped this replication before
    arena.execute([&] {
      replication.initialize();
      for (int t = 0; t < periods; ++t) {
        if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
          stopped_at = t;
          break;
        }
        if (t == m.warmup_periods) replication.begin_horizon();
        replication.admit(t);
        replication.start_period(t);
        replication.demand(t);
        replication.serve(t);
        replication.end_period(t);
        if (options.progress) {
          options.progress(((rep - first_rep) * static_cast<double>(periods) + t + 1) / total_periods);
        }
      }
    });
    if (stopped_at >= 0) throw Interrupted(rep, stopped_at - m.warmup_periods, rep - first_rep);
    result.replications.push_back(replication.result());
    if (options.on_replication) options.on_replication(rep, result.replications.back());
  }
  return result;
}

}  // namespace cxsim
