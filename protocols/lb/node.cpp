#include "protocols/lb/node.h"

#include "protocols/lb/keyed_placement.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

#include <boost/random/exponential_distribution.hpp>

namespace meshsim::lb {

namespace {

bool eligible(const Params& p, const NodeView& v, NodeId n, uint64_t capabilities) {
  if (capabilities == 0 || p.bug == Bug::ignore_capabilities) return true;
  return (v.attributes->capability_mask(n) & capabilities) == capabilities;
}

}  // namespace

void Node::start(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (p.balls_into_bins) return;  // placement alone, done by the module
  start_arrivals(p, v, out);
  out.set_timer(kCheckTimer, p.check_interval);
  // A random phase, so gossip rounds do not all fall on the same instant.
  if (p.strategy == Strategy::least_loaded)
    out.set_timer(kGossipTimer, Duration{1 + static_cast<int64_t>(v.rng->below(static_cast<uint64_t>(p.gossip_interval.ns)))});
  maybe_steal(p, v, out);
  if (p.keyed) {
    if (v.now.ns == 0) keys_.load_initial(p, v, out);  // a recovered or joining node starts empty
    out.set_timer(kRepairTimer, Duration{1 + static_cast<int64_t>(v.rng->below(static_cast<uint64_t>(p.keyed->config().repair_interval_ns)))});
  }
}

void Node::crash() {
  pending_.clear();
  queue_.clear();
  head_ = 0;
  queued_work_ns_ = 0;
  serving_ = false;
  probes_.clear();
  view_.clear();
  stealing_ = false;
  round_robin_next_ = kNoNode;
  keys_.clear();
}

void Node::on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out) {
  switch (id) {
    case kArrivalTimer:
      on_arrival_timer(p, v, out);
      return;
    case kServiceTimer:
      finish_service(p, v, out);
      return;
    case kCheckTimer:
      check_timeouts(p, v, out);
      if (p.migrate_above > 0 && load() > p.migrate_above && v.node_count > 1) {
        NodeId to = static_cast<NodeId>(v.rng->below(v.node_count - 1));
        if (to >= v.self) ++to;
        out.send(to, MigrateOffer{load()});
      }
      out.set_timer(kCheckTimer, p.check_interval);
      return;
    case kGossipTimer:
      send_gossip(p, v, out);
      out.set_timer(kGossipTimer, p.gossip_interval);
      return;
    case kStealTimer:
      // The last request went unanswered (lost, or the victim crashed) or came back empty.
      stealing_ = false;
      maybe_steal(p, v, out);
      return;
    case kRepairTimer:
      keys_.repair(p, v, out);
      out.set_timer(kRepairTimer, Duration{p.keyed->config().repair_interval_ns});
      return;
    default:
      assert(false && "unknown lb timer");
  }
}

void Node::on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out) {
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, Probe>) out.send(from, ProbeReply{msg.probe, load(), bid_ns(v)});
        else if constexpr (std::is_same_v<T, ProbeReply>) handle_probe_reply(p, v, from, msg, out);
        else if constexpr (std::is_same_v<T, Assign>) handle_assign(p, v, from, msg, out);
        else if constexpr (std::is_same_v<T, Reject>) handle_reject(p, v, msg, out);
        else if constexpr (std::is_same_v<T, Done>) handle_done(p, v, msg, out);
        else if constexpr (std::is_same_v<T, LoadGossip>) handle_gossip(p, v, from, msg);
        else if constexpr (std::is_same_v<T, StealRequest>) handle_steal_request(p, v, from, out);
        else if constexpr (std::is_same_v<T, StealReply>) handle_steal_reply(p, v, msg, out);
        else if constexpr (std::is_same_v<T, MigrateOffer>) {
          // Underloaded: take part of the offerer's queue, by the work-stealing exchange.
          if (load() <= p.migrate_below && msg.load > load() + 1) out.send(from, StealRequest{});
        } else if constexpr (std::is_same_v<T, KeyedAssign>) handle_keyed_assign(p, v, from, msg, out);
        else if (!p.keyed) return;  // ring traffic (replayed by a Byzantine node) without a ring
        else if constexpr (std::is_same_v<T, FetchKeys>) keys_.on_fetch(p, v, from, msg, out);
        else if constexpr (std::is_same_v<T, StoreKeys>) keys_.on_store(p, v, from, msg, out);
        else if constexpr (std::is_same_v<T, StoreAck>) keys_.on_ack(p, v, from, msg, out);
      },
      m);
}

// ---- submitter ------------------------------------------------------------------------

Duration Node::draw_interarrival(const Params& p, const NodeView& v) {
  boost::random::exponential_distribution<double> gap(p.arrival_rate_per_s);
  return Duration{std::max<int64_t>(1, static_cast<int64_t>(gap(*v.rng) * 1e9))};
}

Duration Node::draw_size(const Params& p, const NodeView& v) {
  const double mean = static_cast<double>(p.size_mean.ns);
  double ns = mean;
  if (p.size_kind == SizeKind::exponential) {
    boost::random::exponential_distribution<double> size(1.0 / mean);
    ns = size(*v.rng);
  } else if (p.size_kind == SizeKind::pareto) {
    // Inverse transform: x_m (1 - U)^(-1/alpha), with x_m chosen so the mean is size_mean.
    const double scale = mean * (p.pareto_shape - 1) / p.pareto_shape;
    ns = scale * std::pow(1.0 - v.rng->unit(), -1.0 / p.pareto_shape);
    ns = std::min(ns, mean * 1e6);  // keep the tail representable
  }
  return Duration{std::max<int64_t>(1, static_cast<int64_t>(ns))};
}

void Node::submit(const Params& p, const NodeView& v, Outbox<Message>& out) {
  const int64_t work_ns = draw_size(p, v).ns;
  uint64_t capabilities = 0;
  if (p.capability_share > 0 && v.rng->chance(p.capability_share)) {
    const int bit = v.attributes->capability_bit(p.required_capability);
    if (bit >= 0) capabilities = uint64_t{1} << bit;
  }
  submit_task(p, v, work_ns, capabilities, out);
}

void Node::submit_task(const Params& p, const NodeView& v, int64_t work_ns, uint64_t capabilities, Outbox<Message>& out) {
  const uint32_t seq = next_seq_++;
  Pending task;
  task.work_ns = work_ns;
  task.submitted_ns = v.now.ns;
  task.capabilities = capabilities;
  if (p.keyed) task.key = p.keyed->draw_key(v.self, seq);
  pending_[seq] = task;
  out.note(kNoteSubmitted, static_cast<int64_t>(make_task_id(v.self, seq)));
  if (task.capabilities) out.note(kNoteRequires, static_cast<int64_t>(task.capabilities));
  place(p, v, seq, out);
}

NodeId Node::pick_random_eligible(const Params& p, const NodeView& v, uint64_t capabilities) {
  // Rejection sampling is O(1) when eligible nodes are common; the scan after it keeps a
  // rare capability correct without an index of who has what.
  for (int tries = 0; tries < 32; ++tries) {
    NodeId n = static_cast<NodeId>(v.rng->below(v.node_count));
    if (eligible(p, v, n, capabilities)) return n;
  }
  const NodeId offset = static_cast<NodeId>(v.rng->below(v.node_count));
  for (uint32_t i = 0; i < v.node_count; ++i) {
    NodeId n = static_cast<NodeId>((offset + i) % v.node_count);
    if (eligible(p, v, n, capabilities)) return n;
  }
  return kNoNode;
}

void Node::place(const Params& p, const NodeView& v, uint32_t seq, Outbox<Message>& out) {
  Pending& task = pending_.at(seq);
  task.placed_ns = v.now.ns;
  const uint64_t caps = task.capabilities;
  NodeId worker = kNoNode;
  switch (p.strategy) {
    case Strategy::random:
      worker = pick_random_eligible(p, v, caps);
      break;
    case Strategy::round_robin:
      // Each submitter starts its cursor just after itself: cursors that all started at node 0
      // would march through the nodes in step and herd every submitter onto the same worker.
      if (round_robin_next_ == kNoNode) round_robin_next_ = (v.self + 1) % v.node_count;
      for (uint32_t i = 0; i < v.node_count; ++i) {
        NodeId n = (round_robin_next_ + i) % v.node_count;
        if (eligible(p, v, n, caps)) {
          worker = n;
          round_robin_next_ = (n + 1) % v.node_count;
          break;
        }
      }
      break;
    case Strategy::auction:
    case Strategy::power_of_d: {
      // Mitzenmacher 2001 §1: d independent uniform choices (with replacement), least loaded
      // wins. Each choice costs a probe round trip here, the price the sequential model hides.
      const uint32_t probe = next_probe_++;
      ProbeRound round;
      round.seq = seq;
      for (uint32_t i = 0; i < p.d; ++i) {
        NodeId n = pick_random_eligible(p, v, caps);
        if (n == kNoNode) break;
        ++round.asked;
        if (n == v.self) {  // its own load is known without a message
          ++round.answered;
          const int64_t score = p.strategy == Strategy::auction ? bid_ns(v) : load();
          if (score < round.best_score) round.best = n, round.best_score = score;
        } else {
          out.send(n, Probe{probe});
        }
      }
      if (round.asked == 0) break;
      task.probing = true;
      probes_[probe] = round;
      if (round.answered == round.asked) decide_probe(p, v, probe, out);
      return;
    }
    case Strategy::work_stealing:
      // Work is created where it arrives; idle workers come and take it (Blumofe &
      // Leiserson 1999). A task the submitter cannot run goes to a random eligible node.
      worker = eligible(p, v, v.self, caps) ? v.self : pick_random_eligible(p, v, caps);
      break;
    case Strategy::consistent_hash: {
      // The key's owner first; each further attempt (a timeout, or a replica without the
      // data yet) goes to the next replica, so a failed owner's keys are served by a replica.
      auto replicas = p.keyed->replicas(task.key);
      if (!replicas.empty()) worker = replicas[task.attempt % replicas.size()];
      break;
    }
    case Strategy::least_loaded: {
      // The freshest view this node has: its own exact load and what gossip told it, as
      // stale as the gossip interval and the network make it.
      uint32_t best_load = UINT32_MAX;
      if (eligible(p, v, v.self, caps)) worker = v.self, best_load = load();
      LoadEntry* chosen = nullptr;
      for (LoadEntry& e : view_)
        if (e.load < best_load && eligible(p, v, e.node, caps)) best_load = e.load, worker = e.node, chosen = &e;
      // Count the task we send, or every submitter herds onto the same stale minimum until
      // the next gossip round (Mitzenmacher 2000, "How useful is old information?").
      if (chosen) ++chosen->load;
      if (worker == kNoNode) worker = pick_random_eligible(p, v, caps);
      break;
    }
  }
  if (worker == kNoNode) {
    out.note(kNoteLostNoEligible, static_cast<int64_t>(make_task_id(v.self, seq)));
    pending_.erase(seq);
    return;
  }
  assign(p, v, seq, worker, out);
}

void Node::assign(const Params& p, const NodeView& v, uint32_t seq, NodeId worker, Outbox<Message>& out) {
  Pending& task = pending_.at(seq);
  task.worker = worker;
  task.probing = false;
  task.placed_ns = v.now.ns;
  Assign a{make_task_id(v.self, seq), task.work_ns, task.capabilities, task.attempt};
  if (p.strategy == Strategy::consistent_hash) {
    KeyedAssign keyed{a, task.key};
    if (worker == v.self) handle_keyed_assign(p, v, v.self, keyed, out);
    else out.send(worker, keyed);
    return;
  }
  if (worker == v.self) handle_assign(p, v, v.self, a, out);
  else out.send(worker, a);
}

void Node::retry_or_lose(const Params& p, const NodeView& v, uint32_t seq, uint16_t lost_note, Outbox<Message>& out) {
  Pending& task = pending_.at(seq);
  const int64_t id = static_cast<int64_t>(make_task_id(v.self, seq));
  if (task.attempt + 1u >= p.max_attempts) {
    out.note(lost_note, id);
    pending_.erase(seq);
    return;
  }
  ++task.attempt;
  out.note(lost_note == kNoteLostTimeout ? kNoteResubmitted : kNoteRejected, id);
  place(p, v, seq, out);
}

void Node::check_timeouts(const Params& p, const NodeView& v, Outbox<Message>& out) {
  // Probe rounds that lost a reply decide with the replies they have.
  std::vector<uint32_t> late_probes;
  for (const auto& [probe, round] : probes_) {
    auto task = pending_.find(round.seq);
    if (task == pending_.end() || v.now.ns - task->second.placed_ns >= p.probe_timeout.ns) late_probes.push_back(probe);
  }
  for (uint32_t probe : late_probes) decide_probe(p, v, probe, out);

  std::vector<uint32_t> expired;
  for (const auto& [seq, task] : pending_)
    if (!task.probing && v.now.ns - task.placed_ns >= p.task_timeout.ns) expired.push_back(seq);
  for (uint32_t seq : expired) {
    // An earlier resubmission in this loop may have completed it: under processor sharing a
    // task placed on this very node brings the shared work up to date, and tasks whose work
    // is done then complete at once (found by the work-stealing chaos sweep, seed 13).
    if (!pending_.contains(seq)) continue;
    if (p.bug == Bug::forget_timed_out) {
      pending_.erase(seq);
      continue;
    }
    // The worker crashed, was partitioned away, or is slower than the timeout: place the
    // task again. Its first placement may still complete; the first completion wins and
    // later ones are suppressed in handle_done.
    retry_or_lose(p, v, seq, kNoteLostTimeout, out);
  }
}

void Node::handle_probe_reply(const Params& p, const NodeView& v, NodeId from, const ProbeReply& r, Outbox<Message>& out) {
  auto it = probes_.find(r.probe);
  if (it == probes_.end()) return;  // late: the round already decided
  ProbeRound& round = it->second;
  ++round.answered;
  const int64_t score = p.strategy == Strategy::auction ? r.bid_ns : r.load;
  if (score < round.best_score) round.best = from, round.best_score = score;
  if (round.answered >= round.asked) decide_probe(p, v, r.probe, out);
}

void Node::decide_probe(const Params& p, const NodeView& v, uint32_t probe, Outbox<Message>& out) {
  auto it = probes_.find(probe);
  const ProbeRound round = it->second;
  probes_.erase(it);
  // An earlier placement completed while this one was probing: nothing left to place.
  if (!pending_.contains(round.seq) || !pending_.at(round.seq).probing) return;
  NodeId worker = round.best;
  // No reply at all (lost probes, crashed nodes): fall back to one random choice.
  if (worker == kNoNode) worker = pick_random_eligible(p, v, pending_.at(round.seq).capabilities);
  if (worker == kNoNode) {
    out.note(kNoteLostNoEligible, static_cast<int64_t>(make_task_id(v.self, round.seq)));
    pending_.erase(round.seq);
    return;
  }
  assign(p, v, round.seq, worker, out);
}

void Node::handle_done(const Params& p, const NodeView& v, const Done& d, Outbox<Message>& out) {
  // A completion of another submitter's task (a replaying Byzantine node sends old
  // messages anywhere) is not ours to accept.
  if (task_origin(d.task) != v.self) return;
  const uint32_t seq = task_seq(d.task);
  auto it = pending_.find(seq);
  if (it == pending_.end()) {
    // A completion of a task already accepted (a resubmission raced the first placement),
    // or forgotten by a crash: counted, never accepted twice.
    out.note(kNoteDuplicate, static_cast<int64_t>(d.task));
    if (p.bug == Bug::commit_duplicates && seq < next_seq_) out.note(kNoteCommitted, static_cast<int64_t>(d.task));
    return;
  }
  out.note(kNoteCommitted, static_cast<int64_t>(d.task));
  out.note(kNoteSojourn, v.now.ns - it->second.submitted_ns);
  out.note(kNoteServiceOfCommitted, d.service_ns);
  pending_.erase(it);
}

void Node::handle_reject(const Params& p, const NodeView& v, const Reject& r, Outbox<Message>& out) {
  auto it = pending_.find(task_seq(r.task));
  if (task_origin(r.task) != v.self || it == pending_.end() || it->second.attempt != r.attempt || it->second.probing) return;  // stale
  retry_or_lose(p, v, task_seq(r.task), kNoteLostRejected, out);
}

// ---- worker ---------------------------------------------------------------------------

void Node::handle_assign(const Params& p, const NodeView& v, NodeId from, const Assign& a, Outbox<Message>& out) {
  // Byzantine bid-and-drop: the award vanishes without a trace; its submitter times out.
  if ((byzantine(v) & kDiscardAwards) && from != v.self) return;
  const double capacity = v.attributes->capacity(v.self);
  if (p.queue_limit > 0 && load() >= static_cast<uint32_t>(std::max(1.0, p.queue_limit * capacity))) {
    Reject r{a.task, a.attempt};
    if (from == v.self) handle_reject(p, v, r, out);
    else out.send(from, r);
    return;
  }
  if (p.discipline == Discipline::processor_sharing) ps_advance(v);  // before the newcomer shares the CPU
  queue_.push_back({a.task, a.work_ns, a.capabilities, a.attempt, a.work_ns});
  queued_work_ns_ += a.work_ns;
  maybe_serve(p, v, out);
}

void Node::handle_keyed_assign(const Params& p, const NodeView& v, NodeId from, const KeyedAssign& a, Outbox<Message>& out) {
  // A keyed task needs its key's data: a replica that lacks it (it just joined, or
  // recovered empty and has not fetched yet) turns the task away to the next replica.
  if (!keys_.holds(a.key)) {
    Reject r{a.task.task, a.task.attempt};
    if (from == v.self) handle_reject(p, v, r, out);
    else out.send(from, r);
    return;
  }
  if (p.keyed && p.keyed->rank(a.key, v.self) != 0) out.note(kNoteServedByReplica, a.key);
  handle_assign(p, v, from, a.task, out);
}

void Node::maybe_serve(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (byzantine(v) & kNeverFinish) return;  // accepted, and never started
  if (p.discipline == Discipline::processor_sharing) return ps_serve(p, v, out);
  if (serving_ || head_ == queue_.size()) return;
  const Queued& q = queue_[head_];
  const double speed = this->speed(v);
  const int64_t service_ns = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(q.work_ns) / speed));
  serving_ = true;
  out.note(kNoteStarted, static_cast<int64_t>(q.task));
  out.set_timer(kServiceTimer, Duration{service_ns});
}

void Node::finish_service(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (p.discipline == Discipline::processor_sharing) {
    ps_advance(v);
    ps_serve(p, v, out);
    maybe_steal(p, v, out);
    return;
  }
  assert(serving_ && head_ < queue_.size());
  const Queued q = queue_[head_++];
  queued_work_ns_ -= q.work_ns;
  serving_ = false;
  if (head_ > 64 && head_ * 2 > queue_.size()) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  report_done(p, v, q, out);
  maybe_serve(p, v, out);
  maybe_steal(p, v, out);
}

void Node::report_done(const Params& p, const NodeView& v, const Queued& q, Outbox<Message>& out) {
  // The service time is the task's own CPU time (what it needs alone), whatever the discipline.
  const int64_t service_ns = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(q.work_ns) / speed(v)));
  out.note(kNoteServed, service_ns);
  Done d{q.task, q.attempt, service_ns};
  if (task_origin(q.task) == v.self) handle_done(p, v, d, out);
  else out.send(task_origin(q.task), d);
}

// ---- work stealing --------------------------------------------------------------------

void Node::maybe_steal(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (p.strategy != Strategy::work_stealing || p.balls_into_bins || stealing_ || load() > 0 || v.node_count < 2) return;
  NodeId victim;
  if (p.steal_from_neighbors && !v.neighbors.empty()) {
    victim = v.neighbors[v.rng->below(v.neighbors.size())];
  } else {
    victim = static_cast<NodeId>(v.rng->below(v.node_count - 1));
    if (victim >= v.self) ++victim;
  }
  stealing_ = true;
  out.send(victim, StealRequest{});
  out.set_timer(kStealTimer, p.steal_interval);
}

void Node::handle_steal_request(const Params& p, const NodeView& v, NodeId from, Outbox<Message>& out) {
  StealReply reply;
  reply.state_bytes = p.task_state_bytes;
  // Under processor sharing every held task is in service: a thief takes the work each has left.
  const bool sharing = p.discipline == Discipline::processor_sharing;
  if (sharing) ps_advance(v);
  // Only waiting tasks move, never the one in service, from the back of the queue (the
  // thief takes the oldest work in Blumofe & Leiserson; in a FIFO queue the back is the
  // newest, which keeps the victim's order for the tasks it keeps). A task goes only to a
  // thief with the capabilities it requires.
  const size_t waiting = load() > 0 ? load() - 1 : 0;
  const size_t give = p.steal_half ? waiting / 2 : std::min<size_t>(waiting, 1);
  for (size_t i = queue_.size(); i > head_ + 1 && reply.tasks.size() < give; --i) {
    Queued& q = queue_[i - 1];
    if (!eligible(p, v, from, q.capabilities) || q.remaining_ns <= 0) continue;  // done ones complete here
    reply.tasks.push_back({q.task, q.work_ns, q.capabilities, q.attempt, q.remaining_ns});
    queued_work_ns_ -= q.remaining_ns;
    q.task = kStolen;
  }
  std::erase_if(queue_, [](const Queued& q) { return q.task == kStolen; });
  if (sharing && !reply.tasks.empty()) ps_serve(p, v, out);  // fewer sharers: the rest finish sooner
  if (!reply.tasks.empty()) out.note(kNoteMigrated, static_cast<int64_t>(reply.tasks.size()));
  out.send(from, std::move(reply));
}

void Node::handle_steal_reply(const Params& p, const NodeView& v, const StealReply& r, Outbox<Message>& out) {
  if (p.discipline == Discipline::processor_sharing && !r.tasks.empty()) ps_advance(v);
  for (const StolenTask& t : r.tasks) {
    const int64_t remaining = t.remaining_ns > 0 ? t.remaining_ns : t.work_ns;
    queue_.push_back({t.task, t.work_ns, t.capabilities, t.attempt, remaining});
    queued_work_ns_ += remaining;
  }
  if (r.tasks.empty()) return;  // the retry timer asks another victim
  out.cancel_timer(kStealTimer);
  stealing_ = false;
  maybe_serve(p, v, out);
}

// ---- least-loaded: load gossip --------------------------------------------------------

void Node::send_gossip(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (v.node_count < 2) return;
  NodeId to = static_cast<NodeId>(v.rng->below(v.node_count - 1));
  if (to >= v.self) ++to;
  LoadGossip g;
  g.load = load();
  // The freshest entries travel on: rumor spreading of loads (Demers et al. 1987).
  std::vector<LoadEntry> fresh(view_.begin(), view_.end());
  std::sort(fresh.begin(), fresh.end(), [](const LoadEntry& a, const LoadEntry& b) {
    return a.heard_ns != b.heard_ns ? a.heard_ns > b.heard_ns : a.node < b.node;
  });
  for (const LoadEntry& e : fresh) {
    if (g.count == LoadGossip::kMaxEntries) break;
    if (e.node != to) g.entries[g.count++] = e;
  }
  out.send(to, g);
}

void Node::handle_gossip(const Params& p, const NodeView& v, NodeId from, const LoadGossip& g) {
  remember_load(p, v, {from, g.load, v.now.ns});
  for (uint8_t i = 0; i < g.count; ++i) remember_load(p, v, g.entries[i]);
}

void Node::remember_load(const Params& p, const NodeView& v, LoadEntry e) {
  if (e.node == v.self || e.node >= v.node_count) return;
  for (LoadEntry& known : view_)
    if (known.node == e.node) {
      if (e.heard_ns >= known.heard_ns) known = e;
      return;
    }
  if (view_.size() < p.view_size) {
    view_.push_back(e);
    return;
  }
  auto oldest = std::min_element(view_.begin(), view_.end(), [](const LoadEntry& a, const LoadEntry& b) {
    return a.heard_ns != b.heard_ns ? a.heard_ns < b.heard_ns : a.node < b.node;
  });
  if (oldest->heard_ns <= e.heard_ns) *oldest = e;
}

// ---- balls into bins ------------------------------------------------------------------

uint32_t place_balls(uint32_t bins, uint64_t balls, uint32_t d, Rng& rng) {
  std::vector<uint32_t> load(bins, 0);
  uint32_t max_load = 0;
  for (uint64_t b = 0; b < balls; ++b) {
    uint32_t best = static_cast<uint32_t>(rng.below(bins));
    for (uint32_t i = 1; i < d; ++i) {
      uint32_t other = static_cast<uint32_t>(rng.below(bins));
      if (load[other] < load[best]) best = other;
    }
    max_load = std::max(max_load, ++load[best]);
  }
  return max_load;
}

double balls_max_load_theory(uint32_t bins, uint32_t d) {
  const double ln_n = std::log(static_cast<double>(bins));
  if (bins < 3) return 1;
  return d <= 1 ? ln_n / std::log(ln_n) : std::log(ln_n) / std::log(static_cast<double>(d));
}

}  // namespace meshsim::lb
