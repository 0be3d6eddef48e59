// What one partition of a partitioned run (sim/partitioned_run.h) sends the others at a
// window's end: every message whose target another partition owns, as its 32-byte event
// (time and full order key included, so the receiver queues it exactly where the
// sequential run would have) followed by the module's copy of the message contents
// (nothing for messages inlined in the event: Module::export_message).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/ids.h"

namespace meshsim {

struct PartitionOutbox {
  // Partition p owns nodes [first[p], first[p + 1]).
  std::vector<NodeId> first;
  // Per destination partition: the messages posted since the last window's end.
  std::vector<std::vector<uint8_t>> to;
  uint64_t messages = 0;  // posted over the whole run
  uint64_t pending = 0;   // posted since the buffers were last taken (in flight, for sampling)

  uint32_t partitions() const { return static_cast<uint32_t>(first.size() - 1); }
  uint32_t owner(NodeId n) const {
    return static_cast<uint32_t>(std::upper_bound(first.begin(), first.end(), n) - first.begin() - 1);
  }
};

}  // namespace meshsim
