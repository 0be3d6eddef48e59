// A fault schedule as `meshsim shrink` handles it: one entry per fault that happens in the
// run (a scenario's [[faults]] table, each window of one with `every`, each fault [chaos]
// drew from the seed), each written back as its own [[faults]] table. What shrinking
// changes (the window, the nodes, the groups) lives in the entry's FaultSpec; whatever else
// the original table said (behavior, module, target, ppm, latency, ...) is kept as written.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/fault_schedule.h"
#include "sim/scenario/scenario.h"

namespace meshsim::shrink {

struct ScheduledFault {
  FaultSpec spec;  // kind, at, until, nodes, groups: what shrinking edits
  bool writes_nodes = false;   // `nodes = [...]` comes from spec.nodes
  bool writes_groups = false;  // `groups = {...}` comes from spec.groups
  std::vector<std::pair<std::string, std::string>> other_keys;  // key, value as TOML text
  std::string origin;  // "faults[2], line 31" or "drawn by [chaos]", for the comment above it
  bool drawn = false;  // [chaos] drew it (the file did not list it)
};

// The faults of a loaded scenario in the order the engine numbers them (the file's own,
// then the chaos draw for the scenario's seed), so that the explicit schedule replays the
// run event for event.
std::vector<ScheduledFault> schedule_of(const Scenario& scenario);

// One [[faults]] table, with a comment naming where the fault came from.
std::string fault_toml(const ScheduledFault& fault);

// How long a fault holds: until its `until`, or to the end of the run.
int64_t fault_span_ns(const ScheduledFault& fault, int64_t end_ns);

// The fault with node ids at or beyond `node_count` removed from its nodes and groups (a
// mesh shrunk to fewer nodes). False when nothing of it is left to apply.
bool restrict_to_nodes(ScheduledFault& fault, uint32_t node_count);

}  // namespace meshsim::shrink
