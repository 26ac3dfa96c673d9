// The group of processes of a run (cluster.hpp): the trivial group, and the agreement on errors
// built on the group's operations. The MPI group is in cluster_mpi.cpp.
#include "cluster.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "cxsim/cluster.hpp"
#include "cxsim/diagnostics.hpp"

namespace cxsim {

namespace {

std::unique_ptr<Cluster>& installed() {
  static std::unique_ptr<Cluster> group = std::make_unique<Cluster>();
  return group;
}

// An error as bytes another process can throw again: its kind and message, and an InputError's
// diagnostics.
std::string encode(const std::exception_ptr& error) {
  nlohmann::json doc;
  try {
    std::rethrow_exception(error);
  } catch (const InputError& e) {
    doc["kind"] = "input";
    for (const Diagnostic& d : e.diagnostics()) {
      doc["diagnostics"].push_back({{"severity", d.severity == Severity::kError ? "error" : "warning"},
                                    {"file", d.file},
                                    {"pointer", d.pointer},
                                    {"message", d.message}});
    }
  } catch (const OutputError& e) {
    doc["kind"] = "output";
    doc["message"] = e.what();
  } catch (const std::exception& e) {
    doc["kind"] = "internal";
    doc["message"] = e.what();
  } catch (...) {
    doc["kind"] = "internal";
    doc["message"] = "unknown error";
  }
  return doc.dump();
}

[[noreturn]] void throw_decoded(const std::string& bytes) {
  const nlohmann::json doc = nlohmann::json::parse(bytes);
  const std::string kind = doc.at("kind").get<std::string>();
  if (kind == "input") {
    std::vector<Diagnostic> diagnostics;
    for (const auto& d : doc.at("diagnostics")) {
      diagnostics.push_back({d.at("severity") == "error" ? Severity::kError : Severity::kWarning,
                             d.at("file").get<std::string>(), d.at("pointer").get<std::string>(),
                             d.at("message").get<std::string>()});
    }
    throw InputError(std::move(diagnostics));
  }
  if (kind == "output") throw OutputError(doc.at("message").get<std::string>());
  throw std::runtime_error(doc.at("message").get<std::string>());
}

}  // namespace

Cluster& cluster() { return *installed(); }

void install_cluster(std::unique_ptr<Cluster> group) {
  installed() = group ? std::move(group) : std::make_unique<Cluster>();
}

void agree(std::exception_ptr local) {
  Cluster& group = cluster();
  if (!group.distributed()) {
    if (local) std::rethrow_exception(local);
    return;
  }
  const int failed = group.lowest_rank_with(local != nullptr);
  if (failed < 0) return;
  std::string bytes = group.rank() == failed ? encode(local) : std::string();
  group.broadcast(failed, bytes);
  if (group.rank() == failed) std::rethrow_exception(local);  // the original, with its own type
  throw_decoded(bytes);
}

std::string from_rank_zero(const std::function<std::string()>& produce) {
  Cluster& group = cluster();
  if (!group.distributed()) return produce();
  std::string bytes;
  agreed([&] {
    if (group.rank() == 0) bytes = produce();
  });
  group.broadcast(0, bytes);
  return bytes;
}

void on_rank_zero(const std::function<void()>& act) {
  Cluster& group = cluster();
  if (!group.distributed()) return act();
  agreed([&] {
    if (group.rank() == 0) act();
  });
}

int max_over_processes(int value) {
  std::uint64_t most = static_cast<std::uint64_t>(std::max(value, 0));
  for (const std::uint64_t v : cluster().gather({most})) most = std::max(most, v);
  return static_cast<int>(most);
}

#ifndef CXSIM_HAVE_MPI
bool mpi_built() { return false; }
ProcessGroup::ProcessGroup(int*, char***) {}
ProcessGroup::~ProcessGroup() = default;
void ProcessGroup::abort(int) const {}
#endif

}  // namespace cxsim
