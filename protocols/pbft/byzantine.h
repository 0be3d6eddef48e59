// pBFT's Byzantine behaviours (on top of the generic silent, delay, drop and replay). Each
// rewrites the faulty replica's own outbox after its step and signs whatever it changes
// with its own id only: it can lie, but cannot speak for anyone else.
//
//   equivocate            as primary, sends a different batch for the same sequence number
//                         to the higher half of the replicas
//   conflicting-votes     its PREPAREs and COMMITs carry another digest for every other replica
//   wrong-digest          its pre-prepares, votes and checkpoints carry corrupted digests
//   slow-primary          holds its pre-prepares back by `delay` (set it just under the
//                         view-change timeout: the attack of Aardvark, NSDI 2009)
//   spurious-view-change  demands a view change to the next view at every step
//   lying-checkpoint      its CHECKPOINTs certify a state it does not have
//   fork                  colluding: every replica running it follows one plan. Honest
//                         replicas are split in two halves; the primary (if colluding)
//                         sends each half its own batch, and every colluder votes for each
//                         half's batch towards that half. With f colluders a half cannot
//                         gather a quorum without the other; with f+1 both can, and
//                         agreement breaks (the proof that the checker can fail).
#pragma once
#include <memory>
#include <string>

#include "protocols/pbft/node.h"
#include "sim/node_module.h"

namespace meshsim::pbft {

// The state shared by every replica running "fork" in one run.
struct ForkPlan;

class ByzantineFactory {
 public:
  ByzantineFactory();
  ~ByzantineFactory();
  // The behaviour for `replica` (whose state it may read), or null for a name not pBFT's own.
  std::unique_ptr<ByzantineRewriter<Message>> make(const ByzantineSpec& spec, const Params& p, NodeId self,
                                                   const Replica& replica);
  static std::vector<std::string> names();

 private:
  std::shared_ptr<ForkPlan> fork_plan_;
};

}  // namespace meshsim::pbft
