// Reading [[faults]] and [chaos].
#pragma once
#include "sim/scenario/scenario.h"

namespace meshsim {

void read_faults(const toml::table& root, Scenario& sc);
void read_chaos(const toml::table* chaos, Scenario& sc);
// [storage] and [[storage.disks]]: the per-node disk model (sim/disk_model.h).
void read_storage(const toml::table* storage, Scenario& sc);

}  // namespace meshsim
