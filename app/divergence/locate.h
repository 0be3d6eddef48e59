// Where do two runs part? Each side is a run that can be replayed at will (in this build,
// or in another build through `meshsim emit-events`, see other_build.h). The locator
// replays both sides once keeping the fingerprint every K events, finds the first block of
// K events whose checkpoints differ, then replays both sides once more describing only
// that block and the few events before it: two replays per side, whatever the run's
// length, and memory for one checkpoint per K events.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/divergence/event_log.h"

namespace meshsim::divergence {

class RunSide {
 public:
  virtual ~RunSide() = default;
  virtual std::string label() const = 0;
  virtual Checkpoints checkpoints(uint64_t every) = 0;
  virtual std::vector<EventRecord> events(uint64_t first, uint64_t last) = 0;
};

// A run of this build: `build` makes a fresh, not yet begun Simulation for every replay.
class LocalRun : public RunSide {
 public:
  LocalRun(std::string label, std::function<std::unique_ptr<Simulation>()> build)
      : label_(std::move(label)), build_(std::move(build)) {}
  std::string label() const override { return label_; }
  Checkpoints checkpoints(uint64_t every) override { return record_checkpoints(*build_(), every); }
  std::vector<EventRecord> events(uint64_t first, uint64_t last) override { return record_events(*build_(), first, last); }

 private:
  std::string label_;
  std::function<std::unique_ptr<Simulation>()> build_;
};

enum class Outcome {
  identical,       // same events, same fingerprint
  differ,          // event #index differs
  a_ended,         // A ended after index - 1 events, all of them B's too; B goes on
  b_ended,         // the other way round
  not_reproduced,  // the checkpoints differed but a replay did not: a side is not deterministic
};

struct Divergence {
  Outcome outcome = Outcome::identical;
  uint64_t index = 0;  // the first event that differs, or the first one the shorter run lacks
  Checkpoints a, b;
  // The events before `index` (up to `context` of them) and, when the side has it, event
  // #index itself as the last record.
  std::vector<EventRecord> a_events, b_events;
};

inline constexpr uint64_t kDefaultEvery = 1024;
inline constexpr unsigned kDefaultContext = 5;

Divergence locate_divergence(RunSide& a, RunSide& b, uint64_t every = kDefaultEvery, unsigned context = kDefaultContext);

// What meshsim diverge prints: the verdict, then per side the context and the event where
// the runs part.
std::string format_divergence(const Divergence& d, const std::string& a_label, const std::string& b_label);
// One line for an event: "#1234  1.234567890s  node 3  raft  message AppendEntries from 1: term 2 ...".
std::string format_event(const EventRecord& r);

}  // namespace meshsim::divergence
