// [protocol] keys of the load-balancing module, its metrics and its registration.
// README.md documents the keys.
#include <memory>
#include <string>

#include "protocols/lb/lb_module.h"
#include "protocols/lb/speed_dist.h"
#include "protocols/lb/trace_file.h"
#include "sim/scenario/config_section.h"

namespace meshsim::lb {

Params parse_params(ConfigSection& s) {
  Params p;
  const std::string strategy = s.get_enum("strategy", "random", {"random", "round-robin", "power-of-d", "least-loaded", "work-stealing", "auction", "consistent-hash"});
  p.strategy = strategy == "round-robin"   ? Strategy::round_robin
               : strategy == "power-of-d"  ? Strategy::power_of_d
               : strategy == "least-loaded" ? Strategy::least_loaded
               : strategy == "work-stealing" ? Strategy::work_stealing
               : strategy == "auction"      ? Strategy::auction
               : strategy == "consistent-hash" ? Strategy::consistent_hash
                                            : Strategy::random;
  if (p.strategy != Strategy::power_of_d && p.strategy != Strategy::auction)
    s.reject_unused({"d", "probe_timeout"}, "unless strategy = \"power-of-d\" or \"auction\" (bidders)");
  if (p.strategy != Strategy::least_loaded)
    s.reject_unused({"gossip_interval", "view_size"}, "unless strategy = \"least-loaded\"");
  if (p.strategy != Strategy::work_stealing)
    s.reject_unused({"steal", "steal_from", "steal_interval"}, "unless strategy = \"work-stealing\"");
  p.steal_half = s.get_enum("steal", "half", {"half", "one"}) == "half";
  p.steal_from_neighbors = s.get_enum("steal_from", "anyone", {"anyone", "neighbors"}) == "neighbors";
  p.steal_interval = s.get_duration("steal_interval", Duration::millis(20));
  p.d = static_cast<uint32_t>(s.get_int("d", 2, 1, kMaxProbes));
  p.probe_timeout = s.get_duration("probe_timeout", Duration::millis(100));
  p.gossip_interval = s.get_duration("gossip_interval", Duration::millis(200));
  p.view_size = static_cast<uint32_t>(s.get_int("view_size", 8, 1, 1024));

  p.balls_into_bins = s.get_enum("mode", "tasks", {"tasks", "balls-into-bins"}) == "balls-into-bins";
  if (p.balls_into_bins) {
    if (p.strategy != Strategy::random && p.strategy != Strategy::power_of_d)
      s.fail("strategy", "mode = \"balls-into-bins\" places with random or power-of-d only");
    p.balls = static_cast<uint64_t>(s.get_int("balls", 0, 0, int64_t{1} << 40));
  } else {
    s.reject_unused({"balls"}, "unless mode = \"balls-into-bins\"");
  }

  parse_workload(s, p);  // arrivals, service, node_speed (lb_workload_config.cpp)
  p.arrival_rate_per_s = s.get_double("arrival_rate", 10.0, 0.0, 1e9);
  if (p.arrivals == ArrivalKind::on_off && p.arrival_rate_per_s <= 0)
    s.fail("arrival_rate", "must be > 0 with arrivals = \"on-off\" (the rate while on)");
  p.tasks_per_node = static_cast<uint32_t>(s.get_int("tasks_per_node", 0, 0, UINT32_MAX - 1));
  if (auto stop = s.get_optional_duration("arrivals_stop", /*allow_zero=*/true)) p.arrivals_stop = SimTime{} + *stop;
  const std::string size = s.get_enum("task_size", "exponential", {"constant", "exponential", "pareto"});
  p.size_kind = size == "constant" ? SizeKind::constant : size == "pareto" ? SizeKind::pareto : SizeKind::exponential;
  p.size_mean = s.get_duration("task_size_mean", Duration::millis(10));
  if (p.size_kind != SizeKind::pareto) s.reject_unused({"pareto_shape"}, "unless task_size = \"pareto\"");
  // alpha ≤ 1 has no mean, so "task_size_mean" would mean nothing.
  p.pareto_shape = s.get_double("pareto_shape", 2.0, 1.01, 100.0);
  p.capability_share = s.get_probability("capability_share", 0.0);
  p.required_capability = s.get_string("required_capability", "");
  if (p.capability_share > 0 && p.required_capability.empty())
    s.fail("capability_share", "needs required_capability, the capability those tasks need");
  if (p.capability_share == 0 && !p.required_capability.empty())
    s.fail("required_capability", "needs capability_share > 0, the share of tasks that need it");

  p.task_timeout = s.get_duration("task_timeout", Duration::seconds(2));
  p.max_attempts = static_cast<uint32_t>(s.get_int("max_attempts", 4, 1, 1000));
  p.check_interval = s.get_duration("check_interval", Duration::millis(100));
  p.queue_limit = static_cast<uint32_t>(s.get_int("queue_limit", 0, 0, 1 << 30));
  p.migrate_above = static_cast<uint32_t>(s.get_int("migrate_above", 0, 0, 1 << 30));
  if (p.migrate_above == 0) s.reject_unused({"migrate_below", "task_state_bytes"}, "unless migrate_above > 0 (migration is off)");
  p.migrate_below = static_cast<uint32_t>(s.get_int("migrate_below", 0, 0, 1 << 30));
  if (p.migrate_above > 0 && p.migrate_below >= p.migrate_above)
    s.fail("migrate_below", "must be below migrate_above (" + std::to_string(p.migrate_above) + "), or tasks would bounce");
  p.task_state_bytes = static_cast<uint32_t>(s.get_int("task_state_bytes", 0, 0, 1 << 24));
  p.hotspot_factor = s.get_double("hotspot_factor", 2.0, 1.0, 1e6);
  const std::string bug = s.get_enum("bug", "none", {"none", "commit-duplicates", "forget-timed-out", "ignore-capabilities", "ring-replicas-short"});
  p.bug = bug == "commit-duplicates"     ? Bug::commit_duplicates
          : bug == "forget-timed-out"    ? Bug::forget_timed_out
          : bug == "ignore-capabilities" ? Bug::ignore_capabilities
          : bug == "ring-replicas-short" ? Bug::ring_replicas_short
                                         : Bug::none;
  parse_keyed(s, p);
  s.finish();
  return p;
}

std::vector<MetricInfo> lb_metrics() {
  return {
      {"lb_tasks_submitted", "tasks that arrived at their submitters"},
      {"lb_tasks_completed", "tasks whose completion the submitter accepted (each exactly once)"},
      {"lb_tasks_lost", "tasks reported lost, every reason"},
      {"lb_tasks_lost_timeout", "lost: every one of max_attempts placements timed out"},
      {"lb_tasks_lost_rejected", "lost: every one of max_attempts placements met a full queue"},
      {"lb_tasks_lost_no_eligible", "lost: no node has the required capabilities"},
      {"lb_tasks_lost_submitter_crash", "lost: the submitter crashed while waiting for them"},
      {"lb_tasks_in_flight_end", "tasks still outstanding at their submitters when the run ended"},
      {"lb_tasks_resubmitted", "placements after a timeout (crashed, partitioned, slow or Byzantine worker)"},
      {"lb_tasks_duplicated", "completions of an already accepted task: counted and suppressed"},
      {"lb_tasks_rejected", "placements refused by a full queue and placed again"},
      {"lb_tasks_dropped_by_crash", "queued or running tasks a worker's crash destroyed"},
      {"lb_tasks_with_capabilities", "tasks that required a capability"},
      {"lb_messages_per_task", "messages sent in the module per completed task"},
      {"lb_migrations", "tasks moved from one worker's queue to another's (work stealing, threshold migration)"},
      {"lb_migration_bytes", "bytes of the messages that moved them"},
      {"lb_migrations_per_s", "migrations per second of the run"},
      {"lb_throughput_tasks_per_s", "completed tasks per second, first arrival to last completion"},
      {"lb_load_cv_mean", "coefficient of variation of the load (queue length) over up nodes, mean over samples"},
      {"lb_load_variance_mean", "variance of the load over up nodes, mean over samples"},
      {"lb_load_max_over_mean", "max load / mean load, mean over samples"},
      {"lb_hotspots_mean", "nodes with load above hotspot_factor × mean, mean over samples"},
      {"lb_load_peak", "the largest queue any node had at a sample"},
      {"lb_utilisation_mean", "share of the run a node's CPU served tasks, mean over nodes"},
      {"lb_utilisation_max", "the busiest node's utilisation"},
      {"lb_hotspots_utilisation", "nodes whose utilisation over the run exceeds hotspot_factor × the mean utilisation"},
      {"lb_sojourn_ns", "submission to accepted completion, per completed task", MetricKind::histogram},
      {"lb_slowdown", "sojourn / the task's own service time, per completed task", MetricKind::histogram},
      {"lb_bins_max_load", "balls-into-bins: the maximum number of balls in one bin"},
      {"lb_bins_max_load_theory", "balls-into-bins: leading term, ln n/ln ln n (d = 1) or ln ln n/ln d (ABKU 1994)"},
      {"lb_bins_balls", "balls-into-bins: balls placed"},
      {"lb_bins_d", "balls-into-bins: choices per ball"},
      {"lb_ring_joins_leaves", "consistent-hash: joins and leaves that changed the ring"},
      {"lb_ring_keys_moved_total", "consistent-hash: keys whose owner changed, summed over joins and leaves"},
      {"lb_ring_copies_moved_total", "consistent-hash: new (key, replica) assignments, summed over joins and leaves"},
      {"lb_ring_keys_moved_over_ideal", "consistent-hash: keys moved / the ideal K/N, summed over joins and leaves"},
      {"lb_ring_keys_lost", "consistent-hash: keys whose every copy was destroyed (by at least r failures)"},
      {"lb_ring_key_transfers", "consistent-hash: copies taken by fetch or handoff after the initial load"},
      {"lb_ring_served_by_replica", "consistent-hash: keyed tasks a replica, not the owner, accepted"},
      {"lb_ring_settled", "consistent-hash: 1 if the ring was quiet long enough at the end for the placement check"},
      {"lb_ring_keys_moved", "consistent-hash: keys whose owner changed, at each join or leave", MetricKind::series},
      {"lb_ring_keys_moved_ideal", "consistent-hash: K/N, the ideal keys moved, at each join or leave", MetricKind::series},
      {"lb_ring_copies_moved", "consistent-hash: new (key, replica) assignments, at each join or leave", MetricKind::series},
      {"lb_ring_members", "consistent-hash: nodes on the ring after each join or leave", MetricKind::series},
      {"lb_load_mean", "mean load over up nodes", MetricKind::series},
      {"lb_load_max", "max load over up nodes", MetricKind::series},
      {"lb_load_variance", "variance of the load over up nodes", MetricKind::series},
      {"lb_load_cv", "coefficient of variation of the load", MetricKind::series},
      {"lb_hotspots", "nodes above hotspot_factor × mean load", MetricKind::series},
      {"lb_utilisation", "the node's CPU utilisation (every node up to 10,000, an even sample above)", MetricKind::node},
      {"lb_load", "the node's queue length over time", MetricKind::node_series},
  };
}

void register_lb(ModuleRegistry& registry) {
  registry.add(
      "lb",
      "load balancing of a task workload: random, round-robin, power-of-d choices (Mitzenmacher 2001), "
      "least-loaded over gossiped stale loads, work stealing (Blumofe & Leiserson 1999), contract-net auction (Smith 1980), "
      "consistent hashing with virtual nodes and r replicas (Karger et al. 1997); threshold migration; capability routing; balls-into-bins mode; "
      "Poisson, on/off, batch or trace arrivals; FIFO or processor-sharing service; per-node speed distributions",
      [](ConfigSection& s) -> std::unique_ptr<Module> {
        Params p = parse_params(s);
        std::string capability_error =
            s.error_text("required_capability", "no node has capability \"" + p.required_capability +
                                                    "\" ([[nodes.attributes]] capabilities)");
        return std::make_unique<LbModule>(std::move(p), capability_error);
      });
}

}  // namespace meshsim::lb
