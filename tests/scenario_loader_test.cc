// The scenario loader's contract: a valid file becomes a models::Scenario with Kafka's defaults
// where the file is silent, and every bad file becomes an Error that names the file, the line and
// column, the key, and what is allowed. Never a crash, never a silent default.
//
// The rejection tables break one thing in kBase and state exactly where the error points.
#include "app/scenario_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/scenario.h"
#include "sim/distribution.h"
#include "sim/time.h"

namespace deliverysim {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A valid scenario. Its lines, for the expected positions below:
//    1 name         4-5 topic orders      8 producers         12 consumers
//    2 duration     6-7 topic refunds     9-11 producer shop  13-17 group billing (2 instances)
//    3 topics
// Text appended to it starts on line 18.
constexpr std::string_view kBase =
    "name: test\n"
    "duration: 10s\n"
    "topics:\n"
    "  - name: orders\n"
    "    partitions: 3\n"
    "  - name: refunds\n"
    "    partitions: 1\n"
    "producers:\n"
    "  - name: shop\n"
    "    topic: orders\n"
    "    rate: 100/s\n"
    "consumers:\n"
    "  - group: billing\n"
    "    topic: orders\n"
    "    instances: 2\n"
    "    processing: const(1ms)\n"
    "    commit: after-processing\n";

// kBase with `text` added at the end.
std::string Append(std::string_view text) { return std::string(kBase) + std::string(text); }

// kBase with its one occurrence of `from` replaced by `to`. A `from` that is not in kBase leaves
// kBase valid, which fails the test that expected a rejection.
std::string Replace(std::string_view from, std::string_view to) {
  std::string text(kBase);
  const std::size_t at = text.find(from);
  if (at == std::string::npos || text.find(from, at + 1) != std::string::npos) return text;
  return text.replace(at, from.size(), to);
}

app::Result<models::Scenario> Load(const std::string& text) {
  return app::LoadScenarioText(text, "test.yaml");
}

// One kind of bad input and the error it must give.
struct BadInput {
  std::string label;  // the test's name
  std::string text;
  int line;
  int column;
  std::string key;                 // Error::key: the path to the offending key
  std::vector<std::string> words;  // each appears in Error::message
};

BadInput Bad(std::string label, std::string text, int line, int column, std::string key,
             std::vector<std::string> words) {
  return {std::move(label), std::move(text), line, column, std::move(key), std::move(words)};
}

void PrintTo(const BadInput& input, std::ostream* out) { *out << input.label; }

class ScenarioLoaderRejects : public ::testing::TestWithParam<BadInput> {};

TEST_P(ScenarioLoaderRejects, NamingFileLineColumnKeyAndReason) {
  const BadInput& input = GetParam();
  const app::Result<models::Scenario> loaded = Load(input.text);
  ASSERT_FALSE(loaded.ok()) << "accepted:\n" << input.text;
  const app::Error& error = loaded.error();
  EXPECT_EQ(error.file, "test.yaml");
  EXPECT_EQ(error.line, input.line);
  EXPECT_EQ(error.column, input.column);
  EXPECT_EQ(error.key, input.key);
  for (const std::string& word : input.words) EXPECT_THAT(error.message, HasSubstr(word));
  const std::string position =
      "test.yaml:" + std::to_string(input.line) + ":" + std::to_string(input.column) + ": ";
  EXPECT_THAT(error.ToString(),
              StartsWith(input.key.empty() ? position : position + input.key + ": "));
}

std::string Label(const ::testing::TestParamInfo<BadInput>& info) { return info.param.label; }

const std::vector<BadInput> kMalformedYaml = {
    // Just after 'orders', where the text runs out; yaml-cpp alone says 4:1, past the last line.
    Bad("UnclosedBracket", "name: test\nduration: 10s\ntopics: [orders\n", 3, 16, "",
        {"not valid YAML", "end of sequence flow not found"}),
    // yaml-cpp alone says 3:1 here.
    Bad("UnclosedBracketWithoutFinalNewline", "name: test\nduration: 10s\ntopics: [orders", 3, 16,
        "", {"not valid YAML", "end of sequence flow not found"}),
    Bad("UnclosedBracketBeforeBlankLines", "name: test\ntopics: [orders\n\n  \n", 2, 16, "",
        {"not valid YAML", "end of sequence flow not found"}),
    // ' duration' continues the plain scalar 'test', so its ':' cannot start a value.
    Bad("KeyIndentedUnderAScalar", "name: test\n duration: 10s\n", 2, 10, "",
        {"not valid YAML", "illegal map value"}),
    Bad("KeyIndentedLessThanItsSiblings", Replace("    partitions: 3\n", "   partitions: 3\n"), 5,
        4, "", {"not valid YAML", "end of sequence not found"}),
    Bad("TabIndentation", "name: test\n\tduration: 10s\n", 2, 1, "", {"not valid YAML", "tab"}),
    Bad("UndefinedAlias", "name: *other\n", 1, 7, "", {"not valid YAML", "anchor is not defined"}),
    Bad("EmptyFile", "", 1, 1, "", {"the file is empty", "name, duration and topics"}),
    Bad("OnlyComments", "# to do\n", 1, 1, "", {"the file is empty"}),
    Bad("ListAtTopLevel", "- name: test\n", 1, 1, "", {"expected a map"}),
    Bad("SecondDocument", Append("---\nname: other\n"), 19, 1, "", {"one YAML document"}),
};
INSTANTIATE_TEST_SUITE_P(ScenarioLoaderMalformedYaml, ScenarioLoaderRejects,
                         ::testing::ValuesIn(kMalformedYaml), Label);

const std::vector<BadInput> kUnknownKeys = {
    Bad("AtTopLevel", Append("partitons: 3\n"), 18, 1, "partitons",
        {"unknown key; allowed: name, description, seed, duration, drain, sample_interval, broker, "
         "topics, producers, consumers, flows, network, faults"}),
    Bad("NearMissAtTopLevel", Replace("duration: 10s", "durration: 10s"), 2, 1, "durration",
        {"did you mean 'duration'?"}),
    Bad("InATopic", Replace("partitions: 3", "partitons: 3"), 5, 5, "topics[0].partitons",
        {"unknown key (did you mean 'partitions'?); allowed: name, partitions"}),
    Bad("InAProducer", Replace("rate: 100/s\n", "rate: 100/s\n    ack: all\n"), 12, 5,
        "producers[0].ack",
        {"did you mean 'acks'?",
         "allowed: name, topic, rate, arrivals, keys, key_popularity, acks, "
         "max_attempts, request_timeout, retry_backoff"}),
    Bad("InAConsumerGroup", Append("    sesion_timeout: 10s\n"), 18, 5,
        "consumers[0].sesion_timeout",
        {"did you mean 'session_timeout'?",
         "allowed: group, topic, instances, processing, commit, auto_commit_interval, "
         "max_poll_records, fetch_max_wait, session_timeout, request_timeout, auto_offset_reset"}),
    Bad("InTheBroker", Append("broker:\n  knd: log\n"), 19, 3, "broker.knd",
        {"did you mean 'kind'?", "allowed: kind, initial_rebalance_delay"}),
    Bad("InTheNetwork", Append("network:\n  latncy: 1ms\n"), 19, 3, "network.latncy",
        {"did you mean 'latency'?", "allowed: latency, links"}),
    Bad("InANetworkLink",
        Append("network:\n  links:\n    - link: shop -> broker\n      los: 0.1\n"), 21, 7,
        "network.links[0].los",
        {"did you mean 'loss'?", "allowed: link, latency, loss, duplicate"}),
    Bad("InACrashFault", Append("faults:\n  - crash: billing-1\n    at: 1s\n    restart: 2s\n"), 21,
        5, "faults[0].restart", {"unknown key; allowed: crash, at, step, after, restart_after"}),
    Bad("InALinkFault", Append("faults:\n  - link: shop -> broker\n    los: 0.5\n"), 20, 5,
        "faults[0].los",
        {"did you mean 'loss'?", "allowed: link, from, until, loss, duplicate, delay"}),
    Bad("MisspeltFaultKind", Append("faults:\n  - crsh: billing-1\n    at: 1s\n"), 19, 5,
        "faults[0].crsh", {"did you mean 'crash'?"}),
    Bad("FaultOfNeitherKind", Append("faults:\n  - at: 1s\n"), 19, 5, "faults[0]",
        {"a fault needs 'crash'", "'link' (trouble on a link) or 'clock'"}),
    Bad("ListAsAKey", Append("? [a, b]\n: 1\n"), 18, 3, "", {"a key must be a single word"}),
};
INSTANTIATE_TEST_SUITE_P(ScenarioLoaderUnknownKey, ScenarioLoaderRejects,
                         ::testing::ValuesIn(kUnknownKeys), Label);

const std::vector<BadInput> kKeysGivenTwice = {
    Bad("AtTopLevel", Append("duration: 20s\n"), 18, 1, "duration", {"key given twice"}),
    Bad("InATopic", Replace("partitions: 3\n", "partitions: 3\n    partitions: 4\n"), 6, 5,
        "topics[0].partitions", {"key given twice"}),
};
INSTANTIATE_TEST_SUITE_P(ScenarioLoaderDuplicateKey, ScenarioLoaderRejects,
                         ::testing::ValuesIn(kKeysGivenTwice), Label);

// A missing key is reported at the map that lacks it.
const std::vector<BadInput> kMissingKeys = {
    Bad("Name", Replace("name: test\n", ""), 1, 1, "", {"missing required key 'name'"}),
    Bad("Duration", Replace("duration: 10s\n", ""), 1, 1, "", {"missing required key 'duration'"}),
    Bad("Topics", "name: test\nduration: 10s\n", 1, 1, "", {"missing required key 'topics'"}),
    Bad("TopicName", Replace("  - name: orders\n    partitions: 3\n", "  - partitions: 3\n"), 4, 5,
        "topics[0]", {"missing required key 'name'"}),
    Bad("TopicPartitions", Replace("    partitions: 3\n", ""), 4, 5, "topics[0]",
        {"missing required key 'partitions'"}),
    Bad("ProducerTopic", Replace("    topic: orders\n    rate", "    rate"), 9, 5, "producers[0]",
        {"missing required key 'topic'"}),
    Bad("ProducerRate", Replace("    rate: 100/s\n", ""), 9, 5, "producers[0]",
        {"missing required key 'rate'"}),
    Bad("ConsumerInstances", Replace("    instances: 2\n", ""), 13, 5, "consumers[0]",
        {"missing required key 'instances'"}),
    Bad("ConsumerProcessing", Replace("    processing: const(1ms)\n", ""), 13, 5, "consumers[0]",
        {"missing required key 'processing'"}),
    Bad("ConsumerCommit", Replace("    commit: after-processing\n", ""), 13, 5, "consumers[0]",
        {"missing required key 'commit'"}),
    Bad("CrashTime", Append("faults:\n  - crash: billing-1\n"), 19, 5, "faults[0]",
        {"missing required key 'at'"}),
    Bad("LinkOfANetworkLink", Append("network:\n  links:\n    - loss: 0.1\n"), 20, 7,
        "network.links[0]", {"missing required key 'link'"}),
    // yaml-cpp places an empty value at the next token (2:1 here); the key is where to look.
    Bad("ValueAfterTheColon", Replace("name: test", "name:"), 1, 1, "name", {"the value is empty"}),
    // yaml-cpp places it past the last line (19:1).
    Bad("ValueOnTheLastLine", Append("faults:\n"), 18, 1, "faults", {"expected a list"}),
};
INSTANTIATE_TEST_SUITE_P(ScenarioLoaderMissingKey, ScenarioLoaderRejects,
                         ::testing::ValuesIn(kMissingKeys), Label);

const std::vector<BadInput> kWrongTypes = {
    Bad("ListWhereANumberGoes", Replace("partitions: 3", "partitions: [1, 2]"), 5, 17,
        "topics[0].partitions", {"expected a single value, not a list or a map"}),
    Bad("MapWhereANameGoes", Replace("name: test", "name: {first: test}"), 1, 7, "name",
        {"expected a single value, not a list or a map"}),
    Bad("TextWhereANumberGoes", Replace("partitions: 3", "partitions: three"), 5, 17,
        "topics[0].partitions", {"expected a whole number from 1 to 10000, got 'three'"}),
    Bad("FractionWhereAWholeNumberGoes", Replace("instances: 2", "instances: 1.5"), 15, 16,
        "consumers[0].instances", {"expected a whole number from 1 to 1000, got '1.5'"}),
    Bad("TextWhereAProbabilityGoes",
        Append("network:\n  links:\n    - link: shop -> broker\n      loss: some\n"), 21, 13,
        "network.links[0].loss", {"expected a probability from 0 to 1, got 'some'"}),
    Bad("MapWhereAListGoes", Append("faults: {crash: shop, at: 1s}\n"), 18, 9, "faults",
        {"expected a list"}),
    Bad("TextWhereAMapGoes", Append("network: fast\n"), 18, 10, "network", {"expected a map"}),
    Bad("TextWhereAFaultGoes", Append("faults:\n  - shop\n"), 19, 5, "faults[0]",
        {"expected a map: a crash, leave, join, link or clock fault"}),
};
INSTANTIATE_TEST_SUITE_P(ScenarioLoaderWrongType, ScenarioLoaderRejects,
                         ::testing::ValuesIn(kWrongTypes), Label);

const std::vector<BadInput> kBadValues = {
    Bad("ZeroPartitions", Replace("partitions: 3", "partitions: 0"), 5, 17, "topics[0].partitions",
        {"from 1 to 10000, got '0'"}),
    Bad("NegativePartitions", Replace("partitions: 3", "partitions: -2"), 5, 17,
        "topics[0].partitions", {"from 1 to 10000, got '-2'"}),
    Bad("ZeroInstances", Replace("instances: 2", "instances: 0"), 15, 16, "consumers[0].instances",
        {"from 1 to 1000, got '0'"}),
    Bad("NegativeInstances", Replace("instances: 2", "instances: -1"), 15, 16,
        "consumers[0].instances", {"from 1 to 1000, got '-1'"}),
    Bad("ZeroDuration", Replace("duration: 10s", "duration: 0"), 2, 11, "duration",
        {"expected a duration above zero"}),
    Bad("NegativeDuration", Replace("duration: 10s", "duration: -10s"), 2, 11, "duration",
        {"a duration cannot be negative, got '-10s'"}),
    Bad("NegativeOptionalDuration", Append("    session_timeout: -5s\n"), 18, 22,
        "consumers[0].session_timeout", {"cannot be negative"}),
    Bad("DurationFinerThanANanosecond", Replace("duration: 10s", "duration: 0.5ns"), 2, 11,
        "duration", {"finer than a nanosecond", "got '0.5ns'"}),
    Bad("DurationWithoutAUnit", Replace("duration: 10s", "duration: 10"), 2, 11, "duration",
        {"a number with a unit: ns, us, ms, s, m or h", "got '10'"}),
    Bad("ProbabilityAboveOne",
        Append("network:\n  links:\n    - link: shop -> broker\n      loss: 1.5\n"), 21, 13,
        "network.links[0].loss", {"expected a probability from 0 to 1, got '1.5'"}),
    Bad("ZeroRate", Replace("rate: 100/s", "rate: 0/s"), 11, 11, "producers[0].rate",
        {"the rate must be above zero", "got '0/s'"}),
    Bad("RateInWords", Replace("rate: 100/s", "rate: fast"), 11, 11, "producers[0].rate",
        {"such as 500/s", "got 'fast'"}),
    Bad("RateAboveTenMillionPerSecond", Replace("rate: 100/s", "rate: 5/ns"), 11, 11,
        "producers[0].rate", {"at most 10000000/s per producer"}),
    // 9,000,000/s for 2000 s is 1.8e10 messages, over the 4e9 a run may publish.
    Bad("RunTooLargeToFinish",
        [] {
          std::string text = Replace("rate: 100/s", "rate: 9000000/s");
          return text.replace(text.find("10s"), 3, "2000s");
        }(),
        2, 11, "duration", {"about 1.8e+10 messages", "the limit is 4e9"}),
    Bad("RateBelowOneAnHour", Replace("rate: 100/s", "rate: 1/d"), 11, 11, "producers[0].rate",
        {"such as 500/s"}),
    Bad("RateOfOneADay", Replace("rate: 100/s", "rate: 0.5/h"), 11, 11, "producers[0].rate",
        {"at least 1/h"}),
    Bad("DurationAboveAThousandHours", Replace("duration: 10s", "duration: 1001h"), 2, 11,
        "duration", {"at most 1000h"}),
    Bad("KeysAboveTenMillion", Replace("rate: 100/s\n", "rate: 100/s\n    keys: 10000001\n"), 12,
        11, "producers[0].keys", {"from 1 to 10000000"}),
    Bad("TooManyInstancePartitions",
        [] {
          // 1000 instances x 10000 partitions reach the limit; one more instance passes it.
          std::string text = Replace("partitions: 3", "partitions: 10000");
          text.replace(text.find("instances: 2"), 12, "instances: 1000");
          return text +
                 "  - { group: audit, topic: orders, instances: 1, processing: 1ms,\n"
                 "      commit: inbox }\n";
        }(),
        18, 47, "consumers[1].instances", {"instances times partitions"}),
    Bad("LinkFaultThatChangesNothing", Append("faults:\n  - { link: shop -> broker }\n"), 19, 13,
        "faults[0].link", {"needs at least one of loss, duplicate or delay"}),
    Bad("ZeroKeys", Replace("rate: 100/s\n", "rate: 100/s\n    keys: 0\n"), 12, 11,
        "producers[0].keys", {"write 'none' for messages without keys"}),
    Bad("NoTopics",
        Replace("topics:\n  - name: orders\n    partitions: 3\n  - name: refunds\n"
                "    partitions: 1\n",
                "topics: []\n"),
        3, 9, "topics", {"at least one topic"}),
    Bad("UnknownCommitStrategy", Replace("commit: after-processing", "commit: exactly-once"), 17,
        13, "consumers[0].commit",
        {"unknown value 'exactly-once'; allowed: before-processing, after-processing, "
         "auto-commit-on-poll, auto-commit-timer, inbox"}),
    Bad("UnknownAcks", Replace("rate: 100/s\n", "rate: 100/s\n    acks: 2\n"), 12, 11,
        "producers[0].acks", {"unknown value '2'; allowed: 0, 1, all"}),
    Bad("UnknownArrivals", Replace("rate: 100/s\n", "rate: 100/s\n    arrivals: bursty\n"), 12, 15,
        "producers[0].arrivals", {"unknown value 'bursty'; allowed: constant, poisson"}),
    Bad("UnknownOffsetReset", Append("    auto_offset_reset: first\n"), 18, 24,
        "consumers[0].auto_offset_reset",
        {"unknown value 'first'; allowed: earliest, latest, none"}),
    Bad("UnknownBrokerKind", Append("broker:\n  kind: rabbitmq\n"), 19, 9, "broker.kind",
        {"unknown value 'rabbitmq'; allowed: log"}),
    Bad("UnknownDistribution", Replace("const(1ms)", "gamma(1ms)"), 16, 17,
        "consumers[0].processing",
        {"unknown distribution 'gamma'", "const(D), uniform(D1, D2), exp(MEAN)"}),
    Bad("ExponentialWithZeroMean", Replace("const(1ms)", "exp(0ms)"), 16, 17,
        "consumers[0].processing", {"a mean above zero", "got 'exp(0ms)'"}),
    Bad("UniformWithLowAboveHigh", Replace("const(1ms)", "uniform(3ms, 1ms)"), 16, 17,
        "consumers[0].processing", {"LOW <= HIGH", "got 'uniform(3ms, 1ms)'"}),
    Bad("LognormalWithNegativeSigma", Replace("const(1ms)", "lognormal(2ms, -0.5)"), 16, 17,
        "consumers[0].processing", {"SIGMA >= 0", "got 'lognormal(2ms, -0.5)'"}),
    Bad("KeyPopularityWithoutKeys",
        Replace("rate: 100/s\n", "rate: 100/s\n    key_popularity: zipf(1.1)\n"), 12, 21,
        "producers[0].key_popularity", {"key popularity needs keys"}),
    Bad("AcksZeroWithRetries",
        Replace("rate: 100/s\n", "rate: 100/s\n    acks: 0\n    max_attempts: 3\n"), 13, 19,
        "producers[0].max_attempts", {"with acks: 0", "use max_attempts: 1"}),
    Bad("ProducerRetryBesideRetryBackoff",
        Replace("rate: 100/s\n",
                "rate: 100/s\n    retry_backoff: 1s\n    retry: { backoff: fixed }\n"),
        13, 12, "producers[0].retry", {"give retry_backoff (a fixed wait) or retry, not both"}),
    Bad("ProducerRetryWithAcksZero",
        Replace("rate: 100/s\n", "rate: 100/s\n    acks: 0\n    retry: { backoff: fixed }\n"), 13,
        12, "producers[0].retry", {"with acks: 0", "nothing is retried"}),
    Bad("ProducerRetryCountsAttemptsElsewhere",
        Replace("rate: 100/s\n", "rate: 100/s\n    retry: { max_attempts: 3 }\n"), 12, 14,
        "producers[0].retry.max_attempts", {"unknown key", "allowed: backoff, base, cap, jitter"}),
    Bad("IdempotenceWithAcksOne",
        Replace("rate: 100/s\n", "rate: 100/s\n    acks: 1\n    idempotence: true\n"), 13, 18,
        "producers[0].idempotence", {"idempotence needs acks: all"}),
    Bad("IdempotenceWithSixInFlight",
        Replace("rate: 100/s\n", "rate: 100/s\n    max_in_flight: 6\n    idempotence: true\n"), 13,
        18, "producers[0].idempotence", {"max_in_flight at most 5"}),
    Bad("UnknownPartitioner", Replace("rate: 100/s\n", "rate: 100/s\n    partitioner: random\n"),
        12, 18, "producers[0].partitioner",
        {"unknown value 'random'; allowed: default, key-hash, round-robin, sticky, explicit"}),
    Bad("ExplicitPartitionerWithoutPartition",
        Replace("rate: 100/s\n", "rate: 100/s\n    partitioner: explicit\n"), 12, 18,
        "producers[0].partitioner", {"'partitioner: explicit' and 'partition: N' go together"}),
    Bad("PartitionWithoutExplicitPartitioner",
        Replace("rate: 100/s\n", "rate: 100/s\n    partition: 1\n"), 12, 16,
        "producers[0].partition", {"'partitioner: explicit' and 'partition: N' go together"}),
    Bad("DeliveryTimeoutShorterThanARequest",
        Replace("rate: 100/s\n", "rate: 100/s\n    delivery_timeout: 10s\n"), 12, 23,
        "producers[0].delivery_timeout", {"at least linger + request_timeout"}),
    Bad("UnknownPublishMode", Replace("rate: 100/s\n", "rate: 100/s\n    publish: cdc\n"), 12, 14,
        "producers[0].publish", {"unknown value 'cdc'; allowed: direct, dual-write, outbox"}),
    Bad("RelaySettingWithoutOutbox", Replace("rate: 100/s\n", "rate: 100/s\n    relay_batch: 10\n"),
        12, 18, "producers[0].relay_batch", {"relay settings go with publish: outbox"}),
    Bad("TransactionsWithoutIdempotence",
        Replace("rate: 100/s\n", "rate: 100/s\n    acks: 1\n    transactional_id: tx\n"), 13, 23,
        "producers[0].transactional_id", {"transactions need the idempotent producer"}),
    Bad("TransactionRecordsWithoutAnId",
        Replace("rate: 100/s\n", "rate: 100/s\n    transaction_records: 5\n"), 12, 26,
        "producers[0].transaction_records", {"goes with a transactional_id"}),
    Bad("TransactionalWithoutOutput", Replace("after-processing", "transactional"), 17, 13,
        "consumers[0].commit", {"name the output topic with produce_to"}),
    Bad("ForwardingIntoItsOwnTopic", Append("    produce_to: orders\n"), 18, 17,
        "consumers[0].produce_to", {"would loop forever"}),
    Bad("ForwardingToAnUnknownTopic", Append("    produce_to: shipments\n"), 18, 17,
        "consumers[0].produce_to", {"no topic called 'shipments'"}),
    Bad("UnknownIsolation", Append("    isolation: serializable\n"), 18, 16,
        "consumers[0].isolation",
        {"unknown value 'serializable'; allowed: read_uncommitted, read_committed"}),
    Bad("ZeroBatchSize", Replace("rate: 100/s\n", "rate: 100/s\n    batch_size: 0\n"), 12, 17,
        "producers[0].batch_size", {"from 1 to 1000000"}),
    Bad("LeaveWithRestartAfter",
        Append("faults:\n  - leave: billing-1\n    at: 1s\n    restart_after: 2s\n"), 21, 5,
        "faults[0].restart_after", {"unknown key", "rejoin_after"}),
    Bad("JoinWithoutATime", Append("faults:\n  - join: billing-1\n"), 19, 5, "faults[0]",
        {"missing", "at"}),
    Bad("RestartAfterZero",
        Append("faults:\n  - crash: billing-1\n    at: 1s\n    restart_after: 0\n"), 21, 20,
        "faults[0].restart_after", {"expected a duration above zero"}),
    Bad("LinkFaultEndingBeforeItStarts",
        Append("faults:\n  - link: shop -> broker\n    from: 5s\n    until: 2s\n"), 21, 12,
        "faults[0].until", {"'until' must come after 'from'"}),
    Bad("LinkWithoutArrow", Append("faults:\n  - link: shop broker\n    loss: 0.1\n"), 19, 11,
        "faults[0].link", {"expected 'FROM -> TO' or 'A <-> B'"}),
    Bad("UnknownCrashStep",
        Append("faults:\n  - crash: billing-1\n    step: mid-air\n    after: 1s\n"), 20, 11,
        "faults[0].step", {"unknown value 'mid-air'; allowed: before-effect"}),
};
INSTANTIATE_TEST_SUITE_P(ScenarioLoaderBadValue, ScenarioLoaderRejects,
                         ::testing::ValuesIn(kBadValues), Label);

const std::vector<BadInput> kBadReferences = {
    Bad("ProducerTopicUndefined",
        Replace("  - name: shop\n    topic: orders", "  - name: shop\n    topic: order"), 10, 12,
        "producers[0].topic", {"no topic called 'order'; defined topics: orders, refunds"}),
    Bad("GroupTopicUndefined",
        Replace("  - group: billing\n    topic: orders", "  - group: billing\n    topic: payments"),
        14, 12, "consumers[0].topic",
        {"no topic called 'payments'; defined topics: orders, refunds"}),
    Bad("TopicDefinedTwice", Replace("name: refunds", "name: orders"), 6, 11, "topics[1].name",
        {"topic 'orders' is defined twice"}),
    Bad("ProducerAndGroupWithOneName", Replace("name: shop", "name: billing"), 13, 12,
        "consumers[0].group", {"the name 'billing' is already taken"}),
    Bad("ProducerNamedLikeAnInstance", Replace("name: shop", "name: billing-2"), 13, 12,
        "consumers[0].group", {"the name 'billing-2' is already taken"}),
    Bad("ProducerNamedBroker", Replace("name: shop", "name: broker"), 9, 11, "producers[0].name",
        {"the name 'broker' is already taken"}),
    Bad("ExplicitPartitionOutOfRange",
        Replace("rate: 100/s\n", "rate: 100/s\n    partitioner: explicit\n    partition: 3\n"), 13,
        16, "producers[0].partition", {"topic 'orders' has partitions 0 to 2"}),
    Bad("LeaveOfAProducer", Append("faults:\n  - leave: shop\n    at: 1s\n"), 19, 12,
        "faults[0].leave", {"no consumer instance called 'shop'; allowed: billing-1 to billing-2"}),
    Bad("JoinTwice",
        Append("faults:\n  - join: billing-2\n    at: 1s\n  - join: billing-2\n    at: 2s\n"), 21,
        11, "faults[1].join", {"'billing-2' already joins late"}),
    Bad("ForwardingLoop",
        Append("    produce_to: refunds\n  - group: audit\n    topic: refunds\n    instances: 1\n"
               "    processing: const(1ms)\n    commit: after-processing\n"
               "    produce_to: orders\n"),
        18, 17, "consumers[0].produce_to", {"leads back to 'orders'"}),
    Bad("CrashOfAnUnknownComponent", Append("faults:\n  - crash: billing-3\n    at: 1s\n"), 19, 12,
        "faults[0].crash",
        {"no producer or consumer instance called 'billing-3'; allowed: shop, billing-1 to "
         "billing-2"}),
    Bad("CrashOfAGroupRatherThanAnInstance", Append("faults:\n  - crash: billing\n    at: 1s\n"),
        19, 12, "faults[0].crash", {"no producer or consumer instance called 'billing'"}),
    Bad("StepCrashOnAProducer",
        Append("faults:\n  - crash: shop\n    step: before-effect\n    after: 1s\n"), 20, 11,
        "faults[0].step",
        {"this step belongs to consumer instances; 'shop' is a producer",
         "its steps: after-db-commit, after-publish"}),
    Bad("ProducerStepOnAnInstance",
        Append("faults:\n  - crash: billing-1\n    step: after-db-commit\n    after: 1s\n"), 20, 11,
        "faults[0].step",
        {"'after-db-commit' strikes producers and the instances of services (groups with "
         "'handles' or made by a flow)"}),
    Bad("AfterPublishWithoutOutbox",
        Append("faults:\n  - crash: shop\n    step: after-publish\n    after: 1s\n"), 20, 11,
        "faults[0].step",
        {"'after-publish' needs a producer with publish: outbox; 'shop' has publish: direct"}),
    Bad("AtWithStep",
        Append("faults:\n  - crash: billing-1\n    step: before-effect\n    at: 1s\n"), 21, 9,
        "faults[0].at", {"write 'after: T' instead of 'at: T'"}),
    Bad("AfterWithoutStep", Append("faults:\n  - crash: billing-1\n    after: 1s\n"), 20, 12,
        "faults[0].after", {"'after' goes with 'step'"}),
    Bad("LinkFaultWithoutBroker", Append("faults:\n  - link: shop -> billing\n    loss: 0.1\n"), 19,
        11, "faults[0].link", {"one end must be 'broker'"}),
    Bad("LinkFaultToAnUnknownComponent",
        Append("faults:\n  - link: shop -> brokr\n    loss: 0.1\n"), 19, 11, "faults[0].link",
        {"no component called 'brokr'; allowed: broker, shop, billing, billing-1 to billing-2"}),
    Bad("NetworkLinkToAnUnknownComponent",
        Append("network:\n  links:\n    - link: shp -> broker\n      loss: 0.1\n"), 20, 13,
        "network.links[0].link", {"no component called 'shp'"}),
    Bad("NetworkLinkWithoutBroker",
        Append("network:\n  links:\n    - link: shop <-> billing-1\n      loss: 0.1\n"), 20, 13,
        "network.links[0].link", {"one end must be 'broker'"}),
};
INSTANTIATE_TEST_SUITE_P(ScenarioLoaderReference, ScenarioLoaderRejects,
                         ::testing::ValuesIn(kBadReferences), Label);

TEST(ScenarioLoaderFile, MissingFileIsNamedInTheError) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "deliverysim-no-such-scenario.yaml").string();
  const app::Result<models::Scenario> loaded = app::LoadScenarioFile(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().file, path);
  EXPECT_EQ(loaded.error().ToString(), path + ": cannot open the file for reading");
}

TEST(ScenarioLoaderFile, DirectoryIsNotTakenForAnEmptyFile) {
  const std::string path = std::string(DELIVERYSIM_SOURCE_DIR) + "/scenarios";
  const app::Result<models::Scenario> loaded = app::LoadScenarioFile(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().ToString(), path + ": is a directory, not a scenario file");
}

TEST(ScenarioLoaderFile, ErrorsNameTheFileTheyCameFrom) {
  const app::Result<models::Scenario> loaded =
      app::LoadScenarioText("name: test\n", "scenarios/mine.yaml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().ToString(), "scenarios/mine.yaml:1:1: missing required key 'duration'");
}

TEST(ScenarioLoaderBundled, EveryScenarioFileLoads) {
  const std::filesystem::path folder = std::filesystem::path(DELIVERYSIM_SOURCE_DIR) / "scenarios";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const app::Result<models::Scenario> loaded = app::LoadScenarioFile(entry.path().string());
    EXPECT_TRUE(loaded.ok()) << loaded.error().ToString();
  }
  EXPECT_GE(files, 3);
}

// The base as loaded: what each key of kBase became.
TEST(ScenarioLoaderValues, BaseIsReadKeyByKey) {
  const app::Result<models::Scenario> loaded = Load(std::string(kBase));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const models::Scenario& scenario = loaded.value();
  EXPECT_EQ(scenario.name, "test");
  EXPECT_EQ(scenario.duration, 10 * sim::kSecond);
  ASSERT_EQ(scenario.topics.size(), 2u);
  EXPECT_EQ(scenario.topics[0].name, "orders");
  EXPECT_EQ(scenario.topics[0].partitions, 3u);
  ASSERT_EQ(scenario.producers.size(), 1u);
  EXPECT_EQ(scenario.producers[0].name, "shop");
  EXPECT_EQ(scenario.producers[0].topic, "orders");
  EXPECT_DOUBLE_EQ(scenario.producers[0].rate_per_second, 100.0);
  ASSERT_EQ(scenario.consumers.size(), 1u);
  EXPECT_EQ(scenario.consumers[0].group, "billing");
  EXPECT_EQ(scenario.consumers[0].instances, 2u);
  EXPECT_EQ(scenario.consumers[0].processing.kind(), sim::Distribution::Kind::kConstant);
  EXPECT_DOUBLE_EQ(scenario.consumers[0].processing.a(), 1e6);
  EXPECT_EQ(scenario.consumers[0].commit, models::CommitStrategy::kAfterProcessing);
}

TEST(ScenarioLoaderDefaults, TopLevelDefaults) {
  const app::Result<models::Scenario> loaded = Load(std::string(kBase));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const models::Scenario& scenario = loaded.value();
  EXPECT_EQ(scenario.seed, 1u);
  EXPECT_EQ(scenario.drain, 0);
  EXPECT_EQ(scenario.sample_interval, 100 * sim::kMillisecond);
  EXPECT_EQ(scenario.initial_rebalance_delay, 3 * sim::kSecond);  // Kafka's default
  EXPECT_EQ(scenario.network.latency.kind(), sim::Distribution::Kind::kConstant);
  EXPECT_DOUBLE_EQ(scenario.network.latency.a(), 1e6);
  EXPECT_TRUE(scenario.network.links.empty());
  EXPECT_TRUE(scenario.crashes.empty());
  EXPECT_TRUE(scenario.link_faults.empty());
}

TEST(ScenarioLoaderDefaults, ConsumerDefaultsAreKafkas) {
  const app::Result<models::Scenario> loaded = Load(std::string(kBase));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const models::ConsumerGroupConfig& group = loaded.value().consumers[0];
  EXPECT_EQ(group.session_timeout, 45 * sim::kSecond);
  EXPECT_EQ(group.auto_commit_interval, 5 * sim::kSecond);
  EXPECT_EQ(group.max_poll_records, 500u);
  EXPECT_EQ(group.fetch_max_wait, 500 * sim::kMillisecond);
  EXPECT_EQ(group.request_timeout, 30 * sim::kSecond);
  EXPECT_EQ(group.auto_offset_reset, models::OffsetReset::kLatest);
}

TEST(ScenarioLoaderDefaults, ProducerDefaultsAreKafkas) {
  const app::Result<models::Scenario> loaded = Load(std::string(kBase));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const models::ProducerConfig& producer = loaded.value().producers[0];
  EXPECT_EQ(producer.acks, -1);          // all
  EXPECT_EQ(producer.max_attempts, 0u);  // unlimited
  EXPECT_EQ(producer.request_timeout, 30 * sim::kSecond);
  EXPECT_EQ(producer.retry_backoff, 100 * sim::kMillisecond);
  EXPECT_EQ(producer.arrivals, models::Arrivals::kConstant);
  EXPECT_EQ(producer.keys, 0u);
  EXPECT_EQ(producer.zipf_exponent, 0.0);
  // Kafka 4.0: linger.ms 5, max.in.flight.requests.per.connection 5, delivery.timeout.ms
  // 120000, enable.idempotence true (acks=all and unlimited retries allow it). Batch size is
  // counted in records here; 16 stands for Kafka's 16 KiB of 1 KiB records.
  EXPECT_EQ(producer.linger, 5 * sim::kMillisecond);
  EXPECT_EQ(producer.max_in_flight, 5u);
  EXPECT_EQ(producer.delivery_timeout, 120 * sim::kSecond);
  EXPECT_EQ(producer.batch_size, 16u);
  EXPECT_TRUE(producer.idempotence);
  EXPECT_EQ(producer.partitioner, models::Partitioner::kDefault);
}

TEST(ScenarioLoaderDefaults, IdempotenceQuietlyOffWhenSettingsConflict) {
  // As in Kafka 3.2+: the default gives way to acks other than all, to retries off, and to
  // more than five requests in flight, without an error.
  for (const char* setting : {"acks: 1", "acks: 0", "max_attempts: 1", "max_in_flight: 6"}) {
    const app::Result<models::Scenario> loaded =
        Load(Replace("rate: 100/s\n", std::string("rate: 100/s\n    ") + setting + "\n"));
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    EXPECT_FALSE(loaded.value().producers[0].idempotence) << setting;
  }
}

TEST(ScenarioLoaderValues, AcksZeroSendsOnce) {
  const app::Result<models::Scenario> loaded =
      Load(Replace("rate: 100/s\n", "rate: 100/s\n    acks: 0\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded.value().producers[0].acks, 0);
  EXPECT_EQ(loaded.value().producers[0].max_attempts, 1u);
}

TEST(ScenarioLoaderValues, KeysAndZipfPopularity) {
  const app::Result<models::Scenario> loaded = Load(
      Replace("rate: 100/s\n", "rate: 100/s\n    keys: 1000\n    key_popularity: zipf(1.2)\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded.value().producers[0].keys, 1000u);
  EXPECT_DOUBLE_EQ(loaded.value().producers[0].zipf_exponent, 1.2);
}

TEST(ScenarioLoaderLinks, BothWaysArrowMakesTwoOneWayLinks) {
  const app::Result<models::Scenario> loaded =
      Load(Append("network:\n  links:\n    - link: shop <-> broker\n      loss: 0.25\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const std::vector<models::LinkConfig>& links = loaded.value().network.links;
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].from, "shop");
  EXPECT_EQ(links[0].to, "broker");
  EXPECT_EQ(links[1].from, "broker");
  EXPECT_EQ(links[1].to, "shop");
  EXPECT_DOUBLE_EQ(links[0].loss, 0.25);
  EXPECT_DOUBLE_EQ(links[1].loss, 0.25);
  EXPECT_FALSE(links[0].has_latency);
}

TEST(ScenarioLoaderLinks, OneWayArrowMakesOneLink) {
  const app::Result<models::Scenario> loaded =
      Load(Append("network:\n  links:\n    - link: broker -> billing\n      latency: exp(2ms)\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const std::vector<models::LinkConfig>& links = loaded.value().network.links;
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].from, "broker");
  EXPECT_EQ(links[0].to, "billing");
  EXPECT_TRUE(links[0].has_latency);
  EXPECT_EQ(links[0].latency.kind(), sim::Distribution::Kind::kExponential);
}

TEST(ScenarioLoaderLinks, BothWaysLinkFaultMakesTwoFaultsWithOneWindow) {
  const app::Result<models::Scenario> loaded = Load(
      Append("faults:\n  - link: billing <-> broker\n    from: 2s\n    until: 4s\n    loss: 1\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const std::vector<models::LinkFault>& faults = loaded.value().link_faults;
  ASSERT_EQ(faults.size(), 2u);
  EXPECT_EQ(faults[0].from, "billing");
  EXPECT_EQ(faults[0].to, "broker");
  EXPECT_EQ(faults[1].from, "broker");
  EXPECT_EQ(faults[1].to, "billing");
  for (const models::LinkFault& fault : faults) {
    EXPECT_EQ(fault.start, 2 * sim::kSecond);
    EXPECT_EQ(fault.end, 4 * sim::kSecond);
    EXPECT_DOUBLE_EQ(fault.loss, 1.0);
  }
}

TEST(ScenarioLoaderFaults, CrashAtATimeStaysDownByDefault) {
  const app::Result<models::Scenario> loaded =
      Load(Append("faults:\n  - crash: shop\n    at: 1.5s\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  ASSERT_EQ(loaded.value().crashes.size(), 1u);
  const models::CrashFault& crash = loaded.value().crashes[0];
  EXPECT_EQ(crash.target, "shop");
  EXPECT_EQ(crash.at, 1'500'000'000);
  EXPECT_EQ(crash.step, models::CrashStep::kAtTime);
  EXPECT_EQ(crash.restart_after, sim::kForever);
}

TEST(ScenarioLoaderFaults, CrashAtAStepStrikesAfterItsTime) {
  const app::Result<models::Scenario> loaded = Load(Append(
      "faults:\n  - { crash: billing-2, step: after-effect, after: 3s, restart_after: 5s }\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const models::CrashFault& crash = loaded.value().crashes[0];
  EXPECT_EQ(crash.target, "billing-2");
  EXPECT_EQ(crash.step, models::CrashStep::kAfterEffect);
  EXPECT_EQ(crash.at, 3 * sim::kSecond);
  EXPECT_EQ(crash.restart_after, 5 * sim::kSecond);
}

TEST(ScenarioLoaderFaults, LinkFaultLastsForeverByDefault) {
  const app::Result<models::Scenario> loaded =
      Load(Append("faults:\n  - link: shop -> broker\n    duplicate: 0.5\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const models::LinkFault& fault = loaded.value().link_faults[0];
  EXPECT_EQ(fault.start, 0);
  EXPECT_EQ(fault.end, sim::kForever);
  EXPECT_DOUBLE_EQ(fault.duplicate, 0.5);
  EXPECT_FALSE(fault.has_delay);
}

TEST(ScenarioLoaderYaml, EmptyDocumentAfterTheScenarioIsIgnored) {
  const app::Result<models::Scenario> loaded = Load(Append("---\n"));
  EXPECT_TRUE(loaded.ok()) << loaded.error().ToString();
}

// ---- Queue brokers -------------------------------------------------------------------------

// A valid queue-broker scenario. Its lines: 3-10 broker (6 exchange, 8 queue, 10 binding),
// 12 producer shop, 14 group billing. Text appended to it starts on line 15.
constexpr std::string_view kQueueBase =
    "name: q\n"
    "duration: 10s\n"
    "broker:\n"
    "  kind: queue\n"
    "  exchanges:\n"
    "    - { name: orders, type: direct }\n"
    "  queues:\n"
    "    - { name: billing }\n"
    "  bindings:\n"
    "    - { exchange: orders, queue: billing, key: placed }\n"
    "producers:\n"
    "  - { name: shop, exchange: orders, routing_key: placed, rate: 10/s }\n"
    "consumers:\n"
    "  - { group: billing, queue: billing, instances: 1, processing: 1ms }\n";

std::string QueueAppend(std::string_view text) {
  return std::string(kQueueBase) + std::string(text);
}

// kQueueBase with its one occurrence of `from` replaced by `to`.
std::string QueueReplace(std::string_view from, std::string_view to) {
  std::string text(kQueueBase);
  const std::size_t at = text.find(from);
  if (at == std::string::npos || text.find(from, at + 1) != std::string::npos) return text;
  return text.replace(at, from.size(), to);
}

const std::vector<BadInput> kBadQueueInputs = {
    Bad("UnknownBrokerKind", QueueReplace("kind: queue", "kind: stream"), 4, 9, "broker.kind",
        {"unknown value 'stream'; allowed: log, queue"}),
    Bad("TopicsBesideAQueueBroker", QueueAppend("topics:\n  - { name: t, partitions: 1 }\n"), 16, 3,
        "topics", {"a queue broker has no topics"}),
    Bad("ExchangesUnderALogBroker", Append("broker:\n  exchanges: []\n"), 19, 14,
        "broker.exchanges", {"belongs to 'kind: queue' brokers"}),
    Bad("UnknownExchangeType", QueueReplace("type: direct", "type: headers"), 6, 29,
        "broker.exchanges[0].type", {"unknown value 'headers'; allowed: direct, fanout, topic"}),
    Bad("DeliveryLimitOnAClassicQueue",
        QueueReplace("{ name: billing }", "{ name: billing, delivery_limit: 3 }"), 8, 40,
        "broker.queues[0].delivery_limit", {"classic queues have no delivery limit"}),
    Bad("TransientQuorumQueue",
        QueueReplace("{ name: billing }", "{ name: billing, type: quorum, durable: false }"), 8, 47,
        "broker.queues[0].durable", {"quorum queues are always durable"}),
    Bad("UnknownDeadLetterExchange",
        QueueReplace("{ name: billing }", "{ name: billing, dead_letter_exchange: dlx }"), 8, 46,
        "broker.queues[0].dead_letter_exchange", {"no exchange called 'dlx'; allowed: orders"}),
    Bad("BindingToAnUnknownQueue", QueueReplace("queue: billing, key", "queue: bill, key"), 10, 34,
        "broker.bindings[0].queue", {"no queue called 'bill'; allowed: billing"}),
    Bad("ProducerToAnUnknownExchange",
        QueueReplace("exchange: orders, routing", "exchange: order, routing"), 12, 29,
        "producers[0].exchange", {"no exchange called 'order'; allowed: orders"}),
    Bad("GroupOnAnUnknownQueue",
        QueueReplace("queue: billing, instances", "queue: bill, instances"), 14, 30,
        "consumers[0].queue", {"no queue called 'bill'; allowed: billing"}),
    Bad("QueueConsumedByTwoGroups",
        QueueAppend("  - { group: audit, queue: billing, instances: 1, processing: 1ms }\n"), 15,
        28, "consumers[1].queue", {"already consumed by group 'billing'"}),
    Bad("AcksOnAQueuePublisher", QueueReplace("rate: 10/s", "rate: 10/s, acks: all"), 12, 70,
        "producers[0].acks", {"unknown key", "confirms"}),
    Bad("MaxAttemptsWithoutConfirms", QueueReplace("rate: 10/s", "rate: 10/s, max_attempts: 3"), 12,
        84, "producers[0].max_attempts", {"without publisher confirms"}),
    Bad("PrefetchWithAutomaticAcknowledgement",
        QueueReplace("processing: 1ms }", "processing: 1ms, ack: auto, prefetch: 5 }"), 14, 91,
        "consumers[0].prefetch", {"applies to ack: manual"}),
    Bad("UnknownPoisonAction",
        QueueReplace("processing: 1ms }", "processing: 1ms, on_poison: skip }"), 14, 81,
        "consumers[0].on_poison", {"allowed: crash, requeue, reject"}),
    Bad("HandlerFailureAboveOne",
        QueueReplace("processing: 1ms }", "processing: 1ms, failure: 1.5 }"), 14, 79,
        "consumers[0].failure", {"expected a probability from 0 to 1, got '1.5'"}),
    Bad("HandlerFailureNotANumber",
        QueueReplace("processing: 1ms }", "processing: 1ms, failure: often }"), 14, 79,
        "consumers[0].failure", {"expected a probability from 0 to 1, got 'often'"}),
    Bad("StepCrashOnAQueueConsumer",
        QueueAppend("faults:\n  - { crash: billing-1, step: after-effect, after: 1s }\n"), 16, 31,
        "faults[0].step", {"steps belong to consumer instances of a log broker"}),
    Bad("CrashOfAnUnknownComponentListsTheBroker",
        QueueAppend("faults:\n  - { crash: brokr, at: 1s }\n"), 16, 14, "faults[0].crash",
        {"allowed: broker, shop, billing-1"}),
};
INSTANTIATE_TEST_SUITE_P(ScenarioLoaderQueueBroker, ScenarioLoaderRejects,
                         ::testing::ValuesIn(kBadQueueInputs), Label);

TEST(ScenarioLoaderQueueBroker, DefaultsAreRabbitMqs) {
  const app::Result<models::Scenario> loaded = Load(std::string(kQueueBase));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const models::Scenario& s = loaded.value();
  EXPECT_EQ(s.broker_kind, models::BrokerKind::kQueue);
  const models::QueueConfig& queue = s.queue_broker.queues.at(0);
  EXPECT_EQ(queue.type, models::QueueType::kClassic);
  EXPECT_TRUE(queue.durable);
  EXPECT_EQ(queue.delivery_limit, 0u);
  const models::ProducerConfig& shop = s.producers.at(0);
  EXPECT_EQ(shop.acks, 0);  // no publisher confirms
  EXPECT_EQ(shop.max_attempts, 1u);
  EXPECT_TRUE(shop.persistent);
  EXPECT_FALSE(shop.mandatory);
  const models::QueueConsumerConfig& billing = s.consumers.at(0).queue;
  EXPECT_EQ(s.consumers.at(0).topic, "billing");
  EXPECT_EQ(billing.ack, models::AckMode::kManual);
  EXPECT_EQ(billing.prefetch, 0u);
  EXPECT_EQ(billing.ack_every, 1u);
  EXPECT_EQ(billing.on_poison, models::PoisonAction::kCrash);
  EXPECT_EQ(billing.restart_after, sim::kSecond);
  EXPECT_EQ(billing.reconnect_delay, sim::kSecond);
}

TEST(ScenarioLoaderQueueBroker, ConfirmsRepublishUntilConfirmed) {
  const app::Result<models::Scenario> loaded =
      Load(QueueReplace("rate: 10/s", "rate: 10/s, confirms: true"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded.value().producers.at(0).acks, -1);
  EXPECT_EQ(loaded.value().producers.at(0).max_attempts, 0u);  // unlimited
}

}  // namespace
}  // namespace deliverysim
