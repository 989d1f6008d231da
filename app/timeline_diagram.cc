#include "app/timeline_diagram.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "app/timeline_lanes.h"
#include "app/timeline_queue_diagram.h"

namespace deliverysim::app {

namespace {

// A selected message a component holds: not yet both processed and committed past.
struct OpenWork {
  bool effect = false;
  bool committed = false;
};

using Place = std::tuple<std::int64_t, std::int64_t, std::int64_t>;  // group, topic, partition

class Builder {
 public:
  Builder(const models::Scenario& scenario, const MessageSelection& selection)
      : scenario_(scenario), everything_(selection.has_window) {}

  void Add(const TimelineEvent& e);
  TimelineDiagram Finish(std::size_t max_rows);

 private:
  void OnMessageEvent(const TimelineEvent& e);
  void OnDelivery(const TimelineEvent& e, std::int64_t group, std::int64_t topic);
  void OnEffect(const TimelineEvent& e, std::int64_t group);
  void OnCommit(const TimelineEvent& e);
  void OnCrashOrRestart(const TimelineEvent& e);
  void OnLinkEvent(const TimelineEvent& e);

  std::optional<LaneKey> ProducerLane(const std::string& name) const;
  std::optional<LaneKey> PartitionLane(std::int64_t topic, std::int64_t partition) const;
  std::optional<LaneKey> ConsumerLane(const std::string& instance) const;
  std::optional<LaneKey> AnyLane(const std::string& component) const;
  // The partition lane of the message's last send; nothing if its send was not recorded.
  std::optional<LaneKey> SentTo(MessageRef m) const {
    auto found = partitions_.find(m);
    if (found == partitions_.end()) return std::nullopt;
    return PartitionLane(TopicOfProducer(m.producer), found->second);
  }
  std::int64_t TopicOfProducer(std::int64_t producer) const;
  std::string Name(MessageRef m) const { return MessageName(scenario_, m); }
  void Emit(const TimelineEvent& e, std::optional<LaneKey> from, std::optional<LaneKey> to,
            RowStyle style, std::string label);
  void Settle(const std::string& component, MessageRef message);

  const models::Scenario& scenario_;
  const bool everything_;
  std::vector<PendingRow> rows_;
  std::map<MessageRef, std::int64_t> keys_;
  std::map<MessageRef, std::int64_t> partitions_;
  std::set<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>> delivered_;
  std::set<std::pair<std::int64_t, MessageRef>> delivered_messages_;
  std::set<std::pair<std::int64_t, MessageRef>> effects_;
  // Offsets of selected messages per (topic, partition), and each one's message.
  std::map<std::pair<std::int64_t, std::int64_t>, std::map<std::int64_t, MessageRef>> offsets_;
  std::map<Place, std::int64_t> committed_;
  std::map<std::string, std::map<MessageRef, OpenWork>> open_;
  std::map<std::string, std::string> crash_steps_;
  std::set<std::string> restart_wanted_;
  std::set<std::int64_t> rebalance_wanted_;
};

std::int64_t Builder::TopicOfProducer(std::int64_t producer) const {
  const auto source = static_cast<std::size_t>(producer);
  if (source >= scenario_.producers.size()) {
    // A service's events: they go to its group's produce_to topic.
    const std::size_t group = source - scenario_.producers.size();
    if (group >= scenario_.consumers.size()) return -1;
    return models::FindTopic(scenario_, scenario_.consumers[group].produce_to);
  }
  return models::FindTopic(scenario_, scenario_.producers[source].topic);
}

std::optional<LaneKey> Builder::ProducerLane(const std::string& name) const {
  for (std::size_t p = 0; p < scenario_.producers.size(); ++p) {
    if (scenario_.producers[p].name == name)
      return LaneKey{0, static_cast<std::int64_t>(p), 0, name};
  }
  // A service publishes its events from a lane of its own, named after its group.
  for (std::uint32_t g = 0; g < scenario_.consumers.size(); ++g) {
    if (scenario_.consumers[g].group == name && scenario_.consumers[g].service.active()) {
      return LaneKey{0, models::EmitterSource(scenario_, g), 0, name};
    }
  }
  return std::nullopt;
}

std::optional<LaneKey> Builder::PartitionLane(std::int64_t topic, std::int64_t partition) const {
  if (topic < 0 || partition < 0 || topic >= static_cast<std::int64_t>(scenario_.topics.size())) {
    return std::nullopt;
  }
  return LaneKey{1, topic, partition,
                 fmt::format("{}/{}", scenario_.topics[topic].name, partition)};
}

std::optional<LaneKey> Builder::ConsumerLane(const std::string& instance) const {
  const std::int64_t group = GroupOfInstance(scenario_, instance);
  if (group < 0) return std::nullopt;
  const auto number = std::stoll(instance.substr(scenario_.consumers[group].group.size() + 1));
  return LaneKey{2, group, number, instance};
}

std::optional<LaneKey> Builder::AnyLane(const std::string& component) const {
  if (auto lane = ProducerLane(component)) return lane;
  return ConsumerLane(component);
}

void Builder::Emit(const TimelineEvent& e, std::optional<LaneKey> from, std::optional<LaneKey> to,
                   RowStyle style, std::string label) {
  PendingRow pending;
  pending.row.at = e.at;
  pending.row.style = style;
  pending.row.label = std::move(label);
  pending.row.message = e.message;
  if (e.message.valid() && keys_.count(e.message)) pending.row.key = keys_.at(e.message);
  pending.from = std::move(from);
  pending.to = to ? std::move(to) : pending.from;
  rows_.push_back(std::move(pending));
}

void Builder::Add(const TimelineEvent& e) {
  if (e.message.valid()) {
    OnMessageEvent(e);
    return;
  }
  switch (e.kind) {
    case EventKind::kCommit:
    case EventKind::kCommitRefused: OnCommit(e); break;
    case EventKind::kCrashAtStep: crash_steps_[e.component] = e.detail; break;
    case EventKind::kCrash:
    case EventKind::kRestart: OnCrashOrRestart(e); break;
    case EventKind::kRebalance: {
      std::int64_t group = -1;
      for (std::size_t g = 0; g < scenario_.consumers.size(); ++g) {
        if (scenario_.consumers[g].group == e.component) group = static_cast<std::int64_t>(g);
      }
      if (everything_ || rebalance_wanted_.erase(group) > 0) {
        Emit(e, std::nullopt, std::nullopt, RowStyle::kRebalance,
             fmt::format("rebalance of {}, generation {}", e.component, e.count));
      }
      break;
    }
    default: OnLinkEvent(e); break;
  }
}

void Builder::OnMessageEvent(const TimelineEvent& e) {
  const MessageRef m = e.message;
  const std::int64_t topic = TopicOfProducer(m.producer);
  const models::ProducerConfig source =
      models::SourceConfig(scenario_, static_cast<std::uint32_t>(m.producer));
  const std::string& producer = source.name;
  switch (e.kind) {
    case EventKind::kIntent: {
      keys_[m] = e.key;
      const std::string key = e.key < 0 ? "no key" : fmt::format("key {}", e.key);
      Emit(e, ProducerLane(producer), std::nullopt, RowStyle::kIntent,
           fmt::format("{} intended ({}, seq {})", Name(m), key, e.count));
      break;
    }
    case EventKind::kSend:
      partitions_[m] = e.partition;
      if (source.acks != 0) open_[producer][m] = OpenWork{};
      Emit(e, ProducerLane(producer), PartitionLane(topic, e.partition), RowStyle::kSend,
           e.count > 1 ? fmt::format("send {} again (attempt {})", Name(m), e.count)
                       : fmt::format("send {}", Name(m)));
      break;
    case EventKind::kAppend:
      partitions_[m] = e.partition;
      offsets_[{topic, e.partition}][e.offset] = m;
      Emit(e, PartitionLane(topic, e.partition), std::nullopt, RowStyle::kAppend,
           fmt::format("append {} at offset {}", Name(m), e.offset));
      break;
    case EventKind::kAcked:
      open_[producer].erase(m);
      // Inside a window the send may have come before it: then the ack is a mark.
      Emit(e, SentTo(m).value_or(*ProducerLane(producer)), ProducerLane(producer), RowStyle::kAck,
           fmt::format("ack {} (offset {})", Name(m), e.offset));
      break;
    case EventKind::kGiveUp:
      open_[producer].erase(m);
      Emit(e, ProducerLane(producer), std::nullopt, RowStyle::kGiveUp,
           fmt::format("{} given up after {} sends", Name(m), e.count));
      break;
    case EventKind::kLinkLoss:
    case EventKind::kLinkDuplicate: {
      const bool request = e.detail == "produce";
      const LaneKey partition = SentTo(m).value_or(*ProducerLane(producer));
      auto from = request ? ProducerLane(producer) : partition;
      auto to = request ? partition : *ProducerLane(producer);
      const std::string what = request ? "send" : "ack";
      if (e.kind == EventKind::kLinkLoss) {
        Emit(e, from, to, RowStyle::kLinkLoss, fmt::format("{} of {} LOST on link", what, Name(m)));
      } else {
        Emit(e, from, std::nullopt, RowStyle::kLinkDuplicate,
             fmt::format("{} of {} duplicated on link", what, Name(m)));
      }
      break;
    }
    case EventKind::kDeliver:
      OnDelivery(e, GroupOfInstance(scenario_, e.component),
                 TopicOfInstance(scenario_, e.component));
      break;
    case EventKind::kEffect:
    case EventKind::kEffectSkipped: OnEffect(e, GroupOfInstance(scenario_, e.component)); break;
    case EventKind::kDeadLetteredUnreadable:
      open_[e.component][m].effect = true;  // settled: nothing of it is left to do
      Emit(e, ConsumerLane(e.component), std::nullopt, RowStyle::kDeadLettered,
           fmt::format("DEAD-LETTER {}: v{} unreadable", Name(m), e.count));
      Settle(e.component, m);
      break;
    default: break;
  }
}

void Builder::OnDelivery(const TimelineEvent& e, std::int64_t group, std::int64_t topic) {
  const MessageRef m = e.message;
  const bool again = !delivered_.insert({group, topic, e.partition, e.offset}).second;
  const bool copy = !delivered_messages_.insert({group, m}).second;
  open_[e.component].try_emplace(m);
  std::string label = fmt::format("deliver {} (offset {})", Name(m), e.offset);
  if (again) label = fmt::format("REDELIVER {} (offset {} again)", Name(m), e.offset);
  if (!again && copy)
    label = fmt::format("deliver {}, another copy (offset {})", Name(m), e.offset);
  Emit(e, PartitionLane(topic, e.partition), ConsumerLane(e.component),
       again ? RowStyle::kRedeliver : RowStyle::kDeliver, std::move(label));
}

void Builder::OnEffect(const TimelineEvent& e, std::int64_t group) {
  const MessageRef m = e.message;
  auto& work = open_[e.component][m];
  work.effect = true;
  if (e.kind == EventKind::kEffectSkipped) {
    Emit(e, ConsumerLane(e.component), std::nullopt, RowStyle::kEffectSkipped,
         fmt::format("inbox knows {}: effect skipped", Name(m)));
  } else if (!effects_.insert({group, m}).second) {
    Emit(e, ConsumerLane(e.component), std::nullopt, RowStyle::kDuplicateEffect,
         fmt::format("DUPLICATE effect of {}", Name(m)));
  } else {
    Emit(e, ConsumerLane(e.component), std::nullopt, RowStyle::kEffect,
         fmt::format("effect of {}", Name(m)));
  }
  Settle(e.component, m);
}

void Builder::Settle(const std::string& component, MessageRef message) {
  auto found = open_[component].find(message);
  if (found != open_[component].end() && found->second.effect && found->second.committed) {
    open_[component].erase(found);
  }
}

void Builder::OnCommit(const TimelineEvent& e) {
  const std::int64_t group = GroupOfInstance(scenario_, e.component);
  const std::int64_t topic = TopicOfInstance(scenario_, e.component);
  const bool accepted = e.kind == EventKind::kCommit;
  std::int64_t& committed = committed_[{group, topic, e.partition}];
  // The selected messages this commit moves the group's offset past.
  std::vector<MessageRef> passed;
  const auto& offsets = offsets_[{topic, e.partition}];
  for (auto it = offsets.lower_bound(committed); it != offsets.end() && it->first < e.offset;
       ++it) {
    passed.push_back(it->second);
  }
  if (accepted) committed = std::max(committed, e.offset);
  if (!everything_ && passed.empty()) return;
  for (const MessageRef& m : passed) {
    if (!accepted) continue;
    open_[e.component][m].committed = true;
    Settle(e.component, m);
  }
  const std::string past = passed.empty() ? "" : fmt::format(", past {}", Name(passed.front()));
  Emit(e, ConsumerLane(e.component), PartitionLane(topic, e.partition),
       accepted ? RowStyle::kCommit : RowStyle::kCommitRefused,
       fmt::format("commit offset {}{}{}", e.offset, past, accepted ? "" : " REFUSED"));
}

void Builder::OnCrashOrRestart(const TimelineEvent& e) {
  if (e.kind == EventKind::kRestart) {
    if (everything_ || restart_wanted_.erase(e.component) > 0) {
      Emit(e, AnyLane(e.component), std::nullopt, RowStyle::kRestart,
           fmt::format("restart {}", e.component));
    }
    return;
  }
  auto& open = open_[e.component];
  const bool cuts_work = !open.empty();
  const std::string step = crash_steps_.count(e.component) ? crash_steps_[e.component] : "";
  crash_steps_.erase(e.component);
  if (!everything_ && !cuts_work) return;
  std::string label = fmt::format("CRASH {}", e.component);
  if (!step.empty()) label += fmt::format(" at step {}", step);
  if (cuts_work) label += fmt::format(", holding {}", Name(open.begin()->first));
  open.clear();
  restart_wanted_.insert(e.component);
  if (const std::int64_t group = GroupOfInstance(scenario_, e.component); group >= 0) {
    rebalance_wanted_.insert(group);
  }
  Emit(e, AnyLane(e.component), std::nullopt, RowStyle::kCrash, std::move(label));
}

void Builder::OnLinkEvent(const TimelineEvent& e) {
  // A control packet (fetch, commit, join) lost or duplicated; drawn on the lane of the
  // client end of its link, the broker having none.
  const auto arrow = e.component.find("->");
  const std::string sender = e.component.substr(0, arrow);
  auto lane = AnyLane(sender == "broker" ? e.component.substr(arrow + 2) : sender);
  if (!lane) return;
  Emit(e, lane, std::nullopt,
       e.kind == EventKind::kLinkLoss ? RowStyle::kLinkLoss : RowStyle::kLinkDuplicate,
       fmt::format("{} packet {} on {}", e.detail,
                   e.kind == EventKind::kLinkLoss ? "LOST" : "duplicated", e.component));
}

TimelineDiagram Builder::Finish(std::size_t max_rows) { return AssembleDiagram(rows_, max_rows); }

}  // namespace

TimelineDiagram AssembleDiagram(std::vector<PendingRow>& rows, std::size_t max_rows) {
  std::map<LaneKey, int> lanes;
  for (const PendingRow& pending : rows) {
    if (pending.from) lanes.emplace(*pending.from, 0);
    if (pending.to) lanes.emplace(*pending.to, 0);
  }
  TimelineDiagram diagram;
  for (auto& [key, index] : lanes) {
    index = static_cast<int>(diagram.lanes.size());
    diagram.lanes.push_back(key.name);
  }
  for (PendingRow& pending : rows) {
    if (diagram.rows.size() == max_rows) {
      ++diagram.rows_left_out;
      continue;
    }
    if (pending.from) pending.row.from = lanes.at(*pending.from);
    if (pending.to) pending.row.to = lanes.at(*pending.to);
    diagram.rows.push_back(std::move(pending.row));
  }
  return diagram;
}

TimelineDiagram BuildTimeline(const models::Scenario& scenario,
                              const std::vector<TimelineEvent>& events,
                              const MessageSelection& selection, std::size_t max_rows) {
  if (scenario.broker_kind != models::BrokerKind::kLog) {
    return BuildQueueTimeline(scenario, events, selection, max_rows);
  }
  Builder builder(scenario, selection);
  for (const TimelineEvent& event : events) builder.Add(event);
  return builder.Finish(max_rows);
}

bool IsAlarm(RowStyle style) {
  switch (style) {
    case RowStyle::kGiveUp:
    case RowStyle::kLinkLoss:
    case RowStyle::kRedeliver:
    case RowStyle::kDuplicateEffect:
    case RowStyle::kCommitRefused:
    case RowStyle::kDeadLettered:
    case RowStyle::kCrash:
    case RowStyle::kNack:
    case RowStyle::kLockExpired:
    case RowStyle::kDeadLetter:
    case RowStyle::kDiscard:
    case RowStyle::kUnroutable:
    case RowStyle::kLostInRestart:
    case RowStyle::kBrokerCrash: return true;
    default: return false;
  }
}

char MarkGlyph(RowStyle style) {
  switch (style) {
    case RowStyle::kIntent: return '+';
    case RowStyle::kAppend: return '#';
    case RowStyle::kGiveUp: return 'G';
    case RowStyle::kLinkLoss: return 'x';
    case RowStyle::kLinkDuplicate: return 'D';
    case RowStyle::kEffect: return '*';
    case RowStyle::kDuplicateEffect: return '!';
    case RowStyle::kEffectSkipped: return 's';
    case RowStyle::kDeadLettered: return '?';
    case RowStyle::kCrash:
    case RowStyle::kBrokerCrash: return 'X';
    case RowStyle::kRestart:
    case RowStyle::kBrokerRestart: return 'R';
    case RowStyle::kProcess: return 'p';
    case RowStyle::kHandlerRetry: return 'r';
    case RowStyle::kRequeue: return 'q';
    case RowStyle::kLockExpired: return 'k';
    case RowStyle::kDiscard: return '0';
    case RowStyle::kUnroutable: return 'u';
    case RowStyle::kLostInRestart: return 'L';
    case RowStyle::kDuplicateDropped: return 'd';
    default: return 'o';
  }
}

char ArrowLine(RowStyle style) {
  switch (style) {
    case RowStyle::kRedeliver: return '=';
    case RowStyle::kNack: return '.';
    case RowStyle::kDeadLetter: return ':';
    default: return '-';
  }
}

const char* RowStyleName(RowStyle style) {
  switch (style) {
    case RowStyle::kIntent: return "intent";
    case RowStyle::kSend: return "send";
    case RowStyle::kAppend: return "append";
    case RowStyle::kAck: return "ack";
    case RowStyle::kGiveUp: return "give-up";
    case RowStyle::kLinkLoss: return "link-loss";
    case RowStyle::kLinkDuplicate: return "link-duplicate";
    case RowStyle::kDeliver: return "deliver";
    case RowStyle::kRedeliver: return "redeliver";
    case RowStyle::kEffect: return "effect";
    case RowStyle::kDuplicateEffect: return "duplicate-effect";
    case RowStyle::kEffectSkipped: return "effect-skipped";
    case RowStyle::kDeadLettered: return "dead-lettered";
    case RowStyle::kCommit: return "commit";
    case RowStyle::kCommitRefused: return "commit-refused";
    case RowStyle::kCrash: return "crash";
    case RowStyle::kRestart: return "restart";
    case RowStyle::kRebalance: return "rebalance";
    case RowStyle::kRoute: return "route";
    case RowStyle::kProcess: return "process";
    case RowStyle::kHandlerRetry: return "handler-retry";
    case RowStyle::kConsumerAck: return "consumer-ack";
    case RowStyle::kNack: return "nack";
    case RowStyle::kRequeue: return "requeue";
    case RowStyle::kLockExpired: return "lock-expired";
    case RowStyle::kDeadLetter: return "dead-letter";
    case RowStyle::kDiscard: return "discard";
    case RowStyle::kUnroutable: return "unroutable";
    case RowStyle::kLostInRestart: return "lost-in-restart";
    case RowStyle::kDuplicateDropped: return "duplicate-dropped";
    case RowStyle::kBrokerCrash: return "broker-crash";
    case RowStyle::kBrokerRestart: return "broker-restart";
  }
  return "?";
}

}  // namespace deliverysim::app
