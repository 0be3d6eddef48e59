// `meshsim export RUN --shiviz FILE` / `--lamport FILE.svg|.html`: the trace a run stored
// (`meshsim run --trace`) as ShiViz input or as a space-time diagram.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sink/trace.h"

namespace meshsim::cli {

// The trace rows of run `run_id`, in order. Throws ResultsError for an unknown run, and
// ScenarioError (exit 2) for a run recorded without --trace, saying how to record one.
std::vector<TraceRow> read_trace(const std::string& db, int64_t run_id);

int export_trace(const std::string& db, int64_t run_id, const std::string& shiviz_file, const std::string& lamport_file);

// "meshsim run S --seed N --trace 'time=A..B'": the window just before a violation at
// `violation_ns`, for a failure's reproduction line.
std::string trace_suggestion(const std::string& reproduce, int64_t violation_ns);

}  // namespace meshsim::cli
