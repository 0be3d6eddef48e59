#include "protocols/membership/membership_module.h"

#include <algorithm>
#include <bit>
#include <cassert>

#include "protocols/membership/config_common.h"
#include "sim/errors.h"
#include "sim/simulation.h"

namespace meshsim::membership {

namespace {

std::string node_name(NodeId n) { return "node " + std::to_string(n); }

// Says "accuser suspects X" in the Byzantine node's own name for a few members it knows to
// be alive, on every probe it sends. It reads only its own node's list (as a real liar
// would) and cannot sign accusations for anyone else.
class AccuseBehavior : public ByzantineRewriter<Message> {
 public:
  explicit AccuseBehavior(const MembershipModule& module) : module_(module) {}
  void rewrite(const NodeView& v, Outbox<Message>& out) override {
    const MemberNode& self = module_.nodes()[v.self];
    for (auto& s : out.sends()) {
      Updates* updates = std::visit(
          [](auto& m) -> Updates* {
            if constexpr (requires { m.updates; }) return &m.updates;
            else return nullptr;
          },
          s.msg);
      if (!updates) continue;
      for (int i = 0; i < 2; ++i) {
        NodeId victim = static_cast<NodeId>(v.rng->below(v.node_count));
        if (victim == v.self || self.status_of(victim) != Status::alive) continue;
        updates->push_back(Update{victim, self.incarnation_of(victim), UpdateKind::suspect, v.self});
      }
    }
  }

 private:
  const MembershipModule& module_;
};

// Never answers a probe, yet stays alive and refutes every suspicion with a higher
// incarnation (SWIM §4.2 lets it): a member that is useless but can never be evicted.
class EternalRefuterBehavior : public ByzantineRewriter<Message> {
 public:
  void rewrite(const NodeView&, Outbox<Message>& out) override {
    std::erase_if(out.sends(), [](const auto& s) { return std::holds_alternative<Ack>(s.msg); });
  }
};

}  // namespace

MembershipModule::MembershipModule(Params params, std::string seed_error)
    : Base(std::move(params)), seed_error_(std::move(seed_error)) {}

void MembershipModule::on_attach() {
  Simulation& sim = this->sim();
  const uint32_t n = sim.node_count();
  check_seeds_exist(params().seeds, n, seed_error_);
  targets_.assign(n, Target{});
  up_since_ns_.assign(n, -1);
  disturbed_.assign(n, 0);
  byzantine_ever_.assign(n, 0);
  byzantine_count_ = 0;
  read_only_since_ns_.assign(n, -1);
  read_only_node_ns_.assign(n, 0);
  read_only_ns_ = 0;
  read_only_episodes_ = 0;
  const Params& p = params();
  // README.md, "Completeness": q probes that fail (about q periods with each node probing
  // one member a period), dissemination of the accusations (λ·log n piggyback rounds), the
  // suspicion timeout, and push-pull rounds for nodes the piggybacking missed.
  const int64_t log_n = std::bit_width(n + 1u);
  bound_ = p.completeness_bound.ns > 0
               ? p.completeness_bound
               : p.suspicion_timeout + p.ping_timeout + p.period * (4 * p.quorum + 4 * log_n + 10) +
                     p.sync_interval * (log_n + 2);
  schedule_disturbs_ = false;
  for (const FaultSpec& f : sim.faults())
    if (f.kind == FaultKind::pause || f.kind == FaultKind::partition || f.kind == FaultKind::isolate ||
        f.kind == FaultKind::degrade || f.kind == FaultKind::drift)
      schedule_disturbs_ = true;
}

void MembershipModule::begin_life(NodeId n) {
  Target& t = targets_[n];
  t = Target{};
  t.started_ns = sim().now().ns;
  up_since_ns_[n] = sim().now().ns;
}

void MembershipModule::went_down(NodeId n) {
  if (read_only_since_ns_[n] >= 0) {
    read_only_ns_ += static_cast<double>(sim().now().ns - read_only_since_ns_[n]);
    read_only_node_ns_[n] += sim().now().ns - read_only_since_ns_[n];
    read_only_since_ns_[n] = -1;
  }
  targets_[n].down_at_ns = sim().now().ns;
  up_since_ns_[n] = -1;
  disturbed_[n] = 1;
}

void MembershipModule::start(NodeId n) {
  begin_life(n);
  Base::start(n);
}

void MembershipModule::crash(NodeId n) {
  went_down(n);
  Base::crash(n);
}

void MembershipModule::leave(NodeId n) {
  went_down(n);
  Base::leave(n);
}

void MembershipModule::before_leave(NodeId n) {
  if (params().leave_fanout == 0) return;
  step_node(n, [](MemberNode& node, const Params& p, const NodeView& v, MemberOutbox& out) { node.announce_leave(p, v, out); });
  ++graceful_leaves_;
}

void MembershipModule::join(NodeId n) { Base::join(n); }

// A rejoining node speaks at a higher incarnation than its previous life (crash() raised it
// when it left): a fresh node at 0 would be ignored as stale by every node that buried it.
MemberNode MembershipModule::make_node(NodeId n) {
  return MemberNode(n < nodes().size() ? nodes()[n].incarnation() : 0);
}

bool MembershipModule::set_byzantine(NodeId n, const ByzantineSpec& spec) {
  bool known = Base::set_byzantine(n, spec);
  if (known && !byzantine_ever_[n]) {
    byzantine_ever_[n] = 1;
    ++byzantine_count_;
  }
  return known;
}

std::unique_ptr<ByzantineRewriter<Message>> MembershipModule::make_byzantine(const ByzantineSpec& spec) {
  if (spec.behavior == "accuse") return std::make_unique<AccuseBehavior>(*this);
  if (spec.behavior == "eternal-refuter") return std::make_unique<EternalRefuterBehavior>();
  return nullptr;
}

std::vector<NodeId> MembershipModule::nodes_in_role(std::string_view role) {
  std::vector<NodeId> out;
  const auto& seeds = params().seeds;
  for (NodeId n = 0; n < sim().node_count(); ++n) {
    if (!sim().is_up(n)) continue;
    const bool seed = std::find(seeds.begin(), seeds.end(), n) != seeds.end();
    if ((role == "seed") == seed) out.push_back(n);
  }
  return out;
}

const void* MembershipModule::provides(const std::type_info& t) const {
  if (t == typeid(FailureDetectorView)) return static_cast<const FailureDetectorView*>(this);
  if (t == typeid(ReadOnlyView)) return static_cast<const ReadOnlyView*>(this);
  return nullptr;
}

bool MembershipModule::suspects(NodeId self, NodeId peer) const {
  Status s = nodes()[self].status_of(peer);
  return s == Status::suspect || s == Status::failed;
}

std::vector<NodeId> MembershipModule::live_peers(NodeId self) const {
  std::vector<NodeId> out;
  const MemberNode& node = nodes()[self];
  for (NodeId p = 0; p < sim().node_count(); ++p)
    if (p != self && node.status_of(p) == Status::alive) out.push_back(p);
  return out;
}

std::string MembershipModule::describe_node(NodeId n) const {
  const MemberNode& node = nodes()[n];
  if (!node.joined()) return "joining";
  return std::string("member inc ") + std::to_string(node.incarnation()) + ", " + std::to_string(node.live_count()) +
         " live in view";
}

uint32_t MembershipModule::up_count() const {
  uint32_t up = 0;
  for (NodeId n = 0; n < sim().node_count(); ++n) up += sim().is_up(n);
  return up;
}

bool MembershipModule::accuracy_armed() const {
  const Params& p = params();
  if (!p.check_accuracy || p.quorum < 2 || byzantine_count_ >= p.quorum || schedule_disturbs_) return false;
  const NetworkCounters& c = sim().network().counters();
  return c.lost_loss == 0 && c.lost_partition == 0 && c.lost_queue == 0;
}

void MembershipModule::on_note(NodeId n, uint16_t what, int64_t value) {
  Simulation& sim = this->sim();
  const NodeId member = static_cast<NodeId>(value);
  const int64_t now = sim.now().ns;
  Metrics& m = sim.metrics();
  switch (what) {
    case kNoteAccused: {
      ++accusations_;
      Target& t = targets_[member];
      if (t.down_at_ns >= 0 && !t.suspected && honest(n)) {
        t.suspected = true;
        m.histogram("membership_detect_suspicion_ns").add(static_cast<double>(now - t.down_at_ns));
      }
      break;
    }
    case kNoteFailed: {
      ++confirmed_;
      Target& t = targets_[member];
      if (t.down_at_ns < 0) {
        // Declared failed while up: a false positive (accuracy is measured, SWIM §5).
        if (honest(n) && honest(member)) ++false_positives_;
        if (!accuracy_violation_ && accuracy_armed() && honest(n) && honest(member) && !disturbed_[member])
          accuracy_violation_ = Violation{
              sim.now(), "membership.quorum_accuracy",
              node_name(n) + " declared healthy " + node_name(member) + " failed, with quorum " +
                  std::to_string(params().quorum) + " and only " + std::to_string(byzantine_count_) +
                  " Byzantine nodes, no loss, partition, pause or degraded link"};
        break;
      }
      if (!honest(n)) break;
      if (!t.confirmed) {
        t.confirmed = true;
        m.histogram("membership_detect_failure_ns").add(static_cast<double>(now - t.down_at_ns));
      }
      ++t.failed_by;
      if (!t.all_know && t.failed_by >= cached_up_ && t.failed_by >= up_count()) {
        t.all_know = true;
        m.histogram("membership_detect_all_ns").add(static_cast<double>(now - t.down_at_ns));
      }
      break;
    }
    case kNoteLearned: {
      Target& t = targets_[member];
      if (t.started_ns < 0 || t.down_at_ns >= 0) break;
      ++t.known_by;
      const uint32_t others = cached_up_ > 0 ? cached_up_ - 1 : 0;
      if (!t.known_99 && others > 0 && t.known_by * 100 >= others * 99) {
        t.known_99 = true;
        m.histogram("membership_join_time_99_ns").add(static_cast<double>(now - t.started_ns));
      }
      if (!t.known_all && others > 0 && t.known_by >= others && t.known_by >= up_count() - 1) {
        t.known_all = true;
        m.histogram("membership_join_time_100_ns").add(static_cast<double>(now - t.started_ns));
      }
      break;
    }
    case kNoteRefuted:
      ++refutations_;
      break;
    case kNoteJoined:
      break;
    case kNoteReadOnly:
      if (value == 1 && read_only_since_ns_[n] < 0) {
        read_only_since_ns_[n] = now;
        ++read_only_episodes_;
      } else if (value == 0 && read_only_since_ns_[n] >= 0) {
        read_only_ns_ += static_cast<double>(now - read_only_since_ns_[n]);
        read_only_node_ns_[n] += now - read_only_since_ns_[n];
        read_only_since_ns_[n] = -1;
      }
      break;
    default:
      assert(false && "unknown membership note");
  }
}

void MembershipModule::on_send(NodeId, const Message& msg) {
  ++sent_messages_;
  sent_bytes_ += std::visit([](const auto& x) { return x.wire_bytes(); }, msg);
}

void MembershipModule::sample(SimTime now, Metrics& m) {
  cached_up_ = up_count();
  for (NodeId n = 0; n < sim().node_count(); ++n)
    if (sim().node_state(n) == NodeState::paused) disturbed_[n] = 1;
  // Convergence: the share of up nodes whose view holds exactly the up nodes as live.
  uint32_t converged = 0;
  for (NodeId n = 0; n < sim().node_count(); ++n)
    if (sim().is_up(n) && nodes()[n].live_count() == cached_up_) ++converged;
  m.sample("membership_converged", now, cached_up_ ? static_cast<double>(converged) / cached_up_ : 0.0);
  // "Every live node knows": the note count in on_note can miss the moment when the last
  // holdout was a node that went down since; the scan here catches it a sample later.
  for (NodeId p = 0; p < sim().node_count(); ++p) {
    Target& t = targets_[p];
    if (t.down_at_ns < 0 || t.all_know || sim().is_up(p)) continue;
    bool all = true;
    for (NodeId v = 0; v < sim().node_count() && all; ++v) {
      if (v == p || !sim().is_up(v) || !honest(v)) continue;
      const Status s = nodes()[v].status_of(p);
      all = s == Status::failed || s == Status::left;
    }
    if (all) {
      t.all_know = true;
      m.histogram("membership_detect_all_ns").add(static_cast<double>(now.ns - t.down_at_ns));
    }
  }
  uint32_t read_only_now = 0;
  for (NodeId n = 0; n < sim().node_count(); ++n) read_only_now += read_only_since_ns_[n] >= 0;
  m.sample("membership_read_only", now, cached_up_ ? static_cast<double>(read_only_now) / cached_up_ : 0.0);
  if (converged != cached_up_) converged_since_ns_ = -1;
  else if (converged_since_ns_ < 0) converged_since_ns_ = now.ns;
}

std::optional<Violation> MembershipModule::check(SimTime) { return accuracy_violation_; }

std::optional<Violation> MembershipModule::finish(SimTime now, Metrics& m) {
  Simulation& sim = this->sim();
  const uint32_t n = sim.node_count();
  const double seconds = static_cast<double>(now.ns) / 1e9;
  const double hours = seconds / 3600.0;
  m.set_scalar("membership_false_positives", static_cast<double>(false_positives_));
  m.set_scalar("membership_false_positives_per_node_hour",
               n && hours > 0 ? static_cast<double>(false_positives_) / n / hours : 0.0);
  double read_only_ns = read_only_ns_;
  uint32_t read_only_at_end = 0;
  for (NodeId v = 0; v < n; ++v)
    if (read_only_since_ns_[v] >= 0) {
      read_only_node_ns_[v] += now.ns - read_only_since_ns_[v];
      read_only_ns += static_cast<double>(now.ns - read_only_since_ns_[v]);
      ++read_only_at_end;
    }
  // Each node's share of the run spent read-only (an even sample of 10,000 nodes above that).
  for (NodeId v = 0; v < n; ++v)
    if (Metrics::evenly_sampled(v, n, 10'000))
      m.node_summary(v, "read_only_share", now.ns > 0 ? static_cast<double>(read_only_node_ns_[v]) / static_cast<double>(now.ns) : 0.0);
  m.set_scalar("membership_read_only_share", n && now.ns > 0 ? read_only_ns / n / static_cast<double>(now.ns) : 0.0);
  m.set_scalar("membership_read_only_episodes", static_cast<double>(read_only_episodes_));
  m.set_scalar("membership_read_only_at_end", read_only_at_end);
  m.set_scalar("membership_accusations", static_cast<double>(accusations_));
  m.set_scalar("membership_refutations", static_cast<double>(refutations_));
  m.set_scalar("membership_graceful_leaves", static_cast<double>(graceful_leaves_));
  m.set_scalar("membership_failures_confirmed", static_cast<double>(confirmed_));
  m.set_scalar("membership_messages_per_node_per_s", n && seconds > 0 ? static_cast<double>(sent_messages_) / n / seconds : 0.0);
  m.set_scalar("membership_bytes_per_node_per_s", n && seconds > 0 ? static_cast<double>(sent_bytes_) / n / seconds : 0.0);
  // Partition recovery: the scenario's heal time subtracted from this is the recovery time.
  if (converged_since_ns_ >= 0) m.set_scalar("membership_converged_since_ns", static_cast<double>(converged_since_ns_));
  m.set_scalar("membership_completeness_bound_ns", static_cast<double>(bound_.ns));
  uint32_t joined = 0, up = 0;
  for (NodeId v = 0; v < n; ++v)
    if (sim.is_up(v)) {
      ++up;
      joined += nodes()[v].joined();
    }
  m.set_scalar("membership_joined_share", up ? static_cast<double>(joined) / up : 0.0);
  uint32_t byzantine_alive_in_views = 0;
  for (NodeId b = 0; b < n; ++b) {
    if (!byzantine_ever_[b]) continue;
    for (NodeId v = 0; v < n; ++v)
      if (sim.is_up(v) && honest(v) && nodes()[v].status_of(b) == Status::alive) ++byzantine_alive_in_views;
  }
  m.set_scalar("membership_byzantine_in_views", byzantine_alive_in_views);

  // Completeness (README.md): a member down for longer than the bound is held failed (or
  // left) by every honest node that was up the whole time since it went down.
  uint32_t undetected = 0;
  std::optional<Violation> violation;
  for (NodeId p = 0; p < n; ++p) {
    const Target& t = targets_[p];
    if (t.down_at_ns < 0 || sim.is_up(p) || now.ns - t.down_at_ns < bound_.ns) continue;
    // A life no other node ever learned of was never a member, so nobody owes it a verdict:
    // under churn a node can join while a partition cuts it off from every seed and fail
    // for good before the heal (churn_chaos.toml, seed 86), and every node rightly holds it
    // unknown.
    if (t.known_by == 0) continue;
    for (NodeId v = 0; v < n; ++v) {
      if (v == p || !sim.is_up(v) || !honest(v) || up_since_ns_[v] < 0 || up_since_ns_[v] > t.down_at_ns) continue;
      const Status s = nodes()[v].status_of(p);
      if (s == Status::failed || s == Status::left) continue;
      ++undetected;
      if (!violation && params().check_completeness)
        violation = Violation{now, "membership.completeness",
                              node_name(p) + " went down at " + format_readable(Duration{t.down_at_ns}) + ", " +
                                  format_readable(Duration{now.ns - t.down_at_ns}) + " ago (bound " +
                                  format_readable(bound_) + "), yet up " + node_name(v) + " still holds it " +
                                  (s == Status::suspect ? "suspect with " + std::to_string(nodes()[v].accusers_of(p)) + " accusers"
                                                        : s == Status::alive ? "alive" : "unknown")};
    }
  }
  m.set_scalar("membership_undetected_pairs", undetected);
  if (accuracy_violation_) return accuracy_violation_;
  return violation;
}

}  // namespace meshsim::membership
