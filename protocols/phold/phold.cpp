#include "protocols/phold/phold.h"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <cmath>

#include "sim/scenario/config_section.h"

namespace meshsim::phold {

void Node::start(const Params& p, const NodeView& v, Outbox<Message>& out) {
  boost::random::exponential_distribution<double> initial(1.0 / static_cast<double>(p.initial_mean.ns));
  for (TimerId i = 0; i < p.initial_events; ++i)
    // Clamped: the exponential's tail passes the int64 range for a mean near kMaxDuration,
    // and llround of that is unspecified (a negative delay).
    out.set_timer(i, Duration{static_cast<int64_t>(std::llround(std::min(initial(*v.rng), static_cast<double>(kMaxDuration.ns))))});
}

void Node::forward(const NodeView& v, Outbox<Message>& out) {
  out.send(static_cast<NodeId>(v.rng->below(v.node_count)), Token{});
}

void Node::on_message(const Params&, const NodeView& v, NodeId, const Message&, Outbox<Message>& out) {
  forward(v, out);
}

void Node::on_timer(const Params&, const NodeView& v, TimerId, Outbox<Message>& out) { forward(v, out); }

void register_phold(ModuleRegistry& registry) {
  registry.add("phold", "PHOLD synthetic benchmark (Fujimoto 1990): constant event population",
               [](ConfigSection& s) -> std::unique_ptr<Module> {
                 Params p;
                 p.initial_events = static_cast<uint16_t>(s.get_int("initial_events", 16, 1, kMaxInitialEvents));
                 p.initial_mean = s.get_duration("initial_mean", Duration::micros(1));
                 s.finish();
                 return std::make_unique<PholdModule>(p);
               });
}

}  // namespace meshsim::phold
