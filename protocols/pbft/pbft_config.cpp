// Reads pBFT's [protocol] section (README.md documents every key) and registers "pbft".
#include "protocols/kv/workload_config.h"
#include "protocols/pbft/pbft_module.h"
#include "sim/scenario/config_section.h"

namespace meshsim::pbft {

namespace {

// The replica multiplies each cost by a count (MACs per message, KiB per batch, requests
// per batch) in 64-bit nanoseconds; a cost of at most a second keeps every such product
// far from overflow, and is already a million times what the operations take.
Duration cost(ConfigSection& s, const std::string& key, Duration fallback) {
  Duration d = s.get_duration(key, fallback, true);
  if (d > Duration::seconds(1)) s.fail(key, format_duration(d) + " is more than 1s for one operation");
  return d;
}

Costs parse_costs(ConfigSection& s) {
  Costs c;
  c.mac = cost(s, "cost_mac", c.mac);
  c.sign = cost(s, "cost_sign", c.sign);
  c.verify = cost(s, "cost_verify", c.verify);
  c.digest_per_kib = cost(s, "cost_digest_per_kib", c.digest_per_kib);
  c.execute = cost(s, "cost_execute", c.execute);
  return c;
}

}  // namespace

Params parse_params(ConfigSection& s) {
  Params p;
  p.replicas = static_cast<uint32_t>(s.get_int("replicas", p.replicas, 4, 1000));
  if ((p.replicas - 1) % 3 != 0)
    s.fail("replicas", "must be 3f + 1 (4, 7, 10, 13, 16, ...): with " + std::to_string(p.replicas) +
                           " replicas, quorums of 2f + 1 = " + std::to_string(p.quorum()) +
                           " would not intersect in a correct replica");
  p.batch_size = static_cast<uint32_t>(s.get_int("batch_size", p.batch_size, 1, 100'000));
  p.batch_timeout = s.get_duration("batch_timeout", p.batch_timeout);
  p.checkpoint_interval = static_cast<uint32_t>(s.get_int("checkpoint_interval", p.checkpoint_interval, 1, 1'000'000));
  p.log_window = static_cast<uint32_t>(s.get_int("log_window", 2 * p.checkpoint_interval, 1, 100'000'000));
  if (p.log_window < p.checkpoint_interval)
    s.fail("log_window", "must be at least checkpoint_interval (" + std::to_string(p.checkpoint_interval) +
                             "), or the primary stalls before a checkpoint can become stable");
  p.view_change_timeout = s.get_duration("view_change_timeout", p.view_change_timeout);
  // The timeout doubles with each failed view, up to 2^20 times (replica_view_change.cpp):
  // above 1h that shift leaves the int64 range and the timeout wraps negative.
  if (p.view_change_timeout > Duration::seconds(3600))
    s.fail("view_change_timeout", format_duration(p.view_change_timeout) + " is more than 1h (it doubles on every failed view)");
  p.view_change_timeout_max = s.get_duration("view_change_timeout_max", std::max(p.view_change_timeout_max, p.view_change_timeout));
  if (p.view_change_timeout_max < p.view_change_timeout)
    s.fail("view_change_timeout_max", "must not be below view_change_timeout (" + format_duration(p.view_change_timeout) + ")");
  p.status_interval = s.get_duration("status_interval", p.status_interval);
  p.authentication = s.get_enum("authentication", "macs", {"macs", "signatures"}) == "signatures"
                         ? Authentication::signatures
                         : Authentication::macs;
  p.model_processing = s.get_bool("model_processing", p.model_processing);
  const std::string durable = s.get_enum("durable", "none", {"none", "log", "amnesia"});
  p.durable = durable == "log" ? Durability::log : durable == "amnesia" ? Durability::amnesia : Durability::none;
  p.costs = parse_costs(s);
  p.liveness_window = s.get_duration("liveness_window", p.liveness_window, true);
  p.workload = kv::parse_workload(s);
  p.bug = s.get_enum("bug", "none", {"none", "ignore-read-only"}) == "ignore-read-only" ? Bug::ignore_read_only : Bug::none;
  if (p.liveness_window.ns > 0 && p.liveness_window < p.view_change_timeout_max)
    s.fail("liveness_window", "must exceed view_change_timeout_max (" + format_duration(p.view_change_timeout_max) +
                                  "), or a correct view change counts as a liveness failure");
  s.finish();
  return p;
}

void register_pbft(ModuleRegistry& registry) {
  registry.add("pbft",
               "Practical Byzantine Fault Tolerance (Castro & Liskov 1999) replicating a key-value store: view "
               "changes, checkpoints, state transfer, Byzantine behaviours, agreement/validity/liveness and "
               "linearizability checks",
               [](ConfigSection& s) -> std::unique_ptr<Module> {
                 Params p = parse_params(s);
                 std::string size_error = s.error_text(
                     "replicas", std::to_string(p.replicas) + " replicas need at least one more node for a client "
                                 "(topology.nodes); nodes beyond the replicas are clients");
                 std::string read_only_bug_error = s.error_text(
                     "bug", "ignore-read-only needs a module that provides read-only state ([[modules]] name = \"membership\")");
                 return std::make_unique<PbftModule>(std::move(p), std::move(size_error), std::move(read_only_bug_error));
               });
}

}  // namespace meshsim::pbft
