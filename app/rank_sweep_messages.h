// The messages of `meshsim sweep` over MPI ranks (app/rank_sweep.cpp, app/mpi/README.md):
// a rank asks rank 0 for work and reports the runs it finished; rank 0 answers with jobs.
// Header-only so the unit tests can check that an outcome survives the trip bit for bit.
#pragma once
#include <cstdint>
#include <vector>

#include "app/mpi/byte_codec.h"
#include "app/run_command.h"

namespace meshsim::cli::rank_sweep {

// MPI tags, apart from anything else meshsim sends.
inline constexpr int kTagAsk = 1601;       // rank -> 0: AskMessage
inline constexpr int kTagGive = 1602;      // 0 -> rank: GiveMessage
inline constexpr int kTagExitCode = 1603;  // 0 -> rank: the sweep's exit code, to exit with

struct FinishedJob {
  uint64_t job = 0;      // index into the sweep's job list
  bool started = false;  // false: an interrupt came before the run began
  RunOutcome outcome;
  mpi::Bytes database;   // the run's own results database file, byte for byte (empty: none)
};

struct AskMessage {
  uint32_t idle = 0;   // threads with nothing to do: how many jobs the rank wants
  bool last = false;   // the rank has no job left and asks for none: its final report
  std::vector<FinishedJob> finished;
};

struct GiveMessage {
  std::vector<uint64_t> jobs;  // at most the idle count asked for
  bool no_more = false;        // the dispenser is empty or stopped: do not ask again
};

inline void put_outcome(mpi::ByteWriter& w, const RunOutcome& o) {
  w.put<int32_t>(o.exit_code);
  w.put<int32_t>(static_cast<int32_t>(o.result.status));
  w.put<uint64_t>(o.result.events).put<int64_t>(o.result.sim_time_ns).put<double>(o.result.wall_s);
  w.put<uint64_t>(o.result.fingerprint).put(o.result.failure).put(o.result.note);
  w.put<uint64_t>(o.seed).put<int64_t>(o.run_id).put(o.scenario_name).put(o.error).put(o.reproduce);
  w.put<double>(o.events_wall_s).put<double>(o.checks_wall_s).put<double>(o.results_write_s);
  w.put(o.side_file).put<uint64_t>(o.trace_rows).put<int64_t>(o.violation_ns);
}

inline RunOutcome get_outcome(mpi::ByteReader& r) {
  RunOutcome o;
  o.exit_code = r.get<int32_t>();
  o.result.status = static_cast<RunStatus>(r.get<int32_t>());
  o.result.events = r.get<uint64_t>();
  o.result.sim_time_ns = r.get<int64_t>();
  o.result.wall_s = r.get<double>();
  o.result.fingerprint = r.get<uint64_t>();
  o.result.failure = r.get_string();
  o.result.note = r.get_string();
  o.seed = r.get<uint64_t>();
  o.run_id = r.get<int64_t>();
  o.scenario_name = r.get_string();
  o.error = r.get_string();
  o.reproduce = r.get_string();
  o.events_wall_s = r.get<double>();
  o.checks_wall_s = r.get<double>();
  o.results_write_s = r.get<double>();
  o.side_file = r.get_string();
  o.trace_rows = r.get<uint64_t>();
  o.violation_ns = r.get<int64_t>();
  return o;
}

inline mpi::Bytes encode(const AskMessage& m) {
  mpi::ByteWriter w;
  w.put<uint32_t>(m.idle).put<uint8_t>(m.last ? 1 : 0).put<uint64_t>(m.finished.size());
  for (const FinishedJob& f : m.finished) {
    w.put<uint64_t>(f.job).put<uint8_t>(f.started ? 1 : 0);
    put_outcome(w, f.outcome);
    w.put_bytes(f.database);
  }
  return w.take();
}

inline AskMessage decode_ask(const mpi::Bytes& bytes) {
  mpi::ByteReader r(bytes);
  AskMessage m;
  m.idle = r.get<uint32_t>();
  m.last = r.get<uint8_t>() != 0;
  const auto n = r.get<uint64_t>();
  for (uint64_t i = 0; i < n; ++i) {
    FinishedJob f;
    f.job = r.get<uint64_t>();
    f.started = r.get<uint8_t>() != 0;
    f.outcome = get_outcome(r);
    f.database = r.get_bytes();
    m.finished.push_back(std::move(f));
  }
  if (!r.at_end()) throw std::runtime_error("mpi: an ask message has bytes left over");
  return m;
}

inline mpi::Bytes encode(const GiveMessage& m) {
  mpi::ByteWriter w;
  w.put<uint8_t>(m.no_more ? 1 : 0).put<uint64_t>(m.jobs.size());
  for (uint64_t j : m.jobs) w.put<uint64_t>(j);
  return w.take();
}

inline GiveMessage decode_give(const mpi::Bytes& bytes) {
  mpi::ByteReader r(bytes);
  GiveMessage m;
  m.no_more = r.get<uint8_t>() != 0;
  const auto n = r.get<uint64_t>();
  for (uint64_t i = 0; i < n; ++i) m.jobs.push_back(r.get<uint64_t>());
  if (!r.at_end()) throw std::runtime_error("mpi: a give message has bytes left over");
  return m;
}

}  // namespace meshsim::cli::rank_sweep
