#include "app/mpi/rank_transport.h"

#include <chrono>
#include <cstring>

namespace meshsim::mpi {

namespace {

Bytes to_bytes(std::vector<uint8_t>&& v) {
  Bytes b(v.size());
  if (!v.empty()) std::memcpy(b.data(), v.data(), v.size());
  return b;
}

std::vector<uint8_t> from_bytes(const Bytes& b) {
  std::vector<uint8_t> v(b.size());
  if (!b.empty()) std::memcpy(v.data(), b.data(), b.size());
  return v;
}

// Times one collective: each is where a rank waits for the slowest.
template <class F>
auto timed(double& total, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  auto result = f();
  total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

int64_t RankTransport::min_all(int64_t local_min) {
  return timed(wait_s_, [&] { return session_.all_reduce_min(local_min); });
}

std::vector<PartitionTransport::Buffers> RankTransport::exchange(std::vector<Buffers> out) {
  std::vector<Bytes> to_each(out.front().size());
  for (size_t d = 0; d < to_each.size(); ++d) to_each[d] = to_bytes(std::move(out.front()[d]));
  std::vector<Bytes> got = timed(wait_s_, [&] { return session_.all_to_all(to_each); });
  std::vector<Buffers> in(1);
  for (const Bytes& b : got) in.front().push_back(from_bytes(b));
  return in;
}

// Point to point to the root: a window's fingerprint records go only where they are
// folded (an all-gather would send each rank's to every rank).
PartitionTransport::Buffers RankTransport::gather(Buffers local) {
  constexpr int kTag = 0x5061;  // "Pa": partitioned-run records
  return timed(wait_s_, [&] {
    Buffers out;
    if (!session_.is_root()) {
      session_.send(0, kTag, to_bytes(std::move(local.front())));
      return out;
    }
    out.push_back(std::move(local.front()));
    for (int r = 1; r < session_.size(); ++r) out.push_back(from_bytes(session_.receive(r, kTag).bytes));
    return out;
  });
}

}  // namespace meshsim::mpi
