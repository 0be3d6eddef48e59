#include "app/readable.h"

#include <cmath>
#include <cstdio>

namespace meshsim::cli {

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}


std::string readable_count(double v) {
  char buf[32];
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.2f G", v / 1e9);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.2f M", v / 1e6);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1f k", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string readable_seconds(double s) {
  char buf[48];
  if (s < 10) std::snprintf(buf, sizeof buf, "%.2f s", s);
  else if (s < 120) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 7200) std::snprintf(buf, sizeof buf, "%.0f min %.0f s", std::floor(s / 60), std::fmod(s, 60));
  else std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  return buf;
}

std::string readable_metric(const std::string& name, double value) {
  // Units go last in names (latency_ns_p99, delivery_delay_ns_max): a "_ns" at the end or
  // followed by a statistic marks a duration. "_count" of a duration histogram is a count.
  bool duration = false;
  size_t at = name.rfind("_ns");
  if (at != std::string::npos && at + 3 <= name.size()) {
    std::string rest = name.substr(at + 3);
    duration = rest.empty() || (rest[0] == '_' && rest != "_count");
  }
  if (duration && std::isfinite(value) && std::fabs(value) < 9.2e18)
    return format_readable(Duration{static_cast<int64_t>(std::llround(value))});
  // NaN is how a metric says its value is unknown (linearizable after a search out of budget).
  if (std::isnan(value)) return "unknown";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

}  // namespace meshsim::cli
