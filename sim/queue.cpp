// The per-period channel queue of ../shared/MODEL.md "Service" (see queue.hpp): Erlang C when the
// period is not overloaded, a fluid FIFO approximation when it is.
#include "queue.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cxsim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

}  // namespace

// Erlang C via the Erlang B recursion B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)), which stays in
// (0, 1] at every step (no factorials, no A^c), then C = c B / (c - A (1 - B)).
double erlang_c(int agents, double offered_erlangs) {
  require(agents >= 0, "erlang_c: agents must be >= 0");
  require(!std::isnan(offered_erlangs), "erlang_c: offered load is NaN");
  const double a = offered_erlangs;
  if (a <= 0.0) return 0.0;
  if (agents <= 0 || a >= agents) return 1.0;
  double b = 1.0;
  for (int k = 1; k <= agents; ++k) b = a * b / (k + a * b);
  const double c = agents;
  return c * b / (c - a * (1.0 - b));
}

QueuePeriod plan_queue_period(const QueueInput& in) {
  require(std::isfinite(in.aht_minutes) && in.aht_minutes > 0.0, "queue: aht_minutes must be > 0");
  require(std::isfinite(in.hours_per_period) && in.hours_per_period > 0.0, "queue: hours_per_period must be > 0");
  require(std::isfinite(in.arrivals) && in.arrivals >= 0.0, "queue: arrivals must be >= 0");
  require(std::isfinite(in.backlog) && in.backlog >= 0.0, "queue: backlog must be >= 0");
  require(in.unlimited || in.agents >= 0, "queue: agents must be >= 0");

  QueuePeriod p;
  p.arrivals = in.arrivals;
  p.backlog_in = in.backlog;
  p.period_minutes = in.hours_per_period * 60.0;
  p.offered_erlangs = in.arrivals * in.aht_minutes / p.period_minutes;
  if (in.unlimited) {
    p.regime = QueueRegime::kUnlimited;
    return p;
  }
  if (in.agents == 0) {
    p.regime = QueueRegime::kClosed;  // R = 0: nobody is answered
    return p;
  }
  const double c = in.agents;
  p.capacity_contacts = c * p.period_minutes / in.aht_minutes;
  p.utilization = std::min(1.0, p.offered_erlangs / c);
  if (in.backlog + in.arrivals <= p.capacity_contacts && p.offered_erlangs < c) {
    p.regime = QueueRegime::kErlangC;
    p.p_wait = erlang_c(in.agents, p.offered_erlangs);
    p.mean_positive_wait_minutes = in.aht_minutes / (c - p.offered_erlangs);
  } else {
    p.regime = QueueRegime::kOverloaded;
  }
  return p;
}

double QueuePeriod::wait_minutes(double u_position, double u_wait) const {
  switch (regime) {
    case QueueRegime::kUnlimited:
      return 0.0;
    case QueueRegime::kClosed:
      return kInf;
    case QueueRegime::kErlangC:
      // Waits with probability C(c, A); a positive wait is Exp(mean aht / (c - A)) by inversion.
      return u_position < p_wait ? -mean_positive_wait_minutes * std::log(u_wait) : 0.0;
    case QueueRegime::kOverloaded:
      // Fluid FIFO: the backlog and the arrivals ahead of this contact, served at rate R per period.
      return (backlog_in + u_position * arrivals) / capacity_contacts * period_minutes;
  }
  return 0.0;
}

double QueuePeriod::expected_wait_minutes() const {
  switch (regime) {
    case QueueRegime::kUnlimited:
      return 0.0;
    case QueueRegime::kClosed:
      return kInf;
    case QueueRegime::kErlangC:
      return p_wait * mean_positive_wait_minutes;
    case QueueRegime::kOverloaded:
      return (backlog_in + 0.5 * arrivals) / capacity_contacts * period_minutes;
  }
  return 0.0;
}

double next_backlog(const QueuePeriod& period, double abandoned_arrivals) {
  switch (period.regime) {
    case QueueRegime::kOverloaded:
    case QueueRegime::kClosed:  // R = 0 for a closed channel
      return std::max(0.0, period.backlog_in + period.arrivals - abandoned_arrivals - period.capacity_contacts);
    default:
      return 0.0;
  }
}

}  // namespace cxsim
