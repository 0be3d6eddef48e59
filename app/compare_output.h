// What `meshsim compare` prints and writes: a table per comparison with one-line verdicts
// (terminal), one JSON object (--json, and the report's input), and CSV (--csv FILE).
#pragma once
#include <string>

#include "app/compare_analysis.h"

namespace meshsim::cli {

std::string compare_table(const CompareResult& result, const std::string& seeds);
// Everything: variants (sources, sweeps, runs), per-seed values, comparisons, time-series
// bands and the fault schedule. results/report/compare_report.py draws from it.
std::string compare_json(const CompareResult& result, const std::string& seeds);
// One row per (variant, metric), the baseline's rows included with empty differences.
std::string compare_csv(const CompareResult& result);

}  // namespace meshsim::cli
