// Step-level tests of the lb workload and service: arrival processes (on/off, batch,
// trace), processor sharing against a hand-computed schedule, per-node speed draws, and
// the two node-state Byzantine behaviours.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "protocols/lb/node.h"
#include "protocols/lb/speed_dist.h"
#include "tests/unit/lb_step_env.h"

using namespace meshsim;
using namespace meshsim::lb;

namespace {

struct Env : testing::StepEnv {
  Env() : StepEnv(7, 4) {}
};
using testing::sent;

int64_t timer(const Outbox<Message>& out, TimerId id) {
  int64_t after = -1;
  for (const auto& t : out.timers())
    if (t.id == id) after = t.after.ns;
  return after;
}

using testing::notes;

Assign task(NodeId origin, uint32_t seq, int64_t work_ns) { return Assign{make_task_id(origin, seq), work_ns, 0, 0}; }

// Drives one worker through a list of (time, origin, work) arrivals with its service timer,
// like the engine does; returns each task's completion time, by task id.
std::map<uint64_t, int64_t> run_worker(const Params& p, Env& env, std::vector<std::tuple<int64_t, uint32_t, int64_t>> arrivals) {
  Node w;
  std::map<uint64_t, int64_t> done;
  int64_t service_at = -1;
  size_t next = 0;
  uint32_t seq = 0;
  const auto collect = [&](int64_t now) {
    for (auto& [to, d] : sent<Done>(env.out)) done[d.task] = now;
    const int64_t t = timer(env.out, Node::kServiceTimer);
    if (t >= 0) service_at = now + t;
    for (TimerId id : env.out.cancels())
      if (id == Node::kServiceTimer) service_at = -1;
  };
  while (next < arrivals.size() || service_at >= 0) {
    const bool arrival_first = next < arrivals.size() && (service_at < 0 || std::get<0>(arrivals[next]) < service_at);
    if (arrival_first) {
      auto [at, origin, work] = arrivals[next++];
      w.on_message(p, env.view(3, SimTime{at}), origin, task(origin, seq++, work), env.out);
      collect(at);
    } else {
      const int64_t at = service_at;
      service_at = -1;
      w.on_timer(p, env.view(3, SimTime{at}), Node::kServiceTimer, env.out);
      collect(at);
    }
  }
  return done;
}

}  // namespace

TEST_CASE("lb service: FIFO and processor sharing on a hand-computed example") {
  // Speed 1. Task A (work 300) at t = 0, B (100) at t = 100, C (100) at t = 150.
  // FIFO: A 0..300, B 300..400, C 400..500.
  // PS: A alone 0..100 (A left 200). A, B share 100..150 (each +25: A 175, B 75). A, B, C
  // share from 150: B ends first after 75 · 3 = 225 → t = 375 (A 100, C 25). A, C share:
  // C ends after 25 · 2 = 50 → t = 425 (A 75). A alone: t = 500.
  Env env;
  Params p;
  const std::vector<std::tuple<int64_t, uint32_t, int64_t>> arrivals{{0, 0, 300}, {100, 1, 100}, {150, 2, 100}};
  auto fifo = run_worker(p, env, arrivals);
  CHECK(fifo.at(make_task_id(0, 0)) == 300);
  CHECK(fifo.at(make_task_id(1, 1)) == 400);
  CHECK(fifo.at(make_task_id(2, 2)) == 500);
  p.discipline = Discipline::processor_sharing;
  auto ps = run_worker(p, env, arrivals);
  CHECK(ps.at(make_task_id(1, 1)) == 375);
  CHECK(ps.at(make_task_id(2, 2)) == 425);
  CHECK(ps.at(make_task_id(0, 0)) == 500);  // work-conserving: the last ends when FIFO's does
  // Speed 2, (300, 100, 100) arriving at 0, 50, 75. Exactly: B ends at 187.5, C at 212.5,
  // A at 250. In integer nanoseconds B's timer is rounded up to 188, and the half
  // nanosecond of work it gives each sharer is floored away, so C ends at 213 and A at 251:
  // a timer is never early, and each rounding up costs at most 1 ns.
  env.attributes.set_speed([] { NodeSet s; s.add_range(3, 3); return s; }(), 2.0, 4);
  auto fast = run_worker(p, env, {{0, 0, 300}, {50, 1, 100}, {75, 2, 100}});
  CHECK(fast.at(make_task_id(0, 0)) == 251);
  CHECK(fast.at(make_task_id(1, 1)) == 188);
  CHECK(fast.at(make_task_id(2, 2)) == 213);
}

TEST_CASE("lb service: processor sharing reports each task's own service time and starts every held task") {
  Env env;
  Params p;
  p.discipline = Discipline::processor_sharing;
  Node w;
  w.on_message(p, env.view(3), 0, task(0, 0, 1000), env.out);
  CHECK(notes(env.out, kNoteStarted) == 1);
  CHECK(timer(env.out, Node::kServiceTimer) == 1000);
  w.on_message(p, env.view(3, SimTime{500}), 1, task(1, 0, 1000), env.out);
  CHECK(notes(env.out, kNoteStarted) == 1);               // the newcomer starts at once
  CHECK(timer(env.out, Node::kServiceTimer) == 1000);     // 500 left each, at half speed
  CHECK(w.load() == 2);
  w.on_timer(p, env.view(3, SimTime{1500}), Node::kServiceTimer, env.out);
  auto done = sent<Done>(env.out);
  REQUIRE(done.size() == 1);
  CHECK(done[0].second.service_ns == 1000);  // its own CPU time, not its sojourn
  CHECK(timer(env.out, Node::kServiceTimer) == 500);
}

TEST_CASE("lb service: work stealing under processor sharing moves the work a task has left") {
  Env env;
  Params p;
  p.strategy = Strategy::work_stealing;
  p.discipline = Discipline::processor_sharing;
  Node victim;
  for (uint32_t i = 0; i < 3; ++i) victim.on_message(p, env.view(3), 0, task(0, i, 900), env.out);
  victim.on_message(p, env.view(3, SimTime{300}), 1, StealRequest{}, env.out);  // 100 done each
  auto reply = sent<StealReply>(env.out);
  REQUIRE(reply.size() == 1);
  REQUIRE(reply[0].second.tasks.size() == 1);  // half of the two beyond the first
  CHECK(reply[0].second.tasks[0].work_ns == 900);
  CHECK(reply[0].second.tasks[0].remaining_ns == 800);
  CHECK(timer(env.out, Node::kServiceTimer) == 1600);  // two left, 800 each, at half speed
  Node thief;
  thief.on_message(p, env.view(2, SimTime{310}), 3, reply[0].second, env.out);
  CHECK(timer(env.out, Node::kServiceTimer) == 800);
}

TEST_CASE("lb arrivals: on/off arrivals come only in on phases, at the long-run rate arrival_rate · on / (on + off)") {
  Env env;
  Params p;
  p.arrivals = ArrivalKind::on_off;
  p.arrival_rate_per_s = 100;
  p.burst_on = Duration::millis(200);
  p.burst_off = Duration::millis(800);
  p.strategy = Strategy::work_stealing;  // tasks stay local: no placement noise
  Node n;
  n.start(p, env.view(0), env.out);
  int64_t now = timer(env.out, Node::kArrivalTimer);
  REQUIRE(now > 0);
  std::vector<int64_t> times;
  while (now < int64_t{2000} * 1'000'000'000) {
    times.push_back(now);
    n.on_timer(p, env.view(0, SimTime{now}), Node::kArrivalTimer, env.out);
    now += timer(env.out, Node::kArrivalTimer);
  }
  const double rate = static_cast<double>(times.size()) / 2000.0;
  CHECK(rate == doctest::Approx(20.0).epsilon(0.1));
  // Over-dispersed: counts per 1 s window vary far more than Poisson's (variance = mean).
  std::vector<double> counts(2000, 0);
  for (int64_t t : times) counts[static_cast<size_t>(t / 1'000'000'000)] += 1;
  double mean = 0, var = 0;
  for (double c : counts) mean += c / 2000.0;
  for (double c : counts) var += (c - mean) * (c - mean) / 1999.0;
  CHECK(var > 3 * mean);
}

TEST_CASE("lb arrivals: a batch brings batch_size tasks at once every batch_interval, stopping at tasks_per_node") {
  Env env;
  Params p;
  p.arrivals = ArrivalKind::batch;
  p.batch_size = 3;
  p.batch_interval = Duration::millis(500);
  p.tasks_per_node = 7;
  p.strategy = Strategy::work_stealing;
  Node n;
  n.start(p, env.view(0), env.out);
  const int64_t phase = timer(env.out, Node::kArrivalTimer);
  CHECK(phase >= 0);
  CHECK(phase < 500'000'000);
  n.on_timer(p, env.view(0, SimTime{phase}), Node::kArrivalTimer, env.out);
  CHECK(notes(env.out, kNoteSubmitted) == 3);
  CHECK(timer(env.out, Node::kArrivalTimer) == 500'000'000);
  n.on_timer(p, env.view(0, SimTime{phase + 500'000'000}), Node::kArrivalTimer, env.out);
  CHECK(notes(env.out, kNoteSubmitted) == 3);
  n.on_timer(p, env.view(0, SimTime{phase + 1'000'000'000}), Node::kArrivalTimer, env.out);
  CHECK(notes(env.out, kNoteSubmitted) == 1);  // the 7th; then no more
  n.on_timer(p, env.view(0, SimTime{phase + 1'500'000'000}), Node::kArrivalTimer, env.out);
  CHECK(notes(env.out, kNoteSubmitted) == 0);
}

TEST_CASE("lb arrivals: a trace submits its lines at their times with their sizes, a restart skips its downtime") {
  Env env;
  env.attributes.add_capability([] { NodeSet s; s.add_range(1, 1); return s; }(), "gpu", 4);
  Params p;
  p.arrivals = ArrivalKind::trace;
  p.strategy = Strategy::work_stealing;
  // Sorted by (node, time, line), as read_trace returns them.
  p.trace = {{0, 0, 100, 0, {}, 2}, {0, 1, 50, 0, {}, 3}, {0, 1, 70, 0, {}, 4}, {5, 1, 80, 0, {"gpu"}, 5}, {9, 1, 90, 0, {}, 6}, {3, 2, 10, 0, {}, 7}};
  Node n;
  n.start(p, env.view(1), env.out);
  CHECK(timer(env.out, Node::kArrivalTimer) == 0);
  n.on_timer(p, env.view(1, SimTime{0}), Node::kArrivalTimer, env.out);
  CHECK(notes(env.out, kNoteSubmitted) == 2);  // both lines at time 0
  CHECK(timer(env.out, Node::kArrivalTimer) == 5);
  n.on_timer(p, env.view(1, SimTime{5}), Node::kArrivalTimer, env.out);
  CHECK(notes(env.out, kNoteSubmitted) == 1);
  CHECK(notes(env.out, kNoteRequires) == 1);
  CHECK(n.load() == 3);
  n.crash();
  n.start(p, env.view(1, SimTime{6}), env.out);
  CHECK(timer(env.out, Node::kArrivalTimer) == 3);  // the line at 9; nothing of node 2's
  n.on_timer(p, env.view(1, SimTime{9}), Node::kArrivalTimer, env.out);
  CHECK(notes(env.out, kNoteSubmitted) == 1);
  CHECK(timer(env.out, Node::kArrivalTimer) == -1);  // its lines are over
}

TEST_CASE("lb speeds: per-node draws are a pure function of (seed, node) and follow their distribution") {
  SpeedDistribution d;
  CHECK(draw_node_speed(d, 1, 5) == 1.0);
  d.kind = SpeedDistribution::Kind::uniform;
  d.a = 0.5, d.b = 2.0;
  CHECK(draw_node_speed(d, 1, 5) == draw_node_speed(d, 1, 5));
  CHECK(draw_node_speed(d, 1, 5) != draw_node_speed(d, 2, 5));
  double sum = 0, lo = 10, hi = 0;
  for (NodeId n = 0; n < 20000; ++n) {
    const double s = draw_node_speed(d, 1, n);
    sum += s, lo = std::min(lo, s), hi = std::max(hi, s);
  }
  CHECK(sum / 20000 == doctest::Approx(1.25).epsilon(0.01));
  CHECK(lo >= 0.5);
  CHECK(hi <= 2.0);
  d.kind = SpeedDistribution::Kind::lognormal;
  d.a = 2.0, d.b = 0.5;
  std::vector<double> v;
  for (NodeId n = 0; n < 20001; ++n) v.push_back(draw_node_speed(d, 3, n));
  std::nth_element(v.begin(), v.begin() + 10000, v.end());
  CHECK(v[10000] == doctest::Approx(2.0).epsilon(0.03));  // the median
  d.kind = SpeedDistribution::Kind::pareto;
  d.a = 1.0, d.b = 3.0;
  sum = 0;
  for (NodeId n = 0; n < 20000; ++n) sum += draw_node_speed(d, 4, n);
  CHECK(sum / 20000 == doctest::Approx(1.5).epsilon(0.03));  // min · shape / (shape − 1)
}

TEST_CASE("lb node: the drawn speed scales the worker's service and its auction bid") {
  Env env;
  Params p;
  Node w(0, 4.0);
  w.on_message(p, env.view(3), 0, task(0, 0, 1000), env.out);
  CHECK(timer(env.out, Node::kServiceTimer) == 250);
  CHECK(w.bid_ns(env.view(3)) == 250);
}

TEST_CASE("lb byzantine: never-finish holds what it accepts, bid-and-drop discards awards and stays empty") {
  Env env;
  Params p;
  std::vector<uint8_t> flags(4, 0);
  Node w;
  w.read_byzantine_flags_from(&flags);
  flags[3] = Node::kNeverFinish;
  w.on_message(p, env.view(3), 0, task(0, 0, 1000), env.out);
  w.on_message(p, env.view(3), 1, task(1, 0, 1000), env.out);
  CHECK(w.load() == 2);                                  // accepted, and honest about it
  CHECK(timer(env.out, Node::kServiceTimer) == -1);      // never started
  CHECK(notes(env.out, kNoteStarted) == 0);
  w.on_message(p, env.view(3), 2, Probe{1}, env.out);
  CHECK(sent<ProbeReply>(env.out).at(0).second.load == 2);

  flags[3] = Node::kDiscardAwards;
  Node b;
  b.read_byzantine_flags_from(&flags);
  b.on_message(p, env.view(3), 0, task(0, 1, 1000), env.out);
  CHECK(b.load() == 0);
  CHECK(env.out.sends().empty());                        // no Reject, no Done: it vanished
  CHECK(env.out.timers().empty());
  flags[3] = 0;
  b.on_message(p, env.view(3), 0, task(0, 2, 1000), env.out);
  CHECK(b.load() == 1);                                  // honest again once the fault ends
}

TEST_CASE("lb service: regression: a resubmission that completes another timed-out task under processor sharing") {
  // The work-stealing chaos sweep with processor sharing (seed 13) threw map::at: two local
  // tasks timed out together; resubmitting the first placed it on the node itself, which
  // brought the shared work up to date and completed the second at once, and the timeout
  // loop then tried to resubmit the task it had just completed.
  Env env;
  Params p;
  p.strategy = Strategy::work_stealing;
  p.discipline = Discipline::processor_sharing;
  p.size_kind = SizeKind::constant;
  p.size_mean = Duration{100};
  p.task_timeout = Duration{1000};
  Node n;
  n.on_timer(p, env.view(0), Node::kArrivalTimer, env.out);
  n.on_timer(p, env.view(0), Node::kArrivalTimer, env.out);
  CHECK(n.load() == 2);
  CHECK(n.pending_count() == 2);
  // The service timer (due at 200) is late — the node was paused — and the check comes first.
  n.on_timer(p, env.view(0, SimTime{1000}), Node::kCheckTimer, env.out);
  CHECK(notes(env.out, kNoteCommitted) == 2);  // both completed, each once
  CHECK(notes(env.out, kNoteResubmitted) == 1);  // the first, before the completions
  CHECK(n.pending_count() == 0);
}
