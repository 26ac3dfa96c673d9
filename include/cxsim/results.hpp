#pragma once
// What a run produces, before statistics and formatting: per replication, named metrics, named
// per-period series, and per-entity counts. Names follow ../shared/MODEL.md "Result file".
// The engine fills these; stats summarizes them; report formats them. No JSON here.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cxsim {

struct EntityCounts {
  // e.g. touchpoints: visits, failures, exits; channels: contacts, abandoned, resolved, ...
  std::map<std::string, double> values;
};

// checkpoint.cpp serializes every field of ReplicationResult; a new field must be added there too.
struct ReplicationResult {
  std::map<std::string, double> metrics;              // MODEL.md metric name -> value (NaN = undefined)
  std::map<std::string, std::vector<double>> series;  // name -> one value per period (or per nps period)
  std::map<std::string, EntityCounts> touchpoints;    // touchpoint id -> counts
  std::map<std::string, EntityCounts> channels;       // channel id -> counts
  std::map<std::string, EntityCounts> interventions;  // intervention id -> counts
  // Staffed channel id -> its open day, interval by interval: interval_minutes (one value), arrivals,
  // agents on duty and servers (means per period over the horizon).
  std::map<std::string, std::map<std::string, std::vector<double>>> intraday;
};

struct RunInfo {
  std::string scenario_name;
  std::string scenario_file;
  std::uint64_t seed = 0;
  std::int64_t customers = 0;
  int horizon_periods = 0;
  int replications = 0;
  double period_days = 1.0;
  std::string currency;
  int threads = 0;  // informational only: results never depend on it
};

struct RunResult {
  RunInfo info;
  std::vector<int> period;      // 0 .. horizon-1
  std::vector<int> nps_period;  // periods at whose end population NPS was recorded
  std::vector<ReplicationResult> replications;
};

// The metrics every run reports (ReplicationResult::metrics keys), in name order: MODEL.md's list
// plus docs/model-notes.md's additions. Inputs that name a metric (a batch's objective) are checked
// against it; a test keeps it equal to what the runner produces.
inline const std::vector<std::string>& reported_metric_names() {
  static const std::vector<std::string> names = {"abandonment",
                                                 "aht_minutes",
                                                 "art_periods",
                                                 "backlog_wait_hours",
                                                 "ces",
                                                 "churned",
                                                 "clv",
                                                 "clv_joiners",
                                                 "clv_lifetime",
                                                 "csat",
                                                 "customers_end",
                                                 "customers_start",
                                                 "exit_churned",
                                                 "fcr",
                                                 "first_contacts",
                                                 "frt_minutes",
                                                 "frt_p90_minutes",
                                                 "hazard_churned",
                                                 "intervention_cost",
                                                 "joined",
                                                 "margin",
                                                 "net_value",
                                                 "net_value_lifetime",
                                                 "nps",
                                                 "referral_value",
                                                 "referrals",
                                                 "retention",
                                                 "revenue",
                                                 "service_cost",
                                                 "service_level",
                                                 "survey_nps",
                                                 "survey_responses",
                                                 "terminal_value",
                                                 "tickets_per_period",
                                                 "touchpoint_cost",
                                                 "utilization"};
  return names;
}

}  // namespace cxsim
