// The kernel without a scenario file: a RunSpec built in code, stepped event by event,
// observed message by message. What the live window and an MPI rank build on.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "sim/node_interfaces.h"
#include "tests/unit/kernel_fixture.h"

using namespace meshsim;
using namespace meshsim::testing;

namespace {

// Records every message event and checks they tell one consistent story.
struct Ledger : RunObserver {
  bool wants_messages() const override { return true; }
  void on_run_start(const RunInfo&) override { ++starts; }
  void on_run_end(const RunInfo&, const RunResult&, const Metrics&) override { ++ends; }
  void on_send(const MessageRecord& r) override {
    CHECK(sent.count(r.id) == 0);
    sent[r.id] = r;
  }
  void on_deliver(const MessageRecord& r) override {
    REQUIRE(sent.count(r.id) == 1);
    CHECK(r.sent_ns == sent[r.id].sent_ns);
    CHECK(r.deliver_ns >= r.sent_ns);
    CHECK(finished.insert(r.id).second);
    ++delivered;
  }
  void on_drop(const MessageRecord& r, DropReason why) override {
    REQUIRE(sent.count(r.id) == 1);
    CHECK(finished.insert(r.id).second);
    ++dropped[why];
  }
  void on_fault(int64_t, uint32_t index, const FaultSpec&, bool ended) override { faults.push_back({index, ended}); }
  void on_log(const LogEntry& e) override { log.push_back(e.kind); }
  std::map<uint64_t, MessageRecord> sent;
  std::set<uint64_t> finished;
  uint64_t delivered = 0;
  std::map<DropReason, uint64_t> dropped;
  std::vector<std::pair<uint32_t, bool>> faults;
  std::vector<std::string> log;
  int starts = 0, ends = 0;
};

}  // namespace

TEST_CASE("a run built in code steps event by event and is observed message by message") {
  RunSpec spec = chatty_run(6);
  spec.end = at_s(2);
  spec.link.loss = 0.1;
  spec.faults.push_back(fault(FaultKind::crash, 0.5, 1.0, nodes(2, 2)));
  spec.faults.push_back(fault(FaultKind::isolate, 1.2, 1.4, nodes(4, 4)));
  Simulation sim(std::move(spec));
  Ledger ledger;
  sim.add_observer(&ledger);
  sim.begin(RunInfo{});
  CHECK(ledger.starts == 1);

  // One event at a time: the clock never goes back, and the run is over only at the end.
  SimTime last{};
  uint64_t steps = 0;
  while (sim.now() < at_s(0.75) && sim.step()) {
    CHECK(sim.now() >= last);
    last = sim.now();
    ++steps;
  }
  CHECK(steps == sim.events_processed());
  CHECK(sim.node_state(2) == NodeState::crashed);
  // A live view: what is in flight right now, with send and arrival times.
  size_t visited = 0;
  for (const MessageRecord& p : sim.pending_messages()) {
    CHECK(p.sent_ns <= sim.now().ns);
    CHECK(p.deliver_ns >= sim.now().ns);
    CHECK(sim.modules()[p.module]->describe_message(p.slot) == "ping");
  }
  sim.for_each_pending_message([&](const MessageRecord&) { ++visited; });
  CHECK(visited == sim.pending_message_count());
  CHECK(visited == sim.pending_messages().size());
  CHECK(sim.active_faults() == std::vector<uint32_t>{0});

  CHECK(!sim.run_until(at_s(3)));  // past the end: over
  CHECK(sim.over());
  RunResult r = sim.finish();
  CHECK(ledger.ends == 1);  // the engine ends its observers
  CHECK(r.status == RunStatus::complete);

  // Every send ends in exactly one delivery or drop, or is still in flight at the end.
  const NetworkCounters& c = sim.network().counters();
  CHECK(ledger.sent.size() == c.sent + c.duplicated);
  CHECK(ledger.delivered == c.delivered);
  CHECK(ledger.dropped[DropReason::loss] == c.lost_loss);
  CHECK(ledger.dropped[DropReason::partition] == c.lost_partition);
  CHECK(ledger.dropped[DropReason::crashed] == c.lost_crashed);
  CHECK(ledger.dropped[DropReason::loss] > 0);
  CHECK(ledger.dropped[DropReason::partition] > 0);
  CHECK(ledger.dropped[DropReason::crashed] > 0);
  CHECK(ledger.finished.size() + sim.pending_messages().size() == ledger.sent.size());
  // Faults: each start and end, in time order, and their log lines.
  CHECK(ledger.faults == std::vector<std::pair<uint32_t, bool>>{{0, false}, {0, true}, {1, false}, {1, true}});
  CHECK(std::count(ledger.log.begin(), ledger.log.end(), "crash") == 1);
  CHECK(std::count(ledger.log.begin(), ledger.log.end(), "end-isolate") == 1);
}

TEST_CASE("observing changes nothing: the same run has the same fingerprint with and without observers") {
  auto fingerprint = [](bool observed) {
    RunSpec spec = chatty_run(10, 7);
    spec.link.loss = 0.2;
    spec.link.duplicate = 0.1;
    spec.faults.push_back(fault(FaultKind::partition, 1, 2, {}));
    spec.faults.back().groups = {{"a", nodes(0, 4)}};
    Simulation sim(std::move(spec));
    Ledger ledger;
    if (observed) sim.add_observer(&ledger);
    return sim.run(RunInfo{}).fingerprint;
  };
  CHECK(fingerprint(true) == fingerprint(false));
}

TEST_CASE("stepping to a time then finishing equals one run to the end") {
  auto stepped = [] {
    Simulation sim(chatty_run(5));
    sim.begin(RunInfo{});
    for (double t = 0.25; t < 11; t += 0.25) sim.run_until(at_s(t));
    return sim.finish().fingerprint;
  };
  Simulation whole(chatty_run(5));
  CHECK(whole.run(RunInfo{}).fingerprint == stepped());
}

TEST_CASE("run_until with an event budget stops early, keeps the clock at the last event, and loses nothing") {
  Simulation sim(chatty_run(5));
  sim.begin(RunInfo{});
  const uint64_t before = sim.events_processed();
  CHECK(sim.run_until(at_s(5), 7));
  CHECK(sim.events_processed() == before + 7);
  CHECK(sim.now() < at_s(5));  // not caught up: the clock reads the 7th event's time
  // Budgeted slices all the way to the end give the same run as one call.
  while (!sim.over()) sim.run_until(at_s(100), 13);
  Simulation whole(chatty_run(5));
  CHECK(whole.run(RunInfo{}).fingerprint == sim.finish().fingerprint);
}

TEST_CASE("a stop request ends the run after the current event, as interrupted") {
  Simulation sim(chatty_run(5));
  sim.begin(RunInfo{});
  sim.run_until(at_s(1));
  sim.request_stop();
  CHECK(!sim.step());
  RunResult r = sim.finish();
  CHECK(r.status == RunStatus::interrupted);
  CHECK(r.sim_time_ns == at_s(1).ns);
  CHECK(sim.metrics().scalars().at("messages_delivered") > 0);  // what was measured is kept
}

namespace {

// Two modules on one node: a detector that suspects its ring successor while that node is
// down, and a reader that counts how often its own node's detector suspects someone.
class FakeDetector : public ChattyModule, public FailureDetectorView {
 public:
  using ChattyModule::ChattyModule;
  std::string_view name() const override { return "detector"; }
  const void* provides(const std::type_info& t) const override {
    return t == typeid(FailureDetectorView) ? static_cast<const FailureDetectorView*>(this) : nullptr;
  }
  bool suspects(NodeId self, NodeId peer) const override {
    return peer == (self + 1) % sim().node_count() && !sim().is_up(peer);
  }
  std::vector<NodeId> live_peers(NodeId self) const override {
    NodeId next = (self + 1) % sim().node_count();
    return suspects(self, next) ? std::vector<NodeId>{} : std::vector<NodeId>{next};
  }
};

struct ReaderNode : ChattyNode {
  void on_timer(const ChattyParams& p, const NodeView& v, TimerId, Outbox<ChattyMessage>& out) {
    out.note(0, 0);
    out.set_timer(0, p.period);
  }
};
struct ReaderProtocol : ChattyProtocol {
  using Node = ReaderNode;
};
class Reader : public NodeModule<ReaderProtocol> {
 public:
  using NodeModule::NodeModule;
  std::string_view name() const override { return "reader"; }
  uint64_t suspicious_ticks = 0;

 protected:
  void on_note(NodeId n, uint16_t, int64_t) override {
    const FailureDetectorView* fd = sim().find_interface<FailureDetectorView>();
    REQUIRE(fd != nullptr);
    if (fd->suspects(n, (n + 1) % sim().node_count())) ++suspicious_ticks;
  }
};

}  // namespace

TEST_CASE("a module reads another module's per-node state through a declared interface") {
  RunSpec spec = chatty_run(4);
  spec.modules.clear();
  spec.modules.push_back(std::make_unique<FakeDetector>(ChattyParams{}));
  spec.modules.push_back(std::make_unique<Reader>(ChattyParams{Duration::millis(100)}));
  spec.end = at_s(3);
  spec.faults.push_back(fault(FaultKind::crash, 1, 2, nodes(1, 1)));  // node 0's successor
  Simulation sim(std::move(spec));
  sim.run(RunInfo{});
  auto& reader = dynamic_cast<const Reader&>(*sim.modules()[1]);
  // Node 0 ticks every 100 ms and suspects node 1 during its crash second: about 10 ticks.
  CHECK(reader.suspicious_ticks >= 9);
  CHECK(reader.suspicious_ticks <= 11);
  CHECK(sim.find_interface<ReadOnlyView>() == nullptr);
}

TEST_CASE("nodes join and leave: absent nodes neither run nor receive, a join starts afresh") {
  RunSpec spec = chatty_run(4);
  spec.end = at_s(3);
  spec.absent = nodes(3, 3);
  spec.faults.push_back(fault(FaultKind::join, 1, 2, nodes(3, 3)));  // joins at 1 s, leaves at 2 s
  Simulation sim(std::move(spec));
  sim.begin(RunInfo{});
  auto& chatty = dynamic_cast<const ChattyModule&>(*sim.modules()[0]);
  sim.run_until(at_s(0.9));
  CHECK(sim.node_state(3) == NodeState::absent);
  CHECK(chatty.nodes()[3].received == 0);  // node 2 pings it, nobody is there
  CHECK(chatty.nodes()[0].received == 0);  // node 3 does not ping node 0
  sim.run_until(at_s(1.9));
  CHECK(sim.node_state(3) == NodeState::up);
  CHECK(chatty.nodes()[3].received > 80);
  CHECK(chatty.nodes()[0].received > 80);
  sim.run_until(at_s(2.5));
  CHECK(sim.node_state(3) == NodeState::absent);
  RunResult r = sim.finish();
  CHECK(sim.metrics().scalars().at("messages_lost_absent") > 140);  // about 100 before the join, 50 after the leave
  CHECK(r.status == RunStatus::interrupted);  // finished before its end
}

TEST_CASE("node attributes reach the protocols, and speed divides processing costs") {
  NodeAttributes a;
  a.set_capacity(nodes(0, 1), 4, 4);
  a.set_zone(nodes(2, 3), "eu", 4);
  a.add_capability(nodes(1, 2), "gpu", 4);
  a.set_speed(nodes(3, 3), 2, 4);
  CHECK(a.capacity(0) == 4);
  CHECK(a.capacity(2) == 1);
  CHECK(a.zone(2) == "eu");
  CHECK(a.zone(0).empty());
  CHECK(a.zone_id(3) == a.zone_id(2));
  CHECK(a.has_capability(1, "gpu"));
  CHECK(!a.has_capability(0, "gpu"));
  CHECK(!a.has_capability(0, "tpu"));
  CHECK(a.speed(3) == 2);

  CpuModel cpu;
  cpu.enable(4);
  cpu.set_speeds({1, 1, 1, 2});
  cpu.occupy(0, Duration::millis(10), SimTime{}, at_s(10));
  cpu.occupy(3, Duration::millis(10), SimTime{}, at_s(10));
  CHECK(cpu.backlog(0, SimTime{}) == Duration::millis(10));
  CHECK(cpu.backlog(3, SimTime{}) == Duration::millis(5));
}
