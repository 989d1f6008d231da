// Parsing the values a scenario file writes as text: durations with units, rates, probabilities
// and distributions. Each parser returns the value or a message saying what is allowed; the
// loader adds the file, position and key.
//
//   ParseDuration("1.5ms")          -> 1'500'000 (nanoseconds)
//   ParseRate("500/s")              -> 500.0 (per second)
//   ParseDistribution("exp(2ms)")   -> exponential with mean 2'000'000 ns
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "sim/distribution.h"
#include "sim/time.h"

namespace deliverysim::app {

// A parse outcome: the value, or what was wrong with the text.
template <typename T>
using Parsed = std::variant<T, std::string>;

inline constexpr const char* kDurationHelp =
    "a number with a unit: ns, us, ms, s, m or h (for example 250ms or 1.5s)";
inline constexpr const char* kRateHelp = "a number of messages per unit of time, such as 500/s";
inline constexpr const char* kDistributionHelp =
    "const(D), uniform(D1, D2), exp(MEAN), normal(MEAN, STDDEV), lognormal(MEDIAN, SIGMA), "
    "or a plain duration D";

// A non-negative duration, exact to the nanosecond ("0" needs no unit).
Parsed<sim::Time> ParseDuration(std::string_view text);

// A positive rate, in messages per second.
Parsed<double> ParseRate(std::string_view text);

// A distribution of durations, in nanoseconds.
Parsed<sim::Distribution> ParseDistribution(std::string_view text);

}  // namespace deliverysim::app
