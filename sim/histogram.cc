#include "sim/histogram.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>

namespace deliverysim::sim {

namespace {
constexpr int kSubBucketBits = 11;                         // 2048 exact values before sharing
constexpr std::int64_t kHalf = 1 << (kSubBucketBits - 1);  // 1024 buckets per doubling
}  // namespace

std::size_t Histogram::BucketOf(std::int64_t value) {
  const auto v = static_cast<std::uint64_t>(value);
  const int shift = std::max(0, static_cast<int>(std::bit_width(v)) - kSubBucketBits);
  return static_cast<std::size_t>(shift * kHalf + static_cast<std::int64_t>(v >> shift));
}

std::int64_t Histogram::LowestValueOf(std::size_t bucket) {
  const auto b = static_cast<std::int64_t>(bucket);
  if (b < 2 * kHalf) return b;
  const std::int64_t shift = b / kHalf - 1;
  return (b - shift * kHalf) << shift;
}

std::int64_t Histogram::BucketFloor(std::int64_t value) { return LowestValueOf(BucketOf(value)); }

void Histogram::Record(std::int64_t value) {
  assert(value >= 0);
  const std::size_t bucket = BucketOf(value);
  if (bucket >= counts_.size()) counts_.resize(bucket + 1, 0);
  ++counts_[bucket];
  if (count_ == 0 || value < min_) min_ = value;
  if (count_ == 0 || value > max_) max_ = value;
  ++count_;
  sum_ += value;
}

double Histogram::Mean() const {
  return count_ ? static_cast<double>(sum_ / static_cast<long double>(count_)) : 0.0;
}

std::int64_t Histogram::Quantile(double q) const {
  assert(q >= 0 && q <= 1);
  if (count_ == 0) return 0;
  // q * count can land a hair above a whole number (0.07 * 100 = 7.000000000000001); such a
  // product means that whole number, not the next rank.
  const double product = q * static_cast<double>(count_);
  const double nearest = std::nearbyint(product);
  const double exact =
      std::fabs(product - nearest) <= 1e-9 * std::max(1.0, product) ? nearest : std::ceil(product);
  auto rank = static_cast<std::uint64_t>(exact);
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
    seen += counts_[bucket];
    if (seen >= rank) return std::clamp(LowestValueOf(bucket), min_, max_);
  }
  return max_;
}

}  // namespace deliverysim::sim
