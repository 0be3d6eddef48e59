// The MPI session outside mpirun (what every plain meshsim process gets): rank 0 of 1, no
// MPI call, collectives that hand back what they were given; and the byte codec the ranks'
// messages use. The session over real ranks is tested by tests/cli/mpi_*_tests.sh.
#include <doctest/doctest.h>

#include <cstdlib>

#include "app/mpi/byte_codec.h"
#include "app/mpi/mpi_session.h"

using namespace meshsim::mpi;

namespace {

Bytes bytes_of(const std::string& text) {
  Bytes b;
  for (char c : text) b.push_back(static_cast<std::byte>(c));
  return b;
}

}  // namespace

TEST_CASE("mpi session: outside a launcher it is rank 0 of 1 and its collectives are the identity") {
  // ctest does not run the unit tests under mpirun; if someone does, this test is moot.
  if (detect_launch().by_launcher) return;
  int argc = 1;
  char name[] = "meshsim_tests";
  char* args[] = {name, nullptr};
  char** argv = args;
  Session session(&argc, &argv);
  CHECK(session.rank() == 0);
  CHECK(session.size() == 1);
  CHECK(session.is_root());
  CHECK_FALSE(session.active());
  CHECK(session.unavailable_reason().empty());
  session.barrier();
  Bytes mine = bytes_of("seed 7");
  Bytes copy = mine;
  session.broadcast(copy);
  CHECK(copy == mine);
  auto gathered = session.all_gather(mine);
  REQUIRE(gathered.size() == 1);
  CHECK(gathered[0] == mine);
  CHECK(session.all_to_all({mine}) == std::vector<Bytes>{mine});
  CHECK_THROWS(session.all_to_all({mine, mine}));
  CHECK(session.all_reduce_min(-5) == -5);
  CHECK(session.all_reduce_sum(12) == 12);
  CHECK_FALSE(session.try_receive(1).has_value());
}

TEST_CASE("mpi launch detection reads Open MPI's and PMI's variables") {
  if (detect_launch().by_launcher) return;
  setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  setenv("OMPI_COMM_WORLD_RANK", "3", 1);
  Launch l = detect_launch();
  CHECK(l.by_launcher);
  CHECK(l.world_size == 4);
  CHECK(l.rank == 3);
  unsetenv("OMPI_COMM_WORLD_SIZE");
  unsetenv("OMPI_COMM_WORLD_RANK");
  setenv("PMIX_RANK", "2", 1);
  l = detect_launch();
  CHECK(l.by_launcher);
  CHECK(l.rank == 2);
  CHECK(l.world_size == 1);  // PMIx alone does not say the size; MPI_Comm_size will
  unsetenv("PMIX_RANK");
  setenv("OMPI_COMM_WORLD_SIZE", "two", 1);  // not a number: not believed
  CHECK_FALSE(detect_launch().by_launcher);
  unsetenv("OMPI_COMM_WORLD_SIZE");
  CHECK_FALSE(detect_launch().by_launcher);
}

TEST_CASE("byte codec: values come back exactly, a short message throws") {
  ByteWriter w;
  w.put<uint64_t>(0xfedcba9876543210ull).put<double>(0.1).put(std::string("raft chaos")).put<int32_t>(-3);
  w.put_bytes(bytes_of("xyz"));
  Bytes all = w.take();
  ByteReader r(all);
  CHECK(r.get<uint64_t>() == 0xfedcba9876543210ull);
  CHECK(r.get<double>() == 0.1);
  CHECK(r.get_string() == "raft chaos");
  CHECK(r.get<int32_t>() == -3);
  CHECK(r.get_bytes() == bytes_of("xyz"));
  CHECK(r.at_end());
  Bytes cut(all.begin(), all.begin() + 20);  // ends inside the string
  ByteReader short_reader(cut);
  short_reader.get<uint64_t>();
  short_reader.get<double>();
  CHECK_THROWS_WITH_AS(short_reader.get_string(), doctest::Contains("ended early"), std::runtime_error);
}
