// [protocol] keys of attention consensus, its metrics and its registration. README.md
// documents the keys.
#include <memory>
#include <string>

#include "protocols/attention/attention_module.h"
#include "sim/scenario/config_section.h"

namespace meshsim::attention {

Params parse_params(ConfigSection& s) {
  Params p;
  const std::string variant = s.get_enum("variant", "plain", {"plain", "graph-rope", "gossip"});
  p.variant = variant == "graph-rope" ? Variant::graph_rope : variant == "gossip" ? Variant::gossip : Variant::plain;
  p.dim = static_cast<uint32_t>(s.get_int("dim", 384, 1, 4096));
  p.heads = static_cast<uint32_t>(s.get_int("heads", 8, 1, 256));
  if (p.dim % p.heads != 0)
    s.fail("heads", std::to_string(p.heads) + " does not divide dim = " + std::to_string(p.dim) + " (each head takes dim/heads dimensions)");
  p.projection = s.get_enum("projection", "identity", {"identity", "random"}) == "random" ? Projection::random : Projection::identity;
  p.workload = s.get_enum("workload", "continuous", {"continuous", "discrete"}) == "discrete" ? Workload::discrete : Workload::continuous;
  if (p.workload != Workload::discrete) s.reject_unused({"options"}, "unless workload = \"discrete\"");
  p.options = static_cast<uint32_t>(s.get_int("options", 4, 2, 1 << 20));
  p.noise = s.get_double("noise", p.workload == Workload::discrete ? 0.1 : 0.05, 0.0, p.workload == Workload::discrete ? 1.0 : 1e6);
  p.lengthscale = s.get_double("lengthscale", 0.1, 1e-6, 1e6);
  p.round_interval = s.get_duration("round_interval", p.round_interval);
  p.round_deadline = s.get_duration("round_deadline", p.round_deadline);
  p.rounds = static_cast<uint32_t>(s.get_int("rounds", 0, 0, 1 << 30));
  if (p.variant != Variant::gossip) s.reject_unused({"gossip_steps"}, "unless variant = \"gossip\"");
  p.gossip_steps = static_cast<uint32_t>(s.get_int("gossip_steps", 3, 1, 100));
  const int64_t steps = p.variant == Variant::gossip ? p.gossip_steps + 1 : 1;
  if (p.round_deadline.ns * steps > p.round_interval.ns)
    s.fail("round_deadline", "times the " + std::to_string(steps) + " attention step(s) of a round exceeds round_interval: rounds would overlap");
  p.outlier_sigma = s.get_double("outlier_sigma", 2.0, 0.0, 100.0);
  p.outlier_cap = s.get_probability("outlier_cap", 0.33);
  p.outlier_side = s.get_enum("outlier_side", "both", {"both", "low"}) == "low" ? OutlierSide::low : OutlierSide::both;
  p.reputation = s.get_bool("reputation", true);
  if (!p.reputation) s.reject_unused({"exclude_below"}, "unless reputation = true");
  p.exclude_below = s.get_double("exclude_below", 0.0, 0.0, 2.0);
  if (p.variant != Variant::graph_rope) s.reject_unused({"rope_scale"}, "unless variant = \"graph-rope\"");
  p.rope_scale = s.get_double("rope_scale", 1.0, 0.0, 1e6);
  p.cost_per_mac_ns = s.get_double("cost_per_mac_ns", 0.0, 0.0, 1e6);
  p.far_offset = s.get_double("far_offset", 10.0, -1e9, 1e9);
  p.wrong_offset = s.get_double("wrong_offset", 0.5, -1e9, 1e9);
  s.finish();
  return p;
}

std::vector<MetricInfo> attention_metrics() {
  return {
      {"attention_rounds", "rounds that ran to their last deadline before the end"},
      {"attention_agreement", "share of rounds in which every correct node that decided decided the same value"},
      {"attention_validity", "share of rounds in which every correct decision is some correct node's proposal"},
      {"attention_decided_share", "correct decisions / correct proposals (a node that crashed mid-round does not decide)"},
      {"attention_distance_mean", "mean over rounds of the mean |decision - ground truth| of the correct nodes"},
      {"attention_detection_precision", "flagged peers that were Byzantine / all flagged peers, over correct decisions"},
      {"attention_detection_recall", "flagged Byzantine peers / Byzantine peers whose proposal was held"},
      {"attention_flags_false", "correct peers flagged as outliers, summed over correct decisions"},
      {"attention_decisions", "decisions by correct nodes"},
      {"attention_late_proposals", "proposals that arrived after their step's deadline (ignored)"},
      {"attention_messages_per_decision", "messages sent by every node (Byzantine included) per correct decision"},
      {"attention_bytes_per_decision", "bytes sent per correct decision (embeddings as float32)"},
      {"attention_multiply_adds_per_decision", "multiply-adds of the attention steps per correct decision"},
      {"attention_cpu_ns_per_decision", "multiply-adds times cost_per_mac_ns"},
      {"attention_decide_ns", "round start to a correct node's decision (CPU queue and attention included)", MetricKind::histogram},
      {"attention_round_agreement", "1 when the round's correct decisions agree", MetricKind::series},
      {"attention_round_validity", "1 when the round's correct decisions are all correct proposals", MetricKind::series},
      {"attention_round_distance", "mean |decision - truth| in the round", MetricKind::series},
  };
}

void register_attention(ModuleRegistry& registry) {
  registry.add("attention",
               "attention-weighted consensus: multi-head scaled dot-product attention over peers' proposal embeddings "
               "(Eigen), 2-sigma outlier flagging capped at 33 %, a reputation store; plain, graph-rope and gossip variants",
               [](ConfigSection& s) -> std::unique_ptr<Module> { return std::make_unique<AttentionModule>(parse_params(s)); });
}

}  // namespace meshsim::attention
