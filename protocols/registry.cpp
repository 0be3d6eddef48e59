#include "protocols/registry.h"

#include "protocols/attention/attention_module.h"
#include "protocols/gossip/gossip_module.h"
#include "protocols/lb/lb_module.h"
#include "protocols/membership/membership_module.h"
#include "protocols/pbft/pbft_module.h"
#include "protocols/phold/phold.h"
#include "protocols/raft/raft_module.h"

namespace meshsim {

void register_builtin_protocols(ModuleRegistry& registry) {
  phold::register_phold(registry);
  gossip::register_gossip(registry);
  raft::register_raft(registry);
  pbft::register_pbft(registry);
  membership::register_membership(registry);
  lb::register_lb(registry);
  attention::register_attention(registry);
}

}  // namespace meshsim
