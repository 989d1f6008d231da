// Random streams: one per component, so that adding a component never changes another's draws.
//
// The generator is xoshiro256** (Blackman and Vigna), seeded through splitmix64 from the
// scenario seed and the component's stable name. Both algorithms are a few lines of integer
// arithmetic and give the same numbers on every compiler and standard library, which the
// standard library's engines-plus-distributions do not promise.
//
//   RandomStream stream = RandomStream::ForComponent(scenario_seed, "link:producer->broker");
//   double u = stream.NextUnit();   // uniform in [0, 1)
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace deliverysim::sim {

// A stable 64-bit hash of a name (FNV-1a); stable across platforms and releases.
std::uint64_t StableHash(std::string_view text);

// One step of splitmix64: a bijective mixer, used for seeding and for key hashing.
std::uint64_t Mix64(std::uint64_t x);

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed);

  // The stream of the component called `name` in a run seeded with `seed`.
  static RandomStream ForComponent(std::uint64_t seed, std::string_view name);

  std::uint64_t Next();

  // Uniform in [0, 1), with 53 random bits.
  double NextUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, bound). REQUIRES: bound > 0. Lemire's multiply-shift with rejection,
  // so every value is exactly equally likely.
  std::uint64_t NextBelow(std::uint64_t bound);

 private:
  std::array<std::uint64_t, 4> state_;
};

}  // namespace deliverysim::sim
