#include "app/message_scores.h"

#include <algorithm>
#include <tuple>

namespace deliverysim::app {

namespace {

std::int64_t Field(std::initializer_list<sim::TraceField> fields, std::string_view name) {
  for (const sim::TraceField& field : fields) {
    if (field.name == name && !field.is_text) return field.number;
  }
  return -1;
}

std::string_view TextField(std::initializer_list<sim::TraceField> fields, std::string_view name) {
  for (const sim::TraceField& field : fields) {
    if (field.name == name && field.is_text) return field.text;
  }
  return {};
}

}  // namespace

struct MessageScorer::Ranked {
  MessageRef message;
  std::uint64_t duplicate_effects = 0;
  std::uint64_t redeliveries = 0;
  bool lost = false;
  bool dead_lettered = false;
  bool out_of_order = false;

  // Smaller is worse: more duplicate effects, then more redeliveries, then lost, then
  // dead-lettered, then out of order, then the earliest.
  auto Order() const {
    return std::make_tuple(-static_cast<std::int64_t>(duplicate_effects),
                           -static_cast<std::int64_t>(redeliveries), !lost, !dead_lettered,
                           !out_of_order, message);
  }
  bool WentWrong() const { return duplicate_effects > 0 || lost || dead_lettered || out_of_order; }
};

MessageScorer::MessageScorer(const models::Scenario& scenario)
    : scenario_(scenario),
      queue_broker_(scenario.broker_kind != models::BrokerKind::kLog),
      reads_(GroupsReading(scenario)),
      fates_(models::MessageSources(scenario)),
      keys_(models::MessageSources(scenario)) {}

void MessageScorer::Record(sim::Time, std::string_view kind,
                           std::initializer_list<sim::TraceField> fields) {
  const std::int64_t producer = Field(fields, "producer");
  const std::int64_t number = Field(fields, "message");
  const std::size_t groups = scenario_.consumers.size();
  if (kind == "intent") {
    fates_[producer].resize((number + 1) * groups);
    keys_[producer].resize(number + 1);
    keys_[producer][number] = {NormalisedKey(Field(fields, "key")), Field(fields, "sequence")};
    return;
  }
  if (kind == "dead-letter") {
    OnDeadLetter(producer, number, TextField(fields, "queue"));
    return;
  }
  const bool delivery = kind == "deliver";
  if (!delivery && kind != "effect") return;
  const std::string instance(TextField(fields, "component"));
  const std::int64_t group = GroupOfInstance(scenario_, instance);
  if (group < 0) return;
  MessageFate& fate = fates_[producer][number * groups + group];
  if (delivery && queue_broker_) {
    if (Field(fields, "redelivered") == 1) ++fate.redeliveries;
    return;
  }
  if (delivery) {
    // One owner reads a partition in offset order; only a rebalance or restart sends the group
    // back to an offset it had already delivered.
    const auto where =
        std::make_tuple(group, TopicOfInstance(scenario_, instance), Field(fields, "partition"));
    const std::int64_t offset = Field(fields, "offset");
    auto [it, fresh] = delivered_.try_emplace(where, offset);
    if (!fresh && offset <= it->second) ++fate.redeliveries;
    it->second = std::max(it->second, offset);
    return;
  }
  ++fate.effects;
  const auto [key, sequence] = keys_[producer][number];
  if (key < 0) return;  // keyless messages have no order to keep
  auto [it, fresh] = processed_.try_emplace(std::make_tuple(group, producer, key), sequence);
  if (!fresh && sequence < it->second) fate.out_of_order = true;
  it->second = std::max(it->second, sequence);
}

void MessageScorer::OnDeadLetter(std::int64_t producer, std::int64_t number,
                                 std::string_view queue) {
  for (std::size_t g = 0; g < scenario_.consumers.size(); ++g) {
    if (scenario_.consumers[g].topic == queue) {
      fates_[producer][number * scenario_.consumers.size() + g].dead_lettered = true;
    }
  }
}

bool MessageScorer::Reads(std::size_t group, std::int64_t producer) const {
  return reads_[producer][group];
}

MessageFate MessageScorer::Fate(MessageRef message, std::size_t group) const {
  return fates_[message.producer][message.number * scenario_.consumers.size() + group];
}

std::uint64_t MessageScorer::DuplicateEffects(MessageRef message) const {
  std::uint64_t duplicates = 0;
  for (std::size_t g = 0; g < scenario_.consumers.size(); ++g) {
    const MessageFate fate = Fate(message, g);
    if (fate.effects > 1) duplicates += fate.effects - 1;
  }
  return duplicates;
}

bool MessageScorer::Lost(MessageRef message) const {
  for (std::size_t g = 0; g < scenario_.consumers.size(); ++g) {
    const MessageFate fate = Fate(message, g);
    if (Reads(g, message.producer) && fate.effects == 0 && !fate.dead_lettered) return true;
  }
  return false;
}

bool MessageScorer::DeadLettered(MessageRef message) const {
  for (std::size_t g = 0; g < scenario_.consumers.size(); ++g) {
    if (Fate(message, g).dead_lettered) return true;
  }
  return false;
}

std::vector<MessageScorer::Ranked> MessageScorer::Rank() const {
  std::vector<Ranked> ranked;
  for (std::size_t p = 0; p < keys_.size(); ++p) {
    for (std::size_t n = 0; n < keys_[p].size(); ++n) {
      Ranked entry;
      entry.message = {static_cast<std::int64_t>(p), static_cast<std::int64_t>(n)};
      entry.duplicate_effects = DuplicateEffects(entry.message);
      entry.lost = Lost(entry.message);
      entry.dead_lettered = DeadLettered(entry.message);
      for (std::size_t g = 0; g < scenario_.consumers.size(); ++g) {
        entry.redeliveries += Fate(entry.message, g).redeliveries;
        entry.out_of_order = entry.out_of_order || Fate(entry.message, g).out_of_order;
      }
      ranked.push_back(entry);
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Ranked& a, const Ranked& b) { return a.Order() < b.Order(); });
  return ranked;
}

std::optional<MessageRef> MessageScorer::Worst() const {
  // A message redelivered many times but processed once ranks high without having gone wrong.
  for (const Ranked& entry : Rank()) {
    if (entry.WentWrong()) return entry.message;
  }
  return std::nullopt;
}

std::vector<MessageRef> MessageScorer::Telling(std::size_t count) const {
  std::vector<Ranked> ranked = Rank();
  std::vector<MessageRef> telling;
  for (const Ranked& entry : ranked) {
    if (telling.size() == count) break;
    if (entry.WentWrong()) telling.push_back(entry.message);
  }
  // Fill with the first messages intended, in id order, when fewer went wrong.
  std::sort(ranked.begin(), ranked.end(),
            [](const Ranked& a, const Ranked& b) { return a.message < b.message; });
  for (const Ranked& entry : ranked) {
    if (telling.size() == count) break;
    if (std::find(telling.begin(), telling.end(), entry.message) == telling.end()) {
      telling.push_back(entry.message);
    }
  }
  return telling;
}

}  // namespace deliverysim::app
