// Everything one run needs, as plain values: the kernel's whole input. The scenario layer
// (sim/scenario/) resolves a TOML file into one of these; a test, the live window or an
// MPI rank can fill one in code and never touch a file.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/disk_model.h"
#include "sim/expectations.h"
#include "sim/fault_schedule.h"
#include "sim/link_model.h"
#include "sim/module.h"
#include "sim/node_attributes.h"
#include "sim/node_set.h"
#include "sim/time.h"
#include "sim/topology.h"

namespace meshsim {

struct RunSpec {
  std::string source = "(built in code)";  // where the run came from, for messages
  uint64_t seed = 1;
  SimTime end = SimTime{Duration::seconds(10).ns};
  uint64_t max_events = 0;  // 0 = no limit
  Duration sample_interval = Duration::millis(100);
  bool node_series = true;  // record per-node time series (metrics.h)
  Topology topology;
  LinkSpec link;
  std::vector<LinkOverride> overrides;
  std::vector<FaultSpec> faults;
  ChaosSpec chaos;
  NodeAttributes attributes;
  StorageSpec storage;  // [storage]: off unless the scenario has one
  NodeSet absent;  // not in the mesh at the start: they arrive with a join fault
  std::vector<Expectation> expectations;
  std::optional<ExpectedFailure> expected_failure;
  std::vector<std::unique_ptr<Module>> modules;  // built, not yet attached
};

}  // namespace meshsim
