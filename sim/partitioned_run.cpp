#include "sim/partitioned_run.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "sim/errors.h"
#include "sim/expectations.h"
#include "sim/metric_info.h"
#include "sim/partition_metrics.h"
#include "sim/simulation.h"

namespace meshsim {

std::vector<NodeId> contiguous_partitions(uint32_t nodes, uint32_t parts) {
  std::vector<NodeId> first(parts + 1);
  for (uint32_t p = 0; p <= parts; ++p) first[p] = static_cast<NodeId>(static_cast<uint64_t>(nodes) * p / parts);
  return first;
}

uint64_t cut_edges(const Topology& topology, const std::vector<NodeId>& first) {
  auto owner = [&](NodeId n) { return std::upper_bound(first.begin(), first.end(), n) - first.begin(); };
  uint64_t cut = 0;
  for (NodeId a = 0; a < topology.node_count(); ++a)
    for (NodeId b : topology.neighbors(a))
      if (a < b && owner(a) != owner(b)) ++cut;
  return cut;
}

namespace {

// The least latency a draw from `l` can give (LatencySpec::draw rounds with llround, which
// never goes below the rounded floor). Normal and lognormal latencies reach zero.
int64_t latency_floor_ns(const LatencySpec& l) {
  double floor = 0;
  switch (l.kind) {
    case LatencySpec::Kind::constant:
    case LatencySpec::Kind::pareto:
    case LatencySpec::Kind::exponential: floor = l.a_ns; break;
    case LatencySpec::Kind::uniform: floor = std::min(l.a_ns, l.b_ns); break;
    case LatencySpec::Kind::normal:
    case LatencySpec::Kind::lognormal: floor = 0; break;
  }
  if (!(floor > 0)) return 0;
  return std::llround(std::min(floor, static_cast<double>(kMaxDuration.ns)));
}

}  // namespace

// Serialisation and queueing only add delay, so the latency floor bounds every message.
Duration partition_lookahead(const Simulation& sim) {
  int64_t least = latency_floor_ns(sim.spec().link.latency);
  for (const LinkOverride& o : sim.spec().overrides) least = std::min(least, latency_floor_ns(o.spec.latency));
  for (const FaultSpec& f : sim.faults())
    if (f.kind == FaultKind::degrade) least = std::min(least, latency_floor_ns(f.degrade.latency));
  return Duration{least};
}

std::string partition_refusal(const Simulation& sim, uint32_t parts) {
  if (parts <= 1) return {};
  const RunSpec& spec = sim.spec();
  const std::string k = std::to_string(parts);
  if (sim.node_count() < parts) return "cannot split " + std::to_string(sim.node_count()) + " nodes over " + k + " partitions";
  bool module_metrics_left_out = false;
  for (const auto& m : sim.modules()) {
    switch (m->partition_support()) {
      case PartitionSupport::none:
        return "protocol " + std::string(m->name()) + " cannot run partitioned over " + k +
               " ranks (its checkers or nodes read other nodes' state at once); run it with one rank";
      case PartitionSupport::events_only: module_metrics_left_out = true; break;
      case PartitionSupport::exact: break;
    }
  }
  if (spec.max_events > 0)
    return "run.max_events stops the run at a global event count, which a partitioned run cannot know between "
           "windows; bound it by run.duration (--set run.max_events=0)";
  if (spec.storage.enabled) return "the [storage] disk model is not supported in partitioned runs yet";
  if (sim.models_processing()) return "the per-node processing model is not supported in partitioned runs yet";
  for (const FaultSpec& f : sim.faults()) {
    if (!f.target_module.empty())
      return "faults targeted by role (" + f.target_module + ") need every node's state at once; not in partitioned runs";
    if (f.kind == FaultKind::action) return "scenario actions (" + f.action + ") are not supported in partitioned runs";
  }
  if (module_metrics_left_out) {
    std::vector<std::string> engine;
    for (const MetricInfo& i : engine_metrics()) engine.push_back(i.name);
    for (const Expectation& e : spec.expectations)
      if (std::find(engine.begin(), engine.end(), e.metric) == engine.end())
        return "[expect] " + e.metric + " is a protocol metric, which a partitioned run does not compute for this protocol";
    if (spec.expected_failure) return "[expect] failure needs the protocol's checkers, which a partitioned run does not run";
  }
  if (partition_lookahead(sim).ns <= 0)
    return "some message can have zero latency (a normal or lognormal latency, or a zero minimum), so there is no "
           "lookahead to run partitions in windows; give every latency a positive floor";
  return {};
}

std::vector<uint32_t> InProcessTransport::local_partitions() const {
  std::vector<uint32_t> all(parts_);
  for (uint32_t p = 0; p < parts_; ++p) all[p] = p;
  return all;
}

std::vector<PartitionTransport::Buffers> InProcessTransport::exchange(std::vector<Buffers> out) {
  std::vector<Buffers> in(parts_, Buffers(parts_));
  for (uint32_t s = 0; s < parts_; ++s)
    for (uint32_t d = 0; d < parts_; ++d) in[d][s] = std::move(out[s][d]);
  return in;
}

namespace {

// The root's fold of the partitions' fingerprint records of one window, each in the order
// its partition ran them. The sequential run pops the least (time, key) pending anywhere;
// a partition's pending events change only through its own steps (nothing crosses
// partitions within a lookahead), so taking the least head of the K records at every step
// gives the sequential order, even for events queued at the current instant with a key
// below the running event's (a paused node's held messages, re-queued when a fault ends
// the pause), which run late. Faults run on every partition and are recorded by each: a
// fault is folded once, when it heads every record (no partition has anything before it).
void fold_window(Fingerprint& fp, const PartitionTransport::Buffers& logs) {
  using Entry = Fingerprint::Entry;
  const size_t k = logs.size();
  std::vector<const Entry*> at(k), end(k);
  for (size_t p = 0; p < k; ++p) {
    at[p] = reinterpret_cast<const Entry*>(logs[p].data());
    end[p] = at[p] + logs[p].size() / sizeof(Entry);
  }
  for (;;) {
    size_t best = k;
    for (size_t p = 0; p < k; ++p) {
      if (at[p] == end[p]) continue;
      if (best == k || at[p]->time_ns < at[best]->time_ns ||
          (at[p]->time_ns == at[best]->time_ns && at[p]->key < at[best]->key))
        best = p;
    }
    if (best == k) return;
    fp.fold(at[best]->time_ns, at[best]->word);
    if ((at[best]->key >> 40) != kFaultOrigin) {
      ++at[best];
      continue;
    }
    const uint64_t fault = at[best]->key;
    for (size_t p = 0; p < k; ++p) {
      if (at[p] == end[p] || at[p]->key != fault)
        throw std::logic_error("partitioned run: a fault is missing from partition " + std::to_string(p) + "'s record");
      ++at[p];
    }
  }
}

std::vector<uint8_t> bytes_of(const std::vector<Fingerprint::Entry>& log) {
  const auto* b = reinterpret_cast<const uint8_t*>(log.data());
  return std::vector<uint8_t>(b, b + log.size() * sizeof(Fingerprint::Entry));
}

struct LocalPartition {
  uint32_t index;
  std::unique_ptr<Simulation> sim;
  PartitionOutbox outbox;
  std::vector<Fingerprint::Entry> fingerprint_log;
};

}  // namespace

PartitionedOutcome run_partitioned(const std::function<RunSpec()>& build, PartitionTransport& transport,
                                   const RunInfo& info, int64_t debug_window_extra_ns,
                                   const std::function<bool()>& stop) {
  const uint32_t parts = transport.partitions();
  const std::vector<uint32_t> mine = transport.local_partitions();
  std::vector<LocalPartition> local(mine.size());
  PartitionedOutcome out;
  out.root = !mine.empty() && mine.front() == 0;
  out.stats.partitions = parts;
  std::vector<NodeId> first;
  for (size_t i = 0; i < mine.size(); ++i) {
    LocalPartition& lp = local[i];
    lp.index = mine[i];
    lp.sim = std::make_unique<Simulation>(build());
    // Every process refuses alike: the same spec, the same verdict, and no one waits.
    if (std::string why = partition_refusal(*lp.sim, parts); !why.empty())
      throw ScenarioError(lp.sim->spec().source + ": cannot partition over " + std::to_string(parts) + " ranks: " + why);
    if (first.empty()) first = contiguous_partitions(lp.sim->node_count(), parts);
    lp.outbox.first = first;
    lp.outbox.to.assign(parts, {});
    lp.sim->become_partition(lp.index, &lp.outbox, &lp.fingerprint_log);
  }
  if (local.empty()) return out;
  const Simulation& any = *local.front().sim;
  const int64_t lookahead = parts > 1 ? partition_lookahead(any).ns : kMaxDuration.ns;
  const int64_t end = any.spec().end.ns;
  out.stats.lookahead_ns = lookahead;
  out.stats.cut_edges = cut_edges(any.topology(), first);
  for (LocalPartition& lp : local) lp.sim->begin(info);

  Fingerprint fingerprint;
  bool interrupted = false;
  for (;;) {
    int64_t next = INT64_MAX;
    for (LocalPartition& lp : local) next = std::min(next, lp.sim->next_event_time());
    // A stop request rides on the window's all-reduce: INT64_MIN wins it everywhere.
    const int64_t start = transport.min_all(stop && stop() ? INT64_MIN : next);
    if (start == INT64_MIN) {
      interrupted = true;
      for (LocalPartition& lp : local) lp.sim->request_stop();
      break;
    }
    if (start > end) break;
    const int64_t bound = saturating_add(saturating_add(start, lookahead), debug_window_extra_ns);
    for (LocalPartition& lp : local) lp.sim->run_window(bound);
    std::vector<PartitionTransport::Buffers> outgoing(local.size());
    for (size_t i = 0; i < local.size(); ++i) {
      outgoing[i] = std::exchange(local[i].outbox.to, PartitionTransport::Buffers(parts));
      local[i].outbox.pending = 0;
    }
    std::vector<PartitionTransport::Buffers> incoming = transport.exchange(std::move(outgoing));
    for (size_t i = 0; i < local.size(); ++i)
      for (const auto& bytes : incoming[i]) local[i].sim->accept_remote(bytes);
    PartitionTransport::Buffers logs(local.size());
    for (size_t i = 0; i < local.size(); ++i) {
      logs[i] = bytes_of(local[i].fingerprint_log);
      local[i].fingerprint_log.clear();
    }
    logs = transport.gather(std::move(logs));
    if (out.root) fold_window(fingerprint, logs);
    ++out.stats.windows;
  }

  PartitionTransport::Buffers summaries(local.size());
  RunResult root_result;
  for (size_t i = 0; i < local.size(); ++i) {
    RunResult r = local[i].sim->finish();
    if (i == 0) root_result = r;
    summaries[i] = encode_partition_metrics(local[i].sim->metrics(), local[i].sim->replicated_events(),
                                            local[i].sim->remote_messages_sent());
  }
  summaries = transport.gather(std::move(summaries));
  out.stats.wait_seconds = transport.wait_seconds();
  if (!out.root) return out;
  const Simulation& root = *local.front().sim;
  bool engine_only = false;
  for (const auto& m : root.modules()) engine_only |= m->partition_support() != PartitionSupport::exact;
  ReducedMetrics reduced = reduce_partition_metrics(summaries, root.metrics(), engine_only);
  out.metrics = std::move(reduced.metrics);
  out.stats.remote_messages = reduced.remote_messages;
  out.stats.events = std::move(reduced.partition_events);
  out.result = root_result;
  out.result.events = reduced.events;
  out.result.fingerprint = fingerprint.value();
  Verdict verdict = judge_run(root.spec(), out.metrics, std::nullopt);
  out.result.status = verdict.status;
  out.result.failure = std::move(verdict.failure);
  out.result.note = std::move(verdict.note);
  if (interrupted) {
    out.result.status = RunStatus::interrupted;
    out.result.failure = "interrupted at " + format_readable(Duration{root_result.sim_time_ns}) + " of simulated time";
    out.result.note.clear();
  }
  return out;
}

}  // namespace meshsim
