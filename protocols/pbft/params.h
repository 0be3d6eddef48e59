// pBFT's parameters, read from the scenario's [protocol] section (README.md documents each
// key). Defaults follow the paper where it gives one (L = 2K) and otherwise a LAN cluster.
#pragma once
#include <cstdint>

#include "protocols/kv/workload.h"
#include "sim/ids.h"
#include "sim/time.h"

namespace meshsim::pbft {

// Timer ids: replicas use the first three, clients the last two.
enum : TimerId {
  kViewChangeTimer = 0,  // waiting for a request to execute, or for NEW-VIEW
  kBatchTimer = 1,       // the primary's batch timeout
  kStatusTimer = 2,      // retry state or view fetches
  kClientRetryTimer = 3,
  kClientIssueTimer = 4,
};

enum class Authentication : uint8_t {
  macs,        // TOCS 2002: MAC authenticators in the normal case, signatures in view changes
  signatures,  // OSDI 1999: every protocol message signed
};

// What a replica keeps across a crash, and whether it pays for it on the node's disk
// (sim/disk_model.h; README.md, "Durable state").
enum class Durability : uint8_t {
  none,     // no writes; view, log and checkpoints survive a crash (battery-backed memory)
  log,      // written before acted on; a crash keeps what completed writes hold
  amnesia,  // no writes; a crash loses everything and the replica restarts empty
};

// What each cryptographic and service operation costs the CPU (processing model).
struct Costs {
  Duration mac = Duration::micros(1);        // compute or verify one MAC
  Duration sign = Duration::micros(20);      // one signature
  Duration verify = Duration::micros(50);    // check one signature
  Duration digest_per_kib = Duration::micros(2);
  Duration execute = Duration::micros(1);    // apply one operation to the store
};

// Planted bugs, each caught by a checker (README.md, "The read-only minority").
enum class Bug : uint8_t {
  none,
  // A replica ignores its node's read-only state (membership's ReadOnlyView): a read-only
  // primary proposes writes. Caught by pbft.no_write_while_read_only.
  ignore_read_only,
};

struct Params {
  uint32_t replicas = 4;  // nodes 0..replicas-1 are replicas (n = 3f + 1); the rest are clients
  uint32_t batch_size = 16;                 // requests per pre-prepare at most
  Duration batch_timeout = Duration::millis(2);  // a partial batch waits at most this long
  uint32_t checkpoint_interval = 64;        // K
  uint32_t log_window = 128;                // L: sequence numbers accepted above the stable checkpoint
  Duration view_change_timeout = Duration::millis(500);  // T; doubles per failed view change...
  Duration view_change_timeout_max = Duration::seconds(4);  // ...up to this
  Duration status_interval = Duration::millis(100);       // retry of state and view fetches
  Authentication authentication = Authentication::macs;
  bool model_processing = true;
  Durability durable = Durability::none;
  Costs costs;
  // Liveness checker: a failure if no request completes for this long while at most f
  // replicas are faulty, a quorum of honest replicas and a client are connected, the
  // network has been stable for the same period, and a client is waiting. 0 = off.
  Duration liveness_window = Duration::seconds(10);
  kv::WorkloadParams workload;
  Bug bug = Bug::none;

  uint32_t f() const { return (replicas - 1) / 3; }
  uint32_t quorum() const { return 2 * f() + 1; }
  bool is_replica(uint32_t node) const { return node < replicas; }
  NodeId primary(uint64_t view) const { return static_cast<NodeId>(view % replicas); }
};

}  // namespace meshsim::pbft
