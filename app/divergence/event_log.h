// A run seen event by event, for finding where two runs part (meshsim diverge, meshsim
// baseline check). The engine is deterministic, so a run can be replayed as often as
// needed: a first pass keeps only the running fingerprint every K events (checkpoints), a
// second pass describes the few events around the place the checkpoints point at.
//
// "Event #i" counts only the events that enter the fingerprint (sim/fingerprint.h,
// docs/determinism.md): a module's start, a message handed to its handler, a timer that
// fires, a fault action. Sampling ticks, cancelled timers and messages lost at a crashed
// node change nothing a fingerprint sees, so they have no number.
//
// Both passes drive the run through Simulation::begin/step and read the fingerprint
// between steps; the engine's own loop (Simulation::run) is untouched, so runs that nobody
// inspects pay nothing for this.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/simulation.h"

namespace meshsim::divergence {

struct EventRecord {
  uint64_t index = 0;     // 1-based among the fingerprinted events
  uint64_t hash = 0;      // the running fingerprint after this event
  int64_t time_ns = 0;
  uint32_t node = 0;      // where it happens (for a fault: the fault action's number)
  std::string kind;       // start, message, timer, fault
  std::string module;     // the module's name (empty for a fault)
  std::string type;       // message type name ("AppendEntries"), "timer 2", empty otherwise
  int64_t from = -1;      // a message's sender
  std::string detail;     // a message's content, a fault's log line, a node's state
};

struct Checkpoints {
  uint64_t every = 0;
  std::vector<uint64_t> hashes;  // hashes[j]: the fingerprint after event (j + 1) * every
  uint64_t events = 0;           // fingerprinted events in the whole run
  uint64_t fingerprint = 0;      // the final fingerprint (the one `meshsim run` prints)
};

// Both take a Simulation that has not begun, begin it, and step it (no observers are
// added; the end-of-run checks are not run, since they add nothing to the fingerprint).
Checkpoints record_checkpoints(Simulation& sim, uint64_t every);
// The events numbered first..last (inclusive), fewer when the run ends before `last`.
std::vector<EventRecord> record_events(Simulation& sim, uint64_t first, uint64_t last);

}  // namespace meshsim::divergence
