// Reading [nodes]: who is absent at the start, and per-node attributes.
#pragma once
#include "sim/scenario/scenario.h"

namespace meshsim {

void read_nodes(const toml::table* nodes, Scenario& sc);

}  // namespace meshsim
