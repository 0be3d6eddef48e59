// What `meshsim view` was asked to do. Plain values with no windowing types, so app/ can
// fill them whether or not the viewer was built (view_unavailable.cpp then refuses them).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::viz {

struct ViewOptions {
  std::string scenario;             // a scenario file, or empty with run_id
  std::optional<uint64_t> seed;
  std::vector<std::string> sets;    // --set k=v, as `meshsim run` takes them
  int64_t run_id = 0;               // --run ID: replay a recorded run
  std::string db = "results/meshsim.db";
  // Scripted use (tests, screenshots): play at full speed to `until`, draw, save, exit.
  std::string until;                // a duration ("3s"), or "end"
  std::string screenshot;           // PNG path
  int frames = 0;                   // stop after this many frames instead (0: no limit)
  std::string dump_layout;          // write "node x y" screen positions here on exit
  std::vector<std::string> apply;   // "crash 3 at 2s": faults applied as a click would
  std::string save;                 // write the scenario with the applied faults here on exit
  int width = 1280, height = 800;
};

}  // namespace meshsim::viz
