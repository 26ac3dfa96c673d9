#pragma once
// Checkpoints of long runs: the completed replications of a run, saved atomically after each one,
// so an interrupted run resumes where it stopped. Replication r always draws from the same random
// streams (runner.hpp), so a resumed run's result is identical to the bit to an uninterrupted one.
//
// The file is one JSON document: {"format": "cxsim-checkpoint", "format_version", "cxsim_version",
// "run_id", "scenario_name", "replications": [{"replication": r, "metrics", "series",
// "touchpoints", "channels", "interventions"}, ...], "checksum"}. Doubles are written with
// round-trip precision (they read back to the same bits); NaN and infinities, which JSON lacks, are
// the strings "NaN", "Infinity" and "-Infinity". The checksum is FNV-1a 64 (hash.hpp) of the
// document without it, dumped canonically, so truncation or edits are detected.
#include <string>
#include <string_view>
#include <vector>

#include "cxsim/results.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"

namespace cxsim {

inline constexpr int kCheckpointFormatVersion = 2;

struct Checkpoint {
  std::string cxsim_version;
  std::string run_id;                           // run_identity() of the run it belongs to
  std::string scenario_name;                    // for messages only
  std::vector<ReplicationResult> replications;  // replications 0 .. n-1, in order
};

// What the replications of a run depend on: FNV-1a 64 (16 hex digits) over the scenario's canonical
// content (Scenario::content_hash) and the values command-line overrides can change (seed,
// customers, horizon). The replication count is not part of it: replication r does not depend on
// how many others run, so a finished run can be extended with a larger --replications.
std::string run_identity(const Scenario& scenario);

// The checkpoint document, checksum included (one line of JSON and a newline).
std::string checkpoint_json(const Checkpoint& checkpoint);

// Parses a checkpoint. Throws InputError (naming `file` and the JSON pointer) when the text is not
// a cxsim checkpoint, its checksum does not match (corrupted, truncated or edited), or its format
// version is not kCheckpointFormatVersion.
Checkpoint parse_checkpoint(std::string_view text, const std::string& file);

// Reads and parses a checkpoint file; a missing or unreadable file is an InputError too.
Checkpoint load_checkpoint(const std::string& path);

// Throws InputError unless `checkpoint` was written by this cxsim version for the same run
// (run_identity of `scenario`, after command-line overrides).
void check_checkpoint_matches(const Checkpoint& checkpoint, const Scenario& scenario, const std::string& file);

// Runs the replications of `scenario` that `resume` lacks (all of them when `resume` is null) and
// returns the whole run, identical to running all replications at once. When `save_path` is not
// empty, a checkpoint is written there atomically before the first replication (so an unwritable
// path fails at once) and after each completed one. `resume` must have passed
// check_checkpoint_matches; replications it holds beyond the scenario's count are ignored.
// Interrupted (from RunOptions::cancel) propagates; the checkpoint then holds every completed one.
RunResult run_with_checkpoint(const Scenario& scenario, const RunOptions& options, const Checkpoint* resume,
                              const std::string& save_path);

}  // namespace cxsim
