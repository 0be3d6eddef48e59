// Comparing with another build of meshsim (the one before a protocol change): that build
// replays its side of the comparison in its own process, through the hidden command
//
//   meshsim emit-events SCENARIO [--seed N] [--set k=v]... --every K        (checkpoints)
//   meshsim emit-events SCENARIO [--seed N] [--set k=v]... --events I..J    (events I to J)
//
// and prints them in the line format below, which this side reads back. Both builds must
// know the command (it came with meshsim diverge); an older binary fails with a message
// that says so.
//
//   meshsim-events 1 BUILD-ID
//   checkpoint HASH                 (one per K events, in order)
//   event INDEX HASH TIME_NS NODE KIND MODULE TYPE FROM DETAIL   (tab-separated)
//   end EVENTS FINGERPRINT
#pragma once
#include <ostream>
#include <string>

#include "app/divergence/locate.h"
#include "app/divergence/scenario_run.h"

namespace meshsim::divergence {

void write_checkpoints(std::ostream& out, const Checkpoints& c, const std::string& build_id);
void write_events(std::ostream& out, const std::vector<EventRecord>& events, const std::string& build_id);

// A side replayed by another meshsim binary. Throws ScenarioError when the binary cannot be
// run, fails, or answers in a format it does not share with this build.
class OtherBuildRun : public RunSide {
 public:
  OtherBuildRun(std::string binary, RunRecipe recipe) : binary_(std::move(binary)), recipe_(std::move(recipe)) {}
  std::string label() const override;
  Checkpoints checkpoints(uint64_t every) override;
  std::vector<EventRecord> events(uint64_t first, uint64_t last) override;

 private:
  std::string run(const std::string& mode);

  std::string binary_;
  RunRecipe recipe_;
  std::string build_id_;  // from the first answer
};

}  // namespace meshsim::divergence
