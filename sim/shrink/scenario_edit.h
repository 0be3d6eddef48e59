// Edits of a scenario's text that keep everything else as written: comments, key order,
// layout. `meshsim shrink` writes a file people read, so it changes the few lines it must
// (the faults, the chaos, a count or a duration) instead of re-serialising the whole
// document. Each function works on TOML table headers at the start of a line, which is
// how scenarios are written; a caller that needs certainty parses the result.
#pragma once
#include <string>

namespace meshsim::shrink {

// Removes every table named `name` and its sub-tables: [name], [[name]], [name.x] and
// [[name.x]], each from its header to the next header.
std::string remove_tables(const std::string& text, const std::string& name);

// Sets `key = value` (value already TOML: "\"2s\"", "4") in table [section]: replaces the
// key's line, or adds the key under the header, or adds the table at the end.
std::string set_key(const std::string& text, const std::string& section, const std::string& key, const std::string& value);

// Removes the line of `key` in [section], if there is one.
std::string remove_key(const std::string& text, const std::string& section, const std::string& key);

}  // namespace meshsim::shrink
