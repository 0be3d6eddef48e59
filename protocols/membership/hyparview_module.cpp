#include "protocols/membership/hyparview_module.h"

#include <algorithm>
#include <cassert>

#include "protocols/membership/config_common.h"
#include "sim/errors.h"
#include "sim/simulation.h"

namespace meshsim::membership::hyparview {

namespace {
std::string node_name(NodeId n) { return "node " + std::to_string(n); }
}  // namespace

HyParViewModule::HyParViewModule(Params params, std::string seed_error)
    : Base(std::move(params)), seed_error_(std::move(seed_error)) {}

void HyParViewModule::on_attach() {
  Simulation& sim = this->sim();
  const uint32_t n = sim.node_count();
  check_seeds_exist(params().seeds, n, seed_error_);
  const Params& p = params();
  // README.md, "Checkers": a link stays one-sided at most until the holder's watchdog fires
  // (link_timeout after the last message, checked every heartbeat period) or until its
  // next heartbeat draws a reset from the other end; half a second covers the latencies.
  bound_ = p.symmetry_bound.ns > 0 ? p.symmetry_bound
                                   : p.link_timeout + p.heartbeat_period * 2 + Duration::millis(500);
  schedule_disturbs_ = false;
  for (const FaultSpec& f : sim.faults())
    if (f.kind == FaultKind::pause || f.kind == FaultKind::partition || f.kind == FaultKind::isolate ||
        f.kind == FaultKind::degrade || f.kind == FaultKind::drift)
      schedule_disturbs_ = true;
  started_ns_.assign(n, -1);
  in_some_active_.assign(n, 0);
  one_sided_.clear();
}

void HyParViewModule::start(NodeId n) {
  started_ns_[n] = sim().now().ns;
  in_some_active_[n] = 0;
  Base::start(n);
}

void HyParViewModule::crash(NodeId n) {
  started_ns_[n] = -1;
  Base::crash(n);
}

void HyParViewModule::leave(NodeId n) {
  started_ns_[n] = -1;
  Base::leave(n);
}

void HyParViewModule::before_leave(NodeId n) {
  step_node(n, [](HyParViewNode& node, const Params&, const NodeView&, HvOutbox& out) { node.announce_leave(out); });
  ++graceful_leaves_;
}

std::vector<NodeId> HyParViewModule::nodes_in_role(std::string_view role) {
  std::vector<NodeId> out;
  const auto& seeds = params().seeds;
  for (NodeId n = 0; n < sim().node_count(); ++n) {
    if (!sim().is_up(n)) continue;
    const bool seed = std::find(seeds.begin(), seeds.end(), n) != seeds.end();
    if ((role == "seed") == seed) out.push_back(n);
  }
  return out;
}

std::string HyParViewModule::describe_node(NodeId n) const {
  const HyParViewNode& node = nodes()[n];
  if (!node.joined()) return "joining";
  return "active " + std::to_string(node.active().size()) + ", passive " + std::to_string(node.passive().size());
}

void HyParViewModule::on_note(NodeId, uint16_t what, int64_t value) {
  const NodeId member = static_cast<NodeId>(value);
  switch (what) {
    case kNoteActiveAdded:
      if (!in_some_active_[member] && started_ns_[member] >= 0) {
        in_some_active_[member] = 1;
        sim().metrics().histogram("hyparview_join_time_ns").add(static_cast<double>(sim().now().ns - started_ns_[member]));
      }
      break;
    case kNoteLinkFailed:
      ++link_failures_;
      break;
    case kNoteShuffled:
      ++shuffles_;
      break;
    default:
      assert(false && "unknown hyparview note");
  }
}

void HyParViewModule::on_send(NodeId, const Message& msg) {
  ++sent_messages_;
  sent_bytes_ += std::visit([](const auto& x) { return x.wire_bytes(); }, msg);
}

std::vector<uint8_t> HyParViewModule::up_flags() const {
  std::vector<uint8_t> up(sim().node_count());
  for (NodeId n = 0; n < sim().node_count(); ++n) up[n] = sim().is_up(n);
  return up;
}

std::vector<uint8_t> HyParViewModule::settled_flags(SimTime now) const {
  std::vector<uint8_t> settled(sim().node_count());
  for (NodeId n = 0; n < sim().node_count(); ++n) settled[n] = sim().is_up(n) && this->settled(n, now);
  return settled;
}

// Symmetry is a guarantee only where every message arrives and no node stalls: a lost
// Disconnect or reset leaves a link one-sided until the next heartbeat gets through.
bool HyParViewModule::symmetry_armed() const {
  if (!params().check_symmetry || schedule_disturbs_) return false;
  const NetworkCounters& c = sim().network().counters();
  return c.lost_loss == 0 && c.lost_partition == 0 && c.lost_queue == 0;
}

// Invariants the algorithm keeps at every step (§4): the active view never exceeds its size
// (a full view drops a member before it takes one), the passive view neither, no node holds
// itself, and no node is both active and passive.
void HyParViewModule::check_view_bounds(SimTime now) {
  if (violation_) return;
  const Params& p = params();
  for (NodeId n = 0; n < sim().node_count(); ++n) {
    if (!sim().is_up(n)) continue;
    const HyParViewNode& node = nodes()[n];
    std::string what;
    if (node.active().size() > p.active_size)
      what = "holds " + std::to_string(node.active().size()) + " nodes in its active view (active_size " +
             std::to_string(p.active_size) + ")";
    else if (node.passive().size() > p.passive_size)
      what = "holds " + std::to_string(node.passive().size()) + " nodes in its passive view (passive_size " +
             std::to_string(p.passive_size) + ")";
    else if (node.in_active(n) || node.in_passive(n))
      what = "holds itself in a view";
    else
      for (const auto& a : node.active())
        if (node.in_passive(a.id)) what = "holds " + node_name(a.id) + " in both views";
    if (!what.empty()) {
      violation_ = Violation{now, "hyparview.view_bounds", node_name(n) + " " + what};
      return;
    }
  }
}

// A link (holder -> peer) is one-sided when the peer is down or does not hold the holder.
// The same link (same holder, peer and time it was added) one-sided for longer than the
// bound is a violation: the Disconnect, reset or watchdog that should have closed it failed.
void HyParViewModule::check_symmetry(SimTime now) {
  std::map<std::pair<NodeId, NodeId>, Asymmetry> seen;
  const bool armed = symmetry_armed() && !violation_;
  for (NodeId n = 0; n < sim().node_count(); ++n) {
    if (!sim().is_up(n)) continue;
    for (const auto& a : nodes()[n].active()) {
      if (sim().is_up(a.id) && nodes()[a.id].in_active(n)) continue;
      Asymmetry entry{a.since.ns, now.ns};
      auto it = one_sided_.find({n, a.id});
      if (it != one_sided_.end() && it->second.since_ns == a.since.ns) entry.first_seen_ns = it->second.first_seen_ns;
      if (armed && !violation_ && now.ns - entry.first_seen_ns > bound_.ns)
        violation_ = Violation{now, "hyparview.symmetry",
                               node_name(n) + " has held " + node_name(a.id) + " in its active view since " +
                                   format_readable(Duration{a.since.ns}) + ", one-sided since at least " +
                                   format_readable(Duration{entry.first_seen_ns}) + " (bound " + format_readable(bound_) +
                                   "): " + node_name(a.id) +
                                   (sim().is_up(a.id) ? " is up and does not hold it" : " is down")};
      seen.emplace(std::make_pair(n, a.id), entry);
    }
  }
  one_sided_now_ = static_cast<uint32_t>(seen.size());
  one_sided_ = std::move(seen);
}

void HyParViewModule::sample(SimTime now, Metrics& m) {
  last_ = snapshot_overlay(nodes(), up_flags());
  m.sample("hyparview_active_size_mean", now, last_.active_mean);
  m.sample("hyparview_passive_size_mean", now, last_.passive_mean);
  m.sample("hyparview_largest_component_share", now, last_.largest_component_share);
  m.sample("hyparview_indegree_std", now, last_.indegree_std);
  if (last_.largest_component_share >= 1.0) {
    if (connected_since_ns_ < 0) connected_since_ns_ = now.ns;
    if (min_share_after_connected_ < 0) min_share_after_connected_ = 1.0;
  } else {
    connected_since_ns_ = -1;
  }
  if (min_share_after_connected_ >= 0)
    min_share_after_connected_ = std::min(min_share_after_connected_, last_.largest_component_share);
  check_view_bounds(now);
  check_symmetry(now);
  m.sample("hyparview_one_sided_links", now, one_sided_now_);
}

std::optional<Violation> HyParViewModule::check(SimTime) { return violation_; }

std::optional<Violation> HyParViewModule::finish(SimTime now, Metrics& m) {
  const uint32_t n = sim().node_count();
  const double seconds = static_cast<double>(now.ns) / 1e9;
  last_ = snapshot_overlay(nodes(), settled_flags(now));
  m.set_scalar("hyparview_active_size_mean", last_.active_mean);
  m.set_scalar("hyparview_active_size_min", last_.active_min);
  m.set_scalar("hyparview_active_size_max", last_.active_max);
  m.set_scalar("hyparview_passive_size_mean", last_.passive_mean);
  m.set_scalar("hyparview_largest_component_share", last_.largest_component_share);
  if (min_share_after_connected_ >= 0) m.set_scalar("hyparview_largest_component_share_min", min_share_after_connected_);
  if (connected_since_ns_ >= 0) m.set_scalar("hyparview_connected_since_ns", static_cast<double>(connected_since_ns_));
  m.set_scalar("hyparview_indegree_min", last_.indegree_min);
  m.set_scalar("hyparview_indegree_max", last_.indegree_max);
  m.set_scalar("hyparview_indegree_std", last_.indegree_std);
  m.set_scalar("hyparview_messages_per_node_per_s", n && seconds > 0 ? static_cast<double>(sent_messages_) / n / seconds : 0.0);
  m.set_scalar("hyparview_bytes_per_node_per_s", n && seconds > 0 ? static_cast<double>(sent_bytes_) / n / seconds : 0.0);
  m.set_scalar("hyparview_link_failures", static_cast<double>(link_failures_));
  m.set_scalar("hyparview_shuffles", static_cast<double>(shuffles_));
  m.set_scalar("hyparview_graceful_leaves", static_cast<double>(graceful_leaves_));
  m.set_scalar("hyparview_symmetry_bound_ns", static_cast<double>(bound_.ns));
  m.set_scalar("hyparview_symmetry_armed", symmetry_armed() ? 1.0 : 0.0);
  uint32_t joined = 0, up = 0, in_active = 0;
  for (NodeId v = 0; v < n; ++v)
    if (sim().is_up(v) && settled(v, now)) {
      ++up;
      joined += nodes()[v].joined();
      in_active += in_some_active_[v];
    }
  m.set_scalar("hyparview_joined_share", up ? static_cast<double>(joined) / up : 0.0);
  m.set_scalar("hyparview_in_some_active_share", up ? static_cast<double>(in_active) / up : 0.0);
  check_view_bounds(now);
  check_symmetry(now);
  m.set_scalar("hyparview_one_sided_links", one_sided_now_);
  return violation_;
}

}  // namespace meshsim::membership::hyparview
