#include "viz/viewer.h"

#include <imgui.h>

#include <algorithm>
#include <sstream>

namespace meshsim::viz {

namespace {
constexpr float kToolbarH = 74, kSideW = 400, kBottomH = 200;
constexpr ImGuiWindowFlags kFixed = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                                    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                    ImGuiWindowFlags_NoBringToFrontOnFocus;

void place(float x, float y, float w, float h) {
  ImGui::SetNextWindowPos({x, y});
  ImGui::SetNextWindowSize({w, h});
}
}  // namespace

Viewer::Viewer(LiveRun& run, const Sprites& sprites) : run_(run) {
  mesh.set_sprites(sprites);
  mesh.set_layout(compute_layout(run.sim().topology()), run.sim().topology());
  generation_ = run.generation();
}

void Viewer::refresh_looks() {
  const bool rebuilt = run_.generation() != generation_;
  if (rebuilt) {
    // Same topology (the scenario text only gained faults), so the layout stays; the
    // node states belong to the old Simulation and are read again.
    looks_.reset();
    generation_ = run_.generation();
  }
  // The protocol's text costs a string per node: on big meshes, read it every 15th frame.
  const bool describe = rebuilt || frames_ == 0 || run_.sim().node_count() <= 5000 || frames_ % 15 == 0;
  looks_.refresh(run_.sim(), describe);
}

void Viewer::frame(int width, int height, double wall_dt, float fps) {
  playback.tick(run_, wall_dt);
  refresh_looks();
  const float W = static_cast<float>(width), H = static_cast<float>(height);

  place(0, 0, W, kToolbarH);
  ImGui::Begin("toolbar", nullptr, kFixed);
  NodeId selected = panels_.pinned.empty() ? kNoNode : *panels_.pinned.begin();
  playback.draw_toolbar(run_, selected, show_fps, fps);
  ImGui::End();

  canvas(0, kToolbarH, W - kSideW, H - kToolbarH - kBottomH);

  place(W - kSideW, kToolbarH, kSideW, H - kToolbarH);
  ImGui::Begin("side", nullptr, kFixed);
  panels_.side_panel_nodes(run_, mesh.layout().method);
  ImGui::Separator();
  ImGui::TextDisabled("Faults");
  faults.panel(run_);
  ImGui::End();

  place(0, H - kBottomH, W - kSideW, kBottomH);
  ImGui::Begin("bottom", nullptr, kFixed);
  if (int64_t t = panels_.timeline(run_, ImGui::GetContentRegionAvail().x); t >= 0) {
    playback.playing = false;
    playback.seek(run_, SimTime{t});
  }
  panels_.metric_plots(run_);
  ImGui::End();
  ++frames_;
}

void Viewer::canvas(float x, float y, float w, float h) {
  place(x, y, w, h);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {0, 0});
  // No window background: the mesh fills the canvas itself, and a second full layer is
  // pure fill cost for a software rasteriser.
  ImGui::Begin("canvas", nullptr,
               kFixed | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoBackground);
  Camera& cam = mesh.camera();
  cam.x0 = x, cam.y0 = y, cam.w = w, cam.h = h;
  ImGui::InvisibleButton("mesh", {w, h}, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  const ImGuiIO& io = ImGui::GetIO();
  const bool hovered = ImGui::IsItemHovered();
  const NodeId under = hovered ? mesh.node_at(io.MousePos.x, io.MousePos.y) : kNoNode;
  if (hovered && io.MouseWheel != 0) cam.zoom_at({io.MousePos.x, io.MousePos.y}, io.MouseWheel > 0 ? 1.2f : 1 / 1.2f);
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    cam.pan_pixels(io.MouseDelta.x, io.MouseDelta.y);
    dragging_ = true;
  }
  if (ImGui::IsItemDeactivated()) {
    // A click that did not drag pins (or unpins) the node under the mouse.
    if (!dragging_ && under != kNoNode) {
      if (!panels_.pinned.erase(under)) panels_.pinned.insert(under);
    }
    dragging_ = false;
  }
  if (hovered && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home))) cam.fit();
  if (hovered && ImGui::IsKeyPressed('F')) cam.fit();
  if (under != kNoNode && ImGui::IsItemClicked(ImGuiMouseButton_Right)) {
    menu_node_ = under;
    ImGui::OpenPopup("node_menu");
  }
  const int64_t flash_ns = playback.max_speed ? run_.end().ns / 50
                                              : std::clamp<int64_t>(static_cast<int64_t>(playback.speed * 0.5e9), 5'000'000, 1'000'000'000);
  stats_ = mesh.draw(ImGui::GetWindowDrawList(), run_.sim(), looks_, run_.watch(), panels_.pinned, faults.group_a,
                     faults.group_b, flash_ns);
  if (stats_.coarse) {
    const char* note = "coarse drawing: no edges, sampled messages";
    ImGui::GetWindowDrawList()->AddText({x + w - ImGui::CalcTextSize(note).x - 10, y + 8}, 0xff60d2ff, note);
  }
  if (under != kNoNode && !ImGui::IsPopupOpen("node_menu")) {
    ImGui::BeginTooltip();
    node_details(run_.sim(), under);
    ImGui::TextDisabled("click: pin   right-click: faults");
    ImGui::EndTooltip();
  }
  if (ImGui::BeginPopup("node_menu")) {
    if (menu_node_ != kNoNode) faults.node_menu(run_, menu_node_);
    ImGui::EndPopup();
  }
  ImGui::End();
  ImGui::PopStyleVar();
}

std::string Viewer::layout_dump() const {
  std::ostringstream out;
  const Camera& c = mesh.camera();
  out << "# canvas " << c.x0 << " " << c.y0 << " " << c.w << " " << c.h << " radius " << mesh.node_radius() << "\n";
  for (NodeId n = 0; n < mesh.layout().pos.size(); ++n) {
    const Point2 p = mesh.screen_of(n);
    out << n << " " << static_cast<int>(p.x + 0.5f) << " " << static_cast<int>(p.y + 0.5f) << "\n";
  }
  return out.str();
}

}  // namespace meshsim::viz
