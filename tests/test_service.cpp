// Reactive service (MODEL.md "Service", version 2) through the whole engine, against closed forms:
// the stationary Erlang A queue (M/M/c+M) and its Erlang C limit, the first-in-first-out fluid of a
// backlog channel, realised FCR, unlimited and closed channels, agent costs, CSAT and CES.
//
// The queue tests use a demand that is exactly constant: every customer's single issue opens at its
// first visit (failure 1), nobody resolves it (fcr 0, no self-resolution) and nobody churns, so
// every customer contacts the channel every period from period 1 on. A channel open around the
// clock then carries its queue from day to day and settles into the stationary M/M/c+M chain; given
// the chain, every contact draws its outcome independently, so abandonment is binomial and the
// per-period means are independent: the tolerances below are exact standard errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "erlang_a.hpp"
#include "sim_helpers.hpp"

using cxsim::testing::metric_mean;
using cxsim::testing::run_text;

namespace {

std::string one_channel(const std::string& channel, const std::string& segment_extra, int horizon = 60,
                        int customers = 20000, double failure = 0.01) {
  return R"({"name": "service", "seed": 11, "horizon_periods": )" + std::to_string(horizon) +
         R"(, "replications": 3, "population": {"customers": )" + std::to_string(customers) + R"(},
    "segments": {"all": {"share": 1, "contact_propensity": 1, )" +
         segment_extra + R"(}},
    "journey": {"entry": "home", "touchpoints": {"home": {"failure": )" +
         std::to_string(failure) + R"(, "next": {"home": 1}}}},
    "service": {"channels": {"desk": )" +
         channel + "}}}";
}

double channel_total(const cxsim::RunResult& r, const std::string& count) {
  double s = 0.0;
  for (const auto& rep : r.replications) s += rep.channels.at("desk").values.at(count);
  return s;
}

// Sums over replications and the periods from `first` on of a per-period series of channel desk.
double series_total(const cxsim::RunResult& r, const std::string& name, int first) {
  double s = 0.0;
  for (const auto& rep : r.replications) {
    const auto& v = rep.series.at(name);
    for (std::size_t t = first; t < v.size(); ++t) s += v[t];
  }
  return s;
}

// Mean and standard error of the per-period values of a series from `first` on (periods and
// replications independent given the stationary chain).
std::pair<double, double> period_mean_and_se(const cxsim::RunResult& r, const std::string& name, int first) {
  std::vector<double> x;
  for (const auto& rep : r.replications) {
    const auto& v = rep.series.at(name);
    for (std::size_t t = first; t < v.size(); ++t) x.push_back(v[t]);
  }
  double mean = 0.0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double var = 0.0;
  for (double v : x) var += (v - mean) * (v - mean);
  var /= static_cast<double>(x.size() - 1);
  return {mean, std::sqrt(var / static_cast<double>(x.size()))};
}

// A desk open around the clock (24 hours a day, flat) facing `customers` contacts every day.
std::string constant_demand(int agents, double aht_minutes, double patience_minutes, int customers, int horizon,
                            double service_level_seconds = 20) {
  return one_channel(R"({"share": 1, "agents": )" + std::to_string(agents) + R"(, "aht_minutes": )" +
                         std::to_string(aht_minutes) +
                         R"(, "hours_per_period": 24, "fcr": 0, "service_level_seconds": )" +
                         std::to_string(service_level_seconds) + "}",
                     R"("patience_minutes": )" + std::to_string(patience_minutes), horizon, customers, 1.0);
}

// Independent Erlang C: P(wait > 0) for c servers and A erlangs (Erlang B recursion).
double erlang_c(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return c * b / (c - a * (1.0 - b));
}

constexpr int kBurnIn = 3;  // days before the queue has forgotten its empty start (it relaxes in hours)

}  // namespace

// Stationary M/M/c+M: 1,100 contacts a day = 0.764 per minute, 8 agents of 10 minutes (95.5% of
// capacity), patience 15 minutes.
TEST(Service, AroundTheClockQueueMatchesStationaryErlangA) {
  constexpr int kCustomers = 1100, kAgents = 8, kHorizon = 40;
  const auto r = run_text(constant_demand(kAgents, 10, 15, kCustomers, kHorizon));
  const cxsim::ErlangAStationary s = cxsim::erlang_a_stationary(kCustomers / 1440.0, kAgents, 0.1, 1.0 / 15.0);

  const double offered = series_total(r, "tickets.desk", kBurnIn);
  ASSERT_EQ(offered, 3.0 * kCustomers * (kHorizon - kBurnIn));  // the demand is exactly constant
  const double abandoned = series_total(r, "abandoned.desk", kBurnIn);
  EXPECT_NEAR(abandoned / offered, s.p_abandon, 4.0 * std::sqrt(s.p_abandon * (1 - s.p_abandon) / offered));

  const auto [wait, wait_se] = period_mean_and_se(r, "frt.desk", kBurnIn);
  EXPECT_NEAR(wait, s.mean_answered_wait_minutes, 4.0 * wait_se);

  const double within = s.p_answered_within(20.0 / 60.0);
  const auto [level, level_se] = period_mean_and_se(r, "service_level.desk", kBurnIn);
  EXPECT_NEAR(level, within, 4.0 * std::max(level_se, std::sqrt(within * (1 - within) / offered)));

  // Occupancy is the chain's own busy servers over servers on duty: deterministic given the chain.
  const auto [occupancy, occupancy_se] = period_mean_and_se(r, "utilization.desk", kBurnIn);
  EXPECT_NEAR(occupancy, s.mean_busy_servers / kAgents, 1e-6);
  (void)occupancy_se;
}

// An overloaded line (130% of capacity): the queue is held by abandonment, as Erlang A says, not
// by an ever-growing backlog.
TEST(Service, OverloadedQueueIsHeldByAbandonment) {
  constexpr int kCustomers = 1500, kAgents = 8, kHorizon = 25;
  const auto r = run_text(constant_demand(kAgents, 10, 15, kCustomers, kHorizon));
  const cxsim::ErlangAStationary s = cxsim::erlang_a_stationary(kCustomers / 1440.0, kAgents, 0.1, 1.0 / 15.0);
  const double offered = series_total(r, "tickets.desk", kBurnIn);
  const double abandoned = series_total(r, "abandoned.desk", kBurnIn);
  EXPECT_NEAR(abandoned / offered, s.p_abandon, 4.0 * std::sqrt(s.p_abandon * (1 - s.p_abandon) / offered));
  EXPECT_GT(s.p_abandon, 0.2);
  EXPECT_LT(s.p_abandon, 0.35);
  const auto [wait, wait_se] = period_mean_and_se(r, "frt.desk", kBurnIn);
  EXPECT_NEAR(wait, s.mean_answered_wait_minutes, 4.0 * wait_se);
  EXPECT_LT(wait, 30.0);  // minutes, not a day's backlog
}

// With patience far beyond any wait and load < 1, Erlang A is Erlang C: a contact waits at all with
// probability C(c, A) (service_level_seconds tiny: answered "within" means not waiting).
TEST(Service, InfinitePatienceGivesErlangC) {
  constexpr int kCustomers = 1000, kAgents = 8, kHorizon = 30;
  const auto r = run_text(constant_demand(kAgents, 10, 1e9, kCustomers, kHorizon, 1e-6));
  const double offered = series_total(r, "tickets.desk", kBurnIn);
  EXPECT_EQ(series_total(r, "abandoned.desk", kBurnIn), 0.0);
  const double c = erlang_c(kAgents, kCustomers / 1440.0 * 10.0);
  const auto [level, level_se] = period_mean_and_se(r, "service_level.desk", kBurnIn);
  EXPECT_NEAR(1.0 - level, c, 4.0 * std::max(level_se, std::sqrt(c * (1 - c) / offered)));
}

// A backlog channel (MODEL.md "Backlog channels"): every customer writes on day 1 (its issue opened
// on day 0); 2 agents of 30 minutes work 32 requests in an 8-hour day. The fluid's closed form: with
// a = N / T arriving per open minute and r = 2 / 30 worked, the backlog at close of day 1 is
// (a - r) T; the request arriving at open-minute x is answered at open time y = a x / r (counting
// open minutes only), on day 1 + floor(y / T), after a real wait of y - x plus 16 closed hours per
// night between.
TEST(Service, BacklogFollowsTheFluidClosedForm) {
  constexpr int kCustomers = 100, kHorizon = 12;
  // One failure each, at the first visit (day 0): "start" fails, then everybody stays home.
  const auto r = run_text(R"({"name": "backlog", "seed": 11, "horizon_periods": 12, "replications": 3,
    "population": {"customers": 100},
    "segments": {"all": {"share": 1, "contact_propensity": 1, "patience_minutes": 15}},
    "journey": {"entry": "start", "touchpoints": {"start": {"next": {"fail": 1}},
                                                  "fail": {"failure": 1, "next": {"home": 1}},
                                                  "home": {"next": {"home": 1}}}},
    "service": {"channels": {"desk": {"share": 1, "kind": "backlog", "agents": 2, "aht_minutes": 30,
                                      "hours_per_period": 8, "fcr": 1}}}})");
  const double open = 8 * 60.0, a = kCustomers / open, rate = 2.0 / 30.0, day = 1440.0;
  for (const auto& rep : r.replications) {
    const auto& tickets = rep.series.at("tickets.desk");
    ASSERT_EQ(tickets[1], kCustomers);
    for (int t = 0; t < kHorizon; ++t) {
      if (t != 1) {
        EXPECT_EQ(tickets[t], 0.0) << t;
      }
    }
    const auto& backlog = rep.series.at("backlog.desk");
    EXPECT_NEAR(backlog[1], (a - rate) * open, 1e-9);
    for (int t = 2; t < kHorizon; ++t) EXPECT_NEAR(backlog[t], std::max(0.0, backlog[t - 1] - rate * open), 1e-9);
    EXPECT_TRUE(std::isnan(rep.metrics.at("abandonment")));          // no queue channel: backlogs are not in it
    EXPECT_EQ(rep.channels.at("desk").values.at("abandoned"), 0.0);  // nobody abandons a backlog
  }
  // Waits overall and per answer day, integrated over the uniform arrival position x.
  constexpr int kSteps = 200000;
  double mean = 0.0, square = 0.0;
  std::vector<double> day_share(kHorizon, 0.0), day_mean(kHorizon, 0.0), day_square(kHorizon, 0.0);
  for (int k = 0; k < kSteps; ++k) {
    const double x = (k + 0.5) / kSteps * open;
    const double y = a * x / rate;
    const int days = static_cast<int>(std::floor(y / open));
    const double wait = days * day + (y - days * open) - x;
    mean += wait / kSteps;
    square += wait * wait / kSteps;
    day_share[1 + days] += 1.0 / kSteps;
    day_mean[1 + days] += wait / kSteps;
    day_square[1 + days] += wait * wait / kSteps;
  }
  const double n = 3.0 * kCustomers;
  EXPECT_NEAR(metric_mean(r, "backlog_wait_hours"), mean / 60.0, 4.0 * std::sqrt((square - mean * mean) / n) / 60.0);
  // The requests answered on each day waited as the fluid says (days with many answers only).
  for (int t = 1; t < kHorizon; ++t) {
    if (day_share[t] < 0.2) continue;
    const double m = day_mean[t] / day_share[t], v = day_square[t] / day_share[t] - m * m;
    double simulated = 0.0;
    for (const auto& rep : r.replications) simulated += rep.series.at("wait_hours.desk")[t] * 60.0 / 3.0;
    EXPECT_NEAR(simulated, m, 4.0 * std::sqrt(v / (n * day_share[t])) + 1e-9) << "day " << t;
  }
  EXPECT_EQ(channel_total(r, "handled"), n);  // all answered before the horizon, all resolved
  EXPECT_EQ(channel_total(r, "resolved"), n);
}

TEST(Service, RealisedFcrMatchesConfigured) {
  const auto r =
      run_text(one_channel(R"({"share": 1, "agents": 6, "aht_minutes": 10, "hours_per_period": 8, "fcr": 0.7})",
                           R"("patience_minutes": 1e9)"));
  double first = 0.0, resolved_first = 0.0;
  for (const auto& rep : r.replications) {
    first += rep.metrics.at("first_contacts");
    resolved_first += rep.metrics.at("fcr") * rep.metrics.at("first_contacts");
  }
  EXPECT_NEAR(resolved_first / first, 0.7, 5.0 * std::sqrt(0.21 / first));
  // Repeat contacts: unresolved issues come back, so there are more contacts than issues.
  EXPECT_GT(channel_total(r, "contacts"), first * 1.2);
  EXPECT_NEAR(metric_mean(r, "aht_minutes"), 10.0, 1e-12);
}

TEST(Service, UnlimitedChannelNeverWaits) {
  const auto r = run_text(one_channel(R"({"share": 1, "agents": null, "fcr": 0.5})", R"("patience_minutes": 0.001)"));
  EXPECT_EQ(channel_total(r, "abandoned"), 0.0);
  EXPECT_GT(channel_total(r, "contacts"), 1000.0);
  EXPECT_TRUE(std::isnan(metric_mean(r, "frt_minutes")));  // no staffed queue channel
  EXPECT_TRUE(std::isnan(metric_mean(r, "abandonment")));
  EXPECT_TRUE(std::isnan(metric_mean(r, "service_level")));
}

TEST(Service, ClosedChannelAbandonsEveryContact) {
  const auto r = run_text(one_channel(R"({"share": 1, "agents": 0})", R"("patience_minutes": 5)", 20, 2000));
  EXPECT_GT(channel_total(r, "contacts"), 100.0);
  EXPECT_EQ(channel_total(r, "abandoned"), channel_total(r, "contacts"));
  EXPECT_EQ(metric_mean(r, "abandonment"), 1.0);
  EXPECT_EQ(metric_mean(r, "service_level"), 0.0);
  EXPECT_EQ(channel_total(r, "resolved"), 0.0);
}

TEST(Service, AgentAndContactCostsAreDiscounted) {
  const auto r = run_text(one_channel(
      R"({"share": 1, "agents": 5, "aht_minutes": 10, "cost_per_agent_period": 100, "cost_per_contact": 2})",
      R"("patience_minutes": 1e9)", 30, 2000));
  const double d = std::pow(1.08, -1.0 / 365.0);
  double agents = 0.0;
  for (int t = 0; t < 30; ++t) agents += 500.0 * std::pow(d, t);
  for (const auto& rep : r.replications) {
    double contacts_discounted = 0.0;
    const auto& n = rep.series.at("tickets.desk");
    for (int t = 0; t < 30; ++t) contacts_discounted += 2.0 * n[t] * std::pow(d, t);
    EXPECT_NEAR(rep.metrics.at("service_cost"), agents + contacts_discounted, 1e-6);
    EXPECT_NEAR(rep.metrics.at("net_value"), rep.metrics.at("revenue") - rep.metrics.at("service_cost"), 1e-6);
    EXPECT_NEAR(rep.channels.at("desk").values.at("cost"),
                30 * 500.0 + 2.0 * rep.channels.at("desk").values.at("contacts"), 1e-9);
  }
}

TEST(Service, CsatAndCesAreScoredPerContact) {
  // Perfect service: quality 1, resolved, no wait -> q = 1 (clamped) -> CSAT 5; effort 0 + 0 + 0 -> CES 1.
  const auto r = run_text(one_channel(R"({"share": 1, "agents": null, "fcr": 1, "quality": {"mean": 1, "sd": 0}})",
                                      R"("patience_minutes": 10)", 30, 2000));
  EXPECT_EQ(metric_mean(r, "csat"), 100.0);
  EXPECT_EQ(metric_mean(r, "ces"), 1.0);
  EXPECT_EQ(metric_mean(r, "fcr"), 1.0);
  EXPECT_NEAR(metric_mean(r, "art_periods"), 1.0, 1e-12);  // failure in t, contact and fix in t + 1
}
