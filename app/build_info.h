// The build id: git describe, compiler and build type, taken at every build
// (cmake/build_id.cmake). Stored with every run, printed by `meshsim --version`.
#pragma once

namespace meshsim::cli {

const char* build_id();

}  // namespace meshsim::cli
