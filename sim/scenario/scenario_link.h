// Reading link settings (shared by [network], [[network.links]] and degrade faults).
#pragma once
#include "sim/scenario/config_section.h"
#include "sim/link_model.h"

namespace meshsim {

// Reads latency/loss/duplicate/reorder/bandwidth keys into `spec`, keeping the values
// already there for keys that are absent (overrides start from the default link).
void read_link_keys(ConfigSection& section, LinkSpec& spec);
// Reads the key `latency` alone (a duration, or a distribution table), if present.
void read_latency(ConfigSection& section, LatencySpec& spec);

}  // namespace meshsim
