#include "app/rank_sweep.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/batch_commands.h"
#include "app/batch_status.h"
#include "app/interrupt.h"
#include "app/mpi/job_dispenser.h"
#include "app/rank_sweep_messages.h"
#include "app/rank_sweep_pool.h"
#include "sink/results_db.h"
#include "sink/results_import.h"

namespace meshsim::cli {

using namespace rank_sweep;

namespace {

// How long a main thread sleeps between looks at MPI when nothing happened locally. Open
// MPI's blocking calls spin on a core while they wait, and on a small machine that core is
// one the simulations need; polling every half millisecond costs under 1 % of a core and
// adds at most that to each hand-out, against runs that take tens of milliseconds or more.
constexpr auto kPollInterval = std::chrono::microseconds(500);

// The worker threads of one rank. Only the main thread hands out jobs and collects what
// they finished; only the main thread talks to MPI (MPI_THREAD_FUNNELED).
// After a Ctrl-C a job that was handed out but not begun stays unrun, as in a sweep of one
// process: it comes back with started = false.
LocalResult run_job(const RunOptions& job, const ModuleRegistry& registry) {
  LocalResult result;
  result.run.job = job;
  if (interrupt_signal()) return result;
  result.run.outcome = execute_run(job, registry);
  result.run.started = true;
  return result;
}

std::string run_label(const RunOptions& job) {
  std::string name = std::filesystem::path(job.scenario).stem().string();
  return job.seed ? name + " seed " + std::to_string(*job.seed) : name;
}

// Where a rank other than 0 writes one run's results: a database of its own in the rank's
// temporary folder (on a cluster, the node's local disk), read back and sent to rank 0 as
// soon as the run ends. SQLite's locking is not to be trusted on network file systems, so
// no two processes ever share one of these files.
std::string run_database(const std::string& who, size_t job) {
  return (std::filesystem::temp_directory_path() /
          ("meshsim-sweep-" + std::to_string(::getpid()) + "-" + who + "-job" + std::to_string(job) + ".db"))
      .string();
}

// A database file with the write-ahead log and shared-memory files SQLite may leave beside it.
void remove_database(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
}

// The file's bytes, then the file gone. Empty when the run never reached its database.
mpi::Bytes take_database(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  mpi::Bytes bytes;
  if (!fs::exists(path, ec)) return bytes;
  // The last connection to close checkpoints the write-ahead log into the file; a log
  // still there means a connection was left open and the file alone would be incomplete.
  if (fs::exists(path + "-wal", ec) && fs::file_size(path + "-wal", ec) > 0)
    throw std::runtime_error(path + ": its write-ahead log was not checkpointed; the results would travel incomplete");
  bytes.resize(static_cast<size_t>(fs::file_size(path, ec)));
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    throw std::runtime_error(path + ": cannot read a run's results database back");
  in.close();
  remove_database(path);
  return bytes;
}

// Rank 0's second thread: loads the databases of the other ranks' runs into the sweep's
// database as they arrive, while the main thread goes on dispatching. Each run is one
// transaction (`meshsim import`'s code, which copies every value exactly), so an
// interrupted sweep holds whole runs only, and a sweep killed outright keeps every run
// that had reached rank 0.
class Importer {
 public:
  explicit Importer(std::string db) : db_(std::move(db)), thread_([this] { work(); }) {}
  ~Importer() { finish(); }
  Importer(const Importer&) = delete;
  Importer& operator=(const Importer&) = delete;

  void add(size_t job, const std::string& file) {
    {
      std::lock_guard lock(mutex_);
      queue_.emplace_back(job, file);
    }
    ready_.notify_one();
  }
  void finish() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  struct Result {
    std::map<int64_t, int64_t> run_ids;  // the run's id in its own file -> in the sweep's database
    std::string aside, error;            // when the sweep's database refused it
  };
  // After finish(): job -> what became of its run.
  const std::map<size_t, Result>& results() const { return results_; }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      ready_.wait(lock, [&] { return closed_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto [job, file] = queue_.front();
      queue_.pop_front();
      lock.unlock();
      Result result;
      try {
        result.run_ids = import_runs_mapped(file, db_).run_ids;
        remove_database(file);
      } catch (const std::exception& e) {
        // Kept next to the database, for `meshsim import`, as a run's side file would be.
        result.error = e.what();
        result.aside = db_ + ".job" + std::to_string(job) + ".db";
        std::error_code ec;
        std::filesystem::rename(file, result.aside, ec);
        if (ec) result.aside = file;
      }
      lock.lock();
      results_[job] = std::move(result);
    }
  }

  std::string db_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::pair<size_t, std::string>> queue_;
  std::map<size_t, Result> results_;
  bool closed_ = false;
  std::thread thread_;
};

void write_file(const std::string& path, const mpi::Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw std::runtime_error(path + ": cannot write a run's results received from another rank");
}

// The other ranks' runs renumbered to their ids in the sweep's database, or marked as left
// aside when it refused them.
void apply_imports(std::vector<BatchRun>& runs, const Importer& importer) {
  for (const auto& [job, result] : importer.results()) {
    RunOutcome& o = runs[job].outcome;
    if (result.aside.empty()) {
      auto it = result.run_ids.find(o.run_id);
      o.run_id = it == result.run_ids.end() ? 0 : it->second;
      continue;
    }
    const std::string db = runs[job].job.db;
    std::cerr << "meshsim: seed " << o.seed << " could not be stored in " << db << ": " << result.error << std::endl;
    o.run_id = 0;
    o.side_file = result.aside;
    o.error = "the run's results could not be stored in " + db + ": " + result.error +
              "\n  load them with: meshsim import " + result.aside + " --db " + db;
    if (o.exit_code == 0) o.exit_code = kExitResultsAside;
  }
}

}  // namespace

void send_exit_code(int code, mpi::Session& session) {
  mpi::ByteWriter w;
  w.put<int32_t>(code);
  for (int rank = 1; rank < session.size(); ++rank) session.send(rank, kTagExitCode, w.bytes());
}

int receive_exit_code(mpi::Session& session) {
  // Rank 0 may spend a while on the summary (it reads the database): wait without spinning.
  mpi::Message m = session.receive_idle(0, kTagExitCode);
  mpi::ByteReader r(m.bytes);
  return r.get<int32_t>();
}

std::vector<BatchRun> run_over_ranks(const std::vector<RunOptions>& jobs, unsigned threads, const ModuleRegistry& registry,
                                     bool lines, mpi::Session& session) {
  const int ranks = session.size();
  std::vector<BatchRun> runs(jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) runs[i].job = jobs[i];
  mpi::JobDispenser dispenser(jobs.size());
  // One status slot per thread of every rank: slot rank * threads + k.
  BatchStatus status(progress_mode(true), jobs.size(), std::max(1u, threads) * static_cast<unsigned>(ranks));
  std::vector<std::vector<bool>> slot_used(static_cast<size_t>(ranks), std::vector<bool>(std::max(1u, threads)));
  std::vector<int> slot_of(jobs.size(), -1);

  auto hand_out = [&](int rank) -> std::optional<size_t> {
    std::optional<size_t> job = dispenser.take(rank);
    if (!job) return job;
    auto& used = slot_used[static_cast<size_t>(rank)];
    for (size_t k = 0; k < used.size(); ++k) {
      if (used[k]) continue;
      used[k] = true;
      slot_of[*job] = rank * static_cast<int>(used.size()) + static_cast<int>(k);
      status.started(static_cast<unsigned>(slot_of[*job]), run_label(jobs[*job]));
      break;
    }
    return job;
  };
  auto record = [&](size_t job, int rank, bool started, RunOutcome outcome) {
    dispenser.finished(job, rank);  // throws on a job this rank never held
    if (slot_of[job] >= 0) {
      status.ended(static_cast<unsigned>(slot_of[job]));
      slot_used[static_cast<size_t>(rank)][static_cast<size_t>(slot_of[job]) % slot_used[0].size()] = false;
    }
    runs[job].outcome = std::move(outcome);
    runs[job].started = started;
    if (lines && started) print_run_line(status, runs[job]);
  };

  Importer importer(jobs.empty() ? "" : jobs.front().db);
  LocalPool pool(threads, [&](size_t job) { return run_job(jobs[job], registry); });
  int ranks_working = ranks - 1;
  for (;;) {
    if (interrupt_signal()) dispenser.stop();
    for (auto& [job, done] : pool.take_finished()) record(job, 0, done.run.started, std::move(done.run.outcome));
    for (unsigned idle = pool.idle(); idle > 0; --idle) {
      std::optional<size_t> job = hand_out(0);
      if (!job) break;
      pool.give(*job);
    }
    while (std::optional<mpi::Message> m = session.try_receive(kTagAsk)) {
      AskMessage ask = decode_ask(m->bytes);
      for (FinishedJob& f : ask.finished) {
        if (!f.database.empty()) {
          const std::string file = run_database("from-rank" + std::to_string(m->source), f.job);
          write_file(file, f.database);
          importer.add(f.job, file);
        }
        record(f.job, m->source, f.started, std::move(f.outcome));
      }
      if (ask.last) {
        --ranks_working;
        continue;
      }
      GiveMessage give;
      for (uint32_t k = 0; k < ask.idle; ++k) {
        std::optional<size_t> job = hand_out(m->source);
        if (!job) break;
        give.jobs.push_back(*job);
      }
      give.no_more = dispenser.stopped() || dispenser.taken() == dispenser.jobs();
      session.send(m->source, kTagGive, encode(give));
    }
    if (ranks_working == 0 && dispenser.all_back() && !pool.busy()) break;
    pool.wait(kPollInterval);
  }
  pool.close();
  importer.finish();
  apply_imports(runs, importer);
  return runs;
}

void serve_over_ranks(const std::vector<RunOptions>& jobs, unsigned threads, const ModuleRegistry& registry,
                      mpi::Session& session) {
  const std::string me = "rank" + std::to_string(session.rank());
  LocalPool pool(threads, [&](size_t job) {
    RunOptions mine = jobs[job];
    mine.db = run_database(me, job);
    LocalResult result = run_job(mine, registry);
    result.run.job = jobs[job];
    try {
      result.database = take_database(mine.db);
    } catch (const std::exception& e) {
      // The run happened but its results cannot travel: an internal error of that run,
      // reported like any other (on a worker thread, an exception would end the process).
      result.run.outcome.exit_code = 3;
      result.run.outcome.error = std::string("internal error: ") + e.what();
    }
    return result;
  });
  std::vector<FinishedJob> finished;
  bool no_more = false;  // rank 0 has nothing more to hand out, or this rank was interrupted
  bool waiting = false;  // an ask is out and its answer has not come
  for (;;) {
    for (auto& [job, done] : pool.take_finished())
      finished.push_back({job, done.run.started, std::move(done.run.outcome), std::move(done.database)});
    if (interrupt_signal()) no_more = true;
    if (waiting) {
      if (std::optional<mpi::Message> m = session.try_receive(kTagGive)) {
        GiveMessage give = decode_give(m->bytes);
        for (uint64_t job : give.jobs) pool.give(static_cast<size_t>(job));
        no_more = no_more || give.no_more;
        waiting = false;
        continue;
      }
    } else if (no_more && !pool.busy()) {
      AskMessage last{0, true, std::move(finished)};
      session.send(0, kTagAsk, encode(last));
      break;
    } else {
      const unsigned idle = no_more ? 0 : pool.idle();
      if (idle > 0 || !finished.empty()) {
        AskMessage ask{idle, false, std::exchange(finished, {})};
        session.send(0, kTagAsk, encode(ask));
        waiting = true;
        continue;
      }
    }
    pool.wait(kPollInterval);
  }
  pool.close();
}

}  // namespace meshsim::cli
