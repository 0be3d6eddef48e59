// The MPI transport of a partitioned run (sim/partitioned_run.h): one partition per rank,
// over the collectives of mpi::Session. Plain C++ (no <mpi.h>), so it builds without MPI,
// where the session is one rank and every collective the identity.
#pragma once
#include "app/mpi/mpi_session.h"
#include "sim/partitioned_run.h"

namespace meshsim::mpi {

class RankTransport : public PartitionTransport {
 public:
  explicit RankTransport(Session& session) : session_(session) {}
  uint32_t partitions() const override { return static_cast<uint32_t>(session_.size()); }
  std::vector<uint32_t> local_partitions() const override { return {static_cast<uint32_t>(session_.rank())}; }
  int64_t min_all(int64_t local_min) override;
  std::vector<Buffers> exchange(std::vector<Buffers> out) override;
  Buffers gather(Buffers local) override;
  // Wall time blocked in the collectives: waiting for the slowest rank, and the copies.
  double wait_seconds() const override { return wait_s_; }

 private:
  Session& session_;
  double wait_s_ = 0;
};

}  // namespace meshsim::mpi
