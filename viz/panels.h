// The side panel (the run, pinned nodes, faults) and the bottom panel (the fault timeline
// with a cursor at now, and live plots of the run's time series).
#pragma once
#include <set>
#include <string>
#include <vector>

#include "viz/live_run.h"
#include "viz/node_looks.h"

namespace meshsim::viz {

// One node's details: engine state, every module's line, neighbours.
void node_details(const Simulation& sim, NodeId n);

class Panels {
 public:
  void side_panel_nodes(const LiveRun& run, const std::string& layout_method);
  // Returns a time the user clicked on the timeline (to seek to), or -1.
  int64_t timeline(LiveRun& run, float width);
  void metric_plots(const LiveRun& run);

  std::set<NodeId> pinned;

 private:
  std::vector<std::string> chosen_ = {"", ""};
};

}  // namespace meshsim::viz
