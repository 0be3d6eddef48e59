#include "protocols/raft/raft_module.h"

#include <algorithm>

#include "protocols/kv/history_report.h"
#include "sim/scenario/config_section.h"
#include "sim/simulation.h"

namespace meshsim::raft {

RaftModule::RaftModule(Params params, std::string size_error, std::string read_only_bug_error)
    : Base(std::move(params)), size_error_(std::move(size_error)), read_only_bug_error_(std::move(read_only_bug_error)) {}

Node RaftModule::make_node(NodeId n) {
  Node node;
  node.is_server = params().is_server(n);
  return node;
}

void RaftModule::on_attach() {
  if (sim().node_count() < params().servers)
    throw ScenarioError(size_error_.empty() ? "protocol.servers: more servers than nodes" : size_error_);
  // Every module of the run exists before any is attached, so a module listed after this
  // one is found here too (provides() needs no attached state).
  read_only_view_ = sim().find_interface<ReadOnlyView>();
  if (!read_only_view_ && params().bug == Bug::ignore_read_only)
    throw ScenarioError(read_only_bug_error_.empty() ? "protocol.bug: ignore-read-only needs a module providing read-only state (membership)" : read_only_bug_error_);
  checker_ = SafetyChecker(params().servers);
  commit_seen_.assign(params().servers, 0);
}

void RaftModule::start(NodeId n) {
  Base::start(n);
  after_step(n);
}
void RaftModule::deliver(NodeId to, NodeId from, uint32_t slot) {
  if (read_only_view_ && params().is_server(to)) node_state(to).server.set_read_only(read_only(to));
  Base::deliver(to, from, slot);
  after_step(to);
}
void RaftModule::timer(NodeId n, TimerId id) {
  Base::timer(n, id);
  after_step(n);
}

void RaftModule::crash(NodeId n) {
  if (params().is_server(n)) {
    commit_seen_[n] = 0;  // a recovered server re-learns its commit index from zero
    checker_.on_not_leader(n);
    if (n == leader_) {
      service_.downtime.begin(sim().now());
      begin_leader_loss(sim().now());
      leader_ = kNoNode;
    }
  }
  Base::crash(n);
}

bool RaftModule::apply_action(std::string_view action, const NodeSet& nodes) {
  ConfigOp op = action == "add-server" ? ConfigOp::add : action == "remove-server" ? ConfigOp::remove : ConfigOp::none;
  if (op == ConfigOp::none) return false;
  nodes.for_each([&](NodeId n) {
    if (params().is_server(n)) config_pending_.push_back(ConfigRequest{op, n});
  });
  offer_config_change();
  return true;
}

// Hands the oldest pending change to the leader of the highest term. A leader refuses
// while its previous change is uncommitted or before it has committed in its term; the
// offer is then repeated when a leader commits or is elected.
void RaftModule::offer_config_change() {
  config_retry_ = false;
  if (config_pending_.empty()) return;
  std::vector<NodeId> leaders = nodes_in_role("leader");
  if (leaders.empty()) return;
  inject(leaders.front(), config_pending_.front());
}

void RaftModule::after_step(NodeId n) {
  if (config_retry_) offer_config_change();
  if (!params().is_server(n)) return;
  const Server& s = nodes()[n].server;
  if (s.role() != Role::leader) return checker_.on_not_leader(n);
  if (auto v = checker_.after_leader_step(n, s.term(), s.log())) violated("leader_append_only", *v);
}

void RaftModule::begin_leader_loss(SimTime now) {
  // A step-down that a disruption caused is part of that disruption.
  if (loss_since_ns_ < 0 && disruption_since_ns_ < 0) loss_since_ns_ = now.ns;
}

void RaftModule::end_leader_gap(SimTime now) {
  if (loss_since_ns_ >= 0) sim().metrics().histogram("raft_leader_loss_to_leader_ns").add(static_cast<double>(now.ns - loss_since_ns_));
  if (disruption_since_ns_ >= 0) sim().metrics().histogram("raft_disruption_ns").add(static_cast<double>(now.ns - disruption_since_ns_));
  loss_since_ns_ = disruption_since_ns_ = -1;
}

void RaftModule::violated(const std::string& checker, const std::string& detail) {
  sim().report_violation(Violation{sim().now(), "raft." + checker, detail});
}

void RaftModule::on_send(NodeId, const Message& m) {
  if (const auto* a = std::get_if<AppendEntries>(&m)) appended_entries_sent_ += a->entries.size();
  if (const auto* snap = std::get_if<InstallSnapshot>(&m)) snapshot_bytes_sent_ += snap->wire_bytes();
}

void RaftModule::on_note(NodeId n, uint16_t what, int64_t value) {
  const Server& s = nodes()[n].server;
  const SimTime now = sim().now();
  switch (what) {
    case kNoteWriteAccepted:
      ++writes_accepted_;
      // The checker asks the view itself, not the server's copy of it: a server that
      // ignores or misreads its node's state is what it exists to catch.
      if (read_only(n)) {
        ++read_only_writes_accepted_;
        const Entry& e = s.log().at(static_cast<Index>(value));
        violated("no_write_while_read_only",
                 "server " + std::to_string(n) + " accepted a " + kv::to_string(e.cmd.kind) + " of client " +
                     std::to_string(e.cmd.client) + " (seq " + std::to_string(e.cmd.seq) + ") at log index " +
                     std::to_string(value) + " while its node was read-only (fewer than a majority of its agreed membership live)");
      }
      return;
    case kNoteWriteRefusedReadOnly:
      ++read_only_writes_refused_;
      return;
    case kNoteStaleRead:
      ++read_only_stale_reads_;
      return;
    case kNoteElectionStarted:
      ++elections_;
      max_term_ = std::max<Term>(max_term_, static_cast<Term>(value));
      // Someone stopped hearing from the leader: the loss is detected now (a crash was
      // already counted from the moment it happened).
      if (leader_ != kNoNode && static_cast<Term>(value) > leader_term_) {
        service_.downtime.begin(now);
        // An election against a leader still in place: a disruption, timed apart from a
        // leader's loss (a crash or step-down) so neither figure hides the other.
        if (loss_since_ns_ < 0 && disruption_since_ns_ < 0) {
          disruption_since_ns_ = now.ns;
          ++disruptions_;
        }
      }
      break;
    case kNoteBecameLeader: {
      if (auto v = checker_.on_became_leader(n, static_cast<Term>(value), s.log()))
        return violated(v->starts_with("election") ? "election_safety" : "leader_completeness", *v);
      if (first_leader_ns_ < 0) first_leader_ns_ = now.ns;
      service_.downtime.end(now);
      end_leader_gap(now);
      if (leader_ != n || leader_term_ != static_cast<Term>(value)) ++leader_changes_;
      leader_ = n;
      leader_term_ = static_cast<Term>(value);
      max_term_ = std::max(max_term_, leader_term_);
      sim().metrics().log(now, "raft.leader", "server " + std::to_string(n) + " leads term " + std::to_string(value));
      if (!config_pending_.empty()) config_retry_ = true;
      break;
    }
    case kNoteSteppedDown:
      checker_.on_not_leader(n);
      sim().metrics().log(now, "raft.step-down", "server " + std::to_string(n) + " stops leading term " + std::to_string(value));
      if (n == leader_ && static_cast<Term>(value) == leader_term_) {
        service_.downtime.begin(now);
        begin_leader_loss(now);
        leader_ = kNoNode;
      }
      break;
    case kNoteLogAppended:
      if (auto v = checker_.on_log_written(n, s.log(), static_cast<Index>(value))) violated("log_matching", *v);
      break;
    case kNoteCommitted:
      if (auto v = checker_.on_committed(n, s.term(), s.log(), commit_seen_[n] + 1, static_cast<Index>(value)))
        return violated("state_machine_safety", *v);
      commit_seen_[n] = static_cast<Index>(value);
      if (!config_pending_.empty() && s.role() == Role::leader) config_retry_ = true;
      break;
    case kNoteApplied:
      if (auto v = checker_.on_applied(n, s.log(), static_cast<Index>(value))) violated("state_machine_safety", *v);
      break;
    case kNoteCommitLatency:
      sim().metrics().histogram("raft_commit_latency_ns").add(static_cast<double>(value));
      last_commit_latency_ns_ = value;
      break;
    case kNoteCommitLatencyDisk:
      // Follows the entry's kNoteCommitLatency (server.cpp, maybe_commit).
      sim().metrics().histogram("raft_commit_latency_disk_ns").add(static_cast<double>(value));
      sim().metrics().histogram("raft_commit_latency_network_ns").add(static_cast<double>(last_commit_latency_ns_ - value));
      break;
    case kNoteTruncatedCommitted:
      violated("state_machine_safety", "server " + std::to_string(n) + " was made to overwrite the entry it had "
                                       "committed at index " + std::to_string(value) + " " +
                                       describe(s.log().at(static_cast<Index>(value))));
      break;
    case kNoteSplitVote:
      ++split_votes_;
      break;
    case kNoteConfigProposed: {
      const Entry& e = s.log().at(static_cast<Index>(value));
      ++config_changes_;
      sim().metrics().log(now, "raft.config", "leader " + std::to_string(n) + " proposes " + to_string(e.config) +
                                                  " server " + std::to_string(e.server) + " at index " + std::to_string(value));
      if (!config_pending_.empty()) config_pending_.pop_front();
      config_retry_ = !config_pending_.empty();
      break;
    }
    case kNoteConfigRefused:
      ++config_refusals_;
      break;
    case kNoteSnapshotTaken:
      ++snapshots_taken_;
      sim().metrics().histogram("raft_snapshot_bytes").add(static_cast<double>(value));
      break;
    case kNoteSnapshotInstalled:
      ++snapshots_installed_;
      if (auto v = checker_.on_committed(n, s.term(), s.log(), static_cast<Index>(value), static_cast<Index>(value)))
        return violated("state_machine_safety", *v);
      commit_seen_[n] = static_cast<Index>(value);
      break;
    default:
      break;
  }
}

NodeId RaftModule::current_leader() const { return leader_; }

std::string RaftProtocol::describe(const Params&, const Message& m) {
  auto term = [](Term t) { return " term " + std::to_string(t); };
  return std::visit(
      [&](const auto& msg) -> std::string {
        using T = std::decay_t<decltype(msg)>;
        std::string out = T::kName;
        if constexpr (std::is_same_v<T, RequestVote>)
          out += term(msg.term) + " last " + std::to_string(msg.last_log_index) + "@" + std::to_string(msg.last_log_term) +
                 (msg.pre_vote ? " (pre-vote)" : "");
        else if constexpr (std::is_same_v<T, VoteReply>)
          out += term(msg.term) + (msg.granted ? " granted" : " refused") + (msg.pre_vote ? " (pre-vote)" : "");
        else if constexpr (std::is_same_v<T, AppendEntries>)
          out += term(msg.term) + " prev " + std::to_string(msg.prev_index) + "@" + std::to_string(msg.prev_term) + " entries " +
                 std::to_string(msg.entries.size()) + " commit " + std::to_string(msg.leader_commit);
        else if constexpr (std::is_same_v<T, AppendReply>)
          out += term(msg.term) + (msg.success ? " ok match " + std::to_string(msg.match_index) : " conflict");
        else if constexpr (std::is_same_v<T, InstallSnapshot>)
          out += term(msg.term) + " last " + std::to_string(msg.last_index);
        return out;
      },
      m);
}

std::string RaftModule::note_name(uint16_t what) const {
  switch (what) {
    case kNoteElectionStarted: return "election-started";
    case kNoteBecameLeader: return "became-leader";
    case kNoteSteppedDown: return "stepped-down";
    case kNoteCommitted: return "committed";
    case kNoteSplitVote: return "split-vote";
    case kNoteSnapshotInstalled: return "snapshot-installed";
    case kNoteConfigProposed: return "config-proposed";
    default: return {};  // bookkeeping for metrics, not a milestone
  }
}

// "leader term 3 commit 41 applied 41 log 42": one line for a live view or a trace.
std::string RaftModule::describe_node(NodeId n) const {
  if (!params().is_server(n)) return "client";
  const Server& s = nodes()[n].server;
  return std::string(to_string(s.role())) + " term " + std::to_string(s.term()) + " commit " +
         std::to_string(s.commit_index()) + " applied " + std::to_string(s.last_applied());
}

std::vector<NodeId> RaftModule::nodes_in_role(std::string_view role) {
  std::vector<NodeId> out;
  Term top = 0;
  for (NodeId n = 0; n < nodes().size(); ++n) {
    if (!sim().is_up(n)) continue;
    const bool server = params().is_server(n);
    const Role r = server ? nodes()[n].server.role() : Role::follower;
    if (role == "client" ? !server
        : role == "server" ? server
        : role == "leader" ? server && r == Role::leader
        : role == "follower" ? server && r == Role::follower
        : role == "candidate" ? server && (r == Role::candidate || r == Role::pre_candidate)
        : false) {
      // Several servers may believe they lead (an old leader cut off): "the leader" is the
      // one of the highest term.
      if (role == "leader") {
        Term t = nodes()[n].server.term();
        if (t < top) continue;
        if (t > top) out.clear();
        top = t;
      }
      out.push_back(n);
    }
  }
  return out;
}

bool RaftModule::majority_can_commit() {
  const Params& p = params();
  for (NodeId l = 0; l < p.servers; ++l) {
    if (!sim().is_up(l) || nodes()[l].server.role() != Role::leader) continue;
    const Server& leader = nodes()[l].server;
    uint32_t reachable = leader.is_member(l) ? 1 : 0;
    for (NodeId s = 0; s < p.servers; ++s)
      if (s != l && leader.is_member(s) && sim().is_up(s) && sim().network().can_reach(l, s) &&
          sim().network().can_reach(s, l))
        ++reachable;
    if (reachable >= leader.majority()) return true;
  }
  return false;
}

void RaftModule::sample(SimTime now, Metrics& m) {
  ++samples_;
  if (majority_can_commit()) ++available_samples_;
  m.sample("raft_term", now, static_cast<double>(max_term_));
  m.sample("raft_leader", now, leader_ == kNoNode ? -1.0 : static_cast<double>(leader_));
  m.sample("raft_committed", now, static_cast<double>(checker_.committed()));
  // Each server's own view: a lagging or partitioned server shows as a flat line.
  if (!m.node_series_enabled()) return;
  const uint32_t term_id = m.node_series_id("raft_term"), commit_id = m.node_series_id("raft_commit_index");
  for (NodeId n = 0; n < params().servers; ++n) {
    if (!Metrics::node_series_sampled(n, params().servers)) continue;
    const auto& server = nodes()[n].server;
    m.node_sample(n, term_id, now, static_cast<double>(server.term()));
    m.node_sample(n, commit_id, now, static_cast<double>(server.commit_index()));
  }
}

std::vector<kv::Operation> RaftModule::history() const {
  std::vector<kv::Operation> ops;
  for (NodeId n = params().servers; n < nodes().size(); ++n) {
    const auto& r = nodes()[n].client.workload().records();
    ops.insert(ops.end(), r.begin(), r.end());
  }
  return ops;
}

std::optional<Violation> RaftModule::finish(SimTime now, Metrics& m) {
  const Params& p = params();
  if (first_leader_ns_ >= 0) m.set_scalar("raft_time_to_first_leader_ns", static_cast<double>(first_leader_ns_));
  m.set_scalar("raft_elections", static_cast<double>(elections_));
  m.set_scalar("raft_split_votes", static_cast<double>(split_votes_));
  m.set_scalar("raft_terms", static_cast<double>(max_term_));
  m.set_scalar("raft_leader_changes", static_cast<double>(leader_changes_));
  m.set_scalar("raft_disruptions", static_cast<double>(disruptions_));
  // Created even when empty (count 0); a gap still open at the end counts to the end, as
  // unavailable_ns does.
  m.histogram("raft_leader_loss_to_leader_ns");
  m.histogram("raft_disruption_ns");
  end_leader_gap(now);
  m.set_scalar("raft_committed_entries", static_cast<double>(checker_.committed()));
  m.set_scalar("raft_entries_sent", static_cast<double>(appended_entries_sent_));
  m.set_scalar("raft_config_changes", static_cast<double>(config_changes_));
  m.set_scalar("raft_config_changes_pending", static_cast<double>(config_pending_.size()));
  m.set_scalar("raft_config_refusals", static_cast<double>(config_refusals_));
  m.set_scalar("raft_snapshots_taken", static_cast<double>(snapshots_taken_));
  m.set_scalar("raft_snapshots_installed", static_cast<double>(snapshots_installed_));
  m.set_scalar("raft_snapshot_bytes_sent", static_cast<double>(snapshot_bytes_sent_));
  if (samples_) m.set_scalar("raft_availability", static_cast<double>(available_samples_) / static_cast<double>(samples_));

  uint64_t redirects = 0, duplicates = 0;
  service_.client_retries = 0;
  for (NodeId n = 0; n < nodes().size(); ++n) {
    if (p.is_server(n)) {
      const Server& s = nodes()[n].server;
      m.node_summary(n, "raft_term", static_cast<double>(s.term()));
      m.node_summary(n, "raft_log_length", static_cast<double>(s.log().last_index()));
      m.node_summary(n, "raft_log_entries_held", static_cast<double>(s.log().entries_held()));
      m.node_summary(n, "raft_commit_index", static_cast<double>(s.commit_index()));
      duplicates = std::max(duplicates, s.store().duplicates());
      m.node_summary(n, "raft_member", s.is_member(n) ? 1 : 0);
    } else {
      const Client& c = nodes()[n].client;
      service_.client_retries += c.retries();
      redirects += c.redirects();
      m.node_summary(n, "ops_completed", static_cast<double>(c.workload().completed()));
    }
  }
  m.set_scalar("client_redirects", static_cast<double>(redirects));
  if (read_only_view_) {
    // Reported only beside a module that offers read-only state, so other runs are unchanged.
    m.set_scalar("kv_writes_accepted", static_cast<double>(writes_accepted_));
    m.set_scalar("kv_writes_accepted_read_only", static_cast<double>(read_only_writes_accepted_));
    m.set_scalar("kv_writes_refused_read_only", static_cast<double>(read_only_writes_refused_));
    m.set_scalar("kv_reads_possibly_stale", static_cast<double>(read_only_stale_reads_));
  }
  // Retried commands that reached the log twice and were answered from the session.
  m.set_scalar("kv_duplicates_suppressed", static_cast<double>(duplicates));
  return kv::report_history(history(), "raft", now, p.workload, sim().network().counters(), service_, m);
}

}  // namespace meshsim::raft

namespace meshsim::raft {

std::vector<MetricInfo> RaftModule::metrics() const {
  std::vector<MetricInfo> out = {
      {"raft_time_to_first_leader_ns", "from the start to the first leader"},
      {"raft_elections", "elections started (not pre-votes)"},
      {"raft_split_votes", "elections that timed out undecided"},
      {"raft_terms", "the highest term"},
      {"raft_leader_changes", "leaders elected"},
      {"raft_leader_loss_to_leader_ns", "from a leader's crash or step-down (not caused by a disruption) to the next leader", MetricKind::histogram},
      {"raft_disruptions", "elections started against a leader still in place (a server that stopped hearing it)"},
      {"raft_disruption_ns", "from an election started against a leader still in place to the next leader", MetricKind::histogram},
      {"raft_commit_latency_ns", "a leader's append to its commit, per entry", MetricKind::histogram},
      {"raft_commit_latency_disk_ns", "storage: the part of each commit latency spent on durable writes (the leader's own, and the majority-completing follower's)", MetricKind::histogram},
      {"raft_commit_latency_network_ns", "storage: the rest of each commit latency (raft_commit_latency_ns minus the disk part)", MetricKind::histogram},
      {"raft_availability", "share of samples at which an up leader could reach a majority of up servers both ways"},
      {"raft_committed_entries", "entries committed cluster-wide"},
      {"raft_entries_sent", "entries carried by AppendEntries"},
      {"raft_config_changes", "membership changes a leader proposed"},
      {"raft_config_changes_pending", "membership actions no leader took before the end"},
      {"raft_config_refusals", "membership changes a leader refused (one at a time)"},
      {"raft_snapshots_taken", "snapshots servers took"},
      {"raft_snapshots_installed", "snapshots followers installed from a leader"},
      {"raft_snapshot_bytes_sent", "wire bytes of InstallSnapshot messages"},
      {"raft_snapshot_bytes", "size of each snapshot taken", MetricKind::histogram},
      {"client_redirects", "replies that sent a client to another server"},
      {"kv_duplicates_suppressed", "retried commands that reached the log twice and were answered from the session"},
      {"kv_writes_accepted", "with membership: client puts and cas a leader appended to its log"},
      {"kv_writes_accepted_read_only", "with membership: writes appended by a server whose node was read-only (each fails the run)"},
      {"kv_writes_refused_read_only", "with membership: writes a read-only server refused"},
      {"kv_reads_possibly_stale", "with membership: gets a read-only server answered from its own state machine, flagged possibly stale (outside the linearizability check)"},
      {"raft_term", "the highest term, over time", MetricKind::series},
      {"raft_leader", "the leader of the highest term (-1: none), over time", MetricKind::series},
      {"raft_committed", "entries committed cluster-wide, over time", MetricKind::series},
      {"raft_term", "the server's term at the end", MetricKind::node},
      {"raft_log_length", "the server's last log index", MetricKind::node},
      {"raft_log_entries_held", "entries the server holds after its snapshot", MetricKind::node},
      {"raft_commit_index", "the server's commit index", MetricKind::node},
      {"raft_member", "1 when the server is in its own configuration", MetricKind::node},
      {"raft_term", "the server's term, over time", MetricKind::node_series},
      {"raft_commit_index", "the server's commit index, over time", MetricKind::node_series},
  };
  const auto& workload = kv::workload_metrics();
  out.insert(out.end(), workload.begin(), workload.end());
  return out;
}

}  // namespace meshsim::raft
