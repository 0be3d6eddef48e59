#include "sim/shrink/shrinker.h"

#include <algorithm>
#include <stdexcept>
#include <toml++/toml.h>

#include "sim/errors.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/toml_write.h"
#include "sim/shrink/candidate.h"
#include "sim/shrink/ddmin.h"
#include "sim/shrink/probe.h"
#include "sim/shrink/scenario_edit.h"

namespace meshsim::shrink {

namespace {

constexpr int64_t kMs = 1'000'000;
// Node lists longer than this are left whole: ddmin over hundreds of nodes would spend the
// budget on one fault.
constexpr size_t kMaxNodesToShrink = 64;
// Halvings of one fault's window: down to a thousandth of it, which is past anything a
// reader would call a simplification.
constexpr int kMaxHalvings = 10;

int64_t round_up_ms(int64_t ns) { return (ns + kMs - 1) / kMs * kMs; }

std::string plural(size_t n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

// The original text made ready for re-runs: the seed written in, and `[expect] failure`
// taken out, since a run that stops on the expected checker passes, and the shrunk file
// must fail with it.
std::string prepare_text(const std::string& text, uint64_t seed) {
  std::string out = remove_key(text, "expect", "failure");
  try {
    // An [expect] table left with nothing in it would only puzzle a reader.
    toml::table doc = toml::parse(out);
    if (const toml::table* expect = doc["expect"].as_table(); expect && expect->empty()) out = remove_tables(out, "expect");
  } catch (const toml::parse_error&) {
    // Reported, with its line, when the text is loaded.
  }
  return set_key(out, "run", "seed", std::to_string(seed));
}

// The checker `[expect] failure` names, or "".
std::string expected_checker(const std::string& text) {
  try {
    return toml::parse(text)["expect"]["failure"].value_or(std::string());
  } catch (const toml::parse_error&) {
    return "";
  }
}

class Shrinker {
 public:
  Shrinker(const ShrinkOptions& o, const ModuleRegistry& registry)
      : options_(o), registry_(registry), probe_(registry, o.path, o.seed, o.max_runs) {
    probe_.should_stop = o.should_stop;
  }

  ShrinkReport shrink(const std::string& original) {
    ShrinkReport report;
    const std::string prepared = prepare_text(original, options_.seed);
    const bool expected = remove_key(original, "expect", "failure") != original;
    Failure first = probe_.run(prepared);
    if (!first.invalid.empty()) throw ScenarioError(first.invalid);
    if (probe_.stopped()) throw ShrinkInterrupted("interrupted during the first run, before its failure was known");
    if (first.failure_class.empty())
      throw ScenarioError(options_.path + ": nothing to shrink: seed " + std::to_string(options_.seed) +
                          " passes (no checker or expectation fails" +
                          (expected ? "; its [expect] failure is set aside: only a failure that happens can be kept"
                                    : "") +
                          ")");
    cls_ = first.failure_class;
    report.failure_class = cls_;
    report.original_failure = first.text;
    report.original_at_ns = first.at_ns;
    report.original_expected = expected && "checker " + expected_checker(original) == cls_;
    say("seed " + std::to_string(options_.seed) + " fails: " + first.text);

    Scenario scenario = parse_scenario(prepared, options_.path, {}, registry_, options_.seed);
    best_.base = remove_tables(remove_tables(prepared, "chaos"), "faults");
    best_.end_ns = scenario.end.ns;
    best_.faults = schedule_of(scenario);
    check_rewritable();
    for (const ScheduledFault& f : best_.faults) (f.drawn ? report.chaos_faults_before : report.file_faults_before)++;
    report.fault_time_before_ns = total_fault_time_ns(best_);
    report.duration_before_ns = best_.end_ns;
    for (const SizeKey& k : options_.size_keys)
      if (auto v = integer_key(best_, k.section, k.key)) report.sizes.push_back({k.section + "." + k.key, *v, *v});

    // The chaos draw, written out, must fail as the drawn run did: streams are derived per
    // purpose (sim/rng.h), so drawing no chaos shifts nothing else.
    Failure explicit_run = probe_.run(render(best_));
    if (probe_.stopped()) throw ShrinkInterrupted("interrupted before the explicit fault schedule was checked");
    if (explicit_run.failure_class != cls_)
      throw std::runtime_error("the fault schedule written out explicitly does not reproduce the failure (" +
                               (explicit_run.failure_class.empty() ? std::string("it passes") : explicit_run.text) +
                               "): please report this with the scenario and seed");
    say(best_.faults.empty() ? std::string("no faults to write out")
                             : plural(best_.faults.size(), "fault") + " written out as [[faults]] fail the same way");

    std::string before;
    while (render(best_) != before && !done()) {
      before = render(best_);
      // Cheapest and widest first: a shorter run drops every fault after the failure, and
      // each step may move the failure earlier, so the run is cut again after it.
      shorten_run();
      remove_faults();
      shorten_run();
      lower_sizes();
      simplify_faults();
      shorten_run();
    }

    Failure last = probe_.run(render(best_));
    report.text = render(best_);
    report.final_failure = last.text;
    report.final_at_ns = last.at_ns;
    report.faults_after = best_.faults.size();
    report.fault_time_after_ns = total_fault_time_ns(best_);
    report.duration_after_ns = best_.end_ns;
    for (SizeChange& s : report.sizes) {
      size_t dot = s.name.find('.');
      if (auto v = integer_key(best_, s.name.substr(0, dot), s.name.substr(dot + 1))) s.after = *v;
    }
    report.runs = probe_.runs();
    report.recalled = probe_.recalled();
    report.budget_spent = probe_.budget_spent();
    report.stopped = probe_.stopped();
    return report;
  }

 private:
  const ShrinkOptions& options_;
  const ModuleRegistry& registry_;
  Probe probe_;
  std::string cls_;
  Candidate best_;

  bool done() const { return probe_.budget_spent() || probe_.stopped(); }
  void say(const std::string& line) {
    if (options_.progress) options_.progress("shrink: " + line + " (" + plural(probe_.runs(), "run") + ")");
  }
  bool keep_if_fails(const Candidate& c) {
    if (!probe_.fails_with(render(c), cls_)) return false;
    best_ = c;
    return true;
  }

  // Faults must come back as [[faults]] tables and chaos as [chaos], since those are what
  // the rewrite removes; an inline `faults = [...]` would stay and double the schedule.
  void check_rewritable() const {
    toml::table doc;
    try {
      doc = toml::parse(best_.base);
    } catch (const toml::parse_error& e) {
      throw ScenarioError(options_.path + ": cannot rewrite this scenario (" + std::string(e.description()) + ")");
    }
    for (const char* key : {"faults", "chaos"})
      if (doc.contains(key))
        throw ScenarioError(options_.path + ": " + key + ": shrink rewrites faults written as [[faults]] tables and " +
                            "chaos written as a [chaos] table; write them so");
  }

  // The run ends just after the failure (a checker's time, rounded up to the next
  // millisecond); when that loses it (an expectation is judged at the end), by bisection.
  void shorten_run() {
    if (done() || !options_.shorten_run) return;
    const int64_t before = best_.end_ns;
    Failure now = probe_.run(render(best_));
    int64_t low = 0;  // the longest end known (or assumed) not to fail
    if (now.at_ns >= 0) {
      int64_t tight = round_up_ms(now.at_ns + 1);
      if (tight < best_.end_ns && keep_if_fails(with_end(best_, tight))) low = -1;
      else low = std::min(tight, best_.end_ns);
    }
    for (int step = 0; low >= 0 && step < 12 && best_.end_ns - low > kMs && !done(); ++step) {
      int64_t mid = round_up_ms(low + (best_.end_ns - low) / 2);
      if (mid >= best_.end_ns) break;
      if (!keep_if_fails(with_end(best_, mid))) low = mid;
    }
    if (best_.end_ns != before)
      say("run.duration " + format_duration(Duration{before}) + " -> " + format_duration(Duration{best_.end_ns}));
  }

  // ddmin in stages: a stage that removes faults often moves the failure earlier, and
  // cutting the run there drops every fault after it at the price of one run, which ddmin
  // would pay for many times over. A stage ends on its share of the budget, or when its
  // list is 1-minimal.
  void remove_faults() {
    const size_t before = best_.faults.size();
    bool minimal = false;
    while (!minimal && !done() && !best_.faults.empty()) {
      const uint64_t stage_end = probe_.runs() + std::max<uint64_t>(50, (options_.max_runs - probe_.runs()) / 3);
      bool cut_short = false;
      const Candidate base = best_;
      std::vector<size_t> keep = ddmin(base.faults.size(), [&](const std::vector<size_t>& subset) {
        if (probe_.runs() >= stage_end) {
          cut_short = true;
          return false;
        }
        Candidate c = base;
        c.faults.clear();
        for (size_t i : subset) c.faults.push_back(base.faults[i]);
        return probe_.fails_with(render(c), cls_);
      });
      best_.faults.clear();
      for (size_t i : keep) best_.faults.push_back(base.faults[i]);
      minimal = !cut_short && !done();
      if (!minimal) shorten_run();
    }
    if (best_.faults.size() != before)
      say("faults " + std::to_string(before) + " -> " + std::to_string(best_.faults.size()) + " (ddmin)");
  }

  // Fewer nodes in one fault (or in one group of a partition), by ddmin over its ids.
  void shrink_node_set(size_t index, const std::function<NodeSet&(Candidate&)>& select) {
    std::vector<NodeId> ids;
    select(best_).for_each([&](NodeId n) { ids.push_back(n); });
    if (ids.size() < 2 || ids.size() > kMaxNodesToShrink || done()) return;
    const Candidate base = best_;
    auto with_ids = [&](const std::vector<size_t>& subset) {
      Candidate c = base;
      NodeSet s;
      for (size_t i : subset) s.add_range(ids[i], ids[i]);
      select(c) = s;
      return c;
    };
    std::vector<size_t> keep = ddmin(ids.size(), [&](const std::vector<size_t>& subset) {
      return !subset.empty() && probe_.fails_with(render(with_ids(subset)), cls_);
    });
    if (keep.size() < ids.size()) {
      best_ = with_ids(keep);
      say("fault " + std::to_string(index) + ": " + plural(ids.size(), "node") + " -> " + std::to_string(keep.size()));
    }
  }

  // A window halved from its end (shorter), then from its start (later), while it fails.
  void shrink_window(size_t i) {
    for (int step = 0; step < kMaxHalvings && !done(); ++step) {
      const FaultSpec& f = best_.faults[i].spec;
      if (!f.until || f.until->ns - f.at.ns < 2 * kMs) break;
      Candidate c = best_;
      c.faults[i].spec.until = SimTime{f.at.ns + round_up_ms((f.until->ns - f.at.ns) / 2)};
      if (c.faults[i].spec.until->ns >= f.until->ns || !keep_if_fails(c)) break;
    }
    for (int step = 0; step < kMaxHalvings && !done(); ++step) {
      const FaultSpec& f = best_.faults[i].spec;
      const int64_t stop = f.until ? f.until->ns : best_.end_ns;
      if (stop - f.at.ns < 2 * kMs) break;
      Candidate c = best_;
      c.faults[i].spec.at = SimTime{round_up_ms(f.at.ns + (stop - f.at.ns) / 2)};
      if (c.faults[i].spec.at.ns >= stop || !keep_if_fails(c)) break;
    }
  }

  void simplify_faults() {
    const int64_t time_before = total_fault_time_ns(best_);
    for (size_t i = 0; i < best_.faults.size() && !done(); ++i) {
      if (best_.faults[i].writes_nodes)
        shrink_node_set(i, [i](Candidate& c) -> NodeSet& { return c.faults[i].spec.nodes; });
      if (best_.faults[i].writes_groups)
        for (size_t g = 0; g < best_.faults[i].spec.groups.size(); ++g)
          shrink_node_set(i, [i, g](Candidate& c) -> NodeSet& { return c.faults[i].spec.groups[g].second; });
      shrink_window(i);
    }
    if (total_fault_time_ns(best_) != time_before)
      say("fault time " + format_readable(Duration{time_before}) + " -> " + format_readable(Duration{total_fault_time_ns(best_)}));
  }

  // Each count to the smallest value that still fails, by bisection (a failure that needs
  // n clients usually also happens with more).
  void lower_sizes() {
    for (const SizeKey& k : options_.size_keys) {
      if (done()) return;
      std::optional<int64_t> current = integer_key(best_, k.section, k.key);
      if (!current || *current <= k.minimum) continue;
      std::optional<int64_t> nodes = integer_key(best_, "topology", "nodes");
      auto candidate = [&](int64_t v) {
        std::optional<int64_t> node_count;
        if (k.section == "topology" && k.key == "nodes") node_count = v;
        else if (k.counts_leading_nodes && nodes) node_count = *nodes - (*current - v);
        return with_key(best_, k.section, k.key, v, node_count);
      };
      int64_t low = k.minimum - 1, high = *current;
      while (high - low > 1 && !done()) {
        int64_t mid = low + (high - low) / 2;
        if (probe_.fails_with(render(candidate(mid)), cls_)) high = mid;
        else low = mid;
      }
      if (high < *current) {
        best_ = candidate(high);
        say(k.section + "." + k.key + " " + std::to_string(*current) + " -> " + std::to_string(high));
      }
    }
  }
};

}  // namespace

ShrinkReport shrink_scenario(const std::string& text, const ShrinkOptions& options, const ModuleRegistry& registry) {
  Shrinker shrinker(options, registry);
  return shrinker.shrink(text);
}

}  // namespace meshsim::shrink
