// Shared bits of the ns-3 peer benchmarks (see docs/benchmarks.md and tests/bench/README.md).
//
// The RNG is a small xoshiro256** instead of ns-3's MRG32k3a streams on purpose: the
// benchmark measures ns-3's event machinery, so the peer should not pay for a slow RNG that
// meshsim does not pay for. Being generous to the peer keeps the ratio honest.
#pragma once

#include "ns3/object-factory.h"
#include "ns3/simulator.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/resource.h>

namespace bench
{

class Rng
{
  public:
    explicit Rng(uint64_t seed)
    {
        // splitmix64 spreads a small seed over the whole state (xoshiro must not start at 0).
        for (auto& w : s_)
        {
            seed += 0x9e3779b97f4a7c15ULL;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            w = z ^ (z >> 31);
        }
    }

    uint64_t Next()
    {
        const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = Rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, 1) with 53 random bits.
    double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

    // Uniform integer in [0, n): Lemire's multiply-shift; the bias (< n / 2^64) is irrelevant.
    uint32_t Below(uint32_t n)
    {
        return static_cast<uint32_t>((static_cast<__uint128_t>(Next()) * n) >> 64);
    }

    // Exponential with the given mean, rounded to whole nanoseconds (ns-3's default resolution).
    int64_t ExpNs(double meanNs) { return std::llround(-meanNs * std::log1p(-Uniform())); }

  private:
    static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    uint64_t s_[4];
};

// Short names on the command line, ns-3 TypeIds underneath. Returns false for an unknown name.
inline bool
SelectScheduler(const std::string& name)
{
    const char* type = nullptr;
    if (name == "map")
        type = "ns3::MapScheduler";
    else if (name == "heap")
        type = "ns3::HeapScheduler";
    else if (name == "list")
        type = "ns3::ListScheduler";
    else if (name == "calendar")
        type = "ns3::CalendarScheduler";
    else if (name == "priority")
        type = "ns3::PriorityQueueScheduler";
    if (type == nullptr)
        return false;
    ns3::ObjectFactory factory;
    factory.SetTypeId(type);
    ns3::Simulator::SetScheduler(factory);
    return true;
}

// Wall seconds spent inside Simulator::Run only; setup and teardown are not the engine's speed.
inline double
TimedRun()
{
    const auto t0 = std::chrono::steady_clock::now();
    ns3::Simulator::Run();
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double>(t1 - t0).count();
}

// Peak RSS as the kernel saw it; /usr/bin/time -v reports the same figure from outside.
inline long
PeakRssKb()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

inline uint64_t
ParseCount(const char* s, const char* what)
{
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s, &end, 10);
    if (end == s || *end != '\0')
    {
        std::fprintf(stderr, "bad %s: %s\n", what, s);
        std::exit(2);
    }
    return v;
}

} // namespace bench
