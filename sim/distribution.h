// Probability distributions written in the project from raw 64-bit draws, so that the same
// stream gives the same samples on every standard library.
//
//   Distribution d = Distribution::Exponential(2e6);     // mean 2 ms, in nanoseconds
//   Time delay = d.SampleTime(stream);                    // never negative
//
// The transcendental functions come from the C library (log, sqrt). glibc's are the same code
// on every x86_64 and arm64 release since 2.28; a different C library could round a last bit
// differently, which moves a sampled time by at most a nanosecond.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/random.h"
#include "sim/time.h"

namespace deliverysim::sim {

// The largest delay a distribution yields: about 146 years.
inline constexpr Time kMaxSampledTime = Time{1} << 62;

class Distribution {
 public:
  enum class Kind { kConstant, kUniform, kExponential, kNormal, kLognormal };

  static Distribution Constant(double value);
  // REQUIRES: low <= high.
  static Distribution Uniform(double low, double high);
  // REQUIRES: mean > 0.
  static Distribution Exponential(double mean);
  // REQUIRES: stddev >= 0.
  static Distribution Normal(double mean, double stddev);
  // The log of the sample is normal with mean log(median) and standard deviation `sigma`.
  // REQUIRES: median > 0, sigma >= 0.
  static Distribution Lognormal(double median, double sigma);

  Distribution() : Distribution(Constant(0)) {}

  double Sample(RandomStream& stream) const;

  // A sample rounded to whole nanoseconds; negative samples (a normal's tail) become 0, since
  // no delay can be negative, and samples beyond kMaxSampledTime (a heavy tail, or infinity)
  // become kMaxSampledTime, so that adding one to any simulated time cannot overflow.
  Time SampleTime(RandomStream& stream) const;

  // The distribution's mean (for a normal, before clamping at zero).
  double Mean() const;

  Kind kind() const { return kind_; }
  double a() const { return a_; }
  double b() const { return b_; }

 private:
  Distribution(Kind kind, double a, double b) : kind_(kind), a_(a), b_(b) {}

  Kind kind_;
  double a_;  // constant value, low, mean, or median
  double b_;  // high, stddev, or sigma
};

// A standard normal variate (Marsaglia's polar method).
double SampleStandardNormal(RandomStream& stream);

// True with probability p. p <= 0 never draws, so a zero-probability fault consumes nothing.
bool SampleBernoulli(RandomStream& stream, double p);

// Ranks 0..n-1 with probability proportional to 1 / (rank + 1)^exponent. exponent 0 is uniform.
// Sampling inverts a precomputed table: O(n) memory, O(log n) per draw, exact.
class ZipfSampler {
 public:
  // REQUIRES: n >= 1, exponent >= 0.
  ZipfSampler(std::uint64_t n, double exponent);
  std::uint64_t Sample(RandomStream& stream) const;
  std::uint64_t size() const { return cumulative_.size(); }

 private:
  std::vector<double> cumulative_;  // cumulative_[i] = P(rank <= i); the last is exactly 1
};

}  // namespace deliverysim::sim
