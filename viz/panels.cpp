#include "viz/panels.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "viz/palette.h"

namespace meshsim::viz {

void node_details(const Simulation& sim, NodeId n) {
  ImGui::Text("Node %u: %s%s", n, to_string(sim.node_state(n)), sim.network().isolated(n) ? ", isolated" : "");
  for (const auto& m : sim.modules()) {
    std::string line = m->describe_node(n);
    if (!line.empty()) ImGui::Text("  %s: %s", std::string(m->name()).c_str(), line.c_str());
  }
  ImGui::TextDisabled("  %zu neighbours in the overlay", sim.neighbors(n).size());
}

void Panels::side_panel_nodes(const LiveRun& run, const std::string& layout_method) {
  const Scenario& sc = run.scenario();
  ImGui::Text("%s", sc.name.c_str());
  ImGui::TextDisabled("%u nodes, %s topology, layout: %s", run.sim().node_count(), sc.topology.kind.c_str(),
                      layout_method.c_str());
  std::string modules;
  for (const auto& m : sc.modules) modules += (modules.empty() ? "" : ", ") + m.name;
  ImGui::TextDisabled("protocol: %s", modules.c_str());
  ImGui::Separator();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("Hover a node for details, click to pin it here. Wheel zooms, drag pans, F fits.");
  ImGui::PopStyleColor();
  NodeId unpin = kNoNode;
  for (NodeId n : pinned) {
    ImGui::PushID(static_cast<int>(n));
    if (ImGui::SmallButton("unpin")) unpin = n;
    ImGui::SameLine();
    node_details(run.sim(), n);
    ImGui::PopID();
  }
  if (unpin != kNoNode) pinned.erase(unpin);
}

int64_t Panels::timeline(LiveRun& run, float width) {
  const auto& faults = run.sim().faults();
  const double end = static_cast<double>(run.end().ns);
  const float height = 64;
  ImGui::TextDisabled("Faults (%zu scheduled)  - click to seek", faults.size());
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("timeline", {width, height});
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(o, {o.x + width, o.y + height}, rgb(32, 34, 42), 4);
  auto x_of = [&](int64_t t) { return o.x + static_cast<float>(std::clamp(t / end, 0.0, 1.0)) * width; };
  // One lane per kind, so overlapping faults stay readable.
  const float lanes = 4, lane_h = (height - 18) / lanes;
  for (size_t i = 0; i < faults.size(); ++i) {
    const FaultSpec& f = faults[i];
    const int lane = f.kind == FaultKind::partition || f.kind == FaultKind::heal || f.kind == FaultKind::isolate ? 1
                   : f.kind == FaultKind::byzantine || f.kind == FaultKind::honest ? 2
                   : f.kind == FaultKind::pause || f.kind == FaultKind::resume ? 3 : 0;
    const uint32_t c = lane == 1 ? colour::edge_cut : lane == 2 ? colour::byzantine : lane == 3 ? colour::paused : colour::crashed;
    const float y = o.y + 4 + lane * lane_h;
    const float x0 = x_of(f.at.ns), x1 = f.until ? x_of(f.until->ns) : x0 + 4;
    dl->AddRectFilled({x0, y}, {std::max(x1, x0 + 4), y + lane_h - 2}, with_alpha(c, 190), 2);
  }
  // Time ticks every second-ish, then the cursor at now.
  const double step = std::pow(10.0, std::floor(std::log10(std::max(end / 1e9, 1e-6) / 2)));
  for (double s = 0; s * 1e9 <= end; s += step) {
    const float x = x_of(static_cast<int64_t>(s * 1e9));
    char label[24];
    std::snprintf(label, sizeof label, "%gs", s);
    if (x + 30 < o.x + width) dl->AddText({x + 3, o.y + height - 17}, colour::text_dim, label);
  }
  const float cx = x_of(run.now().ns);
  dl->AddLine({cx, o.y}, {cx, o.y + height}, colour::cursor, 2);
  if (ImGui::IsItemHovered()) {
    const float mx = ImGui::GetIO().MousePos.x;
    ImGui::SetTooltip("seek to %.3f s", std::clamp((mx - o.x) / width, 0.0f, 1.0f) * end / 1e9);
  }
  if (ImGui::IsItemClicked()) return static_cast<int64_t>(std::clamp((ImGui::GetIO().MousePos.x - o.x) / width, 0.0f, 1.0f) * end);
  return -1;
}

void Panels::metric_plots(const LiveRun& run) {
  const auto& series = run.sim().metrics().series();
  if (series.empty()) {
    ImGui::TextDisabled("No time series yet (the first sample comes at the first metrics interval).");
    return;
  }
  const float plot_w = (ImGui::GetContentRegionAvail().x - 8) / 2;
  for (size_t p = 0; p < chosen_.size(); ++p) {
    if (chosen_[p].empty() || !series.count(chosen_[p])) {
      // Defaults that tell the story of most runs: coverage or commits, then messages.
      auto it = series.begin();
      std::advance(it, std::min(p, series.size() - 1));
      for (const char* pick : {p == 0 ? "coverage" : "messages_sent", p == 0 ? "commit_index" : "messages_lost"})
        if (series.count(pick)) {
          it = series.find(pick);
          break;
        }
      chosen_[p] = it->first;
    }
    if (p) ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::PushID(static_cast<int>(p));
    ImGui::SetNextItemWidth(plot_w);
    if (ImGui::BeginCombo("##series", chosen_[p].c_str())) {
      for (const auto& [name, points] : series)
        if (ImGui::Selectable(name.c_str(), name == chosen_[p])) chosen_[p] = name;
      ImGui::EndCombo();
    }
    const auto& points = series.at(chosen_[p]);
    std::vector<float> values;
    values.reserve(points.size());
    for (const auto& pt : points) values.push_back(static_cast<float>(pt.value));
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%s = %g", chosen_[p].c_str(), values.empty() ? 0.0 : values.back());
    ImGui::PlotLines("##plot", values.data(), static_cast<int>(values.size()), 0, overlay, FLT_MAX, FLT_MAX,
                     {plot_w, ImGui::GetContentRegionAvail().y - 4});
    ImGui::PopID();
    ImGui::EndGroup();
  }
}

}  // namespace meshsim::viz
