// Byzantine behaviours of attention consensus, as outbox rewriters (sim/node_module.h): the
// fault schedule switches them on per node. Each rewrites the node's Proposal messages.
//   far-embedding  an embedding of a value far from everyone's, proposing that value (easy to flag)
//   near-copy      the node's honest embedding, with a wrong proposal attached (hard to flag)
//   collude        every colluder sends one common embedding and proposes its value
//   equivocate     a different random proposal and embedding to each recipient
// "silent" (no messages) is the engine's generic behaviour.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "protocols/attention/node.h"
#include "sim/node_module.h"

namespace meshsim::attention {

std::unique_ptr<ByzantineRewriter<Message>> make_attention_byzantine(const std::string& behavior, const Params& p,
                                                                     std::shared_ptr<const Context> context);
std::vector<std::string> attention_byzantine_behaviors();

}  // namespace meshsim::attention
