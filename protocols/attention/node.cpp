#include "protocols/attention/node.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "protocols/attention/workload.h"

namespace meshsim::attention {

void Node::start(const Params& p, const NodeView& v, Outbox<Message>& out) {
  // Rounds are aligned to multiples of round_interval, so a node that recovers mid-round
  // waits for the next one instead of proposing out of step.
  const int64_t interval = p.round_interval.ns;
  const int64_t next = (v.now.ns / interval + 1) * interval;
  out.set_timer(kRoundTimer, Duration{next - v.now.ns});
}

void Node::crash() {
  held_.clear();
  deciding_ = false;
  round_ = 0;
  step_ = 0;
}

void Node::on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out) {
  if (id == kRoundTimer) {
    const uint32_t round = static_cast<uint32_t>(v.now.ns / p.round_interval.ns);
    if (p.rounds != 0 && round > p.rounds) return;
    out.set_timer(kRoundTimer, p.round_interval);
    round_ = round;
    begin_round(p, v, out);
    return;
  }
  assert(id == kStepTimer);
  if (!deciding_) return;
  if (p.variant == Variant::gossip && step_ < p.gossip_steps) advance_gossip(p, v, out);
  else decide(p, v, out);
}

void Node::begin_round(const Params& p, const NodeView& v, Outbox<Message>& out) {
  // A round still open at the next round's start (impossible with the checked deadlines,
  // but cheap to guard) is abandoned undecided.
  deciding_ = true;
  step_ = 0;
  round_start_ns_ = v.now.ns;
  round_multiply_adds_ = 0;
  held_.clear();
  own_value_ = honest_proposal(context_->seed, p, round_, v.self);
  held_[v.self] = {own_value_, std::make_shared<const Eigen::VectorXd>(context_->embedder.embed(own_value_))};
  out.note(kNoteProposed, round_);
  broadcast(p, v, out);
  out.set_timer(kStepTimer, p.round_deadline);
}

void Node::broadcast(const Params& p, const NodeView& v, Outbox<Message>& out) {
  const Held& own = held_.at(v.self);
  Proposal msg{round_, step_, own.value, own.embedding};
  // The gossip variant talks to its overlay neighbours only; the others (and a gossip run
  // on a topology without edges) address every node.
  if (p.variant == Variant::gossip && !v.neighbors.empty()) {
    for (NodeId peer : v.neighbors) out.send(peer, msg);
    return;
  }
  for (NodeId peer = 0; peer < v.node_count; ++peer)
    if (peer != v.self) out.send(peer, msg);
}

void Node::on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out) {
  const auto& proposal = std::get<Proposal>(m);
  if (!deciding_ || proposal.round != round_ || proposal.step != step_ || !proposal.embedding ||
      proposal.embedding->size() != static_cast<Eigen::Index>(p.dim)) {
    out.note(kNoteLate, proposal.round);
    return;
  }
  held_[from] = {proposal.value, proposal.embedding};
  // Everyone's proposal is in: no reason to wait for the deadline. (The gossip variant
  // always runs its steps to their deadlines.)
  if (p.variant != Variant::gossip && held_.size() == v.node_count) decide(p, v, out);
}

Eigen::MatrixXd Node::held_matrix(const Params& p, std::vector<NodeId>& ids, std::vector<double>& values) const {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(held_.size()), p.dim);
  Eigen::Index row = 0;
  for (const auto& [peer, h] : held_) {
    ids.push_back(peer);
    values.push_back(h.value);
    x.row(row) = h.embedding->transpose();
    // GraphRoPE: the peer's place in the mesh is part of what attention sees.
    if (!context_->positions.empty()) x.row(row) += context_->positions[peer].transpose();
    ++row;
  }
  return x;
}

// Gossip variant: one step of attention over what arrived, then the node moves its own
// embedding halfway towards its attention output and sends it for the next step. The
// proposal it stands for does not change.
void Node::advance_gossip(const Params& p, const NodeView& v, Outbox<Message>& out) {
  std::vector<NodeId> ids;
  std::vector<double> values;
  const Eigen::MatrixXd x = held_matrix(p, ids, values);
  const AttentionResult r = attend(x, context_->projections, /*want_output=*/true);
  round_multiply_adds_ += r.multiply_adds;
  const auto self_row = std::find(ids.begin(), ids.end(), v.self) - ids.begin();
  Eigen::VectorXd moved = 0.5 * (*held_.at(v.self).embedding + r.output.row(self_row).transpose());
  if (p.cost_per_mac_ns > 0) out.busy(Duration{static_cast<int64_t>(std::llround(r.multiply_adds * p.cost_per_mac_ns))});
  ++step_;
  held_.clear();
  held_[v.self] = {own_value_, std::make_shared<const Eigen::VectorXd>(std::move(moved))};
  broadcast(p, v, out);
  out.set_timer(kStepTimer, p.round_deadline);
}

void Node::decide(const Params& p, const NodeView& v, Outbox<Message>& out) {
  std::vector<NodeId> ids;
  std::vector<double> values;
  const Eigen::MatrixXd x = held_matrix(p, ids, values);
  const AttentionResult r = attend(x, context_->projections, /*want_output=*/false);
  round_multiply_adds_ += r.multiply_adds;
  const std::vector<size_t> flagged = flag_outliers(r.weights, p.outlier_sigma, p.outlier_cap, p.outlier_side);
  // The learning store: past rounds scale each peer's weight (and may exclude it). The
  // node keeps a record of itself too, updated by the same rule: were its own proposal taken
  // at face value, every node would favour itself and honest nodes holding the same
  // embeddings would decide differently (measured: agreement 0 on the honest mesh).
  // Exclusion needs evidence: a peer this node has never decided with keeps its (fresh, 1/2)
  // factor however high exclude_below is. Without that rule an exclude_below above 1/2
  // excluded every peer in the first round, each node fell back on its own proposal, and the
  // win bonus then kept every node on itself for the rest of the run (agreement 0 in every
  // round, found by the exclude_below comparison in the README).
  Eigen::VectorXd scores = r.weights;
  if (p.reputation)
    for (size_t j = 0; j < ids.size(); ++j) {
      const PeerRecord& rec = reputation_[ids[j]];
      const double factor = rec.multiplier();
      scores[static_cast<Eigen::Index>(j)] *= rec.seen > 0 && factor < p.exclude_below ? 0.0 : factor;
    }
  const int winner = vote(values, scores, flagged);
  const int chosen = winner >= 0 ? winner : static_cast<int>(std::find(ids.begin(), ids.end(), v.self) - ids.begin());

  Duration work{};
  if (p.cost_per_mac_ns > 0) {
    work = Duration{static_cast<int64_t>(std::llround(r.multiply_adds * p.cost_per_mac_ns))};
    out.busy(work);
  }
  decision_.round = round_;
  decision_.value = values[chosen];
  decision_.winner = ids[chosen];
  decision_.latency_ns = v.now.ns - round_start_ns_ + v.cpu_backlog.ns + work.ns;
  decision_.multiply_adds = round_multiply_adds_;
  decision_.held = ids;
  decision_.flagged.clear();
  for (size_t j : flagged) decision_.flagged.push_back(ids[j]);
  for (size_t j = 0; j < ids.size(); ++j) {
    PeerRecord& rec = reputation_[ids[j]];
    ++rec.seen;
    if (std::binary_search(flagged.begin(), flagged.end(), j)) ++rec.flagged;
    if (values[j] == decision_.value) ++rec.won;
  }
  deciding_ = false;
  out.cancel_timer(kStepTimer);
  out.note(kNoteDecided, round_);
}

}  // namespace meshsim::attention
