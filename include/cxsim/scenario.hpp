#pragma once
// The scenario: what a simulation means, as plain validated structs (../shared/MODEL.md, "The
// scenario file"). JSON stays behind this interface: the loader parses, applies every default of
// MODEL.md, checks types, ranges, ids and shares, and collects every diagnostic before failing.
// Collections keep the JSON object's key order (sorted by id), so runs do not depend on file layout.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cxsim/diagnostics.hpp"

namespace cxsim {

// A normal distribution N(mean, sd); users clamp draws to the documented range.
struct NormalSpec {
  double mean = 0.0;
  double sd = 0.0;
};

// Id -> share (shares sum to 1 within 1e-9) or id -> positive weight, in key order.
using WeightedIds = std::vector<std::pair<std::string, double>>;

struct HazardSpec {
  double base = 0.0;              // per-period baseline hazard (>= 0)
  double frailty_variance = 0.0;  // v of the Gamma(1/v, v) frailty; 0 means no frailty
};

struct Segment {
  std::string id;
  std::string description;
  double share = 0.0;  // required; shares of all segments sum to 1
  NormalSpec initial_sentiment{0.0, 0.0};
  double revenue_per_period = 0.0;
  double memory = 0.15;
  double negativity_bias = 2.0;
  double bad_threshold = -0.2;
  double bad_decay = 0.99;
  double effort_decay = 0.9;
  double contact_propensity = 0.5;
  double patience_minutes = 15.0;
  double self_resolve = 0.0;
  double referral_rate = 0.0;
  HazardSpec hazard;
  WeightedIds entry;        // empty: the journey's entry; otherwise touchpoint id -> share
  WeightedIds channel_mix;  // empty: the channels' shares; otherwise channel id -> share
};

struct Touchpoint {
  std::string id;
  std::string description;
  bool exit = false;
  NormalSpec quality{0.0, 0.0};
  double failure = 0.0;
  double failure_quality = -0.5;
  double effort = 0.0;
  double salience = 1.0;
  double revenue = 0.0;  // one-off, per visit
  double cost = 0.0;     // per visit
  double survey_rate = 0.0;
  WeightedIds next;  // target touchpoint id -> positive weight (empty for exits)
};

struct Journey {
  WeightedIds entry;  // touchpoint id -> share; a plain id in JSON becomes {id: 1}
  std::vector<Touchpoint> touchpoints;
};

// Staffing of a channel over time. JSON: null / absent (unlimited), an integer (constant), or
// {"default": n, "weekly": [7 integers], "periods": {"FROM-UNTIL": n, ...}}; for period t the
// first range with FROM <= t < UNTIL wins, else weekly[t % 7] (t counts periods), else default.
struct Staffing {
  bool unlimited = true;
  int default_agents = 0;
  std::vector<int> weekly;  // empty or exactly 7 entries
  struct Range {
    int from = 0;
    int until = 0;
    int agents = 0;
  };
  std::vector<Range> ranges;
  // Agents on duty in period t (meaningless when unlimited).
  int agents_at(int period) const;
};

struct Channel {
  std::string id;
  std::string description;
  double share = 0.0;
  Staffing agents;
  double aht_minutes = 10.0;
  double hours_per_period = 8.0;
  double fcr = 1.0;
  NormalSpec quality{0.0, 0.0};
  double effort = 0.0;
  double salience = 1.0;
  double cost_per_agent_period = 0.0;
  double cost_per_contact = 0.0;
};

struct Service {
  double wait_penalty = 0.3;
  double resolution_bonus = 0.3;
  double unresolved_penalty = 0.3;
  std::vector<Channel> channels;
};

struct ChurnCoefficients {
  double sentiment = -2.0;
  double open_issue = 0.5;
  double bad_experiences = 0.4;
  double effort = 0.05;
};

enum class TriggerKind { kOnVisit, kOnFailure, kAfterContact, kSentimentBelow, kRiskAbove, kIssueAgeAbove, kPeriodic };
enum class ContactOutcome { kResolved, kUnresolved, kAbandoned };

struct Trigger {
  TriggerKind kind = TriggerKind::kOnVisit;
  std::string touchpoint;                              // on_visit, on_failure
  ContactOutcome outcome = ContactOutcome::kResolved;  // after_contact
  double threshold = 0.0;                              // sentiment_below, risk_above
  int issue_age = 0;                                   // issue_age_above (periods)
  int every = 1, from = 0, until = -1;                 // periodic; until -1 means the horizon
};

struct Effect {
  std::optional<double> failure_multiplier;  // a number: on the triggering visit
  WeightedIds failure_multipliers;           // {touchpoint: m}: for `duration` periods
  double sentiment_boost = 0.0;
  double effort_change = 0.0;
  bool close_issue = false;
  std::optional<double> hazard_multiplier;
  int duration = 1;                   // periods
  std::optional<NormalSpec> quality;  // the intervention is itself an experience
};

struct Intervention {
  std::string id;
  std::string description;
  Trigger trigger;
  std::vector<std::string> target;  // segment ids; empty means all
  double coverage = 1.0;
  std::optional<std::int64_t> capacity_per_period;
  Effect effect;
  double cost_per_use = 0.0;
  double salience = 1.0;
};

struct Economics {
  std::string currency = "USD";
  double annual_discount_rate = 0.08;
};

struct NpsSpec {
  double noise_sd = 1.5;
  int report_every = 30;
};

struct Scenario {
  std::string file;  // where it was loaded from (for diagnostics)
  // FNV-1a 64 of the validated document dumped canonically (keys sorted, no whitespace): what a
  // checkpoint checks its scenario against. 0 for a Scenario not built by the loader.
  std::uint64_t content_hash = 0;
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  int horizon_periods = 365;
  double period_days = 1.0;
  int replications = 8;
  std::int64_t customers = 0;  // population.customers, required, 1 .. 4294967295
  Economics economics;
  std::vector<Segment> segments;
  Journey journey;
  Service service;
  ChurnCoefficients churn;
  std::vector<Intervention> interventions;
  NpsSpec nps;
};

// Hard input limits, checked while parsing (before any large allocation).
inline constexpr std::size_t kMaxScenarioBytes = 16u << 20;  // 16 MiB
inline constexpr int kMaxJsonDepth = 64;
// Replications of a run: 1 .. kMaxReplicationCount.
inline constexpr int kMaxReplicationCount = 10000;

// Reads, parses and validates a scenario file. Throws InputError with every diagnostic when the
// file is missing, unreadable, too large, not JSON, or invalid. Warnings (for example unreachable
// touchpoints) are appended to *warnings when given.
Scenario load_scenario(const std::string& path, std::vector<Diagnostic>* warnings = nullptr);

// Same, from text already in memory; `file` names it in diagnostics.
Scenario parse_scenario(std::string_view text, const std::string& file, std::vector<Diagnostic>* warnings = nullptr);

// ---- Editing a scenario before validation (`--set`, strategy batches) ----------------------------
// load_scenario's steps, exposed so a document can be edited between reading and validating:
// read_json_document (the loader's limits), apply_assignments (`--set`) or a JSON Merge Patch (a
// batch variant), then scenario_from_document.

// Reads and parses a JSON file with the loader's limits (kMaxScenarioBytes, kMaxJsonDepth,
// duplicate keys and invalid UTF-8 refused). `kind` names the file in messages ("scenario",
// "batch"). Throws InputError naming `path`.
nlohmann::json read_json_document(const std::string& path, std::string_view kind = "scenario");

// Validates a parsed document as a scenario, exactly as parse_scenario does after parsing; `file`
// names it in diagnostics.
Scenario scenario_from_document(const nlohmann::json& doc, const std::string& file,
                                std::vector<Diagnostic>* warnings = nullptr);

// A command-line assignment `--set POINTER=VALUE`: POINTER is an RFC 6901 JSON pointer into the
// scenario; VALUE is parsed as JSON, or taken as a plain string when it is not JSON.
struct Assignment {
  std::string pointer;
  std::string value_text;
};

// Splits "POINTER=VALUE" at the first '='. Throws InputError (file `<command line>`) when there is
// no '=' or POINTER is not a JSON pointer to a value inside the document ("/a/b", "~0" and "~1"
// escapes only).
Assignment parse_assignment(std::string_view text);

// Sets each value in `doc`, in order. Every token but the last must name an existing member
// (object key or array index); the last may add a key to an object or replace an existing array
// element. Throws InputError (file `<command line>`, the assignment's pointer) with every failure.
void apply_assignments(nlohmann::json& doc, const std::vector<Assignment>& assignments);

// Diagnostics at or below an assigned pointer are about the command line: their file becomes
// `<command line>` and their message names the assignment. Others are returned unchanged.
std::vector<Diagnostic> attribute_to_assignments(std::vector<Diagnostic> diagnostics,
                                                 const std::vector<Assignment>& assignments);

// load_scenario with `assignments` applied to the document before validation; diagnostics caused
// by an assignment name `<command line>` and its pointer.
Scenario load_edited_scenario(const std::string& path, const std::vector<Assignment>& assignments,
                              std::vector<Diagnostic>* warnings = nullptr);

// Message helpers for other readers of JSON documents: what a value is (`string
// "abc"`, `an empty object`, `12`), the closest of `candidates` to a misspelt `word` (a
// case-insensitive match, else edit distance <= 2), and the pointer of `key` below `pointer`.
std::string describe_json(const nlohmann::json& value);
std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string>& candidates);
std::string pointer_child(const std::string& pointer, std::string_view key);
// Every key of `object` must be in `allowed`: an error at `pointer`/KEY for each other key, with a
// did-you-mean when one is close, else the list of allowed keys.
void check_known_keys(const nlohmann::json& object, const std::vector<std::string>& allowed, const std::string& pointer,
                      DiagnosticSink& sink);

// The keys the loader accepts in each kind of object, by where the object sits: a JSON pointer in
// which "*" stands for any id ("/segments/*", "/interventions/*/trigger"). An exit touchpoint takes
// only exit_touchpoint_keys(). The JSON Schema's test checks the schema against these lists.
struct AcceptedKeys {
  std::string where;
  const std::vector<std::string>* keys;
};
const std::vector<AcceptedKeys>& accepted_keys();
const std::vector<std::string>& exit_touchpoint_keys();

// Re-checks the ranges of the run-size fields after command-line overrides (customers,
// replications, horizon); throws InputError naming `<command line>` and the option.
void check_run_size(const Scenario& s);

}  // namespace cxsim
