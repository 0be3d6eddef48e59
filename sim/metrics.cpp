#include "sim/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace meshsim {

double Histogram::percentile(double p) const {
  if (values_.empty()) return 0;
  if (!sorted_) {
    std::sort(values_.begin(), values_.end());
    sorted_ = true;
  }
  // Nearest-rank definition: the smallest value with at least p% of samples at or below it.
  double rank = std::ceil(p / 100.0 * static_cast<double>(values_.size()));
  size_t index = rank <= 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values_[std::min(index, values_.size() - 1)];
}

double Histogram::mean() const {
  if (values_.empty()) return 0;
  return std::accumulate(values_.begin(), values_.end(), 0.0) / static_cast<double>(values_.size());
}

double Histogram::max() const {
  return values_.empty() ? 0 : *std::max_element(values_.begin(), values_.end());
}

double Histogram::min() const {
  return values_.empty() ? 0 : *std::min_element(values_.begin(), values_.end());
}

void Metrics::summarize_histograms() {
  for (const auto& [name, h] : histograms_) {
    scalars_[name + "_count"] = static_cast<double>(h.count());
    if (h.count() == 0) continue;
    scalars_[name + "_mean"] = h.mean();
    scalars_[name + "_p50"] = h.percentile(50);
    scalars_[name + "_p99"] = h.percentile(99);
    scalars_[name + "_max"] = h.max();
  }
}

uint32_t Metrics::node_series_id(const std::string& name) {
  auto [it, added] = node_series_index_.try_emplace(name, static_cast<uint32_t>(node_series_names_.size()));
  if (added) node_series_names_.push_back(name);
  return it->second;
}

}  // namespace meshsim
