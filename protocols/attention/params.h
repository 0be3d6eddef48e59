// Parameters of the attention-weighted consensus (README.md documents every key).
#pragma once
#include <cstdint>

#include "sim/time.h"

namespace meshsim::attention {

enum class Variant : uint8_t { plain, graph_rope, gossip };
enum class Workload : uint8_t { continuous, discrete };
enum class Projection : uint8_t { identity, random };
enum class OutlierSide : uint8_t { both, low };

struct Params {
  Variant variant = Variant::plain;
  uint32_t dim = 384;    // embedding dimension d
  uint32_t heads = 8;    // h; d must be a multiple of h
  Projection projection = Projection::identity;
  Workload workload = Workload::continuous;
  double noise = 0.05;        // continuous: std. dev. of a node's error; discrete: share of wrong options
  uint32_t options = 4;       // discrete: number of options
  double lengthscale = 0.1;   // embedding kernel width (values closer than this look alike)
  Duration round_interval = Duration::millis(200);
  Duration round_deadline = Duration::millis(50);  // per attention step
  uint32_t rounds = 0;        // 0: until the run ends
  uint32_t gossip_steps = 3;  // r, gossip variant only
  double outlier_sigma = 2.0;
  double outlier_cap = 0.33;  // at most this share of the held peers is flagged
  OutlierSide outlier_side = OutlierSide::both;
  bool reputation = true;     // the learning store weights later rounds
  double exclude_below = 0.0; // reputation multiplier under which a peer is ignored (0: never)
  double rope_scale = 1.0;    // GraphRoPE: amplitude of the positional encoding
  double cost_per_mac_ns = 0.0;  // CPU cost of one multiply-add; 0: processing not modelled
  double far_offset = 10.0;      // Byzantine "far-embedding": value shift, in value units
  double wrong_offset = 0.5;     // Byzantine "near-copy": shift of the proposed value
};

}  // namespace meshsim::attention
