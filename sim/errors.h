// The error every layer throws for bad input (a scenario key, a parameter, a missing
// edge-list file). Its text names the file, line and key; the CLI turns it into exit code
// 2 before anything is written. It lives in the core because the core checks plain values
// too (a topology spec built in code, an impossible parameter), not only scenario files.
#pragma once
#include <stdexcept>

namespace meshsim {

class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace meshsim
