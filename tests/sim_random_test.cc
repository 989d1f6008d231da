// Specification of the random streams: bit-exact splitmix64 and xoshiro256**, per-component
// independence, and exactly uniform bounded integers.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/random.h"

namespace deliverysim::sim {
namespace {

constexpr std::uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// An independent transcription of the published algorithms (Blackman and Vigna, "Scrambled
// linear pseudorandom number generators", and Vigna's splitmix64.c), written for this test so
// that a slip in sim/random.cc cannot hide behind the same slip here.
std::uint64_t ReferenceSplitMix64Next(std::uint64_t& state) {
  state += kGoldenGamma;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct ReferenceXoshiro256StarStar {
  std::array<std::uint64_t, 4> s;

  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  // The generator's recommended seeding: four consecutive splitmix64 outputs.
  static ReferenceXoshiro256StarStar SeededBySplitMix(std::uint64_t seed) {
    ReferenceXoshiro256StarStar g{};
    for (auto& word : g.s) word = ReferenceSplitMix64Next(seed);
    return g;
  }

  std::uint64_t Next() {
    const std::uint64_t out = Rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = Rotl(s[3], 45);
    return out;
  }
};

// The upper tail P(X >= x) of a chi-square variable with an even number of degrees of freedom
// k: exp(-x/2) * sum_{i < k/2} (x/2)^i / i!, a closed form that needs no statistics library.
double ChiSquareUpperTailEvenDof(double x, int dof) {
  double term = 1;
  double sum = 0;
  for (int i = 0; i < dof / 2; ++i) {
    if (i > 0) term *= (x / 2) / i;
    sum += term;
  }
  return std::exp(-x / 2) * sum;
}

double ChiSquareStatistic(const std::vector<std::uint64_t>& observed, double expected_each) {
  double statistic = 0;
  for (std::uint64_t o : observed) {
    const double d = static_cast<double>(o) - expected_each;
    statistic += d * d / expected_each;
  }
  return statistic;
}

// --- Mix64 and StableHash -----------------------------------------------------------------

TEST(SimRandom, Mix64IsOneSplitMix64StepMatchingThePublishedSeedZeroSequence) {
  // The first four outputs of Vigna's splitmix64.c from state 0 are published test vectors
  // (reproduced by many ports): 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f,
  // 0xf88bb8a8724c81ec. Output i is one mixing step from state i * gamma, and Mix64 adds the
  // gamma itself, so output i == Mix64(i * gamma) with wrapping multiplication.
  EXPECT_EQ(Mix64(0 * kGoldenGamma), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(Mix64(1 * kGoldenGamma), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(Mix64(2 * kGoldenGamma), 0x06c45d188009454fULL);
  EXPECT_EQ(Mix64(3 * kGoldenGamma), 0xf88bb8a8724c81ecULL);
}

TEST(SimRandom, Mix64AgreesWithTheReferenceSplitMixOnArbitraryStates) {
  for (std::uint64_t x : {1ULL, 42ULL, 0xdeadbeefULL, ~0ULL, 0x8000000000000000ULL}) {
    std::uint64_t state = x;
    EXPECT_EQ(Mix64(x), ReferenceSplitMix64Next(state)) << "x = " << x;
  }
}

TEST(SimRandom, StableHashIsFnv1a64) {
  // Published FNV-1a 64-bit test vectors (Fowler, Noll and Vo's reference test suite): the
  // empty string hashes to the offset basis.
  EXPECT_EQ(StableHash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(StableHash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(StableHash("foobar"), 0x85944171f73967e8ULL);
}

// --- xoshiro256** -------------------------------------------------------------------------

TEST(SimRandom, ReferenceXoshiroReproducesThePublishedVectorFromState1234) {
  // The published vector for state {1, 2, 3, 4} (the reference C code's output, as checked by
  // e.g. the rand_xoshiro crate). The first three are small enough to work by hand:
  //   1st: rotl(2 * 5, 7) * 9 = 1280 * 9 = 11520; the step leaves s = {7, 0, 262146, 6 << 45}.
  //   2nd: s[1] = 0, so 0; the step leaves s[1] = 262146 ^ 7 = 262149.
  //   3rd: rotl(262149 * 5, 7) * 9 = (1310745 << 7) * 9 = 167775360 * 9 = 1509978240.
  ReferenceXoshiro256StarStar g{{1, 2, 3, 4}};
  EXPECT_EQ(g.Next(), 11520u);
  EXPECT_EQ(g.Next(), 0u);
  EXPECT_EQ(g.Next(), 1509978240u);
  EXPECT_EQ(g.Next(), 1215971899390074240u);
}

TEST(SimRandom, StreamIsXoshiro256StarStarSeededBySplitMix64) {
  for (std::uint64_t seed : {0ULL, 1ULL, 42ULL, 0x0123456789abcdefULL, ~0ULL}) {
    RandomStream stream(seed);
    auto reference = ReferenceXoshiro256StarStar::SeededBySplitMix(seed);
    for (int i = 0; i < 1000; ++i) {
      ASSERT_EQ(stream.Next(), reference.Next()) << "seed " << seed << ", draw " << i;
    }
  }
}

// --- Streams per component ----------------------------------------------------------------

TEST(SimRandom, SameSeedAndNameGiveTheSameStream) {
  RandomStream a = RandomStream::ForComponent(7, "link:producer->broker");
  RandomStream b = RandomStream::ForComponent(7, "link:producer->broker");
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.Next(), b.Next()) << "draw " << i;
}

// Two streams that agreed on even a few of their first draws would be correlated; with 64-bit
// outputs an accidental match has probability about 2^-64 per pair.
int CountEqualDraws(RandomStream a, RandomStream b, int draws) {
  int equal = 0;
  for (int i = 0; i < draws; ++i) equal += a.Next() == b.Next() ? 1 : 0;
  return equal;
}

TEST(SimRandom, DifferentNamesGiveDifferentStreams) {
  const std::vector<std::string> names = {"broker",    "billing-1", "billing-2", "billing-3",
                                          "link:a->b", "link:b->a", ""};
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (std::size_t j = i + 1; j < names.size(); ++j) {
      EXPECT_EQ(CountEqualDraws(RandomStream::ForComponent(42, names[i]),
                                RandomStream::ForComponent(42, names[j]), 100),
                0)
          << names[i] << " vs " << names[j];
    }
  }
}

TEST(SimRandom, DifferentSeedsGiveDifferentStreamsForTheSameName) {
  EXPECT_EQ(CountEqualDraws(RandomStream::ForComponent(1, "broker"),
                            RandomStream::ForComponent(2, "broker"), 100),
            0);
}

// --- NextUnit -----------------------------------------------------------------------------

TEST(SimRandom, NextUnitIsTheTop53BitsOfADrawScaledIntoZeroToOne) {
  RandomStream units(99);
  RandomStream raw(99);
  for (int i = 0; i < 100000; ++i) {
    const double u = units.NextUnit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_EQ(u, static_cast<double>(raw.Next() >> 11) / 9007199254740992.0);  // 2^53
  }
}

// --- NextBelow ----------------------------------------------------------------------------

TEST(SimRandom, NextBelowStaysBelowItsBound) {
  RandomStream stream(5);
  const std::uint64_t bounds[] = {1, 2, 3, 7, 1000, 1ULL << 32, (1ULL << 63) + 1, ~0ULL};
  for (std::uint64_t bound : bounds) {
    for (int i = 0; i < 10000; ++i) ASSERT_LT(stream.NextBelow(bound), bound) << "bound " << bound;
  }
}

TEST(SimRandom, NextBelowOneIsAlwaysZero) {
  RandomStream stream(5);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(stream.NextBelow(1), 0u);
}

TEST(SimRandom, NextBelowIsUniformOnASmallBound) {
  // 7 outcomes, 700000 draws: 100000 expected each. The statistic has 6 degrees of freedom; a
  // fair generator exceeds it with probability p, and the test fails only when p < 1e-6
  // (statistic above about 38.3), while an off-by-one or a skewed reduction that moves one
  // outcome by 1% (1000 draws) already contributes 10 and one of 2% contributes 40.
  constexpr std::uint64_t kBound = 7;
  constexpr int kDraws = 700000;
  RandomStream stream(20240611);
  std::vector<std::uint64_t> counts(kBound, 0);
  for (int i = 0; i < kDraws; ++i) ++counts[stream.NextBelow(kBound)];

  const double statistic = ChiSquareStatistic(counts, static_cast<double>(kDraws) / kBound);
  EXPECT_GT(ChiSquareUpperTailEvenDof(statistic, kBound - 1), 1e-6) << "chi-square " << statistic;
}

TEST(SimRandom, NextBelowRejectsTheDrawsThatWouldBiasALargeBound) {
  // With bound b = 3 * 2^62, multiply-shift without rejection maps 4 draws onto every 3
  // outputs, and the outputs that are multiples of 3 get two draws each: half of all results
  // would be multiples of 3 instead of one third. With the rejection step each residue mod 3
  // has probability exactly 1/3. 30000 draws: chi-square on 2 degrees of freedom, whose tail
  // is exp(-x/2); the unfixed bias would give a statistic near 3750.
  constexpr std::uint64_t kBound = 3ULL << 62;
  constexpr int kDraws = 30000;
  RandomStream stream(11);
  std::vector<std::uint64_t> residues(3, 0);
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t value = stream.NextBelow(kBound);
    ASSERT_LT(value, kBound);
    ++residues[value % 3];
  }

  const double statistic = ChiSquareStatistic(residues, kDraws / 3.0);
  EXPECT_GT(ChiSquareUpperTailEvenDof(statistic, 2), 1e-6) << "chi-square " << statistic;
}

TEST(SimRandom, ChiSquareTailMatchesKnownCriticalValues) {
  // Textbook 5% critical values: 5.991 for 2 degrees of freedom, 12.592 for 6.
  EXPECT_NEAR(ChiSquareUpperTailEvenDof(5.991, 2), 0.05, 1e-4);
  EXPECT_NEAR(ChiSquareUpperTailEvenDof(12.592, 6), 0.05, 1e-4);
}

}  // namespace
}  // namespace deliverysim::sim
