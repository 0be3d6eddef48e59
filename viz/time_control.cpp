#include "viz/time_control.h"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace meshsim::viz {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

void Playback::tick(LiveRun& run, double wall_dt) {
  last_tick_s_ = 0;
  if (!playing) return;
  if (run.finish_if_over()) {
    playing = false;
    return;
  }
  // A long frame (the window was dragged, the machine stalled) must not become a jump.
  wall_dt = std::min(wall_dt, 0.1);
  const int64_t now = run.now().ns;
  const int64_t target = max_speed ? run.end().ns
                                   : std::min<int64_t>(run.end().ns, now + std::max<int64_t>(1, std::llround(speed * wall_dt * 1e9)));
  const auto started = std::chrono::steady_clock::now();
  // Bounded by events, not by stretches of simulated time: one millisecond of a flood over
  // 100,000 nodes can hold a million events, and the frame must still come on time.
  constexpr uint64_t kEventsPerCheck = 256;
  while (run.now().ns < target && seconds_since(started) < budget_s) {
    if (!run.advance_to(SimTime{target}, kEventsPerCheck)) break;
  }
  behind_ = !max_speed && run.now().ns < target;
  last_tick_s_ = seconds_since(started);
  if (run.finish_if_over()) playing = false;
}

void Playback::seek(LiveRun& run, SimTime t) {
  t = SimTime{std::clamp<int64_t>(t.ns, 0, run.end().ns)};
  const bool back = t < run.now();
  const auto started = std::chrono::steady_clock::now();
  run.seek(t);
  char buf[160];
  if (back)
    std::snprintf(buf, sizeof buf, "went back: re-ran from 0 with seed %llu in %.2f s (deterministic, exact)",
                  static_cast<unsigned long long>(run.seed()), seconds_since(started));
  else
    std::snprintf(buf, sizeof buf, "ran forward in %.2f s", seconds_since(started));
  note_ = buf;
  run.finish_if_over();
}

void Playback::step_to_message(LiveRun& run, NodeId node) {
  RunWatch& w = run.watch();
  w.watched = node;
  w.seen = false;
  // Bounded, so a node that never speaks again does not hang the window.
  uint64_t steps = 0;
  while (!w.seen && steps < 5'000'000 && run.step_event()) ++steps;
  w.watched = kNoNode;
  note_ = w.seen ? "node " + std::to_string(node) + ": next message after " + std::to_string(steps) + " events"
                 : "node " + std::to_string(node) + " sent or received nothing more";
  run.finish_if_over();
}

void Playback::draw_toolbar(LiveRun& run, NodeId selected, bool show_fps, float fps) {
  const bool over = run.result().has_value();
  if (ImGui::Button(playing ? "Pause" : "Play", {70, 0}) && !over) playing = !playing;
  ImGui::SameLine();
  if (ImGui::Button("Step event") && !over) {
    playing = false;
    run.step_event();
    run.finish_if_over();
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(selected == kNoNode || over);
  if (ImGui::Button(selected == kNoNode ? "Next msg of node (pin one)" : ("Next msg of node " + std::to_string(selected)).c_str())) {
    playing = false;
    step_to_message(run, selected);
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Restart")) seek(run, SimTime{0});
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  const bool go = ImGui::InputTextWithHint("##until", "e.g. 3.5s", until_text_, sizeof until_text_,
                                           ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Run until") || go) {
    std::string error;
    if (auto d = parse_duration(until_text_, &error); d && d->ns >= 0) {
      playing = false;
      seek(run, SimTime{d->ns});
    } else {
      note_ = "bad time \"" + std::string(until_text_) + "\": " + error;
    }
  }
  ImGui::SameLine();
  ImGui::Checkbox("As fast as possible", &max_speed);
  ImGui::SameLine();
  ImGui::BeginDisabled(max_speed);
  ImGui::SetNextItemWidth(180);
  float log_speed = static_cast<float>(std::log10(speed));
  char label[32];
  std::snprintf(label, sizeof label, "%gx", speed);
  if (ImGui::SliderFloat("speed (sim s / wall s)", &log_speed, -3, 3, label)) speed = std::pow(10.0, std::round(log_speed * 10) / 10);
  ImGui::EndDisabled();

  // Second line: where the run is.
  const double now_s = run.now().ns / 1e9, end_s = run.end().ns / 1e9;
  ImGui::Text("t = %.6f s of %.3f s   events %llu   seed %llu", now_s, end_s,
              static_cast<unsigned long long>(run.sim().events_processed()), static_cast<unsigned long long>(run.seed()));
  ImGui::SameLine();
  if (over) ImGui::TextColored({1, 0.85f, 0.3f, 1}, "  run %s, fingerprint %016llx", to_string(run.result()->status),
                               static_cast<unsigned long long>(run.result()->fingerprint));
  else if (behind_) ImGui::TextColored({1, 0.6f, 0.3f, 1}, "  falling behind: the simulation cannot keep this speed");
  if (show_fps) {
    ImGui::SameLine();
    ImGui::TextDisabled("  %.0f fps", fps);
  }
  ImGui::TextDisabled("Going back in time re-runs from 0 with the same seed and fast-forwards (exact: the run is deterministic).");
  if (!note_.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("  %s", note_.c_str());
  }
}

}  // namespace meshsim::viz
