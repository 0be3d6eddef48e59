#include "app/interrupt.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace meshsim::cli {

namespace {

// Written only by the handler, read by any thread: a sig_atomic_t is read and written
// whole, and it only ever goes from 0 to a signal number once, so a reader sees either.
volatile std::sig_atomic_t g_signal = 0;
std::atomic<bool> g_announced{false};

extern "C" void on_stop_signal(int signal) {
  // The second Ctrl-C: the user does not want to wait for the results to be stored.
  if (g_signal != 0) _exit(interrupted_exit_code(signal));
  g_signal = signal;
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: a write to the database or a terminal interrupted by the signal resumes
  // instead of failing with EINTR; the runs notice the flag at their next poll.
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int interrupt_signal() {
  const int signal = g_signal;
  if (signal != 0 && !g_announced.exchange(true)) {
    std::fprintf(stderr, "\nmeshsim: %s: stopping the runs in progress and storing what they measured as "
                 "'interrupted' (send it again to quit at once)\n", signal_name(signal));
    std::fflush(stderr);
  }
  return signal;
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "signal";
  }
}

}  // namespace meshsim::cli
