#include "protocols/registry.h"

#include "protocols/gossip/gossip_module.h"
#include "protocols/phold/phold.h"

namespace meshsim {

void register_builtin_protocols(ModuleRegistry& registry) {
  phold::register_phold(registry);
  gossip::register_gossip(registry);
}

}  // namespace meshsim
