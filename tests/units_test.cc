// Parsing durations, rates and distributions from scenario text: exact values for what is
// allowed, and a message that says what is allowed for everything else.
#include "app/units.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "sim/distribution.h"
#include "sim/time.h"

namespace deliverysim {
namespace {

using ::testing::HasSubstr;
using Kind = sim::Distribution::Kind;

// The parsed value; a test failure (and a default value) when parsing failed.
template <typename T>
T ValueOf(const app::Parsed<T>& parsed) {
  if (const auto* message = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << "rejected: " << *message;
    return T{};
  }
  return std::get<T>(parsed);
}

// The rejection message; a test failure (and "") when parsing succeeded.
template <typename T>
std::string MessageOf(const app::Parsed<T>& parsed) {
  if (const auto* message = std::get_if<std::string>(&parsed)) return *message;
  ADD_FAILURE() << "accepted";
  return "";
}

std::string Expected(const char* help) { return std::string("expected ") + help; }

// A text and the exact number of nanoseconds it means.
struct DurationRow {
  std::string label;
  std::string text;
  sim::Time nanoseconds;
};

void PrintTo(const DurationRow& row, std::ostream* out) { *out << row.label; }

class UnitsDuration : public ::testing::TestWithParam<DurationRow> {};

TEST_P(UnitsDuration, IsExactToTheNanosecond) {
  EXPECT_EQ(ValueOf(app::ParseDuration(GetParam().text)), GetParam().nanoseconds);
}

INSTANTIATE_TEST_SUITE_P(
    Units, UnitsDuration,
    ::testing::Values(DurationRow{"ZeroWithoutUnit", "0", 0}, DurationRow{"ZeroWithUnit", "0ms", 0},
                      DurationRow{"Nanoseconds", "1ns", 1},
                      DurationRow{"Microseconds", "250us", 250'000},
                      DurationRow{"Milliseconds", "250ms", 250'000'000},
                      DurationRow{"FractionOfAMillisecond", "12.5ms", 12'500'000},
                      DurationRow{"FractionOfASecond", "1.5s", 1'500'000'000},
                      DurationRow{"FractionWithoutWholePart", ".5s", 500'000'000},
                      DurationRow{"FractionToTheLastNanosecond", "1.000000001s", 1'000'000'001},
                      DurationRow{"FractionOfAMicrosecond", "0.5us", 500},
                      DurationRow{"TrailingZerosPastANanosecond", "1.000ns", 1},
                      DurationRow{"Minutes", "2m", 120'000'000'000},
                      DurationRow{"Hours", "1h", 3'600'000'000'000},
                      DurationRow{"SpacesAround", " 3s ", 3'000'000'000},
                      DurationRow{"SpaceBeforeTheUnit", "3 s", 3'000'000'000},
                      DurationRow{"LongestThereIs", "9223372036.854775807s", INT64_MAX}),
    [](const auto& info) { return info.param.label; });

// A text that is not a duration and the exact message it gets.
struct RejectionRow {
  std::string label;
  std::string text;
  std::string message;
};

void PrintTo(const RejectionRow& row, std::ostream* out) { *out << row.label; }

class UnitsDurationRejects : public ::testing::TestWithParam<RejectionRow> {};

TEST_P(UnitsDurationRejects, SayingWhatIsAllowed) {
  EXPECT_EQ(MessageOf(app::ParseDuration(GetParam().text)), GetParam().message);
}

const std::string kTooLong = "too long; the clock counts nanoseconds up to about 292 years";
const std::string kFiner = "finer than a nanosecond, the smallest step of the clock";

INSTANTIATE_TEST_SUITE_P(
    Units, UnitsDurationRejects,
    ::testing::Values(RejectionRow{"Empty", "", Expected(app::kDurationHelp)},
                      RejectionRow{"NumberWithoutUnit", "10", Expected(app::kDurationHelp)},
                      RejectionRow{"UnknownUnit", "3d", Expected(app::kDurationHelp)},
                      RejectionRow{"UnitSpelledOut", "3 seconds", Expected(app::kDurationHelp)},
                      RejectionRow{"Word", "fast", Expected(app::kDurationHelp)},
                      RejectionRow{"TwoDecimalPoints", "1.2.3ms", Expected(app::kDurationHelp)},
                      RejectionRow{"DecimalPointAlone", ".s", Expected(app::kDurationHelp)},
                      RejectionRow{"Negative", "-5ms", "a duration cannot be negative"},
                      RejectionRow{"HalfANanosecond", "0.5ns", kFiner},
                      RejectionRow{"TenthOfANanosecondInSeconds", "1.0000000001s", kFiner},
                      RejectionRow{"OneNanosecondTooLong", "9223372036.854775808s", kTooLong},
                      RejectionRow{"TooManyHours", "3000000h", kTooLong},
                      RejectionRow{"TooManyDigits", "99999999999999999999ns", kTooLong}),
    [](const auto& info) { return info.param.label; });

// A rate and the messages per second it means.
struct RateRow {
  std::string label;
  std::string text;
  double per_second;
};

void PrintTo(const RateRow& row, std::ostream* out) { *out << row.label; }

class UnitsRate : public ::testing::TestWithParam<RateRow> {};

TEST_P(UnitsRate, IsConvertedToMessagesPerSecond) {
  EXPECT_DOUBLE_EQ(ValueOf(app::ParseRate(GetParam().text)), GetParam().per_second);
}

INSTANTIATE_TEST_SUITE_P(Units, UnitsRate,
                         ::testing::Values(RateRow{"PerSecond", "500/s", 500},
                                           RateRow{"PerMinute", "30/m", 0.5},
                                           RateRow{"PerHour", "7200/h", 2},
                                           RateRow{"PerMillisecond", "2/ms", 2000},
                                           RateRow{"Fractional", "2.5/s", 2.5},
                                           RateRow{"SpacesAroundTheSlash", "500 / s", 500}),
                         [](const auto& info) { return info.param.label; });

class UnitsRateRejects : public ::testing::TestWithParam<RejectionRow> {};

TEST_P(UnitsRateRejects, SayingWhatIsAllowed) {
  EXPECT_EQ(MessageOf(app::ParseRate(GetParam().text)), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Units, UnitsRateRejects,
    ::testing::Values(RejectionRow{"Zero", "0/s", "the rate must be above zero"},
                      RejectionRow{"Negative", "-5/s", "the rate must be above zero"},
                      RejectionRow{"Word", "fast", Expected(app::kRateHelp)},
                      RejectionRow{"NumberWithoutUnit", "500", Expected(app::kRateHelp)},
                      RejectionRow{"UnknownUnit", "500/day", Expected(app::kRateHelp)},
                      RejectionRow{"NoCount", "/s", Expected(app::kRateHelp)},
                      RejectionRow{"Infinite", "inf/s", Expected(app::kRateHelp)}),
    [](const auto& info) { return info.param.label; });

// A distribution's text and the parameters it holds, in nanoseconds (sigma has no unit).
struct DistributionRow {
  std::string label;
  std::string text;
  Kind kind;
  double a;
  double b;
};

void PrintTo(const DistributionRow& row, std::ostream* out) { *out << row.label; }

class UnitsDistribution : public ::testing::TestWithParam<DistributionRow> {};

TEST_P(UnitsDistribution, HoldsItsKindAndParameters) {
  const sim::Distribution distribution = ValueOf(app::ParseDistribution(GetParam().text));
  EXPECT_EQ(distribution.kind(), GetParam().kind);
  EXPECT_DOUBLE_EQ(distribution.a(), GetParam().a);
  EXPECT_DOUBLE_EQ(distribution.b(), GetParam().b);
}

INSTANTIATE_TEST_SUITE_P(
    Units, UnitsDistribution,
    ::testing::Values(
        DistributionRow{"PlainDuration", "3ms", Kind::kConstant, 3e6, 0},
        DistributionRow{"PlainZero", "0", Kind::kConstant, 0, 0},
        DistributionRow{"Constant", "const(1ms)", Kind::kConstant, 1e6, 0},
        DistributionRow{"Uniform", "uniform(1ms, 3ms)", Kind::kUniform, 1e6, 3e6},
        DistributionRow{"UniformOfOneValue", "uniform(2ms, 2ms)", Kind::kUniform, 2e6, 2e6},
        DistributionRow{"Exponential", "exp(2ms)", Kind::kExponential, 2e6, 0},
        DistributionRow{"Normal", "normal(5ms, 1ms)", Kind::kNormal, 5e6, 1e6},
        DistributionRow{"NormalWithoutSpread", "normal(5ms, 0)", Kind::kNormal, 5e6, 0},
        DistributionRow{"Lognormal", "lognormal(2ms, 0.5)", Kind::kLognormal, 2e6, 0.5},
        DistributionRow{"SpacesInside", " uniform ( 500us ,1.5ms ) ", Kind::kUniform, 5e5, 1.5e6}),
    [](const auto& info) { return info.param.label; });

class UnitsDistributionRejects : public ::testing::TestWithParam<RejectionRow> {};

TEST_P(UnitsDistributionRejects, SayingWhatIsAllowed) {
  EXPECT_EQ(MessageOf(app::ParseDistribution(GetParam().text)), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Units, UnitsDistributionRejects,
    ::testing::Values(
        RejectionRow{
            "UnknownName", "gamma(1ms)",
            std::string("unknown distribution 'gamma'; allowed: ") + app::kDistributionHelp},
        RejectionRow{"Word", "fast", Expected(app::kDistributionHelp)},
        RejectionRow{"ConstantOfTwoValues", "const(1ms, 2ms)",
                     "expected const(DURATION), such as const(1ms)"},
        RejectionRow{"UniformWithLowAboveHigh", "uniform(3ms, 1ms)",
                     "expected uniform(LOW, HIGH) with LOW <= HIGH, such as uniform(1ms, 3ms)"},
        RejectionRow{"UniformOfOneValue", "uniform(1ms)",
                     "expected uniform(LOW, HIGH) with LOW <= HIGH, such as uniform(1ms, 3ms)"},
        RejectionRow{"ExponentialWithZeroMean", "exp(0ms)",
                     "expected exp(MEAN) with a mean above zero, such as exp(2ms)"},
        RejectionRow{"ExponentialWithNegativeMean", "exp(-2ms)",
                     "expected exp(MEAN) with a mean above zero, such as exp(2ms)"},
        RejectionRow{"ExponentialOfNothing", "exp()",
                     "expected exp(MEAN) with a mean above zero, such as exp(2ms)"},
        RejectionRow{"NormalWithoutSpread", "normal(5ms)",
                     "expected normal(MEAN, STDDEV), such as normal(5ms, 1ms)"},
        RejectionRow{"LognormalWithNegativeSigma", "lognormal(2ms, -0.5)",
                     "expected lognormal(MEDIAN, SIGMA) with MEDIAN a duration above zero and "
                     "SIGMA >= 0, such as lognormal(2ms, 0.5)"},
        RejectionRow{"LognormalWithZeroMedian", "lognormal(0ms, 0.5)",
                     "expected lognormal(MEDIAN, SIGMA) with MEDIAN a duration above zero and "
                     "SIGMA >= 0, such as lognormal(2ms, 0.5)"},
        RejectionRow{"LognormalWithSigmaInMilliseconds", "lognormal(2ms, 1ms)",
                     "expected lognormal(MEDIAN, SIGMA) with MEDIAN a duration above zero and "
                     "SIGMA >= 0, such as lognormal(2ms, 0.5)"},
        RejectionRow{"PlainNegativeDuration", "-1ms", "a duration cannot be negative"},
        RejectionRow{"PlainDurationFinerThanANanosecond", "0.5ns", kFiner},
        RejectionRow{"PlainNumberWithoutUnit", "5", Expected(app::kDurationHelp)}),
    [](const auto& info) { return info.param.label; });

// A '(' left open is usually a flow map that split the value at its comma.
TEST(UnitsDistributionText, UnclosedParenthesisMentionsQuoting) {
  const std::string message = MessageOf(app::ParseDistribution("uniform(1ms"));
  EXPECT_THAT(message, HasSubstr("unclosed '('"));
  EXPECT_THAT(message, HasSubstr("must be quoted"));
  EXPECT_THAT(message, HasSubstr(app::kDistributionHelp));
}

TEST(UnitsHelpText, ListsEveryUnitAndForm) {
  EXPECT_THAT(app::kDurationHelp, HasSubstr("ns, us, ms, s, m or h"));
  EXPECT_THAT(app::kRateHelp, HasSubstr("500/s"));
  for (const char* form : {"const(", "uniform(", "exp(", "normal(", "lognormal(", "plain"}) {
    EXPECT_THAT(app::kDistributionHelp, HasSubstr(form));
  }
}

}  // namespace
}  // namespace deliverysim
