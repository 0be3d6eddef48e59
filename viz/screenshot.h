// Saves what was just rendered (the back buffer) as a PNG, for tests and the README.
#pragma once
#include <string>

namespace meshsim::viz {

// Reads the w x h framebuffer with glReadPixels and writes it with stb_image_write.
// Returns false when the file cannot be written.
bool save_screenshot(const std::string& path, int width, int height);

}  // namespace meshsim::viz
