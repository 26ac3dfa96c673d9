#pragma once
// Reading a schema-checked scenario document into the structs of cxsim/scenario_keys.hpp. The
// reader functions are generated from the schema (tools/schema_codegen.cpp) and built on the
// overloads below: one per value type, each converting a JSON value that has the right type and
// leaving the member at its default otherwise (the schema check has already reported it). Types the
// schema cannot map by itself have hand-written readers, named in the schema with "x-cxsim-read";
// they may add diagnostics (a schedule's empty period range, a negative seed).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cxsim/scenario_keys.hpp"
#include "diagnostic_sink.hpp"
#include "messages.hpp"

namespace cxsim {

struct ReadContext {
  DiagnosticSink& sink;
  // Every schedule range read, with its pointer, for the loader's checks against the horizon.
  std::vector<std::pair<std::string, Schedule::Range>> schedule_ranges;
};

// obj[key] when obj is an object that has it, else nullptr.
inline const nlohmann::json* member(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

bool read_value(const nlohmann::json& v, const std::string& pointer, double& out, ReadContext& context);
bool read_value(const nlohmann::json& v, const std::string& pointer, int& out, ReadContext& context);
bool read_value(const nlohmann::json& v, const std::string& pointer, std::int64_t& out, ReadContext& context);
bool read_value(const nlohmann::json& v, const std::string& pointer, bool& out, ReadContext& context);
bool read_value(const nlohmann::json& v, const std::string& pointer, std::string& out, ReadContext& context);
bool read_value(const nlohmann::json& v, const std::string& pointer, WeightedIds& out, ReadContext& context);
bool read_value(const nlohmann::json& v, const std::string& pointer, std::vector<double>& out, ReadContext& context);
bool read_value(const nlohmann::json& v, const std::string& pointer, std::vector<int>& out, ReadContext& context);
bool read_value(const nlohmann::json& v, const std::string& pointer, std::vector<std::string>& out,
                ReadContext& context);

// The generated readers and writers of the schema's structs and enums.
#include "scenario_keys_readers.inc"

// A collection keyed by id: one item per member of the object, in key order, each with its id.
template <typename Item>
bool read_value(const nlohmann::json& v, const std::string& pointer, std::vector<Item>& out, ReadContext& context) {
  if (!v.is_object()) return false;
  for (const auto& [key, value] : v.items()) {
    Item item{};
    item.id = key;
    if (read_value(value, child(pointer, key), item, context)) out.push_back(std::move(item));
  }
  return true;
}

// A collection keyed by id, written back as an object of the items without their ids.
template <typename Item>
void write_value(nlohmann::json& out, const std::vector<Item>& items) {
  out = nlohmann::json::object();
  for (const Item& item : items) write_value(out[item.id], item);
}

// Writers of the value types (the generated writers call them).
void write_value(nlohmann::json& out, double value);
void write_value(nlohmann::json& out, int value);
void write_value(nlohmann::json& out, std::int64_t value);
void write_value(nlohmann::json& out, std::uint64_t value);
void write_value(nlohmann::json& out, bool value);
void write_value(nlohmann::json& out, const std::string& value);
void write_value(nlohmann::json& out, const WeightedIds& value);
void write_value(nlohmann::json& out, const std::vector<double>& value);
void write_value(nlohmann::json& out, const std::vector<int>& value);
void write_value(nlohmann::json& out, const std::vector<std::string>& value);
void write_value(nlohmann::json& out, const Schedule& value);
void write_value(nlohmann::json& out, const FailureMultiplier& value);
void write_value(nlohmann::json& out, const Acquisition& value);

// Hand-written readers ("x-cxsim-read" in the schema).
// seed: any integer in [0, 2^64 - 1] (the schema cannot bound it: valijson reads integers above
// 2^63 - 1 as negative).
bool read_seed(const nlohmann::json& v, const std::string& pointer, std::uint64_t& out, ReadContext& context);
// An entry: a touchpoint id (-> {id: 1}) or an object of touchpoint ids to shares.
bool read_entry(const nlohmann::json& v, const std::string& pointer, WeightedIds& out, ReadContext& context);
// agents: null (unlimited: returns false, the member stays empty), an integer or a schedule object.
bool read_staffing(const nlohmann::json& v, const std::string& pointer, Schedule& out, ReadContext& context);
// A schedule: a number or {"default", "weekly", "periods"}.
bool read_schedule(const nlohmann::json& v, const std::string& pointer, Schedule& out, ReadContext& context);
// population.acquisition: an amount (a number or a schedule) or {"per_period", "segments", "entry"}.
bool read_acquisition(const nlohmann::json& v, const std::string& pointer, Acquisition& out, ReadContext& context);
// An effect's failure_multiplier: a number or an object of touchpoint ids to multipliers.
bool read_failure_multiplier(const nlohmann::json& v, const std::string& pointer, FailureMultiplier& out,
                             ReadContext& context);
// An effect's quality: a number x (N(x, 0)) or {"mean", "sd"}.
bool read_normal_or_number(const nlohmann::json& v, const std::string& pointer, NormalSpec& out, ReadContext& context);

}  // namespace cxsim
