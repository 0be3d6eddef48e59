#include "app/compare_variants.h"

#include <filesystem>
#include <iostream>
#include <set>

#include "app/batch_commands.h"
#include "sim/scenario/config_section.h"
#include "sim/scenario/scenario.h"
#include "sink/sweeps.h"

namespace meshsim::cli {

namespace {

bool plain_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '=')) return false;
  return true;
}

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t at = text.find(by, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

std::vector<Variant> vary_variants(const CompareInput& in) {
  const std::string& text = in.vary.front();
  const std::string usage = "; write it like --vary protocol.fanout=2,3,4";
  if (in.vary.size() > 1) throw ScenarioError("--vary: one parameter at a time (got " + std::to_string(in.vary.size()) + ")");
  if (!in.variants.empty()) throw ScenarioError("--vary and --variant do not mix: vary one scenario, or name whole variants");
  if (in.scenario.empty()) throw ScenarioError("--vary " + text + ": name the scenario to vary (meshsim compare SCENARIO --vary ...)");
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw ScenarioError("--vary " + text + ": no KEY=VALUES" + usage);
  std::string key = text.substr(0, eq);
  std::vector<std::string> values = split(text.substr(eq + 1), ',');
  if (values.size() < 2) throw ScenarioError("--vary " + text + ": give two or more values to compare" + usage);
  std::vector<Variant> out;
  for (const auto& v : values) {
    if (v.empty()) throw ScenarioError("--vary " + text + ": an empty value" + usage);
    Variant variant;
    variant.name = key.substr(key.rfind('.') + 1) + "=" + v;
    variant.scenario = in.scenario;
    variant.sets = in.sets;
    variant.sets.push_back(key + "=" + v);
    variant.source = in.scenario + " --set " + key + "=" + v;
    out.push_back(variant);
  }
  return out;
}

Variant named_variant(const CompareInput& in, const std::string& text) {
  const std::string usage = "; write it like --variant raft=scenarios/compare/raft_quiet.toml or --variant old=old.db";
  size_t eq = text.find('=');
  if (eq == std::string::npos) throw ScenarioError("--variant " + text + ": no NAME=SOURCE" + usage);
  Variant v;
  v.name = text.substr(0, eq);
  v.source = text.substr(eq + 1);
  if (!plain_name(v.name)) throw ScenarioError("--variant " + text + ": the name must be letters, digits, '_', '-' or '.'" + usage);
  std::string path = v.source;
  size_t hash = path.rfind('#');
  bool stored = hash != std::string::npos || path.ends_with(".db") || path.ends_with(".sqlite");
  if (hash != std::string::npos) {
    std::string id = path.substr(hash + 1);
    path = path.substr(0, hash);
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos || id.size() > 12)
      throw ScenarioError("--variant " + text + ": '#" + id + "' is not a sweep id (meshsim show --sweep 0 --db " + path +
                          " shows the newest)");
    v.stored_sweep = std::stoll(id);
  }
  std::error_code ec;
  if (path.empty() || !std::filesystem::is_regular_file(path, ec))
    throw ScenarioError("--variant " + text + ": " + (path.empty() ? std::string("no file named") : path + ": no such file"));
  if (stored) {
    v.stored_db = path;
    if (!in.sets.empty())
      throw ScenarioError("--variant " + text + ": --set cannot change a stored sweep (it has already run)");
  } else {
    v.scenario = path;
    v.sets = in.sets;
  }
  return v;
}

}  // namespace

std::vector<Variant> parse_variants(const CompareInput& in) {
  std::vector<Variant> out;
  if (!in.vary.empty()) {
    out = vary_variants(in);
  } else {
    if (!in.scenario.empty())
      throw ScenarioError("compare " + in.scenario + ": say what to compare it across (--vary KEY=V1,V2), or name each variant with --variant NAME=FILE");
    for (const auto& text : in.variants) out.push_back(named_variant(in, text));
  }
  if (out.size() < 2)
    throw ScenarioError("compare needs two or more variants (got " + std::to_string(out.size()) +
                        "): --variant A=a.toml --variant B=b.toml, or SCENARIO --vary KEY=V1,V2");
  std::set<std::string> names;
  for (const Variant& v : out)
    if (!names.insert(v.name).second) throw ScenarioError("--variant " + v.name + ": the name is used twice");
  return out;
}

std::vector<VariantSamples> gather_variants(const std::vector<Variant>& variants, const RunOptions& base,
                                            const std::string& seed_text, unsigned threads,
                                            const ModuleRegistry& registry) {
  std::vector<uint64_t> seeds = parse_seeds(seed_text);
  std::vector<SweepPlan> plans;
  for (const Variant& v : variants) {
    if (v.scenario.empty()) continue;
    SweepPlan plan;
    plan.command = "compare";
    plan.label = v.name;
    plan.base = base;
    plan.base.scenario = v.scenario;
    plan.base.sets = v.sets;
    plan.seed_text = seed_text;
    plan.seeds = seeds;
    // Every scenario is checked before anything runs: a bad variant must not cost the
    // other variants' runs, nor leave half a comparison in the database.
    try {
      if (!seeds.empty()) load_scenario(v.scenario, v.sets, registry, seeds.front());
    } catch (const ScenarioError& e) {
      throw ScenarioError("variant " + v.name + ": " + e.what());
    }
    plans.push_back(plan);
  }
  std::vector<SweepOutcome> swept = plans.empty() ? std::vector<SweepOutcome>{} : run_sweeps(plans, threads, registry, false);
  std::vector<VariantSamples> out;
  size_t next_plan = 0;
  for (const Variant& v : variants) {
    VariantSamples vs;
    vs.variant = v;
    std::vector<int64_t> run_ids;
    std::vector<uint64_t> used;
    if (!v.scenario.empty()) {
      const SweepOutcome& sweep = swept[next_plan++];
      vs.sweep_id = sweep.sweep_id;
      vs.db = base.db;
      usable_runs(sweep, run_ids, used);
      vs.runs_not_ok = sweep.runs.size() - run_ids.size();
      for (const BatchRun& r : sweep.runs)
        if (r.outcome.exit_code == 2 || r.outcome.exit_code == 3)
          std::cerr << "meshsim: variant " << v.name << " seed " << r.job.seed.value_or(0) << ": " << r.outcome.error << std::endl;
    } else {
      sink::SweepRow row = sink::read_sweep(v.stored_db, v.stored_sweep);
      vs.sweep_id = row.sweep_id;
      vs.db = v.stored_db;
      for (const sink::SweepRunRow& r : row.runs) {
        bool finished = r.verdict == "ok" || r.verdict == "FAILED" || r.verdict == "INCONCLUSIVE";
        if (!finished || r.run_id <= 0) {
          ++vs.runs_not_ok;
          continue;
        }
        run_ids.push_back(r.run_id);
        used.push_back(r.seed);
      }
    }
    vs.samples = collect_samples(vs.db, run_ids, used);
    out.push_back(std::move(vs));
  }
  return out;
}

}  // namespace meshsim::cli
