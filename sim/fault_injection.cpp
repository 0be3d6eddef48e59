#include "sim/fault_injection.h"

#include <algorithm>
#include <cassert>

#include "sim/simulation.h"

namespace meshsim {

FaultInjector::FaultInjector(Simulation& sim, std::vector<FaultSpec> faults)
    : sim_(sim), faults_(std::move(faults)), active_(faults_.size(), 0) {}

void FaultInjector::schedule() {
  // One action per start and per end, numbered in schedule order: the number is the
  // event's sequence and payload, so equal-time faults apply in the order they are listed.
  for (uint32_t i = 0; i < faults_.size(); ++i) {
    for (bool inverse : {false, true}) {
      if (inverse && !faults_[i].until) continue;
      actions_.push_back({i, inverse});
      const uint32_t action = static_cast<uint32_t>(actions_.size() - 1);
      const int64_t at = inverse ? faults_[i].until->ns : faults_[i].at.ns;
      sim_.queue_.push(Event{at, action, kFaultOrigin, 0, action, 0, EventKind::fault, 0});
    }
  }
}

std::vector<uint32_t> FaultInjector::active() const {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < faults_.size(); ++i)
    if (active_[i]) out.push_back(i);
  return out;
}

Module* FaultInjector::module_named(std::string_view name) const {
  for (auto& m : sim_.modules_)
    if (m->name() == name) return m.get();
  return nullptr;
}

// Fills a role-targeted fault's nodes (or partition side) from who holds the role now.
// Among several candidates the choice is drawn from the fault's own stream, so it does
// not depend on anything but the seed and the state of the run.
void FaultInjector::resolve_target(uint32_t index) {
  FaultSpec& f = faults_[index];
  Module* m = module_named(f.target_module);
  assert(m);
  Rng rng(derive_stream(sim_.seed(), static_cast<uint64_t>(StreamKind::faults), index));
  auto pick = [&](std::vector<NodeId> from, size_t count, NodeSet& into) {
    for (size_t i = 0; i < count && !from.empty(); ++i) {
      size_t k = rng.below(from.size());
      into.add_range(from[k], from[k]);
      from.erase(from.begin() + static_cast<std::ptrdiff_t>(k));
    }
  };
  f.nodes = NodeSet{};
  pick(m->nodes_in_role(f.target), 1, f.nodes);
  if (f.kind == FaultKind::partition) {
    NodeSet side = f.nodes;
    if (f.with_count > 0) {
      std::vector<NodeId> others = m->nodes_in_role(f.with_role);
      std::erase_if(others, [&](NodeId n) { return side.contains(n); });
      pick(others, f.with_count, side);
    }
    f.groups.clear();
    if (!side.empty()) f.groups.push_back({f.target, side});
  }
}

void FaultInjector::crash(NodeId n, int delta) {
  if (crash_layers_.empty()) crash_layers_.assign(sim_.node_count(), 0);
  uint32_t& layers = crash_layers_[n];
  if (delta > 0) {
    if (layers++ == 0) sim_.crash_node(n);
    return;
  }
  layers = delta < 0 && layers > 0 ? layers - 1 : 0;
  if (layers == 0) sim_.recover_node(n);
}

void FaultInjector::pause(NodeId n, int delta) {
  if (pause_layers_.empty()) pause_layers_.assign(sim_.node_count(), 0);
  uint32_t& layers = pause_layers_[n];
  if (delta > 0) {
    if (layers++ == 0) sim_.pause_node(n);
    return;
  }
  layers = delta < 0 && layers > 0 ? layers - 1 : 0;
  if (layers == 0) sim_.resume_node(n);
}

void FaultInjector::drift(NodeId n, uint32_t layer, int64_t ppm, bool start) {
  auto& layers = drift_layers_[n];
  if (start) layers.push_back({layer, ppm});
  else std::erase_if(layers, [&](const auto& l) { return l.first == layer; });
  sim_.set_drift(n, layers.empty() ? 0 : layers.back().second);
  if (layers.empty()) drift_layers_.erase(n);
}

std::string FaultInjector::describe(const FaultSpec& f, FaultKind kind, bool inverse) const {
  std::string detail = f.nodes.empty() ? "" : "nodes " + f.nodes.to_string();
  switch (kind) {
    case FaultKind::partition:
      detail.clear();
      for (const auto& [name, g] : f.groups) detail += (detail.empty() ? "" : " | ") + name + "=" + g.to_string();
      if (f.one_way) detail += " (one-way from " + f.groups[0].first + ")";
      if (!f.target.empty()) detail += " (" + f.target + " " + f.nodes.to_string() + ")";
      break;
    case FaultKind::action: detail = f.action + " " + f.nodes.to_string(); break;
    case FaultKind::degrade: detail += " <-> " + f.peers.to_string(); break;
    case FaultKind::drift: detail += " ppm " + std::to_string(inverse ? 0 : f.drift_ppm); break;
    case FaultKind::slow_disk:
      if (!inverse) detail += f.slow_disk.latency ? " latency " + f.slow_disk.latency->describe() : " x" + std::to_string(f.slow_disk.factor);
      break;
    case FaultKind::byzantine:
    case FaultKind::honest:
      if (!f.byzantine.behavior.empty()) detail += " " + f.module + ":" + f.byzantine.behavior;
      break;
    default: break;
  }
  if (f.source == "chaos") detail += " (chaos)";
  return detail;
}

void FaultInjector::apply(uint32_t action) {
  const Action a = actions_[action];
  if (!a.inverse && !faults_[a.fault].target.empty()) {
    resolve_target(a.fault);
    const FaultSpec& f = faults_[a.fault];
    if (f.nodes.empty()) {
      // Nobody holds the role (no leader during an election): the fault misses, and says so.
      sim_.metrics_.log(sim_.now(), to_string(f.kind), "no " + f.target + " to target: skipped");
      return;
    }
  }
  const uint32_t index = a.fault;
  const FaultSpec& f = faults_[index];
  if (a.inverse && !active_[index]) return;  // it missed its target: nothing to end
  FaultKind kind = f.kind;
  if (a.inverse) {
    switch (f.kind) {
      case FaultKind::crash: kind = FaultKind::recover; break;
      case FaultKind::pause: kind = FaultKind::resume; break;
      case FaultKind::partition: kind = FaultKind::heal; break;
      case FaultKind::byzantine: kind = FaultKind::honest; break;
      case FaultKind::join: kind = FaultKind::leave; break;
      case FaultKind::leave: kind = FaultKind::join; break;
      default: break;
    }
  }
  // +1 starts a layer, -1 ends this fault's layer, 0 is an explicit end of every layer.
  const int delta = a.inverse ? -1 : 0;
  Network& net = *sim_.network_;
  switch (kind) {
    case FaultKind::crash: f.nodes.for_each([&](NodeId n) { crash(n, +1); }); break;
    case FaultKind::recover: f.nodes.for_each([&](NodeId n) { crash(n, delta); }); break;
    case FaultKind::pause: f.nodes.for_each([&](NodeId n) { pause(n, +1); }); break;
    case FaultKind::resume: f.nodes.for_each([&](NodeId n) { pause(n, delta); }); break;
    case FaultKind::partition: net.add_partition(index, f.groups, f.one_way); break;
    case FaultKind::heal:
      if (a.inverse) net.remove_partition(index);
      else net.remove_all_partitions();
      break;
    case FaultKind::isolate:
      if (a.inverse) net.end_isolation(f.nodes);
      else net.isolate(f.nodes);
      break;
    case FaultKind::degrade: break;  // the network applies the window itself (link overrides)
    case FaultKind::drift: f.nodes.for_each([&](NodeId n) { drift(n, index, f.drift_ppm, !a.inverse); }); break;
    case FaultKind::byzantine: {
      Module* target = module_named(f.module);
      assert(target);
      ByzantineSpec spec = f.byzantine;
      spec.layer = index;
      f.nodes.for_each([&](NodeId n) { target->set_byzantine(n, spec); });
      break;
    }
    case FaultKind::honest: {
      const uint32_t layer = a.inverse ? index : kAllLayers;
      for (auto& m : sim_.modules_)
        if (f.module.empty() || m->name() == f.module) f.nodes.for_each([&](NodeId n) { m->clear_byzantine(n, layer); });
      break;
    }
    case FaultKind::leave: f.nodes.for_each([&](NodeId n) { sim_.leave_node(n); }); break;
    case FaultKind::join: f.nodes.for_each([&](NodeId n) {
        sim_.join_node(n);
        // A crash or pause still in force holds the node that just joined.
        if (!crash_layers_.empty() && crash_layers_[n] > 0) sim_.crash_node(n);
        else if (!pause_layers_.empty() && pause_layers_[n] > 0) sim_.pause_node(n);
      });
      break;
    case FaultKind::slow_disk: f.nodes.for_each([&](NodeId n) { sim_.slow_disk(n, index, f.slow_disk, !a.inverse); }); break;
    case FaultKind::disk_stall: f.nodes.for_each([&](NodeId n) { sim_.stall_disk(n, index, !a.inverse); }); break;
    case FaultKind::action: {
      Module* target = module_named(f.module);
      assert(target);
      target->apply_action(f.action, f.nodes);
      break;
    }
  }
  active_[index] = !a.inverse && f.until.has_value();
  // The inverse of a fault is logged as "end-<fault>" so each window reads as a pair.
  std::string name = a.inverse ? std::string("end-") + to_string(f.kind) : to_string(f.kind);
  sim_.metrics_.log(sim_.now(), name, describe(f, kind, a.inverse));
  sim_.metrics_.add_scalar("faults_applied", 1);
  for (RunObserver* o : sim_.observers_) o->on_fault(sim_.now().ns, index, f, a.inverse);
}

}  // namespace meshsim
