// Backlog channels as a first-in-first-out fluid (see backlog.hpp).
#include "backlog.hpp"

#include <algorithm>
#include <cmath>

#include "diagnostic_sink.hpp"

namespace cxsim {

double BacklogPeriod::backlog(int i, double f) const {
  const double b = backlog_at_start[i] + (arrival_rate[i] - service_rate[i]) * f * interval_minutes;
  return std::max(0.0, b);  // linear within the interval; once empty with a < r it stays empty
}

double BacklogPeriod::work_done() const {
  double arrivals = 0.0;
  for (double a : arrival_rate) arrivals += a * interval_minutes;
  return backlog_at_start.front() + arrivals - backlog_end();
}

double BacklogPeriod::capacity() const {
  double c = 0.0;
  for (double r : service_rate) c += r * interval_minutes;
  return c;
}

BacklogPeriod plan_backlog_period(const ChannelModel& ch, int t, double backlog_in,
                                  const std::vector<std::int64_t>& arrivals) {
  CXSIM_CHECK(ch.backlog() && static_cast<int>(arrivals.size()) == ch.intervals, "a backlog channel's period");
  BacklogPeriod p;
  p.period = t;
  p.interval_minutes = ch.interval_minutes;
  p.backlog_at_start.push_back(backlog_in);
  for (int i = 0; i < ch.intervals; ++i) {
    const double a = static_cast<double>(arrivals[i]) / ch.interval_minutes;
    const double r = ch.servers(t, i) / ch.aht_at(t);
    p.arrival_rate.push_back(a);
    p.service_rate.push_back(r);
    p.backlog_at_start.push_back(std::max(0.0, p.backlog_at_start.back() + (a - r) * ch.interval_minutes));
  }
  return p;
}

BacklogAnswer backlog_answer(const ChannelModel& ch, const BacklogPeriod& plan, int i, double f,
                             double period_minutes) {
  const int k = ch.intervals;
  const std::size_t slot = static_cast<std::size_t>(plan.period) * k + i;
  const std::vector<double>& before = ch.capacity_before;  // cumulative capacity at the start of each slot
  // C(x) + B(x): the cumulative capacity at which the work ahead of the request is done.
  const double target = before[slot] + f * (before[slot + 1] - before[slot]) + plan.backlog(i, f);
  // The first slot whose end lies beyond the target (strictly: a slot without capacity never answers).
  const auto end = std::upper_bound(before.begin() + static_cast<std::ptrdiff_t>(slot) + 1, before.end(), target);
  BacklogAnswer a;
  if (end == before.end()) return a;  // not before the horizon
  const std::size_t j = static_cast<std::size_t>(end - before.begin()) - 1;
  const double fraction = (target - before[j]) / (before[j + 1] - before[j]);
  a.answered = true;
  a.period = static_cast<int>(j / k);
  const double answered_at = a.period * period_minutes + (static_cast<double>(j % k) + fraction) * ch.interval_minutes;
  const double arrived_at = plan.period * period_minutes + (i + f) * ch.interval_minutes;
  a.wait_minutes = std::max(0.0, answered_at - arrived_at);
  return a;
}

}  // namespace cxsim
