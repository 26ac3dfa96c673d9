// The MPI group of processes (cluster.hpp), compiled when cxsim is built with -DCXSIM_MPI=ON:
// Open MPI's collectives on a duplicate of MPI_COMM_WORLD. Sums of 128-bit integers use a
// user-defined operation on pairs of 64-bit words (exact, commutative).
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "cluster.hpp"
#include "cxsim/cluster.hpp"

namespace cxsim {

namespace {

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string("MPI ") + what +
                           " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

int count_of(std::size_t n) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::runtime_error("MPI message of " + std::to_string(n) + " elements is too large");
  }
  return static_cast<int>(n);
}

extern "C" void add_int128(void* in, void* inout, int* len, MPI_Datatype*) {
  using int128 = Cluster::int128;
  for (int i = 0; i < *len; ++i) {
    int128 a, b;
    std::memcpy(&a, static_cast<const char*>(in) + 16 * i, 16);
    std::memcpy(&b, static_cast<char*>(inout) + 16 * i, 16);
    b += a;
    std::memcpy(static_cast<char*>(inout) + 16 * i, &b, 16);
  }
}

class MpiCluster final : public Cluster {
 public:
  MpiCluster() {
    check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "Comm_dup");
    check(MPI_Comm_rank(comm_, &rank_), "Comm_rank");
    check(MPI_Comm_size(comm_, &size_), "Comm_size");
    check(MPI_Type_contiguous(16, MPI_BYTE, &int128_type_), "Type_contiguous");
    check(MPI_Type_commit(&int128_type_), "Type_commit");
    check(MPI_Op_create(&add_int128, /*commute=*/1, &add_int128_op_), "Op_create");
    MPI_Comm node;
    check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node), "Comm_split_type");
    check(MPI_Comm_size(node, &on_machine_), "Comm_size");
    check(MPI_Comm_free(&node), "Comm_free");
  }
  ~MpiCluster() override {
    // Errors while tearing down are not actionable; MPI_Finalize follows.
    MPI_Op_free(&add_int128_op_);
    MPI_Type_free(&int128_type_);
    MPI_Comm_free(&comm_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void sum(std::int64_t* values, std::size_t n) override {
    check(MPI_Allreduce(MPI_IN_PLACE, values, count_of(n), MPI_INT64_T, MPI_SUM, comm_), "Allreduce");
  }
  void sum(int128* values, std::size_t n) override {
    check(MPI_Allreduce(MPI_IN_PLACE, values, count_of(n), int128_type_, add_int128_op_, comm_), "Allreduce");
  }
  std::vector<std::uint64_t> gather(const std::vector<std::uint64_t>& mine) override {
    const int count = count_of(mine.size());
    std::vector<int> counts(static_cast<std::size_t>(size_)), offsets(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_), "Allgather");
    std::size_t total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[static_cast<std::size_t>(r)] = count_of(total);
      total += static_cast<std::size_t>(counts[static_cast<std::size_t>(r)]);
    }
    std::vector<std::uint64_t> all(total);
    check(MPI_Allgatherv(mine.data(), count, MPI_UINT64_T, all.data(), counts.data(), offsets.data(), MPI_UINT64_T,
                         comm_),
          "Allgatherv");
    return all;
  }
  void broadcast(int root, std::string& bytes) override {
    std::uint64_t n = bytes.size();
    check(MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm_), "Bcast");
    bytes.resize(n);
    check(MPI_Bcast(bytes.data(), count_of(n), MPI_CHAR, root, comm_), "Bcast");
  }
  int lowest_rank_with(bool flag) override {
    int mine = flag ? rank_ : std::numeric_limits<int>::max();
    int lowest = 0;
    check(MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, comm_), "Allreduce");
    return lowest == std::numeric_limits<int>::max() ? -1 : lowest;
  }
  int processes_on_this_machine() override { return on_machine_; }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  MPI_Datatype int128_type_ = MPI_DATATYPE_NULL;
  MPI_Op add_int128_op_ = MPI_OP_NULL;
  int rank_ = 0, size_ = 1, on_machine_ = 1;
};

// Whether a launcher started this process as part of a job: mpirun (Open MPI) or srun and other
// PMI/PMIx launchers. Outside one, MPI_Init would start a singleton job (Open MPI forks its daemon,
// a third of a second or more for every command), so cxsim stays a group of one instead.
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

}  // namespace

bool mpi_built() { return true; }

ProcessGroup::ProcessGroup(int* argc, char*** argv) {
  if (!launched_by_mpi()) return;
  // The runner calls MPI from one thread at a time, not always the main one (a oneTBB arena may run
  // the period loop on a worker), hence MPI_THREAD_SERIALIZED.
  int provided = MPI_THREAD_SINGLE;
  check(MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided), "Init_thread");
  if (provided < MPI_THREAD_SERIALIZED) {
    std::fprintf(stderr, "cxsim: error: this MPI library does not support MPI_THREAD_SERIALIZED\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  auto group = std::make_unique<MpiCluster>();
  rank_ = group->rank();
  size_ = group->size();
  install_cluster(std::move(group));
}

ProcessGroup::~ProcessGroup() {
  install_cluster(nullptr);
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Finalize();
}

void ProcessGroup::abort(int exit_code) const {
  if (size_ > 1) MPI_Abort(MPI_COMM_WORLD, exit_code);
}

}  // namespace cxsim
