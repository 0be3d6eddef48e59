// Protocol modules by name, each built from its scenario section. The scenario layer's
// business, not the kernel's: a run built in code hands the kernel modules it made itself.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "sim/module.h"

namespace meshsim {

class ConfigSection;

// Builds a module from its [protocol] section. Reads its own keys through the section
// (which reports unknown keys, wrong types and bad ranges with file and line).
using ModuleFactory = std::function<std::unique_ptr<Module>(ConfigSection&)>;

class ModuleRegistry {
 public:
  void add(std::string name, std::string summary, ModuleFactory factory);
  const ModuleFactory* find(std::string_view name) const;
  std::string names() const;  // "flood, gossip, phold" for error messages
  const std::map<std::string, std::pair<std::string, ModuleFactory>, std::less<>>& all() const {
    return entries_;
  }

 private:
  std::map<std::string, std::pair<std::string, ModuleFactory>, std::less<>> entries_;
};

}  // namespace meshsim
