// The network model: latency distributions, loss, partitions, bandwidth and queues.
#include <doctest/doctest.h>

#include <cmath>

#include "sim/network.h"
#include "sim/topology_builders.h"

using namespace meshsim;

namespace {

struct Moments {
  double mean, variance;
};

Moments sample(const LatencySpec& spec, int n = 200'000) {
  Rng rng(11);
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    double v = static_cast<double>(spec.draw(rng).ns);
    sum += v;
    sum_sq += v * v;
  }
  double mean = sum / n;
  return {mean, sum_sq / n - mean * mean};
}

LatencySpec latency(LatencySpec::Kind kind, double a, double b, double shape = 0) {
  LatencySpec s;
  s.kind = kind;
  s.a_ns = a;
  s.b_ns = b;
  s.shape = shape;
  return s;
}

Topology ring(uint32_t nodes) {
  TopologySpec spec;
  spec.nodes = nodes;
  spec.kind = "ring";
  return build_topology(spec, 1, "t", ".");
}

}  // namespace

TEST_CASE("latency distributions have the mean and variance they claim") {
  using K = LatencySpec::Kind;
  SUBCASE("constant") {
    Moments m = sample(latency(K::constant, 5e6, 0));
    CHECK(m.mean == 5e6);
    CHECK(m.variance == doctest::Approx(0).epsilon(1e-9));
  }
  SUBCASE("uniform [1ms, 10ms]") {
    Moments m = sample(latency(K::uniform, 1e6, 10e6));
    CHECK(m.mean == doctest::Approx(5.5e6).epsilon(0.01));
    CHECK(m.variance == doctest::Approx(9e6 * 9e6 / 12).epsilon(0.02));
  }
  SUBCASE("normal mean 20ms sd 2ms") {
    Moments m = sample(latency(K::normal, 20e6, 2e6));
    CHECK(m.mean == doctest::Approx(20e6).epsilon(0.005));
    CHECK(std::sqrt(m.variance) == doctest::Approx(2e6).epsilon(0.02));
  }
  SUBCASE("lognormal median 10ms sigma 0.5") {
    Moments m = sample(latency(K::lognormal, 10e6, 0, 0.5));
    double mu = std::log(10e6), s2 = 0.25;
    CHECK(m.mean == doctest::Approx(std::exp(mu + s2 / 2)).epsilon(0.01));
    CHECK(m.variance == doctest::Approx((std::exp(s2) - 1) * std::exp(2 * mu + s2)).epsilon(0.05));
  }
  SUBCASE("pareto scale 1ms shape 5") {
    Moments m = sample(latency(K::pareto, 1e6, 0, 5));
    CHECK(m.mean == doctest::Approx(1.25e6).epsilon(0.01));
    CHECK(m.variance == doctest::Approx(1e12 * 5 / (16.0 * 3)).epsilon(0.1));
  }
  SUBCASE("exponential 100ns + exp(1us), PHOLD's latency") {
    Moments m = sample(latency(K::exponential, 100, 1000));
    CHECK(m.mean == doctest::Approx(1100).epsilon(0.01));
    CHECK(m.variance == doctest::Approx(1e6).epsilon(0.03));
  }
}

TEST_CASE("loss drops the configured share of messages") {
  LinkSpec link;
  link.loss = 0.1;
  Topology t = ring(10);
  Network net(t, 1, link, {});
  int lost = 0;
  const int n = 100'000;
  for (int i = 0; i < n; ++i)
    if (net.route(0, 1, 100, {}, derive_stream(1, 2, 0, static_cast<uint64_t>(i))).dropped == DropReason::loss) ++lost;
  CHECK(lost / double(n) == doctest::Approx(0.1).epsilon(0.05));
}

TEST_CASE("partitions drop cross-group traffic until healed") {
  Topology t = ring(10);
  Network net(t, 1, LinkSpec{}, {});
  NodeSet left, right;
  left.add_range(0, 4);
  right.add_range(5, 9);
  SUBCASE("symmetric") {
    net.add_partition(0, {{"left", left}, {"right", right}}, false);
    CHECK(net.route(0, 1, 10, {}, 1).dropped == DropReason::none);
    CHECK(net.route(0, 7, 10, {}, 2).dropped == DropReason::partition);
    CHECK(net.route(7, 0, 10, {}, 3).dropped == DropReason::partition);
    net.remove_partition(0);
    CHECK(net.route(0, 7, 10, {}, 4).dropped == DropReason::none);
  }
  SUBCASE("one-way: only traffic leaving the first group is cut") {
    net.add_partition(0, {{"left", left}, {"right", right}}, true);
    CHECK(net.route(0, 7, 10, {}, 2).dropped == DropReason::partition);
    CHECK(net.route(7, 0, 10, {}, 3).dropped == DropReason::none);
  }
  SUBCASE("unnamed nodes form their own group") {
    net.add_partition(0, {{"left", left}}, false);
    CHECK(net.route(6, 9, 10, {}, 5).dropped == DropReason::none);
    CHECK(net.route(6, 1, 10, {}, 6).dropped == DropReason::partition);
  }
  SUBCASE("isolation cuts a node off both ways") {
    NodeSet lone;
    lone.add_range(3, 3);
    net.isolate(lone);
    CHECK(net.route(3, 4, 10, {}, 7).dropped == DropReason::partition);
    CHECK(net.route(4, 3, 10, {}, 8).dropped == DropReason::partition);
    CHECK(net.route(4, 5, 10, {}, 9).dropped == DropReason::none);
    net.end_isolation(lone);
    CHECK(net.route(3, 4, 10, {}, 10).dropped == DropReason::none);
  }
}

TEST_CASE("cuts compose: each partition and isolation is a layer only its own end removes") {
  Topology t = ring(10);
  Network net(t, 1, LinkSpec{}, {});
  NodeSet low, high, lone;
  low.add_range(0, 4);
  high.add_range(5, 9);
  lone.add_range(2, 2);
  auto cut = [&](NodeId a, NodeId b) { return !net.can_reach(a, b); };
  SUBCASE("two partitions: a message crosses only if neither cuts it") {
    NodeSet evens_low;
    evens_low.add_range(0, 1);
    net.add_partition(7, {{"low", low}}, false);
    net.add_partition(9, {{"pair", evens_low}}, false);
    CHECK(cut(0, 5));   // the first cuts it
    CHECK(cut(0, 3));   // the second cuts it
    CHECK(!cut(0, 1));  // neither
    net.remove_partition(9);
    CHECK(!cut(0, 3));
    CHECK(cut(0, 5));   // the first still holds
    net.remove_partition(7);
    CHECK(!net.partitioned());
  }
  SUBCASE("ending a partition leaves an isolation in force") {
    net.isolate(lone);
    net.add_partition(3, {{"low", low}}, false);
    net.remove_partition(3);
    CHECK(cut(2, 3));
    CHECK(net.partitioned());
    net.end_isolation(lone);
    CHECK(!cut(2, 3));
    CHECK(!net.partitioned());
  }
  SUBCASE("two isolations of a node: the node is cut off until both end") {
    net.isolate(lone);
    net.isolate(lone);
    net.end_isolation(lone);
    CHECK(cut(2, 3));
    CHECK(net.isolated(2));
    net.end_isolation(lone);
    CHECK(!cut(2, 3));
  }
  SUBCASE("an explicit heal ends every partition, not isolations") {
    net.add_partition(1, {{"low", low}}, false);
    net.add_partition(2, {{"high", high}}, true);
    net.isolate(lone);
    net.remove_all_partitions();
    CHECK(!cut(0, 5));
    CHECK(cut(2, 1));
  }
}

TEST_CASE("bandwidth serializes messages through a bounded FIFO") {
  LinkSpec link;
  link.latency.a_ns = 1e6;          // 1 ms propagation
  link.bandwidth_bps = 8e6;         // 1000 bytes take 1 ms to serialize
  link.queue_bytes = 2500;
  Topology t = ring(4);
  Network net(t, 1, link, {});
  MessageFate a = net.route(0, 1, 1000, {}, 1), b = net.route(0, 1, 1000, {}, 2);
  CHECK(a.delay[0].ns == 2'000'000);  // 1 ms on the wire + 1 ms propagation
  CHECK(b.delay[0].ns == 3'000'000);  // waited behind a
  // 2000 bytes queued; 1000 more would exceed 2500: tail drop.
  CHECK(net.route(0, 1, 1000, {}, 3).dropped == DropReason::queue_full);
  // Another link's FIFO is independent.
  CHECK(net.route(1, 2, 1000, {}, 4).delay[0].ns == 2'000'000);
  // Once the queue drains, messages flow again.
  CHECK(net.route(0, 1, 1000, SimTime{10'000'000}, 5).delay[0].ns == 2'000'000);
}

TEST_CASE("duplication and per-link latency") {
  LinkSpec link;
  link.duplicate = 0.5;
  link.latency = latency(LatencySpec::Kind::uniform, 1e6, 10e6);
  link.latency.per_link = true;
  Topology t = ring(10);
  Network net(t, 1, link, {});
  int dups = 0;
  for (uint64_t i = 0; i < 10'000; ++i) dups += net.route(2, 3, 10, {}, i).copies == 2;
  CHECK(dups / 10'000.0 == doctest::Approx(0.5).epsilon(0.05));
  // Per-link latency: the same pair always gets the same draw, in both directions.
  link.duplicate = 0;
  Network net2(t, 1, link, {});
  Duration first = net2.route(2, 3, 10, {}, 1).delay[0];
  CHECK(net2.route(2, 3, 10, {}, 2).delay[0] == first);
  CHECK(net2.route(3, 2, 10, {}, 3).delay[0] == first);
  CHECK(net2.route(4, 5, 10, {}, 4).delay[0] != first);
}
