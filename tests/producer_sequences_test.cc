// The broker's memory of an idempotent producer's batches, checked against the rules of
// Kafka's enable.idempotence: append the next sequence, drop a retry of one of the last five
// batches (answering with its offset), refuse a gap.
#include "models/producer_sequences.h"

#include <gtest/gtest.h>

namespace deliverysim::models {
namespace {

using Verdict = ProducerSequences::Verdict;

TEST(ProducerSequences, AppendsInOrderDropsRetriesAndRefusesGaps) {
  ProducerSequences sequences;
  EXPECT_EQ(sequences.Check(0, 0, 7, 0, 3).verdict, Verdict::kAppend);  // sequences 0-2
  sequences.Appended(0, 0, 7, 0, 3, /*offset=*/100);
  EXPECT_EQ(sequences.Check(0, 0, 7, 5, 2).verdict, Verdict::kGap);  // 3 and 4 missing
  const auto retry = sequences.Check(0, 0, 7, 0, 3);
  EXPECT_EQ(retry.verdict, Verdict::kDuplicate);
  EXPECT_EQ(retry.offset, 100);
  EXPECT_EQ(sequences.Check(0, 0, 7, 3, 2).verdict, Verdict::kAppend);
}

TEST(ProducerSequences, KeepsEachProducerAndPartitionApart) {
  ProducerSequences sequences;
  sequences.Appended(0, 0, 7, 0, 1, 0);
  EXPECT_EQ(sequences.Check(0, 1, 7, 0, 1).verdict, Verdict::kAppend);  // another partition
  EXPECT_EQ(sequences.Check(0, 0, 8, 0, 1).verdict, Verdict::kAppend);  // another producer
  EXPECT_EQ(sequences.Check(1, 0, 7, 0, 1).verdict, Verdict::kAppend);  // another topic
}

TEST(ProducerSequences, RemembersOnlyTheLastFiveBatchesOffsets) {
  ProducerSequences sequences;
  for (int batch = 0; batch < 6; ++batch) sequences.Appended(0, 0, 7, batch, 1, 10 + batch);
  // Batch 0 fell out of the five kept: still a duplicate, but its offset is forgotten.
  EXPECT_EQ(sequences.Check(0, 0, 7, 0, 1).verdict, Verdict::kDuplicate);
  EXPECT_EQ(sequences.Check(0, 0, 7, 0, 1).offset, -1);
  EXPECT_EQ(sequences.Check(0, 0, 7, 1, 1).offset, 11);
}

}  // namespace
}  // namespace deliverysim::models
