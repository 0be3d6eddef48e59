#include "app/protocols_command.h"

#include <algorithm>
#include <ostream>

#include "sim/scenario/config_section.h"

namespace meshsim::cli {

namespace {

void print_metrics(const std::vector<MetricInfo>& metrics, std::ostream& out) {
  size_t width = 0;
  for (const MetricInfo& m : metrics) width = std::max(width, display_name(m).size());
  for (const MetricInfo& m : metrics) {
    std::string name = display_name(m);
    out << "    " << name << std::string(width - name.size() + 2, ' ') << m.meaning;
    if (m.kind != MetricKind::scalar && m.kind != MetricKind::histogram) out << " (" << kind_label(m.kind) << ")";
    out << "\n";
  }
}

}  // namespace

void print_protocols(const ModuleRegistry& registry, std::ostream& out) {
  for (const auto& [name, entry] : registry.all()) {
    out << name << "\t" << entry.first << "\n";
    // Built from an empty [protocol] section: every key at its default, as a scenario that
    // names only the protocol would get.
    ConfigSection defaults(nullptr, "protocol", "(defaults)");
    std::unique_ptr<Module> module;
    try {
      module = entry.second(defaults);
    } catch (const ScenarioError&) {
    }
    if (!module) continue;
    auto line = [&](const char* label, const std::vector<std::string>& names) {
      out << "  " << label << ": " << (names.empty() ? "none" : join_names(names)) << "\n";
    };
    line("roles (fault targets)", module->roles());
    line("actions", module->actions());
    line("byzantine behaviours", module->byzantine_behaviors());
    std::vector<MetricInfo> metrics = module->metrics();
    out << "  metrics" << (metrics.empty() ? ": only the engine's" : "") << "\n";
    print_metrics(metrics, out);
  }
  out << "engine\tmetrics every run reports, whatever its protocols\n";
  print_metrics(engine_metrics(), out);
}

}  // namespace meshsim::cli
