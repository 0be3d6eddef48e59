// The latency of one dependent load at working sets from L1 to far past the last-level
// cache, measured on this machine: the physical limit the engine's per-event cache misses
// are charged at (tests/bench/README.md, "Where PHOLD's time goes").
//
// Method: a pointer chase through one random cyclic permutation of 64-byte cells (Sattolo's
// algorithm), so every load depends on the one before and the hardware prefetcher cannot
// guess the next line. ns per load = wall time / loads. With --huge the array is madvised
// for transparent huge pages, which separates cache misses from TLB misses.
//
// Usage: memory_latency [--huge] [--max-mib M]   (default sizes 16 KiB .. 1 GiB)
// Written by hand because no Debian-packaged tool prints this figure (lmbench's lat_mem_rd
// is not packaged for Debian 12).
#include <sys/mman.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct alignas(64) Cell {
  Cell* next;
  char pad[56];
};

double chase_ns_per_load(size_t bytes, bool huge) {
  const size_t cells = bytes / sizeof(Cell);
  void* raw = nullptr;
  if (posix_memalign(&raw, 2 << 20, cells * sizeof(Cell)) != 0) return -1;
  if (huge) madvise(raw, cells * sizeof(Cell), MADV_HUGEPAGE);
  Cell* a = static_cast<Cell*>(raw);
  std::vector<uint32_t> order(cells);
  for (size_t i = 0; i < cells; ++i) order[i] = static_cast<uint32_t>(i);
  std::mt19937_64 rng(42);
  // Sattolo: one cycle through every cell.
  for (size_t i = cells - 1; i > 0; --i) std::swap(order[i], order[std::uniform_int_distribution<size_t>(0, i - 1)(rng)]);
  for (size_t i = 0; i < cells; ++i) a[order[i]].next = &a[order[(i + 1) % cells]];
  order.clear();
  order.shrink_to_fit();
  const uint64_t loads = std::max<uint64_t>(4 * cells, 20'000'000);
  Cell* p = a;
  for (size_t i = 0; i < cells; ++i) p = p->next;  // warm the caches and the page tables
  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < loads; ++i) {
    p = p->next;
    // An empty asm that "uses" p: without it the compiler may move the chase of memory no
    // one else sees past the clock reads, and time nothing.
    asm volatile("" : "+r"(p));
  }
  auto stop = std::chrono::steady_clock::now();
  free(raw);
  return std::chrono::duration<double, std::nano>(stop - start).count() / static_cast<double>(loads);
}

}  // namespace

int main(int argc, char** argv) {
  bool huge = false;
  size_t max_mib = 1024;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--huge")) huge = true;
    else if (!std::strcmp(argv[i], "--max-mib") && i + 1 < argc) max_mib = std::stoul(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--huge] [--max-mib M]\n", argv[0]);
      return 2;
    }
  }
  std::printf("%-12s %s\n", "working set", huge ? "ns/load (transparent huge pages)" : "ns/load (4 KiB pages)");
  for (size_t bytes = 16 << 10; bytes <= (max_mib << 20); bytes *= 4) {
    const double ns = chase_ns_per_load(bytes, huge);
    if (bytes < (1 << 20)) std::printf("%7zu KiB  %6.1f\n", bytes >> 10, ns);
    else std::printf("%7zu MiB  %6.1f\n", bytes >> 20, ns);
    std::fflush(stdout);
  }
}
