// pBFT through the whole engine: every scenario in scenarios/pbft/ over seeds with the
// agreement, validity, liveness and linearizability checkers on; the f+1 colluders caught;
// determinism; and the processing model saturating throughput.
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/unit/scenario_runner.h"

using namespace meshsim;

namespace {

using Outcome = testing::ScenarioOutcome;

Outcome run_pbft(const std::string& name, uint64_t seed, std::vector<std::string> sets = {}) {
  return testing::run_scenario_file("scenarios/pbft/" + name, seed, std::move(sets));
}

}  // namespace

TEST_CASE("pbft scenario: the quiet normal case sends what the paper counts") {
  Outcome o = run_pbft("quiet.toml", 3);
  REQUIRE(o.result.status == RunStatus::complete);
  CHECK(o.scalars["pbft_view_changes"] == 0);
  CHECK(o.scalars["ops_completed"] > 1000);
  // Measured messages per request within 5% of the paper's normal-case count for the
  // batch sizes the run produced (the status tick adds a little).
  CHECK(o.scalars["messages_per_op"] == doctest::Approx(o.scalars["pbft_normal_case_messages_per_op"]).epsilon(0.05));
  CHECK(o.scalars["pbft_commit_participation_mean"] > 0.99);
}

TEST_CASE("pbft scenario: every f-faulty scenario holds all checkers over seeds") {
  for (const char* name : {"quiet.toml", "primary_crash.toml", "equivocating_primary.toml", "silent_backups.toml",
                           "slow_primary.toml", "partition_primary.toml", "f_colluders.toml"}) {
    for (uint64_t seed = 1; seed <= 8; ++seed) {
      Outcome o = run_pbft(name, seed);
      INFO(name << " seed " << seed << ": " << o.result.failure);
      CHECK(o.result.status == RunStatus::complete);
      CHECK(o.scalars["linearizable"] == 1);
    }
  }
}

TEST_CASE("pbft scenario: the chaos sweep with one Byzantine replica has no violation") {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    Outcome o = run_pbft("chaos.toml", seed);
    INFO("seed " << seed << ": " << o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
  }
}

// Issue 9, seed 1383: replica 2 learned that checkpoint 864 was stable while it had
// executed only 863, and crashed before the state arrived. The fetch was volatile, the
// checkpoint is not: it used to come back with nothing to fetch and slot 864
// garbage-collected everywhere, stuck for ever at 863; with replica 1 silent no checkpoint
// above 864 could become stable and the others stopped at the high water mark (896).
// The random streams of issue 17 gave every seed another run, so this test does not trust
// a seed to hit the case: it requires the case (a correct replica resumes a state transfer
// on recovery, which the module logs) and then that the replica installs that state or a
// later one. Seeds 461, 524, 645 and 856 of 1..883 hit it; with the fix disabled they still
// pass (the stuck replica catches up at a later checkpoint), so the step test in
// test_pbft_replica.cpp is the proof that the fix is needed. To find others:
//   meshsim sweep scenarios/pbft/chaos.toml --seeds 1..2000 --db d.db, then
//   select seed from events_log join runs using (run_id) where detail like '%resumes%'
TEST_CASE("pbft scenario: a replica that crashes during state transfer resumes it on recovery (chaos)") {
  for (uint64_t seed : {461, 524, 645, 856}) {
    Outcome o = run_pbft("chaos.toml", seed);
    INFO("seed " << seed << ": " << o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
    // (replica, checkpoint) of each resumed transfer by a correct replica (1 is Byzantine).
    std::vector<std::pair<int, long>> resumed;
    bool installed_after = false;
    for (const LogEntry& e : o.log) {
      int r = -1;
      long seq = 0;
      if (e.kind != "pbft.state-transfer") continue;
      if (std::sscanf(e.detail.c_str(), "replica %d resumes the state transfer to %ld", &r, &seq) == 2 && r != 1)
        resumed.push_back({r, seq});
      else if (std::sscanf(e.detail.c_str(), "replica %d installs the state at %ld", &r, &seq) == 2)
        for (const auto& [rr, from] : resumed) installed_after |= rr == r && seq >= from;
    }
    CHECK_MESSAGE(!resumed.empty(), "no correct replica resumed a state transfer: pick another seed (see above)");
    CHECK(installed_after);
  }
}

// Issue 9, seed 3540: replicas 0, 2 and 3 changed to view 5 (primary: replica 1, silent)
// and each held the VIEW-CHANGE of only one other (0 had 3's, 3 had 2's, 2 had 0's). Each
// used to re-send its own only to the replica it had not heard from, which had it already,
// so none reached 2f+1, no view-change timer started and view 5 never ended. Now each asks
// the replicas it has not heard from for their VIEW-CHANGE. Since the random streams of
// issue 17, seed 3540 is another run; no seed of the new streams is known to reach that
// cycle (top 80 fetching seeds of 1..900 tried with the fetch disabled: all pass), so the
// step test in test_pbft_replica.cpp is the reproduction, and these seeds, which fetch
// VIEW-CHANGEs while going through many views, check the mechanism in whole runs.
TEST_CASE("pbft scenario: VIEW-CHANGEs are fetched from replicas not heard from, and views keep changing (chaos)") {
  for (uint64_t seed : {524, 645}) {
    Outcome o = run_pbft("chaos.toml", seed);
    INFO("seed " << seed << ": " << o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
    CHECK(o.scalars["pbft_sent_fetch_view_change"] > 0);
    CHECK(o.scalars["pbft_final_view"] >= 6);
  }
}

TEST_CASE("pbft scenario: f+1 colluders break agreement and the checker catches it") {
  // colluders.toml says `[expect] failure = "pbft.agreement"`: the run is complete when that
  // checker, and only that one, stops it.
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Outcome o = run_pbft("colluders.toml", seed);
    INFO("seed " << seed << ": " << o.result.failure);
    CHECK(o.result.status == RunStatus::complete);
    CHECK(o.result.note.find("checker pbft.agreement violated") == 0);
  }
}

TEST_CASE("expect.failure: another checker, or none, fails the run") {
  Outcome other = run_pbft("colluders.toml", 1, {"expect.failure=\"pbft.validity\""});
  CHECK(other.result.status == RunStatus::failed);
  CHECK(other.result.failure.find("checker pbft.agreement violated") == 0);
  CHECK(other.result.failure.find("(expected checker pbft.validity instead)") != std::string::npos);
  Outcome none = run_pbft("quiet.toml", 1, {"expect.failure=\"pbft.agreement\""});
  CHECK(none.result.status == RunStatus::failed);
  CHECK(none.result.failure.find("expect.failure = \"pbft.agreement\": the run ended without that checker firing") !=
        std::string::npos);
}

TEST_CASE("pbft scenario: same seed, same fingerprint and metrics, another seed, another run") {
  Outcome a = run_pbft("chaos.toml", 5), b = run_pbft("chaos.toml", 5), c = run_pbft("chaos.toml", 6);
  CHECK(a.result.fingerprint == b.result.fingerprint);
  CHECK(a.scalars == b.scalars);
  CHECK(a.result.fingerprint != c.result.fingerprint);
}

TEST_CASE("pbft scenario: a primary that equivocates or is cut off is replaced") {
  Outcome eq = run_pbft("equivocating_primary.toml", 2);
  CHECK(eq.scalars["pbft_view_changes"] >= 1);
  Outcome cut = run_pbft("partition_primary.toml", 2);
  CHECK(cut.scalars["pbft_view_changes"] >= 1);
  CHECK(cut.scalars["unavailable_ns_count"] >= 1);
}

TEST_CASE("pbft scenario: a slow primary just under the timeout is never replaced, and costs throughput") {
  Outcome quiet = run_pbft("quiet.toml", 4, {"run.duration=15s"});
  Outcome slow = run_pbft("slow_primary.toml", 4);
  CHECK(slow.scalars["pbft_view_changes"] == 0);
  CHECK(slow.scalars["throughput_ops_per_s"] < quiet.scalars["throughput_ops_per_s"] / 2);
}

// The engine's processing model: with signatures costing 2 ms to check, a replica verifies
// ~500 messages a second, far below what the clients ask of it. The CPUs run near full,
// messages queue for them, and throughput falls to what the CPUs allow; a free CPU shows
// none of it.
TEST_CASE("processing model: expensive verification saturates the replicas") {
  std::vector<std::string> load = {"run.duration=5s", "protocol.authentication=signatures"};
  std::vector<std::string> cheap = load, costly = load;
  cheap.push_back("protocol.model_processing=false");
  costly.push_back("protocol.cost_verify=2ms");
  costly.push_back("protocol.cost_sign=2ms");
  Outcome a = run_pbft("quiet.toml", 1, cheap), b = run_pbft("quiet.toml", 1, costly);
  REQUIRE(a.result.status == RunStatus::complete);
  CHECK(a.scalars.count("cpu_utilisation_max") == 0);
  CHECK(b.scalars["cpu_utilisation_max"] > 0.9);
  CHECK(b.scalars["cpu_queue_wait_mean_ns"] > 1e6);
  CHECK(b.scalars["throughput_ops_per_s"] < 0.5 * a.scalars["throughput_ops_per_s"]);
}
