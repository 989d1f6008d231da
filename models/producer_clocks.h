// The wall clocks of the scenario's producers, which read simulated time plus whatever offset
// the scenario's clock-skew faults gave them (ClockSkewFault). A producer stamps each event with
// its clock's reading at the intent, as a Kafka producer's CreateTime timestamp is its own clock.
//
// The timestamp is not stored in Record: it is a pure function of the producer and the intent
// time, so a reader computes it here, and the log keeps its 40-byte records.
//
//   ProducerClocks clocks(scenario);
//   sim::Time stamped = clocks.Timestamp(record.id.producer, record.intent_time);
#pragma once

#include <cstdint>
#include <vector>

#include "models/scenario.h"
#include "sim/time.h"

namespace deliverysim::models {

class ProducerClocks {
 public:
  explicit ProducerClocks(const Scenario& scenario);

  // What producer `producer`'s clock read at simulated time `at`: `at` plus the offset of the
  // latest skew fault on it that began at or before `at`. A producer that is not one of the
  // scenario's (a forwarding client) has an exact clock.
  sim::Time Timestamp(std::uint32_t producer, sim::Time at) const;

 private:
  struct Step {
    sim::Time from;
    sim::Time offset;
  };
  std::vector<std::vector<Step>> steps_;  // per producer, by `from`, ties in scenario order
};

}  // namespace deliverysim::models
