// The client side of the key-value workload, shared by the protocols that replicate the
// store: which operation a client issues next and when (closed loop with think time, or
// open loop at a rate), and the client's own record of what it invoked and saw. The
// protocol's client state machine decides where requests go (leader, all replicas) and
// when a reply is final; this part knows nothing of that.
#pragma once
#include <boost/random/exponential_distribution.hpp>
#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "protocols/kv/command.h"
#include "protocols/kv/history.h"
#include "sim/rng.h"
#include "sim/time.h"

namespace meshsim::kv {

struct WorkloadParams {
  uint32_t keys = 8;
  double get_share = 0.4;
  double cas_share = 0.2;  // the rest are puts
  bool open_loop = false;
  Duration think = Duration::millis(10);  // closed loop: pause between a reply and the next op
  double rate_per_s = 20;                 // open loop: Poisson arrivals per client
  uint32_t max_ops = 0;                   // per client; 0 = no limit
  Duration request_timeout = Duration::millis(300);  // before the client retries elsewhere
  Duration start = Duration::millis(0);   // clients start issuing after this
  // The end-of-run linearizability search gives up on a key (verdict unknown, run
  // inconclusive) past this many configurations, about 80 bytes each.
  uint64_t linearizability_max_states = 5'000'000;
};

class ClientWorkload {
 public:
  // A pending operation: its command and its index in the client's record.
  struct Pending {
    Command cmd;
    size_t record = 0;
    SimTime last_sent{};
  };

  // The next command: kind by share, key uniform, written values unique to this client
  // and op (so the linearizability checker can tell writes apart), cas expecting the last
  // value this client saw for the key.
  Command next(const WorkloadParams& p, uint32_t client, Rng& rng, SimTime now) {
    Command c;
    c.client = client;
    c.seq = next_seq_++;
    c.key = static_cast<uint32_t>(rng.below(p.keys));
    double u = rng.unit();
    c.kind = u < p.get_share ? OpKind::get : (u < p.get_share + p.cas_share ? OpKind::cas : OpKind::put);
    c.value = (static_cast<int64_t>(client) + 1) << 32 | static_cast<int64_t>(c.seq + 1);
    if (c.kind == OpKind::cas) {
      auto it = last_seen_.find(c.key);
      c.expected = it == last_seen_.end() ? 0 : it->second;
    }
    size_t record = records_.size();
    records_.push_back(Operation{client, c.kind, c.key, c.kind == OpKind::get ? 0 : c.value, c.expected, now.ns, -1, 0, true});
    pending_.emplace(c.seq, Pending{c, record, now});
    refresh_first_outstanding();
    return pending_.at(c.seq).cmd;
  }

  // A reply for `seq`. Returns false for a reply to an operation no longer pending (a
  // duplicate reply after a retry).
  bool complete(uint64_t seq, const Outcome& out, SimTime now) {
    auto it = pending_.find(seq);
    if (it == pending_.end()) return false;
    Operation& op = records_[it->second.record];
    op.completed_ns = now.ns;
    op.result = out.value;
    op.ok = out.ok;
    last_seen_[op.key] = out.value;
    pending_.erase(it);
    ++completed_;
    refresh_first_outstanding();
    return true;
  }

  // A get answered as possibly stale by a read-only node: the client takes the answer and
  // moves on, but its record stays indeterminate (completed_ns -1), flagged, because a
  // stale read is outside the linearizable history by design.
  bool complete_possibly_stale(uint64_t seq, const Outcome& out) {
    auto it = pending_.find(seq);
    if (it == pending_.end()) return false;
    Operation& op = records_[it->second.record];
    op.result = out.value;
    op.possibly_stale = true;
    pending_.erase(it);
    ++possibly_stale_;
    refresh_first_outstanding();
    return true;
  }

  // The client stops waiting for `seq` (a read-only node refused it): the record stays
  // indeterminate, not failed, because an earlier copy sent before a timeout may still be
  // in some log and take effect. Returns false if it was no longer pending.
  bool give_up(uint64_t seq) {
    if (pending_.erase(seq) == 0) return false;
    refresh_first_outstanding();
    return true;
  }

  // The client crashed: its pending operations stay indeterminate in the record (they may
  // still take effect), and it stops waiting for them.
  void abandon_pending() {
    pending_.clear();
    refresh_first_outstanding();
  }

  // When a client issues its first operation: the workload's start plus one open-loop
  // interarrival, or a uniform share of the think time, so clients do not all collide.
  static Duration first_issue_delay(const WorkloadParams& p, Rng& rng) {
    if (p.open_loop) return p.start + interarrival(p, rng);
    return p.start + Duration{static_cast<int64_t>(rng.below(static_cast<uint64_t>(p.think.ns) + 1))};
  }

  // Delay until the next open-loop arrival.
  static Duration interarrival(const WorkloadParams& p, Rng& rng) {
    boost::random::exponential_distribution<double> d(p.rate_per_s);
    return Duration{static_cast<int64_t>(d(rng) * 1e9) + 1};
  }

  // How long until the oldest pending operation's request times out (at least 1 ns).
  Duration retry_wait(const WorkloadParams& p, SimTime now) const {
    SimTime earliest = SimTime::max();
    for (const auto& [seq, pending] : pending_) earliest = std::min(earliest, pending.last_sent);
    return std::max((earliest + p.request_timeout) - now, Duration{1});
  }

  bool may_issue(const WorkloadParams& p) const { return p.max_ops == 0 || issued() < p.max_ops; }
  uint64_t issued() const { return next_seq_; }
  uint64_t completed() const { return completed_; }
  uint64_t possibly_stale() const { return possibly_stale_; }
  std::map<uint64_t, Pending>& pending() { return pending_; }
  const std::map<uint64_t, Pending>& pending() const { return pending_; }
  const std::vector<Operation>& records() const { return records_; }

 private:
  void refresh_first_outstanding() {
    uint64_t first = pending_.empty() ? next_seq_ : pending_.begin()->first;
    for (auto& [seq, pend] : pending_) pend.cmd.first_outstanding = first;
  }

  uint64_t next_seq_ = 0;
  uint64_t completed_ = 0;
  uint64_t possibly_stale_ = 0;
  std::map<uint64_t, Pending> pending_;
  std::map<uint32_t, int64_t> last_seen_;
  std::vector<Operation> records_;
};

}  // namespace meshsim::kv
