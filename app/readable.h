// Numbers as a person reads them in a summary: "1.25 M", "4.63 s". Machine outputs
// (--json, CSV, SQLite) keep exact values.
#pragma once
#include <cstdint>
#include <string>

#include "sim/time.h"

namespace meshsim::cli {

// "950", "12.5 k", "3.10 M", "1.20 G".
// A fingerprint (or any 64-bit value) as 16 hex digits, as every output prints it.
std::string hex64(uint64_t v);
std::string readable_count(double v);
// Wall-clock seconds: "0.42 s", "12 s", "3 min 5 s".
std::string readable_seconds(double s);
// A metric value: durations (names ending in _ns or with _ns_ before a statistic) in time
// units, everything else in six significant digits.
std::string readable_metric(const std::string& name, double value);

}  // namespace meshsim::cli
