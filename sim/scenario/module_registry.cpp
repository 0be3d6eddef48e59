#include "sim/scenario/module_registry.h"

namespace meshsim {

void ModuleRegistry::add(std::string name, std::string summary, ModuleFactory factory) {
  entries_[std::move(name)] = {std::move(summary), std::move(factory)};
}

const ModuleFactory* ModuleRegistry::find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second.second;
}

std::string ModuleRegistry::names() const {
  std::string out;
  for (const auto& [name, entry] : entries_) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace meshsim
