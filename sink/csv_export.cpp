// `meshsim export RUN --csv DIR`: one run as six CSV files.
//
// Files are written safely in a folder the user may share with others: each goes to a new
// temporary file (created exclusively, so nothing planted under that name is followed),
// and is renamed over the target only when complete. A target name that is a symbolic
// link, or anything but a regular file, is refused: following it would overwrite a file
// outside the folder the user named.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "sink/read_connection.h"
#include "sink/results_db.h"

namespace meshsim {
namespace {

using sink::Query;

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
// Leading or trailing spaces are quoted too, since some readers strip them otherwise.
std::string csv_field(const std::string& s) {
  bool quote = s.find_first_of(",\"\r\n") != std::string::npos || (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (!quote) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

// 17 significant digits: a value read back from the CSV equals the stored double.
std::string exact_real(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

[[noreturn]] void fail_write(const std::string& path, int error) {
  throw ResultsError("cannot write " + path + ": " + std::strerror(error));
}

void refuse_unless_regular_or_absent(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    fail_write(path, errno);
  }
  if (S_ISLNK(st.st_mode))
    throw ResultsError("refusing to write " + path + ": it is a symbolic link (remove it, or export to another folder)");
  if (!S_ISREG(st.st_mode)) throw ResultsError("refusing to write " + path + ": it exists and is not a regular file");
}

// Writes every row of `q` to dir/file with a header of the column names.
void write_csv(Query& q, const std::filesystem::path& dir, const char* file) {
  const std::string target = (dir / file).string();
  refuse_unless_regular_or_absent(target);
  std::string temp = (dir / ("." + std::string(file) + ".XXXXXX")).string();
  int fd = mkstemp(temp.data());  // O_CREAT | O_EXCL: never opens an existing name
  if (fd < 0) fail_write(target, errno);
  fchmod(fd, 0644);  // mkstemp's 0600 would surprise a user sharing the export
  FILE* out = fdopen(fd, "wb");
  if (!out) {
    int error = errno;
    close(fd);
    unlink(temp.c_str());
    fail_write(target, error);
  }
  try {
    auto put = [&](const std::string& s) {
      if (std::fwrite(s.data(), 1, s.size(), out) != s.size()) fail_write(target, errno);
    };
    for (int c = 0; c < q.columns(); ++c) put((c ? "," : "") + csv_field(q.name(c)));
    put("\n");
    while (q.next()) {
      std::string line;
      for (int c = 0; c < q.columns(); ++c) {
        if (c) line += ',';
        switch (q.type(c)) {
          case SQLITE_NULL: break;
          case SQLITE_INTEGER: line += std::to_string(q.i64(c)); break;
          case SQLITE_FLOAT: line += exact_real(q.real(c)); break;
          default: line += csv_field(q.text(c)); break;
        }
      }
      put(line + "\n");
    }
    if (std::fflush(out) != 0) fail_write(target, errno);
  } catch (...) {
    std::fclose(out);
    unlink(temp.c_str());
    throw;
  }
  if (std::fclose(out) != 0) {
    int error = errno;
    unlink(temp.c_str());
    fail_write(target, error);
  }
  // rename replaces the directory entry itself: had a link appeared meanwhile, it is the
  // link that is replaced, never the file it points to.
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    int error = errno;
    unlink(temp.c_str());
    fail_write(target, error);
  }
}

}  // namespace

void export_run_csv(const std::string& db_path, int64_t run_id, const std::string& dir) {
  sink::ReadConnection db(db_path);
  read_run(db_path, run_id);  // an unknown run is an error, not six empty files
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw ResultsError("export directory " + dir + " does not exist (create it first)");
  }
  struct Export {
    const char* file;
    const char* sql;
  };
  // printf('%llu') shows the seed as the unsigned number the user typed.
  const Export exports[] = {
      {"run.csv",
       "SELECT run_id, scenario_name, scenario_path, printf('%llu', seed) AS seed, build_id,"
       " command_line, status, failure, events, sim_time_ns, wall_s, fingerprint, started_at,"
       " finished_at, pid, host, scenario_text FROM runs WHERE run_id = ?"},
      {"parameters.csv", "SELECT run_id, key, value FROM parameters WHERE run_id = ? ORDER BY rowid"},
      {"scalars.csv", "SELECT run_id, name, value FROM scalars WHERE run_id = ? ORDER BY name"},
      {"series.csv",
       "SELECT run_id, name, sim_time_ns, value FROM series WHERE run_id = ?"
       " ORDER BY name, sim_time_ns, rowid"},
      {"node_summaries.csv", "SELECT run_id, node, name, value FROM node_summaries WHERE run_id = ? ORDER BY name, node"},
      {"node_series.csv",
       "SELECT run_id, node, name, sim_time_ns, value FROM node_series WHERE run_id = ?"
       " ORDER BY name, node, sim_time_ns"},
      {"events_log.csv",
       "SELECT run_id, sim_time_ns, kind, detail FROM events_log WHERE run_id = ?"
       " ORDER BY sim_time_ns, rowid"},
  };
  Query has_node_series(db, "SELECT count(*) FROM sqlite_master WHERE name = 'node_series'");
  const bool node_series = has_node_series.next() && has_node_series.i64(0) > 0;  // schema version 2
  for (const Export& e : exports) {
    if (!node_series && std::string(e.file) == "node_series.csv") continue;
    Query q(db, e.sql);
    q.bind(1, run_id);
    write_csv(q, dir, e.file);
  }
}

}  // namespace meshsim
