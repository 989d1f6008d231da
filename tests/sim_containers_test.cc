// Specification of the engine's small containers: the growable "seen" bitset and the payload
// pool that events point into.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/bitset.h"
#include "sim/pool.h"

namespace deliverysim::sim {
namespace {

// --- GrowableBitset -----------------------------------------------------------------------

TEST(SimBitset, StartsEmpty) {
  const GrowableBitset bits;
  EXPECT_EQ(bits.count(), 0u);
  EXPECT_FALSE(bits.Test(0));
  EXPECT_FALSE(bits.Test(1'000'000));
}

TEST(SimBitset, TestAndSetReportsWhetherTheBitWasAlreadySet) {
  GrowableBitset bits;
  EXPECT_FALSE(bits.TestAndSet(5));
  EXPECT_TRUE(bits.TestAndSet(5));
  EXPECT_TRUE(bits.Test(5));
  EXPECT_FALSE(bits.Test(4));
  EXPECT_FALSE(bits.Test(6));
}

TEST(SimBitset, CountsDistinctSetBitsOnly) {
  GrowableBitset bits;
  for (std::uint64_t index : {3u, 3u, 70u, 3u, 70u, 9u}) bits.TestAndSet(index);
  EXPECT_EQ(bits.count(), 3u);
}

TEST(SimBitset, BitsAtWordBoundariesAreIndependent) {
  // 63 and 64 are the last bit of word 0 and the first of word 1.
  GrowableBitset bits;
  bits.TestAndSet(63);
  EXPECT_FALSE(bits.Test(62));
  EXPECT_TRUE(bits.Test(63));
  EXPECT_FALSE(bits.Test(64));
  bits.TestAndSet(64);
  bits.TestAndSet(0);
  EXPECT_TRUE(bits.Test(0));
  EXPECT_TRUE(bits.Test(64));
  EXPECT_FALSE(bits.Test(65));
  EXPECT_EQ(bits.count(), 3u);
}

TEST(SimBitset, GrowingKeepsTheBitsAlreadySet) {
  GrowableBitset bits;
  for (std::uint64_t i = 0; i < 200; i += 3) bits.TestAndSet(i);
  bits.TestAndSet(10'000'000);  // forces the words to grow far past the first ones

  for (std::uint64_t i = 0; i < 200; ++i) ASSERT_EQ(bits.Test(i), i % 3 == 0) << "bit " << i;
  EXPECT_TRUE(bits.Test(10'000'000));
  EXPECT_FALSE(bits.Test(9'999'999));
  EXPECT_EQ(bits.count(), 67u + 1u);  // 0, 3, ..., 198 is 67 bits
}

// --- Pool ---------------------------------------------------------------------------------

TEST(SimPool, HandsOutFreshSlotsInOrder) {
  Pool<int> pool;
  EXPECT_EQ(pool.Acquire(), 0u);
  EXPECT_EQ(pool.Acquire(), 1u);
  EXPECT_EQ(pool.Acquire(), 2u);
  EXPECT_EQ(pool.in_use(), 3u);
  EXPECT_EQ(pool.capacity(), 3u);
}

TEST(SimPool, ReusesReleasedSlotsLastInFirstOut) {
  Pool<int> pool;
  for (int i = 0; i < 4; ++i) pool.Acquire();
  pool.Release(1);
  pool.Release(3);
  pool.Release(0);
  EXPECT_EQ(pool.in_use(), 1u);

  EXPECT_EQ(pool.Acquire(), 0u);
  EXPECT_EQ(pool.Acquire(), 3u);
  EXPECT_EQ(pool.Acquire(), 1u);
  EXPECT_EQ(pool.Acquire(), 4u);  // the free list is empty again: a new slot
  EXPECT_EQ(pool.capacity(), 5u);
  EXPECT_EQ(pool.in_use(), 5u);
}

TEST(SimPool, ReusedObjectsKeepTheirPreviousState) {
  // The documented contract: callers reset what they use, and vectors keep their capacity.
  Pool<std::vector<int>> pool;
  const std::uint32_t slot = pool.Acquire();
  pool[slot].assign(100, 7);
  pool.Release(slot);

  ASSERT_EQ(pool.Acquire(), slot);
  EXPECT_EQ(pool[slot].size(), 100u);
  EXPECT_GE(pool[slot].capacity(), 100u);
}

TEST(SimPool, ReferencesStayValidWhileOtherSlotsAreAcquired) {
  Pool<std::string> pool;
  const std::uint32_t first = pool.Acquire();
  std::string& kept = pool[first];
  kept = "a payload long enough to live on the heap, not in the small buffer";
  const std::string* address = &kept;

  for (int i = 0; i < 100'000; ++i) pool[pool.Acquire()] = "filler";

  EXPECT_EQ(&pool[first], address);
  EXPECT_EQ(kept, "a payload long enough to live on the heap, not in the small buffer");
}

}  // namespace
}  // namespace deliverysim::sim
