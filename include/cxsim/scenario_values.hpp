#pragma once
// The few value types of a scenario that are not a plain number, string or struct of the JSON
// Schema: the generated structs of cxsim/scenario_keys.hpp use them, and hand-written readers in the
// loader fill them (the schema names both with "x-cxsim-type" and "x-cxsim-read").
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cxsim {

// Id -> share (shares sum to 1 within 1e-9) or id -> positive weight, in key order (JSON objects
// are read sorted by key, so nothing depends on how a file orders them).
using WeightedIds = std::vector<std::pair<std::string, double>>;

// A value over periods (MODEL.md "A customer base over time"): a number (constant), or
// {"default": x, "weekly": [7 values], "periods": {"FROM-UNTIL": x, ...}}; for period t the first
// range with FROM <= t < UNTIL wins, else weekly[t mod 7] (period 0 is the first day of a week),
// else the default.
struct Schedule {
  struct Range {
    int from = 0;   // first period
    int until = 0;  // end period, exclusive
    double value = 0.0;
  };
  double default_value = 0.0;
  std::vector<double> weekly;  // empty or exactly 7 values
  std::vector<Range> ranges;   // sorted by `from`; where ranges overlap, the earlier-starting wins

  Schedule() = default;
  Schedule(double constant) : default_value(constant) {}  // NOLINT: a number is a constant schedule

  // The value in period t (any integer: warm-up periods are negative).
  double at(int period) const;
  bool constant() const { return weekly.empty() && ranges.empty(); }
};

// New customers joining during the run (MODEL.md "A customer base over time"):
// population.acquisition.
struct Acquisition {
  Schedule per_period;   // customers joining per period
  WeightedIds segments;  // segment id -> share of joiners; empty: the segments' shares
  WeightedIds entry;     // where joiners start; empty: their segment's entry, else the journey's
};

// An intervention's failure_multiplier: a number (on the triggering visit) or an object of
// touchpoint ids to multipliers (for `duration` periods).
struct FailureMultiplier {
  std::optional<double> on_visit;
  WeightedIds timed;
};

}  // namespace cxsim
