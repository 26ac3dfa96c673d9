// Console tables of the what-if documents (see explore_report.hpp), from the document alone.
#include <fmt/format.h>

#include <cmath>
#include <ostream>
#include <vector>

#include "explore_report.hpp"

namespace cxsim {

namespace {

// A value as a cell: strings bare, other JSON as written.
std::string cell(const Json& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(); }

std::string currency_of(const Json& doc) {
  return doc.contains("scenario") ? cell(doc["scenario"].value("currency", Json(""))) : std::string();
}

const Json& block(const Json& doc, const char* key) {
  static const Json empty = Json::object();
  return doc.is_object() && doc.contains(key) ? doc[key] : empty;
}

// "{customers} customers x {replications} replications (common random numbers), {horizon} periods, seed {seed}".
std::string run_size(const Json& doc) {
  const Json& s = block(doc, "scenario");
  return fmt::format("{} customers x {} replications (common random numbers), {} periods, seed {}",
                     cell(s.value("customers", Json())), cell(s.value("replications", Json())),
                     cell(s.value("horizon_periods", Json())), cell(s.value("seed", Json())));
}

std::string name_of(const Json& doc) { return cell(block(doc, "scenario").value("name", Json(""))); }

bool excludes_zero(const Summary& d) {
  return d.ci95 && std::isfinite(d.mean) && (d.ci95->first > 0.0 || d.ci95->second < 0.0);
}

// "+1.23 pp +/- 0.10" : a paired delta and its 95% half-width.
std::string delta_cell(const std::string& metric, const Json& summary, const std::string& currency) {
  const Summary d = summary_of(summary);
  std::string out = format_metric(metric, d.mean, currency, true);
  if (d.ci95 && std::isfinite(d.mean)) {
    std::string h = format_metric(metric, 0.5 * (d.ci95->second - d.ci95->first), currency, true);
    if (!h.empty() && h[0] == '+') h.erase(0, 1);
    out += " +/- " + h;
  }
  return out;
}

std::string share_cell(const Json& v) {
  const double x = number_of(v);
  return std::isfinite(x) ? fmt::format("{:.0f}%", 100.0 * x) : "n/a";
}

void print_sweep(std::ostream& out, const Json& doc) {
  const Json& sweep = doc["sweep"];
  const std::string currency = currency_of(doc);
  out << fmt::format("{}: sweep of {} point{}, {}\n\n", name_of(doc), sweep["points"].size(),
                     sweep["points"].size() == 1 ? "" : "s", run_size(doc));
  const std::vector<std::string> shown = {"retention",   "nps",          "csat",     "frt_minutes",
                                          "abandonment", "service_cost", "net_value"};
  std::vector<std::string> header = {"#"};
  std::vector<bool> right = {true};
  for (const Json& p : sweep["parameters"]) {
    header.push_back(cell(p));
    right.push_back(true);
  }
  for (const std::string& m : shown) {
    header.push_back(m);
    right.push_back(true);
  }
  for (const char* h : {"delta net_value", "95% CI", ""}) {
    header.push_back(h);
    right.push_back(h[0] == 'd');
  }
  std::vector<std::vector<std::string>> rows = {header};
  int k = 0;
  for (const Json& p : sweep["points"]) {
    std::vector<std::string> row = {std::to_string(++k)};
    for (const Json& param : sweep["parameters"]) row.push_back(cell(p["values"][param.get<std::string>()]));
    for (const std::string& m : shown) {
      row.push_back(p["metrics"].contains(m) ? format_metric(m, mean_of(p["metrics"][m]), currency) : "");
    }
    const Summary d = summary_of(block(p["delta"], "net_value"));
    if (k == 1) {
      row.insert(row.end(), {"(reference)", "", ""});
    } else {
      row.insert(row.end(), {format_metric("net_value", d.mean, currency, true),
                             format_interval("net_value", d, currency, true), excludes_zero(d) ? "*" : ""});
    }
    rows.push_back(std::move(row));
  }
  print_table(out, rows, right);
  out << "  * the 95% interval of the paired difference to point 1 excludes zero\n";
}

void print_sensitivity(std::ostream& out, const Json& doc) {
  const Json& s = doc["sensitivity"];
  const std::string currency = currency_of(doc);
  const std::string metric = cell(s["objective"]);
  const double step = number_of(s["relative_step"]);
  out << fmt::format("{}: one-at-a-time sensitivity of {} (each parameter -/+ {:g}%), {}\n", name_of(doc), metric,
                     100.0 * step, run_size(doc));
  const Summary base = summary_of(block(s["base"], metric.c_str()));
  out << fmt::format("base {}: {} {}\n\n", metric, format_metric(metric, base.mean, currency),
                     format_interval(metric, base, currency, false));
  std::vector<std::vector<std::string>> rows = {{"rank", "parameter", "base", "low", "high", "delta at low",
                                                 "delta at high", "swing (high - low)", "95% CI", "elasticity",
                                                 "95% CI"}};
  std::vector<std::string> skipped;
  int rank = 0;
  for (const Json& p : s["parameters"]) {
    if (p.contains("skipped")) {
      skipped.push_back(fmt::format("  {} (base {}): {}", cell(p["pointer"]), cell(p["base"]), cell(p["skipped"])));
      continue;
    }
    const Summary swing = summary_of(p["swing"]);
    const Summary e = summary_of(p["elasticity"]);
    rows.push_back(
        {std::to_string(++rank), cell(p["pointer"]), cell(p["base"]), cell(p["low"]), cell(p["high"]),
         format_metric(metric, mean_of(block(p["delta_low"], metric.c_str())), currency, true),
         format_metric(metric, mean_of(block(p["delta_high"], metric.c_str())), currency, true),
         format_metric(metric, swing.mean, currency, true), format_interval(metric, swing, currency, true),
         std::isfinite(e.mean) ? fmt::format("{:+.3g}", e.mean) : "n/a",
         e.ci95 && std::isfinite(e.mean) ? fmt::format("[{:+.3g}, {:+.3g}]", e.ci95->first, e.ci95->second) : "n/a"});
  }
  print_table(out, rows, {true, false, true, true, true, true, true, true, false, true, false});
  out << "  elasticity: relative change of " << metric << " per relative change of the parameter (paired 95% CI)\n";
  if (!skipped.empty()) {
    out << "not varied:\n";
    for (const std::string& line : skipped) out << line << '\n';
  }
}

void print_group(std::ostream& out, const std::string& title, const Json& parts, const Json& joint,
                 const std::vector<std::string>& metrics, const std::string& currency, const char* delta_key,
                 const char* share_key) {
  if (parts.empty()) return;
  out << '\n' << title << '\n';
  std::vector<std::string> header = {"part"};
  std::vector<bool> right = {false};
  for (const std::string& m : metrics) {
    header.insert(header.end(), {"delta " + m, "share"});
    right.insert(right.end(), {true, true});
  }
  std::vector<std::vector<std::string>> rows = {header};
  for (const auto& [id, part] : parts.items()) {
    std::vector<std::string> row = {id};
    for (const std::string& m : metrics) {
      row.push_back(delta_cell(m, block(part[delta_key], m.c_str()), currency));
      row.push_back(share_cell(block(part[share_key], m.c_str())));
    }
    rows.push_back(std::move(row));
  }
  if (!joint.is_null() && std::string(delta_key) == "delta") {
    std::vector<std::string> all = {"(all at once)"}, interaction = {"(interaction)"};
    for (const std::string& m : metrics) {
      all.insert(all.end(), {delta_cell(m, block(joint["delta"], m.c_str()), currency), ""});
      interaction.insert(interaction.end(),
                         {format_metric(m, number_of(block(joint["interaction"], m.c_str())), currency, true), ""});
    }
    rows.push_back(std::move(all));
    rows.push_back(std::move(interaction));
  }
  print_table(out, rows, right);
}

void print_attribution(std::ostream& out, const Json& doc) {
  const Json& a = doc["attribution"];
  const std::string currency = currency_of(doc);
  out << fmt::format("{}: attribution by removal effects (each part removed alone, paired with the base), {}\n",
                     name_of(doc), run_size(doc));
  const std::vector<std::string> metrics = {"retention", "nps", "tickets_per_period", "net_value",
                                            "net_value_lifetime"};
  std::string base_line = "base:";
  for (const std::string& m : metrics) {
    base_line += fmt::format(" {} {};", m, format_metric(m, mean_of(block(a["base"], m.c_str())), currency));
  }
  base_line.pop_back();
  out << base_line << '\n';
  const std::vector<std::pair<const char*, const char*>> groups = {
      {"touchpoints", "touchpoints: failure set to 0"},
      {"channels", "channels: made perfect (unlimited agents: no wait and no staffing cost; fcr 1)"},
      {"interventions", "interventions: removed"}};
  for (const auto& [key, title] : groups) {
    const Json& joint = block(a["joint"], key);
    print_group(out, title, block(a, key), joint.empty() ? Json() : joint, metrics, currency, "delta", "share");
  }
  if (a.contains("shapley")) {
    for (const auto& [key, title] : groups) {
      if (!a["shapley"].contains(key)) continue;
      const Json& m = a["shapley"][key];
      const std::string how = cell(m["method"]) == "exact" ? std::string("exact")
                                                           : fmt::format("{} sampled orders", cell(m["permutations"]));
      print_group(out, fmt::format("Shapley values of the {} ({}; shares of the joint effect)", key, how),
                  block(a, key), Json(), metrics, currency, "shapley", "shapley_share");
    }
  }
  out << "\n  delta: paired difference to the base with its 95% half-width; share: of the group's summed removal "
         "effects\n  (interaction: all at once minus the sum of the parts; removal effects add up only when it is "
         "0)\n";
}

std::string values_cell(const Json& values) {
  std::string out;
  for (const auto& [name, v] : values.items()) out += fmt::format("{}{}={}", out.empty() ? "" : ", ", name, cell(v));
  return out;
}

std::string constraints_cell(const Json& constraints, const std::string& currency) {
  std::string out;
  for (const Json& c : constraints) {
    std::string metric;
    if (c["metric"].is_string()) {
      metric = cell(c["metric"]);
    } else {
      for (const Json& m : c["metric"]) metric += (metric.empty() ? "" : "+") + cell(m);
    }
    const std::string unit_metric = c["metric"].is_string() ? metric : cell(c["metric"][0]);
    out += fmt::format("{}{} = {}{}{} {}", out.empty() ? "" : "; ", metric,
                       format_metric(unit_metric, mean_of(c["value"]), currency),
                       c.contains("min") ? " >= " + format_metric(unit_metric, number_of(c["min"]), currency) : "",
                       c.contains("max") ? " <= " + format_metric(unit_metric, number_of(c["max"]), currency) : "",
                       c.value("satisfied", false) ? "(met)" : "(NOT met)");
  }
  return out;
}

void print_optimize(std::ostream& out, const Json& doc) {
  const Json& o = doc["optimize"];
  const Json& spec = o["spec"];
  const std::string currency = currency_of(doc);
  const std::string metric = cell(spec["objective"]["metric"]);
  out << fmt::format("{}: {} {} over {} variable{} ({} grid points); {} customers, {} periods, seed {}\n",
                     cell(spec["name"]), cell(spec["objective"]["direction"]), metric, spec["variables"].size(),
                     spec["variables"].size() == 1 ? "" : "s", cell(o["grid_points"]),
                     cell(doc["scenario"]["customers"]), cell(doc["scenario"]["horizon_periods"]),
                     cell(doc["scenario"]["seed"]));
  out << fmt::format("search: {} evaluations of {} replications (common random numbers); {}\n",
                     cell(o["evaluations_used"]), cell(o["replications"]["search"]), cell(o["stop"]));
  const Json& best = o["best"];
  if (!o.value("feasible", false)) {
    out << "\nNO FEASIBLE POINT: no evaluated point meets every constraint (judged on the "
        << cell(spec["judge_constraints"]) << "). The least violating one:\n  " << values_cell(best["values"]) << "\n  "
        << constraints_cell(best["constraints"], currency) << '\n';
    return;
  }
  const Summary b = summary_of(best["objective"]);
  out << fmt::format("\nbest: {}\n  {} {} {} ({} replications)\n", values_cell(best["values"]), metric,
                     format_metric(metric, b.mean, currency), format_interval(metric, b, currency, false),
                     cell(best["replications"]));
  if (!best["constraints"].empty()) out << "  " << constraints_cell(best["constraints"], currency) << '\n';
  out << fmt::format("\ncandidates confirmed with {} replications (* statistically indistinguishable from the best):\n",
                     cell(o["replications"]["confirm"]));
  std::vector<std::vector<std::string>> rows = {{"rank", "values", metric, "delta to best", "95% CI", "feasible", ""}};
  int rank = 0;
  for (const Json& c : o["candidates"]) {
    const Summary d = summary_of(c["delta_to_best"]);
    rows.push_back({std::to_string(++rank), values_cell(c["values"]),
                    format_metric(metric, mean_of(c["objective"]), currency),
                    rank == 1 ? "(best)" : format_metric(metric, d.mean, currency, true),
                    rank == 1 ? "" : format_interval(metric, d, currency, true),
                    c.value("feasible", false) ? "yes" : "no", c.value("indistinguishable", false) ? "*" : ""});
  }
  print_table(out, rows, {true, false, true, true, false, false, false});
}

}  // namespace

std::string exploration_kind(const Json& doc) {
  if (!doc.is_object()) return "";
  for (const char* kind : {"sweep", "sensitivity", "attribution", "optimize"}) {
    if (doc.contains(kind) && doc[kind].is_object()) return kind;
  }
  return "";
}

bool print_exploration(std::ostream& out, const std::string& kind, const Json& doc) {
  if (kind == "sweep") {
    print_sweep(out, doc);
  } else if (kind == "sensitivity") {
    print_sensitivity(out, doc);
  } else if (kind == "attribution") {
    print_attribution(out, doc);
  } else if (kind == "optimize") {
    print_optimize(out, doc);
  } else {
    return false;
  }
  return true;
}

}  // namespace cxsim
