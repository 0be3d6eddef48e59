// pBFT's messages (Castro & Liskov, OSDI 1999, §4; the view change of §4.4 with signed
// certificates). Wire sizes follow a compact binary encoding plus the authenticator the
// sender attaches (`auth`: one MAC or one signature, set from the scenario), for the
// network's bandwidth model and the bytes-per-request metric.
#pragma once
#include <cstdint>
#include <variant>
#include <vector>

#include "protocols/kv/command.h"
#include "protocols/kv/store.h"
#include "protocols/pbft/crypto.h"
#include "sim/ids.h"

namespace meshsim::pbft {

using View = uint64_t;
using Seq = uint64_t;

// A client's operation with the client's signature over it: replicas accept a request
// only if the signature checks, so a faulty primary cannot invent operations (validity).
struct Request {
  static constexpr const char* kName = "Request";
  kv::Command cmd;
  Sig client_sig;
  uint16_t auth = kMacBytes;
  uint32_t wire_bytes() const { return kv::Command::kWireBytes + kSigBytes + auth; }
  bool operator==(const Request&) const = default;
};

// A batch's requests on the wire, without their senders' authenticators.
inline uint32_t batch_wire_bytes(const std::vector<Request>& batch) {
  uint32_t b = 4;
  for (const Request& r : batch) b += r.wire_bytes() - r.auth;
  return b;
}

// The digest a pre-prepare carries: of its requests in order (the null request's is that
// of the empty batch).
inline Digest batch_digest(const std::vector<Request>& batch) {
  uint64_t h = 0x6261746368ULL;
  for (const Request& r : batch) h = hash_combine(h, command_digest(r.cmd));
  return h;
}

struct Reply {
  static constexpr const char* kName = "Reply";
  View view = 0;
  uint64_t seq = 0;  // the client's timestamp (its operation counter)
  kv::Outcome outcome;
  uint16_t auth = kMacBytes;
  // The replica's node is read-only (membership's ReadOnlyView) and would not take this
  // write in. One bit: it rides in the outcome's flag byte, so the size is unchanged.
  bool refused_read_only = false;
  uint32_t wire_bytes() const { return 8 + 8 + 9 + auth; }
};

// The primary's proposal: requests `batch` (empty = the null request) take sequence number
// `seq` in `view`. The signature lets it travel inside prepared certificates.
struct PrePrepare {
  static constexpr const char* kName = "PrePrepare";
  View view = 0;
  Seq seq = 0;
  Digest digest = 0;
  std::vector<Request> batch;
  Sig sig;
  uint16_t auth = kMacBytes;
  uint32_t wire_bytes() const {
    return 8 + 8 + 8 + kSigBytes + auth + batch_wire_bytes(batch);
  }
};

// PREPARE and COMMIT share a shape: replica `sender` votes for `digest` at (view, seq).
struct Vote {
  View view = 0;
  Seq seq = 0;
  Digest digest = 0;
  Sig sig;
  uint16_t auth = kMacBytes;
  uint32_t wire_bytes() const { return 8 + 8 + 8 + kSigBytes + auth; }
};
struct Prepare : Vote {
  static constexpr const char* kName = "Prepare";
};
struct Commit : Vote {
  static constexpr const char* kName = "Commit";
};

struct Checkpoint {
  static constexpr const char* kName = "Checkpoint";
  Seq seq = 0;
  Digest state = 0;  // digest of the service state after executing seq
  Sig sig;
  uint16_t auth = kMacBytes;
  uint32_t wire_bytes() const { return 8 + 8 + kSigBytes + auth; }
};

// A signature by `replica`, as certificates carry them.
struct Signer {
  NodeId replica = kNoNode;
  Sig sig;
  bool operator==(const Signer&) const = default;
};

// P_m of §4.4: a request prepared at `seq` in `view`: the primary's signed pre-prepare and
// 2f signed prepares from distinct backups.
struct PreparedProof {
  View view = 0;
  Seq seq = 0;
  Digest digest = 0;
  std::vector<Request> batch;
  Sig pre_prepare_sig;
  std::vector<Signer> prepares;
  uint32_t wire_bytes() const {
    return 8 + 8 + 8 + kSigBytes + static_cast<uint32_t>(prepares.size()) * (4 + kSigBytes) + batch_wire_bytes(batch);
  }
};

struct ViewChange {
  static constexpr const char* kName = "ViewChange";
  View new_view = 0;
  NodeId replica = kNoNode;
  Seq stable_seq = 0;  // the replica's last stable checkpoint...
  Digest stable_state = 0;
  std::vector<Signer> stable_proof;      // ...and 2f+1 signed CHECKPOINTs proving it (C)
  std::vector<PreparedProof> prepared;   // P: every request prepared above stable_seq
  Sig sig;
  uint32_t wire_bytes() const {
    uint32_t b = 8 + 4 + 8 + 8 + 4 + static_cast<uint32_t>(stable_proof.size()) * (4 + kSigBytes) + 4 + kSigBytes;
    for (const PreparedProof& p : prepared) b += p.wire_bytes();
    return b;
  }
};

// The new primary's NEW-VIEW: the 2f+1 VIEW-CHANGEs it based the view on (V) and the
// pre-prepares it computed from them (O).
struct NewView {
  static constexpr const char* kName = "NewView";
  View view = 0;
  std::vector<ViewChange> view_changes;
  std::vector<PrePrepare> pre_prepares;
  Sig sig;
  uint32_t wire_bytes() const {
    uint32_t b = 8 + 8 + kSigBytes;
    for (const ViewChange& v : view_changes) b += v.wire_bytes();
    for (const PrePrepare& p : pre_prepares) b += p.wire_bytes();
    return b;
  }
};

// State transfer: a replica that learns of a stable checkpoint beyond what it executed asks
// for that checkpoint's state; the answer is checked against the checkpoint's digest.
struct FetchState {
  static constexpr const char* kName = "FetchState";
  Seq seq = 0;
  uint32_t wire_bytes() const { return 8 + kMacBytes; }
};
struct StateReply {
  static constexpr const char* kName = "StateReply";
  Seq seq = 0;
  kv::Store store;
  std::vector<Signer> proof;  // 2f+1 CHECKPOINT signatures for (seq, digest of store)
  uint32_t wire_bytes() const {
    return 8 + static_cast<uint32_t>(store.wire_bytes()) + 4 + static_cast<uint32_t>(proof.size()) * (4 + kSigBytes);
  }
};

// A replica that sees f+1 others working in a higher view (it was down or cut off during a
// view change) asks one of them for the NEW-VIEW that started it; NEW-VIEW proves itself.
// This stands in for the status messages of Castro's thesis §5.2.
struct FetchNewView {
  static constexpr const char* kName = "FetchNewView";
  View view = 0;
  uint32_t wire_bytes() const { return 8 + kMacBytes; }
};

// Retransmission for a replica with a gap (it missed messages while down, cut off or to
// loss, and sees later slots commit): it asks for the slots [first, last], and replicas that
// committed them answer with commit certificates: the batch and 2f+1 signed COMMITs, which
// prove the decision on their own (in the spirit of Castro's thesis §5.2 retransmissions).
struct FetchCommitted {
  static constexpr const char* kName = "FetchCommitted";
  Seq first = 0;
  Seq last = 0;
  uint32_t wire_bytes() const { return 16 + kMacBytes; }
};
struct CommitProof {
  static constexpr const char* kName = "CommitProof";
  View view = 0;
  Seq seq = 0;
  Digest digest = 0;
  std::vector<Request> batch;
  std::vector<Signer> commits;
  uint32_t wire_bytes() const {
    return 8 + 8 + 8 + static_cast<uint32_t>(commits.size()) * (4 + kSigBytes) + batch_wire_bytes(batch);
  }
};

// A replica changing to `view` that holds no VIEW-CHANGE from the receiver for `view` or a
// later one asks for it: the receiver answers with its own VIEW-CHANGE if it is changing to
// `view` or beyond, or with the NEW-VIEW if it has entered such a view already. Having
// heard from a replica does not mean it has heard from us, so a VIEW-CHANGE must be
// retransmitted until its receiver holds it (OSDI 1999 §3's delay(t) assumes it), and only
// the receiver knows that: the receiver-driven retransmission of Castro's thesis §5.2,
// where a replica's status message lists the VIEW-CHANGEs it is missing.
struct FetchViewChange {
  static constexpr const char* kName = "FetchViewChange";
  View view = 0;
  uint32_t wire_bytes() const { return 8 + kMacBytes; }
};

using Message = std::variant<Request, Reply, PrePrepare, Prepare, Commit, Checkpoint, ViewChange, NewView,
                             FetchState, StateReply, FetchNewView, FetchCommitted, CommitProof, FetchViewChange>;

}  // namespace meshsim::pbft
