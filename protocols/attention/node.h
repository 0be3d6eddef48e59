// One mesh node running attention consensus: a pure state machine (timers and proposals in,
// an Outbox out), driven by NodeModule (sim/node_module.h).
//
// Round r starts at r · round_interval on every node's timer. The node proposes, sends its
// proposal and embedding to every other node (the gossip variant: to its overlay
// neighbours), and decides on what reached it: when it holds every node's proposal, or at
// the step's deadline with whatever it holds. Nothing waits for a quorum; there is none.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "protocols/attention/attention_math.h"
#include "protocols/attention/embedding.h"
#include "protocols/attention/messages.h"
#include "protocols/attention/params.h"
#include "sim/outbox.h"

namespace meshsim::attention {

// What every node of a run shares and nobody changes: built once from the seed and the
// topology by the module.
struct Context {
  uint64_t seed = 0;
  Embedder embedder;
  Projections projections;
  std::vector<Eigen::VectorXd> positions;  // GraphRoPE: per node, empty otherwise
};

// The learning store's record of one peer, as this node saw it.
struct PeerRecord {
  uint32_t seen = 0;     // rounds in which the node decided with this peer's proposal held
  uint32_t flagged = 0;  // of those, rounds in which the outlier rule flagged it
  uint32_t won = 0;      // rounds in which its proposal won this node's vote
  // The factor on the peer's attention weight in the vote: a Laplace estimate of how often
  // it is not flagged, times a bonus for past wins. A fresh peer gets 1/2.
  double multiplier() const {
    return (1.0 + seen - flagged) / (2.0 + seen) * (1.0 + static_cast<double>(won) / (1.0 + seen));
  }
};

struct Decision {
  uint32_t round = 0;
  double value = 0;
  NodeId winner = 0;
  int64_t latency_ns = 0;       // round start to decision, CPU queue and attention included
  uint64_t multiply_adds = 0;   // of every attention step of the round on this node
  std::vector<NodeId> held;     // whose proposals it decided on (itself included)
  std::vector<NodeId> flagged;  // whom the outlier rule flagged
};

inline constexpr TimerId kRoundTimer = 0;
inline constexpr TimerId kStepTimer = 1;
inline constexpr uint16_t kNoteProposed = 1;  // value: round
inline constexpr uint16_t kNoteDecided = 2;   // value: round; last_decision() has the rest
inline constexpr uint16_t kNoteLate = 3;      // a proposal for another round or step, ignored

class Node {
 public:
  Node() = default;
  Node(std::shared_ptr<const Context> context, uint32_t node_count)
      : context_(std::move(context)), reputation_(node_count) {}

  void start(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out);
  // Volatile: the round in progress and what it holds. Durable: the learning store, which a
  // real node would keep on disk (it is small: three counters per peer).
  void crash();

  const Decision& last_decision() const { return decision_; }
  const std::vector<PeerRecord>& reputation() const { return reputation_; }
  uint32_t round() const { return round_; }

 private:
  struct Held {
    double value;
    std::shared_ptr<const Eigen::VectorXd> embedding;
  };
  void begin_round(const Params& p, const NodeView& v, Outbox<Message>& out);
  void broadcast(const Params& p, const NodeView& v, Outbox<Message>& out);
  void advance_gossip(const Params& p, const NodeView& v, Outbox<Message>& out);
  void decide(const Params& p, const NodeView& v, Outbox<Message>& out);
  Eigen::MatrixXd held_matrix(const Params& p, std::vector<NodeId>& ids, std::vector<double>& values) const;

  std::shared_ptr<const Context> context_;
  std::vector<PeerRecord> reputation_;
  uint32_t round_ = 0;
  uint8_t step_ = 0;
  bool deciding_ = false;  // a round is open and not decided yet
  int64_t round_start_ns_ = 0;
  uint64_t round_multiply_adds_ = 0;
  double own_value_ = 0;
  std::map<NodeId, Held> held_;
  Decision decision_;
};

struct Protocol {
  using Params = attention::Params;
  using Node = attention::Node;
  using Message = attention::Message;
  static constexpr TimerId timer_count = 2;
  static constexpr bool uses_rng = false;  // every draw is a pure function of (seed, round, node)
  static bool models_processing(const Params& p) { return p.cost_per_mac_ns > 0; }
  static Duration receive_cost(const Params&, const Message&) { return {}; }
  static Duration send_cost(const Params&, const Message&) { return {}; }
};

}  // namespace meshsim::attention
