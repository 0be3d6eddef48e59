// HyParView partial views (Leitão, Pereira, Rodrigues, DSN 2007) as a pure state machine:
// a small symmetric active view whose links are watched for failure, a larger passive view
// of backups refreshed by Shuffle walks, joins through a seed with ForwardJoin random walks,
// and promotion of passive nodes (Neighbor) when an active link fails. The membership
// module runs it instead of the full SWIM list when `[protocol] view = "hyparview"`.
//
// Nothing is durable: a restarted node joins again through the seeds.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "protocols/membership/hyparview_messages.h"
#include "sim/outbox.h"

namespace meshsim::membership::hyparview {

// Deliberate bugs, to prove that the module's checkers catch what they claim to.
enum class Bug : uint8_t {
  none,
  ignore_disconnect,   // a Disconnect (or reset) leaves the link in place: symmetry must catch it
  no_drop_when_full,   // a full active view grows instead of dropping a member: view bounds must catch it
};

struct Params {
  std::vector<NodeId> seeds{0};
  // §5 of the paper, for 10,000 nodes: fanout log10(n) + 1 = 5 active, passive k·(log n + c) = 30.
  uint32_t active_size = 5;
  uint32_t passive_size = 30;
  uint32_t arwl = 6;  // Active Random Walk Length: ForwardJoin's initial TTL (and Shuffle's)
  uint32_t prwl = 3;  // Passive Random Walk Length: at this TTL the walk leaves a passive copy
  Duration shuffle_period = Duration::seconds(10);
  uint32_t shuffle_ka = 3;  // active nodes a Shuffle carries
  uint32_t shuffle_kp = 4;  // passive nodes a Shuffle carries
  Duration heartbeat_period = Duration::seconds(1);
  Duration link_timeout = Duration::seconds(3);  // silence on an active link before it is declared failed
  Duration join_timeout = Duration::seconds(1);  // next seed after this
  // A passive node that does not answer Neighbor within this is taken for dead (a TCP connect
  // to a crashed peer fails): after a mass crash most passive nodes are dead, and this is
  // what each of them costs before the next is tried.
  Duration neighbor_timeout = Duration::millis(250);
  // The symmetry checker's bound (0: computed at attach, README.md "Checkers").
  Duration symmetry_bound{};
  bool check_symmetry = true;
  Bug bug = Bug::none;
};

using HvOutbox = Outbox<Message>;

// Milestones reported through Outbox::note; every value is a node id.
enum NoteKind : uint16_t {
  kNoteActiveAdded = 1,  // this node put the value in its active view
  kNoteLinkFailed = 2,   // this node's active link to the value went silent (failure detected)
  kNoteShuffled = 3,     // this node started a Shuffle walk (value: itself)
};

inline constexpr TimerId kJoinTimer = 0;
inline constexpr TimerId kHeartbeatTimer = 1;
inline constexpr TimerId kShuffleTimer = 2;
inline constexpr TimerId kNeighborTimer = 3;

class HyParViewNode {
 public:
  struct ActivePeer {
    NodeId id = kNoNode;
    SimTime last_heard{};  // any message from it refreshes the link
    SimTime since{};       // when it entered this node's active view
  };
  // Inline up to the default active_size (plus one): every heartbeat reads the active view,
  // and at 100,000 nodes a separate heap block per node cost a cache miss per message
  // (perf: HyParViewNode::on_message was the top symbol, README "HyParView at 100,000 nodes").
  using ActiveView = boost::container::small_vector<ActivePeer, 6>;

  void start(const Params& p, const NodeView& v, HvOutbox& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, HvOutbox& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, HvOutbox& out);
  void crash();
  // Graceful leave: Disconnect to every active peer before the node stops.
  void announce_leave(HvOutbox& out);

  const ActiveView& active() const { return active_; }
  const std::vector<NodeId>& passive() const { return passive_; }
  bool in_active(NodeId n) const { return find_active(n) != active_.end(); }
  bool in_passive(NodeId n) const;
  bool joined() const { return joined_; }
  NodeId pending_neighbor() const { return pending_neighbor_; }

 private:
  void handle(const Params& p, const NodeView& v, NodeId from, const Join& m, HvOutbox& out);
  void handle(const Params& p, const NodeView& v, NodeId from, const ForwardJoin& m, HvOutbox& out);
  void handle(const Params& p, const NodeView& v, NodeId from, const JoinAccept& m, HvOutbox& out);
  void handle(const Params& p, const NodeView& v, NodeId from, const Neighbor& m, HvOutbox& out);
  void handle(const Params& p, const NodeView& v, NodeId from, const NeighborReply& m, HvOutbox& out);
  void handle(const Params& p, const NodeView& v, NodeId from, const Disconnect& m, HvOutbox& out);
  void handle(const Params& p, const NodeView& v, NodeId from, const Shuffle& m, HvOutbox& out);
  void handle(const Params& p, const NodeView& v, NodeId from, const ShuffleReply& m, HvOutbox& out);
  void handle(const Params& p, const NodeView& v, NodeId from, const Heartbeat& m, HvOutbox& out);

  void send_join(const Params& p, const NodeView& v, HvOutbox& out);
  void on_heartbeat_timer(const Params& p, const NodeView& v, HvOutbox& out);
  void on_shuffle_timer(const Params& p, const NodeView& v, HvOutbox& out);
  void request_neighbor(const Params& p, const NodeView& v, HvOutbox& out);

  void add_active(const Params& p, const NodeView& v, NodeId n, HvOutbox& out);
  void add_passive(const Params& p, const NodeView& v, NodeId n, const std::vector<NodeId>& evict_first = {});
  void remove_passive(NodeId n);
  NodeId random_active_except(const NodeView& v, NodeId a, NodeId b) const;
  std::vector<NodeId> sample(const NodeView& v, std::vector<NodeId> from, uint32_t k) const;
  ActiveView::const_iterator find_active(NodeId n) const;

  ActiveView active_;
  std::vector<NodeId> passive_;
  std::vector<NodeId> last_shuffle_sent_;  // §4.4: replaced first when the reply comes in
  NodeId pending_neighbor_ = kNoNode;
  uint32_t refusals_ = 0;  // Neighbor requests refused in a row
  static constexpr uint32_t kRefusalsBeforeRejoin = 3;
  uint32_t seed_cursor_ = 0;
  bool joined_ = false;
};

struct HyParViewProtocol {
  using Params = hyparview::Params;
  using Node = HyParViewNode;
  using Message = hyparview::Message;
  static constexpr TimerId timer_count = 4;
  static constexpr bool uses_rng = true;
};

}  // namespace meshsim::membership::hyparview
