// What a consumer group can make of an event's schema version, as a schema registry's
// compatibility rules decide it (Confluent Schema Registry's terms in brackets):
//   - a version the group's code reads is read as written;
//   - an additive v2 read by v1-only code is read as v1, its added fields ignored (forward
//     compatible), and a v1 event read by v2-only code gets the added fields' defaults
//     (backward compatible);
//   - after a breaking change, a version the code does not read cannot be deserialised.
//
//   SchemaRegistry registry(scenario);
//   if (registry.Read(group, record) == SchemaRead::kUnreadable) { /* dead-letter it */ }
#pragma once

#include <vector>

#include "models/message.h"
#include "models/scenario.h"

namespace deliverysim::models {

enum class SchemaRead {
  kAsWritten,       // the group's code knows the version, or reads v1 as a v2 with defaults
  kAsOlderVersion,  // an additive v2 read by code that knows only v1
  kUnreadable,      // a breaking change the group's code does not read
};

class SchemaRegistry {
 public:
  explicit SchemaRegistry(const Scenario& scenario);

  SchemaRead Read(const ConsumerGroupConfig& group, const Record& record) const;

 private:
  std::vector<SchemaChange> change_of_producer_;  // by producer index
};

}  // namespace deliverysim::models
