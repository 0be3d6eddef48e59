// A pBFT client (OSDI 1999 §4.1): signs each operation, sends it to the primary of the
// view it last heard of, accepts the result once f+1 replicas sent matching replies (one of
// them is correct), and on a timeout retransmits to all replicas, which relay it to the
// primary and start their view-change timers. The workload itself is kv::ClientWorkload,
// shared with Raft.
#pragma once
#include <map>
#include <set>

#include "protocols/kv/workload.h"
#include "protocols/pbft/messages.h"
#include "protocols/pbft/params.h"
#include "protocols/pbft/replica.h"
#include "sim/outbox.h"

namespace meshsim::pbft {

class Client {
 public:
  void start(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out);
  void on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out);
  // A crashed client forgets what it was waiting for; those operations stay indeterminate.
  void crash() {
    workload_.abandon_pending();
    replies_.clear();
    refusals_.clear();
  }

  const kv::ClientWorkload& workload() const { return workload_; }
  uint64_t retransmissions() const { return retransmissions_; }
  uint64_t given_up_read_only() const { return given_up_read_only_; }

 private:
  void issue(const Params& p, const NodeView& v, Outbox<Message>& out);
  Request request_for(const Params& p, const kv::ClientWorkload::Pending& pending) const;
  void arm_retry(const Params& p, const NodeView& v, Outbox<Message>& out);
  void on_refusal(const Params& p, NodeId from, uint64_t seq, Outbox<Message>& out);

  kv::ClientWorkload workload_;
  View view_ = 0;  // the view of the last accepted result: whose primary to send to
  std::map<uint64_t, std::map<NodeId, Reply>> replies_;  // per pending seq, each replica's latest
  std::map<uint64_t, std::set<NodeId>> refusals_;  // per pending seq, replicas that refused it read-only
  uint64_t retransmissions_ = 0;
  uint64_t given_up_read_only_ = 0;
};

}  // namespace meshsim::pbft
