// [protocol] keys of the gossip module, and its registration. README.md documents the keys.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "protocols/gossip/gossip_module.h"
#include "sim/scenario/config_section.h"

namespace meshsim::gossip {

Params parse_params(ConfigSection& s) {
  Params p;
  std::string strategy =
      s.get_enum("strategy", "rumor-mongering", {"anti-entropy", "rumor-mongering", "flooding"});
  p.strategy = strategy == "flooding"       ? Strategy::flooding
               : strategy == "anti-entropy" ? Strategy::anti_entropy
                                            : Strategy::rumor_mongering;
  if (p.strategy == Strategy::flooding)
    s.reject_unused({"mode", "loss_of_interest", "stop", "k", "fanout", "interval", "peer_choice"},
                  "with strategy = \"flooding\" (a node forwards once to all its overlay neighbours)");
  if (p.strategy == Strategy::anti_entropy)
    s.reject_unused({"loss_of_interest", "stop", "k"},
                  "with strategy = \"anti-entropy\" (it never loses interest; those keys belong to rumor-mongering)");

  std::string mode = s.get_enum("mode", "push", {"push", "pull", "push-pull"});
  p.mode = mode == "push" ? Mode::push : mode == "pull" ? Mode::pull : Mode::push_pull;
  p.loss_of_interest = s.get_enum("loss_of_interest", "feedback", {"feedback", "blind"}) == "feedback"
                           ? LossOfInterest::feedback
                           : LossOfInterest::blind;
  p.stop = s.get_enum("stop", "counter", {"counter", "coin"}) == "counter" ? Stop::counter : Stop::coin;
  p.k = static_cast<uint32_t>(s.get_int("k", 3, 1, 255));
  p.fanout = static_cast<uint32_t>(s.get_int("fanout", 1, 1, kMaxFanout));
  p.interval = s.get_duration("interval", Duration::millis(100));
  p.peer_choice = s.get_enum("peer_choice", "uniform", {"uniform", "neighbors"}) == "uniform"
                      ? PeerChoice::uniform
                      : PeerChoice::neighbors;

  RumorPlan& plan = p.plan;
  plan.count = static_cast<uint32_t>(s.get_int("rumors", 1, 0, 1 << 20));
  plan.first = SimTime{} + s.get_duration("first_rumor_at", Duration{}, /*allow_zero=*/true);
  plan.interval = s.get_duration("rumor_interval", Duration::seconds(1), /*allow_zero=*/true);
  if (plan.count > 1 && plan.interval.ns > (std::numeric_limits<int64_t>::max() - plan.first.ns) / plan.count)
    s.fail("rumor_interval", "the last rumor would come after the end of representable time");
  plan.rule = s.get_enum("origins", "stride", {"stride", "random"}) == "stride" ? OriginRule::stride
                                                                                 : OriginRule::random;
  if (plan.rule == OriginRule::random)
    s.reject_unused({"origin_node", "origin_stride"}, "with origins = \"random\"");
  plan.origin_node = static_cast<NodeId>(s.get_int("origin_node", 0, 0, kNoNode - 1));
  plan.origin_stride = static_cast<uint64_t>(s.get_int("origin_stride", 7919, 0, std::numeric_limits<uint32_t>::max()));

  p.rumor_bytes = static_cast<uint16_t>(s.get_int("rumor_bytes", 32, 0, std::numeric_limits<uint16_t>::max()));
  p.check_delivery = s.get_bool("check_delivery", true);
  s.finish();
  return p;
}

std::vector<MetricInfo> gossip_metrics() {
  return {
      {"rumors", "rumors the scenario declares"},
      {"rumors_injected", "rumors injected before the end"},
      {"rumors_not_injected", "rumors whose injection time lies beyond the end"},
      {"rumors_fully_covered", "rumors every node learned"},
      {"coverage_final", "share of nodes that learned a rumor, mean over injected rumors"},
      {"residue", "share of up nodes that never learned a rumor, mean over injected rumors (Demers)"},
      {"residue_max", "the largest residue of one rumor"},
      {"deliveries", "rumor deliveries, redundant ones included"},
      {"redundant_deliveries", "deliveries of a rumor the node already knew"},
      {"delivery_delay_ns_mean", "injection to first receipt, mean over receiving nodes (Demers's t_avg)"},
      {"delivery_delay_ns_max", "injection to the last first receipt (Demers's t_last)"},
      {"messages_per_node", "messages sent per node (Demers's m)"},
      {"messages_per_node_max", "most messages one node sent"},
      {"messages_sent_*", "messages sent per type: push, pull_request, push_pull, reply, flood"},
      {"expected_deliveries", "flooding: deliveries a loss-free run on a connected overlay makes"},
      {"coverage_time_50_ns", "injection until half the nodes know a rumor", MetricKind::histogram},
      {"coverage_time_99_ns", "injection until 99 % of the nodes know a rumor", MetricKind::histogram},
      {"coverage_time_100_ns", "injection until every node knows a rumor", MetricKind::histogram},
      {"coverage", "share of nodes that know a rumor, mean over injected rumors", MetricKind::series},
      {"coverage_rumor_*", "share of nodes that know rumor N (up to a few rumors)", MetricKind::series},
      {"infective", "rumor mongering: share of nodes still spreading, per rumor", MetricKind::series},
      {"messages_sent", "messages the node sent (every node up to 10,000, an even sample of 10,000 above)", MetricKind::node},
      {"node_summary_nodes", "nodes with per-node summaries: all up to 10,000, else an evenly spaced 10,000"},
      {"coverage", "share of injected rumors the node knows, over time", MetricKind::node_series},
  };
}

void register_gossip(ModuleRegistry& registry) {
  registry.add(
      "gossip",
      "epidemic rumor spreading: anti-entropy and rumor mongering in push, pull or push-pull mode "
      "(Demers et al. 1987, Karp et al. 2000), or flooding over the overlay",
      [](ConfigSection& s) -> std::unique_ptr<Module> {
        Params p = parse_params(s);
        // origin_node can only be checked against the node count at attach; locate it now.
        std::string origin_error =
            s.error_text("origin_node", "node " + std::to_string(p.plan.origin_node) +
                                                " does not exist: the topology has fewer nodes");
        if (p.strategy == Strategy::flooding) return std::make_unique<FloodModule>(std::move(p), origin_error);
        return std::make_unique<GossipModule>(std::move(p), origin_error);
      });
}

}  // namespace meshsim::gossip
