#pragma once
// Running one job on several processes. Built with -DCXSIM_MPI=ON, a program that creates a
// ProcessGroup inside `mpirun -np N` becomes one of N processes of every run it makes: each holds a
// contiguous share of the customers (with its own threads), the couplings between customers are
// exchanged exactly every period, and every process ends with the same results to the bit, those
// of a run in one process. Only rank 0 reads input files (the others receive their bytes) and
// writes output files. Without MPI, or outside mpirun, the group has one process and nothing changes.
namespace cxsim {

// Whether this build of cxsim can run distributed (it was built with -DCXSIM_MPI=ON).
bool mpi_built();

// The largest of `value` (>= 0) over the processes of the job: a collective call, so every process
// must make it (the value itself in a job of one process).
int max_over_processes(int value);

// This process's membership of its job. Create one at the start of main, before any run, and keep
// it until the end (its destructor ends MPI). At most one may exist. MPI starts only when a launcher
// (mpirun, or srun and other PMI/PMIx launchers) started the process; run directly, even a build
// with MPI is a group of one and starts no MPI daemon.
class ProcessGroup {
 public:
  ProcessGroup(int* argc, char*** argv);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ends every process of the job at once with `exit_code` (MPI_Abort): for an error that only this
  // process met outside the runs' exchanges, where the others cannot learn of it. Returns only when
  // the group has one process (it does nothing then).
  void abort(int exit_code) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace cxsim
