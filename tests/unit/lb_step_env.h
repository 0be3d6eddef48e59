// What the step-level lb tests share: a node's environment without the engine (its random
// stream, attributes and outbox) and readers of the outbox.
#pragma once
#include <utility>
#include <variant>
#include <vector>

#include "protocols/lb/node.h"

namespace meshsim::lb::testing {

struct StepEnv {
  StepEnv(uint64_t seed, uint32_t nodes) : rng(seed), node_count(nodes) {}
  Rng rng;
  uint32_t node_count;
  NodeAttributes attributes;
  Outbox<Message> out;
  // A fresh view of node `self` at `now`; clears the outbox, so it holds this step's output.
  NodeView view(NodeId self, SimTime now = {}) {
    out.clear();
    NodeView v;
    v.self = self;
    v.now = now;
    v.node_count = node_count;
    v.rng = &rng;
    v.attributes = &attributes;
    return v;
  }
  NodeView view(NodeId self, SimTime now, uint32_t nodes) {
    node_count = nodes;
    return view(self, now);
  }
};

template <class T>
std::vector<std::pair<NodeId, T>> sent(const Outbox<Message>& out) {
  std::vector<std::pair<NodeId, T>> r;
  for (const auto& s : out.sends())
    if (const T* m = std::get_if<T>(&s.msg)) r.push_back({s.to, *m});
  return r;
}

inline size_t notes(const Outbox<Message>& out, uint16_t what) {
  size_t n = 0;
  for (const auto& x : out.notes()) n += x.what == what;
  return n;
}

}  // namespace meshsim::lb::testing
