// Specification of the log-linear histogram: exact small values, 1024 buckets per doubling
// above them, nearest-rank quantiles, and exact count, sum, min and max.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>

#include "sim/histogram.h"

namespace deliverysim::sim {
namespace {

constexpr std::int64_t kMaxValue = std::numeric_limits<std::int64_t>::max();

TEST(SimHistogram, EmptyHistogramReportsZeroEverywhere) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.Mean(), 0.0);
  EXPECT_EQ(h.Quantile(0), 0);
  EXPECT_EQ(h.Quantile(0.5), 0);
  EXPECT_EQ(h.Quantile(1), 0);
}

TEST(SimHistogram, CountMinAndMaxAreExact) {
  Histogram h;
  for (std::int64_t v : {123'456'789, 5, 1'000'000'007, 77}) h.Record(v);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.min(), 5);
  EXPECT_EQ(h.max(), 1'000'000'007);
}

// --- Buckets ------------------------------------------------------------------------------

TEST(SimHistogram, ValuesBelow2048HaveABucketEach) {
  for (std::int64_t v = 0; v < 2048; ++v) ASSERT_EQ(Histogram::BucketFloor(v), v);
}

TEST(SimHistogram, BucketFloorKeepsTheTop11BitsOfLargerValues) {
  // 2048..4095 have 12 bits: one low bit is dropped, so buckets are 2 wide.
  EXPECT_EQ(Histogram::BucketFloor(2048), 2048);
  EXPECT_EQ(Histogram::BucketFloor(2049), 2048);
  EXPECT_EQ(Histogram::BucketFloor(2050), 2050);
  EXPECT_EQ(Histogram::BucketFloor(4095), 4094);
  // 4096..8191 have 13 bits: two low bits are dropped, so buckets are 4 wide.
  EXPECT_EQ(Histogram::BucketFloor(4096), 4096);
  EXPECT_EQ(Histogram::BucketFloor(4097), 4096);
  EXPECT_EQ(Histogram::BucketFloor(4099), 4096);
  EXPECT_EQ(Histogram::BucketFloor(4100), 4100);
  EXPECT_EQ(Histogram::BucketFloor(5000), 5000);  // 5000 = 4 * 1250
  EXPECT_EQ(Histogram::BucketFloor(5003), 5000);
  // 2^19 <= 1'000'000 < 2^20: 20 bits, 9 dropped; 1'000'000 = 1953 * 512 + 64.
  EXPECT_EQ(Histogram::BucketFloor(1'000'000), 999'936);
  // 2^63 - 1 has 63 bits, 52 dropped: the floor is 2^63 - 2^52.
  EXPECT_EQ(Histogram::BucketFloor(kMaxValue), 9'218'868'437'227'405'312);
}

TEST(SimHistogram, EachDoublingAbove2048IsSplitInto1024EqualBuckets) {
  // [2^k, 2^(k+1)) for k >= 11 has buckets of width 2^(k-10) starting at 2^k.
  for (int k = 11; k < 63; ++k) {
    const std::int64_t start = std::int64_t{1} << k;
    const std::int64_t width = std::int64_t{1} << (k - 10);
    for (std::int64_t j = 0; j < 1024; ++j) {
      const std::int64_t floor = start + j * width;
      const std::int64_t last = floor + (width - 1);  // 2^63 - 1 for the very last bucket
      ASSERT_EQ(Histogram::BucketFloor(floor), floor) << "k " << k << ", bucket " << j;
      ASSERT_EQ(Histogram::BucketFloor(last), floor) << "k " << k << ", bucket " << j;
    }
  }
}

// --- Quantiles ----------------------------------------------------------------------------

TEST(SimHistogram, QuantileIsTheNearestRankOnOneToHundred) {
  Histogram h;
  for (std::int64_t v = 100; v >= 1; --v) h.Record(v);  // order must not matter

  EXPECT_EQ(h.Quantile(0.5), 50);
  EXPECT_EQ(h.Quantile(0.9), 90);
  EXPECT_EQ(h.Quantile(0.99), 99);
  EXPECT_EQ(h.Quantile(1.0), 100);
  EXPECT_EQ(h.Quantile(0.01), 1);
  EXPECT_EQ(h.Quantile(0.0), 1);     // rank 0 is taken as the first value
  EXPECT_EQ(h.Quantile(0.505), 51);  // ceil(50.5) = 51
}

TEST(SimHistogram, QuantilesOfValuesBelow2048AreExact) {
  // q = (k + 1) / 2048 is exact in binary, so the rank is exactly k + 1 and the value is k.
  Histogram h;
  for (std::int64_t v = 0; v < 2048; ++v) h.Record(v);
  for (std::int64_t k = 0; k < 2048; ++k) {
    ASSERT_EQ(h.Quantile(static_cast<double>(k + 1) / 2048), k) << "k " << k;
  }
}

TEST(SimHistogram, QuantileOfALargeValueIsWithinOne1024thBelowIt) {
  // Each histogram holds 0, v and the largest value, so the median is v's bucket and the
  // clamp to [min, max] cannot help. The bucket of a value with b bits is 2^(b-11) wide and
  // starts at or above 2^(b-1), so the floor is below v by less than v / 1024.
  std::mt19937_64 random(1024);
  for (int i = 0; i < 2000; ++i) {
    const int bits = 12 + static_cast<int>(random() % 51);  // 12..62
    const std::int64_t v =
        static_cast<std::int64_t>(random() >> (64 - bits)) | (std::int64_t{1} << (bits - 1));
    Histogram h;
    h.Record(0);
    h.Record(v);
    h.Record(kMaxValue);
    const std::int64_t q = h.Quantile(0.5);
    ASSERT_LE(q, v);
    ASSERT_LT((v - q) * 1024, v) << "v " << v << ", quantile " << q;
  }
}

TEST(SimHistogram, QuantileIsClampedToTheRecordedRange) {
  // 5001 and 5002 share the bucket that starts at 5000, which neither of them is.
  Histogram h;
  h.Record(5001);
  h.Record(5002);
  EXPECT_EQ(h.Quantile(0.5), 5001);
  EXPECT_EQ(h.Quantile(1.0), 5001);
  EXPECT_EQ(h.max(), 5002);
}

TEST(SimHistogram, TheLargestValueIsRecordedAndReported) {
  Histogram h;
  h.Record(kMaxValue);
  EXPECT_EQ(h.Quantile(0.5), kMaxValue);
  EXPECT_EQ(h.max(), kMaxValue);
}

// --- Mean ---------------------------------------------------------------------------------

TEST(SimHistogram, MeanIsExact) {
  Histogram h;
  for (std::int64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.Mean(), 50.5);  // 5050 / 100
}

TEST(SimHistogram, MeanStaysExactWhereDoublesWouldRound) {
  // Around 2^53 a double holds only even integers: summing these four in doubles gives
  // 2^55 and a mean of 2^53, while the true sum 2^55 + 8 gives a mean of 2^53 + 2, which a
  // double holds exactly.
  constexpr std::int64_t kBase = std::int64_t{1} << 53;
  Histogram h;
  for (std::int64_t v : {kBase + 1, kBase + 1, kBase + 2, kBase + 4}) h.Record(v);
  EXPECT_EQ(h.Mean(), static_cast<double>(kBase + 2));
}

}  // namespace
}  // namespace deliverysim::sim

namespace deliverysim::sim {
namespace {

TEST(SimHistogramRank, FractionsThatOvershootInFloatingPointKeepTheirRank) {
  // 0.07 * 100 and 0.55 * 100 are a hair above 7 and 55 in doubles; the ranks are 7 and 55.
  Histogram values;
  for (std::int64_t v = 1; v <= 100; ++v) values.Record(v);
  EXPECT_EQ(values.Quantile(0.07), 7);
  EXPECT_EQ(values.Quantile(0.55), 55);
  EXPECT_EQ(values.Quantile(0.071), 8);  // a real fraction of a rank still rounds up
}

}  // namespace
}  // namespace deliverysim::sim
