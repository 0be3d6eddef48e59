// The registry of every built-in protocol, built once for the test binary.
#pragma once
#include "protocols/registry.h"
#include "sim/scenario/scenario.h"
#include "sim/module.h"

namespace meshsim::testing {

inline const ModuleRegistry& builtin_registry() {
  static const ModuleRegistry r = [] {
    ModuleRegistry reg;
    register_builtin_protocols(reg);
    return reg;
  }();
  return r;
}

}  // namespace meshsim::testing
