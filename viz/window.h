// The OS window: GLFW 3 with an OpenGL 3.3 core context, Dear ImGui on top (its GLFW and
// OpenGL 3 backends come with Debian's libimgui-dev). Nothing about the run is here.
#pragma once
#include <string>

#include "viz/sprites.h"

struct GLFWwindow;

namespace meshsim::viz {

class Window {
 public:
  // Throws std::runtime_error when no window can be opened (no display).
  Window(int width, int height, const std::string& title);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  bool should_close() const;
  void begin_frame();
  // Renders ImGui's draw data into the back buffer (read it then for a screenshot).
  void render();
  void present();
  void framebuffer_size(int& w, int& h) const;
  // Off for scripted sessions, so a frame-rate measurement is not capped by the display.
  void set_vsync(bool on);
  // Vertices of the last frame's draw data (after render()).
  int vertices_drawn() const;
  // The node and dot pictures in the font atlas (viz/sprites.h).
  const Sprites& sprites() const { return sprites_; }

 private:
  GLFWwindow* window_ = nullptr;
  Sprites sprites_;
};

}  // namespace meshsim::viz
