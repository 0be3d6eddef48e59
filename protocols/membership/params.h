// Parameters of the membership protocol, read from the [protocol] section
// (membership_config.cpp; README.md lists them with the papers they come from).
#pragma once
#include <cstdint>
#include <vector>

#include "sim/ids.h"
#include "sim/time.h"

namespace meshsim::membership {

enum class Detector : uint8_t {
  // Ping, wait ping_timeout, declare: SWIM's "basic" protocol (§3.1) without indirect
  // probes or suspicion. One lost ack accuses a healthy peer.
  fixed_timeout,
  // Ping, then ping-req through k helpers, then suspicion that the member may refute with a
  // higher incarnation before suspicion_timeout (SWIM §3.1, §4.2).
  swim,
  // Each node heartbeats (pings) its `monitors` ring successors every period and accuses
  // one when its phi (Hayashibara et al. 2004) passes phi_threshold. With quorum q of the
  // m monitors, this is the "q of a node's m monitors agree" rule of the issue.
  phi,
};

// Deliberate bugs, for proving that the checkers catch what they claim to.
enum class Bug : uint8_t {
  none,
  suspicion_never_expires,  // completeness must catch it
  quorum_of_one,            // confirms on the first accusation whatever q says: accuracy must catch it
};

struct Params {
  std::vector<NodeId> seeds{0};
  Detector detector = Detector::swim;
  Duration period = Duration::millis(200);          // SWIM's protocol period T'
  Duration ping_timeout = Duration::millis(50);     // direct ack wait before ping-req
  uint32_t indirect_k = 3;                          // SWIM's k
  Duration suspicion_timeout = Duration::seconds(1);
  // Quorum confirmation: a suspicion becomes a failure only when this many distinct nodes
  // accuse the member at the same incarnation. 1 is plain SWIM.
  uint32_t quorum = 1;
  double phi_threshold = 8.0;                       // Akka's and Cassandra's default
  uint32_t monitors = 4;                            // phi: ring successors each node watches
  Duration phi_min_std = Duration::millis(50);      // phi: floor on the inter-arrival deviation
  uint32_t retransmit_mult = 3;                     // an update is piggybacked mult * ceil(log2(n+1)) times
  uint32_t max_piggyback = 8;                       // updates per message
  Duration sync_interval = Duration::seconds(2);    // push-pull full-state exchange (Serf/memberlist)
  Duration join_timeout = Duration::seconds(1);     // try the next seed after this
  // Graceful leave (Serf's "leave intent"): a leaving node sends its own Leave to this many
  // live members before it stops, so the mesh learns it left instead of detecting a crash.
  // 0 leaves silently, as a crash does.
  uint32_t leave_fanout = 3;
  // The completeness checker's bound (0: the default of README.md, computed at attach).
  Duration completeness_bound{};
  bool check_completeness = true;
  bool check_accuracy = true;
  Bug bug = Bug::none;
};

}  // namespace meshsim::membership
