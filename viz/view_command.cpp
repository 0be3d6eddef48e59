// `meshsim view`: opens the window over a live run, or, with --screenshot / --frames,
// plays a scripted session (faults from --apply, then --until) and exits, printing the
// fingerprint and the frame rate: what the tests and the README's screenshot use.
#include "viz/view_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <vector>

#include "sim/errors.h"
#include "sink/results_db.h"
#include "viz/live_run.h"
#include "viz/replay.h"
#include "viz/screenshot.h"
#include "viz/viewer.h"
#include "viz/window.h"

namespace meshsim::viz {

namespace {

RunSource source_of(const ViewOptions& o) {
  if (o.run_id != 0) {
    if (!o.scenario.empty()) throw ScenarioError("give a scenario file or --run ID, not both");
    RunSource s = recorded_run(o.db, o.run_id);
    if (o.seed) s.seed = o.seed;
    s.sets.insert(s.sets.end(), o.sets.begin(), o.sets.end());
    return s;
  }
  if (o.scenario.empty()) throw ScenarioError("give a scenario file, or --run ID to replay a recorded run");
  std::ifstream in(o.scenario);
  if (!in) throw ScenarioError(o.scenario + ": cannot read the scenario file");
  std::stringstream text;
  text << in.rdbuf();
  return RunSource{o.scenario, text.str(), o.seed, o.sets};
}

SimTime parse_until(const std::string& text, SimTime end) {
  if (text == "end") return end;
  std::string error;
  auto d = parse_duration(text, &error);
  if (!d || d->ns < 0) throw ScenarioError("--until \"" + text + "\": expected a time like 3s or 250ms, or \"end\" (" + error + ")");
  return SimTime{std::min(d->ns, end.ns)};
}

// The scripted faults, checked before any window opens: bad input is exit 2 even
// where no display is available.
std::vector<UiFault> parse_scripted(const ViewOptions& o, const LiveRun& run) {
  std::vector<UiFault> out;
  for (const std::string& text : o.apply) {
    out.push_back(parse_apply(text, run.sim().node_count()));
    if (out.size() > 1 && out.back().at < out[out.size() - 2].at)
      throw ScenarioError("--apply \"" + text + "\": faults must be given in time order");
  }
  return out;
}

// Applies the scripted faults, each at its moment, through the same path a click takes
// (FaultTools::apply -> LiveRun::apply).
void apply_scripted(const std::vector<UiFault>& faults, LiveRun& run, Viewer& viewer) {
  for (const UiFault& f : faults) {
    run.seek(f.at);
    if (!viewer.faults.apply(run, f)) throw ScenarioError("--apply \"" + describe(f) + "\": " + viewer.faults.message);
  }
}

// Where a frame's wall time goes, per phase, so a slow frame rate can be pinned on the
// simulation, on building the picture (our code), or on the GL driver rasterising it (the
// software renderer under Xvfb, where a real GPU would take almost nothing).
struct FramePhases {
  std::vector<double> simulate_s, build_s, render_s;
  std::vector<double> vertices;  // what the GL driver is handed per frame

  // The q-quantile in milliseconds (nearest rank).
  static double quantile_ms(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    const auto k = static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + k, v.end());
    return v[static_cast<size_t>(k)] * 1e3;
  }
};

void print_exit_report(const LiveRun& run, const Viewer& viewer, int frames, double wall_s, const FramePhases& phases) {
  char line[256];
  std::snprintf(line, sizeof line, "view: t = %lld ns, %llu events, %u nodes, %zu messages in flight (%zu drawn)%s\n",
                static_cast<long long>(run.now().ns), static_cast<unsigned long long>(run.sim().events_processed()),
                run.sim().node_count(), viewer.stats().messages_in_flight, viewer.stats().messages_drawn,
                viewer.stats().coarse ? ", coarse drawing" : "");
  std::cout << line;
  std::snprintf(line, sizeof line, "frames: %d in %.2f s (%.1f fps)\n", frames, wall_s, wall_s > 0 ? frames / wall_s : 0.0);
  std::cout << line;
  std::snprintf(line, sizeof line,
                "frame time, median / 90th percentile: simulate %.1f / %.1f ms, build %.1f / %.1f ms, "
                "render %.1f / %.1f ms\n",
                FramePhases::quantile_ms(phases.simulate_s, 0.5), FramePhases::quantile_ms(phases.simulate_s, 0.9),
                FramePhases::quantile_ms(phases.build_s, 0.5), FramePhases::quantile_ms(phases.build_s, 0.9),
                FramePhases::quantile_ms(phases.render_s, 0.5), FramePhases::quantile_ms(phases.render_s, 0.9));
  std::cout << line;
  std::snprintf(line, sizeof line, "vertices per frame (median): %.0f\n", FramePhases::quantile_ms(phases.vertices, 0.5) / 1e3);
  std::cout << line;
  if (run.result()) {
    // The same line `meshsim run` prints, so a test can compare the two directly.
    std::snprintf(line, sizeof line, "  status       %s\n  fingerprint  %016llx\n", to_string(run.result()->status),
                  static_cast<unsigned long long>(run.result()->fingerprint));
  } else {
    std::snprintf(line, sizeof line, "  status       running (stopped at %lld ns)\n  fingerprint so far  %016llx\n",
                  static_cast<long long>(run.now().ns), static_cast<unsigned long long>(run.sim().fingerprint()));
  }
  std::cout << line;
}

int run_window(const ViewOptions& o, LiveRun& run, const std::vector<UiFault>& faults, std::optional<SimTime> until) {
  const bool scripted = !o.screenshot.empty() || o.frames > 0;
  std::unique_ptr<Window> window;
  try {
    window = std::make_unique<Window>(o.width, o.height, "meshsim view - " + run.scenario().name);
  } catch (const std::runtime_error& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 3;
  }
  Viewer viewer(run, window->sprites());
  apply_scripted(faults, run, viewer);
  if (until) viewer.playback.seek(run, *until);
  // A scripted session without --until plays in real time (how frame rates are measured);
  // with it, the picture is held at that time. Screenshots leave out the frame rate, so
  // a replay and a live run at the same time give the same image.
  viewer.playback.playing = scripted && o.until.empty();
  viewer.show_fps = o.screenshot.empty();
  if (scripted) window->set_vsync(false);
  // Two frames at least before a screenshot: the first one lays the windows out.
  const int frames_wanted = o.frames > 0 ? o.frames : 2;
  int frames = 0;
  auto started = std::chrono::steady_clock::now(), last = started;
  float fps = 0;
  FramePhases phases;
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  while (!window->should_close()) {
    auto now = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(now - last).count();
    last = now;
    if (dt > 0) fps = fps == 0 ? static_cast<float>(1 / dt) : fps * 0.95f + 0.05f * static_cast<float>(1 / dt);
    window->begin_frame();
    int w = 0, h = 0;
    window->framebuffer_size(w, h);
    const auto build_started = Clock::now();
    viewer.frame(w, h, frames == 0 ? 0.0 : dt, fps);
    const double build_s = since(build_started);
    phases.simulate_s.push_back(viewer.playback.last_tick_s());
    phases.build_s.push_back(build_s - viewer.playback.last_tick_s());
    const auto render_started = Clock::now();
    window->render();
    phases.vertices.push_back(window->vertices_drawn());
    ++frames;
    if (scripted && frames >= frames_wanted) {
      if (!o.screenshot.empty() && !save_screenshot(o.screenshot, w, h)) {
        std::cerr << "meshsim: cannot write the screenshot " << o.screenshot << std::endl;
        return 2;
      }
      break;
    }
    window->present();
    // glFinish-free: the swap waits for the rasteriser, so render + present is its cost.
    phases.render_s.push_back(since(render_started));
  }
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!o.dump_layout.empty()) {
    std::ofstream out(o.dump_layout);
    out << viewer.layout_dump();
    if (!out) {
      std::cerr << "meshsim: cannot write " << o.dump_layout << std::endl;
      return 2;
    }
  }
  if (!o.save.empty() && !viewer.faults.save(run, o.save)) {
    std::cerr << "meshsim: " << viewer.faults.message << std::endl;
    return 2;
  }
  if (scripted) print_exit_report(run, viewer, frames, wall_s, phases);
  return 0;
}

}  // namespace

int view_command(const ViewOptions& o, const ModuleRegistry& registry) {
  try {
    if (o.frames < 0) throw ScenarioError("--frames must be at least 1");
    std::unique_ptr<LiveRun> run = std::make_unique<LiveRun>(source_of(o), registry);
    std::optional<SimTime> until;
    if (!o.until.empty()) until = parse_until(o.until, run->end());
    return run_window(o, *run, parse_scripted(o, *run), until);
  } catch (const ScenarioError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  } catch (const ResultsError& e) {
    std::cerr << "meshsim: " << e.what() << std::endl;
    return 2;
  }
}

}  // namespace meshsim::viz
