#include "sink/trace.h"

#include <algorithm>
#include <sstream>

#include "sim/errors.h"
#include "sim/simulation.h"

namespace meshsim {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep))
    if (!part.empty()) out.push_back(part);
  return out;
}

// "0..4" or "7": a node range, checked against the node count.
void add_nodes(NodeSet& set, const std::string& item, uint32_t node_count, const std::string& where) {
  auto dots = item.find("..");
  char* end = nullptr;
  const unsigned long a = std::strtoul(item.c_str(), &end, 10);
  unsigned long b = a;
  bool ok = end != item.c_str();
  if (ok && dots != std::string::npos) {
    const char* rest = item.c_str() + dots + 2;
    b = std::strtoul(rest, &end, 10);
    ok = end != rest && *end == '\0' && end == item.c_str() + item.size() && a <= b;
  } else {
    ok = ok && *end == '\0';
  }
  if (!ok) throw ScenarioError(where + ": '" + item + "' is not a node or a range like 0..4");
  if (b >= node_count)
    throw ScenarioError(where + ": node " + std::to_string(b) + " is beyond the node count (" + std::to_string(node_count) + ")");
  set.add_range(static_cast<NodeId>(a), static_cast<NodeId>(b));
}

}  // namespace

TraceFilter parse_trace_filter(const std::string& text, uint32_t node_count) {
  TraceFilter f;
  f.text = text;
  const std::string where = "--trace";
  if (text == "all") return f;
  std::istringstream in(text);
  std::string word;
  bool any = false;
  while (in >> word) {
    any = true;
    auto eq = word.find('=');
    if (eq == std::string::npos || eq + 1 == word.size())
      throw ScenarioError(where + ": '" + word + "': expected key=value (nodes=0..4,7 time=1s..3s types=RequestVote max=50000) or all");
    const std::string key = word.substr(0, eq), value = word.substr(eq + 1);
    const std::string at = where + " " + key;
    if (key == "nodes") {
      f.all_nodes = false;
      for (const std::string& item : split(value, ',')) add_nodes(f.nodes, item, node_count, at);
    } else if (key == "time") {
      auto dots = value.find("..");
      if (dots == std::string::npos) throw ScenarioError(at + ": expected a window like 1s..3s (either end may be empty)");
      std::string error;
      if (dots > 0) {
        auto d = parse_duration(value.substr(0, dots), &error);
        if (!d) throw ScenarioError(at + ": '" + value.substr(0, dots) + "' is not a duration" + (error.empty() ? "" : ": " + error));
        f.from_ns = d->ns;
      }
      if (dots + 2 < value.size()) {
        auto d = parse_duration(value.substr(dots + 2), &error);
        if (!d) throw ScenarioError(at + ": '" + value.substr(dots + 2) + "' is not a duration" + (error.empty() ? "" : ": " + error));
        f.to_ns = d->ns;
      }
      if (f.to_ns <= f.from_ns) throw ScenarioError(at + ": the window ends before it starts");
    } else if (key == "types") {
      f.types = split(value, ',');
    } else if (key == "max") {
      char* end = nullptr;
      const unsigned long long max = std::strtoull(value.c_str(), &end, 10);
      if (*end != '\0' || max == 0 || max > 100'000'000)
        throw ScenarioError(at + ": expected a row count from 1 to 100000000");
      f.max_rows = max;
    } else {
      throw ScenarioError(where + ": unknown key '" + key + "' (known: nodes, time, types, max; or all)");
    }
  }
  if (!any) throw ScenarioError(where + ": empty filter; write all, or keys like nodes=0..4 time=1s..3s");
  return f;
}

TraceRecorder::TraceRecorder(TraceFilter filter, const Simulation& sim) : filter_(std::move(filter)), sim_(sim) {}

bool TraceRecorder::keep_message(int64_t t, NodeId a, NodeId b, const std::string& type) const {
  if (t < filter_.from_ns || t >= filter_.to_ns) return false;
  if (!filter_.all_nodes && !filter_.nodes.contains(a) && !filter_.nodes.contains(b)) return false;
  return filter_.types.empty() || std::find(filter_.types.begin(), filter_.types.end(), type) != filter_.types.end();
}

void TraceRecorder::add(TraceRow row) {
  if (truncated_at_ns_ >= 0) return;
  if (rows_.size() + 1 >= filter_.max_rows) {
    // The last row says where the trace stops, so a reader never mistakes it for the end.
    truncated_at_ns_ = row.sim_time_ns;
    TraceRow stop;
    stop.sim_time_ns = row.sim_time_ns;
    stop.event = "truncated";
    stop.detail = "trace bound of " + std::to_string(filter_.max_rows) + " rows reached; later events are not recorded";
    rows_.push_back(std::move(stop));
    return;
  }
  rows_.push_back(std::move(row));
}

void TraceRecorder::on_send(const MessageRecord& r) {
  const Module& m = *sim_.modules()[r.module];
  std::string type = m.message_type_name(r.type);
  if (!keep_message(r.sent_ns, r.from, r.to, type)) return;
  std::string detail = m.describe_message(r.slot);
  add({r.sent_ns, "send", r.from, r.to, std::string(m.name()), std::move(type), r.id, r.sent_ns,
       detail.empty() ? std::to_string(r.bytes) + " bytes" : std::move(detail)});
}

void TraceRecorder::on_deliver(const MessageRecord& r) {
  const Module& m = *sim_.modules()[r.module];
  std::string type = m.message_type_name(r.type);
  if (!keep_message(r.deliver_ns, r.from, r.to, type)) return;
  add({r.deliver_ns, "deliver", r.to, r.from, std::string(m.name()), std::move(type), r.id, r.sent_ns, {}});
}

void TraceRecorder::on_drop(const MessageRecord& r, DropReason why) {
  const Module& m = *sim_.modules()[r.module];
  std::string type = m.message_type_name(r.type);
  const int64_t t = sim_.now().ns;
  if (!keep_message(t, r.from, r.to, type)) return;
  add({t, "drop", r.from, r.to, std::string(m.name()), std::move(type), r.id, r.sent_ns, to_string(why)});
}

void TraceRecorder::on_note(int64_t t, NodeId n, ModuleId mid, uint16_t what, int64_t value) {
  const Module& m = *sim_.modules()[mid];
  std::string name = m.note_name(what);
  if (name.empty() || !keep_message(t, n, n, name)) return;
  add({t, "note", n, -1, std::string(m.name()), std::move(name), 0, -1, std::to_string(value)});
}

void TraceRecorder::on_log(const LogEntry& e) {
  if (e.sim_time_ns < filter_.from_ns || e.sim_time_ns >= filter_.to_ns) return;
  add({e.sim_time_ns, "log", -1, -1, {}, e.kind, 0, -1, e.detail});
}

}  // namespace meshsim
