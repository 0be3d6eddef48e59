// Faults from the window: a node's right-click menu (crash, recover, pause, resume,
// isolate, any Byzantine behaviour its protocol offers), two groups for a partition, heal,
// and saving the run as a scenario. Every action becomes a UiFault at the current time and
// goes through LiveRun::apply, the same path `--apply` takes.
#pragma once
#include <set>
#include <string>

#include "viz/live_run.h"

namespace meshsim::viz {

class FaultTools {
 public:
  // The body of a node's context menu (call between BeginPopup and EndPopup).
  void node_menu(LiveRun& run, NodeId node);
  // The "Faults" part of the side panel.
  void panel(LiveRun& run);
  // Applies a fault made in the window; on a refused one, keeps the message for the panel.
  bool apply(LiveRun& run, UiFault f);
  // Writes the scenario with the window's faults; returns false and keeps the reason.
  bool save(const LiveRun& run, const std::string& path);

  std::set<NodeId> group_a, group_b;
  std::string message;

 private:
  UiFault now_fault(const LiveRun& run, FaultKind kind, NodeId node) const;
  char save_path_[256] = "saved_run.toml";
};

}  // namespace meshsim::viz
