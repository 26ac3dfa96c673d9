#pragma once
// The per-period, per-channel queue model of ../shared/MODEL.md "Service": mean-field, so customers
// interact only through a channel's aggregate demand and backlog.
//  - Not overloaded (B + N <= R and A < c): Erlang C. P(wait > 0) = C(c, A); a positive wait is
//    exponential with mean aht / (c - A) (M/M/c in steady state within the period).
//  - Overloaded: fluid FIFO. A contact at uniform position u waits (B + u N) / R * period minutes.
//  - Unlimited channels (agents null) never wait; closed channels (0 agents) never answer.
#include <limits>

namespace cxsim {

// Erlang C probability that a contact waits, C(c, A), for c agents and A offered Erlangs, 0 <= A < c.
// Computed through the Erlang B recursion B(0)=1, B(k) = A B(k-1) / (k + A B(k-1)) and
// C = c B / (c - A (1 - B)): no factorials, stable for thousands of agents. Returns 1 when A >= c.
double erlang_c(int agents, double offered_erlangs);

enum class QueueRegime { kUnlimited, kClosed, kErlangC, kOverloaded };

struct QueueInput {
  bool unlimited = false;
  int agents = 0;  // c, on duty this period
  double aht_minutes = 10.0;
  double hours_per_period = 8.0;
  double arrivals = 0.0;  // N, contacts arriving this period
  double backlog = 0.0;   // B, contacts carried in from the previous period
};

// The period's wait distribution for one channel.
struct QueuePeriod {
  QueueRegime regime = QueueRegime::kUnlimited;
  double arrivals = 0.0;
  double backlog_in = 0.0;
  double capacity_contacts = 0.0;           // R = c * hours * 60 / aht
  double offered_erlangs = 0.0;             // A = N * aht / (hours * 60)
  double period_minutes = 0.0;              // hours * 60
  double p_wait = 0.0;                      // Erlang C regime: C(c, A)
  double mean_positive_wait_minutes = 0.0;  // Erlang C regime: aht / (c - A)
  double utilization = 0.0;                 // min(1, A / c); 0 for unlimited and closed channels

  // Wait in minutes of one contact from two independent uniforms in (0, 1): `u_position` is the
  // contact's position in the period (fluid regime) or the wait/no-wait draw (Erlang C), `u_wait`
  // the exponential draw. Closed channels return +infinity (every contact abandons).
  double wait_minutes(double u_position, double u_wait) const;

  // Expected wait of a contact in minutes (for tests and reporting).
  double expected_wait_minutes() const;
};

// Plans the period from demand and backlog.
QueuePeriod plan_queue_period(const QueueInput& in);

// Backlog carried into the next period: max(0, B + N - abandoned_arrivals - R) after an overloaded
// period, 0 otherwise.
double next_backlog(const QueuePeriod& period, double abandoned_arrivals);

}  // namespace cxsim
