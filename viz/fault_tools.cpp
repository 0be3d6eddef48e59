#include "viz/fault_tools.h"

#include <imgui.h>

#include <fstream>

#include "sim/errors.h"

namespace meshsim::viz {

namespace {
std::string set_text(const std::set<NodeId>& s) {
  if (s.empty()) return "(none)";
  std::string out;
  size_t shown = 0;
  for (NodeId n : s) {
    if (++shown > 12) return out + " ... (" + std::to_string(s.size()) + " nodes)";
    out += (out.empty() ? "" : ",") + std::to_string(n);
  }
  return out;
}
}  // namespace

UiFault FaultTools::now_fault(const LiveRun& run, FaultKind kind, NodeId node) const {
  UiFault f;
  f.kind = kind;
  // The current event time: the fault is ordered among this instant's events the way a
  // scheduled fault at the same time would be, in the live run and the saved one alike.
  f.at = run.now();
  if (node != kNoNode) f.nodes = {node};
  return f;
}

bool FaultTools::apply(LiveRun& run, UiFault f) {
  try {
    run.apply(f);
    message = "applied: " + describe(f) + " at " + std::to_string(f.at.ns) + " ns";
    return true;
  } catch (const ScenarioError& e) {
    message = std::string("refused: ") + e.what();
    return false;
  }
}

void FaultTools::node_menu(LiveRun& run, NodeId node) {
  ImGui::TextDisabled("Node %u at t = %.6f s", node, run.now().ns / 1e9);
  ImGui::Separator();
  const NodeState state = run.sim().node_state(node);
  if (ImGui::MenuItem("Crash", nullptr, false, state != NodeState::crashed)) apply(run, now_fault(run, FaultKind::crash, node));
  if (ImGui::MenuItem("Recover", nullptr, false, state == NodeState::crashed)) apply(run, now_fault(run, FaultKind::recover, node));
  if (ImGui::MenuItem("Pause", nullptr, false, state == NodeState::up)) apply(run, now_fault(run, FaultKind::pause, node));
  if (ImGui::MenuItem("Resume", nullptr, false, state == NodeState::paused)) apply(run, now_fault(run, FaultKind::resume, node));
  if (ImGui::MenuItem("Isolate")) apply(run, now_fault(run, FaultKind::isolate, node));
  for (const auto& m : run.sim().modules()) {
    const std::string label = "Byzantine (" + std::string(m->name()) + ")";
    if (ImGui::BeginMenu(label.c_str())) {
      for (const std::string& b : m->byzantine_behaviors()) {
        if (ImGui::MenuItem(b.c_str())) {
          UiFault f = now_fault(run, FaultKind::byzantine, node);
          f.behavior = b;
          f.module = std::string(m->name());
          apply(run, f);
        }
      }
      ImGui::EndMenu();
    }
  }
  ImGui::Separator();
  if (ImGui::MenuItem("Add to partition group A")) group_b.erase(node), group_a.insert(node);
  if (ImGui::MenuItem("Add to partition group B")) group_a.erase(node), group_b.insert(node);
}

void FaultTools::panel(LiveRun& run) {
  ImGui::TextWrapped("Right-click a node to crash, recover, pause or isolate it, make it Byzantine, or add it to a "
                     "partition group. Each fault is added to the run's schedule at the current time, and the run "
                     "is rebuilt from the start up to now (exact).");
  ImGui::Text("Group A: %s", set_text(group_a).c_str());
  ImGui::Text("Group B: %s", set_text(group_b).c_str());
  ImGui::BeginDisabled(group_a.empty() || group_b.empty());
  if (ImGui::Button("Partition A | B now")) {
    UiFault f = now_fault(run, FaultKind::partition, kNoNode);
    f.group_a.assign(group_a.begin(), group_a.end());
    f.group_b.assign(group_b.begin(), group_b.end());
    if (apply(run, f)) group_a.clear(), group_b.clear();
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Clear groups")) group_a.clear(), group_b.clear();
  ImGui::SameLine();
  if (ImGui::Button("Heal now")) apply(run, now_fault(run, FaultKind::heal, kNoNode));
  if (!run.applied().empty()) {
    ImGui::Text("Applied in this window:");
    for (const UiFault& f : run.applied()) ImGui::BulletText("%s at %.6f s", describe(f).c_str(), f.at.ns / 1e9);
  }
  ImGui::SetNextItemWidth(200);
  ImGui::InputText("##save", save_path_, sizeof save_path_);
  ImGui::SameLine();
  if (ImGui::Button("Save scenario")) save(run, save_path_);
  if (!message.empty()) ImGui::TextWrapped("%s", message.c_str());
}

bool FaultTools::save(const LiveRun& run, const std::string& path) {
  std::ofstream out(path);
  out << run.saved_text();
  out.close();
  if (!out) {
    message = "could not write " + path;
    return false;
  }
  message = "saved " + path + " (meshsim run " + path + " --seed " + std::to_string(run.seed()) + " reproduces it)";
  return true;
}

}  // namespace meshsim::viz
