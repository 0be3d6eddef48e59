// Fills the engine's module registry with every protocol in protocols/. The engine knows
// protocols only by the names registered here.
#pragma once
#include "sim/scenario/module_registry.h"

namespace meshsim {
void register_builtin_protocols(ModuleRegistry& registry);
}
