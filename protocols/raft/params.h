// Raft's parameters, read from the scenario's [protocol] section (README.md documents each
// key). Defaults follow the paper: election timeouts drawn from 150-300 ms (§9.3).
#pragma once
#include <cstdint>

#include "protocols/kv/workload.h"
#include "sim/ids.h"
#include "sim/time.h"

namespace meshsim::raft {

// Timer ids: servers use the first two, clients the last two.
enum : TimerId { kElectionTimer = 0, kHeartbeatTimer = 1, kClientRetryTimer = 2, kClientIssueTimer = 3 };

// Deliberate protocol bugs, for proving that the checkers catch what they claim to.
enum class Bug : uint8_t {
  none,
  // Figure 8 of the paper: a leader commits an entry of an earlier term by counting
  // replicas, which §5.4.2 forbids; a later leader may then overwrite it.
  commit_old_terms,
  // A server appends clients' writes even while its node is read-only (membership's
  // ReadOnlyView: it holds fewer than a majority of its agreed membership live).
  ignore_read_only,
};

// CPU time per operation for the engine's processing model (docs/architecture.md, "The
// processing-time model"). All zero by default: the model stays off and a run is exactly
// what it was without these keys.
struct Costs {
  Duration receive{};       // handling one received message (decoding, checks)
  Duration send{};          // serialising one message sent
  Duration append_entry{};  // writing one entry to the log, leader and followers alike
  Duration apply_entry{};   // applying one committed entry to the state machine
  bool any() const { return receive.ns > 0 || send.ns > 0 || append_entry.ns > 0 || apply_entry.ns > 0; }
};

// When a follower (or candidate) restarts its election timer (README.md, "Timing").
enum class ElectionTimerReset : uint8_t {
  // Figure 2: only when it grants a vote or hears AppendEntries (or InstallSnapshot) from
  // the leader of the current term. A message that merely carries a higher term does not
  // postpone its next election.
  paper,
  // Also whenever it adopts a higher term (etcd-raft's becomeFollower resets its election
  // tick on every term change); the behaviour before issue 19, kept to reproduce old runs.
  any_higher_term,
};

// How a leader times its heartbeats.
enum class HeartbeatTiming : uint8_t {
  broadcast,     // one timer: every heartbeat_interval an AppendEntries to every follower
  per_follower,  // LogCabin: a follower's heartbeat is due heartbeat_interval after anything last sent to it
};

struct Params {
  uint32_t servers = 5;  // nodes 0..servers-1 are servers; the rest of the nodes are clients
  // Servers 0..initial_servers-1 form the first configuration; the others wait to be added
  // by a membership change (thesis ch. 4). 0 means all servers.
  uint32_t initial_servers = 0;
  Duration election_timeout_min = Duration::millis(150);
  Duration election_timeout_max = Duration::millis(300);
  Duration heartbeat_interval = Duration::millis(50);
  uint32_t max_entries_per_append = 64;
  uint32_t max_inflight = 1;  // AppendEntries in flight per follower; > 1 pipelines (thesis §10.2.1)
  bool pre_vote = false;      // thesis §9.6
  bool check_quorum = false;  // thesis §6.2: a leader steps down without a majority's heartbeats
  bool noop_on_election = true;  // a new leader appends a blank entry of its term (thesis §6.4)
  ElectionTimerReset election_timer_reset = ElectionTimerReset::paper;
  HeartbeatTiming heartbeat = HeartbeatTiming::broadcast;
  // Disk model only ([storage]): thesis §10.2.1 lets a leader write its own entries in
  // parallel with sending them (it counts itself in a majority once its write completes);
  // false writes first and ships only durable entries, as Figure 2 reads.
  bool leader_parallel_write = true;
  // Disk model only: changes made while a write is in flight go out as one write when it
  // completes (LogCabin, etcd), instead of one write per step.
  bool batch_writes = true;
  uint32_t snapshot_threshold = 1024;  // applied entries past the last snapshot that trigger one; 0 = never
  Bug bug = Bug::none;
  Costs costs;
  kv::WorkloadParams workload;

  uint32_t first_members() const { return initial_servers == 0 ? servers : initial_servers; }
  bool is_server(uint32_t node) const { return node < servers; }
};

}  // namespace meshsim::raft
