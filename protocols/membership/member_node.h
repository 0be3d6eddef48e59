// The per-node membership state machine: join through seeds, a full membership list kept
// by SWIM's probing and infection-style dissemination (Das, Gupta, Motivala, DSN 2002), a
// push-pull full-state exchange as in Serf/memberlist, and quorum confirmation of
// suspicions. Pure: it reads only its own state, the Params, the NodeView and the message,
// and writes an Outbox.
//
// Durability: a node keeps only its incarnation number across a crash, so that after a
// restart it outbids whatever was said about its previous life; the list, suspicions and
// probe state are volatile and rebuilt by joining again through the seeds.
#pragma once
#include <cstdint>
#include <array>
#include <map>
#include <vector>

#include "protocols/membership/messages.h"
#include "protocols/membership/params.h"
#include "protocols/membership/phi_accrual.h"
#include "sim/outbox.h"

namespace meshsim::membership {

using MemberOutbox = Outbox<Message>;

enum class Status : uint8_t { unknown, alive, suspect, failed, left };

// Milestones reported through Outbox::note; every value is a member id.
enum NoteKind : uint16_t {
  kNoteAccused = 1,  // this node's own detector accused the member
  kNoteFailed = 2,   // this node declared the member failed (confirmed)
  kNoteLearned = 3,  // this node learned of the member (or of a new life of it)
  kNoteRefuted = 4,  // this node refuted a suspicion about itself
  kNoteJoined = 5,   // this node got a seed's member list
  kNoteReadOnly = 6, // value 1: this node went read-only; 0: it left that state
};

inline constexpr TimerId kJoinTimer = 0;
inline constexpr TimerId kProbeTimer = 1;
inline constexpr TimerId kPingTimeout = 2;
inline constexpr TimerId kSyncTimer = 3;

class MemberNode {
 public:
  // A node that rejoins after leaving passes on the incarnation of its previous life.
  explicit MemberNode(uint32_t incarnation = 0) : incarnation_(incarnation) {}
  void start(const Params& p, const NodeView& v, MemberOutbox& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, MemberOutbox& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, MemberOutbox& out);
  void crash();
  // Graceful leave: Leave(self) to up to p.leave_fanout live members, before the node stops.
  void announce_leave(const Params& p, const NodeView& v, MemberOutbox& out);

  Status status_of(NodeId member) const { return member < members_.size() ? members_[member].status : Status::unknown; }
  uint32_t incarnation_of(NodeId member) const { return member < members_.size() ? members_[member].incarnation : 0; }
  // Incarnations stop here (28 bits): far beyond any run's refutations.
  static constexpr uint32_t kMaxIncarnation = (1u << 28) - 1;
  // Partition handling: the node holds fewer than a majority of the membership it last
  // agreed on as alive, so it must refuse writes (and flag its reads as possibly stale).
  bool read_only() const { return live_count_ > 0 && 2 * agreed_alive_ <= agreed_count_; }
  uint32_t agreed_count() const { return agreed_count_; }
  uint32_t incarnation() const { return incarnation_; }
  bool joined() const { return joined_; }
  uint32_t accusers_of(NodeId member) const;
  // Members this node holds as alive or suspect, itself included.
  uint32_t live_count() const { return live_count_; }
  NodeId probe_target() const { return probe_target_; }
  size_t pending_updates() const { return queue_.size(); }
  // phi: the members this node monitors, and its suspicion level of one of them now.
  std::vector<NodeId> watched() const {
    std::vector<NodeId> w;
    for (const auto& [m, _] : watched_) w.push_back(m);
    return w;
  }

 private:
  // Four bytes a member: a full list is n entries on each of n nodes (400 MB at 10,000).
  struct Member {
    uint32_t incarnation : 28 = 0;
    uint32_t agreed : 1 = 0;  // in the membership this node last agreed on
    Status status : 3 = Status::unknown;
  };
  static_assert(sizeof(Member) == 4);
  struct Suspicion {
    SimTime since{};
    std::vector<NodeId> accusers;  // distinct, at the member's current incarnation
  };
  struct Queued {
    Update update;
    uint32_t sends_left = 0;
  };

  void step_timer(const Params& p, const NodeView& v, TimerId id, MemberOutbox& out);
  void send_join(const Params& p, const NodeView& v, MemberOutbox& out);
  void begin_probe(const Params& p, const NodeView& v, MemberOutbox& out);
  void phi_tick(const Params& p, const NodeView& v, MemberOutbox& out);
  void on_ping_timeout(const Params& p, const NodeView& v, MemberOutbox& out);
  void handle_ping(const Params& p, const NodeView& v, NodeId from, const Ping& m, MemberOutbox& out);
  void handle_ack(const Params& p, const NodeView& v, NodeId from, const Ack& m, MemberOutbox& out);
  void handle_ping_req(const Params& p, const NodeView& v, NodeId from, const PingReq& m, MemberOutbox& out);
  void handle_join(const Params& p, const NodeView& v, NodeId from, const Join& m, MemberOutbox& out);
  void handle_member_list(const Params& p, const NodeView& v, NodeId from, const MemberList& m, MemberOutbox& out);

  void apply(const Params& p, const NodeView& v, const Update& u, MemberOutbox& out);
  void apply_alive(const Params& p, const NodeView& v, NodeId member, uint32_t inc, bool spread, MemberOutbox& out);
  void apply_suspect(const Params& p, const NodeView& v, const Update& u, MemberOutbox& out);
  void apply_leave(const Params& p, const NodeView& v, NodeId member, uint32_t inc, MemberOutbox& out);
  void refute(const Params& p, const NodeView& v, uint32_t accused_incarnation, MemberOutbox& out);
  void accuse(const Params& p, const NodeView& v, NodeId member, MemberOutbox& out);
  void maybe_confirm(const Params& p, const NodeView& v, NodeId member, MemberOutbox& out);
  void expire_suspicions(const Params& p, const NodeView& v, MemberOutbox& out);
  void set_status(NodeId member, Status s);
  void set_agreed(NodeId member, bool agreed);
  void maybe_commit_agreed();
  void note_read_only_change(bool was, MemberOutbox& out) const;

  void enqueue(const Params& p, const NodeView& v, const Update& u);
  Updates take_piggyback(const Params& p);
  std::vector<Entry> list_entries() const;
  MemberList member_list(bool reply) const;
  NodeId random_live_member(const NodeView& v, NodeId except);
  NodeId random_failed_member(const NodeView& v);
  void ensure_size(const NodeView& v);

  std::vector<Member> members_;          // indexed by node id; unknown until learned
  std::map<NodeId, Suspicion> suspicions_;
  std::map<NodeId, std::vector<NodeId>> certificates_;  // failed member -> the accusers that condemned it
  std::vector<Queued> queue_;            // updates to piggyback, oldest first
  std::map<NodeId, PhiWindow> watched_;  // phi: the ring successors this node monitors
  std::vector<NodeId> probe_order_;      // SWIM §4.3: round-robin over a shuffled list
  size_t probe_cursor_ = 0;
  uint32_t live_count_ = 0;
  uint32_t agreed_count_ = 0;  // members flagged agreed
  // Of those, held alive or suspect: a suspicion is not yet a verdict (after a heal, the
  // other side's stale accusations make many members suspect for a moment, refuted soon).
  uint32_t agreed_alive_ = 0;
  uint32_t incarnation_ = 0;             // durable
  uint32_t probe_seq_ = 0;
  NodeId probe_target_ = kNoNode;
  bool probe_acked_ = true;
  bool joined_ = false;
  uint32_t seed_cursor_ = 0;
};

struct MembershipProtocol {
  using Params = membership::Params;
  using Node = MemberNode;
  using Message = membership::Message;
  static constexpr TimerId timer_count = 4;
  static constexpr bool uses_rng = true;
  static constexpr std::array<const char*, 5> message_names = {"ping", "ack", "ping_req", "join", "member_list"};
};

}  // namespace meshsim::membership
