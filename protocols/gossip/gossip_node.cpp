#include "protocols/gossip/gossip_node.h"

#include <algorithm>
#include <cassert>

namespace meshsim::gossip {

uint32_t choose_peers(PeerChoice choice, uint32_t fanout, const NodeView& v,
                      std::array<NodeId, kMaxFanout>& peers) {
  const bool uniform = choice == PeerChoice::uniform;
  const uint64_t candidates = uniform ? (v.node_count > 0 ? v.node_count - 1 : 0) : v.neighbors.size();
  const uint32_t k = static_cast<uint32_t>(std::min<uint64_t>({fanout, kMaxFanout, candidates}));
  // Candidate index -> node id; uniform choice skips the node itself.
  auto node_at = [&](uint64_t i) -> NodeId {
    if (!uniform) return v.neighbors[i];
    return static_cast<NodeId>(i < v.self ? i : i + 1);
  };
  if (k == candidates) {  // everyone: no draws needed
    for (uint32_t i = 0; i < k; ++i) peers[i] = node_at(i);
    return k;
  }
  // Floyd's algorithm: for j in [m-k, m) draw t in [0, j]; take t unless already taken,
  // then take j. Every k-subset is equally likely, with no retries on collision.
  std::array<uint64_t, kMaxFanout> picked;
  for (uint32_t n = 0; n < k; ++n) {
    uint64_t j = candidates - k + n;
    uint64_t t = v.rng->below(j + 1);
    bool taken = std::find(picked.begin(), picked.begin() + n, t) != picked.begin() + n;
    picked[n] = taken ? j : t;
  }
  for (uint32_t i = 0; i < k; ++i) peers[i] = node_at(picked[i]);
  return k;
}

// ---------------------------------------------------------------------------------------
// GossipNode

void GossipNode::start(const Params& p, const NodeView& v, GossipOutbox& out) {
  // A recovering node must not keep a timer chain from before its crash running next to
  // the new one; cancellation is lazy in the engine, so this costs nothing at first start.
  out.cancel_timer(kInjectTimer);
  out.cancel_timer(kRoundTimer);
  round_armed_ = false;
  next_injection_ = p.rumors->cursor_at(v.self, v.now);
  inject_due(p, v, out);
  if (p.rounds_always()) maybe_arm_round(p, v, out);
}

void GossipNode::on_message(const Params& p, const NodeView& v, NodeId from, const Message& m,
                            GossipOutbox& out) {
  if (const auto* push = std::get_if<Push>(&m)) handle_push(p, v, from, *push, out);
  else if (const auto* pull = std::get_if<PullRequest>(&m)) handle_pull_request(p, v, from, *pull, out);
  else if (const auto* pp = std::get_if<PushPull>(&m)) handle_push_pull(p, v, from, *pp, out);
  else if (const auto* reply = std::get_if<Reply>(&m)) handle_reply(p, v, *reply, out);
}

void GossipNode::on_timer(const Params& p, const NodeView& v, TimerId id, GossipOutbox& out) {
  if (id == kInjectTimer) {
    inject_due(p, v, out);
  } else if (id == kRoundTimer) {
    round_armed_ = false;
    run_round(p, v, out);
  }
}

void GossipNode::crash() {
  hot_.clear();
  counters_ = {};
  round_armed_ = false;
  next_injection_ = 0;
}

// One gossip cycle (Demers §1.3-1.4; one round of Karp et al.): contact `fanout` peers.
void GossipNode::run_round(const Params& p, const NodeView& v, GossipOutbox& out) {
  if (!p.rounds_always() && hot_.empty()) return;  // push mongering with nothing to spread: idle
  const bool mongering = p.strategy == Strategy::rumor_mongering;
  const bool feedback = p.loss_of_interest == LossOfInterest::feedback;
  std::array<NodeId, kMaxFanout> peers;
  uint32_t n = choose_peers(p.peer_choice, p.fanout, v, peers);

  // Every peer of a round gets the same snapshot; loss of interest applies after it.
  RumorSet pushed;
  if (p.mode != Mode::pull) pushed = mongering ? hot_ : known_;
  for (uint32_t i = 0; i < n; ++i) {
    switch (p.mode) {
      case Mode::push:
        if (!pushed.empty()) out.send(peers[i], Push{pushed, p.rumor_bytes, mongering && feedback});
        break;
      case Mode::pull:
        out.send(peers[i], PullRequest{known_});
        break;
      case Mode::push_pull:
        // Anti-entropy sends its whole store, which is also its digest.
        out.send(peers[i], mongering ? PushPull{pushed, known_, p.rumor_bytes}
                                     : PushPull{pushed, RumorSet{}, p.rumor_bytes});
        break;
    }
  }
  // Blind loss of interest (Demers §1.4): every transmission counts, whatever the peer knew.
  if (mongering && !feedback)
    pushed.for_each([&](uint32_t r) {
      for (uint32_t i = 0; i < n; ++i) maybe_lose_interest(p, v, r, out);
    });

  // Next round one interval later, so the node keeps the random phase it started with.
  if (p.rounds_always() || !hot_.empty()) {
    out.set_timer(kRoundTimer, p.interval);
    round_armed_ = true;
  }
}

void GossipNode::handle_push(const Params& p, const NodeView& v, NodeId from, const Push& m,
                             GossipOutbox& out) {
  RumorSet already = m.rumors.intersect(known_);
  learn(p, v, m.rumors, out);
  // Feedback (Demers §1.4): tell the pusher which of its rumors were old news to us.
  if (m.want_feedback && !already.empty()) out.send(from, Reply{RumorSet{}, std::move(already), p.rumor_bytes});
}

void GossipNode::handle_pull_request(const Params& p, const NodeView& v, NodeId from, const PullRequest& m,
                                     GossipOutbox& out) {
  RumorSet offer = offered(p).minus(m.digest);
  if (p.strategy == Strategy::rumor_mongering) {
    // The digest is the feedback: a hot rumor the asker already holds was a wasted contact.
    RumorSet events = p.loss_of_interest == LossOfInterest::feedback ? hot_.intersect(m.digest) : hot_;
    events.for_each([&](uint32_t r) { maybe_lose_interest(p, v, r, out); });
  }
  if (!offer.empty()) out.send(from, Reply{std::move(offer), RumorSet{}, p.rumor_bytes});
}

void GossipNode::handle_push_pull(const Params& p, const NodeView& v, NodeId from, const PushPull& m,
                                  GossipOutbox& out) {
  const bool mongering = p.strategy == Strategy::rumor_mongering;
  const bool feedback = p.loss_of_interest == LossOfInterest::feedback;
  RumorSet asker_knows = m.digest.unite(m.rumors);
  RumorSet offer = offered(p).minus(asker_knows);
  RumorSet already = m.rumors.intersect(known_);
  if (mongering) {
    // Count on the rumors we were spreading before this message, not on ones it brings.
    RumorSet events = feedback ? hot_.intersect(asker_knows) : hot_;
    events.for_each([&](uint32_t r) { maybe_lose_interest(p, v, r, out); });
  }
  learn(p, v, m.rumors, out);
  if (!(mongering && feedback)) already.clear();
  if (!offer.empty() || !already.empty()) out.send(from, Reply{std::move(offer), std::move(already), p.rumor_bytes});
}

void GossipNode::handle_reply(const Params& p, const NodeView& v, const Reply& m, GossipOutbox& out) {
  learn(p, v, m.rumors, out);
  if (p.strategy == Strategy::rumor_mongering && p.loss_of_interest == LossOfInterest::feedback)
    m.already_known.intersect(hot_).for_each([&](uint32_t r) { maybe_lose_interest(p, v, r, out); });
}

void GossipNode::inject_due(const Params& p, const NodeView& v, GossipOutbox& out) {
  auto next = p.rumors->take_due(v.self, v.now, next_injection_, [&](uint32_t r) {
    if (!known_.insert(r)) return;
    out.note(kNoteInjected, r);
    if (p.strategy == Strategy::rumor_mongering) become_infective(p, v, r, out);
  });
  if (next) out.set_timer(kInjectTimer, *next);
}

RumorSet GossipNode::learn(const Params& p, const NodeView& v, const RumorSet& rumors, GossipOutbox& out) {
  RumorSet fresh = rumors.minus(known_);
  uint32_t redundant = rumors.count() - fresh.count();
  if (redundant > 0) out.note(kNoteRedundant, redundant);
  fresh.keep_below(p.rumor_count());  // ids no schedule names are dropped, not learned
  fresh.for_each([&](uint32_t r) {
    known_.insert(r);
    out.note(kNoteInformed, r);
    // Demers §1.4: a susceptible site that receives a hot rumor becomes infective.
    if (p.strategy == Strategy::rumor_mongering) become_infective(p, v, r, out);
  });
  return fresh;
}

void GossipNode::become_infective(const Params& p, const NodeView& v, uint32_t r, GossipOutbox& out) {
  hot_.insert(r);
  if (r < counters_.size()) counters_[r] = 0;
  out.note(kNoteInfective, r);
  maybe_arm_round(p, v, out);
}

void GossipNode::maybe_lose_interest(const Params& p, const NodeView& v, uint32_t r, GossipOutbox& out) {
  if (!hot_.contains(r)) return;
  bool lose;
  if (p.stop == Stop::counter) {
    if (counters_.size() < p.rumor_count()) counters_.resize(p.rumor_count(), 0);
    lose = ++counters_[r] >= p.k;  // k <= 255, so the counter never wraps
  } else {
    lose = v.rng->below(p.k) == 0;  // probability 1/k
  }
  if (!lose) return;
  hot_.erase(r);
  out.note(kNoteLostInterest, r);
  if (hot_.empty()) counters_ = {};  // a removed site keeps no mongering state
}

const RumorSet& GossipNode::offered(const Params& p) const {
  return p.strategy == Strategy::anti_entropy ? known_ : hot_;
}

void GossipNode::maybe_arm_round(const Params& p, const NodeView& v, GossipOutbox& out) {
  if (round_armed_) return;
  // A random phase in [0, interval) keeps nodes from ticking in lockstep.
  out.set_timer(kRoundTimer, Duration{static_cast<int64_t>(v.rng->below(static_cast<uint64_t>(p.interval.ns)))});
  round_armed_ = true;
}

// ---------------------------------------------------------------------------------------
// FloodNode

void FloodNode::start(const Params& p, const NodeView& v, FloodOutbox& out) {
  if (p.rumors->originated_by(v.self).empty()) return;  // most nodes wait for a rumor
  out.cancel_timer(kInjectTimer);
  next_injection_ = p.rumors->cursor_at(v.self, v.now);
  inject_due(p, v, out);
}

void FloodNode::on_message(const Params& p, const NodeView& v, NodeId from, const FloodMessage& m, FloodOutbox& out) {
  const auto* flood = std::get_if<Flood>(&m);
  if (!flood || flood->rumor >= p.rumor_count()) return;
  if (!known_.insert(flood->rumor)) {
    out.note(kNoteRedundant, 1);  // duplicates are counted and dropped (docs/benchmarks.md, Flood)
    return;
  }
  out.note(kNoteInformed, flood->rumor);
  forward(p, v, flood->rumor, from, out);
}

void FloodNode::on_timer(const Params& p, const NodeView& v, TimerId id, FloodOutbox& out) {
  if (id == kInjectTimer) inject_due(p, v, out);
}

void FloodNode::inject_due(const Params& p, const NodeView& v, FloodOutbox& out) {
  auto next = p.rumors->take_due(v.self, v.now, next_injection_, [&](uint32_t r) {
    if (!known_.insert(r)) return;
    out.note(kNoteInjected, r);
    forward(p, v, r, kNoNode, out);
  });
  if (next) out.set_timer(kInjectTimer, *next);
}

void FloodNode::forward(const Params& p, const NodeView& v, uint32_t r, NodeId except, FloodOutbox& out) {
  for (NodeId n : v.neighbors)
    if (n != except) out.send(n, Flood{r, p.rumor_bytes});
}

}  // namespace meshsim::gossip
