// The engine's observer interface. sim/ core never includes SQLite or ImGui headers:
// result sinks and the live viewer subscribe here (OMNeT++ keeps its kernel apart from its
// user interfaces the same way).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/fault_schedule.h"
#include "sim/message_record.h"
#include "sim/metrics.h"

namespace meshsim {

// complete and failed are verdicts. inconclusive: the run finished and nothing failed, but
// a checker could not decide (a linearizability search out of budget), so the run proves
// neither. interrupted: stopped early on request (Ctrl-C); what it measured is kept.
// incomplete: died or could not be recorded.
enum class RunStatus { running, complete, failed, inconclusive, interrupted, incomplete };
const char* to_string(RunStatus s);

struct RunInfo {
  std::string scenario_path;
  std::string scenario_name;
  std::string scenario_text;  // the file as read, so a run can be reproduced from the database
  uint64_t seed = 0;
  std::string build_id;       // git describe + compiler, fixed at build time
  std::string command_line;   // the reproduction command
  std::vector<std::pair<std::string, std::string>> parameters;  // flattened scenario, after --set
};

struct RunResult {
  RunStatus status = RunStatus::complete;
  uint64_t events = 0;
  int64_t sim_time_ns = 0;
  double wall_s = 0;
  uint64_t fingerprint = 0;
  std::string failure;  // first failed expectation or checker violation, empty when ok
  std::string note;     // on a complete run: the expected failure that fired (expect.failure)
};

// Everything an observer may hear about a run. The engine calls on_run_start from
// Simulation::begin and on_run_end from Simulation::finish (whoever drives the run, the
// engine ends its observers). Message callbacks cost nothing when no observer wants them:
// the engine checks one flag per message, set from wants_messages() when the observer is
// added.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_run_start(const RunInfo&) {}
  // Called at every sampling interval with the current metrics (time series grow in place).
  virtual void on_sample(int64_t /*sim_time_ns*/, const Metrics&) {}
  virtual void on_run_end(const RunInfo&, const RunResult&, const Metrics&) {}

  // Per-message events, only when wants_messages() is true.
  virtual bool wants_messages() const { return false; }
  virtual void on_send(const MessageRecord&) {}
  virtual void on_deliver(const MessageRecord&) {}  // the handler runs right after
  virtual void on_drop(const MessageRecord&, DropReason) {}
  // A fault (or its end) was applied. `index` is its place in the run's fault list
  // (scenario faults first, then those chaos drew); `nodes` are the nodes it hit (filled
  // for a role target).
  virtual void on_fault(int64_t /*sim_time_ns*/, uint32_t /*index*/, const FaultSpec&, bool /*ended*/) {}
  // A line of the run's log (faults, violations, protocol milestones), as it is written.
  virtual void on_log(const LogEntry&) {}
  // A protocol note (Module::note_name: "leader", "committed"), only when wants_messages().
  virtual void on_note(int64_t /*sim_time_ns*/, NodeId, ModuleId, uint16_t /*what*/, int64_t /*value*/) {}
};

}  // namespace meshsim
