// Writing a report file (--junit) so that a reader never sees half of it: the text goes to
// a new temporary file in the same folder, which is renamed over the target once complete.
// The same discipline as `meshsim export` (sink/csv_export.cpp): the temporary file is
// created exclusively, and a target that is a symbolic link or not a regular file is refused.
#pragma once
#include <string>

namespace meshsim::cli {

// Throws ScenarioError (exit code 2) saying why `path` cannot take a report: its folder is
// missing, it is a folder, a symbolic link or a special file. Called before any run starts,
// so a typo in the path does not cost a whole sweep.
void check_report_path(const std::string& path, const std::string& option);

// Replaces `path` with `text` atomically; throws ScenarioError naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace meshsim::cli
