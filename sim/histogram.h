// A log-linear histogram of non-negative integers (durations in nanoseconds, lags in messages)
// in fixed memory, however many values it records.
//
// Values below 2048 have a bucket each, so they are exact; a larger value shares its bucket
// with the values that agree with it in their top 11 bits, so a quantile is exact to within
// 1/1024 of itself (three significant digits). Count, sum, min and max are exact.
//
//   Histogram latencies;
//   latencies.Record(1'250'000);
//   std::int64_t p99 = latencies.Quantile(0.99);
#pragma once

#include <cstdint>
#include <vector>

namespace deliverysim::sim {

class Histogram {
 public:
  // REQUIRES: value >= 0.
  void Record(std::int64_t value);

  std::uint64_t count() const { return count_; }
  std::int64_t min() const { return count_ ? min_ : 0; }
  std::int64_t max() const { return count_ ? max_ : 0; }
  double Mean() const;

  // The nearest-rank quantile: the ceil(q * count)-th smallest value, rounded down to its
  // bucket's lowest value and clamped to [min, max]. 0 when empty. REQUIRES: 0 <= q <= 1.
  std::int64_t Quantile(double q) const;

  // The lowest value that shares `value`'s bucket.
  static std::int64_t BucketFloor(std::int64_t value);

 private:
  static std::size_t BucketOf(std::int64_t value);
  static std::int64_t LowestValueOf(std::size_t bucket);

  std::vector<std::uint64_t> counts_;  // grows to the highest bucket used
  std::uint64_t count_ = 0;
  long double sum_ = 0;  // exact for sums below 2^64
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace deliverysim::sim
