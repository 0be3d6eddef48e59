// Metrics of a partitioned run (sim/partitioned_run.h), reduced at the root once, at the
// end. Each partition's Metrics hold its own nodes' share; what each kind needs:
//   - counters (messages_*, bytes_sent, handled_events, and the scalars of modules whose
//     partition_support() is `exact`): the sum;
//   - events: the sum, less the fault and sampling events every partition but the first
//     ran too;
//   - replicated values, the same on every partition because node state is global
//     (nodes, nodes_up_final, faults_applied, node_series_nodes, the nodes_up series, the
//     event log): partition 0's;
//   - time series (pending_events, messages_delivered, exact modules' series): sampled at
//     the same instants everywhere, summed point by point;
//   - pending_events_peak: the sum of the partitions' peaks, an upper bound; the true
//     global peak would need a count at every event (the one metric that differs).
// Histograms and per-node series are not merged: an `exact` module promises per-node
// counters only, and an `events_only` module's metrics are left out altogether.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/metrics.h"

namespace meshsim {

// One partition's metrics as bytes (scalars and series), with its replicated-event count.
std::vector<uint8_t> encode_partition_metrics(const Metrics& m, uint64_t replicated_events, uint64_t remote_messages);

struct ReducedMetrics {
  Metrics metrics;
  uint64_t events = 0;
  uint64_t remote_messages = 0;
  std::vector<uint64_t> partition_events;
};

// `parts[p]`: partition p's bytes; `root` is partition 0's Metrics (its log is the run's).
// `engine_only`: some module's metrics are not computed partitioned (events_only), so only
// the engine's scalars are kept.
ReducedMetrics reduce_partition_metrics(const std::vector<std::vector<uint8_t>>& parts, const Metrics& root,
                                        bool engine_only);

}  // namespace meshsim
