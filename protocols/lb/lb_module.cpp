#include "protocols/lb/lb_module.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "protocols/lb/speed_dist.h"
#include "sim/errors.h"
#include "sim/simulation.h"

namespace meshsim::lb {

namespace {

std::string task_name(uint64_t task) {
  return "task " + std::to_string(task_origin(task)) + ":" + std::to_string(task_seq(task));
}

// "lie-load": reports an empty queue in every probe reply and load gossip, so every
// strategy that asks for load sends it work (the Byzantine liar of the issue).
class LieLoadBehavior : public ByzantineRewriter<Message> {
 public:
  void rewrite(const NodeView&, Outbox<Message>& out) override {
    for (auto& s : out.sends()) {
      if (auto* r = std::get_if<ProbeReply>(&s.msg)) r->load = 0, r->bid_ns = 0;
      if (auto* g = std::get_if<LoadGossip>(&s.msg)) g->load = 0;
    }
  }
};

// "drop-tasks": accepts tasks and never reports them done; submitters must time out.
class DropTasksBehavior : public ByzantineRewriter<Message> {
 public:
  void rewrite(const NodeView&, Outbox<Message>& out) override {
    std::erase_if(out.sends(), [](const auto& s) { return std::holds_alternative<Done>(s.msg); });
  }
};

// "bid-and-drop": answers every probe and call for bids with the best possible bid (an
// empty queue, no work), wins the award and discards the task on arrival (Node::kDiscardAwards):
// its load stays zero, so it keeps winning without ever holding anything.
class BidAndDropBehavior : public ByzantineRewriter<Message> {
 public:
  void rewrite(const NodeView&, Outbox<Message>& out) override {
    for (auto& s : out.sends())
      if (auto* r = std::get_if<ProbeReply>(&s.msg)) r->load = 0, r->bid_ns = 0;
  }
};

// "never-finish" changes nothing the node sends; its effect is in the node (kNeverFinish):
// it accepts tasks and never starts one, so its queue and its honest load grow.
class NodeStateBehavior : public ByzantineRewriter<Message> {
 public:
  void rewrite(const NodeView&, Outbox<Message>&) override {}
};

}  // namespace

LbModule::LbModule(Params params, std::string capability_error)
    : NodeModule<Protocol>(std::move(params)), capability_error_(std::move(capability_error)) {}

void LbModule::on_attach() {
  const Params& p = params();
  if (p.capability_share > 0 && sim().attributes().capability_bit(p.required_capability) < 0)
    throw ScenarioError(capability_error_.empty() ? "protocol.required_capability: no node has it" : capability_error_);
  check_trace();
  ledger_.assign(sim().node_count(), {});
  busy_ns_.assign(sim().node_count(), 0);
  if (p.keyed) {
    p.keyed->start(sim().seed(), sim().node_count());
    ring_.start(*p.keyed);
  }
}

std::unique_ptr<ByzantineRewriter<Message>> LbModule::make_byzantine(const ByzantineSpec& spec) {
  if (spec.behavior == "lie-load") return std::make_unique<LieLoadBehavior>();
  if (spec.behavior == "drop-tasks") return std::make_unique<DropTasksBehavior>();
  if (spec.behavior == "bid-and-drop") return std::make_unique<BidAndDropBehavior>();
  if (spec.behavior == "never-finish") return std::make_unique<NodeStateBehavior>();
  return nullptr;
}

bool LbModule::set_byzantine(NodeId n, const ByzantineSpec& spec) {
  if (!NodeModule<Protocol>::set_byzantine(n, spec)) return false;
  const uint8_t flag = spec.behavior == "never-finish"   ? Node::kNeverFinish
                       : spec.behavior == "bid-and-drop" ? Node::kDiscardAwards
                                                         : 0;
  byzantine_flags_[{n, spec.layer}] = flag;  // a new behaviour on a layer replaces the old
  apply_byzantine_flags(n);
  return true;
}

void LbModule::clear_byzantine(NodeId n, uint32_t layer) {
  NodeModule<Protocol>::clear_byzantine(n, layer);
  std::erase_if(byzantine_flags_, [&](const auto& e) { return e.first.first == n && (layer == kAllLayers || e.first.second == layer); });
  apply_byzantine_flags(n);
}

void LbModule::apply_byzantine_flags(NodeId n) {
  uint8_t flags = 0;
  for (auto it = byzantine_flags_.lower_bound({n, 0}); it != byzantine_flags_.end() && it->first.first == n; ++it) flags |= it->second;
  byzantine_node_flags_.at(n) = flags;
}

Node LbModule::make_node(NodeId n) {
  // A node that joins afresh keeps its task numbering (ledger) and its drawn speed.
  Node node(n < ledger_.size() ? static_cast<uint32_t>(ledger_[n].size()) : 0,
            draw_node_speed(params().node_speed, sim().seed(), n));
  // Sized once, before the first node points into it; the node count is fixed for the run.
  if (byzantine_node_flags_.size() != sim().node_count()) byzantine_node_flags_.assign(sim().node_count(), 0);
  node.read_byzantine_flags_from(&byzantine_node_flags_);
  return node;
}

void LbModule::check_trace() const {
  // The trace is read with the [protocol] section, which does not know the node count or
  // the capabilities; both are checked here, still naming the trace's file and line.
  const Params& p = params();
  for (const TraceTask& t : p.trace) {
    const std::string where = p.trace_where + p.trace_file + ":" + std::to_string(t.line) + ": ";
    if (t.node >= sim().node_count())
      throw ScenarioError(where + "node " + std::to_string(t.node) + " does not exist (" + std::to_string(sim().node_count()) + " nodes)");
    for (const std::string& c : t.capabilities)
      if (sim().attributes().capability_bit(c) < 0)
        throw ScenarioError(where + "no node has capability \"" + c + "\" ([[nodes.attributes]] capabilities)");
  }
}

LbModule::TaskState& LbModule::state_of(uint64_t task) {
  auto& tasks = ledger_[task_origin(task)];
  const uint32_t seq = task_seq(task);
  if (seq >= tasks.size()) tasks.resize(seq + 1, TaskState::unknown);
  return tasks[seq];
}

void LbModule::fail(std::string checker, std::string detail) {
  if (!violation_) violation_ = Violation{sim().now(), std::move(checker), std::move(detail)};
}

void LbModule::crash(NodeId n) {
  // A crashed submitter forgets the tasks it was waiting for: they are lost, with that reason.
  nodes()[n].for_each_pending([&](uint32_t seq) {
    TaskState& s = state_of(make_task_id(n, seq));
    if (s == TaskState::submitted) {
      s = TaskState::lost;
      ++lost_submitter_crash_;
    }
  });
  // Its queue is gone too; their submitters will time out and resubmit.
  dropped_by_crash_ += nodes()[n].load();
  if (params().keyed) {
    if (auto v = ring_.destroyed(n, nodes()[n].key_store().held(), leaving_ ? "left" : "crashed"))
      fail("lb.replicas", *v);
    ring_.disturbed(sim().now());
  }
  NodeModule<Protocol>::crash(n);
}

void LbModule::on_note(NodeId n, uint16_t what, int64_t value) {
  const uint64_t task = static_cast<uint64_t>(value);
  const int64_t now = sim().now().ns;
  switch (what) {
    case kNoteSubmitted:
      ++submitted_;
      last_submitted_ = task;
      if (first_arrival_ns_ < 0) first_arrival_ns_ = now;
      state_of(task) = TaskState::submitted;
      break;
    case kNoteRequires:
      ++capability_tasks_;
      required_[last_submitted_] = task;
      break;
    case kNoteStarted: {
      // Capability checker: a task runs only on a node that has every capability it needs.
      auto it = required_.find(task);
      if (it != required_.end() && (sim().attributes().capability_mask(n) & it->second) != it->second)
        fail("lb.capability", task_name(task) + " requires capabilities " + std::to_string(it->second) +
                                  " but runs on node " + std::to_string(n) + ", which lacks them");
      break;
    }
    case kNoteServed:
      busy_ns_[n] += value;
      break;
    case kNoteCommitted: {
      // Exactly-once checker: a task's completion is accepted once, and only if it was
      // submitted and not already reported lost.
      TaskState& s = state_of(task);
      if (s == TaskState::committed)
        fail("lb.exactly_once", task_name(task) + " was executed twice: its submitter accepted a second completion");
      else if (s == TaskState::lost)
        fail("lb.exactly_once", task_name(task) + " completed after it was reported lost");
      else if (s == TaskState::unknown)
        fail("lb.exactly_once", task_name(task) + " completed but was never submitted");
      s = TaskState::committed;
      ++committed_;
      last_commit_ns_ = now;
      break;
    }
    case kNoteSojourn:
      last_sojourn_ns_ = value;
      sim().metrics().histogram("lb_sojourn_ns").add(static_cast<double>(value));
      break;
    case kNoteServiceOfCommitted:
      // Slowdown: sojourn over the task's own service time (Harchol-Balter's measure).
      if (value > 0) sim().metrics().histogram("lb_slowdown").add(static_cast<double>(last_sojourn_ns_) / value);
      break;
    case kNoteMigrated:
      migrations_ += static_cast<uint64_t>(value);
      break;
    case kNoteKeyStored:
    case kNoteKeyDropped:
    case kNoteServedByReplica:
      on_ring_note(n, what, value);
      break;
    case kNoteDuplicate:
      ++duplicates_;
      break;
    case kNoteResubmitted:
      ++resubmitted_;
      break;
    case kNoteRejected:
      ++rejected_;
      break;
    case kNoteLostTimeout:
    case kNoteLostRejected:
    case kNoteLostNoEligible: {
      TaskState& s = state_of(task);
      if (s != TaskState::submitted) fail("lb.exactly_once", task_name(task) + " reported lost but it is not outstanding");
      s = TaskState::lost;
      (what == kNoteLostTimeout ? lost_timeout_ : what == kNoteLostRejected ? lost_rejected_ : lost_no_eligible_)++;
      break;
    }
    default:
      assert(false && "unknown lb note");
  }
}

void LbModule::on_send(NodeId, const Message& m) {
  ++messages_;
  if (const auto* r = std::get_if<StealReply>(&m); r && !r->tasks.empty()) migration_bytes_ += r->wire_bytes();
}

void LbModule::sample(SimTime now, Metrics& m) {
  if (params().balls_into_bins) return;
  if (params().keyed) notice_departures(now, m);
  const auto& nodes = this->nodes();
  const uint32_t n = sim().node_count();
  double sum = 0, sum_sq = 0;
  uint32_t up = 0, max_load = 0;
  for (NodeId v = 0; v < n; ++v) {
    if (!sim().is_up(v)) continue;
    const uint32_t load = nodes[v].load();
    ++up;
    sum += load;
    sum_sq += static_cast<double>(load) * load;
    max_load = std::max(max_load, load);
  }
  if (up == 0) return;
  const double mean = sum / up;
  const double variance = std::max(0.0, sum_sq / up - mean * mean);
  const double cv = mean > 0 ? std::sqrt(variance) / mean : 0.0;
  uint32_t hotspots = 0;
  if (mean > 0)
    for (NodeId v = 0; v < n; ++v)
      if (sim().is_up(v) && nodes[v].load() > params().hotspot_factor * mean) ++hotspots;
  m.sample("lb_load_mean", now, mean);
  m.sample("lb_load_max", now, max_load);
  m.sample("lb_load_variance", now, variance);
  m.sample("lb_load_cv", now, cv);
  m.sample("lb_hotspots", now, hotspots);
  ++samples_;
  cv_sum_ += cv;
  variance_sum_ += variance;
  max_over_mean_sum_ += mean > 0 ? max_load / mean : 0.0;
  hotspots_sum_ += hotspots;
  load_peak_ = std::max(load_peak_, max_load);
  if (!m.node_series_enabled()) return;
  const uint32_t id = m.node_series_id("lb_load");
  for (NodeId v = 0; v < n; ++v)
    if (Metrics::node_series_sampled(v, n)) m.node_sample(v, id, now, nodes[v].load());
}

std::optional<Violation> LbModule::check(SimTime) { return violation_; }

void LbModule::report_balls_into_bins(Metrics& m) {
  const Params& p = params();
  const uint32_t bins = sim().node_count();
  const uint64_t balls = p.balls ? p.balls : bins;
  const uint32_t d = p.strategy == Strategy::power_of_d ? p.d : 1;
  Rng rng(derive_stream(sim().seed(), StreamKind::balls_into_bins, d));
  m.set_scalar("lb_bins_max_load", place_balls(bins, balls, d, rng));
  m.set_scalar("lb_bins_max_load_theory", balls_max_load_theory(bins, d));
  m.set_scalar("lb_bins_balls", static_cast<double>(balls));
  m.set_scalar("lb_bins_d", d);
}

std::optional<Violation> LbModule::finish(SimTime now, Metrics& m) {
  if (params().balls_into_bins) {
    report_balls_into_bins(m);
    return violation_;
  }
  // Exactly-once, the other half: a task neither completed nor reported lost must still be
  // outstanding at its (up) submitter. Anything else vanished without a trace.
  uint64_t in_flight = 0;
  const auto& nodes = this->nodes();
  for (NodeId origin = 0; origin < ledger_.size() && !violation_; ++origin)
    for (uint32_t seq = 0; seq < ledger_[origin].size(); ++seq) {
      if (ledger_[origin][seq] != TaskState::submitted) continue;
      if (!sim().is_up(origin) || !nodes[origin].has_pending(seq)) {
        fail("lb.exactly_once", task_name(make_task_id(origin, seq)) +
                                    " vanished: neither completed nor reported lost, and its submitter no longer waits for it");
        break;
      }
      ++in_flight;
    }
  const uint64_t lost = lost_timeout_ + lost_rejected_ + lost_no_eligible_ + lost_submitter_crash_;
  m.set_scalar("lb_tasks_submitted", static_cast<double>(submitted_));
  m.set_scalar("lb_tasks_completed", static_cast<double>(committed_));
  m.set_scalar("lb_tasks_lost", static_cast<double>(lost));
  m.set_scalar("lb_tasks_lost_timeout", static_cast<double>(lost_timeout_));
  m.set_scalar("lb_tasks_lost_rejected", static_cast<double>(lost_rejected_));
  m.set_scalar("lb_tasks_lost_no_eligible", static_cast<double>(lost_no_eligible_));
  m.set_scalar("lb_tasks_lost_submitter_crash", static_cast<double>(lost_submitter_crash_));
  m.set_scalar("lb_tasks_in_flight_end", static_cast<double>(in_flight));
  m.set_scalar("lb_tasks_resubmitted", static_cast<double>(resubmitted_));
  m.set_scalar("lb_tasks_duplicated", static_cast<double>(duplicates_));
  m.set_scalar("lb_tasks_rejected", static_cast<double>(rejected_));
  m.set_scalar("lb_tasks_dropped_by_crash", static_cast<double>(dropped_by_crash_));
  m.set_scalar("lb_tasks_with_capabilities", static_cast<double>(capability_tasks_));
  m.set_scalar("lb_migrations", static_cast<double>(migrations_));
  m.set_scalar("lb_migration_bytes", static_cast<double>(migration_bytes_));
  m.set_scalar("lb_migrations_per_s", now.ns > 0 ? migrations_ / (static_cast<double>(now.ns) / 1e9) : 0.0);
  m.set_scalar("lb_messages_per_task", committed_ ? static_cast<double>(messages_) / committed_ : 0.0);
  const double span_s = first_arrival_ns_ >= 0 ? static_cast<double>(last_commit_ns_ - first_arrival_ns_) / 1e9 : 0.0;
  m.set_scalar("lb_throughput_tasks_per_s", span_s > 0 ? committed_ / span_s : 0.0);
  m.set_scalar("lb_load_cv_mean", samples_ ? cv_sum_ / samples_ : 0.0);
  m.set_scalar("lb_load_variance_mean", samples_ ? variance_sum_ / samples_ : 0.0);
  m.set_scalar("lb_load_max_over_mean", samples_ ? max_over_mean_sum_ / samples_ : 0.0);
  m.set_scalar("lb_hotspots_mean", samples_ ? hotspots_sum_ / samples_ : 0.0);
  m.set_scalar("lb_load_peak", load_peak_);
  // Utilisation: the share of the run each node's CPU spent serving tasks.
  const uint32_t n = sim().node_count();
  double util_sum = 0, util_max = 0;
  for (NodeId v = 0; v < n; ++v) {
    const double u = now.ns > 0 ? static_cast<double>(busy_ns_[v]) / now.ns : 0.0;
    util_sum += u;
    util_max = std::max(util_max, u);
    if (Metrics::evenly_sampled(v, n, 10'000)) m.node_summary(v, "lb_utilisation", u);
  }
  m.set_scalar("lb_utilisation_mean", n ? util_sum / n : 0.0);
  m.set_scalar("lb_utilisation_max", util_max);
  // Hotspots by utilisation over the whole run: a queue-length snapshot at low load counts
  // noise (one waiting task is above 2 × a mean of 0.2), a node's busy share does not.
  uint32_t util_hotspots = 0;
  for (NodeId v = 0; v < n && util_sum > 0; ++v)
    if (static_cast<double>(busy_ns_[v]) / now.ns > params().hotspot_factor * util_sum / n) ++util_hotspots;
  m.set_scalar("lb_hotspots_utilisation", util_hotspots);
  if (params().keyed) finish_ring(now, m);
  return violation_;
}

std::vector<NodeId> LbModule::nodes_in_role(std::string_view role) {
  std::vector<NodeId> out;
  for (NodeId v = 0; v < sim().node_count(); ++v)
    if (sim().is_up(v)) out.push_back(v);
  if (role == "most-loaded") {
    // The engine draws one of the nodes returned, so return only those at the maximum.
    uint32_t max_load = 0;
    for (NodeId v : out) max_load = std::max(max_load, nodes()[v].load());
    std::erase_if(out, [&](NodeId v) { return nodes()[v].load() != max_load; });
  } else if (role != "worker")
    out.clear();
  return out;
}

std::string LbModule::describe_node(NodeId n) const {
  return "load " + std::to_string(nodes()[n].load()) + ", waiting for " + std::to_string(nodes()[n].pending_count()) +
         " tasks";
}

}  // namespace meshsim::lb
