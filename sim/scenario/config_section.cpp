#include "sim/scenario/config_section.h"

#include <cmath>
#include <sstream>
#include <toml++/toml.h>

namespace meshsim {

ConfigSection::ConfigSection(const toml::table* table, std::string section, std::string file)
    : table_(table), section_(std::move(section)), file_(std::move(file)) {}

const toml::node* ConfigSection::lookup(const std::string& key) const {
  read_.insert(key);
  if (!table_) return nullptr;
  return table_->get(key);
}

bool ConfigSection::has(const std::string& key) const { return table_ && table_->contains(key); }

bool ConfigSection::is_string(const std::string& key) const {
  const toml::node* n = table_ ? table_->get(key) : nullptr;
  return n && n->is_string();
}

std::string ConfigSection::where(const std::string& key) const {
  const toml::node* node = table_ ? table_->get(key) : nullptr;
  const toml::source_region& src = node ? node->source() : (table_ ? table_->source() : toml::source_region{});
  std::string location = file_;
  // Values set with --set are copied into the document without a position in the file.
  if (node && src.begin.line == 0) location += " (--set)";
  else if (src.begin.line > 0) location += ":" + std::to_string(src.begin.line);
  std::string name = section_.empty() ? key : section_ + "." + key;
  return location + ": " + name;
}

void ConfigSection::fail(const std::string& key, const std::string& what) const {
  throw ScenarioError(where(key) + ": " + what);
}

namespace {
std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date/time";
  }
}
}  // namespace

int64_t ConfigSection::get_int(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
  const toml::node* n = lookup(key);
  if (!n) return fallback;
  auto v = n->value_exact<int64_t>();
  if (!v) fail(key, "expected an integer, got " + type_name(*n));
  if (*v < min || *v > max)
    fail(key, std::to_string(*v) + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return *v;
}

double ConfigSection::get_double(const std::string& key, double fallback, double min, double max) {
  const toml::node* n = lookup(key);
  if (!n) return fallback;
  std::optional<double> v;
  if (n->is_floating_point()) v = n->as_floating_point()->get();
  else if (n->is_integer()) v = static_cast<double>(n->as_integer()->get());
  if (!v) fail(key, "expected a number, got " + type_name(*n));
  if (!std::isfinite(*v) || *v < min || *v > max) {
    std::ostringstream msg;
    msg << *v << " is out of range [" << min << ", " << max << "]";
    fail(key, msg.str());
  }
  return *v;
}

double ConfigSection::get_probability(const std::string& key, double fallback) {
  const toml::node* n = lookup(key);
  if (!n) return fallback;
  double v = get_double(key, fallback, -INFINITY, INFINITY);
  if (v < 0 || v > 1) {
    std::ostringstream msg;
    msg << "probability " << v << " is outside [0, 1]";
    fail(key, msg.str());
  }
  return v;
}

bool ConfigSection::get_bool(const std::string& key, bool fallback) {
  const toml::node* n = lookup(key);
  if (!n) return fallback;
  auto v = n->value_exact<bool>();
  if (!v) fail(key, "expected true or false, got " + type_name(*n));
  return *v;
}

std::string ConfigSection::get_string(const std::string& key, const std::string& fallback) {
  const toml::node* n = lookup(key);
  if (!n) return fallback;
  auto v = n->value_exact<std::string>();
  if (!v) fail(key, "expected a string, got " + type_name(*n));
  return *v;
}

std::string ConfigSection::get_enum(const std::string& key, const std::string& fallback,
                                    std::initializer_list<const char*> allowed) {
  std::string v = get_string(key, fallback);
  std::string options;
  for (const char* a : allowed) {
    if (v == a) return v;
    options += options.empty() ? a : std::string(", ") + a;
  }
  fail(key, "'" + v + "' is not one of: " + options);
}

std::optional<Duration> ConfigSection::get_optional_duration(const std::string& key, bool allow_zero) {
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  auto text = n->value_exact<std::string>();
  if (!text) {
    if (n->is_integer() || n->is_floating_point())
      fail(key, "a duration needs a unit, e.g. \"150ms\" or \"2s\"");
    fail(key, "expected a duration string like \"150ms\", got " + type_name(*n));
  }
  std::string range_error;
  auto d = parse_duration(*text, &range_error);
  if (!range_error.empty()) fail(key, range_error);
  if (!d) fail(key, "'" + *text + "' is not a duration (use ns, us, ms, s, m or h)");
  if (d->ns < 0) fail(key, "duration must not be negative");
  if (d->ns == 0 && !allow_zero) fail(key, "duration must be greater than zero");
  return d;
}

Duration ConfigSection::get_duration(const std::string& key, Duration fallback, bool allow_zero) {
  auto d = get_optional_duration(key, allow_zero);
  return d ? *d : fallback;
}

namespace {
constexpr int64_t kMaxNodeId = 0xfffffffeLL;  // kNoNode (0xffffffff) marks "no node"

// A node id written in a string ("7", either end of "0..9"): decimal digits only. The value
// saturates just past the largest id, so "4294967297" is refused as too large instead of
// being cast to 32 bits (where it would be node 1).
bool parse_id_text(std::string_view text, int64_t& id) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return false;
  id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    id = std::min(kMaxNodeId + 1, id * 10 + (c - '0'));
  }
  return true;
}

// Parses one element: an integer id, "7", or "a..b".
bool parse_range(const toml::node& n, NodeId& first, NodeId& last, std::string& error) {
  if (auto i = n.value_exact<int64_t>()) {
    if (*i < 0) { error = "node id " + std::to_string(*i) + " is negative"; return false; }
    if (*i > kMaxNodeId) { error = "node id " + std::to_string(*i) + " is too large"; return false; }
    first = last = static_cast<NodeId>(*i);
    return true;
  }
  auto s = n.value_exact<std::string>();
  if (!s) { error = "expected a node id or a range like \"0..9\""; return false; }
  const std::string_view text(*s);
  const size_t dots = text.find("..");
  int64_t a = 0, b = 0;
  const bool ok = dots == std::string_view::npos
                      ? parse_id_text(text, a) && (b = a, true)
                      : parse_id_text(text.substr(0, dots), a) && parse_id_text(text.substr(dots + 2), b);
  if (!ok) { error = "'" + *s + "' is not a node id or range like \"0..9\""; return false; }
  if (a > kMaxNodeId || b > kMaxNodeId) { error = "'" + *s + "': node id too large"; return false; }
  if (b < a) { error = "'" + *s + "' is an empty range (it ends before it starts)"; return false; }
  first = static_cast<NodeId>(a);
  last = static_cast<NodeId>(b);
  return true;
}
}  // namespace

std::vector<std::string> ConfigSection::get_string_list(const std::string& key) {
  const toml::node* n = lookup(key);
  std::vector<std::string> out;
  if (!n) return out;
  if (auto one = n->value_exact<std::string>()) return {*one};
  const toml::array* arr = n->as_array();
  if (!arr) fail(key, "expected a list of strings like [\"gpu\", \"ssd\"], got " + type_name(*n));
  for (const toml::node& item : *arr) {
    auto text = item.value_exact<std::string>();
    if (!text || text->empty()) fail(key, "expected a list of non-empty strings like [\"gpu\", \"ssd\"]");
    out.push_back(*text);
  }
  return out;
}

NodeSet ConfigSection::get_nodes(const std::string& key, uint32_t node_count) {
  const toml::node* n = lookup(key);
  NodeSet set;
  if (!n) return set;
  std::vector<const toml::node*> items;
  if (const toml::array* arr = n->as_array()) {
    for (const toml::node& item : *arr) items.push_back(&item);
    if (items.empty()) fail(key, "the node list is empty");
  } else {
    items.push_back(n);
  }
  for (const toml::node* item : items) {
    NodeId a = 0, b = 0;
    std::string error;
    if (!parse_range(*item, a, b, error)) fail(key, error);
    if (b >= node_count)
      fail(key, "node " + std::to_string(b) + " is beyond the node count (topology.nodes = " +
                    std::to_string(node_count) + ", ids 0.." + std::to_string(node_count - 1) + ")");
    if (!set.add_range(a, b)) fail(key, "node range " + std::to_string(a) + ".." + std::to_string(b) + " names a node twice");
  }
  return set;
}

ConfigSection ConfigSection::subsection(const std::string& key) {
  const toml::node* n = lookup(key);
  if (n && !n->is_table()) fail(key, "expected a table, got " + type_name(*n));
  return ConfigSection(n ? n->as_table() : nullptr, section_.empty() ? key : section_ + "." + key, file_);
}

std::vector<std::string> ConfigSection::child_keys(const std::string& key) const {
  std::vector<std::string> keys;
  const toml::node* n = table_ ? table_->get(key) : nullptr;
  if (n && n->is_table())
    for (const auto& [k, v] : *n->as_table()) keys.emplace_back(k.str());
  return keys;
}

void ConfigSection::finish() const {
  if (!table_) return;
  for (const auto& [k, v] : *table_) {
    std::string key(k.str());
    if (!read_.count(key)) fail(key, "unknown key");
  }
}

}  // namespace meshsim
