#pragma once
// What the what-if commands share (cxsim/explore.hpp, cxsim/optimize.hpp): the base document read
// once, points built from it and validated as `cxsim run --set` validates a scenario, numbers moved
// within their schema ranges, and one runner that simulates points with the same seed and
// replication indices, reuses the run of any scenario it has run already, and reports progress
// over the whole job.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cxsim/explore.hpp"
#include "report_document.hpp"
#include "schema.hpp"

namespace cxsim {

// How a point's problems are worded: `label(d, change)` rewrites a diagnostic about a value a
// change wrote (its message without the "--set" prefix), `context` names the point in the others.
struct PointWording {
  std::function<Diagnostic(Diagnostic, const PointChange&)> label;
  std::string context;
};

// The base scenario document (with the base's --set assignments) and the points made from it.
class PointBuilder {
 public:
  // Reads and validates the base (InputError as load_scenario throws it); base warnings go to
  // *warnings.
  PointBuilder(const ExploreBase& base, std::vector<Diagnostic>* warnings);

  const ExploreBase& base() const { return base_; }
  const Scenario& base_scenario() const { return base_scenario_; }
  // The base document with the assignments applied, before validation.
  const nlohmann::json& document() const { return document_; }
  // The effective base document (every default filled in): where base values are read.
  const nlohmann::json& effective() const { return effective_; }

  // The base with `changes` applied (in order), validated, with the overrides applied. On failure
  // the diagnostics, worded by `wording`, are appended to *errors and nullopt is returned; warnings
  // the base does not have go to *warnings.
  std::optional<ExplorePoint> build(const std::vector<PointChange>& changes, const PointWording& wording,
                                    std::vector<Diagnostic>* errors, std::vector<Diagnostic>* warnings) const;

 private:
  // A diagnostic about a value the base's assignments or patch wrote, moved to them.
  Diagnostic attribute_to_base(Diagnostic d) const;

  ExploreBase base_;
  nlohmann::json patch_;
  nlohmann::json document_;
  nlohmann::json effective_;
  Scenario base_scenario_;
  std::vector<Diagnostic> base_warnings_;
};

// Throws InputError with `errors` (deduplicated, in order) when any is an error.
void throw_if_errors(std::vector<Diagnostic> errors);

// "/a=1, /b=x": the changes of a point, for messages.
std::string describe_changes(const std::vector<PointChange>& changes);

// Keys the what-if commands may not vary: every point must run the base's seed, replications and
// horizon (common random numbers pair replication r of each point). The error message for `pointer`
// when it is one of them or lies above one ("" when allowed).
std::string fixed_key_problem(const std::string& pointer);

// Runs points. Every run uses the same seed and replication indices (those the scenario's own
// replication count and `first`/`count` select); a scenario whose effective document was run
// before with the same replications is not simulated again.
class PointRunner {
 public:
  explicit PointRunner(const ExploreOptions& options) : options_(options) {}

  // Adds the work of running these scenarios' replications to the progress plan (scenarios the
  // plan already holds count once).
  void plan(const std::vector<const Scenario*>& scenarios, int first = 0, int count = -1);
  // Adds work to the plan (customer-periods), for jobs whose points are not known in advance.
  void plan_work(double customer_periods) { planned_ += customer_periods; }

  // Replications first .. first + count - 1 (count < 0: through the scenario's last).
  std::shared_ptr<const RunResult> run(const Scenario& scenario, int first = 0, int count = -1);

  int simulations() const { return simulations_; }

 private:
  static std::string key(const Scenario& scenario, int first, int count);
  static double work(const Scenario& scenario, int first, int count);

  ExploreOptions options_;
  std::map<std::string, std::shared_ptr<const RunResult>> done_;
  std::map<std::string, bool> planned_keys_;
  double planned_ = 0.0;
  double worked_ = 0.0;
  int simulations_ = 0;
};

// ExploreInfo of a job: the base, its run information, threads and the runner's simulations.
ExploreInfo explore_info(const ExploreBase& base, const Scenario& base_scenario, const ExploreOptions& options,
                         const PointRunner& runner);

// A result with only its metrics (series and entity counts dropped), to keep many runs in memory.
RunResult metrics_only(const RunResult& result);

// `a`'s replications followed by `b`'s (the same scenario, consecutive replication indices).
RunResult concatenate(RunResult a, const RunResult& b);

// ---- numbers at a pointer -------------------------------------------------------------------------

// Every number in `value` (a number, or an object or array of numbers such as a schedule) moved by
// `move(x, info)`, where `info` is the schema's word on the number at its own pointer below
// `pointer`. nullopt when `value` holds anything but numbers (or nothing).
std::optional<nlohmann::json> move_numbers(const nlohmann::json& value, const std::string& pointer,
                                           const std::function<double(double, const SchemaNumber&)>& move);

// The mean of the numbers in `value` (NaN when it holds none).
double mean_of_numbers(const nlohmann::json& value);

// A number as value text: integers without a fraction, others the shortest text that reads back.
std::string number_text(double x, bool integer);

// FROM:TO:STEP as value texts (TO included within 1e-9 of a step); integers when the three texts
// are integers, else rounded to the most decimals of FROM and STEP. Empty when the range is
// malformed (step 0, or of the wrong sign); at most `max_values` values (nullopt when more).
std::optional<std::vector<std::string>> range_values(const std::string& from, const std::string& to,
                                                     const std::string& step, std::size_t max_values);

// ---- document pieces --------------------------------------------------------------------------

// The "options" block: scenario, set, seed, customers, replications, horizon_periods, threads,
// simulations, then `extra`'s keys; and the "scenario" block of the base run.
Json options_json(const ExploreInfo& info, const Json& extra);
Json scenario_json(const RunInfo& info);

// {METRIC: {mean, sd, ci95}} of a run's metrics.
Json metric_summaries(const RunResult& result);

// {METRIC: {mean, sd, ci95}} of paired deltas.
Json deltas_json(const std::map<std::string, Summary>& deltas);

// A value text as `--set` reads it: its JSON value, or the string when it is not JSON.
nlohmann::json parse_value_text(const std::string& value_text);
// The same, for a document.
Json value_json(const std::string& value_text);

}  // namespace cxsim
