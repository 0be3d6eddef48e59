// Bounds on a scenario's raw text, checked before the TOML parser sees it. toml++ recurses
// once per nested table or key component, so a line like [t.t.t…] with 50,000 components
// overflows the stack (a crash, not an error); a huge file is only slow. Real scenarios
// are a few hundred lines, nested a handful deep, so the limits are far from them.
#pragma once
#include <cstddef>
#include <string>

namespace meshsim {

inline constexpr size_t kMaxScenarioBytes = 8u << 20;  // 8 MiB
inline constexpr size_t kMaxLineBytes = 64u << 10;     // 64 KiB
inline constexpr int kMaxNesting = 100;                // brackets open + dotted-key components

// Throws ScenarioError "path:line: ..." for the first line too long or nested too deep, or
// "path: the file is too large" for a file over kMaxScenarioBytes.
void check_scenario_text(const std::string& text, const std::string& path);

}  // namespace meshsim
