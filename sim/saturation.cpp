// Saturation warnings (see saturation.hpp): stretches of high abandonment or occupancy per staffed
// channel and replication, then one warning per channel in plain words.
#include "saturation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

namespace cxsim {

namespace {

const std::vector<double>* series_of(const ReplicationResult& rep, const std::string& name) {
  const auto it = rep.series.find(name);
  return it == rep.series.end() ? nullptr : &it->second;
}

// The first period of the first stretch of `needed` consecutive judged periods whose value is above
// `threshold`; periods where `value(t)` is NaN are not judged (they neither extend nor break it).
template <class Value>
std::optional<int> first_stretch(std::size_t periods, int needed, double threshold, Value value) {
  int length = 0, start = 0;
  for (std::size_t t = 0; t < periods; ++t) {
    const double v = value(t);
    if (std::isnan(v)) continue;
    if (v > threshold) {
      if (length == 0) start = static_cast<int>(t);
      if (++length >= needed) return start;
    } else {
      length = 0;
    }
  }
  return std::nullopt;
}

struct ChannelVerdict {
  std::optional<int> abandonment, occupancy;  // first period of a saturated stretch, per measure
  bool saturated() const { return abandonment || occupancy; }
  int from() const {
    return std::min(abandonment.value_or(std::numeric_limits<int>::max()),
                    occupancy.value_or(std::numeric_limits<int>::max()));
  }
};

ChannelVerdict judge(const ReplicationResult& rep, const std::string& id, int needed) {
  ChannelVerdict v;
  const auto* tickets = series_of(rep, "tickets." + id);
  const auto* abandoned = series_of(rep, "abandoned." + id);
  if (tickets != nullptr && abandoned != nullptr && tickets->size() == abandoned->size()) {
    v.abandonment = first_stretch(tickets->size(), needed, kSaturatedAbandonment, [&](std::size_t t) {
      return (*tickets)[t] > 0.0 ? (*abandoned)[t] / (*tickets)[t] : std::nan("");
    });
  }
  if (const auto* utilization = series_of(rep, "utilization." + id)) {
    v.occupancy = first_stretch(utilization->size(), needed, kSaturatedOccupancy,
                                [&](std::size_t t) { return (*utilization)[t]; });
  }
  return v;
}

// A channel's count over the run in one replication; NaN when absent.
double count_of(const ReplicationResult& rep, const std::string& id, const std::string& count) {
  const auto c = rep.channels.find(id);
  if (c == rep.channels.end()) return std::nan("");
  const auto v = c->second.values.find(count);
  return v == c->second.values.end() ? std::nan("") : v->second;
}

double mean_of(const std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  double sum = 0.0;
  for (double x : values) sum += x;
  return sum / static_cast<double>(values.size());
}

// "42.1%", or "n/a" for NaN (a channel without the count).
std::string percent(double fraction) {
  return std::isfinite(fraction) ? fmt::format("{:.1f}%", 100.0 * fraction) : std::string("n/a");
}

// "day 20" (periods of a day), "week 3" (of 7 days), else "period 20": period numbers as in series.period.
std::string when(int period, double period_days) {
  if (period_days == 1.0) return fmt::format("day {}", period);
  if (period_days == 7.0) return fmt::format("week {}", period);
  return fmt::format("period {}", period);
}

// The channel's abandonment (abandoned / contacts) and utilization over the run, averaged over
// the given replications, in words.
std::string levels(const RunResult& r, const std::string& id, const std::vector<std::size_t>& reps) {
  std::vector<double> abandonment, utilization;
  for (std::size_t k : reps) {
    const auto& rep = r.replications[k];
    const double contacts = count_of(rep, id, "contacts");
    abandonment.push_back(contacts > 0.0 ? count_of(rep, id, "abandoned") / contacts : std::nan(""));
    utilization.push_back(count_of(rep, id, "utilization"));
  }
  return fmt::format("abandonment {}, utilization {}", percent(mean_of(abandonment)), percent(mean_of(utilization)));
}

}  // namespace

std::vector<RunWarning> saturation_warnings(const RunResult& r) {
  std::vector<RunWarning> out;
  if (r.replications.empty()) return out;
  std::set<std::string> ids;
  for (const auto& rep : r.replications) {
    for (const auto& [name, values] : rep.series) {
      for (const char* prefix : {"abandoned.", "utilization."}) {
        const std::string p = prefix;
        if (name.compare(0, p.size(), p) == 0 && name.size() > p.size()) ids.insert(name.substr(p.size()));
      }
    }
  }
  const int n = static_cast<int>(r.replications.size());
  const int needed = std::max(1, std::min(kSaturatedPeriods, static_cast<int>(r.period.size())));
  for (const std::string& id : ids) {
    RunWarning w{"saturation", id, {}, std::numeric_limits<int>::max(), 0, n, ""};
    bool abandonment = false, occupancy = false;
    std::vector<std::size_t> hit, missed;
    for (std::size_t k = 0; k < r.replications.size(); ++k) {
      const ChannelVerdict v = judge(r.replications[k], id, needed);
      abandonment = abandonment || v.abandonment.has_value();
      occupancy = occupancy || v.occupancy.has_value();
      if (v.saturated()) {
        hit.push_back(k);
        w.from_period = std::min(w.from_period, v.from());
      } else {
        missed.push_back(k);
      }
    }
    if (hit.empty()) continue;
    w.replications = static_cast<int>(hit.size());
    if (abandonment) w.measures.push_back("abandonment");
    if (occupancy) w.measures.push_back("occupancy");
    const std::string what =
        abandonment && occupancy
            ? fmt::format("more than {:.0f}% of its contacts abandoned, or its agents were more than {:.0f}% busy,",
                          100.0 * kSaturatedAbandonment, 100.0 * kSaturatedOccupancy)
        : abandonment ? fmt::format("more than {:.0f}% of its contacts abandoned", 100.0 * kSaturatedAbandonment)
                      : fmt::format("its agents were more than {:.0f}% busy", 100.0 * kSaturatedOccupancy);
    w.message =
        fmt::format("{} saturated from {} in {} of {} replications: {} in {} or more consecutive periods ({})", id,
                    when(w.from_period, r.info.period_days), w.replications, n, what, needed, levels(r, id, hit));
    out.push_back(w);
    if (!missed.empty()) {
      RunWarning regimes = w;
      regimes.kind = "regimes";
      regimes.message = fmt::format(
          "{}: the replications split into two regimes: saturated in {} of {} ({}), not in the other {} ({}); "
          "the mean over replications describes neither, so read each replication's values (the metrics' "
          "\"replicates\")",
          id, w.replications, n, levels(r, id, hit), missed.size(), levels(r, id, missed));
      out.push_back(std::move(regimes));
    }
  }
  return out;
}

}  // namespace cxsim
