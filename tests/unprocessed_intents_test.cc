#include "models/unprocessed_intents.h"

#include <gtest/gtest.h>

namespace deliverysim::models {
namespace {

TEST(UnprocessedIntents, OldestIsTheFirstNotYetProcessed) {
  UnprocessedIntents intents;
  sim::GrowableBitset processed;
  for (std::uint32_t n = 0; n < 4; ++n) intents.Add(n, 100 + n, processed, n + 1);
  processed.TestAndSet(0);
  processed.TestAndSet(2);
  EXPECT_EQ(intents.OldestIntentTime(processed), 101);
  processed.TestAndSet(1);
  EXPECT_EQ(intents.OldestIntentTime(processed), 103);
  processed.TestAndSet(3);
  EXPECT_EQ(intents.OldestIntentTime(processed), -1);
}

TEST(UnprocessedIntents, ALostMessageDoesNotMakeMemoryGrowWithTheRun) {
  // Message 0 is never processed; every later one is processed right after its intent.
  UnprocessedIntents intents;
  sim::GrowableBitset processed;
  for (std::uint32_t n = 0; n < 100'000; ++n) {
    intents.Add(n, n, processed, n == 0 ? 1 : 2);
    if (n > 0) processed.TestAndSet(n);
  }
  EXPECT_EQ(intents.OldestIntentTime(processed), 0);
  EXPECT_LE(intents.stored(), 2u * 1 + 64 + 1);
}

}  // namespace
}  // namespace deliverysim::models
