// The Wing & Gong search with Lowe's memoisation, one key at a time (see linearizability.h).
//
// Per key the history becomes a doubly linked list of call and return events in time order.
// The search walks the list from the front: a call may be linearized next if every operation
// whose return precedes it is already linearized, which is exactly "it comes before the first
// return still in the list". Linearizing an operation lifts its call and return out of the
// list (dancing links, so backtracking relinks them in O(1)); meeting a return means that
// operation had to be linearized already, so the search backtracks. An explicit stack replaces
// recursion because a key may have tens of thousands of operations.
#include "protocols/kv/linearizability.h"

#include <algorithm>
#include <cassert>
#include <climits>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

namespace meshsim::kv {

const char* to_string(OpKind k) {
  switch (k) {
    case OpKind::get: return "get";
    case OpKind::put: return "put";
    case OpKind::cas: return "cas";
  }
  return "?";
}

const char* to_string(LinearizabilityResult::Verdict v) {
  switch (v) {
    case LinearizabilityResult::Verdict::linearizable: return "linearizable";
    case LinearizabilityResult::Verdict::not_linearizable: return "not linearizable";
    case LinearizabilityResult::Verdict::unknown: return "unknown";
  }
  return "?";
}

namespace {

using Verdict = LinearizabilityResult::Verdict;

// An indeterminate operation returns at +infinity: it may take effect at any time after its
// invocation, and taking effect after everything else is the same as never taking effect.
constexpr int64_t kNeverNs = INT64_MAX;
constexpr size_t kShownPrefixOps = 20;

int64_t return_ns(const Operation& op) { return op.completed() ? op.completed_ns : kNeverNs; }

// splitmix64's finaliser (Steele, Lea, Flood 2014): a cheap bijection with good avalanche.
uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Applies `op` to register value `state`; false if the operation's outcome contradicts it.
bool apply(const Operation& op, int64_t state, int64_t& next) {
  switch (op.kind) {
    case OpKind::get:  // indeterminate gets never reach the search
      next = state;
      return state == op.result;
    case OpKind::put:
      next = op.value;
      return true;
    case OpKind::cas:
      if (!op.completed()) {  // it may have succeeded or failed: the register decides
        next = state == op.expected ? op.value : state;
        return true;
      }
      next = op.ok ? op.value : state;
      return op.ok == (state == op.expected);
  }
  return false;
}

// The set of linearized operations: a bitset with an incrementally kept Zobrist hash. Its
// canonical form for the cache is the words from the first not-all-ones word `lo` up to the
// last non-zero word: everything before `lo` is linearized, and since an operation can only
// be linearized once all operations that returned before its call are, that range is about as
// wide as the concurrency window, not the history.
class OpSet {
 public:
  explicit OpSet(size_t n) : words_((n + 63) / 64, 0) {}

  void insert(uint32_t i) {
    words_[i >> 6] |= uint64_t{1} << (i & 63);
    hash_ ^= mix64(i);
    end_ = std::max<uint32_t>(end_, (i >> 6) + 1);
    while (lo_ < words_.size() && words_[lo_] == ~uint64_t{0}) ++lo_;
  }
  void erase(uint32_t i) {
    words_[i >> 6] &= ~(uint64_t{1} << (i & 63));
    hash_ ^= mix64(i);
    lo_ = std::min<uint32_t>(lo_, i >> 6);
    while (end_ > 0 && words_[end_ - 1] == 0) --end_;
  }
  bool contains(uint32_t i) const { return (words_[i >> 6] >> (i & 63)) & 1; }
  uint64_t hash() const { return hash_; }
  uint32_t lo() const { return lo_; }
  uint32_t len() const { return end_ > lo_ ? end_ - lo_ : 0; }
  const uint64_t* span() const { return words_.data() + lo_; }

 private:
  std::vector<uint64_t> words_;
  uint64_t hash_ = 0;
  uint32_t lo_ = 0;
  uint32_t end_ = 0;
};

// Lowe's memo of visited configurations: open addressing with linear probing over entry
// indices; the bitset spans live in one arena, so an entry costs 32 bytes plus its span.
class ConfigCache {
 public:
  ConfigCache() : slots_(1024, 0), mask_(1023) {}

  // Returns false if (set, state) was seen before.
  bool insert(int64_t state, const OpSet& set) {
    uint64_t h = set.hash() ^ mix64(static_cast<uint64_t>(state) ^ 0x5bd1e9955bd1e995ULL);
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == 0) {
        assert(entries_.size() < UINT32_MAX && "configuration cache full");
        slots_[i] = static_cast<uint32_t>(entries_.size() + 1);
        entries_.push_back(Entry{h, state, words_.size(), set.lo(), set.len()});
        words_.insert(words_.end(), set.span(), set.span() + set.len());
        return true;
      }
      const Entry& e = entries_[slots_[i] - 1];
      if (e.hash == h && e.state == state && e.lo == set.lo() && e.len == set.len() &&
          std::equal(set.span(), set.span() + set.len(), words_.begin() + static_cast<ptrdiff_t>(e.offset)))
        return false;
    }
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t hash;
    int64_t state;
    uint64_t offset;
    uint32_t lo;
    uint32_t len;
  };
  void grow() {
    slots_.assign(slots_.size() * 2, 0);
    mask_ = slots_.size() - 1;
    for (size_t k = 0; k < entries_.size(); ++k) {
      size_t i = entries_[k].hash & mask_;
      while (slots_[i] != 0) i = (i + 1) & mask_;
      slots_[i] = static_cast<uint32_t>(k + 1);
    }
  }
  std::vector<Entry> entries_;
  std::vector<uint64_t> words_;
  std::vector<uint32_t> slots_;  // entry index + 1; 0 is empty
  size_t mask_;
};

// One key's call and return events. Node 0 is the head sentinel; -1 ends the list.
struct EventList {
  struct Node {
    int32_t prev, next;
    uint32_t op;
    int32_t match;  // a call's return node
    bool call;
  };
  std::vector<Node> nodes;

  // Time order; at equal times calls come first, so an operation that completes at the very
  // nanosecond another is invoked counts as concurrent with it. That is the permissive choice:
  // the recorded times come from one simulated clock, and "returned at t" and "invoked at t"
  // carry no order between them, so the checker must not invent one and report a violation
  // that a different tie-break in the simulator would not have produced.
  explicit EventList(const std::vector<const Operation*>& ops) {
    struct Event {
      int64_t ns;
      bool is_return;
      uint32_t op;
    };
    std::vector<Event> events;
    events.reserve(ops.size() * 2);
    for (uint32_t i = 0; i < ops.size(); ++i) {
      events.push_back({ops[i]->invoked_ns, false, i});
      events.push_back({return_ns(*ops[i]), true, i});
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      if (a.ns != b.ns) return a.ns < b.ns;
      if (a.is_return != b.is_return) return !a.is_return;
      return a.op < b.op;
    });
    nodes.resize(events.size() + 1);
    nodes[0] = {-1, events.empty() ? -1 : 1, 0, -1, false};
    std::vector<int32_t> call_node(ops.size());
    for (size_t k = 0; k < events.size(); ++k) {
      int32_t id = static_cast<int32_t>(k + 1);
      nodes[id] = {id - 1, k + 1 < events.size() ? id + 1 : -1, events[k].op, -1, !events[k].is_return};
      if (events[k].is_return) nodes[call_node[events[k].op]].match = id;
      else call_node[events[k].op] = id;
    }
  }
  int32_t first() const { return nodes[0].next; }
  void unlink(int32_t x) {
    nodes[nodes[x].prev].next = nodes[x].next;
    if (nodes[x].next >= 0) nodes[nodes[x].next].prev = nodes[x].prev;
  }
  void relink(int32_t x) {
    nodes[nodes[x].prev].next = x;
    if (nodes[x].next >= 0) nodes[nodes[x].next].prev = x;
  }
  // Knuth's dancing links: relinking in the reverse order of unlinking restores the list.
  void lift(int32_t call) { unlink(call), unlink(nodes[call].match); }
  void unlift(int32_t call) { relink(nodes[call].match), relink(call); }
};

struct KeyOutcome {
  Verdict verdict = Verdict::linearizable;
  uint64_t states = 0;
  std::vector<uint32_t> deepest;  // the longest linearizable prefix found (local op ids)
};

// A get, or a cas that failed: it cannot change the register.
bool read_only(const Operation& op) {
  return op.kind == OpKind::get || (op.kind == OpKind::cas && op.completed() && !op.ok);
}

KeyOutcome search_key(const std::vector<const Operation*>& ops, uint64_t max_states) {
  KeyOutcome out;
  EventList list(ops);
  OpSet linearized(ops.size());
  ConfigCache cache;
  struct Frame {
    int32_t call;
    int64_t state_before;
    bool forced;  // a read taken without alternatives (see below)
  };
  std::vector<Frame> stack;
  int64_t state = 0;
  // out.deepest agrees with the stack on its first `agree` entries, so recording a new deepest
  // prefix copies only what changed: O(1) amortised per step instead of O(depth).
  size_t agree = 0;
  // Linearizes the call at `entry`; false if that configuration was explored before.
  auto push = [&](int32_t entry, int64_t next_state, bool forced) {
    uint32_t op = list.nodes[entry].op;
    linearized.insert(op);
    if (!cache.insert(next_state, linearized)) {
      linearized.erase(op);
      return false;
    }
    stack.push_back({entry, state, forced});
    state = next_state;
    list.lift(entry);
    if (stack.size() > out.deepest.size()) {
      out.deepest.resize(agree);
      for (size_t k = agree; k < stack.size(); ++k) out.deepest.push_back(list.nodes[stack[k].call].op);
      agree = stack.size();
    }
    return true;
  };
  // Undoes choices up to and including the last free one; returns the entry after it, or -1
  // if there is none left (the history is not linearizable).
  auto backtrack = [&]() -> int32_t {
    for (;;) {
      if (stack.empty()) return -1;
      Frame f = stack.back();
      stack.pop_back();
      agree = std::min(agree, stack.size());
      state = f.state_before;
      linearized.erase(list.nodes[f.call].op);
      list.unlift(f.call);
      if (!f.forced) return list.nodes[f.call].next;
    }
  };

  int32_t entry = list.first();
  bool fresh = true;  // at a configuration just reached, not yet scanned
  while (list.first() >= 0) {
    if (cache.size() > max_states) {
      out.verdict = Verdict::unknown;
      break;
    }
    if (fresh) {
      // Reads commute to the front: if a read-only candidate matches the register now, any
      // valid continuation can be reordered to take it first (nothing left returned before its
      // call, and moving a read changes no state). So it goes next without alternatives, and
      // if that fails, this configuration fails. This spares the 2^k orders of k concurrent
      // reads that plain Wing & Gong enumerates.
      fresh = false;
      int32_t read = -1;
      int64_t unused;
      for (int32_t e = list.first(); e >= 0 && list.nodes[e].call; e = list.nodes[e].next) {
        const Operation& op = *ops[list.nodes[e].op];
        if (read_only(op) && apply(op, state, unused)) {
          read = e;
          break;
        }
      }
      if (read >= 0) {
        if (push(read, state, true)) {
          fresh = true;
          continue;
        }
        entry = backtrack();
        if (entry < 0) break;
        continue;
      }
      entry = list.first();
    }
    const EventList::Node& node = list.nodes[entry];
    if (!node.call) {  // that operation had to be linearized by now
      entry = backtrack();
      if (entry < 0) break;
      continue;
    }
    int64_t next_state;
    if (apply(*ops[node.op], state, next_state) && push(entry, next_state, false)) {
      fresh = true;
      continue;
    }
    entry = node.next;
  }
  if (entry < 0 && list.first() >= 0) out.verdict = Verdict::not_linearizable;
  out.states = cache.size();
  return out;
}

// Selects the operations of one key the search needs. Indeterminate gets carry no
// information. An indeterminate write (put, or cas) whose value v nobody can observe is set
// aside too, because keeping it changes no verdict but doubles the configurations at every
// step it stays pending. "Nobody can observe v" means no operation that returns at or after
// its invocation is a get returning v, a cas expecting v, or a failed cas, and no
// indeterminate cas expects v. Proof sketch: if it is in a linearization, every operation
// between it and the next put is then a get of v, a cas that saw v, or an indeterminate cas
// that did nothing; the conditions leave only the last, which may move to the end. So it can
// be removed; conversely, it can always be linearized last.
std::vector<const Operation*> select_ops(const std::vector<Operation>& ops, const std::vector<size_t>& key_ops,
                                         std::vector<size_t>& kept_index) {
  std::unordered_map<int64_t, int64_t> observed_until_ns;  // value -> last return observing it
  int64_t failed_cas_until_ns = INT64_MIN;
  auto observe = [&](int64_t value, int64_t until_ns) {
    auto [it, fresh] = observed_until_ns.try_emplace(value, until_ns);
    if (!fresh) it->second = std::max(it->second, until_ns);
  };
  for (size_t i : key_ops) {
    const Operation& op = ops[i];
    if (op.kind == OpKind::get && op.completed()) observe(op.result, op.completed_ns);
    if (op.kind == OpKind::cas) {
      observe(op.expected, return_ns(op));
      if (op.completed() && !op.ok) failed_cas_until_ns = std::max(failed_cas_until_ns, op.completed_ns);
    }
  }
  std::vector<const Operation*> kept;
  for (size_t i : key_ops) {
    const Operation& op = ops[i];
    if (!op.completed()) {
      if (op.kind == OpKind::get) continue;
      auto it = observed_until_ns.find(op.value);
      bool observed = it != observed_until_ns.end() && it->second >= op.invoked_ns;
      if (!observed && failed_cas_until_ns < op.invoked_ns) continue;
    }
    kept.push_back(&op);
    kept_index.push_back(i);
  }
  return kept;
}

std::string format_ms(int64_t ns) {
  std::string s = ns < 0 ? "-" : "";
  uint64_t a = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  s += std::to_string(a / 1'000'000);
  if (uint64_t frac = a % 1'000'000) {
    std::string f = std::to_string(frac);
    f.insert(0, 6 - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    s += "." + f;
  }
  return s + " ms";
}

std::string describe(const Operation& op, size_t index) {
  std::string s = "#" + std::to_string(index) + " client " + std::to_string(op.client) + " " + to_string(op.kind);
  switch (op.kind) {
    case OpKind::get: s += " -> " + std::to_string(op.result); break;
    case OpKind::put: s += " " + std::to_string(op.value); break;
    case OpKind::cas:
      s += " " + std::to_string(op.expected) + " -> " + std::to_string(op.value);
      s += op.completed() ? (op.ok ? " ok" : " failed") : " (outcome unknown)";
      break;
  }
  s += ", invoked " + format_ms(op.invoked_ns) + ", ";
  return s + (op.completed() ? "completed " + format_ms(op.completed_ns) : "never completed");
}

// Replays the deepest prefix and lists the operations that could have come next: those
// invoked before the earliest return among the operations left. At the deepest configuration
// none of them applies (if one did, the search would have gone one deeper), so the reason is
// always the register's value, except when the budget cut the search short.
std::string explain(uint32_t key, Verdict verdict, uint64_t max_states, const std::vector<const Operation*>& ops,
                    const std::vector<size_t>& index, const std::vector<uint32_t>& deepest) {
  std::string s = "key " + std::to_string(key) + ": ";
  if (verdict == Verdict::unknown) s += "search gave up after " + std::to_string(max_states) + " states; ";
  else s += "not linearizable; ";
  s += std::to_string(deepest.size()) + " of " + std::to_string(ops.size()) + " operations linearized at most.\n";
  std::vector<bool> placed(ops.size(), false);
  int64_t state = 0;
  for (uint32_t i : deepest) {
    placed[i] = true;
    [[maybe_unused]] bool ok = apply(*ops[i], state, state);
    assert(ok && "the deepest prefix must replay");
  }
  s += "Longest linearizable prefix found";
  if (deepest.size() > kShownPrefixOps)
    s += " (its last " + std::to_string(kShownPrefixOps) + "; " + std::to_string(deepest.size() - kShownPrefixOps) +
         " earlier operations omitted)";
  s += ":\n";
  for (size_t k = deepest.size() > kShownPrefixOps ? deepest.size() - kShownPrefixOps : 0; k < deepest.size(); ++k)
    s += "  " + std::to_string(k + 1) + ". " + describe(*ops[deepest[k]], index[deepest[k]]) + "\n";
  s += "after which the register holds " + std::to_string(state) + ".\n";

  std::vector<uint32_t> order(ops.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return ops[a]->invoked_ns < ops[b]->invoked_ns; });
  int64_t first_return_ns = kNeverNs;
  size_t blocking = ops.size();
  for (uint32_t i = 0; i < ops.size(); ++i)
    if (!placed[i] && return_ns(*ops[i]) < first_return_ns) first_return_ns = return_ns(*ops[i]), blocking = i;
  s += verdict == Verdict::unknown ? "Candidates to be placed next" : "Could not be placed next";
  if (blocking < ops.size())
    s += " (#" + std::to_string(index[blocking]) + " completed at " + format_ms(first_return_ns) +
         ", so one of these had to take effect before then)";
  s += ":\n";
  for (uint32_t i : order) {
    if (placed[i] || ops[i]->invoked_ns > first_return_ns) continue;
    const Operation& op = *ops[i];
    std::string why;
    int64_t ignored;
    if (apply(op, state, ignored)) why = verdict == Verdict::unknown ? "not explored further" : "leads only to dead ends";
    else if (op.kind == OpKind::get) why = "the register holds " + std::to_string(state);
    else if (op.ok) why = "the register holds " + std::to_string(state) + ", not " + std::to_string(op.expected);
    else why = "the register holds " + std::to_string(state) + ", so it would have succeeded";
    s += "  " + describe(op, index[i]) + ": " + why + "\n";
  }
  return s;
}

}  // namespace

LinearizabilityResult check_linearizable(const std::vector<Operation>& ops, uint64_t max_states_per_key) {
  LinearizabilityResult result;
  result.operations = ops.size();
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].completed() && ops[i].completed_ns < ops[i].invoked_ns)
      throw std::invalid_argument("operation #" + std::to_string(i) + " completes at " + std::to_string(ops[i].completed_ns) +
                                  " ns, before it is invoked at " + std::to_string(ops[i].invoked_ns) + " ns");

  // Horn & Kroening: each key is its own register, checked alone, smallest key first.
  std::vector<size_t> order(ops.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ops[a].key < ops[b].key; });
  bool have_unknown = false;
  uint32_t unknown_key = 0;
  std::string unknown_explanation;
  for (size_t begin = 0; begin < order.size();) {
    uint32_t key = ops[order[begin]].key;
    size_t end = begin;
    while (end < order.size() && ops[order[end]].key == key) ++end;
    std::vector<size_t> key_ops(order.begin() + static_cast<ptrdiff_t>(begin), order.begin() + static_cast<ptrdiff_t>(end));
    begin = end;

    std::vector<size_t> index;
    std::vector<const Operation*> kept = select_ops(ops, key_ops, index);
    KeyOutcome outcome = search_key(kept, max_states_per_key);
    ++result.keys_checked;
    result.states_explored += outcome.states;
    if (outcome.verdict == Verdict::not_linearizable) {
      result.verdict = Verdict::not_linearizable;
      result.key = key;
      result.explanation = explain(key, outcome.verdict, max_states_per_key, kept, index, outcome.deepest);
      return result;
    }
    if (outcome.verdict == Verdict::unknown && !have_unknown) {
      have_unknown = true;
      unknown_key = key;
      unknown_explanation = explain(key, outcome.verdict, max_states_per_key, kept, index, outcome.deepest);
    }
  }
  if (have_unknown) {
    result.verdict = Verdict::unknown;
    result.key = unknown_key;
    result.explanation = std::move(unknown_explanation);
  }
  return result;
}

}  // namespace meshsim::kv
