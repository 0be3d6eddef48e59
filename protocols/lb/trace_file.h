// The arrival trace of the lb workload (`arrivals = "trace"`): format in trace_file.cpp.
#pragma once
#include <string>
#include <vector>

#include "protocols/lb/params.h"

namespace meshsim::lb {

// `trace_file` relative to the directory of the scenario file (or absolute).
std::string resolve_trace_path(const std::string& scenario_file, const std::string& trace_file);
// The trace's tasks sorted by (node, time, line). A file that cannot be read or a malformed
// line throws ScenarioError "path:line: key_name: what is wrong" (the CLI exits 2).
std::vector<TraceTask> read_trace(const std::string& path, const std::string& key_name);

}  // namespace meshsim::lb
