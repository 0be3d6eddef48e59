// Reads the client workload keys (README.md's workload table) from a protocol's section.
// Shared by every protocol that replicates the key-value store.
#pragma once
#include "protocols/kv/workload.h"

namespace meshsim {
class ConfigSection;
}

namespace meshsim::kv {

WorkloadParams parse_workload(ConfigSection& s);

}  // namespace meshsim::kv
