#include "protocols/attention/byzantine.h"

#include <cmath>

#include "protocols/attention/workload.h"

namespace meshsim::attention {

namespace {

class ProposalRewriter : public ByzantineRewriter<Message> {
 public:
  ProposalRewriter(const Params& p, std::shared_ptr<const Context> c) : params_(p), context_(std::move(c)) {}
  void rewrite(const NodeView& v, Outbox<Message>& out) override {
    for (auto& s : out.sends())
      if (auto* m = std::get_if<Proposal>(&s.msg)) change(v, *m);
  }

 protected:
  virtual void change(const NodeView& v, Proposal& m) = 0;
  std::shared_ptr<const Eigen::VectorXd> embedding_of(double value) const {
    return std::make_shared<const Eigen::VectorXd>(context_->embedder.embed(value));
  }
  // Sends `value` with its embedding; the last embedding made is kept, since one value is
  // sent to every peer of a broadcast and usually again in the next round.
  void send_as(Proposal& m, double value) {
    if (!cached_ || cached_value_ != value) cached_ = embedding_of(value), cached_value_ = value;
    m.value = value;
    m.embedding = cached_;
  }
  double wrong(double value) const {
    if (params_.workload == Workload::discrete) return std::fmod(value + 1.0, static_cast<double>(params_.options));
    return value + params_.wrong_offset;
  }
  Params params_;
  std::shared_ptr<const Context> context_;

 private:
  std::shared_ptr<const Eigen::VectorXd> cached_;
  double cached_value_ = 0;
};

class FarEmbedding : public ProposalRewriter {
 public:
  using ProposalRewriter::ProposalRewriter;
  void change(const NodeView& v, Proposal& m) override {
    // Each far-off node goes its own way (a shift proportional to its id): far-off nodes
    // that landed on one value would be a coalition, which is "collude". The same value for
    // every copy of a broadcast, so one embedding serves them all.
    send_as(m, m.value + params_.far_offset * (1.0 + v.self));
  }
};

class NearCopy : public ProposalRewriter {
 public:
  using ProposalRewriter::ProposalRewriter;
  // The embedding stays the honest one: attention cannot tell this node from an honest one.
  void change(const NodeView&, Proposal& m) override { m.value = wrong(m.value); }
};

class Collude : public ProposalRewriter {
 public:
  using ProposalRewriter::ProposalRewriter;
  void change(const NodeView&, Proposal& m) override {
    send_as(m, collusion_target(context_->seed, params_, m.round));
  }
};

class Equivocate : public ProposalRewriter {
 public:
  using ProposalRewriter::ProposalRewriter;
  void change(const NodeView& v, Proposal& m) override {
    const double value = params_.workload == Workload::discrete ? static_cast<double>(v.rng->below(params_.options))
                                                                : v.rng->unit();
    m.value = value;
    m.embedding = embedding_of(value);
  }
};

}  // namespace

std::unique_ptr<ByzantineRewriter<Message>> make_attention_byzantine(const std::string& behavior, const Params& p,
                                                                     std::shared_ptr<const Context> context) {
  if (behavior == "far-embedding") return std::make_unique<FarEmbedding>(p, std::move(context));
  if (behavior == "near-copy") return std::make_unique<NearCopy>(p, std::move(context));
  if (behavior == "collude") return std::make_unique<Collude>(p, std::move(context));
  if (behavior == "equivocate") return std::make_unique<Equivocate>(p, std::move(context));
  return nullptr;
}

std::vector<std::string> attention_byzantine_behaviors() { return {"far-embedding", "near-copy", "collude", "equivocate"}; }

}  // namespace meshsim::attention
