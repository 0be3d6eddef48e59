// SQLite results layer: what the sink writes, what survives a killed process, concurrent
// writers, and the read side behind `meshsim list / show / export`.
#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "sink/results_db.h"
#include "sink/sqlite_sink.h"

#ifndef MESHSIM_SOURCE_DIR
#error "MESHSIM_SOURCE_DIR must name the repository root (the build defines it)"
#endif

namespace fs = std::filesystem;
using namespace meshsim;

namespace {

// A fresh directory per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "meshsim_sink_XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const char* name) const { return (path / name).string(); }
};

// Raw access through the SQLite C API, independent of the code under test.
struct RawDb {
  sqlite3* db = nullptr;
  explicit RawDb(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_busy_timeout(db, 10'000);
  }
  ~RawDb() { sqlite3_close(db); }
  // All rows of a query, every column as text ("NULL" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE_MESSAGE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK, sql);
    std::vector<std::vector<std::string>> out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const unsigned char* t = sqlite3_column_text(stmt, c);
        row.push_back(t ? reinterpret_cast<const char*>(t) : "NULL");
      }
      out.push_back(row);
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::string one(const std::string& sql) {
    auto r = rows(sql);
    REQUIRE_MESSAGE(!r.empty(), sql);
    return r[0][0];
  }
};

RunInfo make_info(uint64_t seed) {
  RunInfo info;
  info.scenario_path = "scenarios/flood.toml";
  info.scenario_name = "flood-100";
  info.scenario_text = "[network]\nnodes = 100\n";
  info.seed = seed;
  info.build_id = "v0.1-test gcc-12";
  info.command_line = "meshsim run scenarios/flood.toml --seed " + std::to_string(seed);
  info.parameters = {{"network.nodes", "100"}, {"protocol", "flood"}};
  return info;
}

RunResult make_result() {
  RunResult result;
  result.status = RunStatus::complete;
  result.events = 123456;
  result.sim_time_ns = 30'000'000'000;
  result.wall_s = 1.25;
  result.fingerprint = 0xfedcba9876543210ull;  // top bit set: would not fit a signed INTEGER
  return result;
}

Metrics make_metrics() {
  Metrics m;
  m.set_scalar("messages_sent", 4200);
  m.set_scalar("coverage_time_ns_p99", 1.5e9);
  m.sample("coverage", SimTime{0}, 0.01);
  m.sample("coverage", SimTime{1'000'000'000}, 0.5);
  m.sample("coverage", SimTime{2'000'000'000}, 1.0);
  m.sample("queue_len", SimTime{0}, 3);
  m.node_summary(0, "messages_sent", 40);
  m.node_summary(1, "messages_sent", 44);
  m.log(SimTime{500}, "partition", "nodes 0..9 | 10..19");
  m.log(SimTime{900}, "violation", "says \"hi\", then\nbreaks a line");
  return m;
}

// Runs `body` in a child process; the child exits 0 on success, 1 on an exception.
// Assertions cannot be used in the child: doctest only counts them in the parent.
pid_t spawn(const std::function<void()>& body) {
  fflush(nullptr);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    try {
      body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child %d: %s\n", getpid(), e.what());
      code = 1;
    }
    _exit(code);
  }
  return pid;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Minimal RFC 4180 reader: quoted fields, doubled quotes, line breaks inside quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch == '"') {
      REQUIRE_MESSAGE(field.empty(), "quote inside an unquoted field in " << path);
      quoted = true;
    } else if (ch == ',') {
      row.push_back(field);
      field.clear();
    } else if (ch == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
    } else {
      field += ch;
    }
  }
  REQUIRE_MESSAGE(!quoted, "unterminated quote in " << path);
  REQUIRE_MESSAGE((row.empty() && field.empty()), "missing final newline in " << path);
  return rows;
}

}  // namespace

TEST_CASE("embedded schema equals results/schema.sql byte for byte") {
  std::ifstream in(std::string(MESHSIM_SOURCE_DIR) + "/results/schema.sql", std::ios::binary);
  REQUIRE(in.good());
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(file == std::string(results_schema_sql()));
  CHECK(file.find("PRAGMA user_version = " + std::to_string(kResultsSchemaVersion) + ";") !=
        std::string::npos);
}

TEST_CASE("a run round-trips through the database") {
  TempDir tmp;
  const std::string db = tmp.file("results.db");
  const uint64_t seed = (1ull << 63) + 5;  // stored as a negative INTEGER, read back unsigned
  int64_t id = 0;
  {
    SqliteSink sink(db);
    RunInfo info = make_info(seed);
    sink.on_run_start(info);
    id = sink.run_id();
    CHECK(id > 0);
    CHECK(sink.run_in_progress());
    sink.on_run_end(info, make_result(), make_metrics());
    CHECK_FALSE(sink.run_in_progress());
  }
  RawDb raw(db);
  CHECK(raw.one("PRAGMA user_version") == std::to_string(kResultsSchemaVersion));
  CHECK(raw.one("PRAGMA journal_mode") == "wal");
  auto run = raw.rows(
      "SELECT scenario_name, scenario_path, scenario_text, printf('%llu', seed),"
      " build_id, command_line, status, failure, events, sim_time_ns, wall_s,"
      " fingerprint, pid, host, started_at, finished_at FROM runs WHERE run_id = " +
      std::to_string(id));
  REQUIRE(run.size() == 1);
  const auto& r = run[0];
  CHECK(r[0] == "flood-100");
  CHECK(r[1] == "scenarios/flood.toml");
  CHECK(r[2] == "[network]\nnodes = 100\n");
  CHECK(r[3] == std::to_string(seed));
  CHECK(r[4] == "v0.1-test gcc-12");
  CHECK(r[6] == "complete");
  CHECK(r[7] == "NULL");
  CHECK(r[8] == "123456");
  CHECK(r[9] == "30000000000");
  CHECK(r[10] == "1.25");
  CHECK(r[11] == "fedcba9876543210");
  CHECK(r[12] == std::to_string(getpid()));
  CHECK(!r[13].empty());
  CHECK(r[14].size() == 24);  // 2024-05-01T12:00:00.000Z
  CHECK(r[14].back() == 'Z');
  CHECK(r[15] != "NULL");

  CHECK(raw.rows("SELECT key, value FROM parameters ORDER BY key") ==
        std::vector<std::vector<std::string>>{{"network.nodes", "100"}, {"protocol", "flood"}});
  CHECK(raw.rows("SELECT name, value FROM scalars ORDER BY name") ==
        std::vector<std::vector<std::string>>{{"coverage_time_ns_p99", "1500000000.0"},
                                              {"messages_sent", "4200.0"}});
  CHECK(raw.rows(
            "SELECT sim_time_ns, value FROM series WHERE name = 'coverage' ORDER BY sim_time_ns") ==
        std::vector<std::vector<std::string>>{
            {"0", "0.01"}, {"1000000000", "0.5"}, {"2000000000", "1.0"}});
  CHECK(raw.one("SELECT count(*) FROM series WHERE name = 'queue_len'") == "1");
  CHECK(raw.rows("SELECT node, name, value FROM node_summaries ORDER BY node") ==
        std::vector<std::vector<std::string>>{{"0", "messages_sent", "40.0"},
                                              {"1", "messages_sent", "44.0"}});
  CHECK(raw.rows("SELECT sim_time_ns, kind, detail FROM events_log ORDER BY sim_time_ns") ==
        std::vector<std::vector<std::string>>{
            {"500", "partition", "nodes 0..9 | 10..19"},
            {"900", "violation", "says \"hi\", then\nbreaks a line"}});
  CHECK(raw.one("PRAGMA integrity_check") == "ok");
  CHECK(raw.rows("PRAGMA foreign_key_check").empty());

  RunRow row = read_run(db, id);
  CHECK(row.seed == seed);
  CHECK(row.shown_status == "complete");
  CHECK(row.fingerprint == "fedcba9876543210");
}

TEST_CASE("the runs row is committed at run start and marked when the run is abandoned") {
  TempDir tmp;
  const std::string db = tmp.file("results.db");
  SqliteSink sink(db);
  sink.on_run_start(make_info(7));
  const std::string id = std::to_string(sink.run_id());
  {
    RawDb raw(db);  // a second connection sees the row before the run ends
    CHECK(raw.one("SELECT status FROM runs WHERE run_id = " + id) == "running");
    CHECK(raw.one("SELECT count(*) FROM parameters WHERE run_id = " + id) == "2");
  }
  // Our own process is alive, so the row is shown as running.
  CHECK(list_runs(db).find("running") != std::string::npos);

  sink.mark_incomplete("std::bad_alloc at t=3s");
  CHECK_FALSE(sink.run_in_progress());
  sink.mark_incomplete("second call is a no-op");
  RawDb raw(db);
  CHECK(raw.rows("SELECT status, failure FROM runs WHERE run_id = " + id) ==
        std::vector<std::vector<std::string>>{{"incomplete", "std::bad_alloc at t=3s"}});
  CHECK(raw.one("SELECT finished_at IS NOT NULL FROM runs WHERE run_id = " + id) == "1");

  // The same sink records the next run of the process.
  RunResult failed = make_result();
  failed.status = RunStatus::failed;
  failed.failure = "expect coverage >= 0.99 by 10s: got 0.42";
  sink.on_run_start(make_info(8));
  sink.on_run_end(make_info(8), failed, Metrics{});
  CHECK(raw.rows("SELECT status, failure FROM runs WHERE run_id = " +
                 std::to_string(sink.run_id())) ==
        std::vector<std::vector<std::string>>{
            {"failed", "expect coverage >= 0.99 by 10s: got 0.42"}});
  CHECK_THROWS_AS(sink.on_run_end(make_info(8), failed, Metrics{}), std::logic_error);
}

TEST_CASE("destroying the sink mid-run marks the run incomplete") {
  TempDir tmp;
  const std::string db = tmp.file("results.db");
  int64_t id = 0;
  try {
    SqliteSink sink(db);
    sink.on_run_start(make_info(1));
    id = sink.run_id();
    throw std::runtime_error("model exploded");
  } catch (const std::runtime_error&) {
  }
  RunRow row = read_run(db, id);
  CHECK(row.status == "incomplete");
  CHECK(row.failure.find("closed before the run ended") != std::string::npos);
}

TEST_CASE("a SIGKILLed run leaves a readable database and shows as incomplete") {
  TempDir tmp;
  const std::string db = tmp.file("results.db");
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t child = spawn([&] {
    SqliteSink sink(db);
    sink.on_run_start(make_info(99));
    char ok = 1;
    if (write(ready[1], &ok, 1) != 1) _exit(3);
    pause();  // "running" until killed
  });
  char ok = 0;
  REQUIRE(read(ready[0], &ok, 1) == 1);
  REQUIRE(kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  close(ready[0]);
  close(ready[1]);

  {
    RawDb raw(db);
    CHECK(raw.one("PRAGMA integrity_check") == "ok");
    CHECK(raw.one("SELECT status FROM runs WHERE seed = 99") == "running");
    CHECK(raw.one("SELECT pid FROM runs WHERE seed = 99") == std::to_string(child));
  }
  std::string listing = list_runs(db);
  CHECK(listing.find("incomplete") != std::string::npos);
  CHECK(listing.find("running") == std::string::npos);
  CHECK(show_run(db, 1).find("process " + std::to_string(child) + " is gone") != std::string::npos);

  // The database stays writable after the crash.
  SqliteSink sink(db);
  sink.on_run_start(make_info(100));
  sink.on_run_end(make_info(100), make_result(), make_metrics());
  CHECK(read_run(db, sink.run_id()).status == "complete");
}

TEST_CASE("a run killed while writing its results is all or nothing") {
  TempDir tmp;
  const std::string db = tmp.file("results.db");
  constexpr int kPoints = 200'000;
  // Writing 200k points takes long enough that the early kills land inside the final
  // transaction; the last one (-1) kills only after the commit returned.
  for (int delay_ms : {0, 20, 60, 150, -1}) {
    CAPTURE(delay_ms);
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    const uint64_t seed = static_cast<uint64_t>(delay_ms + 1);
    pid_t child = spawn([&] {
      Metrics m;
      for (int i = 0; i < kPoints; ++i) m.sample("coverage", SimTime{i}, i);
      SqliteSink sink(db);
      sink.on_run_start(make_info(seed));
      char ok = 1;
      if (write(ready[1], &ok, 1) != 1) _exit(3);
      sink.on_run_end(make_info(seed), make_result(), m);
      if (write(ready[1], &ok, 1) != 1) _exit(3);
      pause();
    });
    char ok = 0;
    REQUIRE(read(ready[0], &ok, 1) == 1);
    if (delay_ms >= 0) {
      usleep(static_cast<useconds_t>(delay_ms) * 1000);
    } else {
      REQUIRE(read(ready[0], &ok, 1) == 1);
    }
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    close(ready[0]);
    close(ready[1]);

    RawDb raw(db);
    CHECK(raw.one("PRAGMA integrity_check") == "ok");
    std::string where = " WHERE seed = " + std::to_string(seed);
    std::string status = raw.one("SELECT status FROM runs" + where);
    std::string points = raw.one(
        "SELECT count(*) FROM series WHERE run_id = (SELECT run_id FROM runs" + where + ")");
    INFO("status " << status << ", " << points << " points");
    if (delay_ms < 0) CHECK(status == "complete");
    if (status == "complete") {
      CHECK(points == std::to_string(kPoints));
    } else {
      CHECK(status == "running");
      CHECK(points == "0");
    }
  }
}

TEST_CASE("two processes writing the same database at once lose no run") {
  TempDir tmp;
  const std::string db = tmp.file("results.db");  // not created yet: both race to create it
  constexpr int kRunsEach = 50;
  auto writer = [&](uint64_t first_seed) {
    return [&db, first_seed] {
      SqliteSink sink(db);
      for (int i = 0; i < kRunsEach; ++i) {
        RunInfo info = make_info(first_seed + static_cast<uint64_t>(i));
        sink.on_run_start(info);
        sink.on_run_end(info, make_result(), make_metrics());
      }
    };
  };
  pid_t a = spawn(writer(1000));
  pid_t b = spawn(writer(2000));
  CHECK(wait_exit_code(a) == 0);
  CHECK(wait_exit_code(b) == 0);

  RawDb raw(db);
  CHECK(raw.one("SELECT count(*) FROM runs") == "100");
  CHECK(raw.one("SELECT count(DISTINCT seed) FROM runs") == "100");
  CHECK(raw.one("SELECT count(*) FROM runs WHERE status = 'complete'") == "100");
  CHECK(raw.one("SELECT count(*) FROM scalars") == "200");
  CHECK(raw.one("SELECT count(*) FROM series") == "400");
  CHECK(raw.one("SELECT count(DISTINCT pid) FROM runs") == "2");
  CHECK(raw.one("PRAGMA integrity_check") == "ok");
}

TEST_CASE("export writes parseable CSV") {
  TempDir tmp;
  const std::string db = tmp.file("results.db");
  int64_t id = 0;
  {
    SqliteSink sink(db);
    sink.on_run_start(make_info(42));
    id = sink.run_id();
    sink.on_run_end(make_info(42), make_result(), make_metrics());
  }
  const std::string out = tmp.file("csv");
  fs::create_directory(out);
  export_run_csv(db, id, out);
  const std::string rid = std::to_string(id);

  auto log = parse_csv(out + "/events_log.csv");
  REQUIRE(log.size() == 3);
  CHECK(log[0] == std::vector<std::string>{"run_id", "sim_time_ns", "kind", "detail"});
  CHECK(log[2] ==
        std::vector<std::string>{rid, "900", "violation", "says \"hi\", then\nbreaks a line"});

  auto series = parse_csv(out + "/series.csv");
  REQUIRE(series.size() == 5);
  CHECK(series[0] == std::vector<std::string>{"run_id", "name", "sim_time_ns", "value"});
  CHECK(series[1] == std::vector<std::string>{rid, "coverage", "0", "0.01"});
  CHECK(std::stod(series[1][3]) == 0.01);  // 17 digits read back to the same double

  auto scalars = parse_csv(out + "/scalars.csv");
  REQUIRE(scalars.size() == 3);
  CHECK(scalars[2] == std::vector<std::string>{rid, "messages_sent", "4200"});

  auto nodes = parse_csv(out + "/node_summaries.csv");
  REQUIRE(nodes.size() == 3);
  CHECK(nodes[1] == std::vector<std::string>{rid, "0", "messages_sent", "40"});

  auto params = parse_csv(out + "/parameters.csv");
  CHECK(params.size() == 3);

  auto run = parse_csv(out + "/run.csv");
  REQUIRE(run.size() == 2);
  REQUIRE(run[0].size() == run[1].size());
  for (size_t c = 0; c < run[0].size(); ++c) {
    if (run[0][c] == "seed") CHECK(run[1][c] == "42");
    if (run[0][c] == "fingerprint") CHECK(run[1][c] == "fedcba9876543210");
    if (run[0][c] == "scenario_text") CHECK(run[1][c] == "[network]\nnodes = 100\n");
  }

  CHECK_THROWS_AS(export_run_csv(db, id, tmp.file("missing_dir")), ResultsError);
  CHECK_THROWS_AS(export_run_csv(db, id + 1, out), ResultsError);
}

TEST_CASE("reading never creates a database and errors are ResultsError") {
  TempDir tmp;
  const std::string missing = tmp.file("nope.db");
  CHECK_THROWS_AS(list_runs(missing), ResultsError);
  CHECK_THROWS_AS(show_run(missing, 1), ResultsError);
  CHECK_THROWS_AS(export_run_csv(missing, 1, tmp.path.string()), ResultsError);
  CHECK_FALSE(fs::exists(missing));
  try {
    list_runs(missing);
  } catch (const ResultsError& e) {
    CHECK(std::string(e.what()).find(missing) != std::string::npos);
  }

  const std::string text = tmp.file("notes.txt");
  std::ofstream(text) << "this is not a database, just some notes\n";
  CHECK_THROWS_AS(list_runs(text), ResultsError);

  const std::string db = tmp.file("results.db");
  { SqliteSink sink(db); }
  CHECK(list_runs(db) == "no runs in " + db + "\n");
  CHECK_THROWS_AS(show_run(db, 5), ResultsError);
}

TEST_CASE("the sink explains why it cannot open a database") {
  TempDir tmp;
  const std::string in_missing_dir = tmp.file("no_such_dir/results.db");
  try {
    SqliteSink sink(in_missing_dir);
    FAIL("expected an exception");
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    CHECK(what.find(in_missing_dir) != std::string::npos);
    CHECK(what.find("does not exist") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(tmp.file("no_such_dir")));

  // A database that belongs to someone else is refused rather than written into.
  const std::string foreign = tmp.file("other.db");
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(foreign.c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, "CREATE TABLE runs (x)", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  CHECK_THROWS_WITH_AS(SqliteSink{foreign}, doctest::Contains("not a meshsim results database"),
                       std::runtime_error);
  CHECK_THROWS_AS(list_runs(foreign), ResultsError);
}

TEST_CASE("list shows the newest runs first, up to the limit") {
  TempDir tmp;
  const std::string db = tmp.file("results.db");
  SqliteSink sink(db);
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    sink.on_run_start(make_info(seed));
    sink.on_run_end(make_info(seed), make_result(), Metrics{});
  }
  std::string listing = list_runs(db, 2);
  INFO(listing);
  std::istringstream lines(listing);
  std::string header, first, second, footer;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  std::getline(lines, footer);
  CHECK(header.find("fingerprint") != std::string::npos);
  CHECK(first.rfind(" 5  flood-100", 0) == 0);
  CHECK(second.rfind(" 4  flood-100", 0) == 0);
  CHECK(first.find("  30 s  ") != std::string::npos);
  CHECK(first.find("fedcba9876543210") != std::string::npos);
  CHECK(footer == "(the 2 newest of 5 runs)");
  CHECK(read_runs(db, 0).size() == 5);

  std::string shown = show_run(db, 3);
  INFO(shown);
  CHECK(shown.find("network.nodes") != std::string::npos);
  CHECK(shown.find("log (0)") != std::string::npos);
}
