// Reads Raft's [protocol] section (README.md documents every key) and registers "raft".
#include "protocols/raft/raft_module.h"
#include "sim/config_section.h"

namespace meshsim::raft {

namespace {

kv::WorkloadParams parse_workload(ConfigSection& s) {
  kv::WorkloadParams w;
  w.keys = static_cast<uint32_t>(s.get_int("keys", w.keys, 1, 1'000'000));
  w.get_share = s.get_probability("get_share", w.get_share);
  w.cas_share = s.get_probability("cas_share", w.cas_share);
  if (w.get_share + w.cas_share > 1.0) s.fail("cas_share", "get_share + cas_share must not exceed 1 (the rest are puts)");
  w.open_loop = s.get_enum("loop", "closed", {"closed", "open"}) == "open";
  w.think = s.get_duration("think_time", w.think, true);
  w.rate_per_s = s.get_double("rate", w.rate_per_s, 1e-6, 1e6);
  if (!w.open_loop && s.has("rate")) s.fail("rate", "has no effect in a closed loop (set loop = \"open\")");
  if (w.open_loop && s.has("think_time")) s.fail("think_time", "has no effect in an open loop");
  w.max_ops = static_cast<uint32_t>(s.get_int("max_ops", 0, 0, 100'000'000));
  w.request_timeout = s.get_duration("request_timeout", w.request_timeout);
  w.start = s.get_duration("workload_start", w.start, true);
  return w;
}

}  // namespace

Params parse_params(ConfigSection& s) {
  Params p;
  p.servers = static_cast<uint32_t>(s.get_int("servers", p.servers, 1, 1000));
  p.initial_servers = static_cast<uint32_t>(s.get_int("initial_servers", p.servers, 1, p.servers));
  p.election_timeout_min = s.get_duration("election_timeout_min", p.election_timeout_min);
  p.election_timeout_max = s.get_duration("election_timeout_max", p.election_timeout_max);
  if (p.election_timeout_max < p.election_timeout_min)
    s.fail("election_timeout_max", "must not be below election_timeout_min (" +
                                       format_duration(p.election_timeout_min) + ")");
  p.heartbeat_interval = s.get_duration("heartbeat_interval", p.heartbeat_interval);
  if (p.heartbeat_interval >= p.election_timeout_min)
    s.fail("heartbeat_interval", "must be below election_timeout_min (" + format_duration(p.election_timeout_min) +
                                     "), or followers time out between heartbeats");
  p.max_entries_per_append = static_cast<uint32_t>(s.get_int("max_entries_per_append", p.max_entries_per_append, 1, 1'000'000));
  p.max_inflight = static_cast<uint32_t>(s.get_int("max_inflight", p.max_inflight, 1, 1024));
  p.pre_vote = s.get_bool("pre_vote", p.pre_vote);
  p.check_quorum = s.get_bool("check_quorum", p.check_quorum);
  p.noop_on_election = s.get_bool("noop_on_election", p.noop_on_election);
  p.snapshot_threshold = static_cast<uint32_t>(s.get_int("snapshot_threshold", p.snapshot_threshold, 0, 100'000'000));
  p.bug = s.get_enum("bug", "none", {"none", "commit-old-terms"}) == "commit-old-terms" ? Bug::commit_old_terms : Bug::none;
  p.workload = parse_workload(s);
  s.finish();
  return p;
}

void register_raft(ModuleRegistry& registry) {
  registry.add("raft",
               "Raft consensus (Ongaro & Ousterhout 2014) replicating a key-value store, with client workload, "
               "safety checkers and a linearizability check",
               [](ConfigSection& s) -> std::unique_ptr<Module> {
                 Params p = parse_params(s);
                 std::string size_error = s.error_text(
                     "servers", std::to_string(p.servers) + " servers need at least that many nodes (topology.nodes); "
                                "nodes beyond the servers are clients");
                 return std::make_unique<RaftModule>(std::move(p), std::move(size_error));
               });
}

}  // namespace meshsim::raft
