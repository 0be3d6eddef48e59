// Sweeps kept as a whole (sink/sweeps.h): a sweep's record round-trips through the
// database with its failures, and a database without sweeps says so.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "sink/results_db.h"
#include "sink/sweeps.h"

using namespace meshsim;
namespace fs = std::filesystem;

namespace {
struct SweepTempDir {
  fs::path path;
  SweepTempDir() {
    std::string tmpl = (fs::temp_directory_path() / "meshsim_sweeps_XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~SweepTempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
}  // namespace

TEST_CASE("compare sweeps: a sweep's record round-trips, failures and missing runs included") {
  SweepTempDir tmp;
  const std::string db = (tmp.path / "r.db").string();
  sink::SweepStart start{"compare", "pbft", "scenarios/compare/pbft_crash.toml", {"run.duration=3s", "protocol.keys=8"},
                         "1..3", "meshsim compare ...", "test-build", 3};
  int64_t id = sink::begin_sweep(db, start, {});
  CHECK(id == 1);
  CHECK(sink::read_sweep(db, 0).status == "running");
  sink::end_sweep(db, id, "complete",
                  {{1, 0, "ERROR", "bad input"}, {2, 0, "NOT RUN", ""}, {(1ull << 63) + 3, 0, "ok", ""}}, {});
  sink::SweepRow row = sink::read_sweep(db, id);
  CHECK(row.command == "compare");
  CHECK(row.label == "pbft");
  CHECK(row.sets == "run.duration=3s\nprotocol.keys=8");
  CHECK(row.status == "complete");
  CHECK(row.runs_planned == 3);
  CHECK(row.runs_failed == 2);
  CHECK_FALSE(row.finished_at.empty());
  REQUIRE(row.runs.size() == 3);
  CHECK(row.runs[0].verdict == "ERROR");
  CHECK(row.runs[0].error == "bad input");
  CHECK(row.runs[0].run_id == 0);                 // stored as NULL: the run never reached the database
  CHECK(row.runs[2].seed == (1ull << 63) + 3);    // a uint64 seed survives the int64 column
  CHECK(sink::show_sweep(db, id).find("1: ERROR  bad input") != std::string::npos);
  CHECK_THROWS_AS(sink::read_sweep(db, 7), ResultsError);
}
