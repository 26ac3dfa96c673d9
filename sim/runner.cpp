#include "cxsim/runner.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <tbb/task_arena.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

#include "backlog.hpp"
#include "cluster.hpp"
#include "diagnostic_sink.hpp"
#include "engine.hpp"
#include "erlang_a.hpp"
#include "metrics.hpp"
#include "rng_simd.hpp"
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

std::uint64_t customers_per_process(const Model& model, int processes) {
  // The largest share of the initial customers' blocks (share_of in Replication), plus at most
  // ceil(n / processes) of every period's n joiners: the joiners' bound over the processes, plus one
  // per period for the rounding.
  const auto p = static_cast<std::uint64_t>(std::max(processes, 1));
  const std::uint64_t blocks = (std::uint64_t{model.customers} + kBlockCustomers - 1) / kBlockCustomers;
  const std::uint64_t initial = std::min<std::uint64_t>((blocks + p - 1) / p * kBlockCustomers, model.customers);
  if (p == 1) return model.max_customers();
  const std::uint64_t joiners = model.max_customers() - model.customers;
  const std::uint64_t rounding = joiners > 0 ? static_cast<std::uint64_t>(std::max(model.periods(), 0)) : 0;
  return initial + (joiners + p - 1) / p + rounding;
}

std::uint64_t estimate_memory_bytes(const Model& model, int threads, int processes) {
  // Tallies cover the warm-up, then the horizon (never both at once).
  const std::uint64_t horizon = static_cast<std::uint64_t>(std::max({model.horizon_periods, model.warmup_periods, 0}));
  const std::uint64_t segments = model.segments.size(), touchpoints = model.touchpoints.size();
  const std::uint64_t channels = model.channels.size();
  const std::uint64_t workers =
      threads > 0 ? static_cast<std::uint64_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
  // One tally per worker plus the merged one (engine.hpp Tally: per-period counts, per segment and
  // period subscription starts, per touchpoint counts, per channel and period queue tallies); a
  // process of a distributed run also flattens the merged one into 16-byte words to exchange it.
  const std::uint64_t per_tally = sizeof(Tally) + touchpoints * 3 * 8 + horizon * (64 + segments * 8) +
                                  channels * (sizeof(ChannelTally) + horizon * 40 + 16 * 1024);
  const std::uint64_t tallies = per_tally * (workers + (processes > 1 ? 3 : 1));
  // Results are kept for every replication: series of one value per period (4, and with channels
  // 3 more plus 4 per channel), NPS per report period, and the per-entity counts.
  const std::uint64_t series_values =
      horizon * (4 + (channels > 0 ? 3 + 4 * channels : 0) + 2 * model.interventions.items.size()) +
      model.nps_periods.size();
  const std::uint64_t per_replication = series_values * 8 + (touchpoints * 3 + channels * 9 + 64) * 64;
  const std::uint64_t results = static_cast<std::uint64_t>(std::max(model.replications, 1)) * per_replication;
  const std::uint64_t channel_series = channels * horizon * 4 * 8;
  // The largest base a replication can hold (initial customers, every scheduled joiner and a bound
  // on referrals that join; of a distributed run, the largest share of it one process holds);
  // capacity-limited waitlists hold at most one 8-byte key per customer and intervention.
  const std::uint64_t customers = customers_per_process(model, processes);
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
  // Each process checks its machine (the processes on it share its memory); every process refuses
  // when any does, with that one's message.
  agreed([&] { check_memory(file, model, threads, available_memory_bytes(), cluster().processes_on_this_machine()); });
}

void check_memory(const std::string& file, const Model& model, int threads, std::uint64_t available_bytes,
                  int processes_here) {
  const int processes = cluster().size();
  const std::uint64_t per_process = estimate_memory_bytes(model, threads, processes);
  const std::uint64_t need = per_process * static_cast<std::uint64_t>(std::max(processes_here, 1));
  if (need > available_bytes) {
    std::ostringstream msg;
    msg.precision(3);
    const std::uint64_t most = model.max_customers();
    msg << "this run needs about " << need / 1073741824.0 << " GiB of memory (" << most << " customers";
    if (most != model.customers) {
      msg << " at most: " << model.customers << " initial, " << model.scheduled_joiners << " joining by acquisition";
      if (model.referrals_join) msg << ", the rest a bound on referrals that join";
    }
    if (processes > 1) {
      msg << "; " << customers_per_process(model, processes) << " of them at most in each of " << processes
          << " processes, " << processes_here << " of which run on this machine at about " << per_process / 1073741824.0
          << " GiB each";
    }
    msg << " x " << state_bytes_per_customer(model) << " bytes of state, plus tallies and the results of "
        << model.replications << " replications x " << model.horizon_periods << " periods), but this machine has "
        << available_bytes / 1073741824.0
        << " GiB available; reduce population.customers (--customers), replications (--replications) or "
           "horizon_periods (--horizon)";
    if (most != model.customers) msg << ", or the acquisition";
    if (processes > 1) msg << ", or spread the processes over more machines";
    throw InputError({{Severity::kError, file, "/population/customers", msg.str()}});
  }
}

namespace {
std::atomic<bool> g_scalar_reference{false};
}  // namespace

void set_scalar_reference(bool on) { g_scalar_reference.store(on, std::memory_order_relaxed); }
bool scalar_reference() { return g_scalar_reference.load(std::memory_order_relaxed); }

namespace {

// This process's customers: ids first_id .. first_id + count - 1 at slots first_slot .. of its
// state arrays. A run of one process holds every customer, with slot == id; a process of a
// distributed run holds a contiguous range of the initial customers' blocks and a contiguous share
// of every period's joiners (ids are global: they key the random streams).
struct CustomerRange {
  std::uint32_t first_id, first_slot, count;
};

// A block's (t, kVisit) Philox words and visit normals, structure of arrays: word k of the block's
// customer j is w[k][j], its normal z[j]; and room for Kernel::end_period_block's lanes.
struct BlockScratch {
  std::array<std::array<std::uint32_t, kBlockCustomers>, 4> w;
  std::array<double, kBlockCustomers> z;
  std::array<double, Kernel::kEndScratch * kBlockCustomers> end;
};

// The share [begin, end) of `n` items that process `rank` of `size` holds: contiguous, in rank order.
std::pair<std::uint64_t, std::uint64_t> share_of(std::uint64_t n, int rank, int size) {
  const auto r = static_cast<std::uint64_t>(rank), p = static_cast<std::uint64_t>(size);
  return {n * r / p, n * (r + 1) / p};
}

// One replication of a compiled model, period by period. The period loop of run_model reads as
// MODEL.md "One period, in order": admit (joiners), start_period, demand, serve, end_period. Per-customer
// work runs in parallel over fixed blocks of customers into per-thread tallies; the couplings between
// customers are exact integer reductions between the parallel passes (a channel's contact count, a
// capacity-limited team's waitlist, the referrals that join), over the threads and then over the
// processes of a distributed run (cluster.hpp), so every process plans the same queues and selects
// the same customers as a run of one process would. Each pass over the customers does as much of a
// period as it can, so the state is read from memory as few times as possible: the demand pass also
// runs the start-of-period effects of step 1, and the serve pass also each customer's end of period
// (step 4). Periods are run period indices t (model.hpp "Time"): a warm-up runs first into tallies
// that are then dropped, and the reported horizon's tallies start empty.
class Replication {
 public:
  Replication(const Model& m, int replication, std::vector<Customer>& customers, InterventionState& iv_state,
              PendingAnswers& pending)
      : m_(m),
        group_(cluster()),
        customers_(customers),
        iv_state_(iv_state),
        pending_(pending),
        kernel_(m, static_cast<std::uint32_t>(replication), m.interventions.empty() ? nullptr : &iv_state, &pending,
                scalar_reference() ? KernelMath::kScalarReference : KernelMath::kLanes),
        replication_(static_cast<std::uint32_t>(replication)),
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

  // The initial customers (this process's blocks of them): segment, sentiment, frailty and starting
  // touchpoint.
  void initialize() {
    const std::uint64_t blocks = (std::uint64_t{m_.customers} + kBlockCustomers - 1) / kBlockCustomers;
    const auto [first_block, last_block] = share_of(blocks, group_.rank(), group_.size());
    const std::uint64_t first = std::min<std::uint64_t>(first_block * kBlockCustomers, m_.customers);
    const std::uint64_t last = std::min<std::uint64_t>(last_block * kBlockCustomers, m_.customers);
    total_ = m_.customers;
    ranges_.clear();
    blocks_.clear();
    customers_.clear();
    hold(first, last);
    iv_state_.reset(static_cast<std::uint32_t>(customers_.size()));
    pending_.resize(static_cast<std::uint32_t>(customers_.size()));
    for_customers([this](Customer& c, Who who, Tally&) { kernel_.init(c, who); });
  }

  // Period 0 begins: the customers active now are the cohort (retention, CLV); the warm-up's tallies
  // are dropped (what was referred in the warm-up still joins).
  void begin_horizon() {
    if (m_.warmup_periods == 0) return;  // the initial customers are the cohort from the start
    std::int64_t cohort = 0;
    for (const Tally& tl : locals_) cohort += tl.active_end[static_cast<std::size_t>(m_.warmup_periods - 1)];
    group_.sum(&cohort, 1);
    base_.cohort = static_cast<double>(cohort);
    for_customers([](Customer& c, Who, Tally&) {
      if (c.active()) c.flags |= Customer::kCohort;
    });
    locals_.clear();
    tally_first_ = m_.warmup_periods;
    tally_periods_ = m_.horizon_periods;
  }

  // New customers join at the start of period t: the scheduled acquisition, then the referrals of
  // period t - 1 that join, with the next ids in that order (this process initializes its share).
  void admit(int t) {
    std::uint64_t joining = referral_joiners_;
    referral_joiners_ = 0;
    if (!m_.joiners.empty()) joining += m_.joiners[static_cast<std::size_t>(t)];
    if (joining == 0) return;
    const std::uint64_t first = total_;
    if (first + joining > 4294967295ull) {
      throw InputError({{Severity::kError, m_.file, "/population",
                         fmt::format("in period {} the base would grow past 4294967295 customers (ids are 32-bit); "
                                     "lower the acquisition or the referral rates",
                                     t - m_.warmup_periods)}});
    }
    total_ = first + joining;
    if (t >= m_.warmup_periods)
      base_.joined[static_cast<std::size_t>(t - m_.warmup_periods)] = static_cast<double>(joining);
    const auto [begin, end] = share_of(joining, group_.rank(), group_.size());
    const std::size_t old_blocks = blocks_.size();
    const auto old_slots = static_cast<std::uint32_t>(customers_.size());
    try {
      hold(first + begin, first + end);
      const auto n = static_cast<std::uint32_t>(customers_.size());
      iv_state_.resize(n);
      pending_.resize(n);
    } catch (const std::bad_alloc&) {
      throw InputError({{Severity::kError, m_.file, "/population",
                         fmt::format("out of memory growing the base to {} customers in period {} ({} held by "
                                     "this process); lower the acquisition or the referral rates, or the initial "
                                     "customers",
                                     total_, t - m_.warmup_periods, std::uint64_t{old_slots} + (end - begin))}});
    }
    tbb::parallel_for(tbb::blocked_range<std::size_t>(old_blocks, blocks_.size(), 1),
                      [this](const tbb::blocked_range<std::size_t>& r) {
                        for (std::size_t b = r.begin(); b != r.end(); ++b) {
                          const CustomerRange& block = blocks_[b];
                          for (std::uint32_t j = 0; j < block.count; ++j) {
                            kernel_.init(customers_[block.first_slot + j],
                                         Who(block.first_id + j, block.first_slot + j), /*joiner=*/true);
                          }
                        }
                      });
  }

  // Step 1: periodic triggers and last period's capacity-limited treatments act at the start of the
  // period, and open issues may self-resolve; the kernel does both per customer in the demand pass.
  void start_period(int) {}

  // Steps 1-2: each active customer contacts service or takes a journey step. Without channels
  // nothing couples the customers, so the end of the period (step 4) follows in the same pass.
  void demand(int t) {
    const bool end_too = m_.channels.empty();
    for_blocks([this, t, end_too](const CustomerRange& block, Tally& tally) {
      // Every active customer without a contact this period draws its (t, kVisit) block and visit
      // normal: drawn for the whole block at once in SIMD lanes (the same bits as one by one).
      BlockScratch& scratch = scratch_.local();
      if (draw_visits(block, t, scratch)) {
        const BlockDraws draws{{scratch.w[0].data(), scratch.w[1].data(), scratch.w[2].data(), scratch.w[3].data()},
                               scratch.z.data()};
        kernel_.step_block(&customers_[block.first_slot], block.first_id, block.first_slot, block.count, t, tally,
                           draws);
      } else {
        for (std::uint32_t j = 0; j < block.count; ++j) {
          kernel_.step(customers_[block.first_slot + j], Who(block.first_id + j, block.first_slot + j), t, tally);
        }
      }
      if (end_too) end_block(block, t, tally, scratch);
    });
  }

  // Step 3, what concerns everyone: the period's exact demand of every channel, contacts per
  // interval and per segment, over the threads' tallies (cleared for the next period) and the
  // processes.
  void reduce_demand() {
    demand_.clear();
    if (m_.channels.empty()) return;
    for (std::size_t k = 0; k < m_.channels.size(); ++k) {
      const std::size_t at = demand_.size();
      demand_.resize(at + static_cast<std::size_t>(m_.channels[k].intervals) + m_.segments.size(), 0);
      for (Tally& tl : locals_) {
        ChannelTally& ct = tl.channels[k];
        std::size_t i = at;
        for (std::int64_t& x : ct.period_interval_contacts) demand_[i++] += std::exchange(x, 0);
        for (std::int64_t& x : ct.period_segment_contacts) demand_[i++] += std::exchange(x, 0);
      }
    }
    group_.sum(demand_.data(), demand_.size());
  }

  // Step 3: each staffed channel's queue from the period's exact demand (an Erlang A chain through
  // the day, or a backlog's fluid), then every contact's outcome; step 4 per customer (state
  // triggers, churn, decays, NPS) in the same pass.
  void serve(int t) {
    if (m_.channels.empty()) return;
    // The channels' queues are independent (each channel's own state): solved side by side, so a
    // run on several threads is not held up by one long Erlang A day after another.
    std::vector<std::size_t> at(m_.channels.size() + 1, 0);
    for (std::size_t k = 0; k < m_.channels.size(); ++k) {
      at[k + 1] = at[k] + static_cast<std::size_t>(m_.channels[k].intervals) + m_.segments.size();
    }
    tbb::parallel_for(std::size_t{0}, m_.channels.size(), [&](std::size_t k) {
      plan_channel(k, t, &demand_[at[k]], &demand_[at[k] + static_cast<std::size_t>(m_.channels[k].intervals)]);
    });
    // Each customer's outcome, then its end of period, in one pass over each block.
    for_blocks([this, t](const CustomerRange& block, Tally& tally) {
      end_block(block, t, tally, scratch_.local(), &service_);
    });
  }

  // Step 4, what concerns everyone: the capacity-limited interventions' choice of whom to treat at
  // the start of the next period, and the referrals that join then (floor of the cumulative expected
  // referrals, exact: the sums are fixed point).
  void end_period(int t) {
    for (std::uint32_t i : m_.interventions.limited) {
      agreed([&] { offer_for_treatment(i); });
      select_for_treatment(i);
    }
    if (m_.referrals_join) {
      ExactSum period;
      for (const Tally& tl : locals_) period += tl.referrals_by_period[tl.at(t)];
      group_.sum(&period.fixed, 1);
      referrals_ += period;
      const auto whole = static_cast<std::uint64_t>(referrals_.fixed >> 32);
      referral_joiners_ = whole - referral_whole_;
      referral_whole_ = whole;
    }
  }

  // The replication's tallies over the threads and the processes (every process gets the result).
  ReplicationResult result() const {
    Tally total(m_);
    for (const Tally& tl : locals_) total.merge(tl);
    if (group_.distributed()) {
      std::vector<ExactSum::int128> words = total.words();
      group_.sum(words.data(), words.size());
      total.set_words(words);
    }
    return replication_result(m_, total, channels_, base_);
  }

 private:
  // Takes ids [first, last) into this process's state, appended at the next slots, as blocks of at
  // most kBlockCustomers (the unit of parallel work).
  void hold(std::uint64_t first, std::uint64_t last) {
    if (last <= first) return;
    const auto slot = static_cast<std::uint32_t>(customers_.size());
    const auto count = static_cast<std::uint32_t>(last - first);
    customers_.resize(customers_.size() + count);
    ranges_.push_back({static_cast<std::uint32_t>(first), slot, count});
    for (std::uint32_t j = 0; j < count; j += kBlockCustomers) {
      blocks_.push_back({static_cast<std::uint32_t>(first) + j, slot + j, std::min(kBlockCustomers, count - j)});
    }
  }

  // The slot of customer `id`, which this process holds.
  std::uint32_t slot_of(std::uint32_t id) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), id,
                               [](std::uint32_t x, const CustomerRange& r) { return x < r.first_id; });
    CXSIM_CHECK(it != ranges_.begin(), "a waitlisted customer is not held by this process");
    --it;
    CXSIM_CHECK(id - it->first_id < it->count, "a waitlisted customer is not held by this process");
    return it->first_slot + (id - it->first_id);
  }

  // The period's queue of channel k from its exact demand (`arrivals` per interval, `by_segment`).
  // Only the reported periods are recorded; a warm-up's queue carries into period 0 all the same.
  void plan_channel(std::size_t k, int t, const std::int64_t* arrivals, const std::int64_t* by_segment) {
    const ChannelModel& ch = m_.channels[k];
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
      backlogs_[k] =
          plan_backlog_period(ch, t, backlog_in_[k], std::vector<std::int64_t>(arrivals, arrivals + ch.intervals));
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
    for (std::size_t g = 0; g < m_.segments.size(); ++g) {
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

  // Runs body(block, tally) for every block of customers this process holds, in parallel.
  template <typename Body>
  void for_blocks(const Body& body) {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, blocks_.size(), 1),
        [&](const tbb::blocked_range<std::size_t>& r) {
          Tally& tally = locals_.local();
          for (std::size_t b = r.begin(); b != r.end(); ++b) body(blocks_[b], tally);
        },
        tbb::simple_partitioner());
  }

  // Runs fn(customer, who, tally) for every customer this process holds, in parallel over blocks.
  template <typename Fn>
  void for_customers(const Fn& fn) {
    for_blocks([&](const CustomerRange& block, Tally& tally) {
      for (std::uint32_t j = 0; j < block.count; ++j) {
        fn(customers_[block.first_slot + j], Who(block.first_id + j, block.first_slot + j), tally);
      }
    });
  }

  // The (t, kVisit) blocks and visit normals of a block of customers, drawn at once in lanes
  // (rng_simd.hpp) into this thread's scratch; false for the scalar reference kernel, whose
  // customers draw their own.
  bool draw_visits(const CustomerRange& block, int t, BlockScratch& s) const {
    if (kernel_.math() == KernelMath::kScalarReference) return false;
    philox_blocks(m_.seed, replication_, block.first_id, block.count, static_cast<std::uint32_t>(t), Stream::kVisit, 0,
                  s.w[0].data(), s.w[1].data(), s.w[2].data(), s.w[3].data());
    standard_normals(s.w[2].data(), s.w[3].data(), s.z.data(), block.count);
    return true;
  }

  // Step 4 for a block of customers (their hazards' exp in lanes), each customer's step 3 outcome first
  // when `service` is given.
  void end_block(const CustomerRange& block, int t, Tally& tally, BlockScratch& s,
                 const ServicePeriod* service = nullptr) const {
    kernel_.end_period_block(&customers_[block.first_slot], block.first_id, block.first_slot, block.count, t, tally,
                             s.end.data(), service);
  }

  // Capacity-limited intervention i: next period's treatments are the first `capacity` active
  // customers of this period's waitlist in priority-key order (exact, any thread and process
  // count). Each process offers its own first `capacity` active ones; the global first `capacity`
  // are among them, so the processes exchange only those keys and each treats its customers whose
  // key is not above the capacity-th smallest of all.
  void offer_for_treatment(std::uint32_t i) {
    waitlist_.clear();
    for (Tally& tl : locals_) {
      std::vector<PriorityKey>& list = tl.interventions[i].waitlist;
      waitlist_.insert(waitlist_.end(), list.begin(), list.end());
      list.clear();
    }
    tbb::parallel_sort(waitlist_.begin(), waitlist_.end());
    const auto capacity = static_cast<std::uint64_t>(m_.interventions.items[i].capacity);
    chosen_.clear();
    chosen_slots_.clear();
    for (PriorityKey key : waitlist_) {
      if (chosen_.size() >= capacity) break;
      const std::uint32_t slot = slot_of(key_customer(key));
      if (!customers_[slot].active()) continue;
      chosen_.push_back(key);
      chosen_slots_.push_back(slot);
    }
  }

  // The offers of all processes: this process treats its offered customers whose key is among the
  // `capacity` smallest offered.
  void select_for_treatment(std::uint32_t i) {
    const auto capacity = static_cast<std::uint64_t>(m_.interventions.items[i].capacity);
    PriorityKey last = std::numeric_limits<PriorityKey>::max();
    if (group_.distributed()) {
      std::vector<PriorityKey> all = group_.gather(chosen_);
      if (capacity > 0 && all.size() > capacity) {
        const auto nth = all.begin() + static_cast<std::ptrdiff_t>(capacity - 1);
        std::nth_element(all.begin(), nth, all.end());
        last = *nth;
      }
    }
    for (std::size_t j = 0; j < chosen_.size() && chosen_[j] <= last; ++j) {
      iv_state_.marks(chosen_slots_[j], i) |= InterventionState::kPending;
      customers_[chosen_slots_[j]].flags |= Customer::kTreat;
    }
  }

  const Model& m_;
  Cluster& group_;
  std::vector<Customer>& customers_;
  InterventionState& iv_state_;
  PendingAnswers& pending_;
  const Kernel kernel_;
  const std::uint32_t replication_;  // keys the block draws
  int tally_first_, tally_periods_;  // what the next thread-local tally covers (warm-up, then horizon)
  tbb::enumerable_thread_specific<Tally> locals_;
  tbb::enumerable_thread_specific<BlockScratch> scratch_;
  std::uint64_t total_ = 0;            // customers of the replication, over all processes
  std::vector<CustomerRange> ranges_;  // the ids this process holds, ascending
  std::vector<CustomerRange> blocks_;  // the same as blocks of at most kBlockCustomers
  std::vector<std::int64_t> demand_;   // per channel: contacts per interval, then per segment
  std::vector<ChannelPeriods> channels_;
  std::vector<ErlangADay> days_;            // per queue channel, reused every period
  std::vector<StateDistribution> carried_;  // per channel open around the clock: the queue at midnight
  std::vector<BacklogPeriod> backlogs_;     // per backlog channel, this period's fluid
  std::vector<double> backlog_in_;          // per backlog channel, the backlog carried into the period
  ServicePeriod service_;
  std::vector<PriorityKey> waitlist_, chosen_;
  std::vector<std::uint32_t> chosen_slots_;
  BasePeriods base_;
  ExactSum referrals_;                  // the cumulative expected referrals, warm-up included
  std::uint64_t referral_whole_ = 0;    // its floor
  std::uint64_t referral_joiners_ = 0;  // referrals joining at the start of the next period
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

  // Customer state for this process's initial customers and its share of every scheduled joiner
  // (Replication holds them); referrals that join grow it further.
  Cluster& group = cluster();
  std::vector<Customer> customers;
  InterventionState iv_state;
  if (!m.interventions.empty()) iv_state = InterventionState(0, m.interventions);
  PendingAnswers pending;
  const bool backlog = has_backlog_channel(m);
  const std::uint64_t planned = customers_per_process(m, group.size());
  agreed([&] {
    try {
      customers.reserve(planned);
      iv_state.reserve(planned);
      if (backlog) pending.reserve(planned);
    } catch (const std::bad_alloc&) {
      throw InputError(
          {{Severity::kError, info.scenario_file, "/population/customers",
            "cannot allocate the state of " + std::to_string(planned) + " customers (initial and scheduled joiners" +
                (group.distributed() ? " held by one process" : std::string()) +
                "); reduce population.customers (or --customers) or the acquisition"}});
    }
  });

  const int periods = m.periods();
  const double total_periods = static_cast<double>(std::max(rep_count, 1)) * periods;
  tbb::task_arena arena(threads);

  for (int rep = first_rep; rep < first_rep + rep_count; ++rep) {
    Replication replication(m, rep, customers, iv_state, pending);
    int stopped_at = -1;  // the run period index a cancel request stopped this replication before
    arena.execute([&] {
      agreed([&] { replication.initialize(); });
      for (int t = 0; t < periods; ++t) {
        // Every process stops before the same period: the first where any of them was asked to.
        const bool cancel = options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed);
        if (group.distributed() ? group.lowest_rank_with(cancel) >= 0 : cancel) {
          stopped_at = t;
          break;
        }
        // Between two exchanges, each process's own work; an error met by any process is every
        // process's (agreed), so none waits in an exchange the others never reach.
        if (t == m.warmup_periods) replication.begin_horizon();
        agreed([&] {
          replication.admit(t);
          replication.start_period(t);
          replication.demand(t);
        });
        replication.reduce_demand();
        agreed([&] { replication.serve(t); });
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
