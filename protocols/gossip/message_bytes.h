// Gossip messages as bytes, for a run partitioned over ranks (sim/partitioned_run.h): a
// RumorSet may own a heap block, so a message cannot be copied byte for byte. Each set is
// written as its count and ids; the other fields as they are.
#pragma once
#include <cstdint>
#include <cstring>
#include <variant>
#include <vector>

#include "protocols/gossip/messages.h"

namespace meshsim::gossip::bytes {

template <class T>
void put(std::vector<uint8_t>& out, T v) {
  const auto* b = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), b, b + sizeof(T));
}
template <class T>
T get(const uint8_t*& in) {
  T v;
  std::memcpy(&v, in, sizeof(T));
  in += sizeof(T);
  return v;
}
inline void put_set(std::vector<uint8_t>& out, const RumorSet& s) {
  put<uint32_t>(out, s.count());
  s.for_each([&](uint32_t id) { put<uint32_t>(out, id); });
}
inline RumorSet get_set(const uint8_t*& in) {
  RumorSet s;
  for (uint32_t n = get<uint32_t>(in); n > 0; --n) s.insert(get<uint32_t>(in));
  return s;
}

inline void write(const Message& m, std::vector<uint8_t>& out) {
  put<uint8_t>(out, static_cast<uint8_t>(m.index()));
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Push>) {
          put_set(out, v.rumors);
          put(out, v.payload_bytes);
          put<uint8_t>(out, v.want_feedback);
        } else if constexpr (std::is_same_v<T, PullRequest>) {
          put_set(out, v.digest);
        } else if constexpr (std::is_same_v<T, PushPull>) {
          put_set(out, v.rumors);
          put_set(out, v.digest);
          put(out, v.payload_bytes);
        } else {
          static_assert(std::is_same_v<T, Reply>);
          put_set(out, v.rumors);
          put_set(out, v.already_known);
          put(out, v.payload_bytes);
        }
      },
      m);
}

inline Message read(const uint8_t*& in) {
  switch (get<uint8_t>(in)) {
    case 0: {
      Push p;
      p.rumors = get_set(in);
      p.payload_bytes = get<uint16_t>(in);
      p.want_feedback = get<uint8_t>(in) != 0;
      return p;
    }
    case 1: {
      PullRequest r;
      r.digest = get_set(in);
      return r;
    }
    case 2: {
      PushPull p;
      p.rumors = get_set(in);
      p.digest = get_set(in);
      p.payload_bytes = get<uint16_t>(in);
      return p;
    }
    default: {
      Reply r;
      r.rumors = get_set(in);
      r.already_known = get_set(in);
      r.payload_bytes = get<uint16_t>(in);
      return r;
    }
  }
}

}  // namespace meshsim::gossip::bytes
