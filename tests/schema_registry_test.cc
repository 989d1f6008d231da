// What a group's code makes of each schema version, by the kind of change (table-driven).
#include "models/schema_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/scenario.h"

namespace deliverysim::models {
namespace {

struct Case {
  const char* label;
  SchemaChange change;
  bool reads_v1, reads_v2;
  std::uint8_t version;
  SchemaRead expected;
};

const std::vector<Case> kCases = {
    {"V1ReaderReadsV1", SchemaChange::kBreaking, true, false, 1, SchemaRead::kAsWritten},
    {"V1ReaderReadsAdditiveV2AsV1", SchemaChange::kAdditive, true, false, 2,
     SchemaRead::kAsOlderVersion},
    {"V1ReaderCannotReadBreakingV2", SchemaChange::kBreaking, true, false, 2,
     SchemaRead::kUnreadable},
    {"V2ReaderReadsAdditiveV1WithDefaults", SchemaChange::kAdditive, false, true, 1,
     SchemaRead::kAsWritten},
    {"V2ReaderCannotReadBreakingV1", SchemaChange::kBreaking, false, true, 1,
     SchemaRead::kUnreadable},
    {"V2ReaderReadsV1OfAProducerThatNeverChanged", SchemaChange::kNone, false, true, 1,
     SchemaRead::kAsWritten},
    {"BothReaderReadsBreakingV2", SchemaChange::kBreaking, true, true, 2, SchemaRead::kAsWritten},
};

class SchemaRegistryReads : public ::testing::TestWithParam<Case> {};

TEST_P(SchemaRegistryReads, AsTheChangeAllows) {
  const Case& c = GetParam();
  Scenario scenario;
  scenario.producers.resize(1);
  scenario.producers[0].schema_change = c.change;
  ConsumerGroupConfig group;
  group.reads_schema_v1 = c.reads_v1;
  group.reads_schema_v2 = c.reads_v2;
  Record record;
  record.schema_version = c.version;
  EXPECT_EQ(SchemaRegistry(scenario).Read(group, record), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, SchemaRegistryReads, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.label); });

}  // namespace
}  // namespace deliverysim::models
