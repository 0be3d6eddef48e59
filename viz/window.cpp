#include "viz/window.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <GL/gl.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <filesystem>
#include <stdexcept>

namespace meshsim::viz {

namespace {
void glfw_error(int code, const char* text) { (void)code, (void)text; }  // reported by the throw below

// A readable proportional font when the system has one (DejaVu ships with nearly every
// Debian desktop and with fontconfig), ImGui's small built-in bitmap font otherwise.
void load_font() {
  ImGuiIO& io = ImGui::GetIO();
  for (const char* path : {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                           "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"}) {
    if (std::filesystem::exists(path) && io.Fonts->AddFontFromFileTTF(path, 15.0f)) return;
  }
  ImFontConfig config;
  config.SizePixels = 15.0f;
  io.Fonts->AddFontDefault(&config);
}
}  // namespace

Window::Window(int width, int height, const std::string& title) {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit())
    throw std::runtime_error("cannot open a window: no display (set DISPLAY, or run under xvfb-run -a)");
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) {
    glfwTerminate();
    throw std::runtime_error("cannot create an OpenGL 3.3 window (is a GL driver such as Mesa installed?)");
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(1);  // vsync: no point drawing faster than the screen shows
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // the layout is fixed; leave no imgui.ini behind
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 0;
  style.FrameRounding = 3;
  style.ItemSpacing = {8, 6};
  load_font();
  sprites_ = add_sprites(*ImGui::GetIO().Fonts);
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 330");
}

Window::~Window() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

bool Window::should_close() const { return glfwWindowShouldClose(window_); }

void Window::begin_frame() {
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
}

void Window::render() {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  glClearColor(0.094f, 0.102f, 0.125f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

int Window::vertices_drawn() const {
  const ImDrawData* d = ImGui::GetDrawData();
  return d ? d->TotalVtxCount : 0;
}

void Window::set_vsync(bool on) { glfwSwapInterval(on ? 1 : 0); }

void Window::present() { glfwSwapBuffers(window_); }

void Window::framebuffer_size(int& w, int& h) const { glfwGetFramebufferSize(window_, &w, &h); }

}  // namespace meshsim::viz
