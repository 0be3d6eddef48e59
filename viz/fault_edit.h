// Faults made in the window (a click, or `--apply "crash 3 at 2s"` in a script: both end
// here), as scenario text. A UI fault is appended to the scenario as one more [[faults]]
// table, and the run restarts from that text: the live run and the saved scenario are
// then one and the same input, so `meshsim run` on the saved file reproduces the window's
// fingerprint exactly. Times are written in integer nanoseconds, which TOML and
// parse_duration round-trip exactly.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "sim/fault_schedule.h"
#include "sim/ids.h"
#include "sim/time.h"

namespace meshsim::viz {

struct UiFault {
  FaultKind kind = FaultKind::crash;
  SimTime at{};
  std::vector<NodeId> nodes;             // crash, recover, pause, resume, isolate, byzantine
  std::vector<NodeId> group_a, group_b;  // partition: a against b (nodes in neither form a third group)
  std::string behavior;                  // byzantine
  std::string module;                    // byzantine: whose behaviour
};

// One [[faults]] table, ending in a newline.
std::string to_toml(const UiFault& f);
// "crash 3", "partition 0..3 | 4..7": the same words --apply takes, without the time.
std::string describe(const UiFault& f);
// Reads one --apply text: "crash 3 at 2s", "recover 1,4 at 2.5s", "pause 0..3 at 1s",
// "resume 2 at 3s", "isolate 5 at 1s", "partition 0..3 | 4..7 at 1s", "heal at 4s",
// "byzantine 2 silent [module] at 1s". Throws ScenarioError with what was expected.
UiFault parse_apply(std::string_view text, uint32_t node_count);
// "1,3,5..9" -> ids; throws ScenarioError naming `what` on a bad list.
std::vector<NodeId> parse_node_list(std::string_view text, uint32_t node_count, const std::string& what);

}  // namespace meshsim::viz
