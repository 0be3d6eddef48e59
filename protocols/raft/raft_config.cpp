// Reads Raft's [protocol] section (README.md documents every key) and registers "raft".
#include "protocols/raft/raft_module.h"
#include "protocols/kv/workload_config.h"
#include "sim/scenario/config_section.h"

namespace meshsim::raft {


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
  p.election_timer_reset = s.get_enum("election_timer_reset", "paper", {"paper", "any-higher-term"}) == "paper"
                               ? ElectionTimerReset::paper
                               : ElectionTimerReset::any_higher_term;
  p.heartbeat = s.get_enum("heartbeat", "broadcast", {"broadcast", "per-follower"}) == "broadcast"
                    ? HeartbeatTiming::broadcast
                    : HeartbeatTiming::per_follower;
  p.leader_parallel_write = s.get_bool("leader_parallel_write", p.leader_parallel_write);
  p.batch_writes = s.get_bool("batch_writes", p.batch_writes);
  p.snapshot_threshold = static_cast<uint32_t>(s.get_int("snapshot_threshold", p.snapshot_threshold, 0, 100'000'000));
  std::string bug = s.get_enum("bug", "none", {"none", "commit-old-terms", "ignore-read-only"});
  p.bug = bug == "commit-old-terms" ? Bug::commit_old_terms : bug == "ignore-read-only" ? Bug::ignore_read_only : Bug::none;
  p.costs.receive = s.get_duration("cost_receive", p.costs.receive, true);
  p.costs.send = s.get_duration("cost_send", p.costs.send, true);
  p.costs.append_entry = s.get_duration("cost_append_entry", p.costs.append_entry, true);
  p.costs.apply_entry = s.get_duration("cost_apply_entry", p.costs.apply_entry, true);
  p.workload = kv::parse_workload(s);
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
                 std::string read_only_bug_error = s.error_text(
                     "bug", "ignore-read-only needs a module that provides read-only state ([[modules]] name = \"membership\")");
                 return std::make_unique<RaftModule>(std::move(p), std::move(size_error), std::move(read_only_bug_error));
               });
}

}  // namespace meshsim::raft
