// Fault application: turns the fault schedule (the scenario's faults plus those chaos drew)
// into node transitions, network cuts and Byzantine behaviours, at their times.
//
// Every fault with an end is a layer that only its own end removes, so overlapping faults
// compose (docs/faults.md): a node is crashed while any crash layer holds it and paused
// while any pause does, crashed winning; a recovery during a pause waits for the pause to
// end; partitions and isolations each cut on their own; the most recently started drift
// is in force; Byzantine behaviours stack. The explicit kinds recover, resume, heal and
// honest end every layer of their kind on their nodes.
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include "sim/fault_schedule.h"
#include "sim/rng.h"

namespace meshsim {

class Simulation;
class Module;

class FaultInjector {
 public:
  FaultInjector(Simulation& sim, std::vector<FaultSpec> faults);

  // Queues every fault's start and end as engine events.
  void schedule();
  // Applies action `index` (a start or an end) at the current time.
  void apply(uint32_t action);

  const std::vector<FaultSpec>& faults() const { return faults_; }
  // Whether any pause layer holds node n (a recovery then waits for the thaw).
  bool paused(NodeId n) const { return !pause_layers_.empty() && pause_layers_[n] > 0; }
  std::vector<uint32_t> active() const;

 private:
  struct Action {
    uint32_t fault;
    bool inverse;
  };
  void resolve_target(uint32_t index);
  Module* module_named(std::string_view name) const;
  void crash(NodeId n, int delta);
  void pause(NodeId n, int delta);
  void drift(NodeId n, uint32_t layer, int64_t ppm, bool start);
  std::string describe(const FaultSpec& f, FaultKind kind, bool inverse) const;

  Simulation& sim_;
  std::vector<FaultSpec> faults_;
  std::vector<Action> actions_;
  std::vector<uint8_t> active_;            // per fault: started and not yet ended
  std::vector<uint32_t> crash_layers_;     // per node, allocated on first use
  std::vector<uint32_t> pause_layers_;
  std::map<NodeId, std::vector<std::pair<uint32_t, int64_t>>> drift_layers_;  // in start order
};

}  // namespace meshsim
