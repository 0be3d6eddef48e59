// The viewer's ear on a run: an observer (sim/observer.h) that keeps what the drawing needs
// and the engine does not: messages that died recently (to flash them where they died),
// a name per message type (for the legend), the fault log and "did node n just send or
// receive" for stepping to a node's next message. It never steers the run.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/observer.h"

namespace meshsim {
class Simulation;
}

namespace meshsim::viz {

struct DeadMessage {
  MessageRecord record;
  int64_t died_ns = 0;  // when the network dropped it
  DropReason reason = DropReason::none;
};

struct FaultMark {
  int64_t at_ns = 0;
  uint32_t index = 0;
  FaultKind kind = FaultKind::crash;
  bool ended = false;
  std::string text;  // "crash 3", "partition top | bottom"
};

class RunWatch : public RunObserver {
 public:
  explicit RunWatch(const Simulation& sim) : sim_(sim) {}

  bool wants_messages() const override { return true; }
  void on_send(const MessageRecord& m) override;
  void on_deliver(const MessageRecord& m) override;
  void on_drop(const MessageRecord& m, DropReason reason) override;
  void on_fault(int64_t t, uint32_t index, const FaultSpec& f, bool ended) override;

  // Drops kept for flashing: the newest ones, at most kMaxDead (a lossy 100k-node run
  // drops millions; the screen can show a few thousand).
  static constexpr size_t kMaxDead = 4096;
  const std::deque<DeadMessage>& dead() const { return dead_; }
  uint64_t drops_total() const { return drops_total_; }
  const std::vector<FaultMark>& faults() const { return faults_; }
  // "AppendEntries" for (module, type): the first word of describe_message, or "type N".
  const std::string& type_name(ModuleId module, uint8_t type);
  const std::map<std::pair<ModuleId, uint8_t>, std::string>& type_names() const { return names_; }

  // Step-to-next-message support: set `watched` and clear `seen`, step until `seen`.
  NodeId watched = kNoNode;
  bool seen = false;

 private:
  const Simulation& sim_;
  std::deque<DeadMessage> dead_;
  uint64_t drops_total_ = 0;
  std::vector<FaultMark> faults_;
  std::map<std::pair<ModuleId, uint8_t>, std::string> names_;
};

// A fault in a few words, for the timeline and the log panel.
std::string describe_fault(const FaultSpec& f, bool ended);

}  // namespace meshsim::viz
