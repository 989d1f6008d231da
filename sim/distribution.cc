#include "sim/distribution.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace deliverysim::sim {

Distribution Distribution::Constant(double value) { return {Kind::kConstant, value, 0}; }

Distribution Distribution::Uniform(double low, double high) {
  assert(low <= high);
  return {Kind::kUniform, low, high};
}

Distribution Distribution::Exponential(double mean) {
  assert(mean > 0);
  return {Kind::kExponential, mean, 0};
}

Distribution Distribution::Normal(double mean, double stddev) {
  assert(stddev >= 0);
  return {Kind::kNormal, mean, stddev};
}

Distribution Distribution::Lognormal(double median, double sigma) {
  assert(median > 0 && sigma >= 0);
  return {Kind::kLognormal, median, sigma};
}

double SampleStandardNormal(RandomStream& stream) {
  // The polar method needs only log and sqrt, and uses both variates' randomness.
  for (;;) {
    const double u = 2.0 * stream.NextUnit() - 1.0;
    const double v = 2.0 * stream.NextUnit() - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * std::log(s) / s);
  }
}

bool SampleBernoulli(RandomStream& stream, double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return stream.NextUnit() < p;
}

double Distribution::Sample(RandomStream& stream) const {
  switch (kind_) {
    case Kind::kConstant: return a_;
    case Kind::kUniform: return a_ + (b_ - a_) * stream.NextUnit();
    case Kind::kExponential:
      // 1 - u lies in (0, 1], so the log is finite.
      return -a_ * std::log(1.0 - stream.NextUnit());
    case Kind::kNormal: return a_ + b_ * SampleStandardNormal(stream);
    case Kind::kLognormal: return a_ * std::exp(b_ * SampleStandardNormal(stream));
  }
  return 0;
}

Time Distribution::SampleTime(RandomStream& stream) const {
  const double value = Sample(stream);
  if (!(value > 0)) return 0;
  if (value >= static_cast<double>(kMaxSampledTime)) return kMaxSampledTime;
  return static_cast<Time>(std::llround(value));
}

double Distribution::Mean() const {
  switch (kind_) {
    case Kind::kConstant:
    case Kind::kExponential:
    case Kind::kNormal: return a_;
    case Kind::kUniform: return (a_ + b_) / 2;
    case Kind::kLognormal: return a_ * std::exp(b_ * b_ / 2);
  }
  return 0;
}

ZipfSampler::ZipfSampler(std::uint64_t n, double exponent) {
  assert(n >= 1 && exponent >= 0);
  cumulative_.resize(n);
  double total = 0;
  for (std::uint64_t rank = 0; rank < n; ++rank) {
    total += std::pow(static_cast<double>(rank + 1), -exponent);
    cumulative_[rank] = total;
  }
  for (double& c : cumulative_) c /= total;
  cumulative_.back() = 1.0;
}

std::uint64_t ZipfSampler::Sample(RandomStream& stream) const {
  const double u = stream.NextUnit();
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  return static_cast<std::uint64_t>(it - cumulative_.begin());
}

}  // namespace deliverysim::sim
