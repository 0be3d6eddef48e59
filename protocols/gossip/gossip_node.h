// The per-node gossip state machines: GossipNode (anti-entropy and rumor mongering in push,
// pull and push-pull modes) and FloodNode (flooding over the overlay). Both are pure: they
// read only their own state, the Params, the NodeView and the message, and write an Outbox.
//
// Durability: a node's rumor store (`known`) is its replicated database in the sense of
// Demers et al. and survives a crash; the rumor-mongering state (infective rumors, loss of
// interest counters) and the round timer are volatile, so a node that crashes stops
// spreading what it was spreading. Anti-entropy repairs that; rumor mongering may not.
#pragma once
#include <array>
#include <cstdint>
#include <variant>
#include <vector>

#include "protocols/gossip/gossip_params.h"
#include "protocols/gossip/message_bytes.h"
#include "protocols/gossip/messages.h"
#include "sim/outbox.h"

namespace meshsim::gossip {

using GossipOutbox = Outbox<Message>;
using FloodOutbox = Outbox<FloodMessage>;

// Milestones reported through Outbox::note for the module's metrics.
enum NoteKind : uint16_t {
  kNoteInjected = 1,      // value: rumor id (the origin knows it from now on)
  kNoteInformed = 2,      // value: rumor id, first receipt
  kNoteRedundant = 3,     // value: number of rumor copies received that were already known
  kNoteInfective = 4,     // value: rumor id (rumor mongering: starts spreading it)
  kNoteLostInterest = 5,  // value: rumor id (rumor mongering: stops spreading it)
};

inline constexpr TimerId kInjectTimer = 0;
inline constexpr TimerId kRoundTimer = 1;

// Chooses min(fanout, candidates) distinct peers: uniformly among all other node ids, or
// among the overlay neighbours. Robert Floyd's sampling draws exactly one number per peer,
// so the stream consumption does not depend on collisions. Returns how many were chosen.
uint32_t choose_peers(PeerChoice choice, uint32_t fanout, const NodeView& view,
                      std::array<NodeId, kMaxFanout>& peers);

class GossipNode {
 public:
  void start(const Params& p, const NodeView& v, GossipOutbox& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, GossipOutbox& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, GossipOutbox& out);
  void crash();

  const RumorSet& known() const { return known_; }
  const RumorSet& infective() const { return hot_; }
  bool knows(uint32_t rumor) const { return known_.contains(rumor); }
  bool is_infective(uint32_t rumor) const { return hot_.contains(rumor); }
  bool round_armed() const { return round_armed_; }
  // Loss-of-interest events counted so far for an infective rumor (stop = counter).
  uint32_t interest_events(uint32_t rumor) const { return rumor < counters_.size() ? counters_[rumor] : 0; }

 private:
  void run_round(const Params& p, const NodeView& v, GossipOutbox& out);
  void handle_push(const Params& p, const NodeView& v, NodeId from, const Push& m, GossipOutbox& out);
  void handle_pull_request(const Params& p, const NodeView& v, NodeId from, const PullRequest& m,
                           GossipOutbox& out);
  void handle_push_pull(const Params& p, const NodeView& v, NodeId from, const PushPull& m, GossipOutbox& out);
  void handle_reply(const Params& p, const NodeView& v, const Reply& m, GossipOutbox& out);

  void inject_due(const Params& p, const NodeView& v, GossipOutbox& out);
  // Adds the rumors not yet known; returns them.
  RumorSet learn(const Params& p, const NodeView& v, const RumorSet& rumors, GossipOutbox& out);
  void become_infective(const Params& p, const NodeView& v, uint32_t rumor, GossipOutbox& out);
  // One loss-of-interest event for an infective rumor (Demers §1.4).
  void maybe_lose_interest(const Params& p, const NodeView& v, uint32_t rumor, GossipOutbox& out);
  // The rumors this node offers to an asker: everything (anti-entropy) or the infective ones.
  const RumorSet& offered(const Params& p) const;
  void maybe_arm_round(const Params& p, const NodeView& v, GossipOutbox& out);

  RumorSet known_;                // durable
  RumorSet hot_;                  // volatile: infective rumors
  std::vector<uint8_t> counters_; // volatile: events per rumor, allocated only while infective
  uint32_t next_injection_ = 0;   // cursor into the schedule's rumors originated here
  bool round_armed_ = false;
};

class FloodNode {
 public:
  void start(const Params& p, const NodeView& v, FloodOutbox& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const FloodMessage& m, FloodOutbox& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, FloodOutbox& out);
  void crash() { next_injection_ = 0; }

  const RumorSet& known() const { return known_; }
  bool knows(uint32_t rumor) const { return known_.contains(rumor); }

 private:
  void inject_due(const Params& p, const NodeView& v, FloodOutbox& out);
  void forward(const Params& p, const NodeView& v, uint32_t rumor, NodeId except, FloodOutbox& out);

  RumorSet known_;  // durable
  uint32_t next_injection_ = 0;
};

// The NodeModule<P> contracts (sim/node_module.h).
struct GossipProtocol {
  using Params = gossip::Params;
  using Node = GossipNode;
  using Message = gossip::Message;
  static constexpr TimerId timer_count = 2;  // kInjectTimer, kRoundTimer
  static constexpr bool uses_rng = true;
  // By variant index, for per-type message counters.
  static constexpr std::array<const char*, 4> message_names = {"push", "pull_request", "push_pull", "reply"};
  // Across partitions of a partitioned run (message_bytes.h).
  static void write(const Message& m, std::vector<uint8_t>& out) { bytes::write(m, out); }
  static Message read(const Params&, const uint8_t*& in) { return bytes::read(in); }
};

// Flooding draws no random numbers, so it skips the 32-byte per-node stream, and sends
// only Flood, so its pool slots are small: the flood benchmark (docs/benchmarks.md, Flood) runs a
// million nodes.
struct FloodProtocol {
  using Params = gossip::Params;
  using Node = FloodNode;
  using Message = FloodMessage;
  static constexpr TimerId timer_count = 1;  // kInjectTimer
  static constexpr bool uses_rng = false;
  static constexpr std::array<const char*, 1> message_names = {"flood"};
  // A flooded rumor is its id (the payload size is the run's rumor_bytes), so it travels
  // inside the event with no pool slot: a million-node flood keeps millions in flight.
  static uint32_t encode(const Message& m) { return std::get<Flood>(m).rumor; }
  static Message decode(const Params& p, uint32_t rumor) { return Flood{rumor, p.rumor_bytes}; }
};

static_assert(GossipProtocol::message_names.size() == std::variant_size_v<GossipProtocol::Message>);
static_assert(FloodProtocol::message_names.size() == std::variant_size_v<FloodProtocol::Message>);
}  // namespace meshsim::gossip
