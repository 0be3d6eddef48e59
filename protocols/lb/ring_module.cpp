// The load-balancing module's consistent-hashing glue: membership changes move nodes on and
// off the ring, the key-store notes feed the replica checker (ring_ledger.h).
#include "protocols/lb/keyed_placement.h"
#include "protocols/lb/lb_module.h"
#include "sim/simulation.h"

namespace meshsim::lb {

void LbModule::recover(NodeId n) {
  if (params().keyed) ring_.disturbed(sim().now());
  NodeModule<Protocol>::recover(n);
}

void LbModule::leave(NodeId n) {
  leaving_ = true;
  crash(n);  // its process ends: queue, waiting tasks and key copies go, as in a crash
  leaving_ = false;
  if (params().keyed && params().keyed->is_member(n))
    ring_.ring_changed(params().keyed->leave(n), sim().now(), sim().metrics());
}

void LbModule::join(NodeId n) {
  if (params().keyed && !params().keyed->is_member(n))
    ring_.ring_changed(params().keyed->join(n), sim().now(), sim().metrics());
  if (params().keyed) ring_.disturbed(sim().now());
  NodeModule<Protocol>::join(n);  // starts empty and fetches its keys in its repair rounds
}

void LbModule::notice_departures(SimTime now, Metrics& m) {
  KeyedPlacement& ring = *params().keyed;
  for (NodeId n = 0; n < sim().node_count(); ++n)
    if (sim().node_state(n) == NodeState::absent && ring.is_member(n)) ring_.ring_changed(ring.leave(n), now, m);
}

void LbModule::on_ring_note(NodeId n, uint16_t what, int64_t value) {
  const uint32_t key = static_cast<uint32_t>(value);
  if (what == kNoteKeyStored) ring_.stored(key, sim().now().ns == 0);
  else if (what == kNoteKeyDropped) {
    if (auto v = ring_.dropped(n, key)) fail("lb.replicas", *v);
  } else if (what == kNoteServedByReplica) ring_.served_by_replica();
}

void LbModule::finish_ring(SimTime now, Metrics& m) {
  if (!violation_) {
    auto v = ring_.check_placement(
        now, sim().node_count(), [&](NodeId n) { return sim().is_up(n); },
        [&](NodeId n) -> const std::set<uint32_t>& { return nodes()[n].key_store().held(); });
    if (v) fail("lb.replicas", *v);
  }
  ring_.report(m);
}

}  // namespace meshsim::lb
