#include "sim/random.h"

#include <cassert>

namespace deliverysim::sim {

namespace {
__extension__ typedef unsigned __int128 Uint128;  // GCC and Clang; -Wpedantic needs the marker

std::uint64_t RotateLeft(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

std::uint64_t StableHash(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

RandomStream::RandomStream(std::uint64_t seed) {
  // splitmix64 fills the state; it never yields four zero words, which xoshiro must avoid.
  std::uint64_t x = seed;
  for (auto& word : state_) {
    word = Mix64(x);
    x += 0x9e3779b97f4a7c15ULL;
  }
}

RandomStream RandomStream::ForComponent(std::uint64_t seed, std::string_view name) {
  return RandomStream(Mix64(seed) ^ StableHash(name));
}

std::uint64_t RandomStream::Next() {
  const std::uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = RotateLeft(state_[3], 45);
  return result;
}

std::uint64_t RandomStream::NextBelow(std::uint64_t bound) {
  assert(bound > 0);
  Uint128 product = static_cast<Uint128>(Next()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = -bound % bound;
    while (low < threshold) {
      product = static_cast<Uint128>(Next()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

}  // namespace deliverysim::sim
