#pragma once
// The processes of one run (cxsim/cluster.hpp): the few exact collective operations the runner and
// the input and output code need, and the agreement on errors that keeps every process on the same
// path. A run of one process uses the trivial group, whose operations do nothing; the MPI group
// (cluster_mpi.cpp) is installed by ProcessGroup. Every process must make the same calls in the same
// order (the usual MPI contract); the runner makes them from one thread at a time.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cxsim {

class Cluster {
 public:
  __extension__ typedef __int128 int128;
  virtual ~Cluster() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  bool distributed() const { return size() > 1; }

  // Element-wise sums over all processes, in place: exact (integers), so in any order.
  virtual void sum(std::int64_t* /*values*/, std::size_t /*n*/) {}
  virtual void sum(int128* /*values*/, std::size_t /*n*/) {}
  // Every process's values, concatenated in rank order.
  virtual std::vector<std::uint64_t> gather(const std::vector<std::uint64_t>& mine) { return mine; }
  // `bytes` of process `root` to everyone.
  virtual void broadcast(int /*root*/, std::string& /*bytes*/) {}
  // The lowest rank for which `flag` holds, -1 when it holds nowhere.
  virtual int lowest_rank_with(bool flag) { return flag ? 0 : -1; }
  // How many of the group's processes run on this process's machine (they share its memory).
  virtual int processes_on_this_machine() { return 1; }
};

// The group of this process's runs: the trivial one unless a ProcessGroup installed MPI's.
Cluster& cluster();
void install_cluster(std::unique_ptr<Cluster> group);

// Agreement on an error met by some processes only: when `local` is set on any process, every
// process throws the error of the lowest such rank (the same type, InputError with its diagnostics,
// OutputError or an internal error, and the same message), so all take the same path and exit with
// the same code. A group of one rethrows `local`.
void agree(std::exception_ptr local);

// Runs `work` (this process's part of a stage) and agrees on its errors.
template <typename Fn>
void agreed(Fn&& work) {
  std::exception_ptr error;
  try {
    work();
  } catch (...) {  // not silenced: agree() rethrows it here and its copy on every other process
    error = std::current_exception();
  }
  agree(error);
}

// Rank 0 runs `produce` (reading an input file) and every process receives its bytes, or throws the
// error it met.
std::string from_rank_zero(const std::function<std::string()>& produce);

// Rank 0 runs `act` (writing an output file); an error there is thrown on every process.
void on_rank_zero(const std::function<void()>& act);

}  // namespace cxsim
