// The results schema, compiled in so meshsim can create a database from any directory.
#include <string>
#include <string_view>

#include "sink/sqlite_sink.h"

namespace meshsim {
namespace {

// Schema version 2's new table, written once: in the full schema and in the migration from 1.
constexpr std::string_view kNodeSeriesSql = R"sql(CREATE TABLE IF NOT EXISTS node_series (
  run_id      INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  node        INTEGER NOT NULL,
  name        TEXT NOT NULL,
  sim_time_ns INTEGER NOT NULL,
  value       REAL
);
CREATE INDEX IF NOT EXISTS node_series_by_run ON node_series (run_id, name, node, sim_time_ns);
)sql";

// The runs table's body, written once: in the full schema and in the migration from 2,
// which rebuilds the table because SQLite cannot widen a CHECK constraint in place.
constexpr std::string_view kRunsColumnsSql = R"sql((
  -- AUTOINCREMENT so a deleted run's id is never handed to a later run.
  run_id        INTEGER PRIMARY KEY AUTOINCREMENT,
  scenario_name TEXT NOT NULL,
  scenario_path TEXT NOT NULL,
  scenario_text TEXT NOT NULL,
  -- The uint64 seed stored as its two's-complement int64 bit pattern.
  seed          INTEGER NOT NULL,
  build_id      TEXT NOT NULL,
  command_line  TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'complete', 'failed', 'inconclusive', 'interrupted', 'incomplete')),
  failure       TEXT,
  events        INTEGER,
  sim_time_ns   INTEGER,
  wall_s        REAL,
  -- 16 lowercase hex digits: a uint64 does not fit SQLite's signed INTEGER.
  fingerprint   TEXT CHECK (fingerprint IS NULL OR
                            (length(fingerprint) = 16 AND fingerprint NOT GLOB '*[^0-9a-f]*')),
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  pid           INTEGER NOT NULL,
  host          TEXT NOT NULL
);
)sql";

// With the runs table and kNodeSeriesSql between them, must stay byte-for-byte equal to
// results/schema.sql (checked by test_sqlite_sink.cpp).
constexpr std::string_view kSchemaHead =
    R"schema(-- meshsim results database, schema version 5 (PRAGMA user_version).
-- Modelled on OMNeT++'s SQLite result files: one row per run, everything else keyed by
-- run_id. Simulated time is an INTEGER count of nanoseconds, never a REAL, as in the engine.
-- The binary embeds this text (sink/schema.cpp) so meshsim can create a database
-- from any directory; tests/unit/test_sqlite_sink.cpp keeps the two byte-for-byte equal.
-- Every table and column is documented in results/README.md.

CREATE TABLE IF NOT EXISTS runs )schema";
constexpr std::string_view kSchemaMiddle = R"schema(
CREATE TABLE IF NOT EXISTS parameters (
  run_id INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS parameters_by_run ON parameters (run_id, key);

CREATE TABLE IF NOT EXISTS scalars (
  run_id INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  name   TEXT NOT NULL,
  value  REAL
);
CREATE INDEX IF NOT EXISTS scalars_by_run ON scalars (run_id, name);

CREATE TABLE IF NOT EXISTS series (
  run_id      INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  sim_time_ns INTEGER NOT NULL,
  value       REAL
);
CREATE INDEX IF NOT EXISTS series_by_run ON series (run_id, name, sim_time_ns);

CREATE TABLE IF NOT EXISTS node_summaries (
  run_id INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  node   INTEGER NOT NULL,
  name   TEXT NOT NULL,
  value  REAL
);
CREATE INDEX IF NOT EXISTS node_summaries_by_run ON node_summaries (run_id, name, node);

)schema";
constexpr std::string_view kSchemaTail = R"schema(
CREATE TABLE IF NOT EXISTS events_log (
  run_id      INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  sim_time_ns INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  detail      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_log_by_run ON events_log (run_id, sim_time_ns);
)schema";
// Message traces (`meshsim run --trace`), version 4.
constexpr std::string_view kTraceSql = R"sql(
CREATE TABLE IF NOT EXISTS trace (
  run_id      INTEGER NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  sim_time_ns INTEGER NOT NULL,
  event       TEXT NOT NULL CHECK (event IN ('send', 'deliver', 'drop', 'note', 'log', 'truncated')),
  node        INTEGER,
  peer        INTEGER,
  module      TEXT,
  type        TEXT,
  message_id  INTEGER,
  sent_ns     INTEGER,
  detail      TEXT
);
CREATE INDEX IF NOT EXISTS trace_by_run ON trace (run_id, seq);
)sql";
// Sweeps kept as a whole (`meshsim sweep`, and each variant of `meshsim compare`), version 5.
constexpr std::string_view kSweepsSql = R"sql(
CREATE TABLE IF NOT EXISTS sweeps (
  -- AUTOINCREMENT for the same reason as runs: a deleted sweep's id is never reused.
  sweep_id      INTEGER PRIMARY KEY AUTOINCREMENT,
  command       TEXT NOT NULL CHECK (command IN ('sweep', 'compare')),
  label         TEXT NOT NULL,
  scenario_path TEXT NOT NULL,
  sets          TEXT NOT NULL,
  seeds         TEXT NOT NULL,
  command_line  TEXT NOT NULL,
  build_id      TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete', 'interrupted')),
  runs_planned  INTEGER NOT NULL,
  runs_failed   INTEGER,
  started_at    TEXT NOT NULL,
  finished_at   TEXT
);

CREATE TABLE IF NOT EXISTS sweep_runs (
  sweep_id INTEGER NOT NULL REFERENCES sweeps (sweep_id) ON DELETE CASCADE,
  seed     INTEGER NOT NULL,
  run_id   INTEGER REFERENCES runs (run_id) ON DELETE SET NULL,
  verdict  TEXT NOT NULL,
  error    TEXT
);
CREATE INDEX IF NOT EXISTS sweep_runs_by_sweep ON sweep_runs (sweep_id, seed);
)sql";
constexpr std::string_view kSchemaVersionSql = "\nPRAGMA user_version = 5;\n";

}  // namespace

std::string_view results_schema_sql() {
  static const std::string schema = std::string(kSchemaHead) + std::string(kRunsColumnsSql) + std::string(kSchemaMiddle) +
                                    std::string(kNodeSeriesSql) + std::string(kSchemaTail) +
                                    std::string(kTraceSql) + std::string(kSweepsSql) + std::string(kSchemaVersionSql);
  return schema;
}

std::string_view results_schema_migration(int from_version) {
  // Version 1 to 2: per-node time series. Additive, so version-1 files keep every row.
  static const std::string to_v2 = std::string(kNodeSeriesSql) + "PRAGMA user_version = 2;\n";
  // Version 2 to 3: runs.status also takes 'inconclusive' and 'interrupted'. SQLite cannot
  // change a CHECK constraint, so the table is rebuilt (the procedure of "ALTER TABLE",
  // sqlite.org/lang_altertable.html#otheralter). The caller turns foreign keys off around
  // it, or dropping the old table would cascade to every row that refers to it. The
  // AUTOINCREMENT counter moves across, so a deleted run's id stays retired.
  static const std::string to_v3 = "CREATE TABLE runs_v3 " + std::string(kRunsColumnsSql) +
                                   "INSERT INTO runs_v3 SELECT * FROM runs;\n"
                                   "DELETE FROM sqlite_sequence WHERE name = 'runs_v3';\n"
                                   "UPDATE sqlite_sequence SET name = 'runs_v3' WHERE name = 'runs';\n"
                                   "DROP TABLE runs;\n"
                                   "ALTER TABLE runs_v3 RENAME TO runs;\n"
                                   "PRAGMA user_version = 3;\n";
  // Version 3 to 4: message traces. Additive.
  static const std::string to_v4 = std::string(kTraceSql) + "PRAGMA user_version = 4;\n";
  if (from_version == 1) return to_v2;
  if (from_version == 2) return to_v3;
  // Version 4 to 5: sweeps and their runs. Additive.
  static const std::string to_v5 = std::string(kSweepsSql) + "PRAGMA user_version = 5;\n";
  if (from_version == 3) return to_v4;
  if (from_version == 4) return to_v5;
  return {};
}

}  // namespace meshsim
