// Three verdicts, not two: a linearizability search that runs out of budget proves nothing,
// so it must not read as a violation (linearizable = 0, status failed) nor as a pass. These
// tests cover each layer: the search (budget, progress, cancelling), the workload's metrics,
// and the run's verdict.
#include <doctest/doctest.h>

#include "sim/run_spec.h"

#include <cmath>

#include "protocols/kv/history_report.h"
#include "protocols/kv/linearizability.h"
#include "sim/check_progress.h"
#include "sim/expectations.h"

using namespace meshsim;
using namespace meshsim::kv;
using LinVerdict = LinearizabilityResult::Verdict;

namespace {

int64_t ms(int64_t x) { return x * 1'000'000; }

// Ten concurrent puts, then a read of one of them: linearizable, but the search must take
// the puts one by one to get there, which a budget of a few states does not allow.
std::vector<Operation> many_concurrent_puts() {
  std::vector<Operation> ops;
  for (uint32_t c = 0; c < 10; ++c) ops.push_back(Operation{c, OpKind::put, 0, 100 + c, 0, ms(0), ms(100), 0, true});
  ops.push_back(Operation{11, OpKind::get, 0, 0, 0, ms(200), ms(210), 103, true});
  return ops;
}

// A read of a value nobody wrote: a violation found in a handful of states.
std::vector<Operation> stale_read() {
  return {Operation{0, OpKind::put, 0, 5, 0, ms(0), ms(10), 0, true}, Operation{1, OpKind::get, 0, 0, 0, ms(20), ms(30), 7, true}};
}

RunSpec scenario_expecting(const std::string& metric, const std::string& op, double value) {
  RunSpec s;
  s.source = "test.toml";
  s.expectations.push_back(Expectation{metric, op, value, 3});
  return s;
}

std::optional<Violation> report(const std::vector<Operation>& ops, uint64_t budget, Metrics& m) {
  WorkloadParams w;
  w.linearizability_max_states = budget;
  return report_history(ops, "raft", SimTime{ms(1000)}, w, NetworkCounters{}, ServiceCounters{}, m);
}

}  // namespace

TEST_CASE("the search budget turns a provable history into unknown, not a violation") {
  CHECK(check_linearizable(many_concurrent_puts()).verdict == LinVerdict::linearizable);
  LinearizabilityResult cut = check_linearizable(many_concurrent_puts(), 2);
  CHECK(cut.verdict == LinVerdict::unknown);
  CHECK_FALSE(cut.cancelled);
  CHECK(check_linearizable(stale_read(), 2).verdict == LinVerdict::not_linearizable);
}

TEST_CASE("the search publishes its progress and stops when cancelled") {
  CheckProgress progress;
  LinearizabilityResult done = check_linearizable(many_concurrent_puts(), kDefaultMaxStatesPerKey, &progress);
  CHECK(done.verdict == LinVerdict::linearizable);
  CHECK(progress.keys_total == 1);
  CHECK(progress.keys_done == 1);
  CHECK(progress.states_budget == kDefaultMaxStatesPerKey);

  // A history large enough that the search takes its 4,096 steps before finishing: many
  // clients writing one key concurrently, read back at the end.
  std::vector<Operation> big;
  for (uint32_t c = 0; c < 18; ++c) big.push_back(Operation{c, OpKind::put, 0, 100 + c, 0, ms(0), ms(100), 0, true});
  big.push_back(Operation{40, OpKind::get, 0, 0, 0, ms(200), ms(210), 999, true});  // nobody wrote 999
  CheckProgress cancelled;
  cancelled.cancel = true;
  LinearizabilityResult stopped = check_linearizable(big, kDefaultMaxStatesPerKey, &cancelled);
  CHECK(stopped.verdict == LinVerdict::unknown);
  CHECK(stopped.cancelled);
  CHECK(stopped.explanation.find("stopped on request") != std::string::npos);
}

TEST_CASE("the workload's metrics say linearizable 1, 0 or unknown (NaN) with a countable flag") {
  Metrics proven;
  CHECK_FALSE(report(many_concurrent_puts(), kDefaultMaxStatesPerKey, proven));
  CHECK(proven.scalars().at("linearizable") == 1);
  CHECK(proven.scalars().at("linearizability_unknown") == 0);
  CHECK(proven.inconclusive().empty());

  Metrics violated;
  auto v = report(stale_read(), kDefaultMaxStatesPerKey, violated);
  REQUIRE(v);
  CHECK(v->checker == "raft.linearizability");
  CHECK(violated.scalars().at("linearizable") == 0);
  CHECK(violated.scalars().at("linearizability_unknown") == 0);

  Metrics unknown;
  CHECK_FALSE(report(many_concurrent_puts(), 2, unknown));
  CHECK(std::isnan(unknown.scalars().at("linearizable")));
  CHECK(unknown.scalars().at("linearizability_unknown") == 1);
  REQUIRE(unknown.inconclusive().size() == 1);
  CHECK(unknown.inconclusive()[0].find("raft.linearizability: search budget of 2 states exhausted") == 0);
}

TEST_CASE("a run with an undecided checker is inconclusive, a failure still outranks it") {
  Metrics m;
  m.set_scalar("linearizable", std::nan(""));
  m.set_scalar("ops_completed", 10);
  m.report_inconclusive("raft.linearizability", "search budget exhausted");

  meshsim::Verdict undecided = judge_run(scenario_expecting("linearizable", "==", 1), m, std::nullopt);
  CHECK(undecided.status == RunStatus::inconclusive);
  CHECK(undecided.failure == "raft.linearizability: search budget exhausted");

  meshsim::Verdict failed_expectation = judge_run(scenario_expecting("ops_completed", ">", 100), m, std::nullopt);
  CHECK(failed_expectation.status == RunStatus::failed);

  meshsim::Verdict violation = judge_run(RunSpec{}, m, Violation{SimTime{1}, "raft.election_safety", "two leaders"});
  CHECK(violation.status == RunStatus::failed);
  CHECK(violation.failure.find("raft.election_safety") != std::string::npos);
}

TEST_CASE("an expectation on an unknown value neither holds nor fails") {
  Metrics m;
  m.set_scalar("linearizable", std::nan(""));
  CHECK_FALSE(check_expectations(scenario_expecting("linearizable", "==", 1), m));
  meshsim::Verdict v = judge_run(scenario_expecting("linearizable", "==", 1), m, std::nullopt);
  CHECK(v.status == RunStatus::inconclusive);
  CHECK(v.failure == "test.toml:3: expect.linearizable == 1: the value is unknown");

  Metrics known;
  known.set_scalar("linearizable", 1);
  CHECK(judge_run(scenario_expecting("linearizable", "==", 1), known, std::nullopt).status == RunStatus::complete);
}
