// The session with MPI built in (app/mpi/CMakeLists.txt): the one file that includes <mpi.h>.
#include "app/mpi/mpi_session.h"

#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace meshsim::mpi {

namespace {

// MPI counts are ints: a buffer past 2 GiB must be chunked by the caller. Checked, not
// assumed, because a silently truncated count would corrupt results.
int count_of(size_t bytes, const char* what) {
  if (bytes > static_cast<size_t>(INT_MAX))
    throw std::runtime_error(std::string("mpi: ") + what + " of " + std::to_string(bytes) +
                             " bytes is more than one MPI message can carry (2 GiB); send it in chunks");
  return static_cast<int>(bytes);
}

// The displacements of buffers of `counts` bytes laid end to end, as MPI's v-collectives
// take them; checks that the whole still fits an int.
std::vector<int> offsets_of(const std::vector<int>& counts, const char* what) {
  std::vector<int> offsets(counts.size());
  size_t total = 0;
  for (size_t r = 0; r < counts.size(); ++r) {
    offsets[r] = count_of(total, what);
    total += static_cast<size_t>(counts[r]);
  }
  count_of(total, what);
  return offsets;
}

// Splits `all` back into one buffer a rank.
std::vector<Bytes> split(const Bytes& all, const std::vector<int>& counts, const std::vector<int>& offsets) {
  std::vector<Bytes> out(counts.size());
  for (size_t r = 0; r < counts.size(); ++r) out[r].assign(all.begin() + offsets[r], all.begin() + offsets[r] + counts[r]);
  return out;
}

void check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  throw std::runtime_error(std::string(call) + " failed: " + std::string(text, static_cast<size_t>(length)));
}

}  // namespace

Session::Session(int* argc, char*** argv) {
  const Launch launch = detect_launch();
  if (!launch.by_launcher) return;  // a plain process: rank 0 of 1, no MPI call at all
  int provided = MPI_THREAD_SINGLE;
  check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  initialised_ = true;
  // Errors come back as codes (turned into exceptions by check) instead of ending the job
  // inside MPI, so a rank can say what went wrong before abort() ends the others.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  if (provided < MPI_THREAD_FUNNELED) {
    std::string why = "mpi: this MPI library gives no MPI_THREAD_FUNNELED (only level " + std::to_string(provided) +
                      "), and meshsim's worker threads need it";
    MPI_Finalize();
    initialised_ = false;
    throw std::runtime_error(why);
  }
}

Session::~Session() {
  if (initialised_) MPI_Finalize();
}

void Session::barrier() {
  if (active()) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void Session::broadcast(Bytes& bytes, int root) {
  if (!active()) return;
  int64_t size = static_cast<int64_t>(bytes.size());
  check(MPI_Bcast(&size, 1, MPI_INT64_T, root, MPI_COMM_WORLD), "MPI_Bcast");
  bytes.resize(static_cast<size_t>(size));
  check(MPI_Bcast(bytes.data(), count_of(bytes.size(), "a broadcast"), MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
}

std::vector<Bytes> Session::all_gather(const Bytes& mine) {
  if (!active()) return {mine};
  int my_count = count_of(mine.size(), "an all-gather contribution");
  std::vector<int> counts(static_cast<size_t>(size_));
  check(MPI_Allgather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
  const std::vector<int> offsets = offsets_of(counts, "an all-gather");
  Bytes all(static_cast<size_t>(offsets.back()) + static_cast<size_t>(counts.back()));
  check(MPI_Allgatherv(mine.data(), my_count, MPI_BYTE, all.data(), counts.data(), offsets.data(), MPI_BYTE,
                       MPI_COMM_WORLD),
        "MPI_Allgatherv");
  return split(all, counts, offsets);
}

std::vector<Bytes> Session::all_to_all(const std::vector<Bytes>& to_each) {
  if (to_each.size() != static_cast<size_t>(size_))
    throw std::logic_error("mpi: all_to_all needs one buffer per rank (" + std::to_string(size_) + "), got " +
                           std::to_string(to_each.size()));
  if (!active()) return to_each;
  const size_t n = static_cast<size_t>(size_);
  std::vector<int> send_counts(n), recv_counts(n);
  Bytes send;
  for (size_t r = 0; r < n; ++r) {
    send_counts[r] = count_of(to_each[r].size(), "an all-to-all buffer");
    send.insert(send.end(), to_each[r].begin(), to_each[r].end());
  }
  const std::vector<int> send_offsets = offsets_of(send_counts, "an all-to-all");
  check(MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Alltoall");
  const std::vector<int> recv_offsets = offsets_of(recv_counts, "an all-to-all");
  Bytes received(static_cast<size_t>(recv_offsets.back()) + static_cast<size_t>(recv_counts.back()));
  check(MPI_Alltoallv(send.data(), send_counts.data(), send_offsets.data(), MPI_BYTE, received.data(), recv_counts.data(),
                      recv_offsets.data(), MPI_BYTE, MPI_COMM_WORLD),
        "MPI_Alltoallv");
  return split(received, recv_counts, recv_offsets);
}

namespace {

int64_t reduce(bool active, int64_t value, MPI_Op op) {
  if (!active) return value;
  int64_t out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_INT64_T, op, MPI_COMM_WORLD), "MPI_Allreduce");
  return out;
}

}  // namespace

int64_t Session::all_reduce_min(int64_t value) { return reduce(active(), value, MPI_MIN); }
int64_t Session::all_reduce_max(int64_t value) { return reduce(active(), value, MPI_MAX); }
int64_t Session::all_reduce_sum(int64_t value) { return reduce(active(), value, MPI_SUM); }

void Session::send(int to, int tag, const Bytes& bytes) {
  if (!active()) throw std::logic_error("mpi: send with no other rank to send to");
  check(MPI_Send(bytes.data(), count_of(bytes.size(), "a message"), MPI_BYTE, to, tag, MPI_COMM_WORLD), "MPI_Send");
}

namespace {

Message receive_probed(const MPI_Status& status) {
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  Message m;
  m.source = status.MPI_SOURCE;
  m.tag = status.MPI_TAG;
  m.bytes.resize(static_cast<size_t>(count));
  check(MPI_Recv(m.bytes.data(), count, MPI_BYTE, m.source, m.tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  return m;
}

}  // namespace

std::optional<Message> Session::try_receive(int tag) {
  if (!active()) return std::nullopt;
  int flag = 0;
  MPI_Status status;
  check(MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
  if (!flag) return std::nullopt;
  return receive_probed(status);
}

Message Session::receive(int from, int tag) {
  if (!active()) throw std::logic_error("mpi: receive with no other rank to hear from");
  MPI_Status status;
  check(MPI_Probe(from < 0 ? MPI_ANY_SOURCE : from, tag, MPI_COMM_WORLD, &status), "MPI_Probe");
  return receive_probed(status);
}

Message Session::receive_idle(int from, int tag, std::chrono::microseconds poll_interval) {
  if (!active()) throw std::logic_error("mpi: receive with no other rank to hear from");
  for (;;) {
    int flag = 0;
    MPI_Status status;
    check(MPI_Iprobe(from < 0 ? MPI_ANY_SOURCE : from, tag, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    if (flag) return receive_probed(status);
    std::this_thread::sleep_for(poll_interval);
  }
}

void Session::abort(int code) {
  if (initialised_) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

}  // namespace meshsim::mpi
