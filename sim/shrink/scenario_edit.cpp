#include "sim/shrink/scenario_edit.h"

#include <vector>

namespace meshsim::shrink {

namespace {

struct Line {
  std::string text;    // without its newline
  std::string header;  // the table it opens ("run", "faults", "faults.groups"), or empty
};

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

// The table name of a header line ("[run]", "[[faults]]  # note"), or "" for other lines.
std::string header_of(const std::string& line) {
  std::string t = trim(line);
  if (t.empty() || t[0] != '[') return "";
  bool array = t.size() > 1 && t[1] == '[';
  size_t open = array ? 2 : 1;
  size_t close = t.find(']', open);
  if (close == std::string::npos) return "";
  return trim(t.substr(open, close - open));
}

std::vector<Line> lines_of(const std::string& text) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    lines.push_back({line, header_of(line)});
    start = end + 1;
  }
  return lines;
}

std::string join(const std::vector<Line>& lines) {
  std::string out;
  for (const Line& l : lines) out += l.text + "\n";
  return out;
}

bool names_table(const std::string& header, const std::string& name) {
  return header == name || header.rfind(name + ".", 0) == 0;
}

// The key a line assigns ("duration" for `duration = "30s"  # note`), or "".
std::string key_of(const std::string& line) {
  std::string t = trim(line);
  if (t.empty() || t[0] == '#' || t[0] == '[') return "";
  size_t eq = t.find('=');
  if (eq == std::string::npos) return "";
  std::string key = trim(t.substr(0, eq));
  if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'') && key.back() == key.front())
    key = key.substr(1, key.size() - 2);
  return key;
}

// Index of the header line of [section] (-1 when absent), and of the line after its block.
std::pair<long, size_t> find_section(const std::vector<Line>& lines, const std::string& section) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].header != section) continue;
    size_t end = i + 1;
    while (end < lines.size() && lines[end].header.empty()) ++end;
    return {static_cast<long>(i), end};
  }
  return {-1, lines.size()};
}

}  // namespace

std::string remove_tables(const std::string& text, const std::string& name) {
  std::vector<Line> kept;
  bool inside = false;
  for (Line& l : lines_of(text)) {
    if (!l.header.empty()) inside = names_table(l.header, name);
    if (!inside) kept.push_back(std::move(l));
  }
  return join(kept);
}

std::string set_key(const std::string& text, const std::string& section, const std::string& key, const std::string& value) {
  std::vector<Line> lines = lines_of(text);
  auto [header, end] = find_section(lines, section);
  const std::string assignment = key + " = " + value;
  if (header < 0) {
    if (!lines.empty() && !trim(lines.back().text).empty()) lines.push_back({"", ""});
    lines.push_back({"[" + section + "]", section});
    lines.push_back({assignment, ""});
    return join(lines);
  }
  for (size_t i = static_cast<size_t>(header) + 1; i < end; ++i) {
    if (key_of(lines[i].text) == key) {
      lines[i].text = assignment;
      return join(lines);
    }
  }
  lines.insert(lines.begin() + header + 1, Line{assignment, ""});
  return join(lines);
}

std::string remove_key(const std::string& text, const std::string& section, const std::string& key) {
  std::vector<Line> lines = lines_of(text);
  auto [header, end] = find_section(lines, section);
  if (header < 0) return text;
  for (size_t i = static_cast<size_t>(header) + 1; i < end; ++i) {
    if (key_of(lines[i].text) == key) {
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
      return join(lines);
    }
  }
  return text;
}

}  // namespace meshsim::shrink
