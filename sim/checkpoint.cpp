// Checkpoints (checkpoint.hpp): exact serialization of replication results, a checksum, and the
// resume loop around run_simulation.
#include "cxsim/checkpoint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "cluster.hpp"
#include "cxsim/version.hpp"
#include "diagnostic_sink.hpp"
#include "hash.hpp"
#include "io.hpp"
#include "json_input.hpp"

namespace cxsim {

namespace {

using nlohmann::json;

constexpr const char* kFormatName = "cxsim-checkpoint";
// A checkpoint nests 5 levels (anything deeper is not ours) and holds every replication of a run.
constexpr JsonLimits kCheckpointLimits{"checkpoint", std::size_t{1} << 34, 8, 5};

// ---------------------------------------------------------------------------------------------
// Writing

// A double as JSON: a number with round-trip precision, or a string for what JSON cannot hold.
json encode(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  return x;
}

json encode_counts(const std::map<std::string, EntityCounts>& entities) {
  json out = json::object();
  for (const auto& [id, counts] : entities) {
    json c = json::object();
    for (const auto& [name, value] : counts.values) c[name] = encode(value);
    out[id] = std::move(c);
  }
  return out;
}

// {NAME: [numbers]}.
json encode_series(const std::map<std::string, std::vector<double>>& series) {
  json out = json::object();
  for (const auto& [name, values] : series) {
    json a = json::array();
    for (double x : values) a.push_back(encode(x));
    out[name] = std::move(a);
  }
  return out;
}

// Every field of ReplicationResult (results.hpp); a field added there must be added here and in
// decode_replication, or resumed runs would lose it (the resume test compares whole result files).
json encode_replication(int index, const ReplicationResult& r) {
  json out = json::object();
  out["replication"] = index;
  json metrics = json::object();
  for (const auto& [name, value] : r.metrics) metrics[name] = encode(value);
  out["metrics"] = std::move(metrics);
  out["series"] = encode_series(r.series);
  out["touchpoints"] = encode_counts(r.touchpoints);
  out["channels"] = encode_counts(r.channels);
  out["interventions"] = encode_counts(r.interventions);
  json intraday = json::object();
  for (const auto& [id, profile] : r.intraday) intraday[id] = encode_series(profile);
  out["intraday"] = std::move(intraday);
  return out;
}

std::string canonical(const json& doc) { return doc.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string checksum_of(const json& doc_without_checksum) {
  return "fnv1a64:" + hex64(fnv1a64(canonical(doc_without_checksum)));
}

// ---------------------------------------------------------------------------------------------
// Reading: every structural problem is an error naming the JSON pointer.

class CheckpointReader {
 public:
  explicit CheckpointReader(DiagnosticSink& sink) : sink_(sink) {}

  Checkpoint read(const json& doc) {
    Checkpoint cp;
    cp.cxsim_version = string_at(doc, "cxsim_version", "");
    cp.run_id = string_at(doc, "run_id", "");
    cp.scenario_name = string_at(doc, "scenario_name", "");
    const json* reps = member(doc, "replications", "", json::value_t::array, "an array");
    if (reps == nullptr) return cp;
    for (std::size_t i = 0; i < reps->size(); ++i) {
      const std::string p = "/replications/" + std::to_string(i);
      const json& r = (*reps)[i];
      if (!r.is_object()) {
        fail(p, "expected an object");
        return cp;
      }
      const json* index = member(r, "replication", p, json::value_t::number_unsigned, "an integer");
      if (index != nullptr && index->get<std::uint64_t>() != i) {
        fail(p + "/replication", fmt::format("expected replication {} (replications are stored in order), found {}", i,
                                             index->get<std::uint64_t>()));
      }
      cp.replications.push_back(decode_replication(r, p));
      if (sink_.has_errors()) return cp;
    }
    return cp;
  }

 private:
  void fail(const std::string& pointer, const std::string& message) { sink_.error(pointer, message); }

  const json* member(const json& obj, const char* key, const std::string& pointer, json::value_t type,
                     const char* what) {
    const auto it = obj.find(key);
    const std::string p = pointer + "/" + key;
    if (it == obj.end()) {
      fail(p, fmt::format("missing \"{}\"", key));
      return nullptr;
    }
    const bool ok = it->type() == type || (type == json::value_t::number_unsigned && it->is_number_unsigned());
    if (!ok) {
      fail(p, fmt::format("expected {}", what));
      return nullptr;
    }
    return &*it;
  }

  std::string string_at(const json& obj, const char* key, const std::string& pointer) {
    const json* v = member(obj, key, pointer, json::value_t::string, "a string");
    return v == nullptr ? std::string() : v->get<std::string>();
  }

  std::optional<double> decode(const json& v, const std::string& pointer) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (s == "Infinity") return std::numeric_limits<double>::infinity();
      if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    }
    fail(pointer, "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
    return std::nullopt;
  }

  void decode_counts(const json& r, const char* key, const std::string& pointer,
                     std::map<std::string, EntityCounts>& out) {
    const json* entities = member(r, key, pointer, json::value_t::object, "an object");
    if (entities == nullptr) return;
    const std::string p = pointer + "/" + key;
    for (const auto& [id, counts] : entities->items()) {
      if (!counts.is_object()) {
        fail(p + "/" + id, "expected an object");
        return;
      }
      auto& values = out[id].values;
      for (const auto& [name, value] : counts.items()) {
        if (const auto x = decode(value, p + "/" + id + "/" + name)) values[name] = *x;
      }
    }
  }

  ReplicationResult decode_replication(const json& r, const std::string& p) {
    ReplicationResult out;
    if (const json* metrics = member(r, "metrics", p, json::value_t::object, "an object")) {
      for (const auto& [name, value] : metrics->items()) {
        if (const auto x = decode(value, p + "/metrics/" + name)) out.metrics[name] = *x;
      }
    }
    if (const json* series = member(r, "series", p, json::value_t::object, "an object")) {
      decode_series(*series, p + "/series", out.series);
    }
    decode_counts(r, "touchpoints", p, out.touchpoints);
    decode_counts(r, "channels", p, out.channels);
    decode_counts(r, "interventions", p, out.interventions);
    if (const json* intraday = member(r, "intraday", p, json::value_t::object, "an object")) {
      for (const auto& [id, profile] : intraday->items()) {
        if (!profile.is_object()) {
          fail(p + "/intraday/" + id, "expected an object");
          continue;
        }
        decode_series(profile, p + "/intraday/" + id, out.intraday[id]);
      }
    }
    return out;
  }

  void decode_series(const json& series, const std::string& pointer, std::map<std::string, std::vector<double>>& out) {
    for (const auto& [name, values] : series.items()) {
      const std::string sp = pointer + "/" + name;
      if (!values.is_array()) {
        fail(sp, "expected an array");
        continue;
      }
      std::vector<double>& xs = out[name];
      xs.reserve(values.size());
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (const auto x = decode(values[i], sp + "/" + std::to_string(i))) xs.push_back(*x);
      }
    }
  }

  DiagnosticSink& sink_;
};

}  // namespace

std::string run_identity(const Scenario& scenario) {
  std::uint64_t h = fnv1a64("cxsim run identity v1");
  h = fnv1a64(hex64(scenario.content_hash), h);
  h = fnv1a64(fmt::format(";seed={};customers={};horizon_periods={}", scenario.seed, scenario.population.customers,
                          scenario.horizon_periods),
              h);
  return hex64(h);
}

std::string checkpoint_json(const Checkpoint& checkpoint) {
  json doc = json::object();
  doc["format"] = kFormatName;
  doc["format_version"] = kCheckpointFormatVersion;
  doc["cxsim_version"] = checkpoint.cxsim_version;
  doc["run_id"] = checkpoint.run_id;
  doc["scenario_name"] = checkpoint.scenario_name;
  json reps = json::array();
  for (std::size_t i = 0; i < checkpoint.replications.size(); ++i) {
    reps.push_back(encode_replication(static_cast<int>(i), checkpoint.replications[i]));
  }
  doc["replications"] = std::move(reps);
  doc["checksum"] = checksum_of(doc);
  return canonical(doc) + "\n";
}

Checkpoint parse_checkpoint(std::string_view text, const std::string& file) {
  DiagnosticSink sink(file);
  json doc;
  try {
    doc = parse_json_text(text, file, kCheckpointLimits);
  } catch (const InputError& e) {
    for (const Diagnostic& d : e.diagnostics()) {
      sink.error(d.pointer, "not a cxsim checkpoint (corrupted or truncated?): " + d.message);
    }
  }
  sink.throw_if_errors();
  if (!doc.is_object() || doc.value("format", json()) != kFormatName) {
    sink.error("",
               "not a cxsim checkpoint (no \"format\": \"cxsim-checkpoint\"); give a file written by "
               "cxsim run --checkpoint");
    sink.throw_if_errors();
  }
  const json version = doc.value("format_version", json());
  if (version != kCheckpointFormatVersion) {
    sink.error("/format_version", fmt::format("checkpoint format version {} is not supported (this cxsim {} "
                                              "reads version {}); rerun without --resume",
                                              version.dump(), kVersion, kCheckpointFormatVersion));
    sink.throw_if_errors();
  }
  const auto checksum = doc.find("checksum");
  if (checksum == doc.end() || !checksum->is_string()) {
    sink.error("/checksum", "missing checksum: the checkpoint is incomplete or was edited");
    sink.throw_if_errors();
  }
  const std::string stored = checksum->get<std::string>();
  doc.erase("checksum");
  if (stored != checksum_of(doc)) {
    sink.error("/checksum",
               "checksum mismatch: the checkpoint is corrupted or was edited; rerun without "
               "--resume (or with an intact copy)");
    sink.throw_if_errors();
  }
  CheckpointReader reader(sink);
  Checkpoint cp = reader.read(doc);
  sink.throw_if_errors();
  return cp;
}

Checkpoint load_checkpoint(const std::string& path) {
  on_rank_zero([&] {  // only rank 0 of a distributed run reads files (cluster.hpp)
    DiagnosticSink sink(path);
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      sink.error("", fmt::format("cannot open checkpoint: {}", std::strerror(errno)));
      sink.throw_if_errors();
    }
    std::fclose(f);
  });
  const nlohmann::json doc = read_json_file(path, kCheckpointLimits);
  return parse_checkpoint(doc.dump(), path);
}

void check_checkpoint_matches(const Checkpoint& checkpoint, const Scenario& scenario, const std::string& file) {
  DiagnosticSink sink(file);
  if (checkpoint.cxsim_version != kVersion) {
    sink.error("/cxsim_version", fmt::format("checkpoint was written by cxsim {}, this is cxsim {}; results of "
                                             "different versions may differ, so rerun without --resume",
                                             checkpoint.cxsim_version, kVersion));
  } else if (checkpoint.run_id != run_identity(scenario)) {
    sink.error("/run_id",
               fmt::format("checkpoint belongs to another run (scenario \"{}\", run id {}; this run is "
                           "scenario \"{}\", run id {}): the scenario file, a --set, --seed, --customers or "
                           "--horizon differ (a --set changes the scenario's content, so the same --set "
                           "assignments must be given again). Resume with the same scenario and options, or rerun "
                           "without --resume",
                           checkpoint.scenario_name, checkpoint.run_id, scenario.name, run_identity(scenario)));
  }
  sink.throw_if_errors();
}

RunResult run_with_checkpoint(const Scenario& scenario, const RunOptions& options, const Checkpoint* resume,
                              const std::string& save_path) {
  Checkpoint saved;
  saved.cxsim_version = kVersion;
  saved.run_id = run_identity(scenario);
  saved.scenario_name = scenario.name;
  if (resume != nullptr) {
    const std::size_t keep = std::min(resume->replications.size(), static_cast<std::size_t>(scenario.replications));
    saved.replications.assign(resume->replications.begin(), resume->replications.begin() + keep);
  }
  if (!save_path.empty()) write_file_atomic(save_path, checkpoint_json(saved));

  const int done = static_cast<int>(saved.replications.size());
  RunOptions rest = options;
  rest.first_replication = done;
  rest.replication_count = scenario.replications - done;
  rest.on_replication = [&](int replication, const ReplicationResult& r) {
    CXSIM_CHECK(replication == static_cast<int>(saved.replications.size()), "replications complete in order");
    saved.replications.push_back(r);
    if (!save_path.empty()) write_file_atomic(save_path, checkpoint_json(saved));
    if (options.on_replication) options.on_replication(replication, r);
  };
  RunResult result = run_simulation(scenario, rest);
  result.replications = std::move(saved.replications);
  result.info.replications = static_cast<int>(result.replications.size());
  return result;
}

}  // namespace cxsim
