#include "viz/run_watch.h"

#include "sim/simulation.h"

namespace meshsim::viz {

void RunWatch::on_send(const MessageRecord& m) {
  auto key = std::make_pair(m.module, m.type);
  if (!names_.count(key)) names_[key] = sim_.modules()[m.module]->message_type_name(m.type);  // "RequestVote"
  if (m.from == watched) seen = true;
}

void RunWatch::on_deliver(const MessageRecord& m) {
  if (m.to == watched) seen = true;
}

void RunWatch::on_drop(const MessageRecord& m, DropReason reason) {
  ++drops_total_;
  if (dead_.size() == kMaxDead) dead_.pop_front();
  dead_.push_back({m, sim_.now().ns, reason});
}

void RunWatch::on_fault(int64_t t, uint32_t index, const FaultSpec& f, bool ended) {
  faults_.push_back({t, index, f.kind, ended, describe_fault(f, ended)});
}

const std::string& RunWatch::type_name(ModuleId module, uint8_t type) {
  auto key = std::make_pair(module, type);
  auto it = names_.find(key);
  if (it == names_.end()) it = names_.emplace(key, sim_.modules()[module]->message_type_name(type)).first;
  return it->second;
}

std::string describe_fault(const FaultSpec& f, bool ended) {
  std::string out = ended ? std::string("end of ") + to_string(f.kind) : std::string(to_string(f.kind));
  if (!f.groups.empty()) {
    out += " ";
    for (size_t i = 0; i < f.groups.size(); ++i) out += (i ? " | " : "") + f.groups[i].first;
  } else if (!f.nodes.empty()) {
    out += " " + f.nodes.to_string();
  } else if (!f.target.empty()) {
    out += " " + f.target;
  }
  if (f.kind == FaultKind::byzantine) out += " " + f.byzantine.behavior;
  return out;
}

}  // namespace meshsim::viz
