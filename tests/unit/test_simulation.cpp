// The engine end to end with a small probe protocol: timers and lazy cancellation, crash,
// pause, drift, Byzantine silence, and the determinism contract.
#include <doctest/doctest.h>

#include <variant>

#include "protocols/registry.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/config_section.h"
#include "sim/node_module.h"
#include "sim/simulation.h"

using namespace meshsim;

namespace {

// Node 0 pings every other node each `period`; others answer. Timer 1 is set far away and
// cancelled by timer 0's first firing, so it must never fire.
struct Ping { uint32_t wire_bytes() const { return 16; } };
struct Pong { uint32_t wire_bytes() const { return 16; } };
using ProbeMessage = std::variant<Ping, Pong>;

struct ProbeParams {
  Duration period = Duration::millis(10);
};

enum Note : uint16_t { kGotPing, kGotPong, kTimer0, kTimer1, kStarted };

struct ProbeNode {
  bool cancelled_once = false;
  void start(const ProbeParams& p, const NodeView& v, Outbox<ProbeMessage>& out) {
    out.note(kStarted, 0);
    if (v.self == 0) {
      out.set_timer(0, p.period);
      out.set_timer(1, Duration::seconds(5));
    }
  }
  void on_message(const ProbeParams&, const NodeView& v, NodeId from, const ProbeMessage& m,
                  Outbox<ProbeMessage>& out) {
    if (std::holds_alternative<Ping>(m)) {
      out.note(kGotPing, from);
      out.send(from, Pong{});
    } else {
      out.note(kGotPong, from);
    }
  }
  void on_timer(const ProbeParams& p, const NodeView& v, TimerId id, Outbox<ProbeMessage>& out) {
    out.note(id == 0 ? kTimer0 : kTimer1, v.now.ns);
    if (id == 0) {
      if (!cancelled_once) out.cancel_timer(1);
      cancelled_once = true;
      for (NodeId n = 1; n < v.node_count; ++n) out.send(n, Ping{});
      out.set_timer(0, p.period);
    }
  }
  void crash() { cancelled_once = false; }
};

struct ProbeProtocol {
  using Params = ProbeParams;
  using Node = ProbeNode;
  using Message = ProbeMessage;
  static constexpr TimerId timer_count = 2;
  static constexpr bool uses_rng = false;
};

class ProbeModule : public NodeModule<ProbeProtocol> {
 public:
  using NodeModule::NodeModule;
  std::string_view name() const override { return "probe"; }
  std::vector<uint64_t> pings, pongs_from, starts;
  std::vector<int64_t> timer0_times, timer1_times;

 protected:
  void on_attach() override {
    pings.assign(sim().node_count(), 0);
    pongs_from.assign(sim().node_count(), 0);
    starts.assign(sim().node_count(), 0);
  }
  void on_note(NodeId n, uint16_t what, int64_t value) override {
    if (what == kGotPing) ++pings[n];
    if (what == kGotPong) ++pongs_from[static_cast<size_t>(value)];
    if (what == kStarted) ++starts[n];
    if (what == kTimer0) timer0_times.push_back(value);
    if (what == kTimer1) timer1_times.push_back(value);
  }
};

const ModuleRegistry& registry() {
  static ModuleRegistry r = [] {
    ModuleRegistry reg;
    register_builtin_protocols(reg);
    reg.add("probe", "test probe", [](ConfigSection& s) -> std::unique_ptr<Module> {
      ProbeParams p;
      p.period = s.get_duration("period", p.period);
      s.finish();
      return std::make_unique<ProbeModule>(p);
    });
    return reg;
  }();
  return r;
}

const std::string kProbe = R"([run]
duration = "100ms"
[topology]
kind = "ring"
nodes = 5
[network]
latency = "1ms"
[protocol]
name = "probe"
)";

struct Ran {
  std::unique_ptr<Scenario> scenario;
  std::unique_ptr<Simulation> sim;
  RunResult result;
  ProbeModule& probe() { return dynamic_cast<ProbeModule&>(*sim->modules()[0]); }
};

Ran run(const std::string& text, std::optional<uint64_t> seed = std::nullopt) {
  Ran r;
  r.scenario = std::make_unique<Scenario>(parse_scenario(text, "probe.toml", {}, registry(), seed));
  r.sim = std::make_unique<Simulation>(resolve_run(*r.scenario, registry()));
  r.result = r.sim->run(RunInfo{});
  return r;
}

}  // namespace

TEST_CASE("timers fire on time and cancelled timers never fire") {
  Ran r = run(kProbe);
  auto& p = r.probe();
  REQUIRE(p.timer0_times.size() == 10);  // 10, 20, ..., 100 ms
  CHECK(p.timer0_times.front() == 10'000'000);
  CHECK(p.timer0_times.back() == 100'000'000);
  CHECK(p.timer1_times.empty());
  // Pings sent at 10..90 ms arrive 1 ms later; the 100 ms ping would arrive past the end.
  CHECK(p.pings[1] == 9);
  CHECK(p.pongs_from[1] == 9);
  CHECK(r.result.status == RunStatus::complete);
}

TEST_CASE("a crashed node loses its timers and messages, and restarts on recovery") {
  Ran r = run(kProbe + R"([[faults]]
kind = "crash"
at = "35ms"
until = "65ms"
nodes = [0, 2]
)");
  auto& p = r.probe();
  CHECK(p.starts[0] == 2);  // started, then restarted on recovery
  CHECK(p.starts[1] == 1);
  // Node 0 ticks at 10..30 ms, is down 35..65 ms, restarts at 65 and ticks at 75..95.
  CHECK(p.timer0_times == std::vector<int64_t>{10'000'000, 20'000'000, 30'000'000, 75'000'000, 85'000'000, 95'000'000});
  // Node 2 missed the pings that arrived while it was down (none were sent then either).
  CHECK(p.pings[2] == 6);
  CHECK(r.sim->metrics().log_entries().size() == 2);
  CHECK(r.sim->metrics().log_entries()[0].kind == "crash");
  CHECK(r.sim->metrics().log_entries()[1].kind == "end-crash");
}

TEST_CASE("a paused node holds its events and handles them on resume") {
  Ran r = run(kProbe + R"([[faults]]
kind = "pause"
at = "15ms"
until = "45ms"
nodes = 1
)");
  auto& p = r.probe();
  // Node 1 still receives all 9 pings (3 of them late, at 45 ms), so node 0 gets 9 answers.
  CHECK(p.pings[1] == 9);
  CHECK(p.pongs_from[1] == 9);
}

TEST_CASE("clock drift stretches a node's timers") {
  Ran r = run(kProbe + R"([[faults]]
kind = "drift"
at = "0s"
nodes = 0
ppm = 100000
)");
  auto& p = r.probe();
  // The drift starts at 0 but after the first timer was set at start: 10, 21, 32, ...
  REQUIRE(p.timer0_times.size() >= 3);
  CHECK(p.timer0_times[1] - p.timer0_times[0] == 11'000'000);
}

TEST_CASE("a Byzantine silent node sends nothing, the engine stamps the true sender") {
  Ran r = run(kProbe + R"([[faults]]
kind = "byzantine"
at = "0s"
until = "50ms"
nodes = 3
behavior = "silent"
)");
  auto& p = r.probe();
  CHECK(p.pings[3] == 9);
  CHECK(p.pongs_from[3] == 5);  // only answers after 50 ms: to the pings sent at 50..90 ms
  CHECK(p.pongs_from[1] == 9);
}

TEST_CASE("same scenario and seed give the same fingerprint, another seed another") {
  const std::string phold = R"([run]
duration = "1s"
max_events = 200000
[topology]
kind = "none"
nodes = 500
[network]
latency = { kind = "exponential", base = "100ns", mean = "1us" }
loss = 0.01
[protocol]
name = "phold"
)";
  Ran a = run(phold, 1), b = run(phold, 1), c = run(phold, 2);
  CHECK(a.result.events == b.result.events);
  CHECK(a.result.fingerprint == b.result.fingerprint);
  CHECK(a.sim->metrics().scalars() == b.sim->metrics().scalars());
  CHECK(a.result.fingerprint != c.result.fingerprint);
  CHECK(a.sim->handled_events() == 200000);  // stops after exactly max_events handled
}

TEST_CASE("expectations pass and fail") {
  Ran ok = run(kProbe + "[expect]\nmessages_delivered = \">= 10\"\n");
  CHECK(ok.result.status == RunStatus::complete);
  // cpu_queue_wait_mean_ns is declared (the engine's) but only a processing model reports it.
  Ran bad = run(kProbe + "[expect]\nmessages_delivered = \"< 3\"\ncpu_queue_wait_mean_ns = 1\n");
  CHECK(bad.result.status == RunStatus::failed);
  CHECK(bad.result.failure.find("probe.toml:11: expect.messages_delivered < 3: got") != std::string::npos);
  CHECK(bad.result.failure.find("expect.cpu_queue_wait_mean_ns == 1: the run produced no metric of that name") !=
        std::string::npos);
  // A name nothing declares is refused while loading, before any run.
  CHECK_THROWS_WITH_AS(run(kProbe + "[expect]\nno_such_metric = 1\n"),
                       doctest::Contains("probe.toml:11: expect.no_such_metric: no protocol in this scenario reports"),
                       ScenarioError);
}

TEST_CASE("a degrade fault changes the links for its window only") {
  Ran r = run(kProbe + R"([[faults]]
kind = "degrade"
at = "25ms"
until = "55ms"
nodes = 2
loss = 1.0
)");
  auto& p = r.probe();
  // Pings reach node 2 at 11, 21 ms, then none in [25, 55) ms, then at 61..91 ms.
  CHECK(p.pings[2] == 6);
  CHECK(p.pings[1] == 9);
  CHECK(r.sim->metrics().scalars().at("messages_lost_loss") == 3);  // pings at 30, 40, 50 ms
}

TEST_CASE("chaos draws crashes and partitions from the seed, logs them, and repeats them") {
  const std::string chaos = kProbe + R"([chaos]
crash_rate = 10.0
mean_downtime = "20ms"
partition_rate = 40.0
mean_partition = "10ms"
max_down = 2
)";
  Ran a = run(chaos, 5), b = run(chaos, 5), c = run(chaos, 6);
  const auto& log = a.sim->metrics().log_entries();
  REQUIRE(!log.empty());
  bool crash = false, partition = false;
  for (const LogEntry& e : log) {
    crash |= e.kind == "crash";
    partition |= e.kind == "partition";
    CHECK(e.detail.find("(chaos)") != std::string::npos);
  }
  CHECK(crash);
  CHECK(partition);
  CHECK(a.result.fingerprint == b.result.fingerprint);
  CHECK(a.sim->metrics().log_entries().size() == b.sim->metrics().log_entries().size());
  CHECK(a.result.fingerprint != c.result.fingerprint);
}
