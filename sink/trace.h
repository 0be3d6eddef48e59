// Message traces of one run (`meshsim run --trace FILTER`): every send, delivery and drop,
// with its time, ends, module, type and a rendering of its content, plus the protocol's
// notes (became leader, committed, view change) and the run's log lines. Filtered by nodes,
// a time window and type names, and bounded in rows: past the bound nothing more is kept,
// and the trace says where it stopped.
#pragma once
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "sim/module.h"
#include "sim/node_set.h"
#include "sim/observer.h"
#include "sim/time.h"

namespace meshsim {

class Simulation;

struct TraceFilter {
  std::string text;            // as the user wrote it, stored with the trace
  bool all_nodes = true;
  NodeSet nodes;               // a row is kept when either end is one of these
  int64_t from_ns = 0;         // [from, to) of simulated time
  int64_t to_ns = std::numeric_limits<int64_t>::max();
  std::vector<std::string> types;  // message type or note names; empty = all
  uint64_t max_rows = 1'000'000;
};

// "all", or space-separated keys: nodes=0..4,7  time=1s..3s  types=RequestVote,VoteReply
// max=50000. Throws ScenarioError naming the key for anything else.
TraceFilter parse_trace_filter(const std::string& text, uint32_t node_count);

struct TraceRow {
  int64_t sim_time_ns = 0;
  std::string event;        // send, deliver, drop, note, log, truncated
  int64_t node = -1;        // where it happens: sender (send, drop), receiver (deliver), noting node
  int64_t peer = -1;        // the other end of a message
  std::string module;
  std::string type;         // message type name, note name or log kind
  uint64_t message_id = 0;  // joins a send to its delivery or drop
  int64_t sent_ns = -1;
  std::string detail;       // the message's content, the note's value, the drop's reason
};

class TraceRecorder : public RunObserver {
 public:
  TraceRecorder(TraceFilter filter, const Simulation& sim);

  bool wants_messages() const override { return true; }
  void on_send(const MessageRecord& r) override;
  void on_deliver(const MessageRecord& r) override;
  void on_drop(const MessageRecord& r, DropReason why) override;
  void on_note(int64_t t, NodeId n, ModuleId m, uint16_t what, int64_t value) override;
  void on_log(const LogEntry& e) override;

  const std::vector<TraceRow>& rows() const { return rows_; }
  const TraceFilter& filter() const { return filter_; }
  // Simulated time at which the bound was reached (-1: never).
  int64_t truncated_at_ns() const { return truncated_at_ns_; }

 private:
  bool keep_message(int64_t t, NodeId a, NodeId b, const std::string& type) const;
  void add(TraceRow row);

  TraceFilter filter_;
  const Simulation& sim_;
  std::vector<TraceRow> rows_;
  int64_t truncated_at_ns_ = -1;
};

// ShiViz's log format (bestchai.bitbucket.io/shiviz): the parsing regular expression, an
// empty delimiter line, then two lines per event: "TIME_NS description" and
// "host {vector clock as JSON}". Hosts are n0, n1, ...; faults and other log lines go on a
// host of their own, "engine". Vector clocks follow Fidge/Mattern: a local step ticks the
// host's entry, a delivery merges the sender's clock at the send.
std::string shiviz_log(const std::vector<TraceRow>& rows);

// A space-time (Lamport) diagram: one vertical line per node, time flowing down, an arrow
// per message from its send to its delivery (drops end in a cross), notes as labelled
// dots, a legend of message types. SVG, or HTML around the same SVG. Throws ScenarioError
// when the trace is too big to read (over 64 nodes or 5,000 messages): narrow --trace.
std::string lamport_svg(const std::vector<TraceRow>& rows, const std::string& title);
std::string lamport_html(const std::vector<TraceRow>& rows, const std::string& title);

}  // namespace meshsim
