// The engine's per-node processing model with a protocol of its own (not pBFT): a node's
// CPU serves arriving messages one at a time in arrival order, a step's work and its sends'
// costs are charged after what is queued, timers are not queued, and a crash loses the queue.
#include <doctest/doctest.h>

#include <variant>

#include "sim/scenario/scenario.h"
#include "sim/scenario/config_section.h"
#include "sim/node_module.h"
#include "sim/simulation.h"

using namespace meshsim;

namespace {

// Node 0 sends `burst` jobs to node 1 at start. Node 1 notes when it handles each, and
// answers each with a Done that costs `send_cost` to send and `work` to produce.
struct Job { uint32_t wire_bytes() const { return 100; } };
struct Done { uint32_t wire_bytes() const { return 10; } };
using BusyMessage = std::variant<Job, Done>;

struct BusyParams {
  uint32_t burst = 3;
  Duration receive = Duration::millis(2);
  Duration send_cost = {};
  Duration work = {};
  bool model = true;
};

enum : uint16_t { kHandledJob, kGotDone, kTimer };

struct BusyNode {
  void start(const BusyParams& p, const NodeView& v, Outbox<BusyMessage>& out) {
    if (v.self == 0)
      for (uint32_t i = 0; i < p.burst; ++i) out.send(1, Job{});
    if (v.self == 1) out.set_timer(0, Duration::micros(1500));  // fires while the CPU is busy
  }
  void on_message(const BusyParams& p, const NodeView& v, NodeId, const BusyMessage& m, Outbox<BusyMessage>& out) {
    if (std::holds_alternative<Job>(m)) {
      out.note(kHandledJob, v.now.ns);
      out.busy(p.work);
      out.send(0, Done{});
    } else {
      out.note(kGotDone, v.now.ns);
    }
  }
  void on_timer(const BusyParams&, const NodeView& v, TimerId, Outbox<BusyMessage>& out) { out.note(kTimer, v.now.ns); }
  void crash() {}
};

struct BusyProtocol {
  using Params = BusyParams;
  using Node = BusyNode;
  using Message = BusyMessage;
  static constexpr TimerId timer_count = 1;
  static constexpr bool uses_rng = false;
  static bool models_processing(const Params& p) { return p.model; }
  static Duration receive_cost(const Params& p, const Message& m) {
    return std::holds_alternative<Job>(m) ? p.receive : Duration{};
  }
  static Duration send_cost(const Params& p, const Message&) { return p.send_cost; }
};

class BusyModule : public NodeModule<BusyProtocol> {
 public:
  using NodeModule::NodeModule;
  std::string_view name() const override { return "busy"; }
  std::vector<int64_t> handled, done, timers;

 protected:
  void on_note(NodeId, uint16_t what, int64_t t) override {
    (what == kHandledJob ? handled : what == kGotDone ? done : timers).push_back(t);
  }
};

const ModuleRegistry& registry() {
  static ModuleRegistry r = [] {
    ModuleRegistry reg;
    reg.add("busy", "processing-model probe", [](ConfigSection& s) -> std::unique_ptr<Module> {
      BusyParams p;
      p.burst = static_cast<uint32_t>(s.get_int("burst", p.burst, 1, 100));
      p.receive = s.get_duration("receive", p.receive, true);
      p.send_cost = s.get_duration("send_cost", p.send_cost, true);
      p.work = s.get_duration("work", p.work, true);
      p.model = s.get_bool("model", p.model);
      s.finish();
      return std::make_unique<BusyModule>(p);
    });
    return reg;
  }();
  return r;
}

struct Ran {
  std::unique_ptr<Scenario> scenario;
  std::unique_ptr<Simulation> sim;
  RunResult result;
  BusyModule& busy() { return dynamic_cast<BusyModule&>(*sim->modules()[0]); }
  double scalar(const std::string& k) { return sim->metrics().scalars().at(k); }
};

Ran run(const std::string& protocol_keys, const std::string& faults = "") {
  const std::string text = "[run]\nduration = \"50ms\"\n[topology]\nkind = \"none\"\nnodes = 2\n"
                           "[network]\nlatency = \"1ms\"\n[protocol]\nname = \"busy\"\n" +
                           protocol_keys + faults;
  Ran r;
  r.scenario = std::make_unique<Scenario>(parse_scenario(text, "busy.toml", {}, registry(), std::nullopt));
  r.sim = std::make_unique<Simulation>(resolve_run(*r.scenario, registry()));
  r.result = r.sim->run(RunInfo{});
  return r;
}

constexpr int64_t ms = 1'000'000;

}  // namespace

TEST_CASE("processing model: a burst is served one message at a time, in arrival order") {
  Ran r = run("");
  // All three jobs arrive at 1 ms; each takes 2 ms of node 1's CPU.
  CHECK(r.busy().handled == std::vector<int64_t>{3 * ms, 5 * ms, 7 * ms});
  CHECK(r.busy().done == std::vector<int64_t>{4 * ms, 6 * ms, 8 * ms});
  CHECK(r.scalar("cpu_queue_wait_max_ns") == 4 * ms);
  // Waits: the jobs 0, 2 and 4 ms; the three answers at node 0 none.
  CHECK(r.scalar("cpu_queue_wait_mean_ns") == doctest::Approx(1.0 * ms));
  CHECK(r.scalar("cpu_utilisation_max") == doctest::Approx(6.0 / 50));
  // The timer at 1.5 ms is not queued behind the jobs.
  CHECK(r.busy().timers == std::vector<int64_t>{1'500'000});
}

TEST_CASE("processing model: off, every message is handled on arrival") {
  Ran r = run("model = false\n");
  CHECK(r.busy().handled == std::vector<int64_t>{1 * ms, 1 * ms, 1 * ms});
  CHECK(r.sim->metrics().scalars().count("cpu_utilisation_max") == 0);
}

TEST_CASE("processing model: a step's work and each send's cost are queued behind what is already reserved") {
  // Node 0 pays 0.5 ms per job it sends: they leave at 0.5, 1 and 1.5 ms and arrive 1 ms
  // later. Node 1 reserves its CPU for each arrival: 1.5-3.5, 3.5-5.5, 5.5-7.5 ms. The
  // handler of job 1 runs at 3.5 ms; its own work (1 ms) and its answer's cost (0.5 ms)
  // queue behind the reservations, so the answer leaves at 9 ms; the next at 10.5 and 12 ms.
  Ran r = run("work = \"1ms\"\nsend_cost = \"500us\"\n");
  CHECK(r.busy().handled == std::vector<int64_t>{3'500'000, 5'500'000, 7'500'000});
  CHECK(r.busy().done == std::vector<int64_t>{10 * ms, 11'500'000, 13 * ms});
}

TEST_CASE("processing model: a crash loses the messages waiting for the CPU") {
  Ran r = run("", "[[faults]]\nkind = \"crash\"\nat = \"4ms\"\nuntil = \"4500us\"\nnodes = 1\n");
  // Job 1 was handled at 3 ms; jobs 2 and 3 were queued (done at 5 and 7 ms) when node 1
  // crashed at 4 ms. Recovering at 4.5 ms does not bring them back.
  CHECK(r.busy().handled == std::vector<int64_t>{3 * ms});
  CHECK(r.scalar("messages_lost_crashed") == 2);
}
