// PHOLD on ns-3's bare event core: the ns-3 peer of meshsim's `phold` benchmark.
//
// N plain C++ node objects, E = 16 initial events each at exp(mean 1 us). Handling an event
// at node i picks j uniformly among all N nodes and schedules an event there at
// now + 100 ns + exp(mean 1 us), so the pending population stays N * E. The run stops after
// exactly `events` handled events. No packets, no ns3::Node: this is the fastest way to drive
// ns-3, which is the point of a peer.
//
// usage: phold_ns3 N [events=10000000] [seed=1] [scheduler=map]
//        scheduler: map | heap | list | calendar | priority

#include "bench_common.h"

#include <vector>

namespace
{

constexpr uint32_t kInitialPerNode = 16;
constexpr double kMeanNs = 1000.0;
constexpr int64_t kLookaheadNs = 100;

struct World; // forward: nodes reach shared state through one pointer, as a real model would.

struct PholdNode
{
    World* world;
    uint32_t id;
    uint64_t handled = 0;

    void Handle();
};

struct World
{
    bench::Rng rng;
    std::vector<PholdNode> nodes;
    uint64_t handled = 0;
    uint64_t target = 0;
};

void
PholdNode::Handle()
{
    ++handled;
    if (++world->handled == world->target)
    {
        // Stop() ends Run after this event, so exactly `target` events are handled.
        ns3::Simulator::Stop();
        return;
    }
    const uint32_t j = world->rng.Below(static_cast<uint32_t>(world->nodes.size()));
    const int64_t delay = kLookaheadNs + world->rng.ExpNs(kMeanNs);
    ns3::Simulator::Schedule(ns3::NanoSeconds(delay), &PholdNode::Handle, &world->nodes[j]);
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc < 2 || argc > 5)
    {
        std::fprintf(stderr, "usage: %s N [events=10000000] [seed=1] [scheduler=map]\n", argv[0]);
        return 2;
    }
    const uint64_t n = bench::ParseCount(argv[1], "N");
    const uint64_t events = argc > 2 ? bench::ParseCount(argv[2], "events") : 10'000'000;
    const uint64_t seed = argc > 3 ? bench::ParseCount(argv[3], "seed") : 1;
    const std::string scheduler = argc > 4 ? argv[4] : "map";
    if (n == 0 || n > UINT32_MAX || events == 0)
    {
        std::fprintf(stderr, "N must be in [1, 2^32) and events > 0\n");
        return 2;
    }
    if (!bench::SelectScheduler(scheduler))
    {
        std::fprintf(stderr, "unknown scheduler '%s'\n", scheduler.c_str());
        return 2;
    }

    World world{bench::Rng(seed), {}, 0, events};
    world.nodes.reserve(n);
    for (uint32_t i = 0; i < n; ++i)
    {
        world.nodes.push_back(PholdNode{&world, i});
    }
    for (auto& node : world.nodes)
    {
        for (uint32_t k = 0; k < kInitialPerNode; ++k)
        {
            ns3::Simulator::Schedule(ns3::NanoSeconds(world.rng.ExpNs(kMeanNs)),
                                     &PholdNode::Handle,
                                     &node);
        }
    }

    const double wall = bench::TimedRun();
    // Simulated end time doubles as a cheap determinism fingerprint for a given seed.
    const int64_t simEndNs = ns3::Simulator::Now().GetNanoSeconds();
    ns3::Simulator::Destroy();

    std::printf("{\"peer\":\"ns3\",\"workload\":\"phold\",\"scheduler\":\"%s\",\"nodes\":%llu,"
                "\"events\":%llu,\"seed\":%llu,\"sim_end_ns\":%lld,\"wall_s\":%.6f,"
                "\"events_per_s\":%.1f,\"maxrss_kb\":%ld}\n",
                scheduler.c_str(),
                static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(world.handled),
                static_cast<unsigned long long>(seed),
                static_cast<long long>(simEndNs),
                wall,
                wall > 0 ? world.handled / wall : 0.0,
                bench::PeakRssKb());
    return world.handled == events ? 0 : 1;
}
