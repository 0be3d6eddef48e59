// Gossip parameters, shared read-only by every node of a run, and the rumor schedule.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "sim/ids.h"
#include "sim/rng.h"
#include "sim/time.h"

namespace meshsim::gossip {

// Who starts an exchange and which way rumors flow (Karp et al., FOCS 2000, §1).
enum class Mode : uint8_t { push, pull, push_pull };
// Demers et al. (PODC 1987): anti-entropy (§1.3) runs forever and delivers every update to
// every node of a connected component; rumor mongering (§1.4) stops when nodes lose interest
// and may leave a residue. Flooding is the deterministic baseline: every node forwards a new
// rumor once to all its overlay neighbours.
enum class Strategy : uint8_t { anti_entropy, rumor_mongering, flooding };
// Demers §1.4: "feedback" counts only contacts with a peer that already knew the rumor,
// "blind" counts every contact.
enum class LossOfInterest : uint8_t { feedback, blind };
// Demers §1.4: "counter" loses interest after k counted events, "coin" with probability 1/k
// at each one.
enum class Stop : uint8_t { counter, coin };
// Karp et al. pick partners uniformly among all nodes (any-to-any addressing); a mesh
// overlay restricts them to the node's neighbour list.
enum class PeerChoice : uint8_t { uniform, neighbors };
enum class OriginRule : uint8_t { stride, random };

inline constexpr uint32_t kMaxFanout = 64;

struct Rumor {
  NodeId origin = 0;
  SimTime at{};
};

// The resolved rumors: id -> (origin, time), plus an index by origin so each node finds
// its own rumors in O(log R) at start instead of scanning all of them (a million nodes).
class RumorSchedule {
 public:
  RumorSchedule() = default;
  explicit RumorSchedule(std::vector<Rumor> rumors) : rumors_(std::move(rumors)) {
    by_origin_.resize(rumors_.size());
    for (uint32_t i = 0; i < by_origin_.size(); ++i) by_origin_[i] = i;
    std::stable_sort(by_origin_.begin(), by_origin_.end(), [&](uint32_t a, uint32_t b) {
      if (rumors_[a].origin != rumors_[b].origin) return rumors_[a].origin < rumors_[b].origin;
      return rumors_[a].at < rumors_[b].at;
    });
  }
  uint32_t size() const { return static_cast<uint32_t>(rumors_.size()); }
  const Rumor& operator[](uint32_t id) const { return rumors_[id]; }

  // Ids of the rumors `n` originates, by time then id.
  std::span<const uint32_t> originated_by(NodeId n) const {
    auto lo = std::partition_point(by_origin_.begin(), by_origin_.end(),
                                   [&](uint32_t id) { return rumors_[id].origin < n; });
    auto hi = std::partition_point(lo, by_origin_.end(),
                                   [&](uint32_t id) { return rumors_[id].origin <= n; });
    return {lo, hi};
  }

  // Cursor (into originated_by(n)) of the first rumor due at or after `now`. A node that
  // (re)starts later than a rumor's time skips it: its origin was not up to inject it.
  uint32_t cursor_at(NodeId n, SimTime now) const {
    auto mine = originated_by(n);
    auto it = std::partition_point(mine.begin(), mine.end(),
                                   [&](uint32_t id) { return rumors_[id].at < now; });
    return static_cast<uint32_t>(it - mine.begin());
  }

  // Calls inject(id) for every rumor of `n` from `cursor` on that is due by `now` (a paused
  // origin injects late, when it resumes), advances the cursor, and returns the delay to
  // the next rumor of `n`, if any.
  template <class F>
  std::optional<Duration> take_due(NodeId n, SimTime now, uint32_t& cursor, F&& inject) const {
    auto mine = originated_by(n);
    while (cursor < mine.size() && rumors_[mine[cursor]].at <= now) inject(mine[cursor++]);
    if (cursor < mine.size()) return rumors_[mine[cursor]].at - now;
    return std::nullopt;
  }

 private:
  std::vector<Rumor> rumors_;
  std::vector<uint32_t> by_origin_;
};

// The rule from the scenario. Origins depend on the node count, which the [protocol]
// section does not know, so the module resolves the plan when it is attached.
struct RumorPlan {
  uint32_t count = 1;
  SimTime first{};
  Duration interval = Duration::seconds(1);
  OriginRule rule = OriginRule::stride;
  NodeId origin_node = 0;         // stride: origin of rumor r = (origin_node + r * stride) mod N
  uint64_t origin_stride = 7919;  // docs/benchmarks.md, Flood: rumor r starts at (r * 7919) mod N

  std::vector<Rumor> resolve(uint32_t node_count, uint64_t seed) const {
    std::vector<Rumor> out(count);
    for (uint32_t r = 0; r < count; ++r) {
      out[r].at = first + interval * r;
      if (rule == OriginRule::stride) {
        out[r].origin = static_cast<NodeId>((origin_node + static_cast<unsigned __int128>(r) * origin_stride) %
                                            node_count);
      } else {
        // One stream per rumor, so the origins do not shift when the count changes.
        Rng rng(derive_stream(seed, StreamKind::rumor_origin, r));
        out[r].origin = static_cast<NodeId>(rng.below(node_count));
      }
    }
    return out;
  }
};

struct Params {
  Strategy strategy = Strategy::rumor_mongering;
  Mode mode = Mode::push;
  LossOfInterest loss_of_interest = LossOfInterest::feedback;
  Stop stop = Stop::counter;
  uint32_t k = 3;
  uint32_t fanout = 1;
  Duration interval = Duration::millis(100);
  PeerChoice peer_choice = PeerChoice::uniform;
  uint16_t rumor_bytes = 32;
  bool check_delivery = true;
  RumorPlan plan;
  // Filled from `plan` at attach (tests fill it directly). Shared, not copied, because the
  // module's Params are fixed at construction and the node count is known only later.
  std::shared_ptr<RumorSchedule> rumors = std::make_shared<RumorSchedule>();

  uint32_t rumor_count() const { return rumors->size(); }
  // Whether a node runs rounds all the time, or (push rumor mongering) only while it has
  // an infective rumor: pulling must go on because a node cannot know what it misses.
  bool rounds_always() const {
    return strategy == Strategy::anti_entropy ||
           (strategy == Strategy::rumor_mongering && mode != Mode::push);
  }
  bool guarantees_delivery() const { return strategy != Strategy::rumor_mongering; }
};

}  // namespace meshsim::gossip
