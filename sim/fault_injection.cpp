// Fault injection: node crashes, pauses and recoveries, the fault schedule's actions, and
// the random faults [chaos] draws from the seed. Part of Simulation, split out by
// responsibility.
#include <algorithm>
#include <cassert>
#include <cmath>

#include "sim/simulation.h"

namespace meshsim {

void Simulation::crash_node(NodeId n) {
  if (state_[n] == NodeState::crashed) return;
  // Events held for a paused node die with it, like packets in a dead host's buffers.
  if (state_[n] == NodeState::paused && !parked_.empty()) {
    for (const Event& e : parked_[n])
      if (e.kind == EventKind::message || e.kind == EventKind::processed) modules_[e.module]->release(e.payload);
    parked_[n].clear();
  }
  state_[n] = NodeState::crashed;
  if (!busy_until_.empty()) {
    // Messages in the CPU queue are lost with the node (see EventKind::processed).
    ++cpu_epoch_[n];
    busy_until_[n] = now_.ns;
  }
  // Bumping every generation cancels all of the node's pending timers at once.
  for (size_t m = 0; m < modules_.size(); ++m) {
    for (TimerId t = 0; t < timer_count_[m]; ++t) ++timer_gen_[m][static_cast<size_t>(n) * timer_count_[m] + t];
    modules_[m]->crash(n);
  }
}

void Simulation::recover_node(NodeId n) {
  if (state_[n] != NodeState::crashed) return;
  state_[n] = NodeState::up;
  for (auto& m : modules_) m->recover(n);
}

void Simulation::resume_node(NodeId n) {
  if (state_[n] != NodeState::paused) return;
  state_[n] = NodeState::up;
  if (parked_.empty()) return;
  // Held events happen now, in their original order (their keys keep origin and seq).
  for (Event e : parked_[n]) {
    e.time = now_.ns;
    queue_.push(e);
  }
  parked_[n].clear();
}

Module* Simulation::module_named(std::string_view name) {
  for (auto& m : modules_)
    if (m->name() == name) return m.get();
  return nullptr;
}

// Fills a role-targeted fault's nodes (or partition side) from who holds the role now.
// Among several candidates the choice is drawn from the fault's own stream, so it does
// not depend on anything but the seed and the state of the run.
void Simulation::resolve_target(uint32_t index) {
  FaultSpec& f = faults_[index];
  Module* m = module_named(f.target_module);
  assert(m);
  Rng rng(derive_stream(seed(), static_cast<uint64_t>(StreamKind::faults), index));
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
    std::vector<NodeId> followers = m->nodes_in_role("follower");
    std::erase_if(followers, [&](NodeId n) { return side.contains(n); });
    pick(followers, f.with_followers, side);
    f.groups.clear();
    if (!side.empty()) f.groups.push_back({f.target, side});
  }
}

void Simulation::apply_fault(const FaultAction& a) {
  if (!a.inverse && !faults_[a.fault].target.empty()) {
    resolve_target(a.fault);
    const FaultSpec& f = faults_[a.fault];
    if (f.nodes.empty()) {
      // Nobody holds the role (no leader during an election): the fault misses, and says so.
      metrics_.log(now_, to_string(f.kind), "no " + f.target + " to target: skipped");
      return;
    }
  }
  const FaultSpec& f = faults_[a.fault];
  if (a.inverse && !f.target.empty() && f.nodes.empty()) return;  // its fault missed
  FaultKind kind = f.kind;
  if (a.inverse) {
    switch (f.kind) {
      case FaultKind::crash: kind = FaultKind::recover; break;
      case FaultKind::pause: kind = FaultKind::resume; break;
      case FaultKind::partition: kind = FaultKind::heal; break;
      case FaultKind::byzantine: kind = FaultKind::honest; break;
      default: break;
    }
  }
  std::string detail = f.nodes.empty() ? "" : "nodes " + f.nodes.to_string();
  switch (kind) {
    case FaultKind::crash: f.nodes.for_each([&](NodeId n) { crash_node(n); }); break;
    case FaultKind::recover: f.nodes.for_each([&](NodeId n) { recover_node(n); }); break;
    case FaultKind::pause:
      if (parked_.empty()) parked_.resize(node_count());
      f.nodes.for_each([&](NodeId n) {
        if (state_[n] == NodeState::up) state_[n] = NodeState::paused;
      });
      break;
    case FaultKind::resume: f.nodes.for_each([&](NodeId n) { resume_node(n); }); break;
    case FaultKind::partition:
      if (!f.target.empty()) detail.clear();
      network_->partition(f.groups, f.one_way);
      detail.clear();
      for (const auto& [name, g] : f.groups) detail += (detail.empty() ? "" : " | ") + name + "=" + g.to_string();
      if (f.one_way) detail += " (one-way from " + f.groups[0].first + ")";
      break;
    case FaultKind::heal: network_->heal(); break;
    case FaultKind::action: {
      Module* target = module_named(f.target_module);
      assert(target);
      target->apply_action(f.action, f.nodes);
      detail = f.action + " " + f.nodes.to_string();
      break;
    }
    case FaultKind::isolate: network_->isolate(f.nodes, !a.inverse); break;
    case FaultKind::degrade:
      // The network applies the degraded link over [at, until) itself; this is the log line.
      detail += " <-> " + f.peers.to_string();
      break;
    case FaultKind::drift:
      if (drift_ppm_.empty()) drift_ppm_.assign(node_count(), 0);
      f.nodes.for_each([&](NodeId n) { drift_ppm_[n] = a.inverse ? 0 : f.drift_ppm; });
      detail += " ppm " + std::to_string(a.inverse ? 0 : f.drift_ppm);
      break;
    case FaultKind::byzantine:
    case FaultKind::honest: {
      auto colon = f.byzantine.behavior.find(':');
      std::string module = f.byzantine.behavior.substr(0, colon);
      ByzantineSpec spec = f.byzantine;
      spec.behavior = f.byzantine.behavior.substr(colon + 1);
      Module* target = module_named(module);
      assert(target);
      f.nodes.for_each([&](NodeId n) {
        if (kind == FaultKind::byzantine) target->set_byzantine(n, spec);
        else target->clear_byzantine(n);
      });
      detail += " " + f.byzantine.behavior;
      break;
    }
  }
  // The inverse of a fault is logged as "end-<fault>" so each window reads as a pair.
  std::string name = a.inverse ? std::string("end-") + to_string(f.kind) : to_string(f.kind);
  if (!f.target.empty() && kind == FaultKind::partition) detail += " (" + f.target + " " + f.nodes.to_string() + ")";
  if (f.source == "chaos") detail += " (chaos)";
  metrics_.log(now_, name, detail);
  metrics_.add_scalar("faults_applied", 1);
}

void Simulation::generate_chaos() {
  const ChaosSpec& c = scenario_.chaos;
  SimTime stop = c.stop.ns == 0 ? scenario_.end : std::min(c.stop, scenario_.end);
  Rng rng(derive_stream(seed(), static_cast<uint64_t>(StreamKind::chaos)));
  auto exp_ns = [&](double mean_ns) {
    // Clamped: the tail of an exponential reaches ~37 means, past int64 for a mean near
    // kMaxDuration. A gap or downtime that long outlasts the run either way.
    return static_cast<int64_t>(std::min(-std::log(1.0 - rng.unit()) * mean_ns, static_cast<double>(kMaxDuration.ns))) + 1;
  };
  auto add = [&](FaultKind kind, int64_t at, int64_t length, NodeSet nodes) {
    FaultSpec f;
    f.kind = kind;
    f.at = SimTime{at};
    f.until = SimTime{std::min(at + length, scenario_.end.ns)};
    f.nodes = std::move(nodes);
    f.source = "chaos";
    if (f.until->ns > at) faults_.push_back(std::move(f));
  };
  // Node crashes and pauses: one Poisson process per kind over the whole mesh (rate per
  // node times node count), each event hitting a uniformly chosen node.
  struct Process { FaultKind kind; double rate; Duration mean; };
  const Process processes[] = {{FaultKind::crash, c.crash_rate_per_s, c.mean_downtime},
                               {FaultKind::pause, c.pause_rate_per_s, c.mean_pause}};
  std::vector<int64_t> down_until(node_count(), 0);
  for (const Process& p : processes) {
    if (p.rate <= 0) continue;
    double mean_gap_ns = 1e9 / (p.rate * node_count());
    for (int64_t t = c.start.ns + exp_ns(mean_gap_ns); t < stop.ns; t += exp_ns(mean_gap_ns)) {
      NodeId victim = static_cast<NodeId>(rng.below(node_count()));
      int64_t length = exp_ns(static_cast<double>(p.mean.ns));
      if (down_until[victim] > t) continue;
      if (c.max_down > 0) {
        uint32_t down = static_cast<uint32_t>(std::count_if(down_until.begin(), down_until.end(),
                                                            [&](int64_t u) { return u > t; }));
        if (down >= c.max_down) continue;
      }
      down_until[victim] = t + length;
      NodeSet s;
      s.add_range(victim, victim);
      add(p.kind, t, length, s);
    }
  }
  if (c.partition_rate_per_s > 0) {
    // Swarm-style partition modes drawn from the seed: isolate one node, or split uniformly.
    int64_t t = c.start.ns + exp_ns(1e9 / c.partition_rate_per_s);
    while (t < stop.ns) {
      int64_t length = exp_ns(static_cast<double>(c.mean_partition.ns));
      FaultSpec f;
      f.kind = FaultKind::partition;
      f.at = SimTime{t};
      f.until = SimTime{std::min(t + length, scenario_.end.ns)};
      f.source = "chaos";
      NodeSet side;
      if (rng.chance(0.5)) {
        NodeId lone = static_cast<NodeId>(rng.below(node_count()));
        side.add_range(lone, lone);
      } else {
        NodeId cut = static_cast<NodeId>(1 + rng.below(std::max<uint32_t>(1, node_count() - 1)));
        side.add_range(0, cut - 1);
      }
      f.groups.push_back({"chaos", side});
      f.one_way = rng.chance(0.25);
      faults_.push_back(std::move(f));
      t += length + exp_ns(1e9 / c.partition_rate_per_s);  // partitions do not overlap
    }
  }
}

}  // namespace meshsim
