// [protocol] keys of the membership module in HyParView mode (view = "hyparview"), its
// metrics, and the factory the membership registration calls. README.md documents the keys.
#include <algorithm>
#include <memory>
#include <string>

#include "protocols/membership/config_common.h"
#include "protocols/membership/hyparview_module.h"
#include "sim/scenario/config_section.h"

namespace meshsim::membership::hyparview {

Params parse_params(ConfigSection& s) {
  Params p;
  read_seeds(s, p.seeds);
  // Keys of the full-list mode have no meaning here: say so rather than "unknown key".
  for (const char* key : {"detector", "period", "ping_timeout", "indirect_k", "suspicion_timeout", "quorum", "phi_threshold",
                          "monitors", "phi_min_std", "retransmit_mult", "max_piggyback", "sync_interval", "leave_fanout",
                          "completeness_bound", "check_completeness", "check_accuracy"})
    if (s.has(key)) s.fail(key, "belongs to view = \"full\" (HyParView has no such setting)");
  p.active_size = static_cast<uint32_t>(s.get_int("active_size", p.active_size, 1, 64));
  p.passive_size = static_cast<uint32_t>(s.get_int("passive_size", p.passive_size, 1, 1024));
  p.arwl = static_cast<uint32_t>(s.get_int("arwl", p.arwl, 1, 64));
  p.prwl = static_cast<uint32_t>(s.get_int("prwl", p.prwl, 0, 64));
  // §4.2: the passive copy is left on the way, so the walk must reach TTL = PRWL.
  if (p.prwl > p.arwl)
    s.fail("prwl", "is " + std::to_string(p.prwl) + " but the walk starts at arwl = " + std::to_string(p.arwl) +
                       ": no passive copy would ever be left (prwl must be at most arwl)");
  p.shuffle_period = s.get_duration("shuffle_period", p.shuffle_period);
  at_least(s, "shuffle_period", p.shuffle_period, Duration::millis(10));
  p.shuffle_ka = static_cast<uint32_t>(s.get_int("shuffle_ka", p.shuffle_ka, 0, 64));
  p.shuffle_kp = static_cast<uint32_t>(s.get_int("shuffle_kp", p.shuffle_kp, 0, 1024));
  if (p.shuffle_ka > p.active_size)
    s.fail("shuffle_ka", "is " + std::to_string(p.shuffle_ka) + " but the active view holds at most active_size = " +
                             std::to_string(p.active_size));
  if (p.shuffle_kp > p.passive_size)
    s.fail("shuffle_kp", "is " + std::to_string(p.shuffle_kp) + " but the passive view holds at most passive_size = " +
                             std::to_string(p.passive_size));
  p.heartbeat_period = s.get_duration("heartbeat_period", p.heartbeat_period);
  at_least(s, "heartbeat_period", p.heartbeat_period, Duration::millis(1));
  p.link_timeout = s.get_duration("link_timeout", p.link_timeout);
  if (p.link_timeout <= p.heartbeat_period)
    s.fail("link_timeout", "must be longer than heartbeat_period (" + format_readable(p.heartbeat_period) +
                               "): a live link would be declared failed between two heartbeats");
  p.join_timeout = s.get_duration("join_timeout", p.join_timeout);
  at_least(s, "join_timeout", p.join_timeout, Duration::millis(1));
  p.neighbor_timeout = s.get_duration("neighbor_timeout", p.neighbor_timeout);
  at_least(s, "neighbor_timeout", p.neighbor_timeout, Duration::millis(1));
  p.symmetry_bound = s.get_duration("symmetry_bound", Duration{}, /*allow_zero=*/true);
  p.check_symmetry = s.get_bool("check_symmetry", true);
  const std::string bug = s.get_enum("bug", "none", {"none", "ignore-disconnect", "no-drop-when-full"});
  p.bug = bug == "ignore-disconnect"   ? Bug::ignore_disconnect
          : bug == "no-drop-when-full" ? Bug::no_drop_when_full
                                       : Bug::none;
  s.finish();
  return p;
}

std::vector<MetricInfo> hyparview_metrics() {
  return {
      {"hyparview_join_time_ns", "start or join until some node holds the node in its active view", MetricKind::histogram},
      {"hyparview_active_size_mean", "mean active view size over up nodes (at the end, over nodes up for at least join_timeout)"},
      {"hyparview_active_size_min", "smallest active view of an up node (at the end, over nodes up for at least join_timeout)"},
      {"hyparview_active_size_max", "largest active view of an up node (at the end, over nodes up for at least join_timeout)"},
      {"hyparview_passive_size_mean", "mean passive view size over up nodes (at the end, over nodes up for at least join_timeout)"},
      {"hyparview_largest_component_share", "share of up nodes in the largest component of the active-link overlay (at the end, over nodes up for at least join_timeout)"},
      {"hyparview_largest_component_share_min", "lowest largest-component share after the overlay was first connected"},
      {"hyparview_connected_since_ns", "since when the up nodes' overlay is connected (absent if not at the end)"},
      {"hyparview_indegree_min", "fewest up nodes holding an up node in their active view (at the end, over nodes up for at least join_timeout)"},
      {"hyparview_indegree_max", "most up nodes holding an up node in their active view (at the end, over nodes up for at least join_timeout)"},
      {"hyparview_indegree_std", "standard deviation of that in-degree over up nodes (at the end, over nodes up for at least join_timeout)"},
      {"hyparview_messages_per_node_per_s", "HyParView messages sent per node per simulated second"},
      {"hyparview_bytes_per_node_per_s", "HyParView bytes sent per node per simulated second"},
      {"hyparview_link_failures", "active links closed by the watchdog (silent for link_timeout)"},
      {"hyparview_shuffles", "Shuffle walks started"},
      {"hyparview_graceful_leaves", "leaves announced with Disconnect to every active peer"},
      {"hyparview_symmetry_bound_ns", "how long the symmetry checker lets a link stay one-sided"},
      {"hyparview_symmetry_armed", "1 when the run met the symmetry checker's conditions (no loss, pause or partition)"},
      {"hyparview_joined_share", "share of up nodes (up for at least join_timeout) that got into the overlay: an active link, however it came"},
      {"hyparview_in_some_active_share", "share of up nodes held in some node's active view during their current life"},
      {"hyparview_one_sided_links", "active links whose other end is down or does not hold the holder (at the end, over nodes up for at least join_timeout)"},
      {"hyparview_active_size_mean", "mean active view size of up nodes", MetricKind::series},
      {"hyparview_passive_size_mean", "mean passive view size of up nodes", MetricKind::series},
      {"hyparview_largest_component_share", "share of up nodes in the largest overlay component", MetricKind::series},
      {"hyparview_indegree_std", "standard deviation of active in-degree over up nodes", MetricKind::series},
      {"hyparview_one_sided_links", "active links whose other end is down or does not hold the holder", MetricKind::series},
  };
}

std::unique_ptr<Module> make_module(ConfigSection& s) {
  Params p = parse_params(s);
  NodeId highest = 0;
  for (NodeId n : p.seeds) highest = std::max(highest, n);
  std::string seed_error =
      s.error_text("seeds", "seed node " + std::to_string(highest) + " does not exist: the topology has fewer nodes");
  return std::make_unique<HyParViewModule>(std::move(p), seed_error);
}

}  // namespace meshsim::membership::hyparview
