// Typed, validated access to one table of a scenario file. Every getter checks type and
// range and remembers the key, so finish() can reject keys nobody read (typos). Errors are
// thrown as ScenarioError with "file:line: section.key: what is wrong" — the CLI turns them
// into exit code 2 before anything is written.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/errors.h"
#include "sim/node_set.h"
#include "sim/time.h"

namespace toml {
inline namespace v3 {
class table;
class node;
}  // namespace v3
}  // namespace toml

namespace meshsim {

class ConfigSection {
 public:
  // `table` may be null (section absent: every getter returns its default).
  ConfigSection(const toml::table* table, std::string section, std::string file);

  const std::string& section() const { return section_; }
  const std::string& file() const { return file_; }
  bool has(const std::string& key) const;
  bool is_string(const std::string& key) const;

  int64_t get_int(const std::string& key, int64_t fallback, int64_t min, int64_t max);
  double get_double(const std::string& key, double fallback, double min, double max);
  double get_probability(const std::string& key, double fallback);
  bool get_bool(const std::string& key, bool fallback);
  std::string get_string(const std::string& key, const std::string& fallback);
  // One of `allowed`; the error lists them.
  std::string get_enum(const std::string& key, const std::string& fallback,
                       std::initializer_list<const char*> allowed);
  // A duration with units ("150ms"). Zero is allowed only when `allow_zero`.
  Duration get_duration(const std::string& key, Duration fallback, bool allow_zero = false);
  std::optional<Duration> get_optional_duration(const std::string& key, bool allow_zero = false);
  // A list of strings (["gpu", "ssd"]); a single string is a list of one.
  std::vector<std::string> get_string_list(const std::string& key);
  // Node ranges ("0..99", 5, [1, 2, "10..19"]) checked against node_count.
  NodeSet get_nodes(const std::string& key, uint32_t node_count);
  ConfigSection subsection(const std::string& key);
  // Keys of the sub-table `key`, in the table's (sorted, deterministic) order.
  std::vector<std::string> child_keys(const std::string& key) const;

  // For keys a caller reads by other means (arrays of tables).
  void mark_read(const std::string& key) const { read_.insert(key); }
  // Throws for the first key in the table that no getter asked for.
  void finish() const;
  // Formats an error located at `key` (or at the section when the key is absent).
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  // Fails on the first of `keys` that is set: a key the chosen variant ignores is an error,
  // not a silent no-op ("has no effect " + why), since whoever set it believes it matters.
  void reject_unused(std::initializer_list<const char*> keys, const std::string& why) const {
    for (const char* key : keys)
      if (has(key)) fail(key, "has no effect " + why);
  }
  // The same message, returned rather than thrown: for a check that can run only later
  // (against the node count, say) but must still name the file, line and key.
  std::string error_text(const std::string& key, const std::string& what) const { return where(key) + ": " + what; }

 private:
  const toml::node* lookup(const std::string& key) const;
  std::string where(const std::string& key) const;

  const toml::table* table_;
  std::string section_;
  std::string file_;
  mutable std::set<std::string> read_;
};

}  // namespace meshsim
