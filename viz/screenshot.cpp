#include "viz/screenshot.h"

#include <GL/gl.h>
#include <stb/stb_image_write.h>

#include <vector>

namespace meshsim::viz {

bool save_screenshot(const std::string& path, int width, int height) {
  std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  // OpenGL's rows run bottom-up, PNG's top-down.
  stbi_flip_vertically_on_write(1);
  stbi_write_png_compression_level = 9;  // smaller files for docs/, at no cost that matters here
  return stbi_write_png(path.c_str(), width, height, 3, pixels.data(), width * 3) != 0;
}

}  // namespace meshsim::viz
