#include "sim/scenario/scenario.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "sim/scenario/scenario_faults.h"
#include "sim/scenario/scenario_link.h"
#include "sim/scenario/scenario_nodes.h"
#include "sim/scenario/scenario_text.h"

namespace meshsim {

std::string Scenario::directory() const {
  auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

ConfigSection module_section(const Scenario& s, const ModuleSpec& m) {
  return ConfigSection(m.table, m.section, s.path);
}

namespace {

// Applies `--set a.b.c=value`. The value is read as TOML (so 4, 0.5, true, "x", [1,2]
// keep their types); text that is not valid TOML is taken as a string, so
// `--set topology.kind=ring` works without shell-quoting quotes.
void apply_override(toml::table& root, const std::string& assignment, const std::string& file) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ScenarioError("--set " + assignment + ": expected key=value, e.g. --set protocol.fanout=4");
  std::string key = assignment.substr(0, eq), value = assignment.substr(eq + 1);
  check_scenario_text(value, "--set " + key);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value, std::string_view("--set"));
  } catch (const toml::parse_error&) {
    // Not a TOML value: taken as a plain string, as a shell user means `--set run.name=x`.
    // Inserted as is rather than re-parsed in quotes, which any quote or backslash in the
    // value would break.
    parsed = toml::table{};
    parsed.insert("v", value);
  }
  toml::table* table = &root;
  std::string path;
  size_t start = 0;
  for (;;) {
    size_t dot = key.find('.', start);
    std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw ScenarioError("--set " + assignment + ": empty key component");
    // `faults[1]` or `modules[0]`: one table of an array of tables ([[faults]]).
    std::optional<size_t> index;
    if (size_t open = part.find('['); open != std::string::npos) {
      std::string digits = part.substr(open + 1, part.size() - open - 2);
      if (part.back() != ']' || digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
        throw ScenarioError("--set " + assignment + ": '" + part + "' is not NAME or NAME[INDEX]");
      index = std::stoul(digits);
      part = part.substr(0, open);
    }
    path += (path.empty() ? "" : ".") + part;
    if (dot == std::string::npos && !index) {
      table->insert_or_assign(part, *parsed.get("v"));
      return;
    }
    toml::node* next = table->get(part);
    if (index) {
      toml::array* array = next ? next->as_array() : nullptr;
      if (!array || !array->is_array_of_tables())
        throw ScenarioError(file + ": --set " + assignment + ": the scenario has no [[" + path + "]] tables");
      if (*index >= array->size())
        throw ScenarioError(file + ": --set " + assignment + ": " + path + "[" + std::to_string(*index) +
                            "] does not exist (the scenario has " + std::to_string(array->size()) + " [[" + path +
                            "]] table(s), counted from 0)");
      path += "[" + std::to_string(*index) + "]";
      if (dot == std::string::npos)
        throw ScenarioError(file + ": --set " + assignment + ": name a key inside " + path + ", like " + path + ".at");
      next = array->get(*index);
    } else if (!next) {
      table->insert(part, toml::table{});
      next = table->get(part);
    }
    if (!next->is_table())
      throw ScenarioError(file + ": --set " + assignment + ": '" + path + "' is not a table");
    table = next->as_table();
    start = dot + 1;
  }
}

void flatten(const toml::table& t, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& [k, v] : t) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const toml::table* sub = v.as_table()) {
      flatten(*sub, key, out);
    } else if (const toml::array* arr = v.as_array(); arr && arr->is_array_of_tables()) {
      for (size_t i = 0; i < arr->size(); ++i)
        flatten(*arr->get(i)->as_table(), key + "[" + std::to_string(i) + "]", out);
    } else {
      std::ostringstream text;
      if (auto s = v.value_exact<std::string>()) text << *s;
      else v.visit([&](const auto& node) { text << node; });
      out.push_back({key, text.str()});
    }
  }
}

void read_topology(ConfigSection s, Scenario& sc) {
  TopologySpec& t = sc.topology;
  if (!s.has("nodes")) s.fail("nodes", "required (how many nodes the mesh has)");
  t.nodes = static_cast<uint32_t>(s.get_int("nodes", 0, 1, 16'000'000));  // event keys hold 24-bit origins
  t.kind = s.get_enum("kind", "full",
                      {"full", "grid", "torus", "ring", "random-regular", "erdos-renyi", "watts-strogatz",
                       "barabasi-albert", "edge-list", "none", "random-picks"});
  t.degree = static_cast<uint32_t>(s.get_int("degree", t.degree, 1, 1'000'000));
  t.p = s.get_probability("p", t.p);
  if (t.kind == "erdos-renyi") {
    // Below 1e-12 Boost's geometric skip draws degenerate; past 200 M edges (about 3 GB of
    // adjacency) the graph is a typo, not an experiment.
    double expected = static_cast<double>(t.nodes) * (static_cast<double>(t.nodes) - 1) / 2 * t.p;
    if (t.p > 0 && t.p < 1e-12) s.fail("p", "must be 0 or at least 1e-12");
    if (expected > 200e6)
      s.fail("p", "would give about " + std::to_string(static_cast<uint64_t>(expected)) + " edges; at most 200000000 are allowed");
  }
  t.k = static_cast<uint32_t>(s.get_int("k", t.k, 2, 1'000'000));
  t.m = static_cast<uint32_t>(s.get_int("m", t.m, 1, 1'000'000));
  t.width = static_cast<uint32_t>(s.get_int("width", 0, 0, 100'000'000));
  t.file = s.get_string("file", "");
  if (t.kind == "edge-list" && t.file.empty()) s.fail("file", "required for an edge-list topology");
  // Impossible shapes are caught here, where the file's line numbers are known; the
  // builders check again for callers that construct a TopologySpec by hand.
  const uint64_t n = t.nodes;
  if (t.kind == "full" && n > 20000)
    s.fail("nodes", "a full mesh of more than 20000 nodes would need " + std::to_string(n * (n - 1) / 2) + " edges");
  if (t.kind == "random-regular" && t.degree >= n) s.fail("degree", "must be below the node count");
  if (t.kind == "random-regular" && (n * t.degree) % 2 != 0)
    s.fail("degree", "nodes * degree must be even for a regular graph");
  if (t.kind == "random-picks" && (t.degree >= n || t.degree > 64))
    s.fail("degree", "must be below the node count and at most 64");
  if (t.kind == "watts-strogatz" && (t.k % 2 != 0 || t.k >= n)) s.fail("k", "must be even and below the node count");
  if (t.kind == "barabasi-albert" && t.m >= n) s.fail("m", "must be below the node count");
  if (t.kind == "grid" || t.kind == "torus") {
    uint64_t width = t.width ? t.width : static_cast<uint64_t>(std::llround(std::sqrt(static_cast<double>(n))));
    if (width == 0 || n % width != 0)
      s.fail(t.width ? "width" : "nodes", "a grid needs nodes to be a multiple of width (nodes " + std::to_string(n) +
                                               ", width " + std::to_string(width) + "); set topology.width");
  }
  if (t.kind == "edge-list") {
    std::filesystem::path file(t.file);
    if (file.is_relative()) file = std::filesystem::path(sc.directory()) / file;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) s.fail("file", "no such edge-list file '" + file.string() + "'");
  }
  s.finish();
}

void read_link_overrides(const toml::table* network, Scenario& sc) {
  if (!network) return;
  const toml::node* links = network->get("links");
  if (!links) return;
  const toml::array* arr = links->as_array();
  if (!arr || !arr->is_array_of_tables())
    throw ScenarioError(sc.path + ":" + std::to_string(links->source().begin.line) +
                        ": network.links: expected [[network.links]] tables");
  for (size_t i = 0; i < arr->size(); ++i) {
    ConfigSection s(arr->get(i)->as_table(), "network.links[" + std::to_string(i) + "]", sc.path);
    LinkOverride o;
    o.spec = sc.link;
    o.from = s.has("from") ? s.get_nodes("from", sc.topology.nodes) : NodeSet::all(sc.topology.nodes);
    o.to = s.has("to") ? s.get_nodes("to", sc.topology.nodes) : NodeSet::all(sc.topology.nodes);
    o.both_ways = s.get_bool("both_ways", true);
    read_link_keys(s, o.spec);
    s.finish();
    sc.overrides.push_back(std::move(o));
  }
}

// Returns every metric the engine and the scenario's modules declare, for read_expectations.
std::vector<MetricInfo> read_modules(const toml::table& root, Scenario& sc, const ModuleRegistry& registry) {
  auto add = [&](const toml::table* t, const std::string& section) {
    ConfigSection s(t, section, sc.path);
    if (!s.has("name")) s.fail("name", "required: which protocol runs (" + registry.names() + ")");
    std::string name = s.get_string("name", "");
    if (!registry.find(name)) s.fail("name", "unknown protocol '" + name + "'; known: " + registry.names());
    for (const auto& m : sc.modules)
      if (m.name == name) s.fail("name", "protocol '" + name + "' appears twice");
    sc.modules.push_back({name, section, t, nullptr});
  };
  const toml::node* protocol = root.get("protocol");
  if (protocol && !protocol->is_table())
    throw ScenarioError(sc.path + ":" + std::to_string(protocol->source().begin.line) +
                        ": protocol: expected a table [protocol]");
  if (!protocol)
    throw ScenarioError(sc.path + ": protocol: required section [protocol] with name = \"...\" (" +
                        registry.names() + ")");
  add(protocol->as_table(), "protocol");
  if (const toml::node* extra = root.get("modules")) {
    const toml::array* arr = extra->as_array();
    if (!arr || !arr->is_array_of_tables())
      throw ScenarioError(sc.path + ":" + std::to_string(extra->source().begin.line) +
                          ": modules: expected [[modules]] tables");
    for (size_t i = 0; i < arr->size(); ++i)
      add(arr->get(i)->as_table(), "modules[" + std::to_string(i) + "]");
  }
  // Build each module now, once: its own keys are validated before anything is written,
  // faults probe it for roles and behaviours, and the run takes it (resolve_run).
  std::vector<MetricInfo> declared = engine_metrics();
  for (auto& m : sc.modules) {
    ConfigSection s = module_section(sc, m);
    s.get_string("name", "");
    m.built = (*registry.find(m.name))(s);
    if (!m.built) throw ScenarioError(sc.path + ": " + m.section + ": protocol '" + m.name + "' could not be built");
    std::vector<MetricInfo> own = m.built->metrics();
    declared.insert(declared.end(), own.begin(), own.end());
  }
  return declared;
}

// An [expect] key that nothing in the scenario reports would fail only after the whole run
// ("the run produced no metric of that name"), typically a typo or a renamed metric.
void check_reported(const Expectation& e, const std::vector<MetricInfo>& declared, const std::string& where) {
  if (declares_scalar(declared, e.metric)) return;
  std::string hint;
  for (const std::string& name : closest_scalars(declared, e.metric)) hint += (hint.empty() ? "" : ", ") + name;
  throw ScenarioError(where + "no protocol in this scenario reports a metric of that name (" +
                      (hint.empty() ? std::string("`meshsim protocols` lists them") : "did you mean " + hint + "?") + ")");
}

void read_expectations(const toml::table* t, Scenario& sc, const std::vector<MetricInfo>& declared) {
  if (!t) return;
  for (const auto& [k, v] : *t) {
    Expectation e;
    e.metric = std::string(k.str());
    e.line = static_cast<int>(v.source().begin.line);
    // A key only --set wrote has no line in the file.
    std::string where = (e.line > 0 ? sc.path + ":" + std::to_string(e.line) : sc.path + " (--set)") + ": expect." +
                        e.metric + ": ";
    if (e.metric == "failure") {
      auto checker = v.value_exact<std::string>();
      if (!checker || checker->empty() || checker->find_first_of(" \t\n") != std::string::npos)
        throw ScenarioError(where + "expected the name of the checker that must fail the run, like \"pbft.agreement\"");
      sc.expected_failure = ExpectedFailure{*checker, e.line};
      continue;
    }
    if (auto num = v.value<double>(); num && !v.is_string()) {
      e.op = "==";
      e.value = *num;
    } else if (auto text = v.value_exact<std::string>()) {
      std::istringstream in(*text);
      std::string op, number;
      in >> op >> number;
      static const char* ops[] = {"<", "<=", ">", ">=", "==", "!="};
      bool known = false;
      for (const char* o : ops) known |= op == o;
      if (!known || number.empty())
        throw ScenarioError(where + "expected \"OP VALUE\" like \"<= 0.01\" or \"< 2s\" (OP one of < <= > >= == !=)");
      e.op = op;
      std::string range_error;
      if (auto d = parse_duration(number, &range_error)) {
        e.value = static_cast<double>(d->ns);  // durations compare in ns
      } else {
        if (!range_error.empty()) throw ScenarioError(where + range_error);
        char* end = nullptr;
        e.value = std::strtod(number.c_str(), &end);
        if (*end != '\0') throw ScenarioError(where + "'" + number + "' is not a number or duration");
      }
    } else {
      throw ScenarioError(where + "expected a number or a string like \">= 0.99\"");
    }
    // NaN compares false with everything and infinity with nothing useful: an expectation
    // against them can never mean what its writer wanted.
    if (!std::isfinite(e.value)) {
      std::ostringstream text;
      text << e.value;
      throw ScenarioError(where + "'" + text.str() + "' is not a finite number");
    }
    // After the value, so that a malformed line reads as such whatever its key.
    check_reported(e, declared, where);
    sc.expectations.push_back(e);
  }
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw ScenarioError(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw ScenarioError(path + ": is a directory, not a scenario file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot open for reading");
  // Read at most one byte past the limit: enough to refuse a huge file (or /dev/zero)
  // without reading it all.
  std::string text(kMaxScenarioBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& path,
                        const std::vector<std::string>& overrides, const ModuleRegistry& registry,
                        std::optional<uint64_t> seed_override) {
  Scenario sc;
  sc.path = path;
  sc.text = text;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw ScenarioError(path + ": the file is empty; a scenario needs at least [topology] and [protocol]");
  if (text.find('\0') != std::string::npos)
    throw ScenarioError(path + ": this is a binary file, not a TOML scenario");
  check_scenario_text(text, path);
  auto root = std::make_shared<toml::table>();
  try {
    *root = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    throw ScenarioError(path + ":" + std::to_string(e.source().begin.line) + ": syntax error: " +
                        std::string(e.description()));
  }
  for (const auto& o : overrides) apply_override(*root, o, path);
  sc.document = root;

  static const char* known[] = {"run", "topology", "network", "protocol", "modules", "faults",
                                "chaos", "metrics", "expect", "nodes", "storage"};
  for (const auto& [k, v] : *root) {
    bool ok = false;
    for (const char* name : known) ok |= k.str() == name;
    if (!ok)
      throw ScenarioError((v.source().begin.line > 0 ? path + ":" + std::to_string(v.source().begin.line)
                                                     : path + " (--set)") +  // a key only --set wrote has no line
                          ": " + std::string(k.str()) + ": unknown section (known: run, topology, nodes, network, protocol, modules, faults, "
                          "chaos, metrics, expect, storage)");
  }
  auto table = [&](const char* name) -> const toml::table* {
    const toml::node* n = root->get(name);
    if (n && !n->is_table())
      throw ScenarioError(path + ":" + std::to_string(n->source().begin.line) + ": " + name + ": expected a table [" + name + "]");
    return n ? n->as_table() : nullptr;
  };

  ConfigSection run(table("run"), "run", path);
  sc.name = run.get_string("name", std::filesystem::path(path).stem().string());
  sc.seed = static_cast<uint64_t>(run.get_int("seed", 1, 0, INT64_MAX));
  if (seed_override) sc.seed = *seed_override;
  sc.end = SimTime{run.get_duration("duration", Duration::seconds(10)).ns};
  sc.max_events = static_cast<uint64_t>(run.get_int("max_events", 0, 0, INT64_MAX));
  run.finish();

  const toml::table* topo = table("topology");
  if (!topo) throw ScenarioError(path + ": topology: required section [topology] with nodes = N");
  read_topology(ConfigSection(topo, "topology", path), sc);
  read_nodes(table("nodes"), sc);

  const toml::table* network = table("network");
  {
    ConfigSection s(network, "network", path);
    read_link_keys(s, sc.link);
    s.mark_read("links");  // [[network.links]] is read below, entry by entry
    s.finish();
  }
  read_link_overrides(network, sc);
  read_storage(table("storage"), sc);

  ConfigSection metrics(table("metrics"), "metrics", path);
  sc.sample_interval = metrics.get_duration("interval", Duration::millis(100));
  if (static_cast<uint64_t>(sc.end.ns / sc.sample_interval.ns) >= kMaxSamples) {
    // Blame the key that is written: with the default interval, that is run.duration.
    std::string what = "metrics.interval = " + format_duration(sc.sample_interval) + " over run.duration = " +
                       format_duration(Duration{sc.end.ns}) + " is " + std::to_string(sc.end.ns / sc.sample_interval.ns) +
                       " samples; at most " + std::to_string(kMaxSamples);
    if (metrics.has("interval")) metrics.fail("interval", what);
    run.fail("duration", what);
  }
  // Per-node series cost a row per node per sample: on by default for meshes of up to
  // 100 nodes (a Raft or pBFT cluster), asked for explicitly above that.
  sc.node_series = metrics.get_bool("node_series", sc.topology.nodes <= 100);
  metrics.finish();

  const std::vector<MetricInfo> declared = read_modules(*root, sc, registry);
  read_faults(*root, sc);
  read_chaos(table("chaos"), sc);
  read_expectations(table("expect"), sc, declared);
  flatten(*root, "", sc.parameters);
  return sc;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                       const ModuleRegistry& registry, std::optional<uint64_t> seed_override) {
  return parse_scenario(read_file(path), path, overrides, registry, seed_override);
}

RunSpec resolve_run(Scenario& sc, const ModuleRegistry& registry) {
  RunSpec run;
  run.source = sc.path;
  run.seed = sc.seed;
  run.end = sc.end;
  run.max_events = sc.max_events;
  run.sample_interval = sc.sample_interval;
  run.node_series = sc.node_series;
  run.topology = build_topology(sc.topology, sc.seed, sc.path, sc.directory());
  run.link = sc.link;
  run.overrides = sc.overrides;
  run.faults = sc.faults;
  run.chaos = sc.chaos;
  run.attributes = sc.attributes;
  run.storage = sc.storage;
  run.absent = sc.absent;
  run.expectations = sc.expectations;
  run.expected_failure = sc.expected_failure;
  for (ModuleSpec& m : sc.modules) {
    // The module built while validating goes to the run; a second run of the same
    // scenario builds its own (modules carry per-run state).
    if (m.built) {
      run.modules.push_back(std::move(m.built));
      continue;
    }
    ConfigSection s = module_section(sc, m);
    s.get_string("name", "");
    run.modules.push_back((*registry.find(m.name))(s));
  }
  return run;
}

}  // namespace meshsim
