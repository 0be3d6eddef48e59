// Ctrl-C (SIGINT) and SIGTERM during run, sweep and check: the first asks every running
// simulation to stop after its current batch of events, finish as usual and store what it
// measured as an 'interrupted' run; seeds not yet started are not run. A second signal
// ends the process at once (the database then shows the runs in flight as incomplete).
//
// The handler does nothing but record the signal (and _exit on the second), as async-signal
// safety demands. The work is done by whoever polls: the engine's progress callback (every
// 65,536 events), the end-of-run check ticker, the sweep workers between runs.
#pragma once

namespace meshsim::cli {

// Installs the handlers for SIGINT and SIGTERM. Call once, from main, before any run.
void install_interrupt_handlers();

// The signal that asked to stop (SIGINT or SIGTERM), or 0. The first caller to see it
// prints one line on stderr saying what happens next.
int interrupt_signal();

// The exit code of a command stopped by `signal`: 128 + the signal number, as a shell
// reports a process killed by it (130 for SIGINT, 143 for SIGTERM).
inline int interrupted_exit_code(int signal) { return 128 + signal; }

// "SIGINT" or "SIGTERM".
const char* signal_name(int signal);

}  // namespace meshsim::cli
