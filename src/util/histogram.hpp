#pragma once
// A histogram with fixed bucket bounds (Prometheus style: cumulative
// counts per upper bound, plus sum and count).
#include <cstdint>
#include <vector>

namespace fmc {

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)), counts_(bounds_.size(), 0) {}
  void observe(double v) {
    for (std::size_t i = 0; i < bounds_.size(); ++i)
      if (v <= bounds_[i]) ++counts_[i];
    sum_ += v;
    ++count_;
  }
  const std::vector<double>& bounds() const { return bounds_; }
  // Observations <= bounds()[i].
  std::uint64_t cumulative(std::size_t i) const { return counts_[i]; }
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace fmc
