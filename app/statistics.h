// Summary statistics of replications: mean, sample standard deviation, and Student's t
// confidence interval for the mean.
//
//   Summary s = Summarize({3.0, 4.0, 5.0});
//   ConfidenceInterval ci = MeanInterval(s, 0.95);   // 4 +- 2.484
#pragma once

#include <cstddef>
#include <vector>

namespace deliverysim::app {

struct Summary {
  std::size_t n = 0;
  double mean = 0;
  double stddev = 0;  // with n - 1 in the denominator; NaN when n < 2
};

struct ConfidenceInterval {
  double low = 0;
  double high = 0;  // both NaN when n < 2
};

Summary Summarize(const std::vector<double>& values);

// The two-sided interval of confidence `level` (0.95 for 95%) for the mean of normal data.
ConfidenceInterval MeanInterval(const Summary& summary, double level);

// The p-quantile of Student's t distribution with `df` degrees of freedom.
// REQUIRES: 0 < p < 1, df >= 1.
double StudentTQuantile(double p, double df);

// P(T <= t) for Student's t with `df` degrees of freedom.
double StudentTCdf(double t, double df);

}  // namespace deliverysim::app
