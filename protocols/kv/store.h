// The replicated state machine: a map of integer registers (every key starts at 0) with
// client sessions, so that a command retried by its client is applied once (Raft thesis
// §6.3: "each client's last response is saved ... a duplicate is answered from the
// session, not re-executed"). Deterministic: ordered maps only.
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>

#include "protocols/kv/command.h"
#include "sim/rng.h"

namespace meshsim::kv {

class Store {
 public:
  // Applies `cmd` unless its session already holds a result for it; either way returns
  // the outcome the client must see.
  Outcome apply(const Command& cmd) {
    Session& s = sessions_[cmd.client];
    // Replies below first_outstanding reached the client: forget them (bounded sessions).
    s.results.erase(s.results.begin(), s.results.lower_bound(cmd.first_outstanding));
    if (auto it = s.results.find(cmd.seq); it != s.results.end()) {
      ++duplicates_;
      return it->second;
    }
    if (cmd.seq < cmd.first_outstanding || cmd.seq < s.forgotten_below) {
      // The client already has this reply and moved on; a late copy must not run again.
      ++duplicates_;
      return Outcome{};
    }
    s.forgotten_below = std::max(s.forgotten_below, cmd.first_outstanding);
    Outcome out = execute(cmd);
    s.results.emplace(cmd.seq, out);
    ++applied_;
    return out;
  }

  // The remembered outcome of (client, seq), if it ran and the client may still ask for it.
  const Outcome* result(uint32_t client, uint64_t seq) const {
    auto s = sessions_.find(client);
    if (s == sessions_.end()) return nullptr;
    auto it = s->second.results.find(seq);
    return it == s->second.results.end() ? nullptr : &it->second;
  }
  // Whether (client, seq) already ran, or the client told us it has the reply.
  bool seen(uint32_t client, uint64_t seq) const {
    auto s = sessions_.find(client);
    if (s == sessions_.end()) return false;
    return seq < s->second.forgotten_below || s->second.results.contains(seq);
  }

  int64_t get(uint32_t key) const {
    auto it = data_.find(key);
    return it == data_.end() ? 0 : it->second;
  }
  // Size of the store as a snapshot: each register and each remembered reply.
  size_t wire_bytes() const {
    size_t bytes = 16 + data_.size() * 12;
    for (const auto& [client, session] : sessions_) bytes += 12 + session.results.size() * 17;
    return bytes;
  }
  // A digest of the whole state a checkpoint certifies: registers and remembered replies
  // (a replica that installs the state must answer retried requests the same way).
  uint64_t digest() const {
    uint64_t h = 0x73746f7265ULL;
    auto mix = [&h](uint64_t v) { h = splitmix64_mix(h ^ (v + 0x9e3779b97f4a7c15ULL)); };
    for (const auto& [key, value] : data_) {
      mix(key);
      mix(static_cast<uint64_t>(value));
    }
    for (const auto& [client, session] : sessions_) {
      mix(client);
      mix(session.forgotten_below);
      for (const auto& [seq, out] : session.results) {
        mix(seq);
        mix(static_cast<uint64_t>(out.value) ^ (out.ok ? 1 : 0));
      }
    }
    return h;
  }
  uint64_t applied() const { return applied_; }
  uint64_t duplicates() const { return duplicates_; }
  bool operator==(const Store& o) const { return data_ == o.data_; }

 private:
  struct Session {
    std::map<uint64_t, Outcome> results;
    uint64_t forgotten_below = 0;
  };

  Outcome execute(const Command& cmd) {
    if (cmd.kind == OpKind::get) return Outcome{get(cmd.key), true};
    int64_t& v = data_[cmd.key];
    switch (cmd.kind) {
      case OpKind::get:
        break;
      case OpKind::put:
        v = cmd.value;
        return Outcome{v, true};
      case OpKind::cas:
        if (v != cmd.expected) return Outcome{v, false};
        v = cmd.value;
        return Outcome{v, true};
    }
    return Outcome{};
  }

  std::map<uint32_t, int64_t> data_;
  std::map<uint32_t, Session> sessions_;
  uint64_t applied_ = 0;
  uint64_t duplicates_ = 0;
};

}  // namespace meshsim::kv
