#include "app/batch_status.h"

#include <algorithm>
#include <cstdio>

#include "app/readable.h"

namespace meshsim::cli {

BatchStatus::BatchStatus(ProgressMode mode, size_t total, unsigned slots)
    : mode_(mode), total_(total), slots_(slots), started_(Clock::now()) {
  if (mode_ == ProgressMode::off) return;
  ticker_ = std::thread([this] {
    auto every = mode_ == ProgressMode::terminal ? std::chrono::milliseconds(500) : plain_interval(std::chrono::seconds(10));
    auto next = Clock::now() + every;
    while (!stop_) {
      // Short naps so that stopping is prompt; shorter still when the interval is.
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(50), every));
      if (Clock::now() < next) continue;
      next += every;
      tick();
    }
  });
}

BatchStatus::~BatchStatus() {
  stop_ = true;
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard lock(mutex_);
  clear_line();
}

void BatchStatus::started(unsigned slot, const std::string& name) {
  std::lock_guard lock(mutex_);
  slots_[slot] = Slot{name, Clock::now(), true};
}

void BatchStatus::ended(unsigned slot) {
  std::lock_guard lock(mutex_);
  slots_[slot].busy = false;
  ++done_;
}

void BatchStatus::clear_line() {
  if (mode_ == ProgressMode::terminal) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

std::string BatchStatus::bar_and_eta(Clock::time_point now) const {
  constexpr size_t kWidth = 20;
  size_t filled = total_ ? done_ * kWidth / total_ : 0;
  std::string out = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
  // The ETA assumes the runs still to come take as long as the ones done so far: true of a
  // sweep (one scenario, many seeds), rough for a check of mixed scenarios, and not
  // shown before the first run ends.
  if (done_ > 0 && done_ < total_) {
    double elapsed = std::chrono::duration<double>(now - started_).count();
    out += "ETA " + readable_seconds(elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_)) + ", ";
  }
  return out;
}

void BatchStatus::tick() {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  std::string running;
  for (const Slot& s : slots_) {
    if (!s.busy) continue;
    double seconds = std::chrono::duration<double>(now - s.since).count();
    // A log line only for the slow ones.
    if (mode_ == ProgressMode::plain && seconds < std::chrono::duration<double>(plain_interval(std::chrono::seconds(10))).count()) continue;
    running += (running.empty() ? "" : ", ") + s.name + " (" + readable_seconds(seconds) + ")";
  }
  if (running.empty()) return;
  std::string line = bar_and_eta(now) + std::to_string(done_) + " of " + std::to_string(total_) + " done; running: " + running;
  if (mode_ == ProgressMode::terminal) {
    std::fprintf(stderr, "\r\033[K  %s", line.c_str());
  } else {
    std::fprintf(stderr, "  %s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace meshsim::cli
