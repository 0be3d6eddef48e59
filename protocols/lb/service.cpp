// Processor sharing (`service = "processor-sharing"`): every task a worker holds is in
// service at once, each at speed / n when it holds n (Kleinrock 1967's PS, the limit of
// round robin with a vanishing quantum). The state is each task's remaining work at speed 1
// in integer nanoseconds; it is brought up to date (ps_advance) before anything changes the
// set of sharers — an arrival, a departure, a steal — and the service timer is then set for
// the task with the least work left (ps_serve). Rounding is integer and always the same, so
// a run stays a pure function of its seed.
#include <algorithm>
#include <cmath>

#include "protocols/lb/node.h"

namespace meshsim::lb {

void Node::ps_advance(const NodeView& v) {
  const int64_t elapsed = v.now.ns - ps_updated_ns_;
  ps_updated_ns_ = v.now.ns;
  const size_t n = queue_.size() - head_;
  if (n == 0 || elapsed <= 0) return;
  int64_t least = INT64_MAX;
  for (size_t i = head_; i < queue_.size(); ++i) least = std::min(least, queue_[i].remaining_ns);
  // Each sharer got elapsed · speed / n of work. The clamp to the smallest remainder absorbs
  // the rounding of the timer set for it, so a task never ends with negative work left.
  const double share = std::floor(static_cast<double>(elapsed) * speed(v) / static_cast<double>(n));
  const int64_t work = std::min(least, static_cast<int64_t>(share));
  for (size_t i = head_; i < queue_.size(); ++i) queue_[i].remaining_ns -= work;
  queued_work_ns_ -= work * static_cast<int64_t>(n);
}

void Node::ps_serve(const Params& p, const NodeView& v, Outbox<Message>& out) {
  if (byzantine(v) & kNeverFinish) return;
  // Tasks whose work is done leave in queue order (the order they arrived).
  std::vector<Queued> finished;
  for (size_t i = head_; i < queue_.size(); ++i)
    if (queue_[i].remaining_ns <= 0) finished.push_back(queue_[i]);
  if (!finished.empty())
    std::erase_if(queue_, [](const Queued& q) { return q.remaining_ns <= 0; });
  head_ = std::min(head_, queue_.size());
  for (const Queued& q : finished) report_done(p, v, q, out);

  const size_t n = queue_.size() - head_;
  serving_ = n > 0;
  if (n == 0) {
    out.cancel_timer(kServiceTimer);
    return;
  }
  int64_t least = INT64_MAX;
  for (size_t i = head_; i < queue_.size(); ++i) {
    Queued& q = queue_[i];
    if (!q.started) out.note(kNoteStarted, static_cast<int64_t>(q.task)), q.started = true;
    least = std::min(least, q.remaining_ns);
  }
  // The least remaining work ends after least · n / speed: rounded up, so the timer is never
  // early by a fraction of a nanosecond (ps_advance then clamps the share to `least`).
  const double ns = std::ceil(static_cast<double>(least) * static_cast<double>(n) / speed(v));
  out.set_timer(kServiceTimer, Duration{std::max<int64_t>(1, static_cast<int64_t>(ns))});
}

}  // namespace meshsim::lb
