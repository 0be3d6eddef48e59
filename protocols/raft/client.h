// A Raft client (thesis ch. 6): sends each operation to the server it believes leads,
// follows redirects, and on a timeout retries the same operation (same sequence number,
// so the servers' sessions apply it once) at the next server. The workload part (what to
// issue, when, and the record of what was seen) is kv::ClientWorkload, shared with pBFT.
#pragma once
#include "protocols/kv/workload.h"
#include "protocols/raft/messages.h"
#include "protocols/raft/params.h"
#include "sim/outbox.h"

namespace meshsim::raft {

class Client {
 public:
  void start(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out);
  // A crashed client forgets what it was waiting for; its record keeps those operations
  // as indeterminate (they may still take effect).
  void crash() { workload_.abandon_pending(); }

  const kv::ClientWorkload& workload() const { return workload_; }
  uint64_t retries() const { return retries_; }
  uint64_t redirects() const { return redirects_; }
  uint64_t refused_read_only() const { return refused_read_only_; }

 private:
  void issue(const Params& p, const NodeView& v, Outbox<Message>& out);
  void send(const Params& p, const NodeView& v, kv::ClientWorkload::Pending& pending, Outbox<Message>& out);
  void arm_retry(const Params& p, const NodeView& v, Outbox<Message>& out);

  kv::ClientWorkload workload_;
  NodeId leader_guess_ = 0;
  uint64_t retries_ = 0;
  uint64_t redirects_ = 0;
  uint64_t refused_read_only_ = 0;
};

}  // namespace meshsim::raft
