#include "viz/replay.h"

#include "sink/results_db.h"

namespace meshsim::viz {

namespace {
// POSIX shell words, for the quoting reproduce_command produces: bare words, '...' with
// '\'' for a quote inside, and whitespace between.
std::vector<std::string> shell_words(const std::string& s) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false, quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\'') quoted = false;
      else word += c;
    } else if (c == '\'') {
      quoted = in_word = true;
    } else if (c == '\\' && i + 1 < s.size()) {
      word += s[++i], in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(word), word.clear(), in_word = false;
    } else {
      word += c, in_word = true;
    }
  }
  if (in_word) out.push_back(word);
  return out;
}
}  // namespace

std::vector<std::string> sets_of_command(const std::string& command) {
  std::vector<std::string> words = shell_words(command), sets;
  for (size_t i = 0; i + 1 < words.size(); ++i)
    if (words[i] == "--set") sets.push_back(words[++i]);
  return sets;
}

RunSource recorded_run(const std::string& db, int64_t run_id) {
  RunRow row = read_run(db, run_id);
  if (row.scenario_text.empty())
    throw ResultsError("run " + std::to_string(run_id) + " in " + db + " has no scenario text to replay");
  RunSource source;
  source.path = row.scenario_path;
  source.text = row.scenario_text;
  source.seed = row.seed;
  source.sets = sets_of_command(row.command_line);
  return source;
}

}  // namespace meshsim::viz
