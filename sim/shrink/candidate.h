// One candidate of the search: the scenario's text without its faults and chaos (with any
// count or duration already lowered), plus the explicit fault schedule. Rendering it gives
// the exact text that is run, and in the end written.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/shrink/schedule.h"

namespace meshsim::shrink {

struct Candidate {
  std::string base;  // scenario text: no [chaos], no [[faults]]
  std::vector<ScheduledFault> faults;
  int64_t end_ns = 0;  // run.duration
};

std::string render(const Candidate& c);

// The candidate ending at `end_ns`: run.duration set, faults that would start at or after
// the end dropped (they never happen), windows cut at the end.
Candidate with_end(const Candidate& c, int64_t end_ns);

// The integer value of `section.key` in the candidate's text, if it has one.
std::optional<int64_t> integer_key(const Candidate& c, const std::string& section, const std::string& key);

// The candidate with `section.key = value`; with `node_count`, topology.nodes is set to it
// and faults are cut to the nodes that remain.
Candidate with_key(const Candidate& c, const std::string& section, const std::string& key, int64_t value,
                   std::optional<int64_t> node_count);

int64_t total_fault_time_ns(const Candidate& c);

}  // namespace meshsim::shrink
