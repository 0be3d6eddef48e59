#include "protocols/gossip/gossip_module.h"

#include <algorithm>
#include <cassert>
#include <type_traits>

#include "sim/scenario/config_section.h"
#include "sim/simulation.h"

namespace meshsim::gossip {

namespace {

// Per-rumor time series cost one series each; beyond this many rumors only the mean is kept.
constexpr uint32_t kMaxPerRumorSeries = 16;
// Per-node summaries cost a row each in the results: above this many nodes an evenly spaced
// sample of this many is written, which shows the distribution as well as a million rows
// would (messages_per_node and _max still cover every node).
constexpr uint32_t kMaxNodeSummaries = 10'000;

// Smallest informed count that reaches `percent` of n nodes.
uint32_t threshold(uint32_t n, uint32_t percent) {
  return static_cast<uint32_t>((static_cast<uint64_t>(n) * percent + 99) / 100);
}

std::string format_time(int64_t ns) { return format_readable(Duration{ns}); }

double coverage(uint32_t informed, uint32_t n) { return n == 0 ? 0.0 : static_cast<double>(informed) / n; }

}  // namespace

template <class P>
BasicGossipModule<P>::BasicGossipModule(Params params, std::string origin_error)
    : Base(std::move(params)), origin_error_(std::move(origin_error)) {}

template <class P>
void BasicGossipModule<P>::on_attach() {
  Simulation& sim = this->sim();
  const Params& p = this->params();
  const uint32_t n = sim.node_count();
  // Tests may hand in a resolved schedule; scenarios give a plan that needs the node count.
  if (p.rumors->size() == 0 && p.plan.count > 0 && n > 0) {
    if (p.plan.rule == OriginRule::stride && p.plan.origin_node >= n)
      throw ScenarioError(origin_error_.empty() ? "protocol.origin_node: beyond the node count" : origin_error_);
    *p.rumors = RumorSchedule(p.plan.resolve(n, sim.seed()));
  }
  for (uint32_t r = 0; r < p.rumor_count(); ++r) assert((*p.rumors)[r].origin < n && "rumor origin out of range");
  rumors_.assign(p.rumor_count(), RumorStats{});
  sent_per_node_.assign(n, 0);
}

template <class P>
void BasicGossipModule<P>::deliver(NodeId to, NodeId from, uint32_t slot) {
  ++deliveries_;
  Base::deliver(to, from, slot);
}

template <class P>
void BasicGossipModule<P>::crash(NodeId n) {
  ++crashes_;
  // A crash silently ends the node's mongering; keep the infective counts honest.
  if constexpr (std::is_same_v<typename P::Node, GossipNode>) {
    this->nodes()[n].infective().for_each([&](uint32_t r) {
      --rumors_[r].infective;
      --infective_pairs_;
    });
  }
  Base::crash(n);
}

template <class P>
bool BasicGossipModule<P>::set_byzantine(NodeId n, const ByzantineSpec& spec) {
  bool known = Base::set_byzantine(n, spec);
  byzantine_seen_ |= known;
  return known;
}

template <class P>
void BasicGossipModule<P>::on_note(NodeId n, uint16_t what, int64_t value) {
  const uint32_t r = static_cast<uint32_t>(value);
  switch (what) {
    case kNoteInjected:
      rumors_[r].injected_at_ns = this->sim().now().ns;
      record_informed(n, r);
      break;
    case kNoteInformed:
      if (rumors_[r].injected_at_ns < 0 && !fabricated_) {
        fabricated_ = Violation{this->sim().now(), "gossip.no_fabrication",
                                "node " + std::to_string(n) + " learned rumor " + std::to_string(r) +
                                    ", which no origin has injected"};
        break;
      }
      ++receipts_;
      {
        int64_t delay = this->sim().now().ns - rumors_[r].injected_at_ns;
        delay_sum_ns_ += static_cast<double>(delay);
        delay_max_ns_ = std::max(delay_max_ns_, delay);
      }
      record_informed(n, r);
      break;
    case kNoteRedundant:
      redundant_ += static_cast<uint64_t>(value);
      break;
    case kNoteInfective:
      ++rumors_[r].infective;
      ++infective_pairs_;
      break;
    case kNoteLostInterest:
      --rumors_[r].infective;
      --infective_pairs_;
      break;
    default:
      assert(false && "unknown gossip note");
  }
}

template <class P>
void BasicGossipModule<P>::record_informed(NodeId, uint32_t r) {
  RumorStats& s = rumors_[r];
  ++s.informed;
  const uint32_t n = this->sim().node_count();
  const double since = static_cast<double>(this->sim().now().ns - s.injected_at_ns);
  // Counts only grow (the store is durable), so each threshold is crossed exactly once.
  static constexpr std::pair<uint32_t, const char*> kMarks[] = {
      {50, "coverage_time_50_ns"}, {99, "coverage_time_99_ns"}, {100, "coverage_time_100_ns"}};
  for (auto [percent, name] : kMarks)
    if (s.informed == threshold(n, percent)) this->sim().metrics().histogram(name).add(since);
}

template <class P>
void BasicGossipModule<P>::on_send(NodeId from, const Message& m) {
  ++sent_per_node_[from];
  ++sent_by_type_[m.index()];
}

template <class P>
void BasicGossipModule<P>::sample(SimTime now, Metrics& m) {
  if (rumors_.empty()) return;
  double sum = 0;
  uint32_t injected = 0;
  for (const RumorStats& s : rumors_)
    if (s.injected_at_ns >= 0) {
      sum += coverage(s.informed, this->sim().node_count());
      ++injected;
    }
  // Mean over the rumors injected so far: the epidemic curve of Demers §1.4 / Karp §2.
  m.sample("coverage", now, injected ? sum / injected : 0.0);
  if (rumors_.size() <= kMaxPerRumorSeries)
    for (uint32_t r = 0; r < rumors_.size(); ++r) m.sample("coverage_rumor_" + std::to_string(r), now, coverage(rumors_[r].informed, this->sim().node_count()));
  if (this->params().strategy == Strategy::rumor_mongering) {
    double nodes = this->sim().node_count();
    m.sample("infective", now, injected && nodes > 0 ? static_cast<double>(infective_pairs_) / nodes / injected : 0.0);
  }
  // Each node's share of the injected rumors it knows (sampled nodes only on big meshes).
  if (injected == 0 || !m.node_series_enabled()) return;
  const uint32_t id = m.node_series_id("coverage");
  const auto& nodes = this->nodes();
  const uint32_t n = this->sim().node_count();
  for (NodeId node = 0; node < n; ++node)
    if (Metrics::node_series_sampled(node, n))
      m.node_sample(node, id, now, static_cast<double>(nodes[node].known().count()) / injected);
}

template <class P>
std::optional<Violation> BasicGossipModule<P>::check(SimTime) {
  return fabricated_;
}

template <class P>
std::optional<Violation> BasicGossipModule<P>::finish(SimTime now, Metrics& m) {
  Simulation& sim = this->sim();
  const Params& p = this->params();
  const uint32_t n = sim.node_count();
  const auto& nodes = this->nodes();

  // Residue (Demers §1.4): the share of up nodes that never heard the rumor.
  uint32_t up = 0;
  std::vector<uint32_t> missing(rumors_.size(), 0);
  for (NodeId v = 0; v < n; ++v) {
    if (!sim.is_up(v)) continue;
    ++up;
    for (uint32_t r = 0; r < rumors_.size(); ++r)
      if (rumors_[r].injected_at_ns >= 0 && !nodes[v].knows(r)) ++missing[r];
  }
  uint32_t injected = 0, full = 0;
  double coverage_sum = 0, residue_sum = 0, residue_max = 0;
  for (uint32_t r = 0; r < rumors_.size(); ++r) {
    if (rumors_[r].injected_at_ns < 0) continue;
    ++injected;
    full += rumors_[r].informed == n;
    coverage_sum += coverage(rumors_[r].informed, n);
    double residue = up ? static_cast<double>(missing[r]) / up : 0.0;
    residue_sum += residue;
    residue_max = std::max(residue_max, residue);
  }
  m.set_scalar("rumors", static_cast<double>(rumors_.size()));
  m.set_scalar("rumors_injected", injected);
  m.set_scalar("rumors_not_injected", static_cast<double>(rumors_.size() - injected));
  m.set_scalar("rumors_fully_covered", full);
  m.set_scalar("coverage_final", injected ? coverage_sum / injected : 0.0);
  m.set_scalar("residue", injected ? residue_sum / injected : 0.0);
  m.set_scalar("residue_max", residue_max);
  m.set_scalar("deliveries", static_cast<double>(deliveries_));
  m.set_scalar("redundant_deliveries", static_cast<double>(redundant_));
  // Delay (Demers's t_avg and t_last): injection to first receipt, over receiving nodes.
  m.set_scalar("delivery_delay_ns_mean", receipts_ ? delay_sum_ns_ / static_cast<double>(receipts_) : 0.0);
  m.set_scalar("delivery_delay_ns_max", static_cast<double>(delay_max_ns_));

  // Traffic (Demers's m): messages sent per node.
  uint64_t sent = 0;
  uint32_t sent_max = 0;
  for (uint32_t c : sent_per_node_) {
    sent += c;
    sent_max = std::max(sent_max, c);
  }
  m.set_scalar("messages_per_node", n ? static_cast<double>(sent) / n : 0.0);
  m.set_scalar("messages_per_node_max", sent_max);
  for (size_t t = 0; t < sent_by_type_.size(); ++t)
    if (sent_by_type_[t]) m.set_scalar(std::string("messages_sent_") + P::message_names[t], static_cast<double>(sent_by_type_[t]));
  uint32_t summarised = 0;
  for (NodeId v = 0; v < n; ++v)
    if (Metrics::evenly_sampled(v, n, kMaxNodeSummaries)) {
      m.node_summary(v, "messages_sent", sent_per_node_[v]);
      ++summarised;
    }
  m.set_scalar("node_summary_nodes", summarised);

  // Flooding runs over the overlay; uniform gossip reaches any node its partition allows.
  const bool over_overlay = p.strategy == Strategy::flooding || p.peer_choice == PeerChoice::neighbors;
  std::vector<uint32_t> components = sim.connected_components(over_overlay);
  if (p.strategy == Strategy::flooding) maybe_report_expected_deliveries(m, components, injected);
  if (!p.check_delivery || !p.guarantees_delivery()) return std::nullopt;
  return check_delivery(now, components);
}

// docs/benchmarks.md, Flood: flooding delivers each rumor once over every directed edge except one
// into each non-origin node (the edge it first came in on): R * (sum of degrees - (N - 1)).
// That holds only when the overlay is connected and nothing was lost, duplicated, crashed
// or rewritten, so the scalar is reported only then.
template <class P>
void BasicGossipModule<P>::maybe_report_expected_deliveries(Metrics& m, const std::vector<uint32_t>& components,
                                                            uint32_t injected) {
  Simulation& sim = this->sim();
  const NetworkCounters& c = sim.network().counters();
  bool clean = crashes_ == 0 && !byzantine_seen_ && c.duplicated == 0 && c.lost_loss == 0 &&
               c.lost_partition == 0 && c.lost_queue == 0 && c.lost_crashed == 0;
  for (uint32_t comp : components) clean = clean && comp == components.front() && comp != kNoNode;
  if (!clean || components.empty()) return;
  uint64_t per_rumor = sim.topology().directed_edge_count() - (sim.node_count() - 1);
  m.set_scalar("expected_deliveries", static_cast<double>(injected) * static_cast<double>(per_rumor));
}

// The gossip delivery oracle (docs/architecture.md, "Checkers"). Anti-entropy (Demers §1.3) converges
// in every connected component: a component where some up node knows a rumor must end with
// every up node knowing it. Flooding delivers a rumor to its origin's component, provided
// the origin was up to send it and no Byzantine node swallowed it.
template <class P>
std::optional<Violation> BasicGossipModule<P>::check_delivery(SimTime now,
                                                              const std::vector<uint32_t>& components) {
  Simulation& sim = this->sim();
  const Params& p = this->params();
  const uint32_t n = sim.node_count();
  const auto& nodes = this->nodes();
  const bool flooding = p.strategy == Strategy::flooding;
  if (flooding && byzantine_seen_) return std::nullopt;
  auto eligible = [&](NodeId v) { return sim.is_up(v) && !this->is_byzantine(v) && components[v] != kNoNode; };

  std::vector<NodeId> witness(n, kNoNode);  // component id -> an up node that knows the rumor
  for (uint32_t r = 0; r < rumors_.size(); ++r) {
    if (rumors_[r].injected_at_ns < 0) continue;
    const NodeId origin = (*p.rumors)[r].origin;
    std::fill(witness.begin(), witness.end(), kNoNode);
    if (flooding) {
      if (!eligible(origin)) continue;
      witness[components[origin]] = origin;
    } else {
      for (NodeId v = 0; v < n; ++v)
        if (eligible(v) && nodes[v].knows(r) && witness[components[v]] == kNoNode) witness[components[v]] = v;
    }
    NodeId first_missed = kNoNode;
    uint32_t missed = 0;
    for (NodeId v = 0; v < n; ++v) {
      if (!eligible(v) || witness[components[v]] == kNoNode) continue;
      if (first_missed != kNoNode && components[v] != components[first_missed]) continue;
      if (!nodes[v].knows(r)) {
        if (first_missed == kNoNode) first_missed = v;
        ++missed;
      }
    }
    if (first_missed == kNoNode) continue;
    NodeId w = witness[components[first_missed]];
    std::string detail = "rumor " + std::to_string(r) + " (origin node " + std::to_string(origin) + ", injected at " +
                         format_time(rumors_[r].injected_at_ns) + ") never reached up node " +
                         std::to_string(first_missed) + ", although node " + std::to_string(w) +
                         (w == origin ? " (its origin)" : "") + " in the same connected component (the one containing node " +
                         std::to_string(components[first_missed]) + ") has it; " + std::to_string(missed) +
                         " up nodes of that component missed it";
    return Violation{now, "gossip.component_delivery", detail};
  }
  return std::nullopt;
}

template <class P>
std::string BasicGossipModule<P>::describe_node(NodeId n) const {
  // The first word is the node's state for a live view's colouring: who has heard a rumor.
  const auto& node = this->nodes()[n];
  const uint32_t known = node.known().count();
  if (known == 0) return "uninformed";
  std::string line = "informed " + std::to_string(known) + " of " + std::to_string(rumors_.size()) + " rumors";
  if constexpr (requires { node.infective(); }) {  // flooding nodes have no rumor-mongering state
    if (const uint32_t hot = node.infective().count()) line += " (spreading " + std::to_string(hot) + ")";
  }
  return line;
}

template class BasicGossipModule<GossipProtocol>;
template class BasicGossipModule<FloodProtocol>;

}  // namespace meshsim::gossip
