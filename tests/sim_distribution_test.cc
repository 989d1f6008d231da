// Specification of the distributions: exact degenerate cases, and sample moments that agree
// with the analytic ones within a tolerance derived from the sampling error.
//
// Every statistical check uses a fixed seed, so it is deterministic; its tolerance is 5
// standard errors of the estimate, so a correct sampler with another seed would fail such a
// check with probability below 1e-6, while a wrong parameter (a variance for a standard
// deviation, a rate for a mean) misses by hundreds of standard errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "sim/distribution.h"
#include "sim/random.h"
#include "sim/time.h"

namespace deliverysim::sim {
namespace {

constexpr int kSamples = 200000;
constexpr double kStandardErrors = 5;

struct Moments {
  double mean = 0;
  double variance = 0;  // unbiased sample variance
};

Moments SampleMoments(const Distribution& distribution, std::uint64_t seed) {
  RandomStream stream(seed);
  // Welford's update keeps the variance accurate when the mean is large.
  double mean = 0;
  double m2 = 0;
  for (int n = 1; n <= kSamples; ++n) {
    const double x = distribution.Sample(stream);
    const double delta = x - mean;
    mean += delta / n;
    m2 += delta * (x - mean);
  }
  return {mean, m2 / (kSamples - 1)};
}

// Checks sample mean and variance against the true `mean`, `variance` and `kurtosis`
// (fourth central moment over variance squared). Standard errors, for n samples:
//   mean:     sqrt(variance / n)
//   variance: variance * sqrt((kurtosis - 1) / n), from Var(s^2) ~ (mu4 - sigma^4) / n.
void ExpectMomentsNear(const Distribution& distribution, std::uint64_t seed, double mean,
                       double variance, double kurtosis) {
  const Moments got = SampleMoments(distribution, seed);
  const double n = kSamples;
  const double mean_error = std::sqrt(variance / n);
  const double variance_error = variance * std::sqrt((kurtosis - 1) / n);
  EXPECT_NEAR(got.mean, mean, kStandardErrors * mean_error);
  EXPECT_NEAR(got.variance, variance, kStandardErrors * variance_error);
}

// Checks an observed frequency against probability p: the standard error of the fraction of
// n Bernoulli(p) trials is sqrt(p (1 - p) / n).
void ExpectFrequencyNear(std::uint64_t hits, std::uint64_t trials, double p) {
  const double n = static_cast<double>(trials);
  EXPECT_NEAR(static_cast<double>(hits) / n, p, kStandardErrors * std::sqrt(p * (1 - p) / n));
}

// --- Constant and uniform -----------------------------------------------------------------

TEST(SimDistribution, ConstantAlwaysGivesItsValueAndDrawsNothing) {
  const Distribution d = Distribution::Constant(1.5e6);
  RandomStream stream(1);
  RandomStream twin(1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(d.Sample(stream), 1.5e6);
  EXPECT_EQ(d.SampleTime(stream), 1'500'000);
  EXPECT_EQ(d.Mean(), 1.5e6);
  EXPECT_EQ(stream.Next(), twin.Next());
}

TEST(SimDistribution, DefaultIsConstantZero) {
  const Distribution d;
  RandomStream stream(1);
  EXPECT_EQ(d.kind(), Distribution::Kind::kConstant);
  EXPECT_EQ(d.SampleTime(stream), 0);
}

TEST(SimDistribution, UniformStaysWithinItsBounds) {
  const Distribution d = Distribution::Uniform(500, 1500);
  RandomStream stream(3);
  for (int i = 0; i < kSamples; ++i) {
    const double x = d.Sample(stream);
    ASSERT_GE(x, 500.0);
    ASSERT_LT(x, 1500.0);
  }
}

TEST(SimDistribution, UniformWithEqualBoundsIsThatValue) {
  const Distribution d = Distribution::Uniform(7, 7);
  RandomStream stream(3);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(d.Sample(stream), 7.0);
}

TEST(SimDistribution, UniformHasTheMeanAndVarianceOfItsInterval) {
  // On [a, b): mean (a + b) / 2, variance (b - a)^2 / 12, kurtosis 9/5.
  const double a = 500;
  const double b = 1500;
  const Distribution d = Distribution::Uniform(a, b);
  EXPECT_EQ(d.Mean(), 1000.0);
  ExpectMomentsNear(d, 11, (a + b) / 2, (b - a) * (b - a) / 12, 1.8);
}

// --- Exponential, normal, lognormal -------------------------------------------------------

TEST(SimDistribution, ExponentialHasItsMeanAndTheSquareOfItsMeanAsVariance) {
  // Mean m, variance m^2, kurtosis 9.
  const double m = 2e6;
  const Distribution d = Distribution::Exponential(m);
  EXPECT_EQ(d.Mean(), m);
  ExpectMomentsNear(d, 12, m, m * m, 9);
}

TEST(SimDistribution, ExponentialSamplesArePositive) {
  const Distribution d = Distribution::Exponential(1);
  RandomStream stream(12);
  for (int i = 0; i < kSamples; ++i) ASSERT_GE(d.Sample(stream), 0.0);
}

TEST(SimDistribution, NormalHasItsMeanAndStandardDeviation) {
  // Mean mu, variance sigma^2, kurtosis 3.
  const Distribution d = Distribution::Normal(100, 15);
  EXPECT_EQ(d.Mean(), 100.0);
  ExpectMomentsNear(d, 13, 100, 15.0 * 15.0, 3);
}

TEST(SimDistribution, StandardNormalHasAboutTwoThirdsOfItsMassWithinOneSigma) {
  // P(|Z| < 1) = erf(1 / sqrt(2)) = 0.682689...; this checks the shape, not just two moments.
  RandomStream stream(14);
  std::uint64_t within = 0;
  for (int i = 0; i < kSamples; ++i) within += std::fabs(SampleStandardNormal(stream)) < 1 ? 1 : 0;
  ExpectFrequencyNear(within, kSamples, std::erf(1 / std::sqrt(2.0)));
}

TEST(SimDistribution, LognormalHasTheMomentsOfExpOfANormal) {
  // With median M and log-sigma s, writing w = exp(s^2):
  //   mean M sqrt(w), variance M^2 w (w - 1), kurtosis w^4 + 2 w^3 + 3 w^2 - 3.
  // For s = 0.5 the kurtosis is about 8.9, so the variance tolerance is about 3%.
  const double median = 1e6;
  const double s = 0.5;
  const double w = std::exp(s * s);
  const Distribution d = Distribution::Lognormal(median, s);
  EXPECT_DOUBLE_EQ(d.Mean(), median * std::sqrt(w));
  ExpectMomentsNear(d, 15, median * std::sqrt(w), median * median * w * (w - 1),
                    w * w * w * w + 2 * w * w * w + 3 * w * w - 3);
}

TEST(SimDistribution, LognormalHalfOfItsSamplesLieBelowTheMedian) {
  const Distribution d = Distribution::Lognormal(3e6, 1.2);
  RandomStream stream(16);
  std::uint64_t below = 0;
  for (int i = 0; i < kSamples; ++i) below += d.Sample(stream) < 3e6 ? 1 : 0;
  ExpectFrequencyNear(below, kSamples, 0.5);
}

// --- SampleTime ---------------------------------------------------------------------------

TEST(SimDistribution, SampleTimeIsNeverNegativeAndClampsTheNegativeHalfOfANormalToZero) {
  // Normal(0, 1000 ns): a sample rounds to 0 when it is below 0.5, which happens with
  // probability Phi(0.5 / 1000) = 0.5 + 0.0002 (Phi's slope at 0 is 1 / sqrt(2 pi)).
  const Distribution d = Distribution::Normal(0, 1000);
  RandomStream stream(17);
  std::uint64_t zeros = 0;
  for (int i = 0; i < kSamples; ++i) {
    const Time t = d.SampleTime(stream);
    ASSERT_GE(t, 0);
    zeros += t == 0 ? 1 : 0;
  }
  ExpectFrequencyNear(zeros, kSamples, 0.5 + 0.5 / 1000 / std::sqrt(2 * std::numbers::pi));
}

TEST(SimDistribution, SampleTimeRoundsToTheNearestNanosecond) {
  RandomStream stream(1);
  EXPECT_EQ(Distribution::Constant(1.4).SampleTime(stream), 1);
  EXPECT_EQ(Distribution::Constant(1.6).SampleTime(stream), 2);
  EXPECT_EQ(Distribution::Constant(2.5).SampleTime(stream), 3);  // halves round away from 0
  EXPECT_EQ(Distribution::Constant(-3).SampleTime(stream), 0);
}

TEST(SimDistribution, SampleTimeOfAnEnormousValueIsCappedSoTimesCannotOverflow) {
  RandomStream stream(1);
  EXPECT_EQ(Distribution::Constant(1e19).SampleTime(stream), kMaxSampledTime);
  EXPECT_EQ(Distribution::Constant(1e300).SampleTime(stream), kMaxSampledTime);
  EXPECT_EQ(Distribution::Lognormal(1e9, 1e3).Mean(), HUGE_VAL);  // its samples can be inf
  EXPECT_LE(Distribution::Lognormal(1e9, 1e3).SampleTime(stream), kMaxSampledTime);
  EXPECT_GT(kForever - kMaxSampledTime, 2000 * kHour);  // a run ends within 2000 h
}

// --- Bernoulli ----------------------------------------------------------------------------

TEST(SimDistribution, BernoulliWithProbabilityZeroIsFalseAndConsumesNoDraw) {
  RandomStream stream(21);
  RandomStream twin(21);
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(SampleBernoulli(stream, 0.0));
    EXPECT_FALSE(SampleBernoulli(stream, -0.5));
  }
  EXPECT_EQ(stream.Next(), twin.Next());
}

TEST(SimDistribution, BernoulliWithProbabilityOneIsAlwaysTrue) {
  RandomStream stream(22);
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(SampleBernoulli(stream, 1.0));
}

TEST(SimDistribution, BernoulliIsTrueWithItsProbability) {
  RandomStream stream(23);
  std::uint64_t hits = 0;
  for (int i = 0; i < kSamples; ++i) hits += SampleBernoulli(stream, 0.01) ? 1 : 0;
  ExpectFrequencyNear(hits, kSamples, 0.01);
}

// --- ZipfSampler --------------------------------------------------------------------------

std::vector<std::uint64_t> ZipfCounts(const ZipfSampler& zipf, std::uint64_t seed) {
  RandomStream stream(seed);
  std::vector<std::uint64_t> counts(zipf.size(), 0);
  for (int i = 0; i < kSamples; ++i) {
    const std::uint64_t rank = zipf.Sample(stream);
    EXPECT_LT(rank, zipf.size());
    if (rank < zipf.size()) ++counts[rank];
  }
  return counts;
}

TEST(SimZipf, ExponentZeroIsUniform) {
  const ZipfSampler zipf(5, 0);
  ASSERT_EQ(zipf.size(), 5u);
  const std::vector<std::uint64_t> counts = ZipfCounts(zipf, 31);
  for (std::uint64_t rank = 0; rank < 5; ++rank) {
    SCOPED_TRACE(rank);
    ExpectFrequencyNear(counts[rank], kSamples, 0.2);
  }
}

TEST(SimZipf, ExponentOneOverThreeRanksIsProportionalToOneHalfAndThird) {
  // Weights 1, 1/2, 1/3 sum to 11/6, so the probabilities are 6/11, 3/11 and 2/11.
  const ZipfSampler zipf(3, 1);
  const std::vector<std::uint64_t> counts = ZipfCounts(zipf, 32);
  ExpectFrequencyNear(counts[0], kSamples, 6.0 / 11);
  ExpectFrequencyNear(counts[1], kSamples, 3.0 / 11);
  ExpectFrequencyNear(counts[2], kSamples, 2.0 / 11);
}

TEST(SimZipf, ASingleRankIsAlwaysChosen) {
  // The table is one entry, exactly 1, and every u in [0, 1) falls below it.
  for (double exponent : {0.0, 1.0, 3.5}) {
    const ZipfSampler zipf(1, exponent);
    ASSERT_EQ(zipf.size(), 1u);
    RandomStream stream(33);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(zipf.Sample(stream), 0u);
  }
}

}  // namespace
}  // namespace deliverysim::sim
