// Raft's messages (Ongaro & Ousterhout 2014, Figure 2; PreVote from the thesis §9.6) and
// the client protocol (thesis ch. 6). Wire sizes follow a compact binary encoding, for
// the network's bandwidth model and the bytes-per-operation metric.
#pragma once
#include <cstdint>
#include <variant>
#include <vector>

#include "protocols/kv/command.h"
#include "protocols/kv/store.h"
#include "sim/ids.h"

namespace meshsim::raft {

using Term = uint64_t;
using Index = uint64_t;

// A single-server membership change (thesis §4.1): add or remove one server.
enum class ConfigOp : uint8_t { none, add, remove };
const char* to_string(ConfigOp op);

struct Entry {
  Term term = 0;
  bool noop = false;  // the blank entry a new leader commits first (thesis §6.4)
  ConfigOp config = ConfigOp::none;  // a configuration entry: `server` joins or leaves
  NodeId server = kNoNode;
  kv::Command cmd;
  static constexpr uint32_t kWireBytes = 8 + 1 + 1 + 4 + kv::Command::kWireBytes;
};

// An operator's request (the scenario's action) to change the membership, handed to the
// server that leads. Not sent over the network.
struct ConfigRequest {
  static constexpr const char* kName = "ConfigRequest";
  ConfigOp op = ConfigOp::add;
  NodeId server = kNoNode;
  uint32_t wire_bytes() const { return 1 + 4; }
};

struct RequestVote {
  static constexpr const char* kName = "RequestVote";
  Term term = 0;  // for a pre-vote: the term the candidate would campaign in
  Index last_log_index = 0;
  Term last_log_term = 0;
  bool pre_vote = false;
  uint32_t wire_bytes() const { return 8 + 8 + 8 + 1; }
};

struct VoteReply {
  static constexpr const char* kName = "VoteReply";
  Term term = 0;
  bool granted = false;
  bool pre_vote = false;
  uint32_t wire_bytes() const { return 8 + 1 + 1; }
};

struct AppendEntries {
  static constexpr const char* kName = "AppendEntries";
  Term term = 0;
  Index prev_index = 0;
  Term prev_term = 0;
  Index leader_commit = 0;
  std::vector<Entry> entries;
  uint32_t wire_bytes() const { return 8 + 8 + 8 + 8 + 4 + static_cast<uint32_t>(entries.size()) * Entry::kWireBytes; }
};

struct AppendReply {
  static constexpr const char* kName = "AppendReply";
  Term term = 0;
  bool success = false;
  Index match_index = 0;    // success: the last index now known to match the leader
  // Failure: the fast back-off hints of the thesis §5.3 (the follower's conflicting term
  // and the first index it holds for that term, or its log length when it is too short).
  Term conflict_term = 0;
  Index conflict_index = 0;
  // Disk model: how long the reply waited for the follower's durable write. Reported so
  // the leader can split commit latency into network and disk (not counted on the wire:
  // a measurement, not part of the protocol).
  int64_t disk_wait_ns = 0;
  uint32_t wire_bytes() const { return 8 + 1 + 8 + 8 + 8; }
};

// Thesis §5.1: a leader sends its snapshot to a follower that needs entries it has
// compacted. Sent whole (the simulator has no reason to chunk it); its size on the wire is
// the store's. `prefix_hash` is the checkers' bookkeeping for the compacted prefix.
struct InstallSnapshot {
  static constexpr const char* kName = "InstallSnapshot";
  Term term = 0;
  Index last_index = 0;
  Term last_term = 0;
  uint64_t prefix_hash = 0;
  kv::Store store;
  std::vector<bool> members;  // the configuration as of last_index
  uint32_t wire_bytes() const { return 8 + 8 + 8 + 4 + static_cast<uint32_t>(store.wire_bytes() + members.size() / 8 + 1); }
};

struct ClientRequest {
  static constexpr const char* kName = "ClientRequest";
  kv::Command cmd;
  uint32_t wire_bytes() const { return kv::Command::kWireBytes; }
};

struct ClientReply {
  static constexpr const char* kName = "ClientReply";
  uint64_t seq = 0;
  bool redirect = false;       // not the leader: try `leader_hint`
  NodeId leader_hint = kNoNode;
  // The server's node is read-only (membership's ReadOnlyView): a write was refused and
  // did not enter the log, or a get was answered from the server's own state machine
  // and may be stale.
  bool refused_read_only = false;
  bool possibly_stale = false;
  kv::Outcome outcome;
  uint32_t wire_bytes() const { return 8 + 1 + 4 + 8 + 1; }
};

using Message = std::variant<RequestVote, VoteReply, AppendEntries, AppendReply, ClientRequest, ClientReply, InstallSnapshot, ConfigRequest>;

}  // namespace meshsim::raft
