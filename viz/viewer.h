// One frame of the window: the toolbar, the canvas with its mouse handling, the side and
// bottom panels, composed over a LiveRun. view_command.cpp owns the loop around it.
#pragma once
#include <string>

#include "viz/fault_tools.h"
#include "viz/live_run.h"
#include "viz/mesh_view.h"
#include "viz/node_looks.h"
#include "viz/panels.h"
#include "viz/time_control.h"

namespace meshsim::viz {

class Viewer {
 public:
  Viewer(LiveRun& run, const Sprites& sprites);
  // Advances the run for a frame of `wall_dt` seconds and lays out the whole window.
  void frame(int width, int height, double wall_dt, float fps);

  Playback playback;
  FaultTools faults;
  MeshView mesh;
  bool show_fps = true;
  const FrameStats& stats() const { return stats_; }
  // "node x y" per node, in window pixels, as last drawn (for tests that sample pixels).
  std::string layout_dump() const;

 private:
  void canvas(float x, float y, float w, float h);
  void refresh_looks();

  LiveRun& run_;
  NodeLooks looks_;
  Panels panels_;
  FrameStats stats_;
  uint64_t generation_ = 0;
  uint64_t frames_ = 0;
  NodeId menu_node_ = kNoNode;
  bool dragging_ = false;
};

}  // namespace meshsim::viz
