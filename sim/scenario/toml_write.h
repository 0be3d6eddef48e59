// Scenario values written back as TOML text: node lists and times in the forms that
// sim/scenario reads, so that what a tool writes (a fault clicked in the window, a schedule
// `meshsim shrink` reduced) loads back to exactly the same values.
#pragma once
#include <string>
#include <vector>

#include "sim/ids.h"
#include "sim/node_set.h"
#include "sim/time.h"

namespace meshsim {

// Sorted, deduplicated ids as a TOML node list: [3, "5..9"] (the form scenarios/README.md
// documents); runs of consecutive ids become one range.
std::string toml_node_list(std::vector<NodeId> ids);
std::string toml_node_list(const NodeSet& nodes);

// A time or duration as a quoted TOML string that parse_duration reads back exactly: the
// largest unit that divides it ("2s", "1500ms"), else integer nanoseconds ("31094117ns").
std::string toml_duration(Duration d);
inline std::string toml_time(SimTime t) { return toml_duration(Duration{t.ns}); }

}  // namespace meshsim
