#include "protocols/lb/ring_ledger.h"

namespace meshsim::lb {

void RingLedger::start(const KeyedPlacement& ring) {
  ring_ = &ring;
  holders_.assign(ring.keys(), 0);
  failures_.assign(ring.keys(), 0);
  lost_.assign(ring.keys(), false);
}

void RingLedger::stored(uint32_t key, bool initial) {
  if (key >= holders_.size()) return;
  if (!initial) ++transfers_;
  if (++holders_[key] >= ring_->replica_count()) failures_[key] = 0;
}

std::optional<std::string> RingLedger::dropped(NodeId node, uint32_t key) {
  if (key >= holders_.size()) return std::nullopt;
  if (--holders_[key] == 0)
    return "node " + std::to_string(node) + " dropped the last copy of key " + std::to_string(key) +
           " (no failure destroyed it: the protocol discarded it)";
  return std::nullopt;
}

std::optional<std::string> RingLedger::destroyed(NodeId node, const std::set<uint32_t>& keys, const char* how) {
  std::optional<std::string> violation;
  const uint32_t r = ring_->config().replicas;
  for (uint32_t key : keys) {
    if (key >= holders_.size()) continue;
    ++failures_[key];
    if (--holders_[key] > 0) continue;
    if (failures_[key] < r && !violation)
      violation = "key " + std::to_string(key) + " lost its last copy when node " + std::to_string(node) + " " + how +
                  ", after only " + std::to_string(failures_[key]) + " failure(s) of its copies; r = " + std::to_string(r);
    if (!lost_[key]) lost_[key] = true, ++lost_count_;
  }
  return violation;
}

void RingLedger::ring_changed(const RingChange& c, SimTime now, Metrics& m) {
  ++changes_;
  owners_moved_ += c.owners_moved;
  copies_moved_ += c.copies_moved;
  owners_ideal_ += c.owners_ideal;
  last_disturbance_ns_ = now.ns;
  m.sample("lb_ring_keys_moved", now, static_cast<double>(c.owners_moved));
  m.sample("lb_ring_keys_moved_ideal", now, c.owners_ideal);
  m.sample("lb_ring_copies_moved", now, static_cast<double>(c.copies_moved));
  m.sample("lb_ring_members", now, c.members_after);
}

std::optional<std::string> RingLedger::check_placement(SimTime now, uint32_t node_count,
                                                       const std::function<bool(NodeId)>& is_up,
                                                       const std::function<const std::set<uint32_t>&(NodeId)>& held) {
  // Ten repair rounds: enough for a handoff to get through a few lost messages.
  settled_ = now.ns - last_disturbance_ns_ >= 10 * ring_->config().repair_interval_ns;
  if (!settled_) return std::nullopt;
  const uint32_t r = ring_->replica_count();
  std::vector<uint32_t> up_copies(ring_->keys(), 0);
  for (NodeId n = 0; n < node_count; ++n) {
    if (!is_up(n)) continue;
    for (uint32_t key : held(n)) {
      if (ring_->rank(key, n) >= r)
        return "node " + std::to_string(n) + " holds a copy of key " + std::to_string(key) +
               " but is not among its " + std::to_string(r) + " successors on the settled ring";
      ++up_copies[key];
    }
  }
  for (uint32_t key = 0; key < ring_->keys(); ++key) {
    if (lost_[key]) continue;
    auto reps = ring_->replicas(key);
    for (uint32_t i = 0; i < reps.size(); ++i)
      if (is_up(reps[i]) && !held(reps[i]).contains(key))
        return "key " + std::to_string(key) + " has " + std::to_string(up_copies[key]) + " live copies: its successor node " +
               std::to_string(reps[i]) + " (replica " + std::to_string(i + 1) + " of " + std::to_string(r) +
               ") is up but holds none on the settled ring";
  }
  return std::nullopt;
}

void RingLedger::report(Metrics& m) const {
  m.set_scalar("lb_ring_joins_leaves", static_cast<double>(changes_));
  m.set_scalar("lb_ring_keys_moved_total", static_cast<double>(owners_moved_));
  m.set_scalar("lb_ring_copies_moved_total", static_cast<double>(copies_moved_));
  m.set_scalar("lb_ring_keys_moved_over_ideal", owners_ideal_ > 0 ? owners_moved_ / owners_ideal_ : 0.0);
  m.set_scalar("lb_ring_keys_lost", static_cast<double>(lost_count_));
  m.set_scalar("lb_ring_key_transfers", static_cast<double>(transfers_));
  m.set_scalar("lb_ring_served_by_replica", static_cast<double>(served_by_replica_));
  m.set_scalar("lb_ring_settled", settled_ ? 1.0 : 0.0);
}

}  // namespace meshsim::lb
