#include "sim/scenario/scenario_text.h"

#include <algorithm>
#include <cctype>

#include "sim/scenario/config_section.h"

namespace meshsim {

namespace {
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
}  // namespace

void check_scenario_text(const std::string& text, const std::string& path) {
  if (text.size() > kMaxScenarioBytes)
    throw ScenarioError(path + ": the file is too large (" + std::to_string(text.size()) + " bytes; a scenario may have at most " +
                        std::to_string(kMaxScenarioBytes >> 20) + " MiB)");
  // A small lexer: enough of TOML to skip strings and comments, so that brackets and dots
  // inside them do not count. Nesting on a line is the bracket depth (carried across lines,
  // for multi-line arrays) plus the dots that join key components ("a.b", [t.t]); a dot
  // between two digits belongs to a number and does not count.
  size_t line = 1, line_start = 0;
  int depth = 0, dots = 0, nesting = 0;
  char quote = 0;         // ' or " when inside a string
  bool multiline = false;  // inside """ or '''
  auto end_line = [&](size_t at) {
    if (at - line_start > kMaxLineBytes)
      throw ScenarioError(path + ":" + std::to_string(line) + ": line too long (" + std::to_string(at - line_start) +
                          " bytes; at most " + std::to_string(kMaxLineBytes) + ")");
    if (nesting > kMaxNesting)
      throw ScenarioError(path + ":" + std::to_string(line) + ": nested too deep (" + std::to_string(nesting) +
                          " levels of tables, arrays and key components; at most " + std::to_string(kMaxNesting) + ")");
    ++line;
    line_start = at + 1;
    dots = 0;
    nesting = std::max(depth, 0);
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      if (quote && !multiline) quote = 0;  // an unclosed one-line string: the parser reports it
      end_line(i);
      continue;
    }
    if (quote) {
      if (quote == '"' && c == '\\') {
        if (i + 1 < text.size() && text[i + 1] != '\n') ++i;  // an escaped character
      } else if (c == quote) {
        if (!multiline) quote = 0;
        else if (text.compare(i, 3, std::string(3, quote)) == 0) { quote = 0; multiline = false; i += 2; }
      }
      continue;
    }
    if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      quote = c;
      multiline = text.compare(i, 3, std::string(3, c)) == 0;
      if (multiline) i += 2;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == '.' && !(i > 0 && digit(text[i - 1]) && i + 1 < text.size() && digit(text[i + 1]))) {
      ++dots;
    }
    nesting = std::max(nesting, std::max(depth, 0) + dots);
  }
  end_line(text.size());
}

}  // namespace meshsim
