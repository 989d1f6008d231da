#include "app/timeline_events.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "app/units.h"
#include "models/message.h"
#include "models/queue_routing.h"

namespace deliverysim::app {

namespace {

struct KindName {
  std::string_view name;
  EventKind kind;
};

constexpr KindName kKinds[] = {
    {"intent", EventKind::kIntent},
    {"send", EventKind::kSend},
    {"acked", EventKind::kAcked},
    {"give-up", EventKind::kGiveUp},
    {"append", EventKind::kAppend},
    {"link-loss", EventKind::kLinkLoss},
    {"link-duplicate", EventKind::kLinkDuplicate},
    {"deliver", EventKind::kDeliver},
    {"effect", EventKind::kEffect},
    {"effect-skipped", EventKind::kEffectSkipped},
    {"dead-letter-unreadable", EventKind::kDeadLetteredUnreadable},
    {"commit", EventKind::kCommit},
    {"commit-refused", EventKind::kCommitRefused},
    {"crash-at-step", EventKind::kCrashAtStep},
    {"crash", EventKind::kCrash},
    {"restart", EventKind::kRestart},
    {"rebalance", EventKind::kRebalance},
    {"enqueue", EventKind::kEnqueue},
    {"dispatch", EventKind::kDispatch},
    {"ack", EventKind::kConsumerAck},
    {"nack", EventKind::kConsumerNack},
    {"requeue", EventKind::kRequeue},
    {"dead-letter", EventKind::kDeadLetter},
    {"discard", EventKind::kDiscard},
    {"lock-expired", EventKind::kLockExpired},
    {"lost-in-restart", EventKind::kLostInRestart},
    {"unroutable", EventKind::kUnroutable},
    {"returned", EventKind::kReturned},
    {"duplicate-detected", EventKind::kDuplicateDetected},
    {"retry", EventKind::kHandlerRetry},
    {"poison-crash", EventKind::kPoisonCrash},
};

std::optional<EventKind> KindOf(std::string_view name) {
  for (const KindName& entry : kKinds) {
    if (entry.name == name) return entry.kind;
  }
  return std::nullopt;  // kinds the timeline does not draw, such as "assigned"
}

const sim::TraceField* Find(std::initializer_list<sim::TraceField> fields, std::string_view name) {
  for (const sim::TraceField& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

std::int64_t NumberOr(std::initializer_list<sim::TraceField> fields, std::string_view name,
                      std::int64_t fallback) {
  const sim::TraceField* field = Find(fields, name);
  return field && !field->is_text ? field->number : fallback;
}

std::string TextOr(std::initializer_list<sim::TraceField> fields, std::string_view name) {
  const sim::TraceField* field = Find(fields, name);
  return field && field->is_text ? std::string(field->text) : std::string();
}

TimelineEvent Convert(sim::Time at, EventKind kind, std::initializer_list<sim::TraceField> f) {
  TimelineEvent event;
  event.at = at;
  event.kind = kind;
  event.component = TextOr(f, "component");
  if (event.component.empty()) event.component = TextOr(f, "consumer");
  if (event.component.empty()) event.component = TextOr(f, "link");
  if (event.component.empty()) event.component = TextOr(f, "group");
  if (event.component.empty()) event.component = TextOr(f, "topic");
  if (event.component.empty()) event.component = TextOr(f, "exchange");
  event.queue = TextOr(f, "queue");
  event.dead_lettered_from = TextOr(f, "dead_lettered_from");
  event.redelivered = NumberOr(f, "redelivered", 0) != 0;
  event.requeue = NumberOr(f, "requeue", 0) != 0;
  event.returns = NumberOr(f, "returns", 0);
  event.delay = NumberOr(f, "delay", 0);
  event.partition = NumberOr(f, "partition", -1);
  event.offset = NumberOr(f, "offset", -1);
  event.key = NormalisedKey(NumberOr(f, "key", -1));
  event.count = NumberOr(f, "attempt", NumberOr(f, "attempts", NumberOr(f, "sequence", 0)));
  if (kind == EventKind::kRebalance) event.count = NumberOr(f, "generation", 0);
  if (kind == EventKind::kDeadLetteredUnreadable) event.count = NumberOr(f, "schema_version", 0);
  event.detail = TextOr(f, "step");
  if (event.detail.empty()) event.detail = TextOr(f, "packet");
  if (event.detail.empty()) event.detail = TextOr(f, "reason");
  // A link event names a message only for the packets that carry a record: the other packet
  // types reuse pooled slots whose record fields are stale.
  const bool carries_record = (kind != EventKind::kLinkLoss && kind != EventKind::kLinkDuplicate) ||
                              event.detail == "produce" || event.detail == "produce-ack";
  const std::int64_t producer = NumberOr(f, "producer", -1);
  const std::int64_t number = NumberOr(f, "message", -1);
  if (carries_record && producer >= 0 && number >= 0) event.message = {producer, number};
  return event;
}

std::optional<std::int64_t> WholeNumber(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

Error OptionError(const std::string& option, const std::string& message) {
  return Error{"", 0, 0, option, message};
}

}  // namespace

MessageSelection MessageSelection::Messages(const std::vector<MessageRef>& messages) {
  MessageSelection selection;
  for (const MessageRef& m : messages) selection.ranges.push_back({m.producer, m.number, m.number});
  return selection;
}

bool MessageSelection::SelectsNumber(MessageRef message) const {
  if (ranges.empty()) return true;
  for (const Range& range : ranges) {
    if ((range.producer < 0 || range.producer == message.producer) &&
        message.number >= range.first && message.number <= range.last) {
      return true;
    }
  }
  return false;
}

Result<MessageSelection::Range> ParseMessageRange(const std::string& text,
                                                  const models::Scenario& scenario) {
  const std::string allowed =
      "allowed: N, A..B, or PRODUCER:N and PRODUCER:A..B with a producer's name; message "
      "numbers start at 0";
  MessageSelection::Range range;
  std::string_view numbers = text;
  if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    const std::string name = text.substr(0, colon);
    for (std::size_t p = 0; p < scenario.producers.size(); ++p) {
      if (scenario.producers[p].name == name) range.producer = static_cast<std::int64_t>(p);
    }
    if (range.producer < 0) {
      return OptionError("--messages", fmt::format("no producer called '{}'; {}", name, allowed));
    }
    numbers.remove_prefix(colon + 1);
  } else {
    range.producer = 0;  // a bare number names the first producer's message
  }
  const auto dots = numbers.find("..");
  const auto first = WholeNumber(numbers.substr(0, dots));
  const auto last = dots == std::string_view::npos ? first : WholeNumber(numbers.substr(dots + 2));
  if (!first || !last || *last < *first) {
    return OptionError("--messages", fmt::format("'{}' is not a message range; {}", text, allowed));
  }
  range.first = *first;
  range.last = *last;
  return range;
}

Result<Done> ParseWindow(const std::string& text, MessageSelection& selection) {
  const auto dots = text.find("..");
  const std::string help =
      fmt::format("expected T1..T2 (either may be left out), each {}", kDurationHelp);
  if (dots == std::string::npos) {
    return OptionError("--window", fmt::format("'{}' has no '..'; {}", text, help));
  }
  selection.from = 0;
  selection.until = sim::kForever;
  const std::string from = text.substr(0, dots);
  const std::string until = text.substr(dots + 2);
  if (!from.empty()) {
    const auto parsed = ParseDuration(from);
    if (const auto* problem = std::get_if<std::string>(&parsed)) {
      return OptionError("--window", fmt::format("'{}': {}; {}", from, *problem, help));
    }
    selection.from = std::get<sim::Time>(parsed);
  }
  if (!until.empty()) {
    const auto parsed = ParseDuration(until);
    if (const auto* problem = std::get_if<std::string>(&parsed)) {
      return OptionError("--window", fmt::format("'{}': {}; {}", until, *problem, help));
    }
    selection.until = std::get<sim::Time>(parsed);
  }
  if (selection.until < selection.from) {
    return OptionError("--window", fmt::format("'{}' ends before it starts; {}", text, help));
  }
  selection.has_window = true;
  return Done{};
}

std::string FormatSeconds(sim::Time at) {
  return fmt::format("{}.{:06}", at / sim::kSecond, (at % sim::kSecond) / sim::kMicrosecond);
}

std::string MessageName(const models::Scenario& scenario, MessageRef message) {
  const auto source = static_cast<std::size_t>(message.producer);
  if (message.producer >= 0 && source >= scenario.producers.size() &&
      source < models::MessageSources(scenario)) {
    // An event a service emitted: named after the service.
    return fmt::format("{}#{}", scenario.consumers[source - scenario.producers.size()].group,
                       message.number);
  }
  if (scenario.producers.size() <= 1 || message.producer < 0 ||
      static_cast<std::size_t>(message.producer) >= scenario.producers.size()) {
    return fmt::format("#{}", message.number);
  }
  return fmt::format("{}#{}", scenario.producers[message.producer].name, message.number);
}

std::int64_t NormalisedKey(std::int64_t key) {
  return key < 0 || key >= static_cast<std::int64_t>(models::kNoKey) ? -1 : key;
}

std::int64_t GroupOfInstance(const models::Scenario& scenario, const std::string& instance) {
  for (std::size_t g = 0; g < scenario.consumers.size(); ++g) {
    const std::string& group = scenario.consumers[g].group;
    if (instance.size() <= group.size() + 1 || instance.compare(0, group.size(), group) != 0 ||
        instance[group.size()] != '-') {
      continue;
    }
    const auto number = WholeNumber(std::string_view(instance).substr(group.size() + 1));
    if (number && *number >= 1 && *number <= scenario.consumers[g].instances) {
      return static_cast<std::int64_t>(g);
    }
  }
  return -1;
}

std::vector<std::vector<bool>> GroupsReading(const models::Scenario& scenario) {
  std::vector<std::vector<bool>> reads(models::MessageSources(scenario),
                                       std::vector<bool>(scenario.consumers.size(), false));
  // A service's events go to its produce_to topic.
  for (std::uint32_t e = 0; e < scenario.consumers.size(); ++e) {
    if (!scenario.consumers[e].service.active()) continue;
    for (std::size_t g = 0; g < scenario.consumers.size(); ++g) {
      reads[models::EmitterSource(scenario, e)][g] =
          scenario.consumers[g].topic == scenario.consumers[e].produce_to;
    }
  }
  for (std::size_t p = 0; p < scenario.producers.size(); ++p) {
    const models::ProducerConfig& producer = scenario.producers[p];
    const std::vector<std::uint32_t> queues =
        scenario.broker_kind == models::BrokerKind::kLog
            ? std::vector<std::uint32_t>{}
            : models::RouteQueues(scenario.queue_broker, producer.exchange, producer.routing_key);
    for (std::size_t g = 0; g < scenario.consumers.size(); ++g) {
      const std::string& source = scenario.consumers[g].topic;
      if (scenario.broker_kind == models::BrokerKind::kLog) {
        reads[p][g] = source == producer.topic;
        continue;
      }
      for (std::uint32_t q : queues) {
        reads[p][g] = reads[p][g] || scenario.queue_broker.queues[q].name == source;
      }
    }
  }
  return reads;
}

std::int64_t TopicOfInstance(const models::Scenario& scenario, const std::string& instance) {
  const std::int64_t group = GroupOfInstance(scenario, instance);
  if (group < 0) return -1;
  return models::FindTopic(scenario, scenario.consumers[group].topic);
}

TimelineRecorder::TimelineRecorder(const models::Scenario& scenario, MessageSelection selection)
    : scenario_(scenario), selection_(std::move(selection)) {}

void TimelineRecorder::Record(sim::Time at, std::string_view kind,
                              std::initializer_list<sim::TraceField> fields) {
  const std::optional<EventKind> known = KindOf(kind);
  if (!known || !selection_.InWindow(at)) return;
  TimelineEvent event = Convert(at, *known, fields);
  const bool keep = event.message.valid() ? KeepsMessage(event) : KeepsContext(event);
  if (!keep) return;
  if (events_.size() == kMaxRecordedEvents) {
    ++dropped_;
    return;
  }
  events_.push_back(std::move(event));
}

bool TimelineRecorder::KeepsMessage(const TimelineEvent& event) {
  if (!selection_.SelectsNumber(event.message)) return false;
  if (selection_.key) {
    // The intent carries the key and comes before every other event of its message.
    if (event.kind == EventKind::kIntent && event.key == *selection_.key) {
      chosen_by_key_.insert(event.message);
    }
    if (!chosen_by_key_.count(event.message)) return false;
  }
  if (event.kind == EventKind::kAppend) {
    for (std::size_t t = 0; t < scenario_.topics.size(); ++t) {
      if (scenario_.topics[t].name == event.component) {
        std::int64_t& last = last_selected_offset_[{static_cast<std::int64_t>(t), event.partition}];
        last = std::max(last, event.offset);
      }
    }
  }
  return true;
}

bool TimelineRecorder::KeepsContext(const TimelineEvent& event) {
  switch (event.kind) {
    case EventKind::kCommit:
    case EventKind::kCommitRefused: {
      if (selection_.has_window) return true;
      const std::int64_t topic = TopicOfInstance(scenario_, event.component);
      auto last = last_selected_offset_.find({topic, event.partition});
      if (last == last_selected_offset_.end()) return false;
      // Once the group has committed past every kept message there, its commits say nothing
      // more about them; dropping them keeps a long run's record small.
      std::int64_t& committed =
          committed_[{GroupOfInstance(scenario_, event.component), topic, event.partition}];
      if (committed > last->second) return false;
      if (event.kind == EventKind::kCommit) committed = std::max(committed, event.offset);
      return true;
    }
    case EventKind::kCrashAtStep:
    case EventKind::kCrash:
    case EventKind::kRestart:
    case EventKind::kRebalance: return true;
    default:
      // Other lost or duplicated control packets (fetches, joins) are kept only in a window; a
      // lost commit request belongs to the story of the messages it would have covered.
      return selection_.has_window ||
             (event.kind == EventKind::kLinkLoss && event.detail == "commit" &&
              AwaitsCommit(event.component.substr(0, event.component.find("->"))));
  }
}

bool TimelineRecorder::AwaitsCommit(const std::string& instance) const {
  const std::int64_t group = GroupOfInstance(scenario_, instance);
  const std::int64_t topic = TopicOfInstance(scenario_, instance);
  for (const auto& [where, last] : last_selected_offset_) {
    if (where.first != topic) continue;
    auto committed = committed_.find({group, topic, where.second});
    if (committed == committed_.end() || committed->second <= last) return true;
  }
  return false;
}

}  // namespace deliverysim::app
