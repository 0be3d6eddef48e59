// What partitioning costs one core: a scenario run sequentially, then as K in-process
// partitions (sim/partitioned_run.h, InProcessTransport), with the CPU time of each and the
// partitioned run's windows, messages across partitions and cut. The in-process run does
// all K partitions' work in one thread, so its CPU time over the sequential one is the
// engine's overhead for partitioning (no MPI, no waiting): the model in sim/README.md.
// Usage: partition_bench SCENARIO K [--set key=value ...]
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "protocols/registry.h"
#include "sim/partitioned_run.h"
#include "sim/scenario/scenario.h"
#include "sim/simulation.h"

using namespace meshsim;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: partition_bench SCENARIO K [--set key=value ...]\n";
    return 2;
  }
  const std::string path = argv[1];
  const uint32_t k = static_cast<uint32_t>(std::stoul(argv[2]));
  std::vector<std::string> sets;
  for (int i = 3; i + 1 < argc; i += 2) sets.push_back(argv[i + 1]);
  ModuleRegistry registry;
  register_builtin_protocols(registry);
  auto build = [&] {
    Scenario sc = load_scenario(path, sets, registry);
    return resolve_run(sc, registry);
  };
  RunInfo info;
  auto cpu = [] { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; };
  double t0 = cpu();
  Simulation seq(build());
  RunResult r = seq.run(info);
  const double seq_s = cpu() - t0;
  InProcessTransport transport(k);
  t0 = cpu();
  PartitionedOutcome p = run_partitioned(build, transport, info);
  const double part_s = cpu() - t0;
  std::cout << "events " << r.events << " fingerprint " << std::hex << r.fingerprint << " / " << p.result.fingerprint
            << std::dec << "\nsequential " << seq_s << " s CPU\n"
            << k << " partitions in one thread " << part_s << " s CPU (" << part_s / seq_s << "x)\n"
            << "windows " << p.stats.windows << " lookahead " << p.stats.lookahead_ns << " ns remote messages "
            << p.stats.remote_messages << " cut edges " << p.stats.cut_edges << "\n";
  return r.fingerprint == p.result.fingerprint ? 0 : 1;
}
