// The arrival trace of the lb workload (`arrivals = "trace"`): format in trace_file.cpp.
#pragma once
#include <string>
#include <vector>

#include "protocols/lb/params.h"

namespace meshsim::lb {

// `trace_file` relative to the directory of the scenario file (or absolute).
std::string resolve_trace_path(const std::string& scenario_file, const std::string& trace_file);
// The trace's tasks sorted by (node, time, line). A file that cannot be read or a malformed
// line throws ScenarioError `where` + "path:line: what is wrong" (the CLI exits 2), where
// `where` is the scenario's "file:line: protocol.trace_file: ", so the message names both
// the scenario key and the trace's line.
std::vector<TraceTask> read_trace(const std::string& path, const std::string& where);

}  // namespace meshsim::lb
