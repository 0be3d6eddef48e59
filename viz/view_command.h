// `meshsim view`: the live window. Declared apart from its implementation so that app/
// links view_unavailable.cpp instead when the windowing packages are missing.
#pragma once
#include "sim/scenario/module_registry.h"
#include "viz/view_options.h"

namespace meshsim::viz {

// Exit codes as for `meshsim run`: 0 ok, 2 bad input (or no viewer in this build), 3
// internal error (no display, OpenGL context refused).
int view_command(const ViewOptions& options, const ModuleRegistry& registry);

}  // namespace meshsim::viz
