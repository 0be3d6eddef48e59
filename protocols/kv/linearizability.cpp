// The Wing & Gong search with Lowe's memoisation, one key at a time (see linearizability.h
// and README.md).
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

#include "sim/chunked_vector.h"

namespace meshsim::kv {

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

constexpr int64_t kNeverNs = INT64_MAX;
constexpr size_t kShownPrefixOps = 20;

// splitmix64's finaliser (Steele, Lea, Flood 2014): a cheap bijection with good avalanche.
uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// One operation of the key under search.
struct KeyOp {
  const Operation* op;
  size_t index;       // position in the input
  int64_t return_ns;  // its completion, or for an indeterminate write the deadline chosen below
  bool optional;      // an indeterminate write that may be left out (never took effect)
  bool blind = false;  // an optional put whose value no operation reads (see select_ops)
  uint32_t write_id = 0;  // dense id of the value a put or cas writes
  uint32_t read_id = 0;   // dense id of the value a get returned or a cas expects
};

// The register as the search sees it. `owed` marks that the last write was optional and no
// operation has depended on it yet (see step); `before` is the value it overwrote. A value
// written by a blind put (see select_ops) is one no operation compares equal, so all such
// values are alike to the memo.
struct Register {
  int64_t value = 0;
  bool owed = false;
  int64_t before = 0;
  uint32_t value_id = 0;  // follows from value; not part of a configuration's identity
  bool value_blind = false;
  bool before_blind = false;
};

// Takes operation `k` at register `r`; false if its outcome contradicts r, or if the search
// need not try it here. Two reductions that keep every verdict (README.md lists them all):
//  - An indeterminate cas is taken only where it swaps: taking it where it fails does
//    nothing, which is the same as leaving it out.
//  - An optional write is taken only right before an operation that depends on it: a get of
//    its value, a cas expecting its value, or a failed cas expecting the value it overwrote
//    (which only the write explains). Any linearization can be rewritten into that form:
//    between the write and the first operation that depends on it stand only failed cas
//    operations that fail either way, so the write can move up to it; a write nothing depends
//    on can be dropped, and the search drops it when it meets the write's deadline. So while
//    a write is owed, only an operation that depends on it may follow.
bool step(const KeyOp& k, const Register& r, Register& next) {
  const Operation& op = *k.op;
  next = r;
  switch (op.kind) {
    case OpKind::get:  // indeterminate gets never reach the search
      next.owed = false;
      return r.value == op.result;
    case OpKind::put:
      if (r.owed) return false;
      next = {op.value, k.optional, r.value, k.write_id, k.blind, r.value_blind};
      return true;
    case OpKind::cas:
      if (op.completed() && !op.ok) {
        if (r.owed && op.expected != r.before) return false;
        next.owed = false;
        return r.value != op.expected;
      }
      if (r.value != op.expected) return false;
      next = {op.value, k.optional, r.value, k.write_id, false, r.value_blind};  // only indeterminate ones are optional
      return true;
  }
  return false;
}

// A get, or a cas that failed: it cannot change the register's value.
bool read_only(const Operation& op) {
  return op.kind == OpKind::get || (op.kind == OpKind::cas && op.completed() && !op.ok);
}

// Chooses the operations of one key and when each must have taken effect.
//
// A completed operation returns when it completed. An indeterminate get carries no
// information and is dropped. An indeterminate write p (put or cas) of value v would return
// at +infinity; bounding it keeps it from doubling every configuration after its invocation:
//  - If p is the only writer of v (v != 0, the initial value) and some completed operation
//    read v (a get of v, a successful cas expecting v), p must have taken effect before the
//    first such read returned: it becomes mandatory with that deadline.
//  - Otherwise p is optional, with deadline F = the last return of an operation that could
//    depend on it: a completed get of v, a cas expecting v, or any failed completed cas
//    (which p could make fail). Proof sketch: in a linearization, look at the operations
//    from p to the next write. If none of them depends on p, they are failed cas operations
//    that fail without p too, or indeterminate cas that did nothing; drop p and those, and
//    nothing anyone saw changes. Repeating this leaves every optional write followed by an
//    operation that depends on it, hence placed before F. If no operation returning at or
//    after p's invocation could depend on it, F < invocation and p is dropped outright.
//  A blind put (optional, and no get or cas anywhere reads its value) can only make a failed
//  cas fail; all blind puts share F = the last failed cas.
std::vector<KeyOp> select_ops(const std::vector<Operation>& ops, const std::vector<size_t>& key_ops) {
  struct ValueUse {
    uint32_t writers = 0;
    int64_t first_read_ns = kNeverNs;  // earliest return of a completed read of this value
    int64_t last_need_ns = INT64_MIN;  // latest return of an operation that observes it
  };
  std::unordered_map<int64_t, ValueUse> uses;  // lookups only: iteration order never matters
  int64_t last_failed_cas_ns = INT64_MIN;
  for (size_t i : key_ops) {
    const Operation& op = ops[i];
    if (op.kind != OpKind::get) ++uses[op.value].writers;
    if (op.kind == OpKind::get && op.completed()) {
      ValueUse& u = uses[op.result];
      u.first_read_ns = std::min(u.first_read_ns, op.completed_ns);
      u.last_need_ns = std::max(u.last_need_ns, op.completed_ns);
    }
    if (op.kind == OpKind::cas) {
      ValueUse& u = uses[op.expected];
      u.last_need_ns = op.completed() ? std::max(u.last_need_ns, op.completed_ns) : kNeverNs;
      if (op.completed() && op.ok) u.first_read_ns = std::min(u.first_read_ns, op.completed_ns);
      if (op.completed() && !op.ok) last_failed_cas_ns = std::max(last_failed_cas_ns, op.completed_ns);
    }
  }
  std::vector<KeyOp> kept;
  for (size_t i : key_ops) {
    const Operation& op = ops[i];
    if (op.completed()) {
      kept.push_back({&op, i, op.completed_ns, false, false});
      continue;
    }
    if (op.kind == OpKind::get) continue;
    const ValueUse& u = uses[op.value];
    if (u.writers == 1 && op.value != 0 && u.first_read_ns != kNeverNs) {
      kept.push_back({&op, i, std::max(op.invoked_ns, u.first_read_ns), false, false});
      continue;
    }
    int64_t deadline_ns = std::max(u.last_need_ns, last_failed_cas_ns);
    bool blind = op.kind == OpKind::put && u.last_need_ns == INT64_MIN;
    if (deadline_ns >= op.invoked_ns) kept.push_back({&op, i, deadline_ns, true, blind});
  }
  // Numbered by deadline, the linearized set is a prefix plus a few bits (see OpSet).
  std::stable_sort(kept.begin(), kept.end(), [](const KeyOp& a, const KeyOp& b) { return a.return_ns < b.return_ns; });
  std::unordered_map<int64_t, uint32_t> ids{{0, 0}};  // the initial value is id 0
  auto id_of = [&](int64_t v) { return ids.try_emplace(v, static_cast<uint32_t>(ids.size())).first->second; };
  for (KeyOp& k : kept) {
    k.write_id = id_of(k.op->value);
    k.read_id = id_of(k.op->kind == OpKind::get ? k.op->result : k.op->expected);
  }
  return kept;
}

// The set of linearized operations: a bitset with an incrementally kept Zobrist hash.
// Operations are numbered by deadline, and every operation whose deadline has passed is
// linearized, so the set is "all below lo" plus a few bits beyond; its canonical form for the
// cache is lo and the non-zero words from there, with their positions. (A justified optional
// write with a late deadline is one far bit, not a span of zero words.)
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
  uint64_t hash() const { return hash_; }
  void append_canonical(std::vector<uint64_t>& out) const {
    out.insert(out.end(), {lo_, lo_ < words_.size() ? words_[lo_] : 0});
    for (uint32_t w = lo_ + 1; w < end_; ++w)
      if (words_[w] != 0) out.insert(out.end(), {w, words_[w]});
  }

 private:
  std::vector<uint64_t> words_;
  uint64_t hash_ = 0;
  uint32_t lo_ = 0;
  uint32_t end_ = 0;
};

// Lowe's memo of visited configurations: open addressing with linear probing over entry
// indices. Each entry's record lives in one arena: a header word (record length, and flag
// bits: owed, blind value, blind value before), the overwritten value if owed, then the
// canonical set; typically 24 bytes, plus 24 for the entry and 8 for its slot. Chunked storage, because doubling a
// vector of millions of entries would briefly hold both copies.
class ConfigCache {
 public:
  ConfigCache() : slots_(1024, 0), mask_(1023) {}

  // Returns false if (set, register) was seen before.
  bool insert(const OpSet& set, const Register& r) {
    int64_t value = r.value_blind ? 0 : r.value;
    int64_t before = r.before_blind ? 0 : r.before;
    uint64_t flags = (r.owed ? uint64_t{1} << 63 : 0) | (r.value_blind ? uint64_t{1} << 62 : 0) |
                     (r.owed && r.before_blind ? uint64_t{1} << 61 : 0);
    uint64_t h = set.hash() ^ mix64(static_cast<uint64_t>(value) ^ flags ^ 0x5bd1e9955bd1e995ULL);
    scratch_.assign(1, 0);
    if (r.owed) {
      h ^= mix64(static_cast<uint64_t>(before) ^ 0xc2b2ae3d27d4eb4fULL);
      scratch_.push_back(static_cast<uint64_t>(before));
    }
    set.append_canonical(scratch_);
    scratch_[0] = scratch_.size() | flags;
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == 0) {
        assert(entries_.size() < UINT32_MAX && "configuration cache full");
        slots_[i] = static_cast<uint32_t>(entries_.size() + 1);
        entries_.push_back(Entry{h, value, words_.size()});
        for (uint64_t w : scratch_) words_.push_back(w);
        return true;
      }
      const Entry& e = entries_[slots_[i] - 1];
      if (e.hash == h && e.value == value && same_record(e.offset)) return false;
    }
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t hash;
    int64_t value;
    uint64_t offset;  // of the record in words_
  };
  bool same_record(uint64_t offset) const {
    if (words_[offset] != scratch_[0]) return false;  // the header holds the length
    for (size_t k = 1; k < scratch_.size(); ++k)
      if (words_[offset + k] != scratch_[k]) return false;
    return true;
  }
  void grow() {
    slots_.assign(slots_.size() * 2, 0);
    mask_ = slots_.size() - 1;
    for (size_t k = 0; k < entries_.size(); ++k) {
      size_t i = entries_[k].hash & mask_;
      while (slots_[i] != 0) i = (i + 1) & mask_;
      slots_[i] = static_cast<uint32_t>(k + 1);
    }
  }
  ChunkedVector<Entry, 12> entries_;
  ChunkedVector<uint64_t, 12> words_;
  std::vector<uint32_t> slots_;  // entry index + 1; 0 is empty
  size_t mask_;
  std::vector<uint64_t> scratch_;
};

// One key's call and return events. Node 0 is the head sentinel; -1 ends the list.
struct EventList {
  struct Node {
    int32_t prev, next;
    uint32_t op;
    int32_t match;  // the other event of the same operation
    bool call;
  };
  std::vector<Node> nodes;

  // Time order; at equal times calls come first, so an operation that completes at the very
  // nanosecond another is invoked counts as concurrent with it. That is the permissive choice:
  // the recorded times come from one simulated clock, and "returned at t" and "invoked at t"
  // carry no order between them, so the checker must not invent one and report a violation
  // that a different tie-break in the simulator would not have produced.
  explicit EventList(const std::vector<KeyOp>& ops) {
    struct Event {
      int64_t ns;
      bool is_return;
      uint32_t op;
    };
    std::vector<Event> events;
    events.reserve(ops.size() * 2);
    for (uint32_t i = 0; i < ops.size(); ++i) {
      events.push_back({ops[i].op->invoked_ns, false, i});
      events.push_back({ops[i].return_ns, true, i});
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
      if (!events[k].is_return) {
        call_node[events[k].op] = id;
        continue;
      }
      nodes[id].match = call_node[events[k].op];
      nodes[call_node[events[k].op]].match = id;
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

struct Step {
  uint32_t op;   // local id
  bool omitted;  // an optional write left out: it never took effect
};

struct KeyOutcome {
  Verdict verdict = Verdict::linearizable;
  bool cancelled = false;  // unknown because the caller asked the search to stop
  uint64_t states = 0;
  std::vector<Step> deepest;  // the longest linearizable prefix found
};

// One key's search. Configurations are (operations taken, register); the stack holds the path
// to the current one, each frame able to undo its step.
class KeySearch {
 public:
  KeySearch(const std::vector<KeyOp>& ops, uint64_t max_states, CheckProgress* progress)
      : ops_(ops), max_states_(max_states), progress_(progress), list_(ops), linearized_(ops.size()) {
    uint32_t ids = 1;
    for (const KeyOp& k : ops) ids = std::max({ids, k.write_id + 1, k.read_id + 1});
    readers_left_.assign(ids, 0);
    failed_left_.assign(ids, 0);
    for (const KeyOp& k : ops) count(k, +1);
  }

  KeyOutcome run() {
    int32_t entry = list_.first();
    int32_t blind = -1;  // the one blind put that may be taken at this configuration
    bool fresh = true;   // at a configuration just reached, not yet scanned
    Register next;
    while (list_.first() >= 0) {
      if (cache_.size() > max_states_) return finish(Verdict::unknown);
      // Every 4,096 steps: tell whoever watches how far the search got, and stop if asked.
      if (progress_ && (++steps_ & 0xfff) == 0) {
        progress_->states.store(cache_.size(), std::memory_order_relaxed);
        if (progress_->cancel.load(std::memory_order_relaxed)) {
          out_.cancelled = true;
          return finish(Verdict::unknown);
        }
      }
      if (fresh) {
        // Reads commute to the front: if a read-only candidate matches the register now, any
        // valid continuation can be reordered to take it first (nothing left returned before
        // its call, and moving a read changes no value). So it goes next without alternatives,
        // and if that fails, this configuration fails. This spares the 2^k subsets of k
        // concurrent reads that the memoised search would otherwise visit.
        fresh = false;
        if (int32_t read = matching_read(next); read >= 0) {
          if (push(read, next, true, false)) {
            fresh = true;
          } else if ((entry = backtrack()) < 0) {
            return finish(Verdict::not_linearizable);
          } else {
            blind = first_blind();
          }
          continue;
        }
        entry = list_.first();
        blind = first_blind();
      }
      const EventList::Node& node = list_.nodes[entry];
      const KeyOp& k = ops_[node.op];
      if (!node.call) {
        // That operation had to be taken by now. An optional write may still be left out, as
        // the last alternative here; anything else means backtracking.
        if (k.optional && push(node.match, reg_, true, true)) {
          fresh = true;
          continue;
        }
        if ((entry = backtrack()) < 0) return finish(Verdict::not_linearizable);
        blind = first_blind();
        continue;
      }
      bool worth_trying = (!k.blind || entry == blind) && step(k, reg_, next) &&
                          (!k.optional || dependent_follows(entry));
      if (worth_trying && push(entry, next, false, false)) {
        fresh = true;
        continue;
      }
      entry = node.next;
    }
    return finish(Verdict::linearizable);
  }

 private:
  struct Frame {
    int32_t call;
    Register before;
    bool forced;  // no alternative at that configuration: a read taken first, or an omission
    bool omitted;
  };

  KeyOutcome finish(Verdict v) {
    out_.verdict = v;
    out_.states = cache_.size();
    return std::move(out_);
  }

  // Takes the operation whose call is `call` (omitted: without effect); false if the resulting
  // configuration was explored before.
  bool push(int32_t call, const Register& next, bool forced, bool omitted) {
    uint32_t op = list_.nodes[call].op;
    linearized_.insert(op);
    if (!cache_.insert(linearized_, next)) {
      linearized_.erase(op);
      return false;
    }
    stack_.push_back({call, reg_, forced, omitted});
    count(ops_[op], -1);
    reg_ = next;
    list_.lift(call);
    // out_.deepest agrees with the stack on its first agree_ entries, so recording a new
    // deepest prefix copies only what changed: O(1) amortised per step, not O(depth).
    if (stack_.size() > out_.deepest.size()) {
      out_.deepest.resize(agree_);
      for (size_t i = agree_; i < stack_.size(); ++i)
        out_.deepest.push_back({list_.nodes[stack_[i].call].op, stack_[i].omitted});
      agree_ = stack_.size();
    }
    return true;
  }

  // Undoes steps up to and including the last free choice; returns the event after it, or -1
  // if no choice is left (the history is not linearizable).
  int32_t backtrack() {
    while (!stack_.empty()) {
      Frame f = stack_.back();
      stack_.pop_back();
      agree_ = std::min(agree_, stack_.size());
      reg_ = f.before;
      count(ops_[list_.nodes[f.call].op], +1);
      linearized_.erase(list_.nodes[f.call].op);
      list_.unlift(f.call);
      if (!f.forced) return list_.nodes[f.call].next;
    }
    return -1;
  }

  // The first candidate (a call before the first return) that is read-only and matches the
  // register; -1 if none.
  int32_t matching_read(Register& next) const {
    for (int32_t e = list_.first(); e >= 0 && list_.nodes[e].call; e = list_.nodes[e].next) {
      const KeyOp& k = ops_[list_.nodes[e].op];
      if (read_only(*k.op) && step(k, reg_, next)) return e;
    }
    return -1;
  }

  // Blind puts are interchangeable: each can only explain a failed cas, nothing tells their
  // values apart, and they share one deadline. So at each configuration only the first
  // available one is tried; any other could stand in for it wherever it would be used.
  int32_t first_blind() const {
    int32_t best = -1;
    for (int32_t e = list_.first(); e >= 0 && list_.nodes[e].call; e = list_.nodes[e].next)
      if (ops_[list_.nodes[e].op].blind && (best < 0 || list_.nodes[e].op < list_.nodes[best].op)) best = e;
    return best;
  }

  // Whether an operation that depends on the optional write at `call` (see step) could come
  // right after it: a call before the first return that is not an optional write's (those
  // are left out when reached, which an owed write allows).
  bool dependent_follows(int32_t call) const {
    const KeyOp& w = ops_[list_.nodes[call].op];
    if (readers_left_[w.write_id] == 0 && failed_left_[reg_.value_id] == 0) return false;
    for (int32_t e = list_.first(); e >= 0; e = list_.nodes[e].next) {
      const EventList::Node& n = list_.nodes[e];
      if (!n.call) {
        if (ops_[n.op].optional) continue;
        return false;
      }
      const Operation& x = *ops_[n.op].op;
      if (e == call || x.kind == OpKind::put) continue;
      bool failed_cas = x.kind == OpKind::cas && x.completed() && !x.ok;
      if (failed_cas ? x.expected == reg_.value && reg_.value != w.op->value : ops_[n.op].read_id == w.write_id)
        return true;
    }
    return false;
  }

  // Operations not yet taken that could depend on a write, per value id: gets of the value
  // and cas operations expecting it (readers), and failed cas operations expecting it (which a
  // write of another value explains). They make dependent_follows O(1) when nothing could.
  void count(const KeyOp& k, int delta) {
    if (k.op->kind == OpKind::put) return;
    auto& counter = (k.op->kind == OpKind::cas && k.op->completed() && !k.op->ok) ? failed_left_ : readers_left_;
    counter[k.read_id] = static_cast<uint32_t>(static_cast<int>(counter[k.read_id]) + delta);
  }

  const std::vector<KeyOp>& ops_;
  uint64_t max_states_;
  CheckProgress* progress_;
  uint64_t steps_ = 0;
  EventList list_;
  OpSet linearized_;
  ConfigCache cache_;
  std::vector<Frame> stack_;
  Register reg_;
  std::vector<uint32_t> readers_left_, failed_left_;
  size_t agree_ = 0;
  KeyOutcome out_;
};

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

std::string describe(const KeyOp& k) {
  const Operation& op = *k.op;
  std::string s = "#" + std::to_string(k.index) + " client " + std::to_string(op.client) + " " + to_string(op.kind);
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
// none of them could be taken (or the search would have gone one deeper), so the reason is
// the register's value or one of the reductions, unless the budget cut the search short.
std::string explain(uint32_t key, Verdict verdict, uint64_t max_states, bool cancelled, const std::vector<KeyOp>& ops,
                    const std::vector<Step>& deepest) {
  std::string s = "key " + std::to_string(key) + ": ";
  if (verdict == Verdict::unknown)
    s += cancelled ? "search stopped on request; " : "search gave up after " + std::to_string(max_states) + " states; ";
  else s += "not linearizable; ";
  s += "at most " + std::to_string(deepest.size()) + " of its " + std::to_string(ops.size()) +
       " operations could be placed.\n";
  std::vector<bool> placed(ops.size(), false);
  Register reg;
  for (const Step& taken : deepest) {
    placed[taken.op] = true;
    [[maybe_unused]] bool ok = taken.omitted || step(ops[taken.op], reg, reg);
    assert(ok && "the deepest prefix must replay");
  }
  s += "Longest linearizable prefix found";
  size_t shown_from = deepest.size() > kShownPrefixOps ? deepest.size() - kShownPrefixOps : 0;
  if (shown_from > 0)
    s += " (its last " + std::to_string(kShownPrefixOps) + "; " + std::to_string(shown_from) + " earlier operations omitted)";
  s += ":\n";
  for (size_t k = shown_from; k < deepest.size(); ++k)
    s += "  " + std::to_string(k + 1) + ". " + describe(ops[deepest[k].op]) +
         (deepest[k].omitted ? " (left out: never took effect)" : "") + "\n";
  s += "after which the register holds " + std::to_string(reg.value) + ".\n";

  int64_t first_return_ns = kNeverNs;
  size_t blocking = ops.size();
  for (uint32_t i = 0; i < ops.size(); ++i)
    if (!placed[i] && ops[i].return_ns < first_return_ns) first_return_ns = ops[i].return_ns, blocking = i;
  s += verdict == Verdict::unknown ? "Candidates to be placed next" : "Could not be placed next";
  if (blocking < ops.size()) {
    const KeyOp& b = ops[blocking];
    s += " (#" + std::to_string(b.index) +
         (b.op->completed() ? " completed at "
          : b.optional      ? " had to take effect or be left out by "
                            : " had to take effect, because its value was read, by ") +
         format_ms(first_return_ns) + ", so one of these had to come first)";
  }
  s += ":\n";
  std::vector<uint32_t> order(ops.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return ops[a].op->invoked_ns < ops[b].op->invoked_ns; });
  for (uint32_t i : order) {
    const Operation& op = *ops[i].op;
    if (placed[i] || op.invoked_ns > first_return_ns) continue;
    std::string why;
    std::string holds = "the register holds " + std::to_string(reg.value);
    Register ignored, unowed = reg;
    unowed.owed = false;
    if (step(ops[i], reg, ignored))
      why = verdict == Verdict::unknown ? "not explored further"
            : ops[i].optional         ? "an indeterminate write nothing after it could depend on here"
                                      : "leads only to dead ends";
    else if (step(ops[i], unowed, ignored))
      why = "it does not depend on the indeterminate write just placed (leaving that write out is tried instead)";
    else if (op.kind == OpKind::get) why = holds;
    else if (op.ok || !op.completed()) why = holds + ", not " + std::to_string(op.expected);
    else why = holds + ", so it would have succeeded";
    s += "  " + describe(ops[i]) + ": " + why + "\n";
  }
  return s;
}

}  // namespace

LinearizabilityResult check_linearizable(const std::vector<Operation>& ops, uint64_t max_states_per_key,
                                         CheckProgress* progress) {
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
  if (progress) {
    uint64_t keys = 0;
    for (size_t i = 0; i < order.size(); ++i) keys += i == 0 || ops[order[i]].key != ops[order[i - 1]].key;
    progress->keys_total = keys;
    progress->keys_done = 0;
    progress->states_budget = max_states_per_key;
  }
  for (size_t begin = 0; begin < order.size();) {
    uint32_t key = ops[order[begin]].key;
    size_t end = begin;
    while (end < order.size() && ops[order[end]].key == key) ++end;
    std::vector<size_t> key_ops(order.begin() + static_cast<ptrdiff_t>(begin), order.begin() + static_cast<ptrdiff_t>(end));
    begin = end;

    std::vector<KeyOp> kept = select_ops(ops, key_ops);
    if (progress) progress->states = 0;
    KeyOutcome outcome = KeySearch(kept, max_states_per_key, progress).run();
    ++result.keys_checked;
    result.states_explored += outcome.states;
    if (progress) ++progress->keys_done;
    if (outcome.cancelled) {
      // Stopped on request: no verdict, and no point in searching the other keys.
      result.verdict = Verdict::unknown;
      result.cancelled = true;
      result.key = key;
      result.explanation = explain(key, outcome.verdict, max_states_per_key, true, kept, outcome.deepest);
      return result;
    }
    if (outcome.verdict == Verdict::not_linearizable) {
      result.verdict = Verdict::not_linearizable;
      result.key = key;
      result.explanation = explain(key, outcome.verdict, max_states_per_key, false, kept, outcome.deepest);
      return result;
    }
    if (outcome.verdict == Verdict::unknown && !have_unknown) {
      have_unknown = true;
      result.verdict = Verdict::unknown;
      result.key = key;
      result.explanation = explain(key, outcome.verdict, max_states_per_key, false, kept, outcome.deepest);
    }
  }
  return result;
}

}  // namespace meshsim::kv
