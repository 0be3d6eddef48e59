// What observers see of a message: its identity, ends and times. A message's id is its
// event key (sender << 40 | sender's sequence), unique in the run and the same in every
// run of the same scenario and seed, so a trace's send joins its delivery or drop.
#pragma once
#include <cstdint>

#include "sim/ids.h"

namespace meshsim {

enum class DropReason : uint8_t { none, loss, partition, queue_full, crashed, absent };
const char* to_string(DropReason r);

struct MessageRecord {
  uint64_t id = 0;
  int64_t sent_ns = 0;     // when the sender's step handed it to the network
  int64_t deliver_ns = -1;  // when it reaches (or reached) the target; -1 when dropped on sending
  NodeId from = 0, to = 0;
  ModuleId module = 0;
  uint8_t type = 0;         // index of the message in the protocol's message variant
  uint32_t bytes = 0;       // on send only
  // The message's pool slot, valid only during the callback: pass it to
  // Module::describe_message for a rendering of its content.
  uint32_t slot = 0;
};

}  // namespace meshsim
