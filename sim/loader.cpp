// Scenario loader (see loader.hpp and cxsim/scenario.hpp): one document, four passes, every
// diagnostic collected before failing:
//   1. parse (json_input.cpp): limits, encodings, duplicate keys, syntax errors with line and column;
//   2. schema (schema.cpp): types, ranges, defaults, required and unknown keys, all owned by
//      scenarios/schema/scenario.schema.json;
//   3. read: the generated reader (tools/schema_codegen.cpp) fills the structs, taking every default
//      from the schema;
//   4. semantics (here): what a schema cannot say: ids that resolve, shares that sum to 1, hours
//      within a period, periodic ranges, and the journey graph (graph.cpp).
// A semantic error at a value the schema already refused is left out: the schema's message says it.
#include "loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "diagnostic_sink.hpp"
#include "graph.hpp"
#include "hash.hpp"
#include "json_input.hpp"
#include "messages.hpp"
#include "scenario_reader.hpp"
#include "schema.hpp"

namespace cxsim {

namespace {

using nlohmann::json;

constexpr double kShareTolerance = 1e-9;
constexpr const char* kCommandLine = "<command line>";

// The checks of pass 4, over the structs read in pass 3.
class SemanticChecks {
 public:
  SemanticChecks(const Scenario& s, DiagnosticSink& sink) : s_(s), sink_(sink) {
    for (const auto& t : s.journey.touchpoints) {
      touchpoint_ids_.push_back(t.id);
      if (t.exit) exit_ids_.push_back(t.id);
    }
    for (const auto& g : s.segments) segment_ids_.push_back(g.id);
    for (const auto& c : s.service.channels) channel_ids_.push_back(c.id);
  }

  void run() {
    check_shares(s_.segments, "/segments", "segment shares");
    check_shares(s_.service.channels, "/service/channels", "channel shares");
    check_entry(s_.journey.entry, "/journey/entry");
    for (const auto& g : s_.segments) {
      const std::string p = child("/segments", g.id);
      if (!g.entry.empty()) check_entry(g.entry, child(p, "entry"));
      check_channel_mix(g.channel_mix, child(p, "channel_mix"));
    }
    for (const auto& t : s_.journey.touchpoints) {
      const std::string p = child(child("/journey/touchpoints", t.id), "next");
      for (const auto& [target, weight] : t.next) {
        if (!resolve(target, child(p, target), kTouchpoints, "next")) ++journey_id_errors_;
      }
    }
    const double max_hours = 24.0 * s_.period_days;
    for (const auto& c : s_.service.channels) {
      if (s_.period_days > 0.0 && c.hours_per_period > max_hours) {
        sink_.error(child(child("/service/channels", c.id), "hours_per_period"),
                    fmt::format("expected a number of hours in (0, {}] (24 x period_days), found {}",
                                format_number(max_hours), format_number(c.hours_per_period)));
      }
    }
    for (const auto& c : s_.service.channels) check_channel_day(c, child("/service/channels", c.id));
    for (const auto& iv : s_.interventions) check_intervention(iv, child("/interventions", iv.id));
    if (s_.population.acquisition) check_acquisition(*s_.population.acquisition, "/population/acquisition");
    check_base_over_time();
  }

  // The journey graph check needs every id to resolve.
  bool journey_ids_ok() const { return journey_id_errors_ == 0; }

 private:
  enum IdKind { kTouchpoints, kSegments, kChannels };

  const std::vector<std::string>& ids(IdKind kind) const {
    return kind == kTouchpoints ? touchpoint_ids_ : kind == kSegments ? segment_ids_ : channel_ids_;
  }

  // True when `id` names an existing item of `kind`; otherwise an error naming the known ids.
  bool resolve(const std::string& id, const std::string& pointer, IdKind kind, std::string_view context) {
    const auto& known = ids(kind);
    if (std::binary_search(known.begin(), known.end(), id)) return true;  // ids are sorted (JSON key order)
    // No journey or no segments at all: the schema has said so; every reference would repeat it.
    if (known.empty() && kind != kChannels) return false;
    const char* noun = kind == kTouchpoints ? "touchpoint" : kind == kSegments ? "segment" : "channel";
    const auto hint = closest_name(id, known);
    std::string message = fmt::format("unknown {} {} in {}", noun, quote(id), context);
    if (hint) message += fmt::format("; did you mean \"{}\"?", *hint);
    message += known.empty() ? fmt::format("; no {}s are defined", noun)
                             : fmt::format("{} known {}s: {}", hint ? "" : ";", noun, list_names(known));
    sink_.error(pointer, message);
    return false;
  }

  // An existing, non-exit touchpoint (entries, intervention triggers and multipliers).
  bool resolve_visitable(const std::string& id, const std::string& pointer, std::string_view context,
                         std::string_view why) {
    if (!resolve(id, pointer, kTouchpoints, context)) return false;
    if (!std::binary_search(exit_ids_.begin(), exit_ids_.end(), id)) return true;
    sink_.error(pointer, fmt::format("touchpoint {} in {} is an exit touchpoint; {}", quote(id), context, why));
    return false;
  }

  void check_sum(const WeightedIds& shares, const std::string& pointer, std::string_view what) {
    double sum = 0.0;
    for (const auto& [id, share] : shares) sum += share;
    if (std::abs(sum - 1.0) > kShareTolerance) {
      sink_.error(pointer, fmt::format("{} sum to {:.12g}, expected 1 (within 1e-9)", what, sum));
    }
  }

  template <typename Items>
  void check_shares(const Items& items, const std::string& pointer, std::string_view what) {
    if (items.empty()) return;
    WeightedIds shares;
    for (const auto& item : items) shares.emplace_back(item.id, item.share);
    check_sum(shares, pointer, what);
  }

  void check_entry(const WeightedIds& entry, const std::string& pointer) {
    constexpr std::string_view kWhy =
        "customers would leave before their first step, so start them at a non-exit touchpoint";
    const bool single = entry.size() == 1 && entry.front().second == 1.0;
    bool ok = true;
    for (const auto& [id, share] : entry) {
      ok = resolve_visitable(id, single ? pointer : child(pointer, id), "entry", kWhy) && ok;
    }
    if (!ok) ++journey_id_errors_;
    if (!single && !entry.empty()) check_sum(entry, pointer, "entry shares");
  }

  void check_channel_mix(const WeightedIds& mix, const std::string& pointer) {
    bool ok = true;
    for (const auto& [channel, share] : mix)
      ok = resolve(channel, child(pointer, channel), kChannels, "channel_mix") && ok;
    if (ok && !mix.empty()) check_sum(mix, pointer, "channel_mix shares");
  }

  void check_acquisition(const Acquisition& a, const std::string& p) {
    bool ok = true;
    for (const auto& [segment, share] : a.segments) {
      ok = resolve(segment, child(child(p, "segments"), segment), kSegments, "acquisition segments") && ok;
    }
    if (ok && !a.segments.empty()) check_sum(a.segments, child(p, "segments"), "acquisition segment shares");
    if (!a.entry.empty()) check_entry(a.entry, child(p, "entry"));
  }

  // Keys of the base over time that are valid but probably not what was meant.
  void check_base_over_time() {
    if (s_.population.referrals_join &&
        std::none_of(s_.segments.begin(), s_.segments.end(), [](const Segment& g) { return g.referral_rate > 0.0; })) {
      sink_.warning("/population/referrals_join",
                    "no segment has a referral_rate above 0, so no referred customer will ever join");
    }
    if (s_.economics.annual_discount_rate == 0.0) {
      sink_.warning("/economics/annual_discount_rate",
                    "without discounting, a customer's value beyond the horizon is unbounded as its churn "
                    "probability falls: terminal_value, clv_lifetime, clv_joiners and net_value_lifetime are "
                    "reported as null; give a rate above 0 to have them");
    }
    for (const auto& iv : s_.interventions) {
      if (iv.once_per_customer && iv.cooldown_periods > 0) {
        sink_.warning(child(child("/interventions", iv.id), "cooldown_periods"),
                      "once_per_customer already treats each customer at most once; the cooldown has no effect");
      }
    }
  }

  // The open day of a channel: intervals of arrival_profile and intraday_staffing agree, weights are
  // not all zero, and a backlog channel has agents to work it.
  void check_channel_day(const Channel& c, const std::string& p) {
    const auto all_zero = [](const std::vector<double>& w) {
      return !w.empty() && std::all_of(w.begin(), w.end(), [](double x) { return x == 0.0; });
    };
    if (all_zero(c.arrival_profile)) {
      sink_.error(child(p, "arrival_profile"), "all weights are 0: contacts must fall in some interval of the day");
    }
    if (all_zero(c.intraday_staffing)) {
      sink_.error(child(p, "intraday_staffing"),
                  "all weights are 0: no agent would ever be on duty; give agents 0 to close the channel");
    }
    const std::size_t k_arrivals = c.arrival_profile.size(), k_staffing = c.intraday_staffing.size();
    if (k_arrivals > 1 && k_staffing > 0 && k_arrivals != k_staffing) {
      sink_.error(child(p, "intraday_staffing"),
                  fmt::format("{} weights, but {} has {}: both split the open hours into the same intervals",
                              k_staffing, child(p, "arrival_profile"), k_arrivals));
    }
    if (c.kind == ChannelKind::kBacklog && !c.agents) {
      sink_.error(child(p, "agents"),
                  "a backlog channel needs agents to work its backlog (an integer or a schedule); null means "
                  "unlimited, which only a channel without a queue can be (use kind \"queue\" for self-service)");
    }
  }

  void check_intervention(const Intervention& iv, const std::string& p) {
    const Trigger& tr = iv.trigger;
    const std::string tp = child(p, "trigger");
    if (tr.on_visit) {
      resolve_visitable(*tr.on_visit, child(tp, "on_visit"), "trigger on_visit",
                        "exits are never visited, so it would never fire");
    }
    if (tr.on_failure) {
      resolve_visitable(*tr.on_failure, child(tp, "on_failure"), "trigger on_failure",
                        "exits are never visited, so it would never fire");
    }
    if (tr.periodic && tr.periodic->until && *tr.periodic->until <= tr.periodic->from) {
      sink_.error(child(child(tp, "periodic"), "until"),
                  fmt::format("expected an integer in [{}, 2147483647] (after \"from\"), found {}",
                              tr.periodic->from + 1, *tr.periodic->until));
    }
    std::set<std::string> listed;
    for (std::size_t i = 0; i < iv.target.size(); ++i) {
      const std::string& g = iv.target[i];
      if (!listed.insert(g).second) {
        sink_.error(child(child(p, "target"), i), fmt::format("segment {} is listed twice in target", quote(g)));
      } else {
        resolve(g, child(child(p, "target"), i), kSegments, "target");
      }
    }
    const Effect& e = iv.effect;
    const std::string mp = child(child(p, "effect"), "failure_multiplier");
    if (e.failure_multiplier) {
      for (const auto& [id, factor] : e.failure_multiplier->timed) {
        resolve_visitable(id, child(mp, id), "failure_multiplier", "exits are never visited");
      }
      if (e.failure_multiplier->on_visit && !tr.on_visit) {
        sink_.warning(mp,
                      "a single failure_multiplier applies to the triggering visit, so it only acts with an "
                      "on_visit trigger; use {\"touchpoint\": multiplier} to apply it for `duration` periods");
      } else if (e.failure_multiplier->on_visit && iv.capacity_per_period) {
        sink_.warning(mp,
                      "a capacity-limited intervention treats its customers in the period after the trigger, "
                      "when the triggering visit is over, so a single failure_multiplier never acts; use "
                      "{\"touchpoint\": multiplier} to apply it for `duration` periods");
      }
    }
  }

  const Scenario& s_;
  DiagnosticSink& sink_;
  std::vector<std::string> touchpoint_ids_, exit_ids_, segment_ids_, channel_ids_;
  int journey_id_errors_ = 0;
};

// Schedule ranges (read in FROM order per schedule): one that starts at or after the horizon never
// applies, and where two overlap the earlier-starting one wins. Both are warnings: the schedule
// still has a meaning, perhaps not the one intended.
void check_schedule_ranges(const std::vector<std::pair<std::string, Schedule::Range>>& ranges, int horizon,
                           DiagnosticSink& sink) {
  const auto parent = [](const std::string& pointer) { return pointer.substr(0, pointer.rfind('/')); };
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const auto& [pointer, r] = ranges[i];
    if (r.from >= horizon) {
      sink.warning(pointer, fmt::format("the range starts at period {}, at or after the horizon ({} periods): it never "
                                        "applies",
                                        r.from, horizon));
    }
    if (i > 0 && parent(ranges[i - 1].first) == parent(pointer) && r.from < ranges[i - 1].second.until) {
      const Schedule::Range& a = ranges[i - 1].second;
      sink.warning(parent(pointer), fmt::format("period ranges \"{}-{}\" and \"{}-{}\" overlap: in periods {} to {} "
                                                "the one starting earlier (\"{}-{}\") applies",
                                                a.from, a.until, r.from, r.until, r.from, std::min(a.until, r.until) - 1,
                                                a.from, a.until));
    }
  }
}

// Schema errors first, then the semantic ones that are not about a value the schema refused (at,
// above or below its pointer), then warnings.
DiagnosticSink merge(const DiagnosticSink& schema, const DiagnosticSink& semantic) {
  std::set<std::string> flagged;
  for (const auto& d : schema.all()) flagged.insert(d.pointer);
  const auto refused = [&flagged](const std::string& pointer) {
    for (const auto& f : flagged) {
      if (pointer_within(pointer, f) || pointer_within(f, pointer)) return true;
    }
    return false;
  };
  DiagnosticSink all(schema.file());
  for (const auto& d : schema.all()) all.error(d.pointer, d.message);
  for (const auto& d : semantic.all()) {
    if (d.severity == Severity::kWarning) continue;
    if (!refused(d.pointer)) all.error(d.pointer, d.message);
  }
  for (const auto& d : semantic.all()) {
    if (d.severity == Severity::kWarning) all.warning(d.pointer, d.message);
  }
  return all;
}

}  // namespace

Scenario scenario_from_document(const json& original, const std::string& file, std::vector<Diagnostic>* warnings) {
  // check_schema rewrites integral floats (5.0) as integers, as JSON Schema reads them; the reader
  // then reads the same rewritten copy, so both agree on what is an integer.
  json doc = original;
  DiagnosticSink schema_sink(file);
  check_schema(SchemaKind::kScenario, doc, schema_sink);

  DiagnosticSink sink(file);
  Scenario scenario;
  ReadContext context{sink, {}};
  read_value(doc, "", static_cast<ScenarioKeys&>(scenario), context);
  scenario.file = file;
  if (doc.is_object()) {
    SemanticChecks checks(scenario, sink);
    checks.run();
    check_schedule_ranges(context.schedule_ranges, scenario.horizon_periods, sink);
    if (checks.journey_ids_ok() && !scenario.journey.touchpoints.empty() && !schema_sink.has_errors()) {
      check_journey(scenario, sink);
    }
  }
  const DiagnosticSink all = merge(schema_sink, sink);
  all.throw_if_errors();
  scenario.content_hash = fnv1a64(doc.dump(-1, ' ', false, json::error_handler_t::replace));
  if (warnings != nullptr) {
    for (const auto& d : all.all()) {
      if (d.severity == Severity::kWarning) warnings->push_back(d);
    }
  }
  return scenario;
}

nlohmann::json scenario_document(const Scenario& scenario) {
  json out;
  write_value(out, static_cast<const ScenarioKeys&>(scenario));
  return out;
}

std::optional<std::string> scenario_value(const Scenario& scenario, const std::string& pointer) {
  if (!pointer_tokens(pointer) && !pointer.empty()) return std::nullopt;
  const json doc = scenario_document(scenario);
  const json::json_pointer p(pointer);
  if (!doc.contains(p)) return std::nullopt;
  return doc.at(p).dump();
}

Scenario parse_scenario(std::string_view text, const std::string& file, std::vector<Diagnostic>* warnings) {
  return scenario_from_document(parse_json_text(text, file, kScenarioLimits), file, warnings);
}

Scenario load_scenario(const std::string& path, const std::vector<Assignment>& assignments,
                       std::vector<Diagnostic>* warnings) {
  json doc = read_json_file(path, kScenarioLimits);
  apply_assignments(doc, assignments);
  std::vector<Diagnostic> found;
  try {
    Scenario s = scenario_from_document(doc, path, &found);
    if (warnings != nullptr) {
      for (auto& d : attribute_to_assignments(std::move(found), assignments)) warnings->push_back(std::move(d));
    }
    return s;
  } catch (const InputError& e) {
    throw InputError(attribute_to_assignments(e.diagnostics(), assignments));
  }
}

void apply_overrides(Scenario& s, const RunOverrides& o) {
  if (o.customers) s.population.customers = *o.customers;
  if (o.replications) s.replications = *o.replications;
  if (o.seed) s.seed = *o.seed;
  if (o.horizon) s.horizon_periods = *o.horizon;
  DiagnosticSink sink(kCommandLine);
  const auto check = [&sink](const char* pointer, const char* option, double value) {
    if (!schema_in_range(SchemaKind::kScenario, pointer, value)) {
      sink.error(pointer, fmt::format("{} = {} (from the command line): expected {}", option, format_number(value),
                                      schema_expectation(SchemaKind::kScenario, pointer)));
    }
  };
  if (o.customers) check("/population/customers", "--customers", static_cast<double>(*o.customers));
  if (o.replications) check("/replications", "--replications", *o.replications);
  if (o.horizon) check("/horizon_periods", "--horizon", *o.horizon);
  sink.throw_if_errors();
}

}  // namespace cxsim
