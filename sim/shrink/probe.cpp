#include "sim/shrink/probe.h"

#include "sim/errors.h"
#include "sim/scenario/scenario.h"
#include "sim/simulation.h"

namespace meshsim::shrink {

std::string failure_class_of(const std::string& text) {
  // "checker NAME violated at ...", possibly followed by "(expected checker X instead)".
  if (text.rfind("checker ", 0) == 0) {
    size_t end = text.find(' ', 8);
    return text.substr(0, end);
  }
  // "FILE:LINE: expect.METRIC OP VALUE: got X" (the first of several lines).
  size_t at = text.find(": expect.");
  // Any other failure text is its own first line (a class no other text shares by chance).
  if (at == std::string::npos) return text.substr(0, text.find('\n'));
  size_t start = at + 2;
  size_t end = text.find_first_of(" :\n", start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

Probe::Probe(const ModuleRegistry& registry, std::string path, uint64_t seed, uint64_t max_runs)
    : registry_(registry), path_(std::move(path)), seed_(seed), max_runs_(max_runs) {}

Failure Probe::run(const std::string& text) {
  if (auto known = memo_.find(text); known != memo_.end()) {
    ++recalled_;
    return known->second;
  }
  Failure out;
  try {
    Scenario scenario = parse_scenario(text, path_, {}, registry_, seed_);
    Simulation sim(resolve_run(scenario, registry_));
    RunInfo info;
    info.scenario_path = path_;
    info.scenario_name = scenario.name;
    info.scenario_text = text;
    info.seed = seed_;
    RunResult result = sim.run(info, [&](const Simulation&) {
      if (should_stop && should_stop()) {
        stopped_ = true;
        sim.request_stop();
      }
    });
    out.end_ns = result.sim_time_ns;
    if (result.status == RunStatus::failed) {
      out.text = result.failure;
      out.failure_class = failure_class_of(result.failure);
      for (const LogEntry& e : sim.metrics().log_entries())
        if (e.kind == "violation") out.at_ns = e.sim_time_ns;
    }
  } catch (const ScenarioError& e) {
    out.invalid = e.what();
  }
  ++runs_;
  if (!stopped_) memo_.emplace(text, out);  // a stopped run proves nothing
  if (on_run) on_run(runs_);
  return out;
}

bool Probe::fails_with(const std::string& text, const std::string& failure_class) {
  if (!memo_.count(text)) {
    if (stopped_ || (should_stop && should_stop())) {
      stopped_ = true;
      return false;
    }
    if (budget_spent()) return false;
  }
  Failure f = run(text);
  return !stopped_ && f.failure_class == failure_class;
}

}  // namespace meshsim::shrink
