#include "app/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "app/interrupt.h"
#include "app/readable.h"
#include "sim/simulation.h"

namespace meshsim::cli {

namespace {

using Clock = std::chrono::steady_clock;

// A terminal line is cheap to rewrite; a log line every few seconds is what CI logs want.
Clock::duration interval(ProgressMode mode) {
  return mode == ProgressMode::terminal ? std::chrono::milliseconds(250) : plain_interval(std::chrono::seconds(5));
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

std::chrono::milliseconds plain_interval(std::chrono::milliseconds usual) {
  if (const char* every = std::getenv("MESHSIM_PROGRESS_EVERY_MS")) {
    long ms = std::strtol(every, nullptr, 10);
    if (ms > 0) return std::chrono::milliseconds(ms);
  }
  return usual;
}

ProgressMode progress_mode(bool wanted) {
  if (!wanted) return ProgressMode::off;
  return isatty(STDERR_FILENO) ? ProgressMode::terminal : ProgressMode::plain;
}

Progress::Progress(ProgressMode mode, std::string label, int64_t end_ns)
    : mode_(mode), label_(std::move(label)), end_ns_(end_ns), started_(Clock::now()), last_shown_(started_) {}

Progress::~Progress() { finish(); }

void Progress::show(const std::string& text) {
  std::lock_guard lock(print_);
  if (mode_ == ProgressMode::terminal) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());  // \033[K: clear what a longer line left
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
}

void Progress::update(const Simulation& sim) {
  if (sim.finishing() && !in_checks_) start_checks();
  if (mode_ == ProgressMode::off || in_checks_) return;
  auto now = Clock::now();
  if (now - last_shown_ < interval(mode_)) return;
  last_shown_ = now;
  double wall = seconds_since(started_);
  double done = end_ns_ > 0 ? static_cast<double>(sim.now().ns) / static_cast<double>(end_ns_) : 0;
  double events_per_s = wall > 0 ? static_cast<double>(sim.events_processed()) / wall : 0;
  std::string text = label_ + "  simulated " + format_readable(Duration{sim.now().ns}) + " of " +
                     format_readable(Duration{end_ns_}) + " (" + std::to_string(static_cast<int>(done * 100)) + " %)   " +
                     readable_count(static_cast<double>(sim.events_processed())) + " events   " +
                     readable_count(events_per_s) + " events/s";
  // The ETA assumes the rest runs at the pace so far: a guess, labelled as one.
  if (done > 0.01 && done < 1) text += "   about " + readable_seconds(wall / done - wall) + " left";
  show(text);
}

void Progress::start_checks() {
  in_checks_ = true;
  events_wall_s_ = seconds_since(started_);
  checks_started_ = Clock::now();
  // A run stopped by Ctrl-C wants its partial results stored, not a search of its history.
  if (interrupt_signal()) checks_.cancel = true;
  // A run long enough to have shown progress says at once that its events are done.
  if (mode_ == ProgressMode::plain && events_wall_s_ >= std::chrono::duration<double>(interval(mode_)).count())
    show(label_ + "  simulation done in " + readable_seconds(events_wall_s_) + "; end-of-run checks (history, linearizability) running");
  // The ticker runs even when nothing is shown (sweeps): it is also what passes a Ctrl-C
  // on to a search that may otherwise run for minutes.
  const Clock::duration every = mode_ == ProgressMode::off ? std::chrono::seconds(5) : interval(mode_);
  ticker_ = std::thread([this, every] {
    auto next = Clock::now() + every;
    for (;;) {
      // Naps of 50 ms (shorter when the interval is) to notice a Ctrl-C; finish() wakes the
      // nap at once, since a sweep of 20 ms runs would otherwise spend most of its wall
      // time waiting here (200 Raft chaos seeds: 11.5 s wall against 4.4 s of CPU).
      {
        std::unique_lock lock(ticker_mutex_);
        if (ticker_wake_.wait_for(lock, std::min<Clock::duration>(std::chrono::milliseconds(50), every),
                                  [this] { return stop_ticker_.load(); }))
          return;
      }
      if (interrupt_signal()) checks_.cancel = true;
      if (Clock::now() < next || mode_ == ProgressMode::off) continue;
      next += every;
      show(label_ + "  simulation done; end-of-run checks (history, linearizability) running for " +
           readable_seconds(seconds_since(checks_started_)) + checks_text());
    }
  });
}

std::string Progress::checks_text() const {
  // Zero keys: the checks have not reached the linearizability search yet (or have none).
  const uint64_t total = checks_.keys_total, done = checks_.keys_done;
  if (total == 0) return "";
  std::string text = ": linearizability " + std::to_string(done) + " of " + std::to_string(total) + " keys done";
  if (done < total)
    text += "; the current key at " + readable_count(static_cast<double>(checks_.states.load())) +
            " states (gives up at " + readable_count(static_cast<double>(checks_.states_budget.load())) + ")";
  return text;
}

void Progress::finish() {
  if (!in_checks_) {
    events_wall_s_ = seconds_since(started_);
    in_checks_ = true;
    checks_started_ = Clock::now();
  }
  if (checks_wall_s_ == 0) checks_wall_s_ = seconds_since(checks_started_);
  {
    std::lock_guard lock(ticker_mutex_);
    stop_ticker_ = true;
  }
  ticker_wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (mode_ == ProgressMode::terminal) {
    std::lock_guard lock(print_);
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  mode_ = ProgressMode::off;
}

}  // namespace meshsim::cli
