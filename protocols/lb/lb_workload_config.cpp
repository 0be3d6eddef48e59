// [protocol] keys of the lb workload beyond Poisson arrivals and FIFO service: `arrivals`
// (and its burst, batch and trace keys), `service`, `node_speed`. README.md documents them.
#include "protocols/lb/lb_module.h"
#include "protocols/lb/speed_dist.h"
#include "protocols/lb/trace_file.h"
#include "sim/scenario/config_section.h"

namespace meshsim::lb {

void parse_workload(ConfigSection& s, Params& p) {
  const std::string arrivals = s.get_enum("arrivals", "poisson", {"poisson", "on-off", "batch", "trace"});
  p.arrivals = arrivals == "on-off"  ? ArrivalKind::on_off
               : arrivals == "batch" ? ArrivalKind::batch
               : arrivals == "trace" ? ArrivalKind::trace
                                     : ArrivalKind::poisson;
  if (p.arrivals != ArrivalKind::on_off) s.reject_unused({"burst_on", "burst_off"}, "unless arrivals = \"on-off\"");
  if (p.arrivals != ArrivalKind::batch) s.reject_unused({"batch_size", "batch_interval"}, "unless arrivals = \"batch\"");
  if (p.arrivals != ArrivalKind::trace) s.reject_unused({"trace_file"}, "unless arrivals = \"trace\"");
  if (p.arrivals == ArrivalKind::batch) s.reject_unused({"arrival_rate"}, "with arrivals = \"batch\" (batch_size / batch_interval is the rate)");
  if (p.arrivals == ArrivalKind::trace)
    s.reject_unused({"arrival_rate", "task_size", "task_size_mean", "pareto_shape", "capability_share", "required_capability"},
                    "with arrivals = \"trace\" (the trace gives every task's time, size and capabilities)");
  p.burst_on = s.get_duration("burst_on", Duration::seconds(1));
  p.burst_off = s.get_duration("burst_off", Duration::seconds(4));
  p.batch_size = static_cast<uint32_t>(s.get_int("batch_size", 10, 1, 1'000'000));
  p.batch_interval = s.get_duration("batch_interval", Duration::seconds(1));
  if (p.arrivals == ArrivalKind::trace) {
    if (!s.has("trace_file")) s.fail("trace_file", "is required with arrivals = \"trace\" (a CSV of time,node,size[,key][,capabilities])");
    const std::string file = s.get_string("trace_file", "");
    if (file.empty()) s.fail("trace_file", "is empty");
    p.trace_file = resolve_trace_path(s.file(), file);
    p.trace_where = s.error_text("trace_file", "");
    p.trace = read_trace(p.trace_file, p.trace_where);
  }
  const std::string service = s.get_enum("service", "fifo", {"fifo", "processor-sharing"});
  p.discipline = service == "processor-sharing" ? Discipline::processor_sharing : Discipline::fifo;
  p.node_speed = parse_speed_distribution(s);
}

}  // namespace meshsim::lb
