#include "sim/partition_metrics.h"

#include <cassert>
#include <cstring>
#include <set>
#include <string>

#include "sim/errors.h"
#include "sim/metric_info.h"

namespace meshsim {

namespace {

// A byte writer and reader for what partitions send the root: the same build on every
// rank, so native layout is fine.
struct Writer {
  std::vector<uint8_t> out;
  template <class T>
  void put(T v) {
    const auto* b = reinterpret_cast<const uint8_t*>(&v);
    out.insert(out.end(), b, b + sizeof(T));
  }
  void put_string(const std::string& s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  }
};

struct Reader {
  const uint8_t* p;
  template <class T>
  T get() {
    T v;
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    return v;
  }
  std::string get_string() {
    const uint32_t n = get<uint32_t>();
    std::string s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
  }
};

// Scalars every partition holds the same value of (node state and the fault schedule are
// global): the root's is the run's.
const std::set<std::string> kReplicatedScalars = {"nodes", "nodes_up_final", "faults_applied", "node_series_nodes"};

}  // namespace

std::vector<uint8_t> encode_partition_metrics(const Metrics& m, uint64_t replicated_events, uint64_t remote_messages) {
  Writer w;
  w.put<uint64_t>(replicated_events);
  w.put<uint64_t>(remote_messages);
  w.put<uint32_t>(static_cast<uint32_t>(m.scalars().size()));
  for (const auto& [name, v] : m.scalars()) {
    w.put_string(name);
    w.put<double>(v);
  }
  w.put<uint32_t>(static_cast<uint32_t>(m.series().size()));
  for (const auto& [name, points] : m.series()) {
    w.put_string(name);
    w.put<uint32_t>(static_cast<uint32_t>(points.size()));
    for (const SeriesPoint& pt : points) {
      w.put<int64_t>(pt.sim_time_ns);
      w.put<double>(pt.value);
    }
  }
  return std::move(w.out);
}

ReducedMetrics reduce_partition_metrics(const std::vector<std::vector<uint8_t>>& parts, const Metrics& root,
                                        bool engine_only) {
  // Histograms and per-node series are left out: only modules with partition support
  // `events_only` record any during a partitioned run, and those are not the run's.
  std::set<std::string> engine;
  for (const MetricInfo& i : engine_metrics())
    if (i.kind == MetricKind::scalar) engine.insert(i.name);
  ReducedMetrics r;
  std::map<std::string, double> scalars;
  std::map<std::string, std::vector<SeriesPoint>> series;
  for (size_t p = 0; p < parts.size(); ++p) {
    Reader in{parts[p].data()};
    const uint64_t replicated = in.get<uint64_t>();
    r.remote_messages += in.get<uint64_t>();
    for (uint32_t n = in.get<uint32_t>(); n > 0; --n) {
      const std::string name = in.get_string();
      const double v = in.get<double>();
      if (name == "events") {
        r.partition_events.push_back(static_cast<uint64_t>(v));
        r.events += static_cast<uint64_t>(v) - (p == 0 ? 0 : replicated);
      } else if (engine_only && !engine.count(name)) {
        continue;  // an events_only module's partial count
      } else if (kReplicatedScalars.count(name)) {
        if (p == 0) scalars[name] = v;
      } else {
        scalars[name] += v;
      }
    }
    for (uint32_t n = in.get<uint32_t>(); n > 0; --n) {
      const std::string name = in.get_string();
      const uint32_t count = in.get<uint32_t>();
      std::vector<SeriesPoint>& into = series[name];
      if (p == 0) into.resize(count);
      if (into.size() != count) throw ScenarioError("partitioned run: partitions sampled series " + name + " differently");
      for (uint32_t i = 0; i < count; ++i) {
        const int64_t t = in.get<int64_t>();
        const double v = in.get<double>();
        if (p == 0) into[i] = {t, v};
        else if (name != "nodes_up") into[i].value += v;
      }
    }
    assert(in.p == parts[p].data() + parts[p].size());
  }
  scalars["events"] = static_cast<double>(r.events);
  for (const auto& [name, v] : scalars) r.metrics.set_scalar(name, v);
  for (const auto& [name, points] : series)
    for (const SeriesPoint& pt : points) r.metrics.sample(name, SimTime{pt.sim_time_ns}, pt.value);
  for (const LogEntry& e : root.log_entries()) r.metrics.log(SimTime{e.sim_time_ns}, e.kind, e.detail);
  for (const std::string& s : root.inconclusive()) {
    const auto colon = s.find(": ");
    r.metrics.report_inconclusive(s.substr(0, colon), colon == std::string::npos ? "" : s.substr(colon + 2));
  }
  r.metrics.enable_node_series(root.node_series_enabled());
  return r;
}

}  // namespace meshsim
