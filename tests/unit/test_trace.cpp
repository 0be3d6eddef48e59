// Message traces: what a Raft election looks like message by message, the filter and its
// bound, and the ShiViz export read back as ShiViz reads it (vector clocks that respect
// happened-before).
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <sstream>

#include "sim/scenario/scenario.h"
#include "sim/simulation.h"
#include "sink/trace.h"
#include "tests/unit/builtin_registry.h"

using namespace meshsim;

namespace {

const std::string kRaft = R"([run]
duration = "2s"
[topology]
kind = "none"
nodes = 6
[protocol]
name = "raft"
servers = 5
)";

struct Traced {
  std::vector<TraceRow> rows;
  uint64_t fingerprint = 0;
  int64_t truncated_at = -1;
};

Traced trace(const std::string& filter, uint64_t seed = 1) {
  Scenario sc = parse_scenario(kRaft, "raft.toml", {}, testing::builtin_registry(), seed);
  Simulation sim(resolve_run(sc, testing::builtin_registry()));
  TraceRecorder recorder(parse_trace_filter(filter, sim.node_count()), sim);
  sim.add_observer(&recorder);
  Traced t;
  t.fingerprint = sim.run(RunInfo{}).fingerprint;
  t.rows = recorder.rows();
  t.truncated_at = recorder.truncated_at_ns();
  return t;
}

}  // namespace

TEST_CASE("a Raft election's trace shows the RequestVotes, the votes and the new leader in order") {
  Traced t = trace("all");
  // The first election: a candidate's note, its RequestVotes, votes granted back to it,
  // then its became-leader note, in time order.
  auto first = [&](const std::string& event, const std::string& type, size_t from = 0) {
    for (size_t i = from; i < t.rows.size(); ++i)
      if (t.rows[i].event == event && t.rows[i].type == type) return i;
    return t.rows.size();
  };
  const size_t started = first("note", "election-started");
  REQUIRE(started < t.rows.size());
  const int64_t candidate = t.rows[started].node;
  const size_t vote_request = first("send", "RequestVote", started);
  REQUIRE(vote_request < t.rows.size());
  CHECK(t.rows[vote_request].node == candidate);
  CHECK(t.rows[vote_request].detail.rfind("RequestVote term ", 0) == 0);
  const size_t request_arrives = first("deliver", "RequestVote", vote_request);
  const size_t vote = first("send", "VoteReply", request_arrives);
  const size_t vote_arrives = first("deliver", "VoteReply", vote);
  const size_t leader = first("note", "became-leader", started);
  REQUIRE(leader < t.rows.size());
  CHECK(request_arrives < vote);
  CHECK(vote < vote_arrives);
  CHECK(vote_arrives < leader);
  CHECK(t.rows[vote].peer == candidate);
  CHECK(t.rows[vote].detail.find("granted") != std::string::npos);
  CHECK(t.rows[leader].node == candidate);
  for (size_t i = 1; i < t.rows.size(); ++i) CHECK(t.rows[i - 1].sim_time_ns <= t.rows[i].sim_time_ns);
  // Each delivery joins its send: same id, same send time.
  std::map<uint64_t, int64_t> sent;
  for (const TraceRow& r : t.rows) {
    if (r.event == "send") sent[r.message_id] = r.sim_time_ns;
    if (r.event == "deliver") CHECK(sent.at(r.message_id) == r.sent_ns);
  }
}

TEST_CASE("tracing changes no fingerprint") {
  Scenario sc = parse_scenario(kRaft, "raft.toml", {}, testing::builtin_registry(), 1);
  Simulation sim(resolve_run(sc, testing::builtin_registry()));
  CHECK(sim.run(RunInfo{}).fingerprint == trace("all").fingerprint);
}

TEST_CASE("the trace filter keeps what it names, and the bound says where the trace stops") {
  Traced few = trace("nodes=1 time=0.5s..1.5s types=AppendEntries,AppendReply");
  REQUIRE(!few.rows.empty());
  for (const TraceRow& r : few.rows) {
    if (r.event == "log") continue;
    CHECK((r.node == 1 || r.peer == 1));
    CHECK(r.sim_time_ns >= 500'000'000);
    CHECK(r.sim_time_ns < 1'500'000'000);
    CHECK((r.type == "AppendEntries" || r.type == "AppendReply"));
  }
  Traced bounded = trace("max=100");
  CHECK(bounded.rows.size() == 100);
  CHECK(bounded.rows.back().event == "truncated");
  CHECK(bounded.truncated_at == bounded.rows.back().sim_time_ns);

  auto error_of = [](const std::string& f) {
    try {
      parse_trace_filter(f, 6);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error_of("nodes=9").find("beyond the node count") != std::string::npos);
  CHECK(error_of("time=3s..1s").find("ends before it starts") != std::string::npos);
  CHECK(error_of("color=red").find("unknown key 'color'") != std::string::npos);
  CHECK(error_of("max=0").find("--trace max") != std::string::npos);
  CHECK(error_of("").find("empty filter") != std::string::npos);
}

TEST_CASE("the ShiViz export parses with its own regular expression and its clocks respect happened-before") {
  Traced t = trace("time=0s..1s");
  const std::string log = shiviz_log(t.rows);
  std::istringstream in(log);
  std::string regex_line, delimiter;
  std::getline(in, regex_line);
  std::getline(in, delimiter);
  CHECK(regex_line == "(?<date>\\d+) (?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})");
  CHECK(delimiter.empty());
  // Read it back as ShiViz does: pairs of lines, a host's own entry ticking by one per event.
  const std::regex event_line(R"((\d+) (.*))"), clock_line(R"((\S+) \{(.*)\})"), entry(R"re("([^"]+)": (\d+))re");
  std::map<std::string, uint64_t> own;
  std::string first, second;
  size_t events = 0, receives = 0, checked = 0;
  while (std::getline(in, first) && std::getline(in, second)) {
    std::smatch e, c;
    REQUIRE(std::regex_match(first, e, event_line));
    REQUIRE(std::regex_match(second, c, clock_line));
    const std::string host = c[1];
    std::map<std::string, uint64_t> clock;
    const std::string entries = c[2];
    for (std::sregex_iterator it(entries.begin(), entries.end(), entry), end; it != end; ++it)
      clock[(*it)[1]] = std::stoull((*it)[2]);
    CHECK(clock[host] == ++own[host]);  // ShiViz refuses anything else
    ++events;
    if (e[2].str().rfind("receive ", 0) == 0) ++receives;
  }
  CHECK(events == t.rows.size());
  CHECK(receives > 10);
  // Happened-before: a delivery's clock dominates its send's clock.
  std::map<uint64_t, std::map<std::string, uint64_t>> at_send;
  std::map<std::string, std::map<std::string, uint64_t>> clocks;
  for (const TraceRow& r : t.rows) {
    const std::string host = r.event == "log" ? "engine" : "n" + std::to_string(r.node);
    auto& c = clocks[host];
    if (r.event == "deliver" && at_send.count(r.message_id))
      for (auto [h, v] : at_send[r.message_id]) c[h] = std::max(c[h], v);
    ++c[host];
    if (r.event == "send") at_send[r.message_id] = c;
    if (r.event == "deliver" && at_send.count(r.message_id)) {
      for (auto [h, v] : at_send[r.message_id]) CHECK(c[h] >= v);
      ++checked;
    }
  }
  CHECK(checked == receives);
}

TEST_CASE("the Lamport diagram draws every message and refuses a trace too big to read") {
  Traced t = trace("time=0s..0.4s");
  const std::string svg = lamport_svg(t.rows, "raft election");
  size_t arrows = 0, pos = 0;
  while ((pos = svg.find("marker-end='url(#arrow)'", pos)) != std::string::npos) ++arrows, ++pos;
  size_t delivered = 0;
  for (const TraceRow& r : t.rows) delivered += r.event == "deliver";
  CHECK(arrows == delivered);
  CHECK(svg.find("RequestVote") != std::string::npos);
  CHECK(svg.find("became-leader") != std::string::npos);
  std::vector<TraceRow> wide;
  for (int64_t n = 0; n < 65; ++n) wide.push_back({n, "send", n, (n + 1) % 65, "raft", "AppendEntries", static_cast<uint64_t>(n), n, ""});
  CHECK_THROWS_WITH_AS(lamport_svg(wide, "too big"), doctest::Contains("readable up to 64 nodes"), ScenarioError);
}
