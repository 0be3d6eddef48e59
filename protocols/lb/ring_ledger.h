// The module's side of consistent hashing: who holds copies of each key, the replica checker
// (`lb.replicas`) and the ring metrics. Two guarantees (README.md, "Consistent hashing"):
// - durability: a key's data is lost only if at least r of its copies were destroyed by
//   crashes or leaves since it was last on r replicas (fewer failures must never lose it,
//   and a protocol drop must never discard the last copy);
// - placement: once the ring has been quiet for `settle` (no join, leave, crash or recovery),
//   every up node among a key's r successors holds it and no other up node does, so a key
//   whose successors are all up has exactly r live replicas, on the right nodes.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocols/lb/keyed_placement.h"
#include "sim/metrics.h"
#include "sim/time.h"

namespace meshsim::lb {

class RingLedger {
 public:
  void start(const KeyedPlacement& ring);
  // A node took a copy / discarded one / lost all of its copies (crash or leave).
  void stored(uint32_t key, bool initial);
  std::optional<std::string> dropped(NodeId node, uint32_t key);
  std::optional<std::string> destroyed(NodeId node, const std::set<uint32_t>& keys, const char* how);
  void served_by_replica() { ++served_by_replica_; }
  // A join or leave moved keys; a crash or recovery disturbed the copies.
  void ring_changed(const RingChange& c, SimTime now, Metrics& m);
  void disturbed(SimTime now) { last_disturbance_ns_ = now.ns; }

  // The placement check at the end of the run (nullopt: it holds, or the ring had not
  // settled, which `report` records).
  std::optional<std::string> check_placement(SimTime now, uint32_t node_count, const std::function<bool(NodeId)>& is_up,
                                             const std::function<const std::set<uint32_t>&(NodeId)>& held);
  void report(Metrics& m) const;

 private:
  const KeyedPlacement* ring_ = nullptr;
  std::vector<uint32_t> holders_;   // per key: nodes holding a copy
  std::vector<uint32_t> failures_;  // per key: copies destroyed since it was last on r replicas
  std::vector<bool> lost_;          // per key: lost after >= r failures (allowed)
  uint64_t lost_count_ = 0, transfers_ = 0, served_by_replica_ = 0, changes_ = 0;
  uint64_t owners_moved_ = 0, copies_moved_ = 0;
  double owners_ideal_ = 0;
  int64_t last_disturbance_ns_ = 0;
  bool settled_ = false;
};

}  // namespace meshsim::lb
