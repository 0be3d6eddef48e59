// The per-node disk (sim/disk_model.h): writes are served FIFO, each after its latency plus
// bytes / bandwidth; a stall freezes the disk, delaying exactly the writes in service or
// queued during it; a crash loses every write that has not completed; a slow-disk fault
// changes the latency of writes that start while it is in force.
#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "sim/scenario/scenario.h"
#include "tests/unit/builtin_registry.h"
#include "tests/unit/kernel_fixture.h"

using namespace meshsim;
using namespace meshsim::testing;

namespace {

struct Tick {
  uint32_t wire_bytes() const { return 8; }
};
using WriterMessage = std::variant<Tick>;

// Node 0 issues `burst` writes of `bytes` every `period`; every node records when each of
// its writes was issued and when it completed (token = write number).
struct WriterParams {
  Duration period = Duration::millis(10);
  uint32_t burst = 1;
  uint32_t bytes = 0;
};

struct WriterNode {
  uint64_t issued = 0;
  std::vector<std::pair<uint64_t, int64_t>> issued_at;     // (token, ns)
  std::vector<std::pair<uint64_t, int64_t>> completed_at;  // (token, ns)
  void start(const WriterParams& p, const NodeView& v, Outbox<WriterMessage>& out) {
    if (v.self == 0) out.set_timer(0, p.period);
  }
  void on_message(const WriterParams&, const NodeView&, NodeId, const WriterMessage&, Outbox<WriterMessage>&) {}
  void on_timer(const WriterParams& p, const NodeView& v, TimerId, Outbox<WriterMessage>& out) {
    REQUIRE(v.durable_writes_take_time);
    for (uint32_t i = 0; i < p.burst; ++i) {
      issued_at.push_back({issued, v.now.ns});
      out.persist(p.bytes, issued++);
    }
    out.set_timer(0, p.period);
  }
  void on_persisted(const WriterParams&, const NodeView& v, uint64_t token, Outbox<WriterMessage>&) {
    completed_at.push_back({token, v.now.ns});
  }
  void crash() {}
};

struct WriterProtocol {
  using Params = WriterParams;
  using Node = WriterNode;
  using Message = WriterMessage;
  static constexpr TimerId timer_count = 1;
  static constexpr bool uses_rng = false;
};

class WriterModule : public NodeModule<WriterProtocol> {
 public:
  using NodeModule::NodeModule;
  std::string_view name() const override { return "writer"; }
};

RunSpec writer_run(WriterParams p, double latency_ms, double bandwidth_mbps = 0) {
  RunSpec spec;
  spec.topology = ring_topology(2);
  spec.end = at_s(1);
  spec.storage.enabled = true;
  spec.storage.disk.latency.a_ns = latency_ms * 1e6;
  spec.storage.disk.bandwidth_bps = bandwidth_mbps * 1e6;
  spec.modules.push_back(std::make_unique<WriterModule>(p));
  return spec;
}

const WriterNode& node0(const Simulation& sim) { return dynamic_cast<const WriterModule&>(*sim.modules()[0]).nodes()[0]; }

int64_t completed(const Simulation& sim, uint64_t token) {
  for (auto [t, ns] : node0(sim).completed_at)
    if (t == token) return ns;
  return -1;
}

constexpr int64_t ms(double v) { return static_cast<int64_t>(v * 1e6); }

}  // namespace

TEST_CASE("disk writes are served in order, each after its latency plus bytes / bandwidth") {
  // Three writes of 1,250 bytes at 10 ms: 1 ms latency + 1 ms transfer at 10 Mbit/s each,
  // one after the other.
  Simulation sim(writer_run({Duration::millis(10), 3, 1250}, 1, 10));
  sim.begin(RunInfo{});
  sim.run_until(at_s(0.0165));
  const auto& done = node0(sim).completed_at;
  REQUIRE(done.size() == 3);
  CHECK(done[0] == std::pair<uint64_t, int64_t>{0, ms(12)});
  CHECK(done[1] == std::pair<uint64_t, int64_t>{1, ms(14)});
  CHECK(done[2] == std::pair<uint64_t, int64_t>{2, ms(16)});
  CHECK(sim.disk().queue_depth(0) == 0);
}

TEST_CASE("a stalled disk delays exactly the writes in service or queued during the stall") {
  // A write every 10 ms, 1 ms each; the disk stalls over [20.5 ms, 45 ms).
  RunSpec spec = writer_run({}, 1);
  spec.faults.push_back(fault(FaultKind::disk_stall, 0.0205, 0.045, nodes(0, 0)));
  Simulation sim(std::move(spec));
  sim.begin(RunInfo{});
  sim.run_until(at_s(0.1));
  CHECK(completed(sim, 0) == ms(11));    // before the stall
  CHECK(completed(sim, 1) == ms(45.5));  // in service at 20 ms: its last 0.5 ms after the stall
  CHECK(completed(sim, 2) == ms(46.5));  // issued during the stall: queued behind it
  CHECK(completed(sim, 3) == ms(47.5));
  CHECK(completed(sim, 4) == ms(51));    // issued after: unaffected
  RunResult r = sim.finish();
  CHECK(sim.metrics().scalars().at("disk_stalled_ns") == doctest::Approx(ms(24.5)));
  (void)r;
}

TEST_CASE("a crash loses a write that has not completed, and the disk works after recovery") {
  // 5 ms writes every 10 ms; node 0 crashes at 12 ms, during the write issued at 10 ms.
  RunSpec spec = writer_run({}, 5);
  spec.faults.push_back(fault(FaultKind::crash, 0.012, 0.020, nodes(0, 0)));
  Simulation sim(std::move(spec));
  sim.begin(RunInfo{});
  sim.run_until(at_s(0.05));
  CHECK(completed(sim, 0) == -1);  // lost: the node never learns it was durable
  CHECK(node0(sim).issued_at.size() >= 2);
  // After recovery at 20 ms the timer restarts: the next write is issued at 30 ms.
  CHECK(completed(sim, 1) == ms(35));
  sim.finish();
  CHECK(sim.metrics().scalars().at("disk_writes_lost") == 1);
}

TEST_CASE("a slow-disk fault multiplies or replaces the latency of writes that start during it") {
  RunSpec spec = writer_run({}, 1);
  FaultSpec slow = fault(FaultKind::slow_disk, 0.015, 0.035, nodes(0, 0));
  slow.slow_disk.factor = 4;
  spec.faults.push_back(slow);
  FaultSpec replaced = fault(FaultKind::slow_disk, 0.055, 0.065, nodes(0, 0));
  LatencySpec l;
  l.a_ns = 7e6;
  replaced.slow_disk.latency = l;
  spec.faults.push_back(replaced);
  Simulation sim(std::move(spec));
  sim.begin(RunInfo{});
  sim.run_until(at_s(0.1));
  CHECK(completed(sim, 0) == ms(11));
  CHECK(completed(sim, 1) == ms(24));
  CHECK(completed(sim, 2) == ms(34));
  CHECK(completed(sim, 3) == ms(41));  // the window ended at 35 ms
  CHECK(completed(sim, 5) == ms(67));  // replaced by 7 ms
  CHECK(completed(sim, 6) == ms(71));
}

TEST_CASE("disk writes are deterministic and the disk is off without [storage]") {
  auto run = [](uint64_t seed) {
    RunSpec spec = writer_run({Duration::millis(3), 2, 100}, 0);
    spec.seed = seed;
    spec.storage.disk.latency.kind = LatencySpec::Kind::uniform;
    spec.storage.disk.latency.a_ns = 1e6;
    spec.storage.disk.latency.b_ns = 9e6;
    Simulation sim(std::move(spec));
    return sim.run(RunInfo{}).fingerprint;
  };
  CHECK(run(1) == run(1));
  CHECK(run(1) != run(2));
  Simulation chatty(chatty_run(4));
  CHECK(!chatty.models_storage());
}

namespace {
std::string storage_error(const std::string& extra) {
  const std::string base = "[topology]\nkind = \"ring\"\nnodes = 4\n[protocol]\nname = \"phold\"\n";
  try {
    parse_scenario(base + extra, "t.toml", {}, builtin_registry());
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("[storage] is read with per-node-set overrides, and bad disk input names file, line and key") {
  Scenario sc = parse_scenario(
      "[topology]\nkind = \"ring\"\nnodes = 4\n[protocol]\nname = \"phold\"\n[storage]\nlatency = \"5ms\"\n"
      "bandwidth_mbps = 100\n[[storage.disks]]\nnodes = \"2..3\"\nlatency = { kind = \"uniform\", min = \"1ms\", max = \"2ms\" }\n",
      "t.toml", {}, builtin_registry());
  REQUIRE(sc.storage.enabled);
  CHECK(sc.storage.for_node(0).latency.a_ns == 5e6);
  CHECK(sc.storage.for_node(2).latency.kind == LatencySpec::Kind::uniform);
  CHECK(sc.storage.for_node(3).bandwidth_bps == 100e6);
  CHECK(!parse_scenario("[topology]\nkind = \"ring\"\nnodes = 4\n[protocol]\nname = \"phold\"\n", "t.toml", {},
                        builtin_registry())
             .storage.enabled);
  CHECK(storage_error("[[faults]]\nkind = \"disk-stall\"\nnodes = \"0\"\nat = \"1s\"\n")
            .find("t.toml:7: faults[0].kind: a disk-stall fault needs a disk: add a [storage] section") != std::string::npos);
  CHECK(storage_error("[storage]\n[[faults]]\nkind = \"slow-disk\"\nnodes = \"0\"\nat = \"1s\"\n").find("factor") !=
        std::string::npos);
  CHECK(storage_error("[storage]\nlatencyy = \"1ms\"\n").find("t.toml:7: storage.latencyy") != std::string::npos);
  CHECK(storage_error("[storage]\n[[storage.disks]]\nlatency = \"1ms\"\n").find("storage.disks[0].nodes: required") !=
        std::string::npos);
}
