// Data-driven interaction tests in the etcd-raft style: each file in raft_transcripts/ is
// a script of commands, each followed by "----" and the output it must produce (messages
// delivered, server states). A changed protocol shows up as a reviewable diff of the
// transcript. Regenerate after an intended change with
//   MESHSIM_REWRITE_TRANSCRIPTS=1 build/release/tests/meshsim_tests -tc='raft transcript*'
// and review `git diff tests/unit/raft_transcripts`.
//
// Commands: `config pre_vote=true check_quorum=true snapshot_threshold=N noop=false
// bug=commit-old-terms` (before anything else); `timeout N`; `heartbeat N`;
// `put LEADER KEY VALUE`; `deliver N N ...` (among those servers until quiet);
// `drop`; `crash N`; `recover N`; `status`.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "tests/unit/raft_harness.h"

using namespace meshsim;
using namespace meshsim::raft;

namespace {

struct Block {
  std::string command;
  std::string expected;
};

std::vector<Block> read_blocks(const std::string& text) {
  std::vector<Block> blocks;
  std::istringstream in(text);
  std::string line;
  Block* cur = nullptr;
  bool in_output = false;
  while (std::getline(in, line)) {
    if (!in_output) {
      if (line.empty() || line[0] == '#') continue;
      blocks.push_back({line, ""});
      cur = &blocks.back();
      std::getline(in, line);
      REQUIRE_MESSAGE(line == "----", "a command must be followed by ----: " << cur->command);
      in_output = true;
      continue;
    }
    if (line.empty()) {
      in_output = false;
      continue;
    }
    cur->expected += line + "\n";
  }
  return blocks;
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

std::string status(testing::Harness& h, uint32_t servers) {
  std::string out;
  for (NodeId n = 0; n < servers; ++n) {
    const Server& s = h.server(n);
    out += std::to_string(n) + ": " + to_string(s.role()) + " term " + std::to_string(s.term()) + " vote " +
           (s.voted_for() == kNoNode ? std::string("-") : std::to_string(s.voted_for())) + " log " +
           std::to_string(s.log().last_index()) + "/" + std::to_string(s.log().last_term()) + " commit " +
           std::to_string(s.commit_index()) + "\n";
  }
  return out;
}

std::string run_transcript(const std::string& text, std::string& rewritten) {
  Params p;
  p.servers = 3;
  std::unique_ptr<testing::Harness> h;
  std::vector<std::string> trace;
  std::string mismatches;
  for (const Block& b : read_blocks(text)) {
    std::vector<std::string> w = words(b.command);
    auto arg = [&](size_t i) { return static_cast<uint32_t>(std::stoul(w.at(i))); };
    trace.clear();
    std::string out;
    if (w[0] == "config") {
      for (size_t i = 1; i < w.size(); ++i) {
        auto eq = w[i].find('=');
        std::string k = w[i].substr(0, eq), v = w[i].substr(eq + 1);
        if (k == "servers") p.servers = static_cast<uint32_t>(std::stoul(v));
        else if (k == "pre_vote") p.pre_vote = v == "true";
        else if (k == "check_quorum") p.check_quorum = v == "true";
        else if (k == "noop") p.noop_on_election = v == "true";
        else if (k == "snapshot_threshold") p.snapshot_threshold = static_cast<uint32_t>(std::stoul(v));
        else if (k == "bug") p.bug = v == "commit-old-terms" ? Bug::commit_old_terms : Bug::none;
        else FAIL("unknown config key " << k);
      }
      out = "ok\n";
    } else {
      if (!h) {
        h = std::make_unique<testing::Harness>(p);
        h->set_trace(&trace);
      }
      if (w[0] == "timeout") h->timeout(arg(1));
      else if (w[0] == "heartbeat") h->heartbeat(arg(1));
      else if (w[0] == "put") h->client_put(arg(1), arg(2), arg(3));
      else if (w[0] == "deliver") {
        std::vector<NodeId> group;
        for (size_t i = 1; i < w.size(); ++i) group.push_back(arg(i));
        h->deliver_among(group);
      } else if (w[0] == "drop") h->drop_all();
      else if (w[0] == "crash") h->crash(arg(1));
      else if (w[0] == "recover") h->recover(arg(1));
      else if (w[0] == "status") out = status(*h, p.servers);
      else FAIL("unknown command " << w[0]);
      for (const std::string& t : trace) out += t + "\n";
      if (h->violation()) out += "VIOLATION " + *h->violation() + "\n";
      if (out.empty()) out = "ok\n";
    }
    rewritten += b.command + "\n----\n" + out + "\n";
    if (out != b.expected) mismatches += "command: " + b.command + "\nexpected:\n" + b.expected + "got:\n" + out + "\n";
  }
  return mismatches;
}

}  // namespace

TEST_CASE("raft transcripts: every script in raft_transcripts/ produces its recorded output") {
  const std::filesystem::path dir = std::filesystem::path(MESHSIM_SOURCE_DIR) / "tests/unit/raft_transcripts";
  const bool rewrite = std::getenv("MESHSIM_REWRITE_TRANSCRIPTS") != nullptr;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 3);
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream text;
    text << in.rdbuf();
    // Keep the file's leading comment when rewriting.
    std::string header;
    std::istringstream lines(text.str());
    for (std::string line; std::getline(lines, line) && !line.empty() && line[0] == '#';) header += line + "\n";
    std::string rewritten;
    std::string mismatches = run_transcript(text.str(), rewritten);
    if (rewrite) {
      std::ofstream(f) << header << (header.empty() ? "" : "\n") << rewritten;
      continue;
    }
    INFO(f.filename().string() << "\n" << mismatches);
    CHECK(mismatches.empty());
  }
}
