// The one message of attention consensus: a node's proposal and its embedding, for one
// attention step of one round (step 0 is the proposal itself; the gossip variant's later
// steps carry the moved embedding with the same proposal).
#pragma once
#include <cstdint>
#include <memory>
#include <variant>

#include <Eigen/Dense>

namespace meshsim::attention {

struct Proposal {
  static constexpr const char* kName = "Proposal";
  uint32_t round = 0;
  uint8_t step = 0;
  double value = 0;
  // Shared by every copy of one broadcast: the simulator does not pay d doubles per copy.
  std::shared_ptr<const Eigen::VectorXd> embedding;
  // Round, step, value and the embedding as float32, the way a real mesh would ship it.
  uint32_t wire_bytes() const { return 16 + 4 * static_cast<uint32_t>(embedding ? embedding->size() : 0); }
};

using Message = std::variant<Proposal>;

}  // namespace meshsim::attention
