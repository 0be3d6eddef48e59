#include "protocols/pbft/pbft_module.h"

#include <algorithm>

#include "protocols/kv/history_report.h"
#include "sim/scenario/config_section.h"
#include "sim/simulation.h"

namespace meshsim::pbft {

PbftModule::PbftModule(Params params, std::string size_error, std::string read_only_bug_error)
    : Base(std::move(params)), size_error_(std::move(size_error)), read_only_bug_error_(std::move(read_only_bug_error)) {}

Node PbftModule::make_node(NodeId n) {
  Node node;
  node.is_replica = params().is_replica(n);
  return node;
}

void PbftModule::on_attach() {
  if (sim().node_count() <= params().replicas)
    throw ScenarioError(size_error_.empty() ? "protocol.replicas: needs more nodes than replicas" : size_error_);
  ever_faulty_.assign(sim().node_count(), 0);
  // Every module of the run exists before any is attached, so a membership module listed
  // after this one is found too.
  read_only_view_ = sim().find_interface<ReadOnlyView>();
  if (!read_only_view_ && params().bug == Bug::ignore_read_only)
    throw ScenarioError(read_only_bug_error_.empty() ? "protocol.bug: ignore-read-only needs a module providing read-only state (membership)" : read_only_bug_error_);
}

// Before each step the replica learns whether its node is read-only (an input, like the
// clock: the replica stays a pure state machine). Timers too: the batch timer proposes.
void PbftModule::refresh_read_only(NodeId n) {
  if (read_only_view_ && params().is_replica(n)) node_state(n).replica.set_read_only(read_only(n));
}
void PbftModule::deliver(NodeId to, NodeId from, uint32_t slot) {
  refresh_read_only(to);
  Base::deliver(to, from, slot);
}
void PbftModule::timer(NodeId n, TimerId id) {
  refresh_read_only(n);
  Base::timer(n, id);
}

bool PbftModule::set_byzantine(NodeId n, const ByzantineSpec& spec) {
  byzantine_target_ = n;
  const bool known = Base::set_byzantine(n, spec);
  byzantine_target_ = kNoNode;
  if (known && n < ever_faulty_.size()) ever_faulty_[n] = 1;
  return known;
}

std::unique_ptr<ByzantineRewriter<Message>> PbftModule::make_byzantine(const ByzantineSpec& spec) {
  const NodeId n = byzantine_target_ == kNoNode ? 0 : byzantine_target_;
  // The scenario loader probes behaviour names on a module that has no nodes yet.
  static const Replica kProbe;
  return byzantine_factory_.make(spec, params(), n, n < nodes().size() ? nodes()[n].replica : kProbe);
}

void PbftModule::violated(const std::string& checker, const std::string& detail) {
  sim().report_violation(Violation{sim().now(), "pbft." + checker, detail});
}

// Validity: the request is one its client issued, exactly as issued.
std::optional<std::string> PbftModule::invalid_request(const Request& r) const {
  const kv::Command& c = r.cmd;
  if (params().is_replica(c.client) || c.client >= nodes().size())
    return "a request claims to come from node " + std::to_string(c.client) + ", which is not a client";
  const auto& records = nodes()[c.client].client.workload().records();
  if (c.seq >= records.size()) return "client " + std::to_string(c.client) + " never issued operation " + std::to_string(c.seq);
  const kv::Operation& op = records[c.seq];
  const bool same = op.kind == c.kind && op.key == c.key && (c.kind == kv::OpKind::get || op.value == c.value) &&
                    (c.kind != kv::OpKind::cas || op.expected == c.expected);
  if (!same)
    return "operation " + std::to_string(c.seq) + " of client " + std::to_string(c.client) + " was altered: executed " +
           kv::to_string(c.kind) + " key " + std::to_string(c.key) + ", issued " + kv::to_string(op.kind) + " key " +
           std::to_string(op.key);
  return std::nullopt;
}

// Agreement and validity, checked as each correct replica executes.
void PbftModule::on_executed(NodeId n) {
  if (ever_faulty(n)) return;
  for (const Replica::Execution& e : nodes()[n].replica.recent_executions()) {
    auto [it, first] = agreed_.try_emplace(e.seq, Agreed{e.digest, n, e.batch.size()});
    if (!first && it->second.digest != e.digest)
      return violated("agreement", "correct replicas " + std::to_string(it->second.replica) + " and " + std::to_string(n) +
                                       " executed different batches at sequence number " + std::to_string(e.seq) + " (" +
                                       std::to_string(it->second.requests) + " vs " + std::to_string(e.batch.size()) +
                                       " requests)");
    if (!first) continue;
    for (const Request& r : e.batch)
      if (auto why = invalid_request(r)) return violated("validity", "replica " + std::to_string(n) + " executed at " +
                                                                         std::to_string(e.seq) + ": " + *why);
  }
}

void PbftModule::on_send(NodeId, const Message& m) { ++sent_by_type_[m.index()]; }

void PbftModule::on_note(NodeId n, uint16_t what, int64_t value) {
  const SimTime now = sim().now();
  const bool correct = !ever_faulty(n);
  switch (what) {
    case kNoteExecuted:
      on_executed(n);
      break;
    case kNoteCompleted:
      last_progress_ns_ = now.ns;
      break;
    case kNoteProposed:
      ++batches_;
      batched_requests_ += static_cast<uint64_t>(value);
      break;
    case kNoteWriteProposed:
      ++writes_proposed_;
      // The checker asks the view itself, not the replica's copy of it: a replica that
      // ignores or misreads its node's state is what it exists to catch.
      if (read_only(n)) {
        ++writes_proposed_read_only_;
        violated("no_write_while_read_only",
                 "primary " + std::to_string(n) + " proposed a batch with a write at sequence number " +
                     std::to_string(value) + " in view " + std::to_string(nodes()[n].replica.view()) +
                     " while its node was read-only (fewer than a majority of its agreed membership live)");
      }
      break;
    case kNoteWriteRefusedReadOnly:
      ++writes_refused_read_only_;
      break;
    case kNoteViewChangeStarted:
      if (!correct) break;
      ++view_change_starts_;
      if (!service_.downtime.open() && static_cast<View>(value) > max_view_) {
        service_.downtime.begin(now);
        sim().metrics().log(now, "pbft.view-change", "replica " + std::to_string(n) + " asks for view " + std::to_string(value));
      }
      break;
    case kNoteNewView:
      if (!correct || static_cast<View>(value) <= max_view_) break;
      max_view_ = static_cast<View>(value);
      ++view_changes_;
      service_.downtime.end(now);
      sim().metrics().log(now, "pbft.new-view", "replica " + std::to_string(n) + " enters view " + std::to_string(value) +
                                                    " (primary " + std::to_string(params().primary(max_view_)) + ")");
      break;
    case kNoteCheckpointTaken:
      if (correct) checkpoint_taken_ns_.try_emplace(static_cast<Seq>(value), now.ns);
      break;
    case kNoteCheckpointStable: {
      if (!correct) break;
      const Seq seq = static_cast<Seq>(value);
      auto taken = checkpoint_taken_ns_.find(seq);
      if (taken != checkpoint_taken_ns_.end() && !checkpoint_stable_.contains(seq))
        sim().metrics().histogram("pbft_checkpoint_stabilisation_ns").add(static_cast<double>(now.ns - taken->second));
      checkpoint_stable_.insert(seq);
      // Vote participation of the slots this checkpoint retired.
      for (const Replica::Retired& r : nodes()[n].replica.retired()) {
        size_t honest = static_cast<size_t>(std::count_if(r.committers.begin(), r.committers.end(),
                                                          [&](NodeId c) { return !ever_faulty(c); }));
        sim().metrics().histogram("pbft_commit_participation").add(static_cast<double>(r.committers.size()) / params().replicas);
        if (!r.committers.empty())
          sim().metrics().histogram("pbft_quorum_correct_share").add(static_cast<double>(honest) / static_cast<double>(r.committers.size()));
      }
      break;
    }
    case kNoteStateTransferred:
      ++state_transfers_;
      sim().metrics().log(now, "pbft.state-transfer", "replica " + std::to_string(n) + " installs the state at " + std::to_string(value));
      break;
    case kNoteStateTransferResumed:
      // Rare (chaos seed 1383 of issue 9), so worth a log line: the scenario test finds it.
      sim().metrics().log(now, "pbft.state-transfer", "replica " + std::to_string(n) + " resumes the state transfer to " +
                                                        std::to_string(value) + " on recovery");
      break;
    default:
      break;
  }
}

std::string PbftModule::note_name(uint16_t what) const {
  switch (what) {
    case kNoteExecuted: return "executed";
    case kNoteViewChangeStarted: return "view-change";
    case kNoteNewView: return "new-view";
    case kNoteCheckpointStable: return "checkpoint-stable";
    case kNoteStateTransferred: return "state-transferred";
    default: return {};
  }
}

// "primary view 2 executed 880 stable 864", or "backup view 3 (view change)".
std::string PbftModule::describe_node(NodeId n) const {
  if (!params().is_replica(n)) return "client";
  const Replica& r = nodes()[n].replica;
  return std::string(r.is_primary(params(), n) ? "primary" : "backup") + " view " + std::to_string(r.view()) +
         (r.in_view_change() ? " (view change)" : "") + " executed " + std::to_string(r.last_executed()) + " stable " +
         std::to_string(r.stable_seq());
}

std::vector<NodeId> PbftModule::nodes_in_role(std::string_view role) {
  std::vector<NodeId> out;
  const Params& p = params();
  if (role == "primary") {
    // The primary of the highest view a correct, up replica has entered.
    View top = 0;
    for (NodeId r = 0; r < p.replicas; ++r)
      if (sim().is_up(r) && !is_byzantine(r) && !nodes()[r].replica.in_view_change())
        top = std::max(top, nodes()[r].replica.view());
    if (sim().is_up(p.primary(top))) out.push_back(p.primary(top));
    return out;
  }
  std::vector<NodeId> primary = role == "backup" ? nodes_in_role("primary") : std::vector<NodeId>{};
  for (NodeId n = 0; n < nodes().size(); ++n) {
    if (!sim().is_up(n)) continue;
    const bool replica = p.is_replica(n);
    if (role == "client" ? !replica
        : role == "replica" ? replica
        : role == "backup" ? replica && (primary.empty() || primary.front() != n)
        : false)
      out.push_back(n);
  }
  return out;
}

// Liveness: with at most f replicas faulty, a quorum of correct replicas and a waiting
// client connected, and the network unchanged for the window, some request must complete
// within the window.
void PbftModule::check_liveness(SimTime now) {
  const Params& p = params();
  if (p.liveness_window.ns <= 0) return;
  std::vector<uint32_t> component = sim().connected_components(false);
  uint64_t signature = 0x6c697665ULL;
  uint32_t faulty = 0;
  for (NodeId n = 0; n < nodes().size(); ++n) {
    const bool bad = !sim().is_up(n) || is_byzantine(n);
    signature = splitmix64_mix(signature ^ (static_cast<uint64_t>(component[n]) << 1 | (bad ? 1 : 0)));
    if (p.is_replica(n) && bad) ++faulty;
  }
  if (signature != stable_signature_) {
    stable_signature_ = signature;
    stable_since_ns_ = now.ns;
  }
  if (faulty > p.f()) return;
  std::map<uint32_t, uint32_t> correct_in;
  for (NodeId r = 0; r < p.replicas; ++r)
    if (sim().is_up(r) && !is_byzantine(r)) ++correct_in[component[r]];
  bool waiting_client = false;
  for (NodeId c = p.replicas; c < nodes().size() && !waiting_client; ++c)
    waiting_client = sim().is_up(c) && !nodes()[c].client.workload().pending().empty() &&
                     correct_in[component[c]] >= p.quorum();
  if (!waiting_client) {
    last_progress_ns_ = now.ns;  // nobody is owed progress yet
    return;
  }
  const int64_t quiet_since = std::max(last_progress_ns_, stable_since_ns_);
  if (now.ns - quiet_since >= p.liveness_window.ns)
    violated("liveness", "no request completed for " + format_readable(Duration{now.ns - last_progress_ns_}) +
                             " although the network has been stable since " + format_readable(Duration{stable_since_ns_}) +
                             ", " + std::to_string(faulty) + " replica(s) are faulty (f = " + std::to_string(p.f()) +
                             ") and a client waits within a quorum of correct replicas; " + replica_states());
}

// "r0 view 3 executed 120 stable 112; r1 changing to view 4 ..." for failure reports.
std::string PbftModule::replica_states() const {
  std::string out;
  for (NodeId r = 0; r < params().replicas; ++r) {
    const Replica& rep = nodes()[r].replica;
    out += (r ? "; r" : "r") + std::to_string(r) + (sim().is_up(r) ? "" : " (down)") +
           (rep.in_view_change() ? " changing to view " : " view ") + std::to_string(rep.view()) + " executed " +
           std::to_string(rep.last_executed()) + " stable " + std::to_string(rep.stable_seq()) + " waiting " +
           std::to_string(rep.waiting());
  }
  return out;
}

void PbftModule::sample(SimTime now, Metrics& m) {
  size_t log_max = 0;
  Seq executed = 0;
  for (NodeId r = 0; r < params().replicas; ++r) {
    log_max = std::max(log_max, nodes()[r].replica.log_size());
    if (!ever_faulty(r)) executed = std::max(executed, nodes()[r].replica.last_executed());
  }
  log_peak_ = std::max(log_peak_, log_max);
  m.sample("pbft_view", now, static_cast<double>(max_view_));
  m.sample("pbft_executed", now, static_cast<double>(executed));
  m.sample("pbft_log_slots_max", now, static_cast<double>(log_max));
  check_liveness(now);
}

std::vector<kv::Operation> PbftModule::history() const {
  std::vector<kv::Operation> ops;
  for (NodeId n = params().replicas; n < nodes().size(); ++n) {
    const auto& r = nodes()[n].client.workload().records();
    ops.insert(ops.end(), r.begin(), r.end());
  }
  return ops;
}

std::optional<Violation> PbftModule::finish(SimTime now, Metrics& m) {
  const Params& p = params();
  m.set_scalar("pbft_f", p.f());
  m.set_scalar("pbft_view_changes", static_cast<double>(view_changes_));
  m.set_scalar("pbft_view_change_starts", static_cast<double>(view_change_starts_));
  m.set_scalar("pbft_final_view", static_cast<double>(max_view_));
  m.set_scalar("pbft_executed_slots", static_cast<double>(agreed_.size()));
  m.set_scalar("pbft_state_transfers", static_cast<double>(state_transfers_));
  m.set_scalar("pbft_log_slots_peak", static_cast<double>(log_peak_));
  m.set_scalar("pbft_batches", static_cast<double>(batches_));
  const double batch = batches_ ? static_cast<double>(batched_requests_) / static_cast<double>(batches_) : 0;
  m.set_scalar("pbft_mean_batch", batch);
  static const char* kTypeNames[] = {"request", "reply", "pre_prepare", "prepare", "commit", "checkpoint",
                                     "view_change", "new_view", "fetch_state", "state_reply", "fetch_new_view",
                                     "fetch_committed", "commit_proof", "fetch_view_change"};
  static_assert(std::size(kTypeNames) == std::variant_size_v<Message>);
  for (size_t t = 0; t < std::size(kTypeNames); ++t)
    m.set_scalar(std::string("pbft_sent_") + kTypeNames[t], static_cast<double>(sent_by_type_[t]));

  service_.client_retries = 0;
  for (NodeId n = 0; n < nodes().size(); ++n) {
    if (p.is_replica(n)) {
      const Replica& r = nodes()[n].replica;
      m.node_summary(n, "pbft_view", static_cast<double>(r.view()));
      m.node_summary(n, "pbft_last_executed", static_cast<double>(r.last_executed()));
      m.node_summary(n, "pbft_stable_checkpoint", static_cast<double>(r.stable_seq()));
      m.node_summary(n, "pbft_log_slots", static_cast<double>(r.log_size()));
      m.node_summary(n, "pbft_faulty", ever_faulty(n) ? 1 : 0);
    } else {
      service_.client_retries += nodes()[n].client.retransmissions();
      m.node_summary(n, "ops_completed", static_cast<double>(nodes()[n].client.workload().completed()));
    }
  }
  if (batch > 0) {
    // The paper's normal case per request, for comparison: the request, n replies, and per
    // batch a pre-prepare to n-1 backups, a prepare from each backup and a commit from
    // each replica to the n-1 others, and a checkpoint round every K batches.
    const double n = p.replicas;
    const double per_batch = (n - 1) + (n - 1) * (n - 1) + n * (n - 1) + n * (n - 1) / p.checkpoint_interval;
    m.set_scalar("pbft_normal_case_messages_per_op", 1 + n + per_batch / batch);
  }
  if (read_only_view_) {
    // Reported only beside a module that offers read-only state, so other runs are unchanged.
    uint64_t given_up = 0;
    for (NodeId n = p.replicas; n < nodes().size(); ++n) given_up += nodes()[n].client.given_up_read_only();
    m.set_scalar("pbft_write_batches", static_cast<double>(writes_proposed_));
    m.set_scalar("pbft_write_batches_read_only", static_cast<double>(writes_proposed_read_only_));
    m.set_scalar("kv_writes_refused_read_only", static_cast<double>(writes_refused_read_only_));
    m.set_scalar("kv_writes_given_up_read_only", static_cast<double>(given_up));
  }

  return kv::report_history(history(), "pbft", now, p.workload, sim().network().counters(), service_, m);
}

}  // namespace meshsim::pbft

namespace meshsim::pbft {

std::vector<MetricInfo> PbftModule::metrics() const {
  std::vector<MetricInfo> out = {
      {"pbft_f", "faults tolerated: (replicas - 1) / 3"},
      {"pbft_view_changes", "views a correct replica entered after view 0"},
      {"pbft_view_change_starts", "view changes correct replicas started"},
      {"pbft_final_view", "the highest view a correct replica entered"},
      {"pbft_executed_slots", "sequence numbers some correct replica executed"},
      {"pbft_state_transfers", "states replicas installed from others"},
      {"pbft_log_slots_peak", "most log slots a replica held at a sample"},
      {"pbft_batches", "batches primaries proposed"},
      {"pbft_mean_batch", "requests per proposed batch"},
      {"pbft_sent_*", "messages sent per type: request, reply, pre_prepare, prepare, commit, checkpoint, view_change, "
                      "new_view, fetch_state, state_reply, fetch_new_view, fetch_committed, commit_proof, fetch_view_change"},
      {"pbft_write_batches", "with membership: pre-prepares carrying a put or cas that primaries proposed"},
      {"pbft_write_batches_read_only", "with membership: such pre-prepares proposed by a primary whose node was read-only (each fails the run)"},
      {"kv_writes_refused_read_only", "with membership: writes a read-only replica refused (one per refusal sent)"},
      {"kv_writes_given_up_read_only", "with membership: writes clients gave up after f+1 replicas refused them read-only"},
      {"pbft_normal_case_messages_per_op", "the paper's normal-case message count per request, for messages_per_op"},
      {"pbft_commit_participation", "share of replicas whose commit counted, per retired slot", MetricKind::histogram},
      {"pbft_quorum_correct_share", "share of correct replicas in each commit quorum", MetricKind::histogram},
      {"pbft_checkpoint_stabilisation_ns", "a checkpoint's first taking to its becoming stable", MetricKind::histogram},
      {"pbft_view", "the highest view a correct replica entered, over time", MetricKind::series},
      {"pbft_executed", "the highest sequence number a correct replica executed, over time", MetricKind::series},
      {"pbft_log_slots_max", "most log slots a replica holds, over time", MetricKind::series},
      {"pbft_view", "the replica's view at the end", MetricKind::node},
      {"pbft_last_executed", "the replica's last executed sequence number", MetricKind::node},
      {"pbft_stable_checkpoint", "the replica's stable checkpoint", MetricKind::node},
      {"pbft_log_slots", "log slots the replica holds at the end", MetricKind::node},
      {"pbft_faulty", "1 when the replica was Byzantine at some time", MetricKind::node},
  };
  const auto& workload = kv::workload_metrics();
  out.insert(out.end(), workload.begin(), workload.end());
  return out;
}

}  // namespace meshsim::pbft
