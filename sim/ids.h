#pragma once
#include <cstdint>

namespace meshsim {
using NodeId = uint32_t;
using TimerId = uint16_t;
using ModuleId = uint8_t;
constexpr NodeId kNoNode = 0xffffffffu;
}  // namespace meshsim
