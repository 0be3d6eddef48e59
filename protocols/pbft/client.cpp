#include "protocols/pbft/client.h"

#include <algorithm>

#include "protocols/pbft/certificates.h"

namespace meshsim::pbft {

void Client::start(const Params& p, const NodeView& v, Outbox<Message>& out) {
  out.set_timer(kClientIssueTimer, kv::ClientWorkload::first_issue_delay(p.workload, *v.rng));
}

Request Client::request_for(const Params& p, const kv::ClientWorkload::Pending& pending) const {
  Request r;
  r.cmd = pending.cmd;
  r.client_sig = sign(pending.cmd.client, request_statement(pending.cmd));
  r.auth = p.authentication == Authentication::signatures ? kSigBytes : kMacBytes;
  return r;
}

void Client::issue(const Params& p, const NodeView& v, Outbox<Message>& out) {
  workload_.next(p.workload, v.self, *v.rng, v.now);
  auto& pending = workload_.pending().rbegin()->second;
  out.busy(p.costs.sign);
  out.send(p.primary(view_), request_for(p, pending));
  if (workload_.pending().size() == 1) arm_retry(p, v, out);
}

void Client::on_timer(const Params& p, const NodeView& v, TimerId id, Outbox<Message>& out) {
  if (id == kClientIssueTimer) {
    if (!workload_.may_issue(p.workload)) return;
    issue(p, v, out);
    if (p.workload.open_loop) out.set_timer(kClientIssueTimer, kv::ClientWorkload::interarrival(p.workload, *v.rng));
    return;
  }
  if (id != kClientRetryTimer) return;
  // No f+1 matching replies in time: the primary may be faulty. Tell every replica.
  for (auto& [seq, pending] : workload_.pending()) {
    if (v.now - pending.last_sent < p.workload.request_timeout) continue;
    pending.last_sent = v.now;
    ++retransmissions_;
    Request r = request_for(p, pending);
    for (NodeId replica = 0; replica < p.replicas; ++replica) out.send(replica, r);
  }
  arm_retry(p, v, out);
}

void Client::on_message(const Params& p, const NodeView& v, NodeId from, const Message& m, Outbox<Message>& out) {
  const auto* reply = std::get_if<Reply>(&m);
  if (!reply || !p.is_replica(from) || !workload_.pending().contains(reply->seq)) return;
  if (reply->refused_read_only) return on_refusal(p, from, reply->seq, out);
  auto& votes = replies_[reply->seq];
  votes[from] = *reply;
  size_t matching = 0;
  View view = reply->view;
  for (const auto& [r, other] : votes)
    if (other.outcome == reply->outcome) {
      ++matching;
      view = std::min(view, other.view);  // a faulty replica may claim a later view; the lowest is a correct one's or older
    }
  if (matching < p.f() + 1) return;
  // f+1 matching replies include a correct replica's: the result is the service's.
  view_ = std::max(view_, view);
  replies_.erase(reply->seq);
  refusals_.erase(reply->seq);
  const auto& record = workload_.records()[workload_.pending().at(reply->seq).record];
  out.note(kNoteCompleted, v.now.ns - record.invoked_ns);
  workload_.complete(reply->seq, reply->outcome, v.now);
  if (!p.workload.open_loop && workload_.may_issue(p.workload)) out.set_timer(kClientIssueTimer, p.workload.think);
  if (workload_.pending().empty()) out.cancel_timer(kClientRetryTimer);
}

// A replica whose node is read-only refused the write. One refusal may be a faulty
// replica's lie, so the client gives the write up only when f+1 replicas refused it (one of
// them correct), as it accepts a result only from f+1 matching replies. Given up, the write
// stays indeterminate (a copy sent before may still be ordered) and the client goes on with
// its next operation; with fewer refusals it keeps retransmitting, as pBFT's client does.
void Client::on_refusal(const Params& p, NodeId from, uint64_t seq, Outbox<Message>& out) {
  auto& who = refusals_[seq];
  who.insert(from);
  if (who.size() < p.f() + 1) return;
  refusals_.erase(seq);
  replies_.erase(seq);
  if (!workload_.give_up(seq)) return;
  ++given_up_read_only_;
  if (!p.workload.open_loop && workload_.may_issue(p.workload)) out.set_timer(kClientIssueTimer, p.workload.think);
  if (workload_.pending().empty()) out.cancel_timer(kClientRetryTimer);
}

void Client::arm_retry(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (workload_.pending().empty()) return;
  out.set_timer(kClientRetryTimer, workload_.retry_wait(p.workload, v.now));
}

}  // namespace meshsim::pbft
