#include "sim/scenario/scenario_nodes.h"

#include <toml++/toml.h>

namespace meshsim {

// [nodes]
// absent = "90..99"               # not in the mesh at the start; they arrive with kind = "join"
// [[nodes.attributes]]            # later entries override earlier ones, node by node
// nodes = "0..9"
// capacity = 4.0                  # work units the node can hold (load balancing reads it)
// speed = 2.0                     # CPU speed: processing costs are divided by it
// zone = "eu-west"
// capabilities = ["gpu", "ssd"]   # added to what earlier entries gave the nodes
void read_nodes(const toml::table* table, Scenario& sc) {
  ConfigSection s(table, "nodes", sc.path);
  const uint32_t n = sc.topology.nodes;
  sc.absent = s.get_nodes("absent", n);
  if (sc.absent.size() == n) s.fail("absent", "names every node; at least one must be in the mesh at the start");
  s.mark_read("attributes");
  s.finish();
  if (!table) return;
  const toml::node* list = table->get("attributes");
  if (!list) return;
  const toml::array* arr = list->as_array();
  if (!arr || !arr->is_array_of_tables())
    throw ScenarioError(sc.path + ":" + std::to_string(list->source().begin.line) +
                        ": nodes.attributes: expected [[nodes.attributes]] tables");
  for (size_t i = 0; i < arr->size(); ++i) {
    ConfigSection a(arr->get(i)->as_table(), "nodes.attributes[" + std::to_string(i) + "]", sc.path);
    if (!a.has("nodes")) a.fail("nodes", "required: which nodes these attributes are for, e.g. nodes = \"0..9\"");
    NodeSet nodes = a.get_nodes("nodes", n);
    if (a.has("capacity")) sc.attributes.set_capacity(nodes, a.get_double("capacity", 1, 0, 1e12), n);
    if (a.has("speed")) sc.attributes.set_speed(nodes, a.get_double("speed", 1, 1e-6, 1e6), n);
    if (a.has("zone")) {
      std::string zone = a.get_string("zone", "");
      if (zone.empty()) a.fail("zone", "must not be empty");
      if (!sc.attributes.set_zone(nodes, zone, n)) a.fail("zone", "too many zones (at most 65535)");
    }
    for (const std::string& cap : a.get_string_list("capabilities"))
      if (!sc.attributes.add_capability(nodes, cap, n))
        a.fail("capabilities", "'" + cap + "' would be capability number " +
                                   std::to_string(NodeAttributes::kMaxCapabilities + 1) + "; a scenario may name at most " +
                                   std::to_string(NodeAttributes::kMaxCapabilities));
    a.finish();
  }
}

}  // namespace meshsim
