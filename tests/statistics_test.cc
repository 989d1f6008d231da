// Summary statistics and Student's t quantiles. Expected quantiles are the published table
// values (e.g. NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2), to the
// three decimals the table gives.
#include "app/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace deliverysim {
namespace {

struct TableRow {
  double p;
  double df;
  double t;
};

TEST(StudentT, QuantilesMatchThePublishedTable) {
  const TableRow rows[] = {
      {0.975, 1, 12.706}, {0.975, 2, 4.303},  {0.975, 5, 2.571},   {0.975, 9, 2.262},
      {0.975, 10, 2.228}, {0.975, 30, 2.042}, {0.975, 100, 1.984}, {0.995, 9, 3.250},
      {0.995, 29, 2.756}, {0.95, 4, 2.132},   {0.90, 20, 1.325},   {0.999, 3, 10.215},
  };
  for (const TableRow& row : rows) {
    EXPECT_NEAR(app::StudentTQuantile(row.p, row.df), row.t, 0.0005)
        << "p=" << row.p << " df=" << row.df;
  }
}

TEST(StudentT, IsSymmetric) {
  EXPECT_DOUBLE_EQ(app::StudentTQuantile(0.025, 7), -app::StudentTQuantile(0.975, 7));
  EXPECT_NEAR(app::StudentTCdf(0, 3), 0.5, 1e-15);
}

TEST(StudentT, OneDegreeOfFreedomIsCauchy) {
  // The Cauchy quantile is tan(pi (p - 1/2)), exact.
  EXPECT_NEAR(app::StudentTQuantile(0.9, 1), std::tan(M_PI * 0.4), 1e-9);
}

TEST(Summary, MeanAndSampleStandardDeviation) {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, 32 / 7 under the root.
  const app::Summary s = app::Summarize({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(s.n, 8u);
  EXPECT_DOUBLE_EQ(s.mean, 5);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(32.0 / 7));
}

TEST(Summary, IntervalIsMeanPlusMinusTTimesStandardError) {
  // 3, 4, 5: mean 4, sd 1, t(0.975, 2) = 4.303 -> 4 +- 4.303 / sqrt(3) = 4 +- 2.484.
  const app::ConfidenceInterval ci = app::MeanInterval(app::Summarize({3, 4, 5}), 0.95);
  EXPECT_NEAR(ci.low, 4 - 2.484, 0.001);
  EXPECT_NEAR(ci.high, 4 + 2.484, 0.001);
}

TEST(Summary, OneValueHasNoSpreadAndNoInterval) {
  const app::Summary s = app::Summarize({7});
  EXPECT_DOUBLE_EQ(s.mean, 7);
  EXPECT_TRUE(std::isnan(s.stddev));
  EXPECT_TRUE(std::isnan(app::MeanInterval(s, 0.95).low));
}

}  // namespace
}  // namespace deliverysim
