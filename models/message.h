// Messages as the models see them. A message is one business event a producer's application
// committed to publish; retries and redeliveries carry the same MessageId.
#pragma once

#include <cstdint>

#include "sim/time.h"

namespace deliverysim::models {

// Identifies a message by its producer and the producer's running count, so that adding a
// producer never renumbers another producer's messages.
struct MessageId {
  std::uint32_t producer = 0;
  std::uint32_t number = 0;

  friend bool operator==(MessageId, MessageId) = default;
};

// Messages published without a key carry this key; they have no per-key order to keep.
inline constexpr std::uint32_t kNoKey = UINT32_MAX;

// A message that belongs to no business flow (see Scenario::flows) carries this flow number.
inline constexpr std::uint32_t kNoFlow = UINT32_MAX;

// Event types are indices into Scenario::event_types; a message with no declared type has 0.
using EventType = std::uint16_t;
inline constexpr EventType kUntypedEvent = 0;

// A log entry is a message, or a transaction marker that takes an offset but carries none.
enum class RecordKind : std::uint8_t { kData, kCommitMarker, kAbortMarker };

// One entry of a partition's log: the message and what a consumer needs to process it.
struct Record {
  MessageId id;
  std::uint32_t key = kNoKey;
  std::uint32_t sequence = 0;     // position of this message among its key's messages
  sim::Time intent_time = 0;      // when the producer's application committed to publish it
  std::uint64_t transaction = 0;  // the producer's transaction; 0 outside transactions
  RecordKind kind = RecordKind::kData;
  // The schema version the producer serialised the event with (ProducerConfig::schema_change);
  // it fills a byte that alignment left free.
  std::uint8_t schema_version = 1;
  EventType event_type = kUntypedEvent;
  std::uint32_t flow = kNoFlow;  // the business flow instance this event belongs to
};

// A log lives in memory as records; the fields above fit in five words.
static_assert(sizeof(Record) <= 40);

}  // namespace deliverysim::models
