#include "sim/shrink/ddmin.h"

#include <algorithm>

namespace meshsim::shrink {

namespace {

// `items` cut into `parts` chunks of nearly equal size, in order.
std::vector<std::vector<size_t>> split(const std::vector<size_t>& items, size_t parts) {
  std::vector<std::vector<size_t>> chunks;
  size_t start = 0;
  for (size_t i = 0; i < parts; ++i) {
    size_t end = start + (items.size() - start) / (parts - i);
    chunks.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(start), items.begin() + static_cast<std::ptrdiff_t>(end));
    start = end;
  }
  return chunks;
}

std::vector<size_t> without(const std::vector<size_t>& items, const std::vector<size_t>& chunk) {
  std::vector<size_t> out;
  std::set_difference(items.begin(), items.end(), chunk.begin(), chunk.end(), std::back_inserter(out));
  return out;
}

}  // namespace

std::vector<size_t> ddmin(size_t count, const std::function<bool(const std::vector<size_t>&)>& fails) {
  if (count == 0 || fails({})) return {};
  std::vector<size_t> current(count);
  for (size_t i = 0; i < count; ++i) current[i] = i;
  size_t granularity = 2;
  while (current.size() >= 2) {
    granularity = std::min(granularity, current.size());
    const std::vector<std::vector<size_t>> chunks = split(current, granularity);
    bool reduced = false;
    // Reduce to a complement: keep granularity - 1 chunks (one fewer, at least 2).
    for (const auto& chunk : chunks) {
      std::vector<size_t> rest = without(current, chunk);
      if (fails(rest)) {
        current = std::move(rest);
        granularity = std::max<size_t>(granularity - 1, 2);
        reduced = true;
        break;
      }
    }
    // Reduce to a subset: one chunk alone fails; start again from two halves of it. With two
    // chunks a subset is the other one's complement, already tried.
    if (!reduced && granularity > 2) {
      for (const auto& chunk : chunks) {
        if (fails(chunk)) {
          current = chunk;
          granularity = 2;
          reduced = true;
          break;
        }
      }
    }
    if (reduced) continue;
    // Nothing smaller fails at this granularity: refine, or stop when every chunk is a
    // single element (then every one-element removal was tried: the list is 1-minimal).
    if (granularity >= current.size()) break;
    granularity = std::min(granularity * 2, current.size());
  }
  // One element left: the empty list was tried first, so it is 1-minimal too.
  return current;
}

}  // namespace meshsim::shrink
