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

// A rank's database travels in pieces well under MPI's 2 GiB limit per message.
constexpr size_t kChunkBytes = size_t{16} << 20;

// The worker threads of one rank. Only the main thread hands out jobs and collects what
// they finished; only the main thread talks to MPI (MPI_THREAD_FUNNELED).
class LocalPool {
 public:
  LocalPool(unsigned threads, std::function<BatchRun(size_t)> run) : run_(std::move(run)) {
    for (unsigned t = 0; t < std::max(1u, threads); ++t) {
      try {
        workers_.emplace_back([this] { work(); });
      } catch (const std::system_error& e) {
        std::fprintf(stderr, "meshsim: could start only %zu of %u threads (%s); going on with those\n", workers_.size(),
                     threads, e.what());
        break;
      }
    }
    if (workers_.empty()) throw std::runtime_error("could not start a single worker thread");
  }
  ~LocalPool() { close(); }
  LocalPool(const LocalPool&) = delete;
  LocalPool& operator=(const LocalPool&) = delete;

  void give(size_t job) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(job);
    }
    work_ready_.notify_one();
  }
  // Threads with nothing running and nothing queued for them: how many jobs to ask for.
  unsigned idle() const {
    std::lock_guard lock(mutex_);
    return static_cast<unsigned>(workers_.size()) - running_ - static_cast<unsigned>(queue_.size());
  }
  bool busy() const {
    std::lock_guard lock(mutex_);
    return running_ > 0 || !queue_.empty() || !finished_.empty();
  }
  std::vector<std::pair<size_t, BatchRun>> take_finished() {
    std::lock_guard lock(mutex_);
    return std::exchange(finished_, {});
  }
  // Until a run finishes or `limit` passes.
  void wait(std::chrono::microseconds limit) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, limit, [&] { return !finished_.empty(); });
  }
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    work_ready_.notify_all();
    for (auto& w : workers_)
      if (w.joinable()) w.join();
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      work_ready_.wait(lock, [&] { return closed_ || !queue_.empty(); });
      if (queue_.empty()) return;
      const size_t job = queue_.front();
      queue_.pop_front();
      ++running_;
      lock.unlock();
      BatchRun run = run_(job);
      lock.lock();
      --running_;
      finished_.emplace_back(job, std::move(run));
      changed_.notify_one();
    }
  }

  std::function<BatchRun(size_t)> run_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_, changed_;
  std::deque<size_t> queue_;
  std::vector<std::pair<size_t, BatchRun>> finished_;
  unsigned running_ = 0;
  bool closed_ = false;
  std::vector<std::thread> workers_;
};

// After a Ctrl-C a job that was handed out but not begun stays unrun, as in a sweep of one
// process: it comes back with started = false.
BatchRun run_job(const RunOptions& job, const ModuleRegistry& registry) {
  BatchRun run;
  run.job = job;
  if (interrupt_signal()) return run;
  run.outcome = execute_run(job, registry);
  run.started = true;
  return run;
}

std::string run_label(const RunOptions& job) {
  std::string name = std::filesystem::path(job.scenario).stem().string();
  return job.seed ? name + " seed " + std::to_string(*job.seed) : name;
}

// Where a rank other than 0 keeps its runs until the end: its own temporary folder, which
// on a cluster is the node's local disk. SQLite's locking is not to be trusted on network
// file systems, so the ranks never share one database file.
std::string private_database(int rank) {
  return (std::filesystem::temp_directory_path() /
          ("meshsim-sweep-" + std::to_string(::getpid()) + "-rank" + std::to_string(rank) + ".db"))
      .string();
}

// A database file with the write-ahead log and shared-memory files SQLite may leave beside it.
void remove_database(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
}

void send_database(const std::string& path, mpi::Session& session) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // The last connection to close checkpoints the write-ahead log into the file; a log
  // still there means a connection was left open and the file alone would be incomplete.
  if (fs::exists(path + "-wal", ec) && fs::file_size(path + "-wal", ec) > 0)
    throw std::runtime_error(path + ": its write-ahead log was not checkpointed; the results would travel incomplete");
  const uint64_t size = fs::exists(path, ec) ? fs::file_size(path, ec) : 0;
  mpi::ByteWriter header;
  header.put<uint64_t>(size);
  session.send(0, kTagDatabase, header.take());
  std::ifstream in(path, std::ios::binary);
  for (uint64_t sent = 0; sent < size;) {
    mpi::Bytes chunk(static_cast<size_t>(std::min<uint64_t>(kChunkBytes, size - sent)));
    if (!in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(chunk.size())))
      throw std::runtime_error(path + ": cannot read the rank's results database back");
    session.send(0, kTagDatabase, chunk);
    sent += chunk.size();
  }
}

// Rank 0: the database of rank `from`, written to a temporary file. Empty when that rank
// stored no run at all.
std::string receive_database(int from, mpi::Session& session) {
  mpi::Message header = session.receive(from, kTagDatabase);
  mpi::ByteReader r(header.bytes);
  const uint64_t size = r.get<uint64_t>();
  if (size == 0) return "";
  const std::string path = private_database(from) + ".received";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (uint64_t got = 0; got < size;) {
    mpi::Message chunk = session.receive(from, kTagDatabase);
    out.write(reinterpret_cast<const char*>(chunk.bytes.data()), static_cast<std::streamsize>(chunk.bytes.size()));
    got += chunk.bytes.size();
  }
  if (!out.flush()) throw std::runtime_error(path + ": cannot write the results of rank " + std::to_string(from));
  return path;
}

// Rank 0: each other rank's database into the sweep's, one transaction per rank (an
// interrupted merge leaves a rank's runs all in or all out), and the runs renumbered. A
// database that refuses them leaves the rank's file next to it, for `meshsim import`, as a
// single run's side file would.
void merge_rank_databases(std::vector<BatchRun>& runs, const mpi::JobDispenser& dispenser, mpi::Session& session) {
  if (runs.empty()) return;
  const std::string db = runs.front().job.db;
  for (int rank = 1; rank < session.size(); ++rank) {
    const std::string received = receive_database(rank, session);
    if (received.empty()) continue;
    std::map<int64_t, int64_t> ids;
    std::string aside, why;
    try {
      ids = import_runs_mapped(received, db).run_ids;
    } catch (const std::exception& e) {
      why = e.what();
      aside = db + ".rank" + std::to_string(rank) + ".db";
      std::error_code ec;
      std::filesystem::rename(received, aside, ec);
      if (ec) aside = received;
      std::cerr << "meshsim: the runs of rank " << rank << " could not be merged into " << db << ": " << why
                << "\n  they are in " << aside << "; load them with: meshsim import " << aside << " --db " << db
                << std::endl;
    }
    for (size_t job = 0; job < runs.size(); ++job) {
      RunOutcome& o = runs[job].outcome;
      if (dispenser.holder(job) != rank || !runs[job].started || o.run_id <= 0) continue;
      if (aside.empty()) {
        auto it = ids.find(o.run_id);
        o.run_id = it == ids.end() ? 0 : it->second;
      } else {
        o.run_id = 0;
        o.side_file = aside;
        o.error = "the run's results could not be merged into " + db + ": " + why + "\n  load them with: meshsim import " +
                  aside + " --db " + db;
        if (o.exit_code == 0) o.exit_code = kExitResultsAside;
      }
    }
    if (aside.empty()) remove_database(received);
  }
}

}  // namespace

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

  LocalPool pool(threads, [&](size_t job) { return run_job(jobs[job], registry); });
  int ranks_working = ranks - 1;
  for (;;) {
    if (interrupt_signal()) dispenser.stop();
    for (auto& [job, run] : pool.take_finished()) record(job, 0, run.started, std::move(run.outcome));
    for (unsigned idle = pool.idle(); idle > 0; --idle) {
      std::optional<size_t> job = hand_out(0);
      if (!job) break;
      pool.give(*job);
    }
    while (std::optional<mpi::Message> m = session.try_receive(kTagAsk)) {
      AskMessage ask = decode_ask(m->bytes);
      for (FinishedJob& f : ask.finished) record(f.job, m->source, f.started, std::move(f.outcome));
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
  merge_rank_databases(runs, dispenser, session);
  return runs;
}

void serve_over_ranks(const std::vector<RunOptions>& jobs, unsigned threads, const ModuleRegistry& registry,
                      mpi::Session& session) {
  const std::string db = private_database(session.rank());
  std::vector<RunOptions> mine = jobs;
  for (RunOptions& job : mine) job.db = db;
  LocalPool pool(threads, [&](size_t job) { return run_job(mine[job], registry); });
  std::vector<FinishedJob> finished;
  bool no_more = false;  // rank 0 has nothing more to hand out, or this rank was interrupted
  bool waiting = false;  // an ask is out and its answer has not come
  for (;;) {
    for (auto& [job, run] : pool.take_finished()) finished.push_back({job, run.started, std::move(run.outcome)});
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
  send_database(db, session);
  remove_database(db);
}

}  // namespace meshsim::cli
