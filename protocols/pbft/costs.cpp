// The CPU cost of receiving and sending each message (the engine's processing model). What
// a receiver verifies follows the paper: the sender's MAC (TOCS) or signature (OSDI), the
// client authenticators of every request in a batch, the digest of the batch, and every
// signature inside a view-change certificate.
#include "protocols/pbft/node.h"

namespace meshsim::pbft {

namespace {

Duration times(Duration d, size_t k) { return Duration{d.ns * static_cast<int64_t>(k)}; }
Duration hashing(const Params& p, uint32_t bytes) { return Duration{p.costs.digest_per_kib.ns * bytes / 1024}; }
Duration authenticator(const Params& p) {
  return p.authentication == Authentication::signatures ? p.costs.verify : p.costs.mac;
}
size_t signatures_in(const ViewChange& vc) {
  size_t k = 1 + vc.stable_proof.size();
  for (const PreparedProof& proof : vc.prepared) k += 1 + proof.prepares.size() + proof.batch.size();
  return k;
}

}  // namespace

Duration PbftProtocol::receive_cost(const Params& p, const Message& m) {
  return std::visit(
      [&](const auto& msg) -> Duration {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, Request>) return authenticator(p) + hashing(p, msg.wire_bytes());
        else if constexpr (std::is_same_v<T, PrePrepare>)
          return authenticator(p) + times(authenticator(p), msg.batch.size()) + hashing(p, msg.wire_bytes());
        else if constexpr (std::is_same_v<T, Checkpoint>) return p.costs.verify;
        else if constexpr (std::is_same_v<T, ViewChange>) return times(p.costs.verify, signatures_in(msg));
        else if constexpr (std::is_same_v<T, NewView>) {
          size_t k = 1 + msg.pre_prepares.size();
          for (const ViewChange& vc : msg.view_changes) k += signatures_in(vc);
          return times(p.costs.verify, k);
        } else if constexpr (std::is_same_v<T, CommitProof>)
          return times(p.costs.verify, msg.commits.size() + msg.batch.size()) + hashing(p, msg.wire_bytes());
        else if constexpr (std::is_same_v<T, StateReply>)
          return times(p.costs.verify, msg.proof.size()) + hashing(p, msg.wire_bytes());
        else return authenticator(p);  // reply, prepare, commit, fetches
      },
      m);
}

// With MACs every copy of a multicast needs its own MAC; a signature is computed once, by
// the step that signs (Replica::charge_signature), whatever the number of copies.
Duration PbftProtocol::send_cost(const Params& p, const Message& m) {
  if (p.authentication == Authentication::signatures) return {};
  if (std::holds_alternative<ViewChange>(m) || std::holds_alternative<NewView>(m) ||
      std::holds_alternative<StateReply>(m) || std::holds_alternative<CommitProof>(m))
    return {};
  return p.costs.mac;
}

}  // namespace meshsim::pbft
