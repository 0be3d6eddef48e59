// NodeModule<P>: the typed glue between a pure per-node state machine and the engine.
//
// A protocol P provides:
//   using Params = ...;      // read once from the scenario, shared by all nodes
//   using Node = ...;        // per-node state machine
//   using Message = std::variant<...>;  // every alternative has `uint32_t wire_bytes() const`
//   static constexpr TimerId timer_count;
//   static constexpr bool uses_rng;     // false saves 32 bytes a node (flooding, say);
//                                       // the node's view then has no stream (rng is null)
// and Node provides
//   void start(const Params&, const NodeView&, Outbox<Message>&);
//   void on_message(const Params&, const NodeView&, NodeId from, const Message&, Outbox<Message>&);
//   void on_timer(const Params&, const NodeView&, TimerId, Outbox<Message>&);
//   void crash();   // forget volatile state, keep what the protocol declares durable
//
// Optionally P may also provide
//   static uint32_t encode(const Message&);  static Message decode(const Params&, uint32_t);
// for messages that fit in 32 bits (a flooded rumor id): they then travel inside the event
// itself, with no pool slot, which saves memory and a cache miss per message.
//
// And optionally, to model processing time (Simulation::enable_processing):
//   static bool models_processing(const Params&);
//   static Duration receive_cost(const Params&, const Message&);  // verify on arrival
//   static Duration send_cost(const Params&, const Message&);     // authenticate one send
//
// The template keeps other messages in a pool (the event queue carries only the slot index,
// so events stay 32 bytes and no allocation happens per event once the pool is warm), drains
// the outbox into the engine, and applies Byzantine decorators to the outbox before it is
// drained. The engine stamps every message with the stepping node as sender, so a Byzantine
// node cannot claim to be another node.
//
// Byzantine decorators draw from a stream of their own, (seed, byzantine, module, node),
// never from the protocol's: a decorator's draws then do not shift the node's protocol
// draws, and protocols with uses_rng = false (flooding) get a stream that honours the seed
// without 32 bytes for every node. The stream is created lazily, at the node's first step
// as a Byzantine node, and kept for the rest of the run, so a later Byzantine episode of
// the same node continues the stream instead of replaying it. Its key does not depend on when
// it is created, and only that node's steps draw from it, so it is as deterministic as the
// per-node protocol streams. (Deriving a fresh stream at every Byzantine step from a step
// counter would be deterministic too, but needs a counter for every node, or one per
// Byzantine node, which is no cheaper than the stream itself, plus a derivation per step.)
#pragma once
#include <algorithm>
#include <cassert>
#include <concepts>
#include <cstring>
#include <deque>
#include <type_traits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/module.h"
#include "sim/outbox.h"
#include "sim/simulation.h"

namespace meshsim {

// Rewrites a Byzantine node's outbox after each of its steps.
template <class Msg>
class ByzantineRewriter {
 public:
  virtual ~ByzantineRewriter() = default;
  virtual void rewrite(const NodeView& view, Outbox<Msg>& out) = 0;
};

// Generic behaviours, valid for any protocol.
template <class Msg>
class SilentBehavior : public ByzantineRewriter<Msg> {
 public:
  void rewrite(const NodeView&, Outbox<Msg>& out) override { out.sends().clear(); }
};

template <class Msg>
class DelayBehavior : public ByzantineRewriter<Msg> {
 public:
  explicit DelayBehavior(Duration d) : delay_(d) {}
  void rewrite(const NodeView&, Outbox<Msg>& out) override {
    for (auto& s : out.sends()) s.extra_delay = s.extra_delay + delay_;
  }

 private:
  Duration delay_;
};

template <class Msg>
class DropBehavior : public ByzantineRewriter<Msg> {
 public:
  explicit DropBehavior(double p) : p_(p) {}
  void rewrite(const NodeView& view, Outbox<Msg>& out) override {
    auto& sends = out.sends();
    std::erase_if(sends, [&](const auto&) { return view.rng->chance(p_); });
  }

 private:
  double p_;
};

// Re-sends old messages to random nodes alongside the new ones (replay attack).
template <class Msg>
class ReplayBehavior : public ByzantineRewriter<Msg> {
 public:
  explicit ReplayBehavior(double p) : p_(p) {}
  void rewrite(const NodeView& view, Outbox<Msg>& out) override {
    auto& sends = out.sends();
    size_t original = sends.size();
    for (size_t i = 0; i < original; ++i) {
      if (!history_.empty() && view.rng->chance(p_)) {
        const Msg& old = history_[view.rng->below(history_.size())];
        sends.push_back({static_cast<NodeId>(view.rng->below(view.node_count)), old, {}});
      }
      history_.push_back(sends[i].msg);
      if (history_.size() > 16) history_.pop_front();
    }
  }

 private:
  double p_;
  std::deque<Msg> history_;
};

template <class P>
concept InlineMessages = requires(const typename P::Message& m, const typename P::Params& p, uint32_t v) {
  { P::encode(m) } -> std::same_as<uint32_t>;
  { P::decode(p, v) } -> std::same_as<typename P::Message>;
};

// Optional: how a message with pointers inside (a heap-grown set) crosses partitions of a
// partitioned run as bytes (NodeModule::export_message).
template <class P>
concept MessageBytes = requires(const typename P::Message& m, const typename P::Params& p, std::vector<uint8_t>& out,
                                const uint8_t*& in) {
  P::write(m, out);
  { P::read(p, in) } -> std::same_as<typename P::Message>;
};

template <class P>
concept ProcessingCosts = requires(const typename P::Params& p, const typename P::Message& m) {
  { P::models_processing(p) } -> std::same_as<bool>;
  { P::receive_cost(p, m) } -> std::same_as<Duration>;
  { P::send_cost(p, m) } -> std::same_as<Duration>;
};

// Optional: `static std::string describe(const Params&, const Message&)`, a short rendering
// of a message's content for traces and the live view ("AppendEntries term 3 idx 41").
template <class P>
concept DescribedMessages = requires(const typename P::Params& p, const typename P::Message& m) {
  { P::describe(p, m) } -> std::same_as<std::string>;
};

// Optional: `void on_persisted(const Params&, const NodeView&, uint64_t token, Outbox&)` on
// the node, for protocols that issue durable writes (Outbox::persist) on the disk model.
template <class P>
concept DurableWrites = requires(typename P::Node& n, const typename P::Params& p, const NodeView& v,
                                 Outbox<typename P::Message>& out) {
  n.on_persisted(p, v, uint64_t{}, out);
};

template <class P>
class NodeModule : public Module {
 public:
  using Params = typename P::Params;
  using Node = typename P::Node;
  using Message = typename P::Message;

  explicit NodeModule(Params params) : params_(std::move(params)) {}

  void attach(Simulation& sim, ModuleId id) override {
    sim_ = &sim;
    id_ = id;
    sim.declare_timers(id, P::timer_count);
    nodes_.clear();
    nodes_.reserve(sim.node_count());
    for (NodeId n = 0; n < sim.node_count(); ++n) nodes_.push_back(make_node(n));
    module_key_ = name_hash(name());
    byzantine_rngs_.clear();
    if constexpr (P::uses_rng) {
      rngs_.reserve(sim.node_count());
      for (NodeId n = 0; n < sim.node_count(); ++n)
        rngs_.emplace_back(derive_stream(sim.seed(), StreamKind::protocol, module_key_, n));
    }
    if constexpr (ProcessingCosts<P>)
      if (P::models_processing(params_)) sim.enable_processing(id);
    on_attach();
  }

  void start(NodeId n) override {
    NodeView v = view(n);
    nodes_[n].start(params_, v, outbox_);
    drain(n, v);
  }
  void deliver(NodeId to, NodeId from, uint32_t slot) override {
    Message msg = take(slot);
    NodeView v = view(to);
    nodes_[to].on_message(params_, v, from, msg, outbox_);
    drain(to, v);
  }
  void timer(NodeId n, TimerId id) override {
    NodeView v = view(n);
    nodes_[n].on_timer(params_, v, id, outbox_);
    drain(n, v);
  }
  void persisted(NodeId n, uint64_t token) override {
    if constexpr (DurableWrites<P>) {
      NodeView v = view(n);
      nodes_[n].on_persisted(params_, v, token, outbox_);
      drain(n, v);
    }
  }
  void crash(NodeId n) override { nodes_[n].crash(); }
  void recover(NodeId n) override { start(n); }
  void release(uint32_t slot) override {
    if constexpr (!InlineMessages<P>) free_.push_back(slot);
  }
  uint32_t clone(uint32_t slot) override {
    if constexpr (InlineMessages<P>) return slot;
    else return store(Message(pool_[slot]));
  }

  // Messages cross partitions as bytes: inlined ones travel in the event itself, plain
  // values (trivially copyable) are copied, and a protocol with pointers inside its
  // messages says how with `static void write(const Message&, std::vector<uint8_t>&)` and
  // `static Message read(const Params&, const uint8_t*&)` (MessageBytes below).
  static constexpr bool kMessagesCross =
      InlineMessages<P> || std::is_trivially_copyable_v<Message> || MessageBytes<P>;
  void export_message(uint32_t slot, std::vector<uint8_t>& out) override {
    if constexpr (InlineMessages<P>) {
      return;
    } else if constexpr (MessageBytes<P>) {
      P::write(pool_[slot], out);
      free_.push_back(slot);
    } else if constexpr (std::is_trivially_copyable_v<Message>) {
      const auto* b = reinterpret_cast<const uint8_t*>(&pool_[slot]);
      out.insert(out.end(), b, b + sizeof(Message));
      free_.push_back(slot);
    } else {
      assert(false && "module messages cannot cross partitions: partition_support() must say none");
    }
  }
  uint32_t import_message(uint32_t payload, const uint8_t*& in) override {
    if constexpr (InlineMessages<P>) {
      return payload;
    } else if constexpr (MessageBytes<P>) {
      return store(P::read(params_, in));
    } else if constexpr (std::is_trivially_copyable_v<Message>) {
      Message m;
      std::memcpy(static_cast<void*>(&m), in, sizeof(Message));
      in += sizeof(Message);
      return store(std::move(m));
    } else {
      assert(false && "module messages cannot cross partitions");
      return payload;
    }
  }

  Duration receive_cost(uint32_t slot) const override {
    if constexpr (ProcessingCosts<P> && !InlineMessages<P>) return P::receive_cost(params_, pool_[slot]);
    else if constexpr (ProcessingCosts<P>) return P::receive_cost(params_, P::decode(params_, slot));
    else return {};
  }

  bool set_byzantine(NodeId n, const ByzantineSpec& spec) override {
    std::unique_ptr<ByzantineRewriter<Message>> b = make_byzantine(spec);
    if (!b) {
      if (spec.behavior == "silent") b = std::make_unique<SilentBehavior<Message>>();
      else if (spec.behavior == "delay") b = std::make_unique<DelayBehavior<Message>>(spec.delay);
      else if (spec.behavior == "drop") b = std::make_unique<DropBehavior<Message>>(spec.probability);
      else if (spec.behavior == "replay") b = std::make_unique<ReplayBehavior<Message>>(spec.probability);
      else return false;
    }
    // Behaviours stack: each fault is a layer, applied in the order they started (a stable
    // sort by node keeps that order within a node).
    clear_byzantine(n, spec.layer);
    byzantine_.push_back({n, spec.layer, std::move(b)});
    std::stable_sort(byzantine_.begin(), byzantine_.end(),
                     [](const auto& a, const auto& b2) { return a.node < b2.node; });
    return true;
  }
  void clear_byzantine(NodeId n, uint32_t layer = kAllLayers) override {
    std::erase_if(byzantine_, [&](const auto& e) { return e.node == n && (layer == kAllLayers || e.layer == layer); });
  }
  std::vector<std::string> byzantine_behaviors() const override {
    std::vector<std::string> all{"silent", "delay", "drop", "replay"};
    for (auto& own : protocol_byzantine_behaviors()) all.push_back(own);
    return all;
  }
  bool is_byzantine(NodeId n) const {
    for (const auto& e : byzantine_)
      if (e.node == n) return true;
    return false;
  }
  // A node that joins starts from a new node's state, durable state included.
  void join(NodeId n) override {
    nodes_[n] = make_node(n);
    start(n);
  }
  std::string message_type_name(uint8_t type) const override {
    return type < std::variant_size_v<Message> ? kMessageNames[type] : Module::message_type_name(type);
  }
  std::string describe_message(uint32_t slot) const override {
    if constexpr (DescribedMessages<P>) {
      if constexpr (InlineMessages<P>) return P::describe(params_, P::decode(params_, slot));
      else return P::describe(params_, pool_[slot]);
    } else {
      return {};
    }
  }

  const Params& params() const { return params_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  Simulation& sim() { return *sim_; }
  const Simulation& sim() const { return *sim_; }

 protected:
  // Hooks for the protocol's module class.
  virtual Node make_node(NodeId) { return Node{}; }
  virtual void on_attach() {}
  virtual void on_note(NodeId, uint16_t /*what*/, int64_t /*value*/) {}
  virtual void on_send(NodeId /*from*/, const Message&) {}
  virtual std::unique_ptr<ByzantineRewriter<Message>> make_byzantine(const ByzantineSpec&) {
    return nullptr;
  }
  virtual std::vector<std::string> protocol_byzantine_behaviors() const { return {}; }

  // Steps node n with a message from itself: an operator's command typed at its console
  // (a scenario action), which is an input like any other.
  void inject(NodeId n, const Message& m) {
    NodeView v = view(n);
    nodes_[n].on_message(params_, v, n, m, outbox_);
    drain(n, v);
  }

  // Steps node n with `f(node, params, view, outbox)`: an input that is neither a message
  // nor a timer (a graceful leave announced before the engine stops the node).
  template <class F>
  void step_node(NodeId n, F&& f) {
    NodeView v = view(n);
    f(nodes_[n], params_, v, outbox_);
    drain(n, v);
  }

  // The module's own handle on node n's state machine, to set inputs that come from
  // elsewhere on the node (another module's view, read through find_interface) before a step.
  Node& node_state(NodeId n) { return nodes_[n]; }

  NodeView view(NodeId n) {
    NodeView v;
    v.self = n;
    v.now = sim_->now();
    v.node_count = sim_->node_count();
    v.neighbors = sim_->neighbors(n);
    v.attributes = &sim_->attributes();
    if constexpr (ProcessingCosts<P>)
      if (sim_->models_processing()) v.cpu_backlog = sim_->cpu_backlog(n);
    if constexpr (P::uses_rng) v.rng = &rngs_[n];
    if constexpr (DurableWrites<P>) v.durable_writes_take_time = sim_->models_storage();
    return v;
  }

 private:
  static uint64_t name_hash(std::string_view s) {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across builds, unlike std::hash
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return h;
  }

  Rng& byzantine_rng(NodeId n) {
    auto it = byzantine_rngs_.find(n);
    if (it == byzantine_rngs_.end())
      it = byzantine_rngs_.emplace(n, Rng(derive_stream(sim_->seed(), StreamKind::byzantine, module_key_, n))).first;
    return it->second;
  }

  Message take(uint32_t slot) {
    if constexpr (InlineMessages<P>) {
      return P::decode(params_, slot);
    } else {
      free_.push_back(slot);
      return std::move(pool_[slot]);
    }
  }

  uint32_t store(Message&& m) {
    if constexpr (InlineMessages<P>) return P::encode(m);
    if (!free_.empty()) {
      uint32_t slot = free_.back();
      free_.pop_back();
      pool_[slot] = std::move(m);
      return slot;
    }
    pool_.push_back(std::move(m));
    return static_cast<uint32_t>(pool_.size() - 1);
  }

  void drain(NodeId n, const NodeView& v) {
    if (!byzantine_.empty() && is_byzantine(n)) {
      NodeView bv = v;
      bv.rng = &byzantine_rng(n);
      for (auto& e : byzantine_)
        if (e.node == n) e.rewriter->rewrite(bv, outbox_);
    }
    if (!outbox_.notes().empty()) {
      for (const auto& note : outbox_.notes()) on_note(n, note.what, note.value);
      if (sim_->listening()) [[unlikely]]
        for (const auto& note : outbox_.notes()) sim_->notify_note(n, id_, note.what, note.value);
    }
    if constexpr (ProcessingCosts<P>)
      if (sim_->models_processing()) charge_cpu(n);
    for (TimerId t : outbox_.cancels()) sim_->cancel_timer(id_, n, t);
    for (const auto& t : outbox_.timers()) sim_->set_timer(id_, n, t.id, t.after);
    for (auto& s : outbox_.sends()) {
      on_send(n, s.msg);
      uint8_t type = static_cast<uint8_t>(s.msg.index());
      uint32_t bytes = std::visit([](const auto& m) { return m.wire_bytes(); }, s.msg);
      uint32_t slot = store(std::move(s.msg));
      sim_->send(id_, n, s.to, slot, type, bytes, s.extra_delay);
    }
    if constexpr (DurableWrites<P>) {
      for (const auto& w : outbox_.writes()) sim_->write_to_disk(id_, n, w.bytes, w.token);
      outbox_.clear();
    } else {
      outbox_.clear_all_but_writes();
    }
  }

  // The step's own work, then authenticating each send in turn: a send leaves the node
  // when its authenticator is computed, behind whatever the CPU had queued.
  void charge_cpu(NodeId n) {
    Duration total = outbox_.work();
    for (const auto& s : outbox_.sends()) total = total + P::send_cost(params_, s.msg);
    if (total.ns <= 0) return;
    Duration done = sim_->occupy_cpu(n, total) + outbox_.work();
    for (auto& s : outbox_.sends()) {
      done = done + P::send_cost(params_, s.msg);
      s.extra_delay = s.extra_delay + done;
    }
  }

  // Each alternative's kName ("RequestVote") when it declares one, else "type<i>".
  template <class T>
  static constexpr const char* name_of() {
    if constexpr (requires { T::kName; }) return T::kName;
    else return nullptr;
  }
  static std::vector<std::string> message_names() {
    std::vector<std::string> names;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((names.push_back(name_of<std::variant_alternative_t<I, Message>>() ? name_of<std::variant_alternative_t<I, Message>>()
                                                                            : "type" + std::to_string(I))),
       ...);
    }(std::make_index_sequence<std::variant_size_v<Message>>{});
    return names;
  }
  inline static const std::vector<std::string> kMessageNames = message_names();

  Params params_;
  Simulation* sim_ = nullptr;
  ModuleId id_ = 0;
  std::vector<Node> nodes_;
  uint64_t module_key_ = 0;  // FNV-1a of the module's name, for its streams
  std::vector<Rng> rngs_;
  // Only for nodes that have been Byzantine at some point in the run (see the top).
  std::map<NodeId, Rng> byzantine_rngs_;
  std::vector<Message> pool_;
  std::vector<uint32_t> free_;
  Outbox<Message> outbox_;
  struct ByzantineLayer {
    NodeId node;
    uint32_t layer;  // the fault that switched it on
    std::unique_ptr<ByzantineRewriter<Message>> rewriter;
  };
  std::vector<ByzantineLayer> byzantine_;
};

}  // namespace meshsim
