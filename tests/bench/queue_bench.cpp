// Event-queue microbenchmark: the classic hold model (pop the earliest event, push one at
// now + exp(mean)) at a constant population, for the 4-ary heap and the ladder queue in
// the same process. Prints ns per hold operation. Not a test: figures go to README.md.
//   build/release/tests/bench/queue_bench [population...]
// Time is the thread's CPU time, not wall time: on a shared machine (this project's has
// 2 cores and often a dozen runnable jobs) wall time mostly measures the other jobs, while
// CPU time still shows the queue's own work and cache misses.
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sim/event_queue.h"
#include "sim/rng.h"

using namespace meshsim;

static double thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

template <class Queue>
double hold_ns(size_t population, size_t operations, double mean_ns) {
  Queue q;
  Rng rng(42);
  std::vector<uint64_t> seq(1024, 0);
  auto draw = [&] { return static_cast<int64_t>(-std::log(1.0 - rng.unit()) * mean_ns); };
  for (size_t i = 0; i < population; ++i) {
    uint32_t origin = static_cast<uint32_t>(rng.below(1024));
    q.push(Event{draw(), seq[origin]++, origin, 0, 0, 0, EventKind::message, 0});
  }
  const double start = thread_cpu_ns();
  uint64_t checksum = 0;
  for (size_t i = 0; i < operations; ++i) {
    Event e = q.pop();
    checksum += e.seq();
    uint32_t origin = static_cast<uint32_t>(rng.below(1024));
    q.push(Event{e.time + 100 + draw(), seq[origin]++, origin, 0, 0, 0, EventKind::message, 0});
  }
  const double ns = thread_cpu_ns() - start;
  if (checksum == 42) std::puts("");  // keep the loop observable
  return ns / static_cast<double>(operations);
}

int main(int argc, char** argv) {
  std::vector<size_t> sizes = {16'000, 160'000, 1'600'000};
  if (argc > 1) {
    sizes.clear();
    for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoull(argv[i], nullptr, 10));
  }
  std::printf("%12s %14s %14s %8s\n", "population", "heap ns/hold", "ladder ns/hold", "ratio");
  for (size_t n : sizes) {
    size_t ops = 5'000'000;
    double heap = hold_ns<HeapQueue>(n, ops, 1000.0);
    double ladder = hold_ns<LadderQueue>(n, ops, 1000.0);
    std::printf("%12zu %14.1f %14.1f %8.2f\n", n, heap, ladder, heap / ladder);
  }
}
