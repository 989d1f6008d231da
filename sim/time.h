// Simulated time: a signed count of nanoseconds since the start of a run.
//
// Time is an integer so that two machines agree on every comparison; no floating-point value
// ever reaches the clock (determinism rule 1 in docs/ARCHITECTURE.md).
#pragma once

#include <cstdint>

namespace deliverysim::sim {

using Time = std::int64_t;  // nanoseconds; also used for durations

inline constexpr Time kNanosecond = 1;
inline constexpr Time kMicrosecond = 1'000;
inline constexpr Time kMillisecond = 1'000'000;
inline constexpr Time kSecond = 1'000'000'000;
inline constexpr Time kMinute = 60 * kSecond;
inline constexpr Time kHour = 60 * kMinute;

// Later than any event a run can hold; used as "never".
inline constexpr Time kForever = INT64_MAX;

}  // namespace deliverysim::sim
