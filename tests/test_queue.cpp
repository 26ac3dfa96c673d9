// Queue model: Erlang C against known values and the closed formula, regime selection, the wait
// distribution against its expectation, and the fluid backlog.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "queue.hpp"

using cxsim::erlang_c;
using cxsim::next_backlog;
using cxsim::plan_queue_period;
using cxsim::QueueInput;
using cxsim::QueuePeriod;
using cxsim::QueueRegime;

namespace {

// Closed Erlang C formula in log space: with t_k = A^k / k!, C = t_c c/(c-A) / (sum_{k<c} t_k +
// t_c c/(c-A)), each term through lgamma and the sum by log-sum-exp.
double erlang_c_closed(int c, double a) {
  std::vector<double> logs;
  for (int k = 0; k < c; ++k) logs.push_back(k * std::log(a) - std::lgamma(k + 1.0));
  const double log_top = c * std::log(a) - std::lgamma(c + 1.0) + std::log(c / (c - a));
  logs.push_back(log_top);
  double m = -std::numeric_limits<double>::infinity();
  for (double l : logs) m = std::max(m, l);
  double s = 0.0;
  for (double l : logs) s += std::exp(l - m);
  return std::exp(log_top - m - std::log(s));
}

QueueInput staffed(int agents, double arrivals, double backlog = 0.0) {
  QueueInput in;
  in.agents = agents;
  in.aht_minutes = 10.0;
  in.hours_per_period = 8.0;  // R = agents * 48 contacts per period
  in.arrivals = arrivals;
  in.backlog = backlog;
  return in;
}

}  // namespace

TEST(ErlangC, KnownValues) {
  EXPECT_NEAR(erlang_c(3, 2.0), 4.0 / 9.0, 1e-12);
  EXPECT_NEAR(erlang_c(10, 9.0), 0.668732, 1e-6);
  for (double a : {0.1, 0.5, 0.9, 0.999}) EXPECT_NEAR(erlang_c(1, a), a, 1e-12) << a;
}

TEST(ErlangC, MatchesClosedFormula) {
  for (int c : {5, 50, 500, 5000}) {
    for (double load : {0.1, 0.5, 0.8, 0.95, 0.99}) {
      const double a = load * c;
      const double expected = erlang_c_closed(c, a);
      EXPECT_NEAR(erlang_c(c, a), expected, 1e-9 * expected) << "c=" << c << " A=" << a;
    }
  }
}

TEST(ErlangC, EdgeCases) {
  EXPECT_EQ(erlang_c(5, 0.0), 0.0);
  EXPECT_EQ(erlang_c(5, -1.0), 0.0);
  EXPECT_EQ(erlang_c(5, 5.0), 1.0);
  EXPECT_EQ(erlang_c(5, 7.5), 1.0);
  EXPECT_EQ(erlang_c(5, std::numeric_limits<double>::infinity()), 1.0);
  EXPECT_EQ(erlang_c(0, 0.5), 1.0);
  EXPECT_EQ(erlang_c(0, 0.0), 0.0);
}

TEST(ErlangC, StableForThousandsOfAgents) {
  const double p = erlang_c(2000, 1990.0);
  EXPECT_TRUE(std::isfinite(p));
  EXPECT_GT(p, 0.0);
  EXPECT_LT(p, 1.0);
  const double q = erlang_c(100000, 99000.0);
  EXPECT_TRUE(std::isfinite(q));
  EXPECT_GT(q, 0.0);
  EXPECT_LT(q, 1.0);
}

TEST(ErlangC, MonotoneInLoad) {
  for (int c : {1, 7, 120}) {
    double prev = 0.0;
    for (int i = 1; i < 200; ++i) {
      const double p = erlang_c(c, c * i / 200.0);
      EXPECT_GT(p, prev) << "c=" << c << " i=" << i;
      prev = p;
    }
  }
}

TEST(ErlangC, InvalidInputThrows) {
  EXPECT_THROW(erlang_c(-1, 0.5), std::invalid_argument);
  EXPECT_THROW(erlang_c(3, std::nan("")), std::invalid_argument);
}

TEST(Queue, RegimeSelection) {
  QueueInput unlimited = staffed(0, 1000.0, 50.0);
  unlimited.unlimited = true;
  const QueuePeriod u = plan_queue_period(unlimited);
  EXPECT_EQ(u.regime, QueueRegime::kUnlimited);
  EXPECT_EQ(u.wait_minutes(0.5, 0.5), 0.0);
  EXPECT_EQ(u.expected_wait_minutes(), 0.0);
  EXPECT_EQ(u.utilization, 0.0);

  const QueuePeriod closed = plan_queue_period(staffed(0, 20.0));
  EXPECT_EQ(closed.regime, QueueRegime::kClosed);
  EXPECT_EQ(closed.capacity_contacts, 0.0);
  EXPECT_EQ(closed.utilization, 0.0);
  EXPECT_TRUE(std::isinf(closed.wait_minutes(0.01, 0.99)));
  EXPECT_TRUE(std::isinf(closed.expected_wait_minutes()));
  EXPECT_EQ(next_backlog(closed, 20.0), 0.0);
  EXPECT_DOUBLE_EQ(next_backlog(closed, 15.0), 5.0);

  // 10 agents, R = 480, A = N / 48.
  const QueuePeriod e = plan_queue_period(staffed(10, 432.0));
  EXPECT_EQ(e.regime, QueueRegime::kErlangC);
  EXPECT_DOUBLE_EQ(e.capacity_contacts, 480.0);
  EXPECT_DOUBLE_EQ(e.offered_erlangs, 9.0);
  EXPECT_DOUBLE_EQ(e.period_minutes, 480.0);
  EXPECT_NEAR(e.p_wait, 0.668732, 1e-6);
  EXPECT_DOUBLE_EQ(e.mean_positive_wait_minutes, 10.0);
  EXPECT_DOUBLE_EQ(e.utilization, 0.9);
  EXPECT_DOUBLE_EQ(e.expected_wait_minutes(), e.p_wait * 10.0);

  // A < c but B + N > R: overloaded by the backlog.
  const QueuePeriod by_backlog = plan_queue_period(staffed(10, 432.0, 100.0));
  EXPECT_EQ(by_backlog.regime, QueueRegime::kOverloaded);
  EXPECT_DOUBLE_EQ(by_backlog.utilization, 0.9);

  // A = c exactly (B + N = R): overloaded by the load.
  const QueuePeriod at_capacity = plan_queue_period(staffed(10, 480.0));
  EXPECT_EQ(at_capacity.regime, QueueRegime::kOverloaded);
  EXPECT_DOUBLE_EQ(at_capacity.utilization, 1.0);

  const QueuePeriod over = plan_queue_period(staffed(10, 600.0));
  EXPECT_EQ(over.regime, QueueRegime::kOverloaded);
  EXPECT_DOUBLE_EQ(over.utilization, 1.0);

  // No demand: Erlang C with no waiting.
  const QueuePeriod idle = plan_queue_period(staffed(3, 0.0));
  EXPECT_EQ(idle.regime, QueueRegime::kErlangC);
  EXPECT_EQ(idle.p_wait, 0.0);
  EXPECT_EQ(idle.wait_minutes(0.001, 0.001), 0.0);
  EXPECT_EQ(idle.expected_wait_minutes(), 0.0);
}

TEST(Queue, ErlangCWaitMeanMatchesExpectation) {
  for (const QueueInput& in : {staffed(10, 432.0), staffed(3, 96.0), staffed(50, 2300.0)}) {
    const QueuePeriod p = plan_queue_period(in);
    ASSERT_EQ(p.regime, QueueRegime::kErlangC);
    // Midpoint grid: the u_position axis is finer so that the share of positions below p_wait is
    // within 5e-5 of p_wait (a 1000-point axis alone would be off by up to 1e-3 relative).
    constexpr int kPositions = 10000;
    constexpr int kWaits = 1000;
    double sum = 0.0;
    for (int i = 0; i < kPositions; ++i) {
      for (int j = 0; j < kWaits; ++j) {
        sum += p.wait_minutes((i + 0.5) / kPositions, (j + 0.5) / kWaits);
      }
    }
    const double mean = sum / (double(kPositions) * kWaits);
    EXPECT_NEAR(mean, p.expected_wait_minutes(), 1e-3 * p.expected_wait_minutes())
        << "agents=" << in.agents << " N=" << in.arrivals;
  }
}

TEST(Queue, FluidWaits) {
  // 10 agents: R = 480 per 480-minute period; B = 120, N = 600.
  const QueuePeriod p = plan_queue_period(staffed(10, 600.0, 120.0));
  ASSERT_EQ(p.regime, QueueRegime::kOverloaded);
  const double t = p.period_minutes;
  EXPECT_DOUBLE_EQ(p.wait_minutes(0.0, 0.3), 120.0 / 480.0 * t);
  EXPECT_DOUBLE_EQ(p.wait_minutes(1.0, 0.3), 720.0 / 480.0 * t);
  EXPECT_DOUBLE_EQ(p.wait_minutes(0.5, 0.9), p.expected_wait_minutes());
  EXPECT_DOUBLE_EQ(p.expected_wait_minutes(), 420.0 / 480.0 * t);
}

TEST(Queue, BacklogDynamics) {
  // No abandonment: the backlog grows by N - R each overloaded period.
  double backlog = 0.0;
  for (int period = 0; period < 5; ++period) {
    const QueuePeriod p = plan_queue_period(staffed(10, 600.0, backlog));
    ASSERT_EQ(p.regime, QueueRegime::kOverloaded);
    const double next = next_backlog(p, 0.0);
    EXPECT_DOUBLE_EQ(next - backlog, 600.0 - 480.0);
    backlog = next;
  }
  // Abandonment drains it, never below zero.
  const QueuePeriod p = plan_queue_period(staffed(10, 600.0, 50.0));
  EXPECT_DOUBLE_EQ(next_backlog(p, 100.0), 70.0);
  EXPECT_EQ(next_backlog(p, 600.0), 0.0);

  // After a period that was not overloaded, nothing carries over (even with a backlog in).
  const QueuePeriod calm = plan_queue_period(staffed(10, 300.0, 100.0));
  ASSERT_EQ(calm.regime, QueueRegime::kErlangC);
  EXPECT_EQ(next_backlog(calm, 0.0), 0.0);
  QueueInput unlimited = staffed(0, 1e6, 10.0);
  unlimited.unlimited = true;
  EXPECT_EQ(next_backlog(plan_queue_period(unlimited), 0.0), 0.0);
}

TEST(Queue, InvalidInputThrows) {
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  auto bad = [](auto mutate) {
    QueueInput in = staffed(5, 100.0);
    mutate(in);
    return in;
  };
  EXPECT_THROW(plan_queue_period(bad([](QueueInput& in) { in.aht_minutes = 0.0; })), std::invalid_argument);
  EXPECT_THROW(plan_queue_period(bad([](QueueInput& in) { in.aht_minutes = -3.0; })), std::invalid_argument);
  EXPECT_THROW(plan_queue_period(bad([&](QueueInput& in) { in.aht_minutes = nan; })), std::invalid_argument);
  EXPECT_THROW(plan_queue_period(bad([](QueueInput& in) { in.hours_per_period = 0.0; })), std::invalid_argument);
  EXPECT_THROW(plan_queue_period(bad([&](QueueInput& in) { in.hours_per_period = inf; })), std::invalid_argument);
  EXPECT_THROW(plan_queue_period(bad([](QueueInput& in) { in.arrivals = -1.0; })), std::invalid_argument);
  EXPECT_THROW(plan_queue_period(bad([&](QueueInput& in) { in.arrivals = nan; })), std::invalid_argument);
  EXPECT_THROW(plan_queue_period(bad([](QueueInput& in) { in.backlog = -0.5; })), std::invalid_argument);
  EXPECT_THROW(plan_queue_period(bad([&](QueueInput& in) { in.backlog = inf; })), std::invalid_argument);
  EXPECT_THROW(plan_queue_period(bad([](QueueInput& in) { in.agents = -2; })), std::invalid_argument);
  EXPECT_NO_THROW(plan_queue_period(staffed(5, 100.0)));
}
