// The lb workload and service through the engine: M/M/1 processor sharing against its
// analytic mean sojourn (and its insensitivity to the size distribution), bursts, batches,
// a trace file, drawn speeds, and the two node-state Byzantine behaviours.
#include <doctest/doctest.h>

#include "tests/unit/scenario_runner.h"

using namespace meshsim;
using meshsim::testing::run_scenario_file;

TEST_CASE("lb workload: M/M/1-PS mean sojourn is 1/(mu - lambda) = 200 ms, whatever the size distribution") {
  // 20 workers × 400 s × 5 tasks/s = 40,000 tasks per run; the mean of a PS sojourn at
  // ρ = 0.5 over that many (correlated) tasks is within a few per cent of its expectation,
  // so 8 % is a tolerance no correct implementation misses and a FIFO server (M/M/1-FIFO
  // has the same mean, but M/D/1-FIFO has 150 ms and M/Pareto/1-FIFO far more) would.
  for (const char* size : {"exponential", "constant", "pareto"}) {
    auto o = run_scenario_file("scenarios/lb/mm1_ps.toml", 1, {std::string("protocol.task_size=") + size});
    INFO(size << ": " << o.result.failure);
    REQUIRE(o.result.status == RunStatus::complete);
    CHECK(o.scalars["lb_tasks_completed"] > 35000);
    CHECK(o.scalars["lb_sojourn_ns_mean"] == doctest::Approx(200e6).epsilon(0.08));
  }
  // The same workload under FIFO with constant sizes is M/D/1: Pollaczek–Khinchine gives
  // S + ρ S / (2 (1 − ρ)) = 100 + 50 = 150 ms, which the PS run above did not produce.
  auto fifo = run_scenario_file("scenarios/lb/mm1_ps.toml", 1, {"protocol.task_size=constant", "protocol.service=fifo"});
  // (The scenario's [expect] of a mean above 160 ms is for PS, so this run fails it.)
  CHECK(fifo.scalars["lb_tasks_completed"] > 35000);
  CHECK(fifo.scalars["lb_sojourn_ns_mean"] == doctest::Approx(150e6).epsilon(0.08));
}

TEST_CASE("lb workload: bursts, batches, a trace and drawn speeds run clean, exactly once, deterministically") {
  for (const char* file : {"scenarios/lb/bursts.toml", "scenarios/lb/batch.toml", "scenarios/lb/trace.toml", "scenarios/lb/heterogeneous_dist.toml"}) {
    auto a = run_scenario_file(file, 2), b = run_scenario_file(file, 2);
    INFO(file << ": " << a.result.failure);
    CHECK(a.result.status == RunStatus::complete);
    CHECK(a.result.fingerprint == b.result.fingerprint);
    CHECK(a.scalars["lb_tasks_lost"] == 0);
  }
  // Bursts hurt a strategy that keeps work near its source: least-loaded places most tasks
  // locally on stale gossip, so a node's burst piles up where it arrived. Random placement
  // spreads every burst over 100 workers, whose merged arrivals are nearly Poisson again
  // (Palm–Khintchine: a superposition of many sparse independent streams), so its tail
  // stays that of the Poisson workload.
  auto bursts_ll = run_scenario_file("scenarios/lb/bursts.toml", 1, {"protocol.strategy=least-loaded"});
  auto poisson_ll = run_scenario_file("scenarios/lb/least_loaded.toml", 1);
  CHECK(bursts_ll.scalars["lb_sojourn_ns_p99"] > 1.3 * poisson_ll.scalars["lb_sojourn_ns_p99"]);
  auto bursts_random = run_scenario_file("scenarios/lb/bursts.toml", 1, {"protocol.strategy=random"});
  auto poisson_random = run_scenario_file("scenarios/lb/random.toml", 1);
  CHECK(bursts_random.scalars["lb_sojourn_ns_p99"] == doctest::Approx(poisson_random.scalars["lb_sojourn_ns_p99"]).epsilon(0.25));
  // Drawn speeds: the auction's work-left bids beat random placement on a mixed fleet.
  auto auction = run_scenario_file("scenarios/lb/heterogeneous_dist.toml", 1);
  auto random = run_scenario_file("scenarios/lb/heterogeneous_dist.toml", 1, {"protocol.strategy=random"});
  CHECK(auction.scalars["lb_sojourn_ns_p99"] < 0.5 * random.scalars["lb_sojourn_ns_p99"]);
}

TEST_CASE("lb workload: processor sharing under chaos keeps every task exactly once over 10 seeds") {
  for (const char* strategy : {"power-of-d", "work-stealing", "auction"})
    for (uint64_t seed = 1; seed <= 10; ++seed) {
      auto o = run_scenario_file("scenarios/lb/chaos.toml", seed,
                                 {std::string("protocol.strategy=") + strategy, "protocol.service=processor-sharing"});
      INFO(strategy << " seed " << seed << ": " << o.result.failure);
      CHECK(o.result.status == RunStatus::complete);
    }
}

TEST_CASE("lb byzantine: never-finish is exposed by its growing queue, bid-and-drop is not") {
  auto never = run_scenario_file("scenarios/lb/byzantine_never_finish.toml", 1);
  auto drop = run_scenario_file("scenarios/lb/byzantine_bid_and_drop.toml", 1);
  INFO(never.result.failure << " / " << drop.result.failure);
  REQUIRE(never.result.status == RunStatus::complete);
  REQUIRE(drop.result.status == RunStatus::complete);
  CHECK(never.scalars["lb_tasks_lost"] == 0);
  CHECK(drop.scalars["lb_tasks_lost"] == 0);
  // never-finish holds its tasks: its queue is the run's peak; bid-and-drop holds nothing
  // and keeps winning awards, so it costs many more resubmissions.
  CHECK(never.scalars["lb_load_peak"] > 10);
  CHECK(never.scalars["lb_load_peak"] > drop.scalars["lb_load_peak"]);
  CHECK(drop.scalars["lb_tasks_resubmitted"] > 10 * never.scalars["lb_tasks_resubmitted"]);
}
