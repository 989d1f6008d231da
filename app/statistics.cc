#include "app/statistics.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace deliverysim::app {

namespace {

// The continued fraction of the regularised incomplete beta function, evaluated with the
// modified Lentz method; it converges quickly for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEpsilon = 1e-15;
  double c = 1;
  double d = 1 - (a + b) * x / (a + 1);
  d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
  double f = d;
  for (int m = 1; m <= 1000; ++m) {
    // Even step, then odd step, of the fraction's terms.
    for (const double term : {m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                              -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))}) {
      d = 1 + term * d;
      d = 1 / (std::fabs(d) < kTiny ? kTiny : d);
      c = 1 + term / c;
      if (std::fabs(c) < kTiny) c = kTiny;
      f *= c * d;
      if (std::fabs(c * d - 1) < kEpsilon) return f;
    }
  }
  return f;
}

// I_x(a, b), the regularised incomplete beta function.
double IncompleteBeta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * BetaContinuedFraction(a, b, x) / a;
  return 1 - front * BetaContinuedFraction(b, a, 1 - x) / b;
}

}  // namespace

Summary Summarize(const std::vector<double>& values) {
  Summary s;
  s.n = values.size();
  if (s.n == 0) {
    s.mean = std::numeric_limits<double>::quiet_NaN();
    s.stddev = s.mean;
    return s;
  }
  // Two passes: the textbook one-pass formula loses digits when the mean is large.
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  if (s.n < 2) {
    s.stddev = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.stddev = std::sqrt(squares / static_cast<double>(s.n - 1));
  return s;
}

ConfidenceInterval MeanInterval(const Summary& summary, double level) {
  if (summary.n < 2) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan};
  }
  const double t = StudentTQuantile(0.5 + level / 2, static_cast<double>(summary.n - 1));
  const double half = t * summary.stddev / std::sqrt(static_cast<double>(summary.n));
  return {summary.mean - half, summary.mean + half};
}

double StudentTCdf(double t, double df) {
  const double tail = 0.5 * IncompleteBeta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

double StudentTQuantile(double p, double df) {
  assert(p > 0 && p < 1 && df >= 1);
  if (p < 0.5) return -StudentTQuantile(1 - p, df);
  // The CDF rises monotonically, so bisection finds the quantile to the last bits; widen the
  // bracket first, as the quantile grows without bound as p nears 1 at low df.
  double low = 0, high = 1;
  while (StudentTCdf(high, df) < p) {
    low = high;
    high *= 2;
  }
  for (int i = 0; i < 200 && high - low > 1e-13 * high; ++i) {
    const double middle = (low + high) / 2;
    (StudentTCdf(middle, df) < p ? low : high) = middle;
  }
  return (low + high) / 2;
}

}  // namespace deliverysim::app
