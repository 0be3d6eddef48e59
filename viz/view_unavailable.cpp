// Built into meshsim instead of the viewer when CMake did not find Dear ImGui, GLFW,
// OpenGL or stb (see viz/CMakeLists.txt): the subcommand still exists and says how to get it.
#include <iostream>

#include "viz/view_command.h"

namespace meshsim::viz {

int view_command(const ViewOptions&, const ModuleRegistry&) {
  std::cerr << "meshsim: this build has no viewer. Install its packages and rebuild:\n"
               "  sudo apt-get install libimgui-dev libglfw3-dev libgl-dev libstb-dev xvfb xauth\n"
               "  ./scripts/build.sh release   (or run ./scripts/setup.sh, which installs them)\n";
  return 2;
}

}  // namespace meshsim::viz
