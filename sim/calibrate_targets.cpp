// Calibration targets (see calibrate_detail.hpp): where a target sits in a run's results, and the
// targets' CSV format, since observed KPIs usually live in spreadsheets.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "calibrate_detail.hpp"
#include "cluster.hpp"
#include "messages.hpp"

namespace cxsim {

namespace {

constexpr std::uintmax_t kMaxCsvBytes = 16u << 20;

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// One record of RFC 4180 CSV starting at `pos`; advances `pos` past its line break and `line` by the
// line breaks consumed. Returns false (with `error` set) on an unterminated quote.
bool next_record(const std::string& text, std::size_t& pos, int& line, std::vector<std::string>& fields,
                 std::string& error) {
  fields.assign(1, "");
  bool quoted = false;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (quoted) {
      if (c == '"' && pos < text.size() && text[pos] == '"') {
        fields.back() += '"';
        ++pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      ++line;
      return true;
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  if (quoted) {
    error = "a quoted field is not closed";
    return false;
  }
  return true;
}

std::optional<double> parse_number(const std::string& text) {
  const std::string s = trim(text);
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(x)) return std::nullopt;
  return x;
}

std::optional<std::int64_t> parse_count(const std::string& text) {
  const std::string s = trim(text);
  if (s.empty() || s.size() > 15 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(s);
}

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> columns = {"kind", "name", "period", "value", "sd", "weight", "cohort_size"};
  return columns;
}

}  // namespace

std::optional<std::size_t> target_index(const RunResult& run, const CalibrationTarget& t) {
  if (t.kind == TargetKind::kMetric) return 0;
  if (run.replications.empty() || t.period < 0) return std::nullopt;
  const auto it = run.replications.front().series.find(t.name);
  if (it == run.replications.front().series.end()) return std::nullopt;
  const std::size_t length = it->second.size();
  const auto period = static_cast<std::size_t>(t.period);
  if (length == run.period.size()) return period < length ? std::optional<std::size_t>(period) : std::nullopt;
  if (length == run.nps_period.size()) {
    const auto at = std::find(run.nps_period.begin(), run.nps_period.end(), t.period);
    if (at != run.nps_period.end()) return static_cast<std::size_t>(at - run.nps_period.begin());
  }
  return std::nullopt;
}

double target_value(const ReplicationResult& rep, const CalibrationTarget& t, std::size_t index) {
  if (t.kind == TargetKind::kMetric) {
    const auto it = rep.metrics.find(t.name);
    return it == rep.metrics.end() ? std::nan("") : it->second;
  }
  const auto it = rep.series.find(t.name);
  return it == rep.series.end() || index >= it->second.size() ? std::nan("") : it->second[index];
}

std::string target_label(const CalibrationTarget& t) {
  return t.kind == TargetKind::kMetric ? t.name : fmt::format("{}[{}]", t.name, t.period);
}

double cohort_sd(double share, std::int64_t cohort_size) {
  return std::sqrt(share * (1.0 - share) / static_cast<double>(cohort_size));
}

std::vector<std::pair<CalibrationTarget, int>> read_targets_csv(const std::string& path,
                                                                std::vector<Diagnostic>& problems) {
  std::vector<std::pair<CalibrationTarget, int>> out;
  const std::size_t first_problem = problems.size();
  const auto fail = [&](const std::string& message) { problems.push_back({Severity::kError, path, "", message}); };
  // Rank 0 of a distributed run reads the file (cluster.hpp); every process gets its bytes or error.
  std::string text;
  try {
    text = from_rank_zero([&] {
      const auto refuse = [&](const std::string& message) {
        throw InputError({{Severity::kError, path, "", message}});
      };
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec)) {
        refuse("cannot read the targets file: it does not exist or is not a regular file");
      }
      if (std::filesystem::file_size(path, ec) > kMaxCsvBytes) {
        refuse(fmt::format("the targets file is larger than {} bytes", kMaxCsvBytes));
      }
      std::ifstream in(path, std::ios::binary);
      std::ostringstream buffer;
      buffer << in.rdbuf();
      if (!in) refuse("cannot read the targets file");
      return buffer.str();
    });
  } catch (const InputError& e) {  // collected with the spec's other problems, not silenced
    problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
    return out;
  }
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);  // the byte-order mark spreadsheets write

  std::size_t pos = 0;
  int line = 1;
  std::vector<std::string> fields;
  std::string error;
  std::vector<int> column_of(csv_columns().size(), -1);  // the field index of each known column
  bool header = true;
  std::size_t header_fields = 0;
  while (pos < text.size()) {
    const int record_line = line;
    if (!next_record(text, pos, line, fields, error)) {
      fail(fmt::format("line {}: {}", record_line, error));
      break;
    }
    if (fields.size() == 1 && trim(fields[0]).empty()) continue;  // an empty line
    const auto at = [&](const std::string& column, const std::string& message) {
      fail(fmt::format("line {}, column {}: {}", record_line, column, message));
    };
    if (header) {
      header = false;
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string name = trim(fields[i]);
        const auto known = std::find(csv_columns().begin(), csv_columns().end(), name);
        if (known == csv_columns().end()) {
          at(quote(name), fmt::format("unknown column{}", suggestion(name, csv_columns())));
        } else {
          column_of[static_cast<std::size_t>(known - csv_columns().begin())] = static_cast<int>(i);
        }
      }
      for (const char* required : {"kind", "name", "value"}) {
        const auto k = std::find(csv_columns().begin(), csv_columns().end(), required) - csv_columns().begin();
        if (column_of[static_cast<std::size_t>(k)] < 0) {
          fail(
              fmt::format("line {}: the header has no column \"{}\"; expected kind,name,period,value,sd (and "
                          "optionally weight, cohort_size)",
                          record_line, required));
        }
      }
      if (problems.size() > first_problem) break;
      header_fields = fields.size();
      continue;
    }
    if (fields.size() != header_fields) {
      fail(fmt::format("line {}: expected {} fields, as in the header, found {}", record_line, header_fields,
                       fields.size()));
      continue;
    }
    const auto field = [&](const char* column) -> std::string {
      const auto k = std::find(csv_columns().begin(), csv_columns().end(), column) - csv_columns().begin();
      const int i = column_of[static_cast<std::size_t>(k)];
      return i >= 0 && static_cast<std::size_t>(i) < fields.size() ? trim(fields[static_cast<std::size_t>(i)]) : "";
    };
    const std::size_t before = problems.size();
    CalibrationTarget t;
    t.source = fmt::format("{}:{}", path, record_line);
    const std::string kind = field("kind");
    if (kind == "metric" || kind == "series") {
      t.kind = kind == "metric" ? TargetKind::kMetric : TargetKind::kSeries;
    } else {
      at("kind", fmt::format("expected \"metric\" or \"series\", found {}", quote(kind)));
    }
    t.name = field("name");
    if (t.name.empty()) at("name", "expected a metric or series name, found nothing");
    if (const std::string period = field("period"); !period.empty()) {
      const auto p = parse_count(period);
      if (!p || *p > 100000) {
        at("period", fmt::format("expected a period (an integer >= 0), found {}", quote(period)));
      } else {
        t.period = static_cast<int>(*p);
      }
    }
    const auto value = parse_number(field("value"));
    if (!value) at("value", fmt::format("expected a number, found {}", quote(field("value"))));
    t.value = value.value_or(0.0);
    if (const std::string sd = field("sd"); !sd.empty()) {
      const auto x = parse_number(sd);
      if (!x || *x <= 0.0) at("sd", fmt::format("expected a number > 0, found {}", quote(sd)));
      t.sd = x.value_or(0.0);
    }
    if (const std::string weight = field("weight"); !weight.empty()) {
      const auto x = parse_number(weight);
      if (!x || *x <= 0.0) at("weight", fmt::format("expected a number > 0, found {}", quote(weight)));
      t.weight = x.value_or(1.0);
    }
    if (const std::string n = field("cohort_size"); !n.empty()) {
      const auto x = parse_count(n);
      if (!x || *x < 1) at("cohort_size", fmt::format("expected an integer >= 1, found {}", quote(n)));
      t.cohort_size = x;
    }
    if (problems.size() == before) out.emplace_back(std::move(t), record_line);
  }
  if (header && problems.size() == first_problem)
    fail("the targets file is empty; expected the header kind,name,period,value,sd");
  return out;
}

}  // namespace cxsim
