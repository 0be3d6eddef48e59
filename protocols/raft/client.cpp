#include "protocols/raft/client.h"

#include <algorithm>

namespace meshsim::raft {

void Client::start(const Params& p, const NodeView& v, Outbox<Message>& out) {
  leader_guess_ = static_cast<NodeId>(v.rng->below(p.servers));
  out.set_timer(kClientIssueTimer, kv::ClientWorkload::first_issue_delay(p.workload, *v.rng));
}

void Client::on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out) {
  if (id == kClientIssueTimer) {
    if (!workload_.may_issue(p.workload)) return;
    issue(p, v, out);
    if (p.workload.open_loop) out.set_timer(kClientIssueTimer, kv::ClientWorkload::interarrival(p.workload, *v.rng));
    return;
  }
  if (id != kClientRetryTimer) return;
  // Whoever we were waiting on did not answer in time: try the next server.
  bool rotated = false;
  for (auto& [seq, pending] : workload_.pending()) {
    if (v.now - pending.last_sent < p.workload.request_timeout) continue;
    if (!rotated) {
      leader_guess_ = (leader_guess_ + 1) % p.servers;
      rotated = true;
    }
    ++retries_;
    send(p, v, pending, out);
  }
  arm_retry(p, v, out);
}

void Client::on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out) {
  const auto* reply = std::get_if<ClientReply>(&m);
  if (!reply || !p.is_server(from)) return;
  if (reply->redirect) {
    auto it = workload_.pending().find(reply->seq);
    if (it == workload_.pending().end()) return;
    ++redirects_;
    // Follow a hint at once; without one (an election is on), wait for the retry timer
    // rather than circling the servers at network speed.
    if (reply->leader_hint != kNoNode && reply->leader_hint != from && p.is_server(reply->leader_hint)) {
      leader_guess_ = reply->leader_hint;
      send(p, v, it->second, out);
    } else {
      leader_guess_ = (from + 1) % p.servers;
    }
    return;
  }
  if (reply->refused_read_only) {
    // The server's node lost its majority and this copy entered no log. The client gives
    // the write up (indeterminate: a copy sent before a timeout may still be in a log) and
    // goes on with its next operation, trying the next server: a partitioned client keeps
    // getting possibly stale reads where it would otherwise block on one write.
    if (!workload_.give_up(reply->seq)) return;
    ++refused_read_only_;
    leader_guess_ = (from + 1) % p.servers;
    if (!p.workload.open_loop && workload_.may_issue(p.workload)) out.set_timer(kClientIssueTimer, p.workload.think);
    if (workload_.pending().empty()) out.cancel_timer(kClientRetryTimer);
    return;
  }
  leader_guess_ = from;
  bool fresh = reply->possibly_stale ? workload_.complete_possibly_stale(reply->seq, reply->outcome)
                                     : workload_.complete(reply->seq, reply->outcome, v.now);
  if (!fresh) return;  // a late duplicate
  if (!p.workload.open_loop && workload_.may_issue(p.workload)) out.set_timer(kClientIssueTimer, p.workload.think);
  if (workload_.pending().empty()) out.cancel_timer(kClientRetryTimer);
}

void Client::issue(const Params& p, const NodeView& v, Outbox<Message>& out) {
  workload_.next(p.workload, v.self, *v.rng, v.now);
  auto& pending = workload_.pending().rbegin()->second;
  send(p, v, pending, out);
  if (workload_.pending().size() == 1) arm_retry(p, v, out);
}

void Client::send(const Params&, const NodeView& v, kv::ClientWorkload::Pending& pending, Outbox<Message>& out) {
  pending.last_sent = v.now;
  out.send(leader_guess_, ClientRequest{pending.cmd});
}

void Client::arm_retry(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (workload_.pending().empty()) return;
  out.set_timer(kClientRetryTimer, workload_.retry_wait(p.workload, v.now));
}

}  // namespace meshsim::raft
