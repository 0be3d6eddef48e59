#include "sim/scenario/scenario_faults.h"

#include <algorithm>
#include <toml++/toml.h>

#include "sim/scenario/scenario_link.h"

namespace meshsim {

namespace {

FaultKind parse_kind(ConfigSection& s) {
  if (!s.has("kind")) s.fail("kind", "required: crash, recover, pause, resume, partition, heal, isolate, degrade, drift, byzantine, honest, action, join, leave, slow-disk or disk-stall");
  std::string k = s.get_enum("kind", "", {"crash", "recover", "pause", "resume", "partition", "heal", "isolate",
                                          "degrade", "drift", "byzantine", "honest", "action", "join", "leave",
                                          "slow-disk", "disk-stall"});
  static const std::pair<const char*, FaultKind> table[] = {
      {"crash", FaultKind::crash},         {"recover", FaultKind::recover}, {"pause", FaultKind::pause},
      {"resume", FaultKind::resume},       {"partition", FaultKind::partition}, {"heal", FaultKind::heal},
      {"isolate", FaultKind::isolate},     {"degrade", FaultKind::degrade}, {"drift", FaultKind::drift},
      {"byzantine", FaultKind::byzantine}, {"honest", FaultKind::honest},   {"action", FaultKind::action},
      {"join", FaultKind::join},           {"leave", FaultKind::leave},     {"slow-disk", FaultKind::slow_disk},
      {"disk-stall", FaultKind::disk_stall}};
  for (auto [name, kind] : table)
    if (k == name) return kind;
  return FaultKind::crash;
}

void read_partition_groups(ConfigSection& s, FaultSpec& f, uint32_t nodes) {
  if (!s.has("groups")) s.fail("groups", "required for a partition: groups = { left = \"0..49\", right = \"50..99\" }");
  ConfigSection groups = s.subsection("groups");
  NodeSet seen;
  for (const auto& name : s.child_keys("groups")) {
    NodeSet g = groups.get_nodes(name, nodes);
    if (g.intersects(seen))
      groups.fail(name, "names a node that is already in another group (" + g.to_string() + ")");
    for (auto [a, b] : g.ranges()) seen.add_range(a, b);
    f.groups.push_back({name, g});
  }
  if (f.groups.empty()) s.fail("groups", "needs at least one group");
  if (f.groups.size() == 1 && seen.size() == nodes)
    s.fail("groups", "a single group holding every node partitions nothing");
  groups.finish();
}

// The module a fault addresses (key `key`, default the first protocol): the one built when
// the scenario's modules were validated, so the fault can be checked against what it
// offers (behaviours, roles, actions) without building it again.
Module& probe_module(ConfigSection& s, const Scenario& sc, const std::string& key, std::string& name) {
  name = s.get_string(key, sc.modules.empty() ? "" : sc.modules[0].name);
  for (const auto& m : sc.modules)
    if (m.name == name && m.built) return *m.built;
  s.fail(key, "no protocol named '" + name + "' runs in this scenario");
}

bool listed(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// `target = "leader"`: which role, in which module; checked against the module's roles.
void read_target(ConfigSection& s, FaultSpec& f, const Scenario& sc) {
  static const FaultKind targetable[] = {FaultKind::crash, FaultKind::pause, FaultKind::isolate,
                                         FaultKind::partition, FaultKind::drift, FaultKind::byzantine,
                                         FaultKind::slow_disk, FaultKind::disk_stall};
  if (std::find(std::begin(targetable), std::end(targetable), f.kind) == std::end(targetable))
    s.fail("target", std::string("a ") + to_string(f.kind) + " fault cannot target a role");
  if (s.has("nodes")) s.fail("nodes", "give either nodes or target, not both");
  if (f.kind == FaultKind::partition && s.has("groups")) s.fail("groups", "give either groups or target, not both");
  f.target = s.get_string("target", "");
  std::vector<std::string> roles = probe_module(s, sc, "target_module", f.target_module).roles();
  if (roles.empty()) s.fail("target", f.target_module + " has no roles to target; name nodes instead");
  if (!listed(roles, f.target))
    s.fail("target", "unknown role '" + f.target + "' for " + f.target_module + "; known: " + join_names(roles));
  if (s.has("with_followers"))
    s.fail("with_followers", "renamed: write with_role = \"follower\" and with_count = N (any role of " +
                                 f.target_module + " may join the target's side)");
  if (f.kind != FaultKind::partition) return;
  f.with_count = static_cast<uint32_t>(s.get_int("with_count", 0, 0, sc.topology.nodes));
  if (f.with_count > 0 && !s.has("with_role")) s.fail("with_count", "needs with_role: which role the other nodes on the target's side hold");
  f.with_role = s.get_string("with_role", "");
  if (!f.with_role.empty() && !listed(roles, f.with_role))
    s.fail("with_role", "unknown role '" + f.with_role + "' for " + f.target_module + "; known: " + join_names(roles));
}

}  // namespace

void read_faults(const toml::table& root, Scenario& sc) {
  const toml::node* node = root.get("faults");
  if (!node) return;
  const toml::array* arr = node->as_array();
  if (!arr || !arr->is_array_of_tables())
    throw ScenarioError(sc.path + ":" + std::to_string(node->source().begin.line) +
                        ": faults: expected [[faults]] tables");
  const uint32_t n = sc.topology.nodes;
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::table* t = arr->get(i)->as_table();
    ConfigSection s(t, "faults[" + std::to_string(i) + "]", sc.path);
    FaultSpec f;
    f.line = static_cast<int>(t->source().begin.line);
    f.source = "scenario";
    f.kind = parse_kind(s);
    if (!s.has("at")) s.fail("at", "required: when the fault happens, e.g. at = \"2s\"");
    f.at = SimTime{s.get_duration("at", {}, true).ns};
    if (f.at >= sc.end)
      s.fail("at", format_duration(Duration{f.at.ns}) + " is not before the end of the run (run.duration = " +
                       format_duration(Duration{sc.end.ns}) + ")");
    if (auto until = s.get_optional_duration("until")) {
      if (until->ns <= f.at.ns) s.fail("until", "must be after at");
      static const FaultKind reversible[] = {FaultKind::crash,   FaultKind::pause, FaultKind::partition,
                                             FaultKind::isolate, FaultKind::degrade, FaultKind::drift,
                                             FaultKind::byzantine, FaultKind::join, FaultKind::leave,
                                             FaultKind::slow_disk, FaultKind::disk_stall};
      bool ok = false;
      for (FaultKind k : reversible) ok |= k == f.kind;
      if (!ok) s.fail("until", std::string("a ") + to_string(f.kind) + " fault has no inverse to schedule");
      f.until = SimTime{until->ns};
    }
    if (s.has("target")) read_target(s, f, sc);
    bool needs_nodes = f.kind != FaultKind::partition && f.kind != FaultKind::heal && f.target.empty();
    if (needs_nodes) {
      if (!s.has("nodes")) s.fail("nodes", "required: which nodes, e.g. nodes = \"0..9\" or [3, 7]");
      f.nodes = s.get_nodes("nodes", n);
    }
    switch (f.kind) {
      case FaultKind::partition:
        if (!f.target.empty()) break;
        read_partition_groups(s, f, n);
        f.one_way = s.get_bool("one_way", false);
        if (f.one_way) {
          // One-way: traffic leaving group `from` is cut, traffic into it still flows.
          if (!s.has("from")) s.fail("from", "a one-way partition needs from = \"<group>\" (whose outgoing traffic is cut)");
          std::string from = s.get_string("from", "");
          auto it = std::find_if(f.groups.begin(), f.groups.end(), [&](const auto& g) { return g.first == from; });
          if (it == f.groups.end()) s.fail("from", "no group named '" + from + "'");
          std::rotate(f.groups.begin(), it, it + 1);
        }
        break;
      case FaultKind::degrade:
        f.degrade = sc.link;
        f.peers = s.has("peers") ? s.get_nodes("peers", n) : NodeSet::all(n);
        read_link_keys(s, f.degrade);
        break;
      case FaultKind::drift:
        if (!s.has("ppm")) s.fail("ppm", "required: how fast (+) or slow (-) the node's timers run, in ppm");
        f.drift_ppm = s.get_int("ppm", 0, -900'000, 10'000'000);
        break;
      case FaultKind::byzantine: {
        f.byzantine.behavior = s.get_string("behavior", "silent");
        f.byzantine.delay = s.get_duration("delay", Duration::millis(100));
        f.byzantine.probability = s.get_probability("probability", 1.0);
        std::vector<std::string> known = probe_module(s, sc, "module", f.module).byzantine_behaviors();
        if (!listed(known, f.byzantine.behavior))
          s.fail("behavior", "unknown behaviour '" + f.byzantine.behavior + "' for " + f.module + "; known: " +
                                 join_names(known));
        break;
      }
      case FaultKind::honest:
        // Without `module`, every module's behaviours end on the nodes.
        if (s.has("module")) probe_module(s, sc, "module", f.module);
        break;
      case FaultKind::action: {
        if (!s.has("action")) s.fail("action", "required: the protocol's action, e.g. action = \"add-server\"");
        f.action = s.get_string("action", "");
        std::vector<std::string> known = probe_module(s, sc, "module", f.module).actions();
        if (!listed(known, f.action))
          s.fail("action", "unknown action '" + f.action + "' for " + f.module +
                               (known.empty() ? " (it has none)" : "; known: " + join_names(known)));
        break;
      }
      case FaultKind::slow_disk:
      case FaultKind::disk_stall:
        if (!sc.storage.enabled)
          s.fail("kind", std::string("a ") + to_string(f.kind) + " fault needs a disk: add a [storage] section");
        if (f.kind == FaultKind::disk_stall) break;
        if (!s.has("factor") && !s.has("latency"))
          s.fail("kind", "a slow-disk fault needs factor = N (latency multiplied) or latency = ... (latency replaced)");
        f.slow_disk.factor = s.get_double("factor", 1.0, 1e-6, 1e9);
        if (s.has("latency")) {
          LatencySpec l = sc.storage.disk.latency;
          read_latency(s, l);
          f.slow_disk.latency = l;
        }
        break;
      case FaultKind::join:
      case FaultKind::leave:
        if (f.kind == FaultKind::join)
          f.nodes.for_each([&](NodeId n) {
            if (sc.absent.contains(n)) return;
            for (const FaultSpec& earlier : sc.faults)
              if (earlier.kind == FaultKind::leave && earlier.at < f.at && earlier.nodes.contains(n)) return;
            s.fail("nodes", "node " + std::to_string(n) + " is in the mesh when this join happens; a join needs nodes " +
                                "listed in [nodes] absent, or a leave listed before it");
          });
        break;
      default:
        break;
    }
    // Repetition: `every` restarts the fault periodically until `stop` (default: the end),
    // each window lasting `lasting`. Expanded here, so every window is an ordinary fault.
    std::optional<Duration> every = s.get_optional_duration("every");
    if (every) {
      if (f.until) s.fail("until", "with every, give each window's length as lasting = \"1s\" instead");
      if (!s.has("lasting")) s.fail("lasting", "required with every: how long each window lasts, e.g. lasting = \"1s\"");
    }
    if (s.has("lasting") && !every) s.fail("lasting", "only with every (a single fault ends at until)");
    if (s.has("stop") && !every) s.fail("stop", "only with every (when the repetition stops)");
    Duration lasting = every ? s.get_duration("lasting", {}) : Duration{};
    SimTime stop = SimTime{s.get_duration("stop", Duration{sc.end.ns}).ns};
    s.finish();
    if (!every) {
      sc.faults.push_back(std::move(f));
      continue;
    }
    const SimTime last = std::min(stop, sc.end);
    const uint64_t windows = last > f.at ? static_cast<uint64_t>((last.ns - f.at.ns - 1) / every->ns) + 1 : 0;
    if (sc.faults.size() + windows > kMaxFaults)
      s.fail("every", format_duration(*every) + " repeats the fault " + std::to_string(windows) +
                          " times; a scenario may hold at most " + std::to_string(kMaxFaults) + " faults");
    for (SimTime at = f.at; at < last; at = at + *every) {
      FaultSpec copy = f;
      copy.at = at;
      copy.until = SimTime{std::min(at.ns + lasting.ns, sc.end.ns)};
      if (copy.until->ns > at.ns) sc.faults.push_back(std::move(copy));
    }
  }
}

void read_chaos(const toml::table* table, Scenario& sc) {
  ConfigSection s(table, "chaos", sc.path);
  ChaosSpec& c = sc.chaos;
  c.crash_rate_per_s = s.get_double("crash_rate", 0, 0, 1e6);
  c.mean_downtime = s.get_duration("mean_downtime", c.mean_downtime);
  c.partition_rate_per_s = s.get_double("partition_rate", 0, 0, 1e6);
  c.mean_partition = s.get_duration("mean_partition", c.mean_partition);
  c.pause_rate_per_s = s.get_double("pause_rate", 0, 0, 1e6);
  c.mean_pause = s.get_duration("mean_pause", c.mean_pause);
  c.start = SimTime{s.get_duration("start", {}, true).ns};
  c.stop = SimTime{s.get_duration("stop", Duration{sc.end.ns}, true).ns};
  if (c.stop <= c.start) s.fail("stop", "must be after chaos.start");
  c.max_down = static_cast<uint32_t>(s.get_int("max_down", 0, 0, sc.topology.nodes));
  c.slow_disk_rate_per_s = s.get_double("slow_disk_rate", 0, 0, 1e6);
  c.mean_slow_disk = s.get_duration("mean_slow_disk", c.mean_slow_disk);
  c.slow_disk_factor = s.get_double("slow_disk_factor", c.slow_disk_factor, 1e-6, 1e9);
  c.disk_stall_rate_per_s = s.get_double("disk_stall_rate", 0, 0, 1e6);
  c.mean_disk_stall = s.get_duration("mean_disk_stall", c.mean_disk_stall);
  c.disk_nodes = s.get_nodes("disk_nodes", sc.topology.nodes);
  if (s.has("disk_nodes") && !s.has("slow_disk_rate") && !s.has("disk_stall_rate"))
    s.fail("disk_nodes", "names the disks that slow_disk_rate and disk_stall_rate hit; give one of them");
  for (const char* key : {"slow_disk_rate", "disk_stall_rate"})
    if (s.has(key) && !sc.storage.enabled) s.fail(key, "disk faults need a disk: add a [storage] section");
  // Churn (sim/churn.h).
  c.join_rate_per_s = s.get_double("join_rate", 0, 0, 1e6);
  c.leave_rate_per_s = s.get_double("leave_rate", 0, 0, 1e6);
  c.mean_absence = s.get_duration("mean_absence", c.mean_absence);
  c.fail_rate_per_s = s.get_double("fail_rate", 0, 0, 1e6);
  if (c.join_rate_per_s > 0 && sc.absent.empty())
    s.fail("join_rate", "no node to join: list the nodes that start outside the mesh in [nodes] absent");
  if (s.has("mean_absence") && c.leave_rate_per_s <= 0)
    s.fail("mean_absence", "has no effect without leave_rate (how long a node that left stays away)");
  // The faults chaos draws are all generated before the run: bound their expected number.
  const double seconds = static_cast<double>(std::min(c.stop, sc.end).ns - c.start.ns) / 1e9;
  const double nodes = sc.topology.nodes;
  const double disks = c.disk_nodes.empty() ? nodes : static_cast<double>(c.disk_nodes.size());
  const std::pair<const char*, double> expected[] = {{"crash_rate", c.crash_rate_per_s * nodes * seconds},
                                                     {"pause_rate", c.pause_rate_per_s * nodes * seconds},
                                                     {"partition_rate", c.partition_rate_per_s * seconds},
                                                     {"slow_disk_rate", c.slow_disk_rate_per_s * disks * seconds},
                                                     {"disk_stall_rate", c.disk_stall_rate_per_s * disks * seconds},

                                                     {"leave_rate", c.leave_rate_per_s * nodes * seconds},
                                                     {"fail_rate", c.fail_rate_per_s * nodes * seconds}};
  for (auto [key, count] : expected)
    if (count > static_cast<double>(kMaxFaults))
      s.fail(key, "would draw about " + std::to_string(static_cast<uint64_t>(count)) +
                      " faults over the run; a scenario may hold at most " + std::to_string(kMaxFaults));
  s.finish();
}

}  // namespace meshsim
