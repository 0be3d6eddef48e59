// The MPI session of one meshsim process: the only door to MPI (app/mpi/README.md).
//
// meshsim calls MPI only when a launcher started it (mpirun, srun): a plain `meshsim run`
// makes no MPI call at all, so it starts as fast as before and needs no MPI runtime. In
// that case, and in a build without MPI, the session is rank 0 of 1 and every collective
// below is the identity, so callers need no special case for one process.
//
// Threads: MPI is initialised with MPI_THREAD_FUNNELED, so only the thread that made the
// Session (main) may call the methods that communicate. meshsim's parallel parts keep
// their worker threads away from MPI and let the main thread talk for them; see
// app/mpi/README.md for why this level and not MPI_THREAD_MULTIPLE.
//
// Failure: a rank that cannot go on must not leave the others waiting in a collective
// forever. `abort(code)` (after the caller printed its message) ends every rank with
// MPI_Abort; mpirun then exits with that code.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meshsim::mpi {

using Bytes = std::vector<std::byte>;

// What the environment says about how this process was started, read before (and
// without) any MPI call: Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE / _RANK, PMIx
// launchers (srun --mpi=pmix, prterun) set PMIX_RANK, MPICH-style PMI sets PMI_SIZE.
struct Launch {
  bool by_launcher = false;  // some launcher started us: MPI_Init is worth calling
  int world_size = 1;        // as the launcher announced it; 1 when unknown
  int rank = 0;              // likewise; 0 when unknown
};
Launch detect_launch();

// A point-to-point message as received: who sent it, with which tag, what it holds.
struct Message {
  int source = 0;
  int tag = 0;
  Bytes bytes;
};

class Session {
 public:
  // Calls MPI_Init_thread when detect_launch() says a launcher started the process (and
  // MPI is built in); otherwise makes no MPI call. Throws std::runtime_error if MPI
  // cannot give MPI_THREAD_FUNNELED.
  Session(int* argc, char*** argv);
  ~Session();  // MPI_Finalize when MPI_Init was called
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  // MPI is initialised and there is more than this process: communication is real.
  bool active() const { return initialised_ && size_ > 1; }

  // Not empty when the process was launched over several ranks by a build without MPI:
  // what to install to get it. main prints it (once, on rank 0) and exits 2 on every rank,
  // instead of K copies of meshsim each running the whole command.
  const std::string& unavailable_reason() const { return unavailable_; }

  // --- collectives: every rank must call them, in the same order ------------------
  void barrier();
  // `bytes` from `root` to every rank; other ranks' argument is replaced.
  void broadcast(Bytes& bytes, int root = 0);
  // Every rank's buffer, indexed by rank.
  std::vector<Bytes> all_gather(const Bytes& mine);
  // to_each[r] goes to rank r; returns what each rank sent to this one, indexed by rank.
  // to_each.size() must equal size().
  std::vector<Bytes> all_to_all(const std::vector<Bytes>& to_each);
  int64_t all_reduce_min(int64_t value);
  int64_t all_reduce_max(int64_t value);
  int64_t all_reduce_sum(int64_t value);

  // --- point to point --------------------------------------------------------------
  // Blocking send (MPI_Send). At most 2^31 - 1 bytes: send bigger things in chunks.
  void send(int to, int tag, const Bytes& bytes);
  // A message with `tag` from any rank if one has arrived, else nothing (MPI_Iprobe):
  // the main thread can poll for messages between its other duties.
  std::optional<Message> try_receive(int tag);
  // Blocks until a message with `tag` arrives from `from` (or any rank when from < 0).
  // Open MPI spins a core while it waits here: fine for a reply that is on its way.
  Message receive(int from, int tag);
  // The same without spinning: looks every `poll_interval` and sleeps in between, for a
  // wait that may be long (another rank still computing) on a machine whose cores the
  // simulations need.
  Message receive_idle(int from, int tag, std::chrono::microseconds poll_interval = std::chrono::milliseconds(1));

  // Ends this process, and with MPI every rank of the job, with exit code `code`.
  // The caller prints its message first (only this rank's stderr shows it).
  [[noreturn]] void abort(int code);

 private:
  bool initialised_ = false;
  int rank_ = 0;
  int size_ = 1;
  std::string unavailable_;
};

}  // namespace meshsim::mpi
