// [storage]: the per-node disk (sim/disk_model.h). Per-node-set overrides imitate
// [[network.links]]: each [[storage.disks]] entry starts from the [storage] defaults and
// applies to `nodes`; of two entries naming a node, the later one wins.
#include <toml++/toml.h>

#include "sim/scenario/scenario_faults.h"
#include "sim/scenario/scenario_link.h"

namespace meshsim {

namespace {
void read_disk_keys(ConfigSection& s, DiskSpec& d) {
  read_latency(s, d.latency);
  double mbps = s.get_double("bandwidth_mbps", d.bandwidth_bps / 1e6, 0.0, 1e9);
  if (s.has("bandwidth_mbps") && mbps <= 0) s.fail("bandwidth_mbps", "must be greater than zero (omit it for unlimited)");
  d.bandwidth_bps = mbps * 1e6;
}
}  // namespace

void read_storage(const toml::table* table, Scenario& sc) {
  if (!table) return;
  StorageSpec& st = sc.storage;
  st.enabled = true;
  // A disk with no latency key is instant: writes still queue and complete as events,
  // which is how a scenario says "durable writes exist but cost nothing".
  st.disk.latency = LatencySpec{};
  st.disk.latency.a_ns = 0;
  ConfigSection s(table, "storage", sc.path);
  read_disk_keys(s, st.disk);
  s.mark_read("disks");
  s.finish();
  const toml::node* disks = table->get("disks");
  if (!disks) return;
  const toml::array* arr = disks->as_array();
  if (!arr || !arr->is_array_of_tables())
    throw ScenarioError(sc.path + ":" + std::to_string(disks->source().begin.line) +
                        ": storage.disks: expected [[storage.disks]] tables");
  for (size_t i = 0; i < arr->size(); ++i) {
    ConfigSection d(arr->get(i)->as_table(), "storage.disks[" + std::to_string(i) + "]", sc.path);
    if (!d.has("nodes")) d.fail("nodes", "required: whose disks these are, e.g. nodes = \"0..2\"");
    NodeSet nodes = d.get_nodes("nodes", sc.topology.nodes);
    DiskSpec spec = st.disk;
    read_disk_keys(d, spec);
    d.finish();
    st.overrides.push_back({nodes, spec});
  }
}

}  // namespace meshsim
