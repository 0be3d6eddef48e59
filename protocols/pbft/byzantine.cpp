#include "protocols/pbft/byzantine.h"

#include <map>
#include <set>

#include "protocols/pbft/certificates.h"

namespace meshsim::pbft {

namespace {

constexpr Digest kCorruption = 0x5bd1e9955bd1e995ULL;

void resign(NodeId self, PrePrepare& pp) { pp.sig = sign(self, pre_prepare_statement(pp.view, pp.seq, pp.digest)); }
template <class V>
void resign(NodeId self, V& vote) {
  vote.sig = sign(self, vote_statement(std::is_same_v<V, Commit> ? Stmt::commit : Stmt::prepare, vote.view,
                                       vote.seq, vote.digest));
}

// A variant batch for the same slot: the same requests less the last one (no request is
// invented: a correct replica would reject it, since clients sign their requests).
std::optional<std::vector<Request>> variant_of(const std::vector<Request>& batch) {
  if (batch.empty()) return std::nullopt;
  return std::vector<Request>(batch.begin(), batch.end() - 1);
}

class Equivocate : public ByzantineRewriter<Message> {
 public:
  explicit Equivocate(const Params& p) : replicas_(p.replicas) {}
  void rewrite(const NodeView& v, Outbox<Message>& out) override {
    for (auto& s : out.sends()) {
      auto* pp = std::get_if<PrePrepare>(&s.msg);
      if (!pp || s.to < replicas_ / 2) continue;
      auto other = variant_of(pp->batch);
      if (!other) continue;
      pp->batch = std::move(*other);
      pp->digest = batch_digest(pp->batch);
      resign(v.self, *pp);
    }
  }

 private:
  uint32_t replicas_;
};

class ConflictingVotes : public ByzantineRewriter<Message> {
 public:
  void rewrite(const NodeView& v, Outbox<Message>& out) override {
    for (auto& s : out.sends()) {
      if (s.to % 2 == 0) continue;
      std::visit(
          [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Prepare> || std::is_same_v<T, Commit>) {
              m.digest ^= kCorruption;
              resign(v.self, m);
            }
          },
          s.msg);
    }
  }
};

class WrongDigest : public ByzantineRewriter<Message> {
 public:
  void rewrite(const NodeView& v, Outbox<Message>& out) override {
    for (auto& s : out.sends()) {
      std::visit(
          [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Prepare> || std::is_same_v<T, Commit> || std::is_same_v<T, PrePrepare>) {
              m.digest ^= kCorruption;
              resign(v.self, m);
            } else if constexpr (std::is_same_v<T, Checkpoint>) {
              m.state ^= kCorruption;
              m.sig = sign(v.self, checkpoint_statement(m.seq, m.state));
            }
          },
          s.msg);
    }
  }
};

class SlowPrimary : public ByzantineRewriter<Message> {
 public:
  explicit SlowPrimary(Duration d) : delay_(d) {}
  void rewrite(const NodeView&, Outbox<Message>& out) override {
    for (auto& s : out.sends())
      if (std::holds_alternative<PrePrepare>(s.msg)) s.extra_delay = s.extra_delay + delay_;
  }

 private:
  Duration delay_;
};

class LyingCheckpoint : public ByzantineRewriter<Message> {
 public:
  void rewrite(const NodeView& v, Outbox<Message>& out) override {
    for (auto& s : out.sends())
      if (auto* c = std::get_if<Checkpoint>(&s.msg)) {
        c->state = splitmix64_mix(c->state ^ v.self);
        c->sig = sign(v.self, checkpoint_statement(c->seq, c->state));
      }
  }
};

// Demands the next view whenever it steps, with a VIEW-CHANGE that is valid in form (its
// real stable checkpoint, no prepared certificates): alone, or with f-1 others, it cannot
// move correct replicas, who join only on f+1.
class SpuriousViewChange : public ByzantineRewriter<Message> {
 public:
  SpuriousViewChange(const Params& p, const Replica& r) : replicas_(p.replicas), replica_(r) {}
  void rewrite(const NodeView& v, Outbox<Message>& out) override {
    const View target = replica_.view() + 1;
    if (target <= demanded_) return;
    demanded_ = target;
    ViewChange vc;
    vc.new_view = target;
    vc.replica = v.self;
    vc.stable_seq = replica_.stable_seq();
    vc.stable_state = replica_.stable_state();
    if (vc.stable_seq > 0) vc.stable_proof = replica_.stable_proof();
    vc.sig = sign(v.self, view_change_statement(vc));
    for (NodeId r = 0; r < replicas_; ++r)
      if (r != v.self) out.send(r, vc);
  }

 private:
  uint32_t replicas_;
  const Replica& replica_;
  View demanded_ = 0;
};

}  // namespace

struct ForkPlan {
  std::set<NodeId> colluders;
  std::map<std::pair<View, Seq>, std::pair<Digest, Digest>> forks;  // slot -> (half A's, half B's)

  // 0: a colluder (gets the truth); 1: the lower half of the correct replicas; 2: the upper.
  int half_of(NodeId r, uint32_t replicas) const {
    if (colluders.contains(r)) return 0;
    const uint32_t honest = replicas - static_cast<uint32_t>(colluders.size());
    uint32_t rank = 0;
    for (NodeId o = 0; o < r; ++o) rank += colluders.contains(o) ? 0 : 1;
    return rank < honest / 2 ? 1 : 2;
  }
};

namespace {

class Fork : public ByzantineRewriter<Message> {
 public:
  Fork(const Params& p, std::shared_ptr<ForkPlan> plan) : replicas_(p.replicas), plan_(std::move(plan)) {}
  void rewrite(const NodeView& v, Outbox<Message>& out) override {
    for (auto& s : out.sends()) {
      if (s.to >= replicas_) continue;
      const int half = plan_->half_of(s.to, replicas_);
      if (half == 0) continue;
      std::visit(
          [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, PrePrepare>) {
              auto key = std::make_pair(m.view, m.seq);
              if (!plan_->forks.contains(key)) {
                auto other = variant_of(m.batch);
                if (!other) return;
                plan_->forks[key] = {m.digest, batch_digest(*other)};
                variants_[key] = std::move(*other);
              }
              if (half == 2 && variants_.contains(key)) {
                m.batch = variants_[key];
                m.digest = plan_->forks[key].second;
                resign(v.self, m);
              }
            } else if constexpr (std::is_same_v<T, Prepare> || std::is_same_v<T, Commit>) {
              auto it = plan_->forks.find({m.view, m.seq});
              if (it == plan_->forks.end()) return;
              m.digest = half == 1 ? it->second.first : it->second.second;
              resign(v.self, m);
            }
          },
          s.msg);
    }
  }

 private:
  uint32_t replicas_;
  std::shared_ptr<ForkPlan> plan_;
  std::map<std::pair<View, Seq>, std::vector<Request>> variants_;
};

}  // namespace

ByzantineFactory::ByzantineFactory() : fork_plan_(std::make_shared<ForkPlan>()) {}
ByzantineFactory::~ByzantineFactory() = default;

std::unique_ptr<ByzantineRewriter<Message>> ByzantineFactory::make(const ByzantineSpec& spec, const Params& p,
                                                                   NodeId self, const Replica& replica) {
  const std::string& b = spec.behavior;
  if (b == "equivocate") return std::make_unique<Equivocate>(p);
  if (b == "conflicting-votes") return std::make_unique<ConflictingVotes>();
  if (b == "wrong-digest") return std::make_unique<WrongDigest>();
  if (b == "slow-primary") return std::make_unique<SlowPrimary>(spec.delay);
  if (b == "spurious-view-change") return std::make_unique<SpuriousViewChange>(p, replica);
  if (b == "lying-checkpoint") return std::make_unique<LyingCheckpoint>();
  if (b == "fork") {
    fork_plan_->colluders.insert(self);
    return std::make_unique<Fork>(p, fork_plan_);
  }
  return nullptr;
}

std::vector<std::string> ByzantineFactory::names() {
  return {"equivocate", "conflicting-votes", "wrong-digest", "slow-primary", "spurious-view-change", "lying-checkpoint", "fork"};
}

}  // namespace meshsim::pbft
