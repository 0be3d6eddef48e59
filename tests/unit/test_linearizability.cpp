// The key-value linearizability checker: hand-written histories for each rule, then large
// generated ones (valid by construction, and the same with one read corrupted).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <stdexcept>

#include "protocols/kv/linearizability.h"

using namespace meshsim::kv;
using Verdict = LinearizabilityResult::Verdict;

namespace {

constexpr int64_t kNever = -1;  // completed_ns of an indeterminate operation
int64_t ms(int64_t x) { return x * 1'000'000; }

Operation get(uint32_t client, uint32_t key, int64_t result, int64_t invoked, int64_t completed) {
  Operation op{client, OpKind::get, key, 0, 0, ms(invoked), completed == kNever ? kNever : ms(completed), result, true};
  return op;
}
Operation put(uint32_t client, uint32_t key, int64_t value, int64_t invoked, int64_t completed) {
  return Operation{client, OpKind::put, key, value, 0, ms(invoked), completed == kNever ? kNever : ms(completed), 0, true};
}
Operation cas(uint32_t client, uint32_t key, int64_t expected, int64_t value, bool ok, int64_t invoked, int64_t completed) {
  return Operation{client, OpKind::cas, key, value, expected, ms(invoked), completed == kNever ? kNever : ms(completed), 0, ok};
}

Verdict verdict_of(const std::vector<Operation>& ops) { return check_linearizable(ops).verdict; }

// A history that is linearizable by construction: every client runs operations one after
// another, each with a linearization point drawn inside its interval; applying them to a
// sequential register in the order of those points gives every result. Indeterminate
// operations take effect at their point or (half of them) never.
struct GeneratedHistory {
  std::vector<Operation> ops;
  std::vector<int64_t> linearized_ns;  // per operation; meaningless for those that never took effect
};

GeneratedHistory generate(uint64_t seed, uint32_t clients, uint32_t keys, size_t count, double indeterminate_p,
                          bool distinct_values = true) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  GeneratedHistory h;
  std::vector<bool> takes_effect;
  std::vector<int64_t> client_free_ns(clients, 0);
  for (size_t i = 0; i < count; ++i) {
    uint32_t c = static_cast<uint32_t>(i % clients);
    Operation op;
    op.client = c;
    op.key = static_cast<uint32_t>(uniform(0, keys - 1));
    int64_t r = uniform(0, 9);
    op.kind = r < 5 ? OpKind::get : r < 8 ? OpKind::put : OpKind::cas;
    op.value = distinct_values ? static_cast<int64_t>(i) + 1 : uniform(0, 2);  // unique, as history.h promises
    op.invoked_ns = client_free_ns[c] + uniform(0, 20'000);
    int64_t point = op.invoked_ns + uniform(0, 100'000);
    op.completed_ns = point + uniform(0, 100'000);
    client_free_ns[c] = op.completed_ns;
    bool effect = true;
    if (chance(indeterminate_p)) {
      op.completed_ns = kNever;
      effect = chance(0.5);
    }
    h.ops.push_back(op);
    h.linearized_ns.push_back(point);
    takes_effect.push_back(effect);
  }
  std::vector<size_t> order(count);
  for (size_t i = 0; i < count; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return h.linearized_ns[a] != h.linearized_ns[b] ? h.linearized_ns[a] < h.linearized_ns[b] : a < b;
  });
  std::vector<int64_t> reg(keys, 0);
  for (size_t i : order) {
    Operation& op = h.ops[i];
    int64_t& v = reg[op.key];
    if (op.kind == OpKind::cas) op.expected = chance(0.5) ? v : v + 1 + uniform(0, 3);  // succeed or fail
    if (!takes_effect[i]) continue;
    switch (op.kind) {
      case OpKind::get: op.result = v; break;
      case OpKind::put: v = op.value; break;
      case OpKind::cas:
        op.ok = v == op.expected;
        if (op.ok) v = op.value;
        break;
    }
  }
  return h;
}

// Index of a completed get that read a value a later completed put had already overwritten:
// p wrote it, then q was invoked after p completed and completed before the get was invoked.
// Values are unique, so reading p's value then is impossible.
size_t corrupt_one_read(std::vector<Operation>& ops) {
  for (size_t g = ops.size() / 2; g < ops.size(); ++g) {
    if (ops[g].kind != OpKind::get || !ops[g].completed()) continue;
    for (size_t q = 0; q < g; ++q) {
      if (ops[q].kind != OpKind::put || ops[q].key != ops[g].key || !ops[q].completed() ||
          ops[q].completed_ns >= ops[g].invoked_ns)
        continue;
      for (size_t p = 0; p < q; ++p) {
        if (ops[p].kind == OpKind::put && ops[p].key == ops[g].key && ops[p].completed() &&
            ops[p].completed_ns < ops[q].invoked_ns && ops[p].value != ops[g].result) {
          ops[g].result = ops[p].value;
          return g;
        }
      }
    }
  }
  FAIL("no read to corrupt");
  return 0;
}

// The definition, searched by brute force: some order of all completed operations and some of
// the indeterminate ones, respecting real time (an operation that completed strictly before
// another was invoked comes first), in which every operation sees its register as it claims.
bool brute_force_linearizable(const std::vector<Operation>& ops, std::vector<bool>& taken, std::vector<int64_t>& regs) {
  bool all_completed_taken = true;
  for (size_t i = 0; i < ops.size(); ++i) all_completed_taken &= taken[i] || !ops[i].completed();
  if (all_completed_taken) return true;  // the rest never took effect
  for (size_t i = 0; i < ops.size(); ++i) {
    if (taken[i]) continue;
    const Operation& x = ops[i];
    bool may_go_next = true;
    for (size_t j = 0; j < ops.size(); ++j)
      if (!taken[j] && ops[j].completed() && ops[j].completed_ns < x.invoked_ns) may_go_next = false;
    if (!may_go_next) continue;
    int64_t& reg = regs[x.key];
    int64_t saved = reg;
    bool ok = true;
    switch (x.kind) {
      case OpKind::get: ok = !x.completed() || reg == x.result; break;
      case OpKind::put: reg = x.value; break;
      case OpKind::cas:
        if (!x.completed()) {
          if (reg == x.expected) reg = x.value;
        } else if (x.ok) {
          ok = reg == x.expected;
          reg = x.value;
        } else {
          ok = reg != x.expected;
        }
        break;
    }
    taken[i] = true;
    if (ok && brute_force_linearizable(ops, taken, regs)) return true;
    taken[i] = false;
    reg = saved;
  }
  return false;
}

bool brute_force_linearizable(const std::vector<Operation>& ops) {
  std::vector<bool> taken(ops.size(), false);
  std::vector<int64_t> regs(4, 0);
  return brute_force_linearizable(ops, taken, regs);
}

// Small histories with few values (so reads are often right), some indeterminate operations,
// and times on a coarse grid (so ties are common).
std::vector<Operation> random_small_history(std::mt19937_64& rng, int64_t max_ops, uint32_t keys, int64_t values,
                                            int64_t indeterminate_percent) {
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  std::vector<Operation> ops(static_cast<size_t>(uniform(1, max_ops)));
  for (Operation& op : ops) {
    op.client = static_cast<uint32_t>(uniform(0, 3));
    op.key = static_cast<uint32_t>(uniform(0, keys - 1));
    op.kind = static_cast<OpKind>(uniform(0, 2));
    op.value = uniform(0, values);
    op.expected = uniform(0, values);
    op.result = uniform(0, values);
    op.ok = uniform(0, 1) == 1;
    op.invoked_ns = uniform(0, 8);
    op.completed_ns = uniform(0, 99) < indeterminate_percent ? kNever : op.invoked_ns + uniform(0, 4);
  }
  return ops;
}

// A generated (valid) history, with one field changed half of the time.
std::vector<Operation> perturbed_small_history(std::mt19937_64& rng, bool distinct_values) {
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  std::vector<Operation> ops =
      generate(rng(), 3, static_cast<uint32_t>(uniform(1, 2)), static_cast<size_t>(uniform(1, 7)), 0.3, distinct_values).ops;
  if (uniform(0, 1) == 0) return ops;
  Operation& op = ops[static_cast<size_t>(uniform(0, static_cast<int64_t>(ops.size()) - 1))];
  switch (uniform(0, 4)) {
    case 0: op.result = uniform(0, static_cast<int64_t>(ops.size())); break;
    case 1: op.ok = !op.ok; break;
    case 2: op.expected = uniform(0, static_cast<int64_t>(ops.size())); break;
    case 3: op.completed_ns = op.completed() ? kNever : op.invoked_ns + uniform(0, 200'000); break;
    case 4: op.invoked_ns = std::max<int64_t>(0, op.invoked_ns - uniform(0, 200'000)); break;
  }
  return ops;
}

double seconds_to_check(const std::vector<Operation>& ops, LinearizabilityResult& out) {
  auto start = std::chrono::steady_clock::now();
  out = check_linearizable(ops);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("An empty history is linearizable") {
  LinearizabilityResult r = check_linearizable({});
  CHECK(r.verdict == Verdict::linearizable);
  CHECK(r.keys_checked == 0);
  CHECK(r.operations == 0);
  CHECK(r.explanation.empty());
}

TEST_CASE("Sequential puts and gets that agree are linearizable") {
  std::vector<Operation> h{get(1, 0, 0, 0, 1), put(1, 0, 5, 2, 3), get(2, 0, 5, 4, 5), put(2, 0, 6, 6, 7),
                           get(1, 0, 6, 8, 9)};
  LinearizabilityResult r = check_linearizable(h);
  CHECK(r.verdict == Verdict::linearizable);
  CHECK(r.keys_checked == 1);
  CHECK(r.operations == 5);
  CHECK(r.states_explored >= 5);
}

TEST_CASE("A stale read after a completed put is caught and explained") {
  std::vector<Operation> h{put(1, 3, 5, 0, 10), get(2, 3, 0, 20, 30)};
  LinearizabilityResult r = check_linearizable(h);
  REQUIRE(r.verdict == Verdict::not_linearizable);
  CHECK(r.key == 3);
  MESSAGE(r.explanation);
  CHECK(r.explanation.find("key 3") != std::string::npos);
  CHECK(r.explanation.find("#0 client 1 put 5, invoked 0 ms, completed 10 ms") != std::string::npos);
  CHECK(r.explanation.find("#1 client 2 get -> 0, invoked 20 ms, completed 30 ms: the register holds 5") !=
        std::string::npos);
}

TEST_CASE("A get concurrent with a put may see either value") {
  CHECK(verdict_of({put(1, 0, 5, 0, 10), get(2, 0, 0, 5, 15)}) == Verdict::linearizable);
  CHECK(verdict_of({put(1, 0, 5, 0, 10), get(2, 0, 5, 5, 15)}) == Verdict::linearizable);
  // But two reads cannot see the write then not see it: the second starts after the first ends.
  CHECK(verdict_of({put(1, 0, 5, 0, 100), get(2, 0, 5, 5, 15), get(3, 0, 0, 20, 30)}) == Verdict::not_linearizable);
}

TEST_CASE("A completion at the same nanosecond as an invocation counts as concurrent") {
  // The put returns at 10 ms and the get is invoked at 10 ms: neither is before the other.
  CHECK(verdict_of({put(1, 0, 5, 0, 10), get(2, 0, 0, 10, 20)}) == Verdict::linearizable);
  CHECK(verdict_of({put(1, 0, 5, 0, 10), get(2, 0, 0, 11, 20)}) == Verdict::not_linearizable);
}

TEST_CASE("A cas that succeeds when the register does not hold its expected value is caught") {
  LinearizabilityResult r = check_linearizable({put(1, 0, 5, 0, 10), cas(2, 0, 0, 7, true, 20, 30)});
  REQUIRE(r.verdict == Verdict::not_linearizable);
  CHECK(r.explanation.find("the register holds 5, not 0") != std::string::npos);
  CHECK(verdict_of({put(1, 0, 5, 0, 10), cas(2, 0, 5, 7, true, 20, 30), get(1, 0, 7, 40, 50)}) ==
        Verdict::linearizable);
}

TEST_CASE("A failed cas has no effect and must have seen another value") {
  CHECK(verdict_of({put(1, 0, 5, 0, 10), cas(2, 0, 3, 7, false, 20, 30), get(1, 0, 5, 40, 50)}) ==
        Verdict::linearizable);
  CHECK(verdict_of({put(1, 0, 5, 0, 10), cas(2, 0, 3, 7, false, 20, 30), get(1, 0, 7, 40, 50)}) ==
        Verdict::not_linearizable);
  LinearizabilityResult r = check_linearizable({put(1, 0, 5, 0, 10), cas(2, 0, 5, 7, false, 20, 30)});
  REQUIRE(r.verdict == Verdict::not_linearizable);
  CHECK(r.explanation.find("so it would have succeeded") != std::string::npos);
  // Concurrent with the put, the same failure is fine: it saw the initial 0.
  CHECK(verdict_of({put(1, 0, 5, 0, 10), cas(2, 0, 5, 7, false, 5, 30)}) == Verdict::linearizable);
}

TEST_CASE("An indeterminate put that a later read observes is linearizable") {
  CHECK(verdict_of({put(1, 0, 5, 0, kNever), get(2, 0, 0, 10, 20), get(2, 0, 5, 30, 40), get(3, 0, 5, 50, 60)}) ==
        Verdict::linearizable);
  // It took effect once: the register cannot go back to 0 after a read saw 5.
  CHECK(verdict_of({put(1, 0, 5, 0, kNever), get(2, 0, 5, 30, 40), get(3, 0, 0, 50, 60)}) ==
        Verdict::not_linearizable);
  // And not before it was invoked.
  CHECK(verdict_of({get(2, 0, 5, 0, 10), put(1, 0, 5, 20, kNever)}) == Verdict::not_linearizable);
}

TEST_CASE("An indeterminate put that nobody observes is linearizable") {
  CHECK(verdict_of({put(1, 0, 5, 0, kNever), get(2, 0, 0, 10, 20), get(3, 0, 0, 1000, 1010)}) ==
        Verdict::linearizable);
}

TEST_CASE("An unobserved indeterminate put is kept when a failed cas needs it") {
  // The cas expecting 1 fails after put 1 completed: only the indeterminate put 9 can explain it.
  std::vector<Operation> h{put(1, 0, 1, 0, 10), put(2, 0, 9, 5, kNever), cas(3, 0, 1, 2, false, 20, 30)};
  CHECK(verdict_of(h) == Verdict::linearizable);
  h.erase(h.begin() + 1);
  CHECK(verdict_of(h) == Verdict::not_linearizable);
}

TEST_CASE("Indeterminate puts share a memo entry only if no operation reads their values") {
  // Found by the brute-force comparison below when the memo merged every indeterminate put's
  // value: put 6 is never read, but put 2 is (by the get and by the successful cas), so the
  // configurations after them differ.
  std::vector<Operation> h{cas(0, 0, 2, 4, true, 7, 9), get(0, 0, 2, 3, 7),          put(2, 0, 3, 3, 4),
                           put(2, 0, 3, 1, 3),          put(1, 0, 2, 2, kNever),     put(2, 0, 6, 1, kNever),
                           cas(1, 0, 3, 5, false, 0, 2), cas(0, 0, 3, 2, false, 6, 6)};
  CHECK(verdict_of(h) == Verdict::linearizable);
}

TEST_CASE("Indeterminate operations: a get says nothing, a cas swaps only if it finds its expected value") {
  CHECK(verdict_of({get(1, 0, 42, 0, kNever)}) == Verdict::linearizable);
  CHECK(verdict_of({cas(1, 0, 0, 5, true, 0, kNever), get(2, 0, 5, 10, 20)}) == Verdict::linearizable);
  CHECK(verdict_of({cas(1, 0, 0, 5, true, 0, kNever), get(2, 0, 0, 10, 20)}) == Verdict::linearizable);
  CHECK(verdict_of({cas(1, 0, 3, 5, true, 0, kNever), get(2, 0, 5, 10, 20)}) == Verdict::not_linearizable);
  CHECK(verdict_of({put(1, 0, 3, 0, 1), cas(1, 0, 3, 5, false, 2, kNever), get(2, 0, 5, 10, 20)}) ==
        Verdict::linearizable);
}

TEST_CASE("A read of a value nobody wrote is caught") {
  LinearizabilityResult r = check_linearizable({put(1, 0, 5, 0, 10), get(2, 0, 42, 0, 20)});
  CHECK(r.verdict == Verdict::not_linearizable);
  CHECK(r.explanation.find("get -> 42") != std::string::npos);
}

TEST_CASE("Keys are checked independently and the violating key is named") {
  std::vector<Operation> h;
  for (uint32_t key : {3u, 7u, 9u}) {
    h.push_back(put(1, key, 100 + key, 0, 10));
    h.push_back(get(2, key, 100 + key, 20, 30));
  }
  h[3].result = 0;  // key 7's read misses the completed put
  LinearizabilityResult r = check_linearizable(h);
  REQUIRE(r.verdict == Verdict::not_linearizable);
  CHECK(r.key == 7);
  CHECK(r.keys_checked == 2);  // key 3, then key 7; key 9 is never searched
  CHECK(r.explanation.rfind("key 7:", 0) == 0);
  // Interleaved in real time across keys, the same operations on one key are fine.
  CHECK(verdict_of({put(1, 1, 5, 0, 10), get(2, 2, 0, 20, 30), get(3, 1, 5, 20, 30)}) == Verdict::linearizable);
}

TEST_CASE("A tiny search budget gives unknown, not a verdict") {
  std::vector<Operation> h;
  for (int i = 0; i < 10; ++i) h.push_back(put(1, 4, i + 1, 2 * i, 2 * i + 1));
  LinearizabilityResult r = check_linearizable(h, 3);
  CHECK(r.verdict == Verdict::unknown);
  CHECK(r.key == 4);
  CHECK(r.explanation.find("gave up after 3 states") != std::string::npos);
  CHECK(check_linearizable(h, 10).verdict == Verdict::linearizable);
  // A definite violation on a later key outranks an exhausted budget on an earlier one.
  h.push_back(put(1, 8, 1, 0, 1));
  h.push_back(get(1, 8, 0, 2, 3));
  CHECK(check_linearizable(h, 3).verdict == Verdict::not_linearizable);
}

TEST_CASE("The checker agrees with a brute-force search on thousands of small histories") {
  std::mt19937_64 rng(42);
  int verdicts[2] = {0, 0};
  for (int round = 0; round < 10'000; ++round) {
    std::vector<Operation> ops;
    switch (round % 5) {
      case 0: ops = random_small_history(rng, 7, 2, 3, 30); break;
      case 1: ops = random_small_history(rng, 9, 1, 3, 60); break;
      case 2: ops = random_small_history(rng, 9, 1, 2, 70); break;
      case 3: ops = perturbed_small_history(rng, true); break;
      case 4: ops = perturbed_small_history(rng, false); break;
    }
    bool expected = brute_force_linearizable(ops);
    LinearizabilityResult r = check_linearizable(ops);
    ++verdicts[expected];
    if ((r.verdict == Verdict::linearizable) != expected) {
      std::string dump;
      for (const Operation& op : ops)
        dump += std::string(to_string(op.kind)) + " key " + std::to_string(op.key) + " value " + std::to_string(op.value) +
                " expected " + std::to_string(op.expected) + " result " + std::to_string(op.result) + " ok " +
                std::to_string(op.ok) + " [" + std::to_string(op.invoked_ns) + ", " + std::to_string(op.completed_ns) + "]\n";
      FAIL_CHECK("round " << round << ": brute force says " << expected << ", checker says " << to_string(r.verdict)
                          << "\n" << dump << r.explanation);
      break;
    }
  }
  MESSAGE("linearizable " << verdicts[1] << ", not " << verdicts[0]);
  CHECK(verdicts[0] > 2000);  // both verdicts well represented
  CHECK(verdicts[1] > 2000);
}

TEST_CASE("An operation that completes before it is invoked is rejected") {
  CHECK_THROWS_AS(check_linearizable({put(1, 0, 5, 10, 5)}), std::invalid_argument);
}

TEST_CASE("Many unobserved indeterminate puts do not blow up the search") {
  // 2,000 puts that never complete and are never read: each could take effect anywhere.
  std::vector<Operation> h;
  for (int i = 0; i < 2000; ++i) {
    h.push_back(put(1 + i % 10, 0, i + 1, i, kNever));
    h.push_back(get(11, 0, 0, i, i));
  }
  LinearizabilityResult r = check_linearizable(h, 100'000);
  CHECK(r.verdict == Verdict::linearizable);
  CHECK(r.states_explored <= 2000);
}

TEST_CASE("Indeterminate puts that could explain a failed cas do not blow up the search") {
  // 2,000 puts that never complete, nobody reads, and any of which explains the final failed
  // cas; tried naively, each would be tried at every step.
  std::vector<Operation> h;
  for (int i = 0; i < 2000; ++i) {
    h.push_back(put(1 + i % 10, 0, i + 1, i, kNever));
    h.push_back(get(11, 0, 0, i, i));
  }
  h.push_back(cas(12, 0, 0, 9999, false, 3000, 3001));
  LinearizabilityResult r = check_linearizable(h, 100'000);
  CHECK(r.verdict == Verdict::linearizable);
  CHECK(r.states_explored <= 4100);  // each get, and each put left out at its deadline
  h.back().expected = 1;  // now the failed cas needs nothing, and nothing is placed for it
  CHECK(check_linearizable(h, 100'000).verdict == Verdict::linearizable);
  h.push_back(get(12, 0, 0, 3010, 3020));  // ... but not if the register then reads 0 again
  h[h.size() - 2].expected = 0;
  CHECK(check_linearizable(h, 100'000).verdict == Verdict::not_linearizable);
}

TEST_CASE("The verdict does not depend on the order of the input") {
  GeneratedHistory g = generate(99, 8, 3, 3000, 0.01);
  std::vector<Operation> reversed(g.ops.rbegin(), g.ops.rend());
  LinearizabilityResult a = check_linearizable(g.ops), b = check_linearizable(reversed);
  CHECK(a.verdict == Verdict::linearizable);
  CHECK(b.verdict == Verdict::linearizable);
  size_t corrupted = corrupt_one_read(g.ops);
  reversed.assign(g.ops.rbegin(), g.ops.rend());
  a = check_linearizable(g.ops);
  b = check_linearizable(reversed);
  CHECK(a.verdict == Verdict::not_linearizable);
  CHECK(b.verdict == Verdict::not_linearizable);
  CHECK(a.key == g.ops[corrupted].key);
  CHECK(b.key == a.key);
}

TEST_CASE("A generated 50,000-operation history is linearizable, and one corrupted read is caught") {
  GeneratedHistory g = generate(20240601, 20, 50, 50'000, 0.002);
  LinearizabilityResult r;
  double valid_s = seconds_to_check(g.ops, r);
  CHECK(r.verdict == Verdict::linearizable);
  CHECK(r.keys_checked == 50);
  CHECK(r.operations == 50'000);
  MESSAGE("50,000 ops, 20 clients, 50 keys: " << valid_s << " s, " << r.states_explored << " states");
  CHECK(valid_s < 1.0);

  std::vector<Operation> bad = g.ops;
  size_t corrupted = corrupt_one_read(bad);
  double bad_s = seconds_to_check(bad, r);
  REQUIRE(r.verdict == Verdict::not_linearizable);
  CHECK(r.key == bad[corrupted].key);
  CHECK(r.explanation.find("#" + std::to_string(corrupted) + " ") != std::string::npos);
  MESSAGE("corrupted read #" << corrupted << " found in " << bad_s << " s, " << r.states_explored << " states");
}

TEST_CASE("A generated history with ten clients on one hot key is linearizable, and one corrupted read is caught") {
  // Long intervals and short gaps: about ten operations are in flight at any time.
  GeneratedHistory g = generate(7, 10, 1, 20'000, 0.0);
  LinearizabilityResult r;
  double valid_s = seconds_to_check(g.ops, r);
  CHECK(r.verdict == Verdict::linearizable);
  MESSAGE("20,000 ops, 10 clients, 1 key: " << valid_s << " s, " << r.states_explored << " states");

  std::vector<Operation> bad = g.ops;
  size_t corrupted = corrupt_one_read(bad);
  double bad_s = seconds_to_check(bad, r);
  CHECK(r.verdict == Verdict::not_linearizable);
  MESSAGE("corrupted read #" << corrupted << " found in " << bad_s << " s, " << r.states_explored << " states");

  // With 1 % of operations indeterminate (clients that gave up), both verdicts stay in reach.
  g = generate(7, 10, 1, 20'000, 0.01);
  valid_s = seconds_to_check(g.ops, r);
  CHECK(r.verdict == Verdict::linearizable);
  MESSAGE("20,000 ops, 1 % indeterminate: " << valid_s << " s, " << r.states_explored << " states");
  bad = g.ops;
  corrupted = corrupt_one_read(bad);
  bad_s = seconds_to_check(bad, r);
  CHECK(r.verdict == Verdict::not_linearizable);
  MESSAGE("corrupted read #" << corrupted << " found in " << bad_s << " s, " << r.states_explored << " states");
}
