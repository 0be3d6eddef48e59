// Flood on ns-3's bare event core: the ns-3 peer of meshsim's `flood` benchmark.
//
// N nodes; each picks d = 8 distinct random other nodes, every pick an undirected link
// (duplicate pairs merged), each link's latency drawn once uniformly in [1 ms, 10 ms].
// R = 10 rumors; rumor r starts at node (r * 7919) mod N at t = r s. On the first receipt of
// a rumor a node forwards it to every neighbour except the sender; later copies are counted
// as duplicates and dropped. Sanity: deliveries == R * (sum of degrees - (N - 1)) whenever
// every rumor reached every node, because the origin sends deg(o) copies and every other node
// deg(v) - 1.
//
// The graph is stored as CSR (offsets + neighbour + latency arrays) so N = 1,000,000 fits in
// a few hundred MB; the events themselves are ns-3's own, which is what is being measured.
//
// usage: flood_ns3 N [seed=1] [scheduler=map]
//        scheduler: map | heap | list | calendar | priority

#include "bench_common.h"

#include <algorithm>
#include <vector>

namespace
{

constexpr uint32_t kPicks = 8;
constexpr uint32_t kRumors = 10;
constexpr uint32_t kRumorStride = 7919;
constexpr uint32_t kMinLatencyNs = 1'000'000;
constexpr uint32_t kLatencySpanNs = 9'000'000;
constexpr uint32_t kNoSender = UINT32_MAX;
static_assert(kRumors <= 16, "seen bits are a uint16_t per node");

struct Graph
{
    std::vector<uint32_t> offset;    // N + 1 entries
    std::vector<uint32_t> neighbour; // sum of degrees entries
    std::vector<uint32_t> latencyNs; // parallel to neighbour; both directions share a draw
};

struct World
{
    Graph g;
    std::vector<uint16_t> seen; // bit r set once the node has rumor r
    uint64_t deliveries = 0;
    uint64_t duplicates = 0;
};

World* world = nullptr; // the handlers are plain functions; one world per process

Graph
BuildGraph(uint32_t n, bench::Rng& rng)
{
    // Each pick becomes an undirected pair (lo, hi) packed in 64 bits; sorting merges the
    // pairs picked from both ends and fixes an order for the latency draws.
    std::vector<uint64_t> pairs;
    pairs.reserve(static_cast<size_t>(n) * kPicks);
    for (uint32_t i = 0; i < n; ++i)
    {
        uint32_t picked[kPicks];
        for (uint32_t k = 0; k < kPicks; ++k)
        {
            uint32_t j;
            do
            {
                j = rng.Below(n);
            } while (j == i || std::find(picked, picked + k, j) != picked + k);
            picked[k] = j;
            const uint64_t lo = std::min(i, j), hi = std::max(i, j);
            pairs.push_back(lo << 32 | hi);
        }
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());

    Graph g;
    g.offset.assign(static_cast<size_t>(n) + 1, 0);
    for (uint64_t p : pairs)
    {
        ++g.offset[(p >> 32) + 1];
        ++g.offset[(p & 0xffffffffu) + 1];
    }
    for (uint32_t i = 0; i < n; ++i)
    {
        g.offset[i + 1] += g.offset[i];
    }
    g.neighbour.resize(g.offset[n]);
    g.latencyNs.resize(g.offset[n]);
    std::vector<uint32_t> fill(g.offset.begin(), g.offset.end() - 1);
    for (uint64_t p : pairs)
    {
        const auto a = static_cast<uint32_t>(p >> 32);
        const auto b = static_cast<uint32_t>(p & 0xffffffffu);
        const auto lat = kMinLatencyNs + static_cast<uint32_t>(rng.Uniform() * kLatencySpanNs);
        g.neighbour[fill[a]] = b;
        g.latencyNs[fill[a]++] = lat;
        g.neighbour[fill[b]] = a;
        g.latencyNs[fill[b]++] = lat;
    }
    return g;
}

void Deliver(uint32_t to, uint32_t from, uint32_t rumor);

void
Forward(uint32_t node, uint32_t except, uint32_t rumor)
{
    const Graph& g = world->g;
    for (uint32_t e = g.offset[node]; e < g.offset[node + 1]; ++e)
    {
        const uint32_t to = g.neighbour[e];
        if (to != except)
        {
            ns3::Simulator::Schedule(ns3::NanoSeconds(g.latencyNs[e]), &Deliver, to, node, rumor);
        }
    }
}

void
Deliver(uint32_t to, uint32_t from, uint32_t rumor)
{
    ++world->deliveries;
    const auto bit = static_cast<uint16_t>(1u << rumor);
    if (world->seen[to] & bit)
    {
        ++world->duplicates;
        return;
    }
    world->seen[to] |= bit;
    Forward(to, from, rumor);
}

void
Start(uint32_t origin, uint32_t rumor)
{
    world->seen[origin] |= static_cast<uint16_t>(1u << rumor);
    Forward(origin, kNoSender, rumor);
}

} // namespace

int
main(int argc, char** argv)
{
    if (argc < 2 || argc > 4)
    {
        std::fprintf(stderr, "usage: %s N [seed=1] [scheduler=map]\n", argv[0]);
        return 2;
    }
    const uint64_t n = bench::ParseCount(argv[1], "N");
    const uint64_t seed = argc > 2 ? bench::ParseCount(argv[2], "seed") : 1;
    const std::string scheduler = argc > 3 ? argv[3] : "map";
    // Needs kPicks distinct others per node; 32-bit CSR offsets cap N well above 10^8.
    if (n <= kPicks || n > 100'000'000)
    {
        std::fprintf(stderr, "N must be in [%u, 1e8]\n", kPicks + 1);
        return 2;
    }
    if (!bench::SelectScheduler(scheduler))
    {
        std::fprintf(stderr, "unknown scheduler '%s'\n", scheduler.c_str());
        return 2;
    }

    bench::Rng rng(seed);
    World w;
    w.g = BuildGraph(static_cast<uint32_t>(n), rng);
    w.seen.assign(n, 0);
    world = &w;

    for (uint32_t r = 0; r < kRumors; ++r)
    {
        const auto origin = static_cast<uint32_t>((static_cast<uint64_t>(r) * kRumorStride) % n);
        ns3::Simulator::Schedule(ns3::Seconds(r), &Start, origin, r);
    }

    const double wall = bench::TimedRun();
    const int64_t simEndNs = ns3::Simulator::Now().GetNanoSeconds();
    ns3::Simulator::Destroy();

    const uint64_t sumDegrees = w.g.offset[n];
    const uint64_t expected = kRumors * (sumDegrees - (n - 1));
    const uint16_t all = static_cast<uint16_t>((1u << kRumors) - 1);
    const bool allInformed =
        std::all_of(w.seen.begin(), w.seen.end(), [all](uint16_t s) { return s == all; });
    const bool sane = allInformed && w.deliveries == expected;

    std::printf("{\"peer\":\"ns3\",\"workload\":\"flood\",\"scheduler\":\"%s\",\"nodes\":%llu,"
                "\"links\":%llu,\"sum_degrees\":%llu,\"rumors\":%u,\"seed\":%llu,"
                "\"events\":%llu,\"deliveries\":%llu,\"duplicates\":%llu,"
                "\"expected_deliveries\":%llu,\"all_informed\":%s,\"sane\":%s,"
                "\"sim_end_ns\":%lld,\"wall_s\":%.6f,\"deliveries_per_s\":%.1f,"
                "\"maxrss_kb\":%ld}\n",
                scheduler.c_str(),
                static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(sumDegrees / 2),
                static_cast<unsigned long long>(sumDegrees),
                kRumors,
                static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(w.deliveries + kRumors),
                static_cast<unsigned long long>(w.deliveries),
                static_cast<unsigned long long>(w.duplicates),
                static_cast<unsigned long long>(expected),
                allInformed ? "true" : "false",
                sane ? "true" : "false",
                static_cast<long long>(simEndNs),
                wall,
                wall > 0 ? w.deliveries / wall : 0.0,
                bench::PeakRssKb());
    return sane ? 0 : 1;
}
