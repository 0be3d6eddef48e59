// Load-balancing messages. A task travels as its id (submitter << 32 | submitter's sequence
// number), its size in CPU time at speed 1, the capabilities it needs and the placement
// attempt it belongs to; loads travel as queue lengths.
#pragma once
#include <array>
#include <cstdint>
#include <variant>
#include <vector>

#include "sim/ids.h"

namespace meshsim::lb {

inline constexpr uint32_t kHeaderBytes = 8;

inline constexpr NodeId task_origin(uint64_t task) { return static_cast<NodeId>(task >> 32); }
inline constexpr uint32_t task_seq(uint64_t task) { return static_cast<uint32_t>(task); }
inline constexpr uint64_t make_task_id(NodeId origin, uint32_t seq) { return (uint64_t{origin} << 32) | seq; }

// Power of d choices: "how loaded are you?"
struct Probe {
  static constexpr const char* kName = "Probe";
  uint32_t probe = 0;
  uint32_t wire_bytes() const { return kHeaderBytes + 4; }
};
// Also the bid of an auction: `bid_ns` is when the bidder expects to have served its queue
// (its queued work divided by its speed), the contract net's "cost" (Smith 1980).
struct ProbeReply {
  static constexpr const char* kName = "ProbeReply";
  uint32_t probe = 0;
  uint32_t load = 0;
  int64_t bid_ns = 0;
  uint32_t wire_bytes() const { return kHeaderBytes + 16; }
};

// The task itself, to the chosen worker.
struct Assign {
  static constexpr const char* kName = "Assign";
  uint64_t task = 0;
  int64_t work_ns = 0;
  uint64_t capabilities = 0;
  uint16_t attempt = 0;
  uint32_t wire_bytes() const { return kHeaderBytes + 26; }
};
// The worker's queue is full: place the task elsewhere.
struct Reject {
  static constexpr const char* kName = "Reject";
  uint64_t task = 0;
  uint16_t attempt = 0;
  uint32_t wire_bytes() const { return kHeaderBytes + 10; }
};
// Completion, reported to the submitter, with the CPU time the task took.
struct Done {
  static constexpr const char* kName = "Done";
  uint64_t task = 0;
  uint16_t attempt = 0;
  int64_t service_ns = 0;
  uint32_t wire_bytes() const { return kHeaderBytes + 18; }
};

// least-loaded: the sender's load and a few of the freshest entries of its view.
struct LoadEntry {
  NodeId node = kNoNode;
  uint32_t load = 0;
  int64_t heard_ns = 0;
};
struct LoadGossip {
  static constexpr const char* kName = "LoadGossip";
  static constexpr uint32_t kMaxEntries = 3;
  uint32_t load = 0;
  uint8_t count = 0;
  std::array<LoadEntry, kMaxEntries> entries{};
  uint32_t wire_bytes() const { return kHeaderBytes + 5 + 16u * count; }
};

// Work stealing: an idle worker asks a victim for work; the victim hands over waiting tasks
// from the back of its queue (Blumofe & Leiserson 1999 steal from the other end of the deque).
struct StolenTask {
  uint64_t task = 0;
  int64_t work_ns = 0;
  uint64_t capabilities = 0;
  uint16_t attempt = 0;
  int64_t remaining_ns = 0;  // work left: less than work_ns when processor sharing had started it
};
struct StealRequest {
  static constexpr const char* kName = "StealRequest";
  uint32_t wire_bytes() const { return kHeaderBytes; }
};
struct StealReply {
  static constexpr const char* kName = "StealReply";
  std::vector<StolenTask> tasks;  // empty: nothing to spare
  uint32_t state_bytes = 0;       // each task's state moves with it (task_state_bytes)
  uint32_t wire_bytes() const { return kHeaderBytes + 4 + (26u + state_bytes) * static_cast<uint32_t>(tasks.size()); }
};
// Threshold migration: "I hold `load` tasks, more than migrate_above; take some".
struct MigrateOffer {
  static constexpr const char* kName = "MigrateOffer";
  uint32_t load = 0;
  uint32_t wire_bytes() const { return kHeaderBytes + 4; }
};

// Consistent hashing (key_store.h). A keyed task travels with its key; the worker serves it
// only if it holds the key's data, and rejects it otherwise (the submitter tries the next replica).
struct KeyedAssign {
  static constexpr const char* kName = "KeyedAssign";
  Assign task;
  uint32_t key = 0;
  uint32_t wire_bytes() const { return task.wire_bytes() + 4; }
};
// "Send me these keys' data": a replica that lacks them asks the key's other replicas.
struct FetchKeys {
  static constexpr const char* kName = "FetchKeys";
  std::vector<uint32_t> keys;
  uint32_t wire_bytes() const { return kHeaderBytes + 4 + 4u * static_cast<uint32_t>(keys.size()); }
};
// Copies of keys' data: the answer to a fetch, or a handoff from a node no longer a replica.
struct StoreKeys {
  static constexpr const char* kName = "StoreKeys";
  std::vector<uint32_t> keys;
  uint32_t wire_bytes() const { return kHeaderBytes + 4 + 4u * static_cast<uint32_t>(keys.size()); }
};
// "I hold copies of these keys now": lets the handing-off node drop its own.
struct StoreAck {
  static constexpr const char* kName = "StoreAck";
  std::vector<uint32_t> keys;
  uint32_t wire_bytes() const { return kHeaderBytes + 4 + 4u * static_cast<uint32_t>(keys.size()); }
};

using Message = std::variant<Probe, ProbeReply, Assign, Reject, Done, LoadGossip, StealRequest, StealReply, MigrateOffer,
                             KeyedAssign, FetchKeys, StoreKeys, StoreAck>;

}  // namespace meshsim::lb
