// [protocol] keys of the membership module, its metrics and its registration. README.md
// documents the keys with the papers they come from.
#include <memory>
#include <string>

#include "protocols/membership/config_common.h"
#include "protocols/membership/hyparview_module.h"
#include "protocols/membership/membership_module.h"
#include "sim/scenario/config_section.h"

namespace meshsim::membership {

Params parse_params(ConfigSection& s) {
  Params p;
  read_seeds(s, p.seeds);
  const std::string detector = s.get_enum("detector", "swim", {"swim", "fixed-timeout", "phi"});
  p.detector = detector == "swim" ? Detector::swim : detector == "phi" ? Detector::phi : Detector::fixed_timeout;
  if (p.detector != Detector::phi)
    for (const char* key : {"phi_threshold", "monitors", "phi_min_std"})
      if (s.has(key)) s.fail(key, "belongs to detector = \"phi\"");
  if (p.detector == Detector::phi && s.has("indirect_k")) s.fail("indirect_k", "has no effect with detector = \"phi\" (no indirect probes)");
  if (p.detector == Detector::fixed_timeout)
    for (const char* key : {"indirect_k", "suspicion_timeout"})
      if (s.has(key)) s.fail(key, "has no effect with detector = \"fixed-timeout\" (no indirect probes, no suspicion)");
  p.period = s.get_duration("period", p.period);
  at_least(s, "period", p.period, Duration::millis(1));
  p.ping_timeout = s.get_duration("ping_timeout", p.ping_timeout);
  at_least(s, "ping_timeout", p.ping_timeout, Duration::micros(10));
  if (p.ping_timeout >= p.period)
    s.fail("ping_timeout", "must be shorter than the period (" + format_readable(p.period) +
                               "): SWIM probes indirectly within the same period");
  p.indirect_k = static_cast<uint32_t>(s.get_int("indirect_k", p.indirect_k, 0, 16));
  p.suspicion_timeout = s.get_duration("suspicion_timeout", p.suspicion_timeout, /*allow_zero=*/true);
  p.quorum = static_cast<uint32_t>(s.get_int("quorum", p.quorum, 1, 64));
  p.phi_threshold = s.get_double("phi_threshold", p.phi_threshold, 0.1, 300.0);
  p.monitors = static_cast<uint32_t>(s.get_int("monitors", p.monitors, 1, 64));
  p.phi_min_std = s.get_duration("phi_min_std", p.phi_min_std);
  if (p.detector == Detector::phi && p.quorum > p.monitors)
    s.fail("quorum", "is " + std::to_string(p.quorum) + " but each member has only " + std::to_string(p.monitors) +
                         " monitors (protocol.monitors): no failure could ever be confirmed");
  p.retransmit_mult = static_cast<uint32_t>(s.get_int("retransmit_mult", p.retransmit_mult, 1, 32));
  p.max_piggyback = static_cast<uint32_t>(s.get_int("max_piggyback", p.max_piggyback, 1, 256));
  p.sync_interval = s.get_duration("sync_interval", p.sync_interval);
  at_least(s, "sync_interval", p.sync_interval, Duration::millis(10));
  p.join_timeout = s.get_duration("join_timeout", p.join_timeout);
  at_least(s, "join_timeout", p.join_timeout, Duration::millis(1));
  p.leave_fanout = static_cast<uint32_t>(s.get_int("leave_fanout", p.leave_fanout, 0, 64));
  p.completeness_bound = s.get_duration("completeness_bound", Duration{}, /*allow_zero=*/true);
  p.check_completeness = s.get_bool("check_completeness", true);
  p.check_accuracy = s.get_bool("check_accuracy", true);
  const std::string bug = s.get_enum("bug", "none", {"none", "suspicion-never-expires", "quorum-of-one"});
  p.bug = bug == "suspicion-never-expires" ? Bug::suspicion_never_expires
          : bug == "quorum-of-one"         ? Bug::quorum_of_one
                                           : Bug::none;
  s.finish();
  return p;
}

std::vector<MetricInfo> membership_metrics() {
  return {
      {"membership_detect_suspicion_ns", "crash to the first accusation by an honest node", MetricKind::histogram},
      {"membership_detect_failure_ns", "crash to the first honest node declaring the failure", MetricKind::histogram},
      {"membership_detect_all_ns", "crash to every up node holding the member failed", MetricKind::histogram},
      {"membership_join_time_99_ns", "start or join until 99 % of the other up nodes know the member", MetricKind::histogram},
      {"membership_join_time_100_ns", "start or join until every other up node knows the member", MetricKind::histogram},
      {"membership_false_positives", "honest members declared failed by honest nodes while up"},
      {"membership_false_positives_per_node_hour", "false positives per node per hour of simulated time"},
      {"membership_accusations", "accusations made by the nodes' own detectors"},
      {"membership_refutations", "suspicions refuted by the suspected member (SWIM incarnations)"},
      {"membership_graceful_leaves", "leaves announced with a Leave message before the node stopped (leave_fanout > 0)"},
      {"membership_failures_confirmed", "failure verdicts, one per node and member"},
      {"membership_messages_per_node_per_s", "membership messages sent per node per simulated second"},
      {"membership_bytes_per_node_per_s", "membership bytes sent per node per simulated second"},
      {"membership_converged_since_ns", "since when every up node's live view is exactly the up nodes (absent if not at the end)"},
      {"membership_completeness_bound_ns", "the bound the completeness checker uses"},
      {"membership_joined_share", "share of up nodes that got a seed's member list"},
      {"membership_byzantine_in_views", "(honest node, Byzantine member) pairs where the member is held alive at the end"},
      {"membership_undetected_pairs", "(up node, member down longer than the bound) pairs where the member is not held failed"},
      {"membership_read_only_share", "share of node time spent read-only (fewer than a majority of the agreed membership alive)"},
      {"membership_read_only_episodes", "times a node went read-only"},
      {"membership_read_only_at_end", "nodes read-only at the end"},
      {"read_only_share", "share of the run the node spent read-only (every node up to 10,000, an even sample above)", MetricKind::node},
      {"membership_read_only", "share of up nodes that are read-only", MetricKind::series},
      {"membership_converged", "share of up nodes whose view holds exactly the up nodes as live", MetricKind::series},
  };
}

void register_membership(ModuleRegistry& registry) {
  registry.add("membership",
               "join through seeds, a full membership list spread by piggybacked gossip, and failure detection: "
               "fixed-timeout, SWIM (Das et al. 2002) or phi accrual (Hayashibara et al. 2004), with quorum confirmation of suspicions; "
               "or, with view = \"hyparview\", HyParView partial views (Leitao et al. 2007)",
               [](ConfigSection& s) -> std::unique_ptr<Module> {
                 // view = "hyparview": partial views instead of the full list (hyparview.h).
                 if (s.get_enum("view", "full", {"full", "hyparview"}) == "hyparview") return hyparview::make_module(s);
                 for (const char* key : {"active_size", "passive_size", "arwl", "prwl", "shuffle_period", "shuffle_ka",
                                         "shuffle_kp", "heartbeat_period", "link_timeout", "neighbor_timeout", "symmetry_bound",
                                         "check_symmetry"})
                   if (s.has(key)) s.fail(key, "belongs to view = \"hyparview\"");
                 Params p = parse_params(s);
                 NodeId highest = 0;
                 for (NodeId n : p.seeds) highest = std::max(highest, n);
                 std::string seed_error =
                     s.error_text("seeds", "seed node " + std::to_string(highest) + " does not exist: the topology has fewer nodes");
                 return std::make_unique<MembershipModule>(std::move(p), seed_error);
               });
}

}  // namespace meshsim::membership
