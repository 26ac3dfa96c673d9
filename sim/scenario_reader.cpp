// Readers of scenario values (see scenario_reader.hpp): the overloads the generated readers call,
// and the hand-written readers the schema names with "x-cxsim-read".
#include "scenario_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cxsim {

double Schedule::at(int period) const {
  for (const Range& r : ranges) {
    if (r.from <= period && period < r.until) return r.value;
  }
  if (!weekly.empty()) return weekly[static_cast<std::size_t>(((period % 7) + 7) % 7)];
  return default_value;
}

bool read_value(const nlohmann::json& v, const std::string&, double& out, ReadContext&) {
  if (!v.is_number()) return false;
  const double x = v.get<double>();
  if (!std::isfinite(x)) return false;
  out = x;
  return true;
}

bool read_value(const nlohmann::json& v, const std::string&, std::int64_t& out, ReadContext&) {
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return true;
  }
  if (v.is_number_unsigned() && v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX)) {
    out = static_cast<std::int64_t>(v.get<std::uint64_t>());
    return true;
  }
  return false;
}

bool read_value(const nlohmann::json& v, const std::string& pointer, int& out, ReadContext& context) {
  std::int64_t x = 0;
  if (!read_value(v, pointer, x, context) || x < std::numeric_limits<int>::min() ||
      x > std::numeric_limits<int>::max()) {
    return false;
  }
  out = static_cast<int>(x);
  return true;
}

bool read_value(const nlohmann::json& v, const std::string&, bool& out, ReadContext&) {
  if (!v.is_boolean()) return false;
  out = v.get<bool>();
  return true;
}

bool read_value(const nlohmann::json& v, const std::string&, std::string& out, ReadContext&) {
  if (!v.is_string()) return false;
  out = v.get<std::string>();
  return true;
}

bool read_value(const nlohmann::json& v, const std::string& pointer, WeightedIds& out, ReadContext& context) {
  if (!v.is_object()) return false;
  out.clear();
  for (const auto& [key, value] : v.items()) {
    double x = 0.0;
    read_value(value, child(pointer, key), x, context);
    out.emplace_back(key, x);  // kept even when invalid, so id checks do not report it a second time
  }
  return true;
}

template <typename T>
static bool read_array(const nlohmann::json& v, const std::string& pointer, std::vector<T>& out, ReadContext& context) {
  if (!v.is_array()) return false;
  out.clear();  // the value replaces the schema's default list
  for (std::size_t i = 0; i < v.size(); ++i) {
    T x{};
    read_value(v[i], child(pointer, i), x, context);
    out.push_back(std::move(x));
  }
  return true;
}

bool read_value(const nlohmann::json& v, const std::string& pointer, std::vector<double>& out, ReadContext& context) {
  return read_array(v, pointer, out, context);
}

bool read_value(const nlohmann::json& v, const std::string& pointer, std::vector<int>& out, ReadContext& context) {
  return read_array(v, pointer, out, context);
}

bool read_value(const nlohmann::json& v, const std::string& pointer, std::vector<std::string>& out,
                ReadContext& context) {
  return read_array(v, pointer, out, context);
}

bool read_seed(const nlohmann::json& v, const std::string& pointer, std::uint64_t& out, ReadContext& context) {
  // The full unsigned 64-bit range: nlohmann keeps non-negative integers as uint64.
  if (v.is_number_unsigned()) {
    out = v.get<std::uint64_t>();
    return true;
  }
  if (v.is_number()) {
    context.sink.error(pointer, fmt::format("expected an integer in [0, 18446744073709551615], found {}", describe(v)));
  }
  return false;
}

bool read_entry(const nlohmann::json& v, const std::string& pointer, WeightedIds& out, ReadContext& context) {
  if (v.is_string()) {
    out = {{v.get<std::string>(), 1.0}};
    return true;
  }
  return read_value(v, pointer, out, context);
}

bool read_schedule(const nlohmann::json& v, const std::string& pointer, Schedule& out, ReadContext& context) {
  if (v.is_number()) return read_value(v, pointer, out.default_value, context);
  if (!v.is_object()) return false;
  if (const nlohmann::json* d = member(v, "default"))
    read_value(*d, child(pointer, "default"), out.default_value, context);
  if (const nlohmann::json* w = member(v, "weekly")) read_value(*w, child(pointer, "weekly"), out.weekly, context);
  if (const nlohmann::json* periods = member(v, "periods"); periods != nullptr && periods->is_object()) {
    const std::string pp = child(pointer, "periods");
    for (const auto& [key, value] : periods->items()) {
      // "FROM-UNTIL" of at most 9 digits each (the schema's pattern; a key it refused is skipped).
      const std::size_t dash = key.find('-');
      const auto digits = [](std::string_view t) {
        return !t.empty() && t.size() <= 9 &&
               std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
      };
      if (dash == std::string::npos || !digits(std::string_view(key).substr(0, dash)) ||
          !digits(std::string_view(key).substr(dash + 1))) {
        continue;
      }
      Schedule::Range r;
      r.from = std::stoi(key.substr(0, dash));
      r.until = std::stoi(key.substr(dash + 1));
      if (r.from >= r.until) {
        context.sink.error(
            child(pp, key),
            fmt::format("empty period range {}: FROM must be less than UNTIL (periods FROM <= t < UNTIL)", quote(key)));
        continue;
      }
      if (read_value(value, child(pp, key), r.value, context)) out.ranges.push_back(r);
    }
    // Sorted by FROM, so the key order (alphabetical in JSON) never matters; where ranges overlap
    // the earlier-starting one wins, and the loader warns.
    std::sort(out.ranges.begin(), out.ranges.end(),
              [](const Schedule::Range& a, const Schedule::Range& b) { return a.from < b.from; });
    for (const Schedule::Range& r : out.ranges) {
      context.schedule_ranges.emplace_back(pp + "/" + std::to_string(r.from) + "-" + std::to_string(r.until), r);
    }
  }
  return true;
}

bool read_acquisition(const nlohmann::json& v, const std::string& pointer, Acquisition& out, ReadContext& context) {
  if (!v.is_object() || (!v.contains("per_period") && !v.contains("segments") && !v.contains("entry"))) {
    return read_schedule(v, pointer, out.per_period, context);  // an amount: a number or a schedule
  }
  if (v.contains("default") || v.contains("weekly") || v.contains("periods")) {
    context.sink.error(pointer,
                       "give the amount either as \"per_period\" or as a schedule {\"default\", \"weekly\", "
                       "\"periods\"} directly, not both (an amount alone is short for {\"per_period\": amount})");
  }
  if (const nlohmann::json* a = member(v, "per_period")) read_schedule(*a, child(pointer, "per_period"), out.per_period, context);
  if (const nlohmann::json* g = member(v, "segments")) read_value(*g, child(pointer, "segments"), out.segments, context);
  if (const nlohmann::json* e = member(v, "entry")) read_entry(*e, child(pointer, "entry"), out.entry, context);
  return true;
}

bool read_staffing(const nlohmann::json& v, const std::string& pointer, Schedule& out, ReadContext& context) {
  if (v.is_null()) return false;  // unlimited
  return read_schedule(v, pointer, out, context);
}

bool read_failure_multiplier(const nlohmann::json& v, const std::string& pointer, FailureMultiplier& out,
                             ReadContext& context) {
  if (v.is_object()) return read_value(v, pointer, out.timed, context);
  double x = 0.0;
  if (!read_value(v, pointer, x, context)) return false;
  out.on_visit = x;
  return true;
}

bool read_normal_or_number(const nlohmann::json& v, const std::string& pointer, NormalSpec& out, ReadContext& context) {
  if (v.is_number()) return read_value(v, pointer, out.mean, context);
  return read_value(v, pointer, out, context);
}

void write_value(nlohmann::json& out, double value) { out = value; }
void write_value(nlohmann::json& out, int value) { out = value; }
void write_value(nlohmann::json& out, std::int64_t value) { out = value; }
void write_value(nlohmann::json& out, std::uint64_t value) { out = value; }
void write_value(nlohmann::json& out, bool value) { out = value; }
void write_value(nlohmann::json& out, const std::string& value) { out = value; }
void write_value(nlohmann::json& out, const std::vector<double>& value) { out = value; }
void write_value(nlohmann::json& out, const std::vector<int>& value) { out = value; }
void write_value(nlohmann::json& out, const std::vector<std::string>& value) { out = value; }

void write_value(nlohmann::json& out, const WeightedIds& value) {
  out = nlohmann::json::object();
  for (const auto& [id, weight] : value) out[id] = weight;
}

void write_value(nlohmann::json& out, const Schedule& value) {
  if (value.weekly.empty() && value.ranges.empty()) {
    out = value.default_value;
    return;
  }
  out = nlohmann::json::object();
  out["default"] = value.default_value;
  if (!value.weekly.empty()) out["weekly"] = value.weekly;
  if (!value.ranges.empty()) {
    nlohmann::json& periods = out["periods"];
    for (const Schedule::Range& r : value.ranges) periods[fmt::format("{}-{}", r.from, r.until)] = r.value;
  }
}

void write_value(nlohmann::json& out, const Acquisition& value) {
  out = nlohmann::json::object();
  write_value(out["per_period"], value.per_period);
  if (!value.segments.empty()) write_value(out["segments"], value.segments);
  if (!value.entry.empty()) write_value(out["entry"], value.entry);
}

void write_value(nlohmann::json& out, const FailureMultiplier& value) {
  if (value.on_visit) {
    out = *value.on_visit;
  } else {
    write_value(out, value.timed);
  }
}

}  // namespace cxsim
