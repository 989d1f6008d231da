#include "models/schema_registry.h"

namespace deliverysim::models {

SchemaRegistry::SchemaRegistry(const Scenario& scenario) {
  for (const ProducerConfig& producer : scenario.producers) {
    change_of_producer_.push_back(producer.schema_change);
  }
}

SchemaRead SchemaRegistry::Read(const ConsumerGroupConfig& group, const Record& record) const {
  const bool v2 = record.schema_version == 2;
  if (v2 ? group.reads_schema_v2 : group.reads_schema_v1) return SchemaRead::kAsWritten;
  // A producer that never changed schema broke nothing: its v1 reads as a v2 with defaults.
  const SchemaChange change = record.id.producer < change_of_producer_.size()
                                  ? change_of_producer_[record.id.producer]
                                  : SchemaChange::kNone;
  if (change == SchemaChange::kBreaking) return SchemaRead::kUnreadable;
  return v2 ? SchemaRead::kAsOlderVersion : SchemaRead::kAsWritten;
}

}  // namespace deliverysim::models
