// Cross-module reads on one node. A module that wants another module's per-node state
// (load balancing reading the failure detector's view; the key-value workload reading
// whether its node went read-only) asks the engine for a declared interface, never for the
// other module's class: modules stay independent, and a scenario can swap the provider.
//
//   class MyDetector : public NodeModule<...>, public FailureDetectorView {
//     const void* provides(const std::type_info& t) const override {
//       return t == typeid(FailureDetectorView) ? static_cast<const FailureDetectorView*>(this) : nullptr;
//     }
//   };
//   if (auto* fd = sim().find_interface<FailureDetectorView>()) fd->suspects(self, peer);
//
// The rule that keeps this honest: a module reads only its own node's view (`self` is the
// node being stepped). Reading another node's state would be communication without a
// message, which the network could not delay, drop or partition.
#pragma once
#include <vector>

#include "sim/ids.h"

namespace meshsim {

// What a node's failure detector believes about its peers.
class FailureDetectorView {
 public:
  virtual ~FailureDetectorView() = default;
  virtual bool suspects(NodeId self, NodeId peer) const = 0;
  virtual std::vector<NodeId> live_peers(NodeId self) const = 0;
};

// Whether a node has lost its majority and serves reads only.
class ReadOnlyView {
 public:
  virtual ~ReadOnlyView() = default;
  virtual bool read_only(NodeId self) const = 0;
};

}  // namespace meshsim
