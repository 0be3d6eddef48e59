#include "sim/fault_schedule.h"

namespace meshsim {

const char* to_string(FaultKind k) {
  switch (k) {
    case FaultKind::crash: return "crash";
    case FaultKind::recover: return "recover";
    case FaultKind::pause: return "pause";
    case FaultKind::resume: return "resume";
    case FaultKind::partition: return "partition";
    case FaultKind::heal: return "heal";
    case FaultKind::isolate: return "isolate";
    case FaultKind::degrade: return "degrade";
    case FaultKind::drift: return "drift";
    case FaultKind::byzantine: return "byzantine";
    case FaultKind::honest: return "honest";
    case FaultKind::action: return "action";
    case FaultKind::join: return "join";
    case FaultKind::leave: return "leave";
    case FaultKind::slow_disk: return "slow-disk";
    case FaultKind::disk_stall: return "disk-stall";
  }
  return "?";
}

}  // namespace meshsim
