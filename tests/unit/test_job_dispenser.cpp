// Rank 0's ledger for `meshsim sweep` over MPI ranks (app/mpi/job_dispenser.h), and the
// messages the ranks exchange (app/rank_sweep_messages.h). The ranks themselves are
// exercised by tests/cli/mpi_sweep_tests.sh; here the ledger is driven through many
// interleavings no real run would reliably produce.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "app/mpi/job_dispenser.h"
#include "app/rank_sweep_messages.h"

using meshsim::mpi::JobDispenser;

namespace {

// K ranks with up to T jobs each in flight, asking and reporting in a random order drawn
// from `seed`; `stop_after` hand-outs (if set) an interrupt stops the dispenser. Checks
// every rule of the ledger at every step; returns how many jobs each rank ran.
std::vector<size_t> drive(size_t jobs, int ranks, size_t threads, uint32_t seed, size_t stop_after = SIZE_MAX) {
  JobDispenser d(jobs);
  std::mt19937 pick(seed);  // the test's own choice of interleaving, not a simulation stream
  std::vector<std::vector<size_t>> in_flight(static_cast<size_t>(ranks));
  std::vector<int> handed(jobs, 0);
  std::vector<size_t> ran(static_cast<size_t>(ranks), 0);
  size_t out = 0;
  for (int step = 0; step < 100000; ++step) {
    if (d.all_back()) break;
    const int rank = static_cast<int>(pick() % static_cast<uint32_t>(ranks));
    auto& mine = in_flight[static_cast<size_t>(rank)];
    const bool ask = mine.size() < threads && (mine.empty() || pick() % 2 == 0);
    if (ask) {
      if (auto job = d.take(rank)) {
        REQUIRE(*job < jobs);
        ++handed[*job];
        CHECK(d.holder(*job) == rank);
        mine.push_back(*job);
        if (++out == stop_after) d.stop();
      }
    } else if (!mine.empty()) {
      const size_t k = pick() % mine.size();
      d.finished(mine[k], rank);
      ++ran[static_cast<size_t>(rank)];
      mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(k));
    }
    // The batch is over only when nothing is out any more.
    size_t flying = 0;
    for (const auto& f : in_flight) flying += f.size();
    if (d.all_back()) CHECK(flying == 0);
  }
  REQUIRE(d.all_back());
  for (size_t j = 0; j < jobs; ++j) CHECK(handed[j] <= 1);  // never twice
  if (stop_after == SIZE_MAX)
    for (size_t j = 0; j < jobs; ++j) CHECK(handed[j] == 1);  // and, without a stop, every one
  CHECK(d.back() == d.taken());
  return ran;
}

}  // namespace

TEST_CASE("job dispenser: every job goes out once and the batch ends only when all are back") {
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    CAPTURE(seed);
    drive(37, 3, 2, seed);
    drive(5, 4, 3, seed);  // more threads than jobs
    drive(1, 2, 1, seed);
  }
}

TEST_CASE("job dispenser: after a stop nothing goes out, and what was out still comes back") {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    CAPTURE(seed);
    drive(40, 3, 2, seed, 7);
  }
  JobDispenser d(3);
  auto a = d.take(0);
  d.stop();
  CHECK_FALSE(d.take(1).has_value());
  CHECK_FALSE(d.all_back());  // job a is still out
  d.finished(*a, 0);
  CHECK(d.all_back());
  CHECK(d.holder(1) == -1);  // never went out: a seed the sweep lists as not run
}

TEST_CASE("job dispenser: a report from the wrong rank, or twice, is refused") {
  JobDispenser d(4);
  auto a = d.take(1);
  CHECK_THROWS_WITH_AS(d.finished(*a, 2), doctest::Contains("never given"), std::logic_error);
  CHECK_THROWS_AS(d.finished(3, 1), std::logic_error);   // not handed out yet
  CHECK_THROWS_AS(d.finished(99, 1), std::logic_error);  // does not exist
  d.finished(*a, 1);
  CHECK_THROWS_WITH_AS(d.finished(*a, 1), doctest::Contains("twice"), std::logic_error);
}

TEST_CASE("job dispenser: a rank with slow runs takes fewer jobs (dynamic balance, not a fixed split)") {
  // Two ranks of one thread; rank 1's runs take three times as long. Each asks when idle,
  // as app/rank_sweep.cpp does, in simulated time.
  JobDispenser d(400);
  const int64_t cost[2] = {1, 3};
  int64_t free_at[2] = {0, 0};
  std::optional<size_t> current[2];
  size_t ran[2] = {0, 0};
  for (int64_t now = 0; !d.all_back(); ++now) {
    for (int r = 0; r < 2; ++r) {
      if (current[r] && free_at[r] == now) {
        d.finished(*current[r], r);
        ++ran[r];
        current[r].reset();
      }
      if (!current[r] && (current[r] = d.take(r))) free_at[r] = now + cost[r];
    }
  }
  CHECK(ran[0] + ran[1] == 400);
  CHECK(ran[0] == doctest::Approx(300).epsilon(0.02));  // 3:1, where a fixed split gives 200:200
}

TEST_CASE("rank sweep messages: an outcome crosses ranks bit for bit") {
  using namespace meshsim::cli::rank_sweep;
  meshsim::cli::RunOutcome o;
  o.exit_code = 1;
  o.result.status = meshsim::RunStatus::failed;
  o.result.events = 123456789012ull;
  o.result.sim_time_ns = -1;
  o.result.wall_s = std::numeric_limits<double>::denorm_min();
  o.result.fingerprint = 0xffffffffffffffffull;
  o.result.failure = "checker raft.leader_completeness violated at 25.603 s";
  o.result.note = "";
  o.seed = 18446744073709551615ull;
  o.run_id = 42;
  o.scenario_name = "raft-figure8-bug";
  o.error = "multi\nline";
  o.reproduce = "meshsim run scenarios/raft/figure8_bug.toml --seed 15";
  o.events_wall_s = 0.25;
  o.checks_wall_s = std::nan("");
  o.results_write_s = 1e-9;
  o.side_file = "results/x.db.side";
  o.trace_rows = 7;
  o.violation_ns = 25603000000;
  AskMessage ask{3, false, {{9, true, o, {std::byte{0x53}, std::byte{0}, std::byte{0xff}}}, {10, false, {}, {}}}};
  AskMessage back = decode_ask(encode(ask));
  CHECK(back.idle == 3);
  CHECK_FALSE(back.last);
  REQUIRE(back.finished.size() == 2);
  CHECK(back.finished[0].job == 9);
  CHECK(back.finished[0].started);
  CHECK_FALSE(back.finished[1].started);
  CHECK(back.finished[0].database == ask.finished[0].database);
  CHECK(back.finished[1].database.empty());
  const meshsim::cli::RunOutcome& b = back.finished[0].outcome;
  CHECK(b.exit_code == 1);
  CHECK(b.result.status == meshsim::RunStatus::failed);
  CHECK(b.result.events == o.result.events);
  CHECK(b.result.sim_time_ns == -1);
  CHECK(b.result.wall_s == o.result.wall_s);
  CHECK(b.result.fingerprint == o.result.fingerprint);
  CHECK(b.result.failure == o.result.failure);
  CHECK(b.seed == o.seed);
  CHECK(b.run_id == 42);
  CHECK(b.scenario_name == o.scenario_name);
  CHECK(b.error == o.error);
  CHECK(b.reproduce == o.reproduce);
  CHECK(std::isnan(b.checks_wall_s));
  CHECK(b.results_write_s == 1e-9);
  CHECK(b.side_file == o.side_file);
  CHECK(b.trace_rows == 7);
  CHECK(b.violation_ns == o.violation_ns);

  GiveMessage give{{4, 5, 6}, true};
  GiveMessage g = decode_give(encode(give));
  CHECK(g.jobs == std::vector<uint64_t>{4, 5, 6});
  CHECK(g.no_more);
  meshsim::mpi::Bytes cut = encode(give);
  cut.pop_back();
  CHECK_THROWS(decode_give(cut));
}
