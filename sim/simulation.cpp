#include "sim/simulation.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

#include "sim/chaos.h"
#include "sim/expectations.h"
#include "sim/fault_injection.h"

namespace meshsim {

const char* to_string(NodeState s) {
  switch (s) {
    case NodeState::up: return "up";
    case NodeState::crashed: return "crashed";
    case NodeState::paused: return "paused";
    case NodeState::absent: return "absent";
  }
  return "?";
}

namespace {
// Degrade faults are link overrides active over their windows: precomputing them keeps
// the per-message path free of fault bookkeeping. Later rules win, and windows are sorted
// by start (stably), so of two overlapping degrades the one that started last is in force.
std::vector<LinkOverride> link_rules(const RunSpec& spec) {
  std::vector<LinkOverride> rules = spec.overrides;
  std::vector<const FaultSpec*> degrades;
  for (const auto& f : spec.faults)
    if (f.kind == FaultKind::degrade) degrades.push_back(&f);
  std::stable_sort(degrades.begin(), degrades.end(), [](const FaultSpec* a, const FaultSpec* b) { return a->at < b->at; });
  for (const FaultSpec* f : degrades) rules.push_back(LinkOverride{f->nodes, f->peers, true, f->degrade, f->at, f->until});
  return rules;
}
}  // namespace

Simulation::Simulation(RunSpec spec) : spec_(std::move(spec)), modules_(spec_.modules) {
  const uint32_t n = node_count();
  metrics_.enable_node_series(spec_.node_series);
  metrics_.set_log_listener([this](const LogEntry& e) {
    for (RunObserver* o : observers_) o->on_log(e);
  });
  state_.assign(n, NodeState::up);
  spec_.absent.for_each([&](NodeId a) { state_[a] = NodeState::absent; });
  node_counters_.assign(n, NodeCounters{});
  std::vector<FaultSpec> faults = spec_.faults;
  std::vector<FaultSpec> chaos = draw_chaos(spec_.chaos, spec_.seed, n, spec_.end, spec_.absent, spec_.faults);
  faults.insert(faults.end(), std::make_move_iterator(chaos.begin()), std::make_move_iterator(chaos.end()));
  faults_ = std::make_unique<FaultInjector>(*this, std::move(faults));
  network_ = std::make_unique<Network>(topology(), spec_.seed, spec_.link, link_rules(spec_));
  timer_gen_.resize(modules_.size());
  timer_reused_.resize(modules_.size());
  timer_count_.assign(modules_.size(), 0);
  processing_.assign(modules_.size(), 0);
  if (spec_.storage.enabled) disk_.enable(spec_.seed, n, spec_.storage);
  for (size_t m = 0; m < modules_.size(); ++m) modules_[m]->attach(*this, static_cast<ModuleId>(m));
}

Simulation::~Simulation() = default;

void Simulation::add_observer(RunObserver* o) {
  observers_.push_back(o);
  listening_ |= o->wants_messages();
  observing_ = listening_ || tracking_;
}

void Simulation::track_messages(bool on) {
  tracking_ = on;
  observing_ = listening_ || tracking_;
}

const std::vector<FaultSpec>& Simulation::faults() const { return faults_->faults(); }
std::vector<uint32_t> Simulation::active_faults() const { return faults_->active(); }

std::vector<MessageRecord> Simulation::pending_messages() const {
  std::vector<MessageRecord> out;
  out.reserve(in_flight_.size());
  for (const auto& [id, r] : in_flight_) out.push_back(r);
  std::sort(out.begin(), out.end(), [](const MessageRecord& a, const MessageRecord& b) {
    return a.deliver_ns != b.deliver_ns ? a.deliver_ns < b.deliver_ns : a.id < b.id;
  });
  return out;
}

void Simulation::declare_timers(ModuleId m, TimerId count) {
  timer_count_[m] = count;
  timer_gen_[m].assign(static_cast<size_t>(node_count()) * count, 0);
  timer_reused_[m].assign((node_count() + 63) / 64, 0);
}

void Simulation::notify_send(const Event& e, uint32_t bytes) {
  MessageRecord r{e.key, now_.ns, e.time, e.origin(), e.target, e.module, static_cast<uint8_t>(e.aux), bytes, e.payload};
  in_flight_[e.key] = r;
  for (RunObserver* o : observers_) o->on_send(r);
}

// The record of a message event that has arrived (and, when `forget`, is no longer in flight).
MessageRecord Simulation::record_of(const Event& e, bool forget) {
  MessageRecord r{e.key, -1, e.time, e.origin(), e.target, e.module, static_cast<uint8_t>(e.aux & 0xff), 0, e.payload};
  if (auto it = in_flight_.find(e.key); it != in_flight_.end()) {
    r.sent_ns = it->second.sent_ns;
    r.bytes = it->second.bytes;
    if (forget) in_flight_.erase(it);
  }
  return r;
}

void Simulation::send(ModuleId m, NodeId from, NodeId to, uint32_t slot, uint8_t msg_type,
                      uint32_t bytes, Duration extra_delay) {
  // A protocol addressing a node that does not exist is a programmer error.
  assert(to < node_count() && "message to a node id beyond the node count");
  uint64_t seq = node_counters_[from].events++;
  uint64_t key = derive_stream(seed(), static_cast<uint64_t>(StreamKind::network), from, node_counters_[from].messages++);
  MessageFate fate = network_->route(from, to, bytes, now_, key);
  if (fate.dropped != DropReason::none) {
    if (observing_) [[unlikely]] observe_dropped_send(m, from, to, seq, msg_type, bytes, slot, fate.dropped);
    modules_[m]->release(slot);
    return;
  }
  Event e{event_time(fate.delay[0], extra_delay), seq, from, to, slot, msg_type, EventKind::message, m};
  if (!owns(to)) [[unlikely]] return send_remote(m, e, fate, extra_delay);
  queue_.push(e);
  if (observing_) [[unlikely]] notify_send(e, bytes);
  if (fate.copies == 2) {
    uint32_t copy = modules_[m]->clone(slot);
    uint64_t copy_seq = node_counters_[from].events++;
    Event c{event_time(fate.delay[1], extra_delay), copy_seq, from, to, copy, msg_type, EventKind::message, m};
    queue_.push(c);
    if (observing_) [[unlikely]] notify_send(c, bytes);
  }
}

void Simulation::observe_dropped_send(ModuleId m, NodeId from, NodeId to, uint64_t seq, uint8_t type, uint32_t bytes,
                                      uint32_t slot, DropReason why) {
  MessageRecord r{static_cast<uint64_t>(from) << 40 | seq, now_.ns, -1, from, to, m, type, bytes, slot};
  for (RunObserver* o : observers_) {
    o->on_send(r);
    o->on_drop(r, why);
  }
}

void Simulation::observe_delivery(const Event& e) {
  MessageRecord r = record_of(e, true);
  for (RunObserver* o : observers_) o->on_deliver(r);
}

void Simulation::observe_arrival_drop(const Event& e, DropReason why) {
  MessageRecord r = record_of(e, true);
  for (RunObserver* o : observers_) o->on_drop(r, why);
}

void Simulation::set_timer(ModuleId m, NodeId node, TimerId id, Duration after) {
  assert(id < timer_count_[m] && "timer id beyond the count the module declared");
  uint32_t gen = ++timer_gen_[m][static_cast<size_t>(node) * timer_count_[m] + id];
  if (gen != 1) mark_timers_reused(m, node);  // an earlier setting may still be queued
  if (!drift_ppm_.empty() && drift_ppm_[node] != 0) {
    // A drifting clock stretches (or shrinks) every interval the node measures.
    __int128 scaled = static_cast<__int128>(after.ns) * (1'000'000 + drift_ppm_[node]) / 1'000'000;
    after = Duration{static_cast<int64_t>(std::min<__int128>(scaled, kMaxDuration.ns))};
  }
  queue_.push(Event{event_time(after), node_counters_[node].events++, node, node, gen, id, EventKind::timer, m});
}

void Simulation::cancel_timer(ModuleId m, NodeId node, TimerId id) {
  ++timer_gen_[m][static_cast<size_t>(node) * timer_count_[m] + id];
  mark_timers_reused(m, node);
}

void Simulation::write_to_disk(ModuleId m, NodeId n, uint32_t bytes, uint64_t token) {
  assert(disk_.enabled() && "a durable write without [storage]: check models_storage() first");
  if (disk_.submit(n, m, bytes, token, now_)) start_disk_write(n);
}

// The head of node n's disk queue starts (or resumes after a stall): its completion is an
// event of the node's own, cancelled lazily by the disk's generation.
void Simulation::start_disk_write(NodeId n) {
  if (auto done = disk_.start_head(n, now_))
    queue_.push(Event{std::min(*done, spec_.end.ns + 1), node_counters_[n].events++, n, n, disk_.generation(n), 0, EventKind::disk,
                      disk_.head_module(n)});
}

void Simulation::complete_disk_write(const Event& e) {
  if (e.payload != disk_.generation(e.target)) return;  // lost in a crash, or frozen by a stall
  if (state_[e.target] == NodeState::paused) {
    // The process learns of the completion when it is thawed.
    parked_[e.target].push_back(e);
    return;
  }
  if (state_[e.target] != NodeState::up) return;
  fingerprint_.add(e.time, e.key, e.target, static_cast<uint8_t>(e.kind), 0, e.module);
  const DiskModel::Write w = disk_.complete_head(e.target, now_);
  start_disk_write(e.target);
  modules_[w.module]->persisted(e.target, w.token);
}

void Simulation::stall_disk(NodeId n, uint32_t layer, bool begin) {
  if (!disk_.enabled()) return;
  const bool was = disk_.stalled(n);
  disk_.stall(n, layer, begin, now_);
  if (was && !disk_.stalled(n)) start_disk_write(n);
}

void Simulation::slow_disk(NodeId n, uint32_t layer, const SlowDisk& s, bool begin) {
  if (disk_.enabled()) disk_.slow(n, layer, s, begin);
}

void Simulation::enable_processing(ModuleId m) {
  processing_[m] = 1;
  if (!cpu_.enabled()) {
    cpu_.enable(node_count());
    if (spec_.attributes.any()) {
      std::vector<double> speeds(node_count());
      for (NodeId n = 0; n < node_count(); ++n) speeds[n] = spec_.attributes.speed(n);
      cpu_.set_speeds(std::move(speeds));
    }
  }
}

// A message reached an up node whose module models processing: queue it on the CPU.
void Simulation::begin_processing(const Event& e) {
  const Duration cost = modules_[e.module]->receive_cost(e.payload);
  const Duration wait = occupy_cpu(e.target, cost);
  cpu_.record_wait(wait);
  Event done = e;
  done.time = event_time(wait, cost);
  done.kind = EventKind::processed;
  done.aux = static_cast<uint16_t>((e.aux & 0xff) | cpu_.epoch(e.target) << 8);
  queue_.push(done);
}

// Events after the end never run, so any time past it is as good as end + 1; capping there
// keeps the event queue's arithmetic (bucket spans and widths) far from the int64 range,
// whatever latency a link draws or timeout a protocol computes.
int64_t Simulation::event_time(Duration a, Duration b) const {
  return std::min(saturating_add(saturating_add(now_.ns, a.ns), b.ns), spec_.end.ns + 1);
}

// A message's handler runs now.
void Simulation::hand_over(const Event& e, uint16_t msg_type) {
  fingerprint_.add(e.time, e.key, e.target, static_cast<uint8_t>(e.kind), msg_type, e.module);
  ++network_->counters().delivered;
  ++handled_;
  if (observing_) [[unlikely]] observe_delivery(e);
  modules_[e.module]->deliver(e.target, e.origin(), e.payload);
}

void Simulation::drop_arrived(const Event& e, DropReason reason) {
  if (reason == DropReason::absent) ++network_->counters().lost_absent;
  else network_->count_crashed_drop();
  if (observing_) [[unlikely]] observe_arrival_drop(e, reason);
  modules_[e.module]->release(e.payload);
}

void Simulation::deliver_message(const Event& e) {
  const bool processed = e.kind == EventKind::processed;
  const NodeState s = state_[e.target];
  // A processed message also dies if its node crashed (and perhaps recovered) while it sat
  // in the CPU queue.
  if (s == NodeState::crashed || (processed && (e.aux >> 8) != cpu_.epoch(e.target))) return drop_arrived(e, DropReason::crashed);
  if (s == NodeState::absent) return drop_arrived(e, DropReason::absent);
  if (s == NodeState::paused) {
    parked_[e.target].push_back(e);
    return;
  }
  if (!processed && cpu_.enabled() && processing_[e.module]) return begin_processing(e);
  hand_over(e, e.aux & 0xff);
}

void Simulation::dispatch(const Event& e) {
  switch (e.kind) {
    case EventKind::start:
      if (state_[e.target] == NodeState::absent) return;  // it starts when it joins
      fingerprint_.add(e.time, e.key, e.target, static_cast<uint8_t>(e.kind), 0, e.module);
      modules_[e.module]->start(e.target);
      return;
    case EventKind::message:
    case EventKind::processed: return deliver_message(e);
    case EventKind::timer: {
      if (timers_reused(e.module, e.target) &&
          timer_gen_[e.module][static_cast<size_t>(e.target) * timer_count_[e.module] + e.aux] != e.payload)
        return;  // cancelled or superseded: lazy cancellation
      if (state_[e.target] == NodeState::paused) {
        parked_[e.target].push_back(e);
        return;
      }
      if (state_[e.target] != NodeState::up) return;
      fingerprint_.add(e.time, e.key, e.target, static_cast<uint8_t>(e.kind), e.aux, e.module);
      ++handled_;
      modules_[e.module]->timer(e.target, e.aux);
      return;
    }
    case EventKind::fault:
      // Every partition applies (and records) every fault: node state stays global.
      fingerprint_.add(e.time, e.key, e.payload, static_cast<uint8_t>(e.kind), 0, 0);
      ++replicated_events_;
      --fault_events_pending_;
      faults_->apply(e.payload);
      return;
    case EventKind::disk: return complete_disk_write(e);
    case EventKind::sample:
      ++replicated_events_;
      sample_all();
      if (!violation_)
        for (auto& m : modules_)
          if (!module_metrics_here(*m)) continue;
          else if (auto v = m->check(now_)) {
            violation_ = v;
            halted_ = true;
            break;
          }
      if (now_ + spec_.sample_interval <= spec_.end)
        queue_.push(Event{(now_ + spec_.sample_interval).ns, e.seq() + 1, kSampleOrigin, 0, 0, 0,
                          EventKind::sample, 0});
      return;
  }
}

void Simulation::sample_all() {
  uint64_t up = static_cast<uint64_t>(std::count(state_.begin(), state_.end(), NodeState::up));
  metrics_.sample("nodes_up", now_, static_cast<double>(up));
  // A partition counts its queue and the messages it has posted to others this window; the
  // fault events every partition holds count on partition 0 only (sim/partitioned_run.h).
  const uint64_t pending = !remote_ ? queue_.size()
                                    : queue_.size() + remote_->pending - (partition_index_ ? fault_events_pending_ : 0);
  metrics_.sample("pending_events", now_, static_cast<double>(pending));
  metrics_.sample("messages_delivered", now_, static_cast<double>(network_->counters().delivered));
  if (disk_.enabled()) metrics_.sample("disk_queue_depth", now_, static_cast<double>(disk_.total_queued()));
  for (auto& m : modules_)
    if (module_metrics_here(*m)) m->sample(now_, metrics_);
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
  auto gone = [&](NodeId a) { return state_[a] == NodeState::crashed || state_[a] == NodeState::absent; };
  auto linked = [&](NodeId a, NodeId b) {
    return !gone(a) && !gone(b) && network_->can_reach(a, b) && network_->can_reach(b, a);
  };
  if (over_overlay) {
    for (NodeId a = 0; a < n; ++a)
      for (NodeId b : topology().neighbors(a))
        if (a < b && linked(a, b)) unite(a, b);
  } else {
    // Any-to-any: nodes are linked exactly when no cut separates them, so join each node
    // to the first up node seen of its reachability class.
    std::vector<NodeId> representatives;
    for (NodeId a = 0; a < n; ++a) {
      if (gone(a)) continue;
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
  for (NodeId a = 0; a < n; ++a) component[a] = gone(a) ? kNoNode : find(a);
  return component;
}

void Simulation::begin(const RunInfo& info) {
  assert(!begun_ && "a Simulation runs once");
  begun_ = true;
  info_ = info;
  for (RunObserver* o : observers_) o->on_run_start(info);
  const uint32_t n = node_count();
  queue_.reserve(static_cast<size_t>(n) * modules_.size() + faults_->faults().size() * 2 + 16);
  for (size_t m = 0; m < modules_.size(); ++m)
    for (NodeId node = 0; node < n; ++node)
      if (owns(node)) queue_.push(Event{0, node_counters_[node].events++, node, node, 0, 0, EventKind::start, static_cast<ModuleId>(m)});
  const size_t before_faults = queue_.size();
  faults_->schedule();
  fault_events_pending_ = queue_.size() - before_faults;
  queue_.push(Event{0, 0, kSampleOrigin, 0, 0, 0, EventKind::sample, 0});
}

bool Simulation::over() {
  if (halted_) return true;
  return queue_.empty() || queue_.top().time > spec_.end.ns;
}

void Simulation::run_event() {
  peak_pending_ = std::max(peak_pending_, queue_.size());
  Event e = queue_.pop();
  now_ = SimTime{e.time};
  ++events_;
  dispatch(e);
}

bool Simulation::step() {
  assert(begun_ && "begin() before step()");
  if (halted_ || queue_.empty() || queue_.top().time > spec_.end.ns) return false;
  if (spec_.max_events && handled_ >= spec_.max_events) {
    hit_limit_ = halted_ = true;
    return false;
  }
  run_event();
  return true;
}

bool Simulation::run_until(SimTime t) { return run_until(t, UINT64_MAX); }

bool Simulation::run_until(SimTime t, uint64_t max_events) {
  uint64_t ran = 0;
  while (ran < max_events && !queue_.empty() && queue_.top().time <= t.ns && step()) ++ran;
  const bool caught_up = queue_.empty() || queue_.top().time > t.ns;
  if (!halted_ && caught_up && now_ < t) now_ = std::min(t, spec_.end);
  return !over();
}

RunResult Simulation::run(const RunInfo& info, const std::function<void(const Simulation&)>& progress) {
  begin(info);
  // Every 65,536 events: often enough for a slow protocol (a few thousand events/s) to show
  // progress, rare enough to cost nothing measurable.
  uint64_t next_progress = 1 << 16;
  // step()'s loop, with its checks in the order that costs least per event.
  const uint64_t limit = spec_.max_events;
  while (!queue_.empty()) {
    if (queue_.top().time > spec_.end.ns) break;
    if (limit && handled_ >= limit) {
      hit_limit_ = halted_ = true;
      break;
    }
    run_event();
    if (halted_) break;
    if (events_ >= next_progress) {
      next_progress += 1 << 16;
      if (progress) progress(*this);
    }
  }
  finishing_ = true;
  if (progress) progress(*this);  // the caller may time the end-of-run checks apart
  return finish();
}

RunResult Simulation::finish() {
  assert(begun_ && !finished_ && "finish() once, after begin()");
  // Finishing a run that is not over stops it there: the verdict is `interrupted`.
  if (!over()) stop_requested_ = halted_ = true;
  // A run that stopped on its event limit ends at the last event; otherwise at the end time
  // (an idle mesh still "ran" until then). Also when stepped only part of the way: the
  // remaining events are not run.
  const bool cut_short = hit_limit_ || violation_ || stop_requested_;
  if (!cut_short && over() && now_ < spec_.end) now_ = spec_.end;
  finished_ = halted_ = true;
  finishing_ = true;
  const uint32_t n = node_count();

  RunResult result;
  // Every module finishes, even after a violation: a failed run keeps all its metrics
  // (throughput, linearizable, ...), so averages over a sweep do not silently drop the
  // failures. The first violation is the one reported.
  for (auto& m : modules_)
    if (!module_metrics_here(*m)) continue;
    else if (auto v = m->finish(now_, metrics_); v && !violation_) violation_ = v;
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
  if (c.lost_absent) metrics_.set_scalar("messages_lost_absent", static_cast<double>(c.lost_absent));
  metrics_.set_scalar("bytes_sent", static_cast<double>(c.bytes_sent));
  metrics_.set_scalar("nodes", n);
  metrics_.set_scalar("pending_events_peak", static_cast<double>(peak_pending_));
  metrics_.set_scalar("nodes_up_final", static_cast<double>(std::count(state_.begin(), state_.end(), NodeState::up)));
  cpu_.report(metrics_, now_);
  disk_.report(metrics_, now_);
  metrics_.summarize_histograms();

  result.events = events_;
  result.sim_time_ns = now_.ns;
  result.fingerprint = fingerprint_.value();
  if (violation_) metrics_.log(violation_->at, "violation", violation_->checker + ": " + violation_->detail);
  Verdict verdict = judge_run(spec_, metrics_, violation_);
  result.status = verdict.status;
  result.failure = std::move(verdict.failure);
  result.note = std::move(verdict.note);
  if (stop_requested_ && !violation_) {
    // Stopped from outside: what was measured so far is kept, but the expectations were
    // not given the whole run, so they pass no verdict.
    result.status = RunStatus::interrupted;
    result.failure = "interrupted at " + format_readable(Duration{now_.ns}) + " of simulated time";
  }
  for (RunObserver* o : observers_) o->on_run_end(info_, result, metrics_);
  return result;
}

// ---- node transitions (the fault injector decides when) ----

void Simulation::cancel_all_timers(NodeId n) {
  // Bumping every generation cancels all of the node's pending timers at once.
  for (size_t m = 0; m < modules_.size(); ++m) {
    for (TimerId t = 0; t < timer_count_[m]; ++t) ++timer_gen_[m][static_cast<size_t>(n) * timer_count_[m] + t];
    if (timer_count_[m] > 0) mark_timers_reused(static_cast<ModuleId>(m), n);
  }
}

void Simulation::drop_parked(NodeId n) {
  // Events held for a paused node die with it, like packets in a dead host's buffers.
  if (parked_.empty()) return;
  for (const Event& e : parked_[n])
    if (e.kind == EventKind::message || e.kind == EventKind::processed) drop_arrived(e, DropReason::crashed);
  parked_[n].clear();
}

void Simulation::crash_node(NodeId n) {
  if (state_[n] == NodeState::crashed || state_[n] == NodeState::absent) return;
  if (state_[n] == NodeState::paused) drop_parked(n);
  state_[n] = NodeState::crashed;
  if (!restart_pending_.empty()) restart_pending_[n] = 0;
  cpu_.crash(n, now_);  // messages in the CPU queue are lost with the node
  disk_.crash(n);       // and so are writes that have not completed: they were never durable
  cancel_all_timers(n);
  if (owns(n))
    for (auto& m : modules_) m->crash(n);
}

void Simulation::recover_node(NodeId n) {
  if (state_[n] != NodeState::crashed) return;
  if (faults_->paused(n)) {
    // The process restarts when the machine it runs on is thawed.
    state_[n] = NodeState::paused;
    if (restart_pending_.empty()) restart_pending_.assign(node_count(), 0);
    restart_pending_[n] = 1;
    if (parked_.empty()) parked_.resize(node_count());
    return;
  }
  state_[n] = NodeState::up;
  if (owns(n))
    for (auto& m : modules_) m->recover(n);
}

void Simulation::pause_node(NodeId n) {
  if (state_[n] != NodeState::up) return;
  if (parked_.empty()) parked_.resize(node_count());
  state_[n] = NodeState::paused;
}

void Simulation::resume_node(NodeId n) {
  if (state_[n] != NodeState::paused) return;
  state_[n] = NodeState::up;
  if (!restart_pending_.empty() && restart_pending_[n]) {
    restart_pending_[n] = 0;
    if (owns(n))
      for (auto& m : modules_) m->recover(n);
  }
  if (parked_.empty()) return;
  // Held events happen now, in their original order (their keys keep origin and seq).
  for (Event e : parked_[n]) {
    e.time = now_.ns;
    queue_.push(e);
  }
  parked_[n].clear();
}

void Simulation::leave_node(NodeId n) {
  if (state_[n] == NodeState::absent) return;
  if (state_[n] == NodeState::up && owns(n))
    for (auto& m : modules_) m->before_leave(n);
  if (state_[n] == NodeState::paused) drop_parked(n);
  const bool was_up = state_[n] != NodeState::crashed;
  state_[n] = NodeState::absent;
  if (!restart_pending_.empty()) restart_pending_[n] = 0;
  cpu_.crash(n, now_);
  disk_.crash(n);
  cancel_all_timers(n);
  if (was_up && owns(n))
    for (auto& m : modules_) m->leave(n);
}

void Simulation::join_node(NodeId n) {
  if (state_[n] != NodeState::absent) return;
  state_[n] = NodeState::up;
  if (owns(n))
    for (auto& m : modules_) m->join(n);
}

void Simulation::set_drift(NodeId n, int64_t ppm) {
  if (drift_ppm_.empty()) {
    if (ppm == 0) return;
    drift_ppm_.assign(node_count(), 0);
  }
  drift_ppm_[n] = ppm;
}

}  // namespace meshsim
