#include "app/divergence/event_log.h"

#include <cassert>

namespace meshsim::divergence {

namespace {

// Steps `sim` to its end, calling on_event(index, event, sim) after each event that entered
// the fingerprint, with the event as it was queued; `describe(event)` runs before the step
// (a message's pool slot is released by its handler) and its text is passed on. Stops
// early when on_event returns false.
//
// An event entered the fingerprint when the fingerprint changed: dispatch adds at most one
// event per step, and an added event leaves the hash unchanged only by a 2^-64 accident.
template <class Describe, class OnEvent>
void step_fingerprinted(Simulation& sim, Describe describe, OnEvent on_event) {
  sim.begin(RunInfo{});
  uint64_t index = 0;
  for (;;) {
    const Event* next = sim.next_event();
    if (!next) return;
    const Event event = *next;
    std::string text = describe(index + 1, event);
    const size_t log_lines = sim.metrics().log_entries().size();
    const uint64_t before = sim.fingerprint();
    if (!sim.step()) return;
    if (sim.fingerprint() == before) continue;
    ++index;
    // A fault says what it did in the run's log, as it happens.
    if (event.kind == EventKind::fault && sim.metrics().log_entries().size() > log_lines)
      text = sim.metrics().log_entries()[log_lines].kind + " " + sim.metrics().log_entries()[log_lines].detail;
    if (!on_event(index, event, text)) return;
  }
}

const char* kind_name(EventKind k) {
  switch (k) {
    case EventKind::start: return "start";
    case EventKind::message:
    case EventKind::processed: return "message";
    case EventKind::timer: return "timer";
    case EventKind::fault: return "fault";
    case EventKind::sample: return "sample";
    case EventKind::disk: return "disk";
  }
  return "?";
}

}  // namespace

Checkpoints record_checkpoints(Simulation& sim, uint64_t every) {
  assert(every > 0);
  Checkpoints c;
  c.every = every;
  step_fingerprinted(
      sim, [](uint64_t, const Event&) { return std::string(); },
      [&](uint64_t index, const Event&, const std::string&) {
        if (index % every == 0) c.hashes.push_back(sim.fingerprint());
        c.events = index;
        return true;
      });
  c.fingerprint = sim.fingerprint();
  return c;
}

std::vector<EventRecord> record_events(Simulation& sim, uint64_t first, uint64_t last) {
  std::vector<EventRecord> out;
  auto describe = [&](uint64_t index, const Event& e) -> std::string {
    // Only events that may get a number inside the window are described: the rest of the
    // run replays at full speed.
    if (index < first || e.kind == EventKind::sample || e.kind == EventKind::fault) return {};
    const Module& m = *sim.modules()[e.module];
    if (e.kind == EventKind::message || e.kind == EventKind::processed) return m.describe_message(e.payload);
    return m.describe_node(e.target);
  };
  step_fingerprinted(sim, describe, [&](uint64_t index, const Event& e, const std::string& text) {
    if (index < first) return true;
    EventRecord r;
    r.index = index;
    r.hash = sim.fingerprint();
    r.time_ns = e.time;
    r.kind = kind_name(e.kind);
    r.detail = text;
    if (e.kind == EventKind::fault) {
      r.node = e.payload;
    } else {
      r.node = e.target;
      const Module& m = *sim.modules()[e.module];
      r.module = std::string(m.name());
      if (e.kind == EventKind::timer) r.type = "timer " + std::to_string(e.aux);
      if (e.kind == EventKind::message || e.kind == EventKind::processed) {
        r.type = m.message_type_name(static_cast<uint8_t>(e.aux & 0xff));
        r.from = e.origin();
      }
    }
    out.push_back(std::move(r));
    return index < last;
  });
  return out;
}

}  // namespace meshsim::divergence
