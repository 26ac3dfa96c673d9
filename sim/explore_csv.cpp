// CSV files of the what-if documents (see explore_report.hpp), from the document alone: long
// tables (one row per point, or part, and metric) that spreadsheets pivot.
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "explore_report.hpp"
#include "io.hpp"

namespace cxsim {

namespace {

// A value as a CSV field: strings bare, other JSON as written.
std::string value_field(const Json& v) { return csv_field(v.is_string() ? v.get<std::string>() : v.dump()); }

// mean, sd, ci95_lo, ci95_hi of a summary block (empty fields where undefined).
std::string summary_fields(const Json& block) {
  const Summary s = summary_of(block);
  const bool defined = std::isfinite(s.mean);
  return fmt::format("{},{},{},{}", csv_number(s.mean), defined ? csv_optional(s.sd) : "",
                     defined && s.ci95 ? csv_number(s.ci95->first) : "",
                     defined && s.ci95 ? csv_number(s.ci95->second) : "");
}

// mean, ci95_lo, ci95_hi of a summary block.
std::string mean_ci_fields(const Json& block) {
  const Summary s = summary_of(block);
  const bool defined = std::isfinite(s.mean) && s.ci95;
  return fmt::format("{},{},{}", csv_number(s.mean), defined ? csv_number(s.ci95->first) : "",
                     defined ? csv_number(s.ci95->second) : "");
}

// Fields joined into one CSV line.
std::string line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i == 0 ? "" : ",") + fields[i];
  return out + "\n";
}

const Json& member(const Json& doc, const std::string& key) {
  static const Json null;
  return doc.is_object() && doc.contains(key) ? doc[key] : null;
}

void write_sweep(const Json& doc, const std::string& base) {
  const Json& sweep = doc["sweep"];
  std::string out = "point";
  for (const Json& p : sweep["parameters"]) out += "," + csv_field(p.get<std::string>());
  out += ",metric,mean,sd,ci95_lo,ci95_hi,delta,delta_sd,delta_ci95_lo,delta_ci95_hi\n";
  int k = 0;
  for (const Json& point : sweep["points"]) {
    ++k;
    std::string values;
    for (const Json& p : sweep["parameters"]) values += "," + value_field(point["values"][p.get<std::string>()]);
    for (const auto& [metric, block] : point["metrics"].items()) {
      out += fmt::format("{}{},{},{},{}\n", k, values, csv_field(metric), summary_fields(block),
                         summary_fields(member(point["delta"], metric)));
    }
  }
  write_file_atomic(base + "sweep.csv", out);
}

void write_sensitivity(const Json& doc, const std::string& base) {
  const Json& s = doc["sensitivity"];
  const std::string metric = s["objective"].get<std::string>();
  std::string out =
      "rank,pointer,base,low,high,relative_low,relative_high,objective,delta_low,delta_low_ci95_lo,delta_low_ci95_hi,"
      "delta_high,delta_high_ci95_lo,delta_high_ci95_hi,swing,swing_ci95_lo,swing_ci95_hi,elasticity,"
      "elasticity_ci95_lo,elasticity_ci95_hi,skipped\n";
  std::string deltas = "pointer,side,metric,delta,delta_sd,delta_ci95_lo,delta_ci95_hi\n";
  int rank = 0;
  for (const Json& p : s["parameters"]) {
    const std::string pointer = csv_field(p["pointer"].get<std::string>());
    if (p.contains("skipped")) {
      out += line({"", pointer, value_field(p["base"]), "", "", "", "", csv_field(metric), ",,", ",,", ",,", ",,",
                   csv_field(p["skipped"].get<std::string>())});
      continue;
    }
    out += line({std::to_string(++rank), pointer, value_field(p["base"]), value_field(p["low"]), value_field(p["high"]),
                 csv_number(number_of(p["relative_change"]["low"])),
                 csv_number(number_of(p["relative_change"]["high"])), csv_field(metric),
                 mean_ci_fields(member(p["delta_low"], metric)), mean_ci_fields(member(p["delta_high"], metric)),
                 mean_ci_fields(p["swing"]), mean_ci_fields(p["elasticity"]), ""});
    for (const char* side : {"low", "high"}) {
      for (const auto& [name, block] : p[std::string("delta_") + side].items()) {
        deltas += fmt::format("{},{},{},{}\n", pointer, side, csv_field(name), summary_fields(block));
      }
    }
  }
  write_file_atomic(base + "sensitivity.csv", out);
  write_file_atomic(base + "sensitivity_deltas.csv", deltas);
}

void write_attribution(const Json& doc, const std::string& base) {
  const Json& a = doc["attribution"];
  std::string out =
      "group,part,metric,delta,delta_sd,delta_ci95_lo,delta_ci95_hi,share,shapley,shapley_sd,shapley_ci95_lo,"
      "shapley_ci95_hi,shapley_share\n";
  for (const char* group : {"touchpoints", "channels", "interventions"}) {
    for (const auto& [id, part] : member(a, group).items()) {
      for (const auto& [metric, block] : part["delta"].items()) {
        const bool shapley = part.contains("shapley");
        out += line({group, csv_field(id), csv_field(metric), summary_fields(block),
                     csv_number(number_of(member(part["share"], metric))),
                     shapley ? summary_fields(member(part["shapley"], metric)) : ",,,",
                     shapley ? csv_number(number_of(member(part["shapley_share"], metric))) : ""});
      }
    }
    const Json& joint = member(member(a, "joint"), group);
    if (joint.is_null()) continue;
    for (const auto& [metric, block] : joint["delta"].items()) {
      out += line({group, "(all at once)", csv_field(metric), summary_fields(block), "", ",,,", ""});
      out += line({group, "(interaction)", csv_field(metric),
                   csv_number(number_of(member(joint["interaction"], metric))), "", "", "", "", ",,,", ""});
    }
  }
  write_file_atomic(base + "attribution.csv", out);
}

void write_optimize(const Json& doc, const std::string& base) {
  const Json& o = doc["optimize"];
  std::string names;
  for (const Json& v : o["spec"]["variables"]) names += "," + csv_field(v["name"].get<std::string>());
  const std::size_t constraints = o["spec"]["constraints"].size();
  std::string constraint_header;
  for (std::size_t c = 0; c < constraints; ++c) constraint_header += fmt::format(",constraint_{},satisfied_{}", c, c);
  const auto constraint_fields = [&](const Json& values) {
    std::string fields;
    for (const Json& c : values) {
      fields += fmt::format(",{},{}", csv_number(mean_of(c["value"])), c.value("satisfied", false) ? "true" : "false");
    }
    return fields;
  };
  const auto value_fields = [&](const Json& values) {
    std::string fields;
    for (const Json& v : o["spec"]["variables"]) fields += "," + value_field(values[v["name"].get<std::string>()]);
    return fields;
  };
  std::string evaluations = "evaluation,phase" + names + ",objective,objective_ci95_lo,objective_ci95_hi" +
                            constraint_header + ",feasible,violation\n";
  for (const Json& e : o["evaluations"]) {
    evaluations +=
        fmt::format("{},{}{},{}{},{},{}\n", e["evaluation"].dump(), e["phase"].get<std::string>(),
                    value_fields(e["values"]), mean_ci_fields(e["objective"]), constraint_fields(e["constraints"]),
                    e["feasible"].get<bool>() ? "true" : "false", csv_number(number_of(e["violation"])));
  }
  write_file_atomic(base + "evaluations.csv", evaluations);
  std::string candidates = "rank,evaluation" + names +
                           ",replications,objective,objective_ci95_lo,objective_ci95_hi,delta_to_best,"
                           "delta_to_best_ci95_lo,delta_to_best_ci95_hi" +
                           constraint_header + ",feasible,indistinguishable\n";
  int rank = 0;
  for (const Json& c : o["candidates"]) {
    candidates +=
        fmt::format("{},{}{},{},{},{}{},{},{}\n", ++rank, c["evaluation"].dump(), value_fields(c["values"]),
                    c["replications"].dump(), mean_ci_fields(c["objective"]), mean_ci_fields(c["delta_to_best"]),
                    constraint_fields(c["constraints"]), c["feasible"].get<bool>() ? "true" : "false",
                    c["indistinguishable"].get<bool>() ? "true" : "false");
  }
  write_file_atomic(base + "candidates.csv", candidates);
}

}  // namespace

bool write_exploration_csv(const std::string& kind, const Json& doc, const std::string& base) {
  if (kind == "sweep") {
    write_sweep(doc, base);
  } else if (kind == "sensitivity") {
    write_sensitivity(doc, base);
  } else if (kind == "attribution") {
    write_attribution(doc, base);
  } else if (kind == "optimize") {
    write_optimize(doc, base);
  } else {
    return false;
  }
  return true;
}

}  // namespace cxsim
