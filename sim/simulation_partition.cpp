// The Simulation side of a partitioned run (sim/partitioned_run.h): what changes when a
// Simulation runs one partition of the nodes. Kept apart from simulation.cpp so the
// sequential kernel reads as before; its only hook on the hot path is send()'s owns(to).
#include <cassert>
#include <cstring>

#include "sim/simulation.h"

namespace meshsim {

void Simulation::become_partition(uint32_t index, PartitionOutbox* outbox,
                                  std::vector<Fingerprint::Entry>* fingerprint_log) {
  assert(!begun_ && "become_partition() before begin()");
  assert(outbox && index < outbox->partitions());
  partition_index_ = index;
  remote_ = outbox;
  own_first_ = outbox->first[index];
  own_count_ = outbox->first[index + 1] - outbox->first[index];
  fingerprint_.record_into(fingerprint_log);
}

bool Simulation::module_metrics_here(const Module& m) const {
  return !remote_ || m.partition_support() == PartitionSupport::exact;
}

// The target is another partition's: the event goes, key and all, into that partition's
// buffer, and the message contents after it; the local pool slot is freed. A duplicated
// message's copy takes the next sequence number, as in send().
void Simulation::send_remote(ModuleId m, const Event& e, const MessageFate& fate, Duration extra_delay) {
  assert(remote_ && "a remote target in an unpartitioned run");
  std::vector<uint8_t>& out = remote_->to[remote_->owner(e.target)];
  auto post = [&](const Event& ev) {
    const auto* b = reinterpret_cast<const uint8_t*>(&ev);
    out.insert(out.end(), b, b + sizeof(Event));
    modules_[m]->export_message(ev.payload, out);
    ++remote_->messages;
    ++remote_->pending;
  };
  if (fate.copies == 2) {
    // clone before the original's slot is exported (and freed).
    const uint32_t copy = modules_[m]->clone(e.payload);
    post(e);
    post(Event{event_time(fate.delay[1], extra_delay), node_counters_[e.origin()].events++, e.origin(), e.target, copy,
               static_cast<uint16_t>(e.aux), EventKind::message, m});
    return;
  }
  post(e);
}

void Simulation::accept_remote(const std::vector<uint8_t>& bytes) {
  const uint8_t* in = bytes.data();
  const uint8_t* end = in + bytes.size();
  while (in < end) {
    Event e;
    std::memcpy(static_cast<void*>(&e), in, sizeof(Event));
    in += sizeof(Event);
    assert(owns(e.target) && "a message for another partition");
    e.payload = modules_[e.module]->import_message(e.payload, in);
    queue_.push(e);
  }
  assert(in == end);
}

void Simulation::run_window(int64_t bound) {
  assert(begun_ && !finished_);
  const int64_t stop = std::min(bound, spec_.end.ns + 1);
  while (!halted_ && !queue_.empty() && queue_.top().time < stop) run_event();
}

}  // namespace meshsim
