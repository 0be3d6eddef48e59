// Playing the run against the wall clock: play / pause, one event, the next message of a
// node, run until a time, speed as simulated time per wall second. The run advances in
// slices with a wall-time budget per frame, so a frame is drawn at most once whatever the
// event rate; when the budget runs out the clock falls behind and the bar says so.
#pragma once
#include <string>

#include "viz/live_run.h"

namespace meshsim::viz {

class Playback {
 public:
  // Advances the run for one frame that took `wall_dt` seconds.
  void tick(LiveRun& run, double wall_dt);
  // The toolbar (an ImGui window at the top). `selected` is the node "next message" uses.
  void draw_toolbar(LiveRun& run, NodeId selected, bool show_fps, float fps);
  // Seeks (forwards or backwards) and remembers what happened, for the toolbar.
  void seek(LiveRun& run, SimTime t);

  bool playing = false;
  bool max_speed = false;
  double speed = 1.0;  // simulated seconds per wall second
  double budget_s = 0.010;  // wall time per frame the simulation may use
  // Wall time the last tick spent simulating (for the frame-time report).
  double last_tick_s() const { return last_tick_s_; }

 private:
  void step_to_message(LiveRun& run, NodeId node);

  bool behind_ = false;
  double last_tick_s_ = 0;
  std::string note_;
  char until_text_[32] = "";
};

}  // namespace meshsim::viz
