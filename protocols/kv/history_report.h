// What every protocol replicating the store reports about its clients' history: operation
// counts, throughput, messages and bytes per completed operation, and the verdict of the
// linearizability checker (a violation named `<protocol>.linearizability`).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "protocols/kv/history.h"
#include "sim/metrics.h"
#include "sim/module.h"
#include "sim/network.h"

namespace meshsim::kv {

std::optional<Violation> report_history(const std::vector<Operation>& ops, const std::string& protocol, SimTime now,
                                        Duration workload_start, const NetworkCounters& net, Metrics& m);

}  // namespace meshsim::kv
