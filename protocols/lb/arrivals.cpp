// Arrival processes of the lb workload (`arrivals`, README.md "Arrivals"). Every draw comes
// from the node's protocol stream, in a fixed order, so a run stays a pure function of its
// seed; Poisson arrivals draw exactly as before the other processes existed.
//
// - poisson: exponential gaps at arrival_rate.
// - on-off: an interrupted Poisson process, the two-state Markov-modulated Poisson process
//   whose "off" rate is zero (Fischer & Meier-Hellstern 1993): "on" and "off" phases of
//   exponential length (means burst_on, burst_off) alternate; arrivals come at arrival_rate
//   during "on" phases only, so the mean rate is arrival_rate · on / (on + off) and the
//   counts are over-dispersed (bursty) where Poisson counts are not.
// - batch: batch_size tasks at once every batch_interval, at a random phase per node.
// - trace: the tasks of a CSV file (trace_file.cpp) at their own times, nodes, sizes and
//   capabilities.
#include <algorithm>
#include <tuple>

#include <boost/random/exponential_distribution.hpp>

#include "protocols/lb/node.h"

namespace meshsim::lb {

namespace {

int64_t draw_exponential_ns(Rng& rng, Duration mean) {
  boost::random::exponential_distribution<double> d(1.0 / static_cast<double>(mean.ns));
  return std::max<int64_t>(1, static_cast<int64_t>(d(rng)));
}

}  // namespace

bool Node::arrivals_over(const Params& p, const NodeView& v) const {
  return v.now >= p.arrivals_stop || (p.tasks_per_node && next_seq_ >= p.tasks_per_node);
}

void Node::start_arrivals(const Params& p, const NodeView& v, Outbox<Message>& out) {
  switch (p.arrivals) {
    case ArrivalKind::poisson:
      if (p.arrival_rate_per_s > 0) out.set_timer(kArrivalTimer, draw_interarrival(p, v));
      return;
    case ArrivalKind::on_off: {
      // Start in the stationary phase distribution: "on" with probability on / (on + off);
      // the phase's remaining length is again exponential (memorylessness).
      const double on_share = static_cast<double>(p.burst_on.ns) / static_cast<double>(p.burst_on.ns + p.burst_off.ns);
      burst_on_ = v.rng->chance(on_share);
      phase_end_ns_ = v.now.ns + draw_exponential_ns(*v.rng, burst_on_ ? p.burst_on : p.burst_off);
      schedule_on_off(p, v, out);
      return;
    }
    case ArrivalKind::batch:
      // A random phase per node: batches of all nodes at the same instant would be a
      // different (synchronised) workload.
      out.set_timer(kArrivalTimer, Duration{static_cast<int64_t>(v.rng->below(static_cast<uint64_t>(p.batch_interval.ns)))});
      return;
    case ArrivalKind::trace: {
      // The node's lines are contiguous (sorted by node, time, line); a node that restarts
      // after a crash skips those that fell in its downtime.
      auto first = std::lower_bound(p.trace.begin(), p.trace.end(), std::make_tuple(v.self, v.now.ns),
                                    [](const TraceTask& t, const std::tuple<uint32_t, int64_t>& key) {
                                      return std::make_tuple(t.node, t.at_ns) < key;
                                    });
      trace_next_ = static_cast<size_t>(first - p.trace.begin());
      schedule_trace(p, v, out);
      return;
    }
  }
}

void Node::schedule_on_off(const Params& p, const NodeView& v, Outbox<Message>& out) {
  // Walk the phases from now to the next arrival: an "off" phase ends in an "on" one, and an
  // "on" phase either sees an arrival before it ends or turns "off".
  int64_t t = v.now.ns;
  for (;;) {
    if (!burst_on_) {
      t = phase_end_ns_;
      burst_on_ = true;
      phase_end_ns_ = t + draw_exponential_ns(*v.rng, p.burst_on);
      continue;
    }
    const int64_t gap = draw_interarrival(p, v).ns;
    if (t + gap < phase_end_ns_) {
      out.set_timer(kArrivalTimer, Duration{t + gap - v.now.ns});
      return;
    }
    t = phase_end_ns_;
    burst_on_ = false;
    phase_end_ns_ = t + draw_exponential_ns(*v.rng, p.burst_off);
    if (SimTime{t} >= p.arrivals_stop) return;  // no arrival can follow
  }
}

void Node::schedule_trace(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (trace_next_ >= p.trace.size() || p.trace[trace_next_].node != v.self) return;
  out.set_timer(kArrivalTimer, Duration{std::max<int64_t>(0, p.trace[trace_next_].at_ns - v.now.ns)});
}

void Node::on_arrival_timer(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (arrivals_over(p, v)) return;
  switch (p.arrivals) {
    case ArrivalKind::poisson:
      submit(p, v, out);
      out.set_timer(kArrivalTimer, draw_interarrival(p, v));
      return;
    case ArrivalKind::on_off:
      submit(p, v, out);
      schedule_on_off(p, v, out);
      return;
    case ArrivalKind::batch:
      for (uint32_t i = 0; i < p.batch_size && !arrivals_over(p, v); ++i) submit(p, v, out);
      out.set_timer(kArrivalTimer, p.batch_interval);
      return;
    case ArrivalKind::trace:
      // Every line of this node due now (several lines may share a time: a batch).
      while (trace_next_ < p.trace.size() && p.trace[trace_next_].node == v.self &&
             p.trace[trace_next_].at_ns <= v.now.ns && !arrivals_over(p, v)) {
        const TraceTask& t = p.trace[trace_next_++];
        uint64_t capabilities = 0;
        for (const std::string& c : t.capabilities) {
          const int bit = v.attributes->capability_bit(c);  // every name exists: checked at attach
          if (bit >= 0) capabilities |= uint64_t{1} << bit;
        }
        submit_task(p, v, t.work_ns, capabilities, out);
      }
      schedule_trace(p, v, out);
      return;
  }
}

}  // namespace meshsim::lb
