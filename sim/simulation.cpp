#include "sim/simulation.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

#include "sim/expectations.h"
#include "sim/topology_builders.h"

namespace meshsim {

namespace {
// Engine sources order after every node at equal times and never collide with node ids.
constexpr uint32_t kFaultOrigin = kMaxOrigin - 1;
constexpr uint32_t kSampleOrigin = kMaxOrigin;
}  // namespace

Simulation::Simulation(const Scenario& scenario, const ModuleRegistry& registry)
    : scenario_(scenario),
      topology_(build_topology(scenario.topology, scenario.seed, scenario.path, scenario.directory())) {
  const uint32_t n = topology_.node_count();
  metrics_.enable_node_series(scenario.node_series);
  state_.assign(n, NodeState::up);
  node_seq_.assign(n, 0);
  node_msg_seq_.assign(n, 0);
  faults_ = scenario.faults;
  generate_chaos();
  network_ = std::make_unique<Network>(scenario_, topology_, scenario.seed);
  for (const ModuleSpec& spec : scenario.modules) {
    ConfigSection section = module_section(scenario, spec);
    section.get_string("name", "");
    modules_.push_back((*registry.find(spec.name))(section));
  }
  timer_gen_.resize(modules_.size());
  timer_count_.assign(modules_.size(), 0);
  processing_.assign(modules_.size(), 0);
  for (size_t m = 0; m < modules_.size(); ++m) modules_[m]->attach(*this, static_cast<ModuleId>(m));
}

Simulation::~Simulation() = default;

void Simulation::declare_timers(ModuleId m, TimerId count) {
  timer_count_[m] = count;
  timer_gen_[m].assign(static_cast<size_t>(node_count()) * count, 0);
}

void Simulation::send(ModuleId m, NodeId from, NodeId to, uint32_t slot, uint8_t msg_type,
                      uint32_t bytes, Duration extra_delay) {
  // A protocol addressing a node that does not exist is a programmer error.
  assert(to < node_count() && "message to a node id beyond the node count");
  uint64_t seq = node_seq_[from]++;
  uint64_t key = derive_stream(seed(), static_cast<uint64_t>(StreamKind::network), from, node_msg_seq_[from]++);
  MessageFate fate = network_->route(from, to, bytes, now_, key);
  if (fate.dropped != DropReason::none) {
    modules_[m]->release(slot);
    return;
  }
  queue_.push(Event{event_time(fate.delay[0], extra_delay), seq, from, to, slot, msg_type,
                    EventKind::message, m});
  if (fate.copies == 2) {
    uint32_t copy = modules_[m]->clone(slot);
    uint64_t copy_seq = node_seq_[from]++;
    queue_.push(Event{event_time(fate.delay[1], extra_delay), copy_seq, from, to, copy, msg_type,
                      EventKind::message, m});
  }
}

void Simulation::set_timer(ModuleId m, NodeId node, TimerId id, Duration after) {
  assert(id < timer_count_[m] && "timer id beyond the count the module declared");
  uint32_t gen = ++timer_gen_[m][static_cast<size_t>(node) * timer_count_[m] + id];
  if (!drift_ppm_.empty() && drift_ppm_[node] != 0) {
    // A drifting clock stretches (or shrinks) every interval the node measures.
    __int128 scaled = static_cast<__int128>(after.ns) * (1'000'000 + drift_ppm_[node]) / 1'000'000;
    after = Duration{static_cast<int64_t>(std::min<__int128>(scaled, kMaxDuration.ns))};
  }
  queue_.push(Event{event_time(after), node_seq_[node]++, node, node, gen, id, EventKind::timer, m});
}

void Simulation::enable_processing(ModuleId m) {
  processing_[m] = 1;
  busy_until_.assign(node_count(), 0);
  busy_ns_.assign(node_count(), 0);
  cpu_epoch_.assign(node_count(), 0);
}

Duration Simulation::occupy_cpu(NodeId n, Duration work) {
  if (busy_until_.empty()) return {};
  // Even free work waits for its turn: a message that costs nothing to receive must not
  // overtake the ones queued before it.
  // Capped past the run's end like event times: a backlog of huge costs must not overflow.
  const int64_t start = std::max(now_.ns, busy_until_[n]);
  busy_until_[n] = std::min(saturating_add(start, std::max<int64_t>(work.ns, 0)), scenario_.end.ns + 1);
  busy_ns_[n] = saturating_add(busy_ns_[n], busy_until_[n] - start);  // only what fits in the run
  return Duration{start - now_.ns};
}

// A message reached an up node whose module models processing: queue it on the CPU.
void Simulation::begin_processing(const Event& e) {
  const Duration cost = modules_[e.module]->receive_cost(e.payload);
  const Duration wait = occupy_cpu(e.target, cost);
  // Mean and maximum, not a histogram: a BFT run can queue tens of millions of messages.
  queue_wait_total_ns_ += wait.ns;
  queue_wait_max_ns_ = std::max(queue_wait_max_ns_, wait.ns);
  ++queued_messages_;
  Event done = e;
  done.time = event_time(wait, cost);
  done.kind = EventKind::processed;
  done.aux = static_cast<uint16_t>((e.aux & 0xff) | cpu_epoch_[e.target] << 8);
  queue_.push(done);
}

// Events after the end never run, so any time past it is as good as end + 1; capping there
// keeps the event queue's arithmetic (bucket spans and widths) far from the int64 range,
// whatever latency a link draws or timeout a protocol computes.
int64_t Simulation::event_time(Duration a, Duration b) const {
  return std::min(saturating_add(saturating_add(now_.ns, a.ns), b.ns), scenario_.end.ns + 1);
}

void Simulation::report_processing() {
  if (busy_until_.empty()) return;
  double peak = 0;
  for (NodeId n = 0; n < node_count(); ++n) {
    // Work booked past the end of the run is not part of it: the CPU is busy without a
    // break from some moment up to busy_until_, so the excess is busy_until_ - now.
    const int64_t past_end = std::max<int64_t>(busy_until_[n] - now_.ns, 0);
    const int64_t busy = std::max<int64_t>(busy_ns_[n] - past_end, 0);
    const double used = now_.ns > 0 ? static_cast<double>(busy) / static_cast<double>(now_.ns) : 0;
    metrics_.node_summary(n, "cpu_busy_ns", static_cast<double>(busy));
    metrics_.node_summary(n, "cpu_utilisation", used);
    peak = std::max(peak, used);
  }
  metrics_.set_scalar("cpu_utilisation_max", peak);
  if (queued_messages_) {
    metrics_.set_scalar("cpu_queue_wait_mean_ns", static_cast<double>(queue_wait_total_ns_) / static_cast<double>(queued_messages_));
    metrics_.set_scalar("cpu_queue_wait_max_ns", static_cast<double>(queue_wait_max_ns_));
  }
}

void Simulation::cancel_timer(ModuleId m, NodeId node, TimerId id) {
  ++timer_gen_[m][static_cast<size_t>(node) * timer_count_[m] + id];
}

// A message's handler runs now.
void Simulation::hand_over(const Event& e, uint16_t msg_type) {
  fingerprint_.add(e.time, e.target, static_cast<uint8_t>(e.kind), msg_type, e.module);
  ++network_->counters().delivered;
  ++handled_;
  modules_[e.module]->deliver(e.target, e.origin(), e.payload);
}

void Simulation::dispatch(const Event& e) {
  switch (e.kind) {
    case EventKind::start:
      fingerprint_.add(e.time, e.target, static_cast<uint8_t>(e.kind), 0, e.module);
      modules_[e.module]->start(e.target);
      return;
    case EventKind::message:
    case EventKind::processed: {
      const bool processed = e.kind == EventKind::processed;
      // A processed message also dies if its node crashed (and perhaps recovered) while it
      // sat in the CPU queue.
      if (state_[e.target] == NodeState::crashed || (processed && (e.aux >> 8) != cpu_epoch_[e.target])) {
        network_->count_crashed_drop();
        modules_[e.module]->release(e.payload);
        return;
      }
      if (state_[e.target] == NodeState::paused) {
        parked_[e.target].push_back(e);
        return;
      }
      if (!processed && !busy_until_.empty() && processing_[e.module]) return begin_processing(e);
      return hand_over(e, e.aux & 0xff);
    }
    case EventKind::timer: {
      if (timer_gen_[e.module][static_cast<size_t>(e.target) * timer_count_[e.module] + e.aux] != e.payload)
        return;  // cancelled or superseded: lazy cancellation
      if (state_[e.target] == NodeState::paused) {
        parked_[e.target].push_back(e);
        return;
      }
      if (state_[e.target] != NodeState::up) return;
      fingerprint_.add(e.time, e.target, static_cast<uint8_t>(e.kind), e.aux, e.module);
      ++handled_;
      modules_[e.module]->timer(e.target, e.aux);
      return;
    }
    case EventKind::fault:
      fingerprint_.add(e.time, e.payload, static_cast<uint8_t>(e.kind), 0, 0);
      apply_fault(actions_[e.payload]);
      return;
    case EventKind::sample:
      sample_all();
      if (!violation_)
        for (auto& m : modules_)
          if (auto v = m->check(now_)) {
            violation_ = v;
            break;
          }
      if (now_ + scenario_.sample_interval <= scenario_.end)
        queue_.push(Event{(now_ + scenario_.sample_interval).ns, e.seq() + 1, kSampleOrigin, 0, 0, 0,
                          EventKind::sample, 0});
      return;
  }
}

void Simulation::sample_all() {
  uint64_t up = static_cast<uint64_t>(std::count(state_.begin(), state_.end(), NodeState::up));
  metrics_.sample("nodes_up", now_, static_cast<double>(up));
  metrics_.sample("pending_events", now_, static_cast<double>(queue_.size()));
  metrics_.sample("messages_delivered", now_, static_cast<double>(network_->counters().delivered));
  for (auto& m : modules_) m->sample(now_, metrics_);
  for (RunObserver* o : observers_) o->on_sample(now_.ns, metrics_);
}

std::vector<uint32_t> Simulation::connected_components(bool over_overlay) const {
  const uint32_t n = node_count();
  std::vector<uint32_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  auto unite = [&](uint32_t a, uint32_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  };
  auto linked = [&](NodeId a, NodeId b) {
    return state_[a] != NodeState::crashed && state_[b] != NodeState::crashed && network_->can_reach(a, b) &&
           network_->can_reach(b, a);
  };
  if (over_overlay) {
    for (NodeId a = 0; a < n; ++a)
      for (NodeId b : topology_.neighbors(a))
        if (a < b && linked(a, b)) unite(a, b);
  } else {
    // Any-to-any: nodes are linked exactly when the partition puts them together, so join
    // each node to the first up node seen of its reachability class.
    std::vector<NodeId> representatives;
    for (NodeId a = 0; a < n; ++a) {
      if (state_[a] == NodeState::crashed) continue;
      bool joined = false;
      for (NodeId r : representatives)
        if (linked(a, r)) {
          unite(a, r);
          joined = true;
          break;
        }
      if (!joined) representatives.push_back(a);
    }
  }
  std::vector<uint32_t> component(n);
  for (NodeId a = 0; a < n; ++a) component[a] = state_[a] == NodeState::crashed ? kNoNode : find(a);
  return component;
}

RunResult Simulation::run(const RunInfo& info, const std::function<void(const Simulation&)>& progress) {
  for (RunObserver* o : observers_) o->on_run_start(info);
  const uint32_t n = node_count();
  queue_.reserve(static_cast<size_t>(n) * modules_.size() + faults_.size() * 2 + 16);
  for (size_t m = 0; m < modules_.size(); ++m)
    for (NodeId node = 0; node < n; ++node)
      queue_.push(Event{0, node_seq_[node]++, node, node, 0, 0, EventKind::start, static_cast<ModuleId>(m)});
  for (uint32_t i = 0; i < faults_.size(); ++i) {
    actions_.push_back({i, false});
    queue_.push(Event{faults_[i].at.ns, actions_.size() - 1, kFaultOrigin, 0,
                      static_cast<uint32_t>(actions_.size() - 1), 0, EventKind::fault, 0});
    if (faults_[i].until) {
      actions_.push_back({i, true});
      queue_.push(Event{faults_[i].until->ns, actions_.size() - 1, kFaultOrigin, 0,
                        static_cast<uint32_t>(actions_.size() - 1), 0, EventKind::fault, 0});
    }
  }
  queue_.push(Event{0, 0, kSampleOrigin, 0, 0, 0, EventKind::sample, 0});

  const uint64_t limit = scenario_.max_events;
  // Every 65,536 events: often enough for a slow protocol (a few thousand events/s) to show
  // progress, rare enough to cost nothing measurable.
  uint64_t next_progress = 1 << 16;
  bool hit_limit = false;
  while (!queue_.empty()) {
    if (queue_.top().time > scenario_.end.ns) break;
    if (limit && handled_ >= limit) {
      hit_limit = true;
      break;
    }
    peak_pending_ = std::max(peak_pending_, queue_.size());
    Event e = queue_.pop();
    now_ = SimTime{e.time};
    ++events_;
    dispatch(e);
    if (violation_) break;
    if (events_ >= next_progress) {
      next_progress += 1 << 16;
      if (progress) progress(*this);
    }
  }
  // A run that stopped on its event limit ends at the last event; otherwise at the end time
  // (an idle mesh still "ran" until then).
  if (!hit_limit && !violation_ && now_ < scenario_.end) now_ = scenario_.end;

  RunResult result;
  finishing_ = true;
  if (progress) progress(*this);  // the caller may time the end-of-run checks apart
  // Every module finishes, even after a violation: a failed run keeps all its metrics
  // (throughput, linearizable, ...), so averages over a sweep do not silently drop the
  // failures. The first violation is the one reported.
  for (auto& m : modules_)
    if (auto v = m->finish(now_, metrics_); v && !violation_) violation_ = v;
  const NetworkCounters& c = network_->counters();
  if (!metrics_.node_series().empty()) {
    // Say how many nodes the per-node series cover: all of them, or a sample (metrics.h).
    std::vector<bool> seen(n, false);
    for (const NodeSeriesPoint& p : metrics_.node_series()) seen[p.node] = true;
    metrics_.set_scalar("node_series_nodes", static_cast<double>(std::count(seen.begin(), seen.end(), true)));
  }
  metrics_.set_scalar("events", static_cast<double>(events_));
  metrics_.set_scalar("handled_events", static_cast<double>(handled_));
  metrics_.set_scalar("messages_sent", static_cast<double>(c.sent));
  metrics_.set_scalar("messages_delivered", static_cast<double>(c.delivered));
  metrics_.set_scalar("messages_duplicated", static_cast<double>(c.duplicated));
  metrics_.set_scalar("messages_lost_loss", static_cast<double>(c.lost_loss));
  metrics_.set_scalar("messages_lost_partition", static_cast<double>(c.lost_partition));
  metrics_.set_scalar("messages_lost_queue", static_cast<double>(c.lost_queue));
  metrics_.set_scalar("messages_lost_crashed", static_cast<double>(c.lost_crashed));
  metrics_.set_scalar("bytes_sent", static_cast<double>(c.bytes_sent));
  metrics_.set_scalar("nodes", n);
  metrics_.set_scalar("pending_events_peak", static_cast<double>(peak_pending_));
  metrics_.set_scalar("nodes_up_final", static_cast<double>(std::count(state_.begin(), state_.end(), NodeState::up)));
  report_processing();
  metrics_.summarize_histograms();

  result.events = events_;
  result.sim_time_ns = now_.ns;
  result.fingerprint = fingerprint_.value();
  if (violation_) metrics_.log(violation_->at, "violation", violation_->checker + ": " + violation_->detail);
  Verdict verdict = judge_run(scenario_, metrics_, violation_);
  result.status = verdict.status;
  result.failure = std::move(verdict.failure);
  result.note = std::move(verdict.note);
  return result;
}

}  // namespace meshsim
