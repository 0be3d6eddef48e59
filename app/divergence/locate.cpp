#include "app/divergence/locate.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace meshsim::divergence {

namespace {

const EventRecord* find(const std::vector<EventRecord>& records, uint64_t index) {
  // Records are consecutive from their first index.
  if (records.empty() || index < records.front().index) return nullptr;
  const uint64_t at = index - records.front().index;
  return at < records.size() ? &records[at] : nullptr;
}

// The records numbered index - context .. index (those that exist).
std::vector<EventRecord> around(const std::vector<EventRecord>& records, uint64_t index, unsigned context) {
  std::vector<EventRecord> out;
  for (const EventRecord& r : records)
    if (r.index <= index && r.index + context >= index) out.push_back(r);
  return out;
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Exact simulated time: two runs may part by a nanosecond.
std::string seconds(int64_t ns) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%lld.%09llds", ns < 0 ? "-" : "", static_cast<long long>((ns < 0 ? -ns : ns) / 1'000'000'000),
                static_cast<long long>((ns < 0 ? -ns : ns) % 1'000'000'000));
  return buf;
}

std::string grouped(uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

Divergence locate_divergence(RunSide& a, RunSide& b, uint64_t every, unsigned context) {
  Divergence d;
  d.a = a.checkpoints(every);
  d.b = b.checkpoints(every);
  if (d.a.events == d.b.events && d.a.fingerprint == d.b.fingerprint && d.a.hashes == d.b.hashes) return d;

  // The first block whose checkpoint differs holds the first differing event; when every
  // common checkpoint agrees, the difference lies after the last of them, within one block
  // of the shorter run's end.
  const size_t common = std::min(d.a.hashes.size(), d.b.hashes.size());
  size_t block = 0;
  while (block < common && d.a.hashes[block] == d.b.hashes[block]) ++block;
  const uint64_t agreed = block * every;
  const uint64_t last = block < common ? (block + 1) * every : std::min(d.a.events, d.b.events) + 1;
  const uint64_t first = agreed + 1 > context ? agreed + 1 - context : 1;
  const std::vector<EventRecord> ea = a.events(first, last), eb = b.events(first, last);

  d.outcome = Outcome::not_reproduced;
  for (uint64_t i = agreed + 1; i <= last; ++i) {
    const EventRecord* ra = find(ea, i);
    const EventRecord* rb = find(eb, i);
    if (ra && rb && ra->hash == rb->hash) continue;
    if (ra && rb) d.outcome = Outcome::differ;
    else if (rb) d.outcome = Outcome::a_ended;
    else if (ra) d.outcome = Outcome::b_ended;
    else break;  // neither side has event i: the replays ended where the first pass did not
    d.index = i;
    d.a_events = around(ea, i, context);
    d.b_events = around(eb, i, context);
    break;
  }
  return d;
}

std::string format_event(const EventRecord& r) {
  std::ostringstream s;
  s << "#" << r.index << "  " << seconds(r.time_ns) << "  ";
  if (r.kind == "fault") {
    s << "fault action " << r.node;
  } else {
    s << "node " << r.node << "  " << r.module << "  " << r.kind;
    if (!r.type.empty() && r.kind != "timer") s << " " << r.type;
    if (r.kind == "timer") s << " " << r.type.substr(r.type.find(' ') + 1);
    if (r.from >= 0) s << " from " << r.from;
  }
  if (!r.detail.empty()) s << (r.kind == "message" ? ": " : "  (") << r.detail << (r.kind == "message" ? "" : ")");
  return s.str();
}

std::string format_divergence(const Divergence& d, const std::string& a_label, const std::string& b_label) {
  std::ostringstream s;
  auto side = [&](const char* name, const std::string& label, const Checkpoints& c, const std::vector<EventRecord>& events) {
    s << "  " << name << "  " << label << "\n     " << grouped(c.events) << " fingerprinted events, fingerprint " << hex64(c.fingerprint)
      << "\n";
    for (const EventRecord& r : events) s << (r.index == d.index ? "   > " : "     ") << format_event(r) << "\n";
    if (d.index > 0 && (events.empty() || events.back().index != d.index))
      s << "   > #" << d.index << "  (none: the run ended)\n";
  };
  switch (d.outcome) {
    case Outcome::identical:
      s << "identical: both runs process the same " << grouped(d.a.events) << " events, fingerprint " << hex64(d.a.fingerprint)
        << "\n";
      return s.str();
    case Outcome::differ:
      s << "the runs part at event #" << grouped(d.index) << ": the first " << grouped(d.index - 1)
        << " events agree (time, node, kind, module, message type)\n";
      break;
    case Outcome::a_ended:
    case Outcome::b_ended:
      s << "run " << (d.outcome == Outcome::a_ended ? "A" : "B") << " is a prefix of run "
        << (d.outcome == Outcome::a_ended ? "B" : "A") << ": it ends after " << grouped(d.index - 1)
        << " events, all of them the other run's first events too\n";
      break;
    case Outcome::not_reproduced:
      s << "the fingerprints differ, but replaying did not reproduce the difference: one of the runs is not deterministic "
           "(a bug: docs/determinism.md), or its build changed in between\n";
      break;
  }
  s << "(an event is what the fingerprint counts: a module start, a message handled, a timer fired, a fault action)\n\n";
  side("A", a_label, d.a, d.a_events);
  s << "\n";
  side("B", b_label, d.b, d.b_events);
  return s.str();
}

}  // namespace meshsim::divergence
