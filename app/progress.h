// What a person waiting for a run sees. On a terminal: one line rewritten a few times a
// second with the share of simulated time done, events/s and an ETA. Piped or in CI: a
// plain line every few seconds on stderr, so a long run is never silent. During the
// end-of-run checks (a linearizability search can take many minutes) a ticker thread says
// they are running, for how long, and how far the search got (the checker publishes that
// in a CheckProgress); it also passes a Ctrl-C on to the search as a request to stop.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "sim/check_progress.h"

namespace meshsim {
class Simulation;
}

namespace meshsim::cli {

enum class ProgressMode { off, terminal, plain };

// How often a plain (piped) progress line is printed: `usual`, unless the environment
// variable MESHSIM_PROGRESS_EVERY_MS says otherwise (the CLI tests use it).
std::chrono::milliseconds plain_interval(std::chrono::milliseconds usual);

// Off with --quiet or --no-progress; terminal when stderr is one; plain otherwise.
ProgressMode progress_mode(bool wanted);

class Progress {
 public:
  Progress(ProgressMode mode, std::string label, int64_t end_ns);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Called by the engine during the run (see Simulation::run); cheap when not due.
  void update(const Simulation& sim);
  // Stops showing anything and clears the terminal line; records the phase times.
  void finish();

  // Where the end-of-run checks report how far they got: hand it to Metrics::watch_checks.
  CheckProgress& checks() { return checks_; }

  // Wall time of the event loop alone, and of the end-of-run checks.
  double events_wall_s() const { return events_wall_s_; }
  double checks_wall_s() const { return checks_wall_s_; }

 private:
  void show(const std::string& text);
  void start_checks();
  std::string checks_text() const;

  ProgressMode mode_;
  std::string label_;
  int64_t end_ns_;
  std::chrono::steady_clock::time_point started_, last_shown_, checks_started_;
  double events_wall_s_ = 0, checks_wall_s_ = 0;
  bool in_checks_ = false;
  CheckProgress checks_;
  std::mutex print_;
  std::atomic<bool> stop_ticker_{false};
  std::mutex ticker_mutex_;               // guards the stop flag's change, for ticker_wake_
  std::condition_variable ticker_wake_;
  std::thread ticker_;
};

}  // namespace meshsim::cli
