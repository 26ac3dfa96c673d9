#pragma once
// Backlog channels (MODEL.md "Service", version 2, "Backlog channels: a first-in-first-out fluid"):
// email, tickets, web forms. In interval i of a period the channel's N_i requests arrive uniformly
// and its c_i agents work s_i = c_i L / aht requests at a steady rate whenever work is waiting, in
// open time only. The backlog B(x) at open-time x follows from the backlog carried in; a request
// arriving at x is answered once the work ahead of it, B(x), has been done. Everything ahead of a
// request is served first (FIFO), so its answer time is fixed when it arrives: the first open-time
// point y after x at which the cumulative capacity C has grown by B(x) (C(y) = C(x) + B(x)); later
// arrivals never delay it. Capacity is known for every period from the staffing schedule
// (ChannelModel::capacity_before), so y may fall in a later period, or after the horizon (no answer).
// The wait is counted in real minutes, closed hours included: the open hours are taken to start at
// the beginning of each period.
#include <cstdint>
#include <vector>

#include "model.hpp"

namespace cxsim {

// The fluid of one backlog channel through one period.
struct BacklogPeriod {
  int period = 0;
  double interval_minutes = 0.0;
  std::vector<double> backlog_at_start;  // B at the start of each interval; the last entry is B at close
  std::vector<double> arrival_rate;      // requests per open minute, per interval
  std::vector<double> service_rate;      // requests per open minute, per interval (c_i / aht)

  // B at fraction f in [0, 1] of interval i.
  double backlog(int interval, double fraction) const;
  double backlog_end() const { return backlog_at_start.back(); }
  // Requests worked in the period and the capacity (both in requests).
  double work_done() const;
  double capacity() const;
};

// Plans period t from the backlog carried in and the period's requests per interval.
BacklogPeriod plan_backlog_period(const ChannelModel& channel, int period, double backlog_in,
                                  const std::vector<std::int64_t>& arrivals);

struct BacklogAnswer {
  bool answered = false;      // false: the answer would come after the horizon
  int period = 0;             // period of the answer
  double wait_minutes = 0.0;  // real minutes from arrival to answer
};

// The answer of a request arriving at fraction f of interval i of the planned period.
BacklogAnswer backlog_answer(const ChannelModel& channel, const BacklogPeriod& plan, int interval, double fraction,
                             double period_minutes);

}  // namespace cxsim
