#include "protocols/attention/attention_module.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "protocols/attention/byzantine.h"
#include "protocols/attention/centrality.h"
#include "protocols/attention/workload.h"
#include "sim/simulation.h"

namespace meshsim::attention {

void AttentionModule::build_context() {
  const Params& p = params();
  auto c = std::make_shared<Context>(Context{sim().seed(), Embedder(sim().seed(), p.dim, p.lengthscale),
                                             make_projections(sim().seed(), p.dim, p.heads, p.projection), {}});
  if (p.variant == Variant::graph_rope) {
    const uint32_t n = sim().node_count();
    std::vector<std::pair<uint32_t, uint32_t>> edges;
    for (NodeId a = 0; a < n; ++a)
      for (NodeId b : sim().neighbors(a))
        if (a < b) edges.emplace_back(a, b);
    const Centralities cent = compute_centralities(n, edges);
    const double max_b = std::max(1e-12, *std::max_element(cent.betweenness.begin(), cent.betweenness.end()));
    for (NodeId v = 0; v < n; ++v)
      c->positions.push_back(graph_positional_encoding(p.dim, cent.degree[v], 100.0 * cent.betweenness[v] / max_b, p.rope_scale));
  }
  context_ = std::move(c);
}

Node AttentionModule::make_node(NodeId) {
  // attach() makes the nodes before on_attach(), so the context is built at the first node.
  if (!context_ || context_->seed != sim().seed()) build_context();
  if (byzantine_ever_.size() != sim().node_count()) {
    byzantine_ever_.assign(sim().node_count(), false);
    rounds_.clear();
  }
  return Node(context_, sim().node_count());
}

bool AttentionModule::set_byzantine(NodeId n, const ByzantineSpec& spec) {
  if (!NodeModule<Protocol>::set_byzantine(n, spec)) return false;
  if (n < byzantine_ever_.size()) byzantine_ever_[n] = true;
  return true;
}

std::unique_ptr<ByzantineRewriter<Message>> AttentionModule::make_byzantine(const ByzantineSpec& spec) {
  if (!context_) build_context();
  return make_attention_byzantine(spec.behavior, params(), context_);
}

std::vector<std::string> AttentionModule::protocol_byzantine_behaviors() const { return attention_byzantine_behaviors(); }

void AttentionModule::on_send(NodeId, const Message& m) {
  ++messages_;
  bytes_ += std::get<Proposal>(m).wire_bytes();
}

void AttentionModule::on_note(NodeId n, uint16_t what, int64_t value) {
  const uint32_t round = static_cast<uint32_t>(value);
  if (what == kNoteLate) {
    ++late_;
    return;
  }
  if (!correct(n)) return;  // a Byzantine node's own proposals and decisions are not measured
  RoundRecord& rec = rounds_[round];
  if (what == kNoteProposed) {
    ++rec.proposers;
    rec.correct_proposals.push_back(honest_proposal(sim().seed(), params(), round, n));
    return;
  }
  const Decision& d = nodes()[n].last_decision();
  rec.decisions.push_back(d.value);
  ++decisions_;
  multiply_adds_ += d.multiply_adds;
  sim().metrics().histogram("attention_decide_ns").add(static_cast<double>(d.latency_ns));
  // Detection, judged against who was Byzantine by the time of the decision: a flagged
  // Byzantine peer is a true flag, a flagged correct peer a false one, an unflagged
  // Byzantine peer whose proposal was held a miss.
  for (NodeId peer : d.held) {
    if (peer == n) continue;
    const bool flagged = std::binary_search(d.flagged.begin(), d.flagged.end(), peer);
    if (flagged && !correct(peer)) ++true_flags_;
    else if (flagged) ++false_flags_;
    else if (!correct(peer)) ++missed_;
  }
}

std::optional<Violation> AttentionModule::finish(SimTime now, Metrics& m) {
  const Params& p = params();
  const uint32_t steps = p.variant == Variant::gossip ? p.gossip_steps + 1 : 1;
  uint32_t rounds = 0, agreed = 0, valid = 0, decided_rounds = 0;
  uint64_t correct_decisions = 0, proposals = 0;
  double distance_sum = 0;
  for (const auto& [round, rec] : rounds_) {
    // A round whose last deadline falls after the end was cut short: not measured.
    if (static_cast<int64_t>(round) * p.round_interval.ns + steps * p.round_deadline.ns > now.ns) continue;
    ++rounds;
    proposals += rec.proposers;
    correct_decisions += rec.decisions.size();
    const SimTime at{static_cast<int64_t>(round) * p.round_interval.ns};
    if (rec.decisions.empty()) {
      m.sample("attention_round_agreement", at, 0);
      m.sample("attention_round_validity", at, 0);
      continue;
    }
    ++decided_rounds;
    const bool agreement = std::all_of(rec.decisions.begin(), rec.decisions.end(),
                                       [&](double v) { return v == rec.decisions.front(); });
    const bool validity = std::all_of(rec.decisions.begin(), rec.decisions.end(), [&](double v) {
      return std::find(rec.correct_proposals.begin(), rec.correct_proposals.end(), v) != rec.correct_proposals.end();
    });
    const double truth = ground_truth(sim().seed(), p, round);
    double dist = 0;
    for (double v : rec.decisions) dist += std::abs(v - truth);
    dist /= static_cast<double>(rec.decisions.size());
    agreed += agreement;
    valid += validity;
    distance_sum += dist;
    m.sample("attention_round_agreement", at, agreement);
    m.sample("attention_round_validity", at, validity);
    m.sample("attention_round_distance", at, dist);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m.set_scalar("attention_rounds", rounds);
  m.set_scalar("attention_agreement", rounds ? static_cast<double>(agreed) / rounds : nan);
  m.set_scalar("attention_validity", rounds ? static_cast<double>(valid) / rounds : nan);
  m.set_scalar("attention_decided_share", proposals ? static_cast<double>(correct_decisions) / proposals : nan);
  m.set_scalar("attention_distance_mean", decided_rounds ? distance_sum / decided_rounds : nan);
  const uint64_t flags = true_flags_ + false_flags_;
  m.set_scalar("attention_detection_precision", flags ? static_cast<double>(true_flags_) / flags : nan);
  m.set_scalar("attention_detection_recall",
               true_flags_ + missed_ ? static_cast<double>(true_flags_) / (true_flags_ + missed_) : nan);
  m.set_scalar("attention_flags_false", static_cast<double>(false_flags_));
  m.set_scalar("attention_decisions", static_cast<double>(decisions_));
  m.set_scalar("attention_late_proposals", static_cast<double>(late_));
  m.set_scalar("attention_messages_per_decision", decisions_ ? static_cast<double>(messages_) / decisions_ : nan);
  m.set_scalar("attention_bytes_per_decision", decisions_ ? static_cast<double>(bytes_) / decisions_ : nan);
  const double macs = decisions_ ? static_cast<double>(multiply_adds_) / decisions_ : nan;
  m.set_scalar("attention_multiply_adds_per_decision", macs);
  m.set_scalar("attention_cpu_ns_per_decision", macs * p.cost_per_mac_ns);
  return std::nullopt;
}

std::string AttentionModule::describe_node(NodeId n) const {
  const Decision& d = nodes()[n].last_decision();
  return "round " + std::to_string(nodes()[n].round()) + ", last decided " + std::to_string(d.value) + " (node " +
         std::to_string(d.winner) + "), flagged " + std::to_string(d.flagged.size());
}

}  // namespace meshsim::attention
