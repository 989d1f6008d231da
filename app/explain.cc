#include "app/explain.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "app/explain_outcome.h"
#include "app/explain_queue.h"
#include "app/report_table.h"

namespace deliverysim::app {

namespace {

// Why a group was handed an offset again: the crash that cut the work on it.
struct Cut {
  sim::Time at = 0;
  std::string component;
  std::string step;
};

// What one group did with the message.
struct GroupStory {
  int effects = 0;
  int skipped = 0;
  std::vector<std::string> duplicate_causes;
  std::optional<std::string> skipped_by_commit;  // an at-most-once loss, told when it happened
  std::int64_t unreadable_version = 0;  // dead-lettered as unreadable: the schema version; or 0
};

class Story {
 public:
  Story(const models::Scenario& scenario, MessageRef message)
      : scenario_(scenario),
        message_(message),
        producer_(models::SourceConfig(scenario, static_cast<std::uint32_t>(message.producer))),
        topic_(models::FindTopic(scenario, producer_.topic)),
        groups_(scenario.consumers.size()) {}

  void Add(const TimelineEvent& e);
  std::string Finish() const;

 private:
  void OnSend(const TimelineEvent& e);
  void OnLink(const TimelineEvent& e);
  void OnLostCommit(const TimelineEvent& e);
  void OnAppend(const TimelineEvent& e);
  void OnDeliver(const TimelineEvent& e);
  void OnEffect(const TimelineEvent& e);
  void OnDeadLettered(const TimelineEvent& e);
  void OnCommit(const TimelineEvent& e);
  void OnCrash(const TimelineEvent& e);
  void Say(sim::Time at, const std::string& sentence) {
    lines_.push_back(fmt::format("At {} s {}", FormatSeconds(at), sentence));
  }
  std::string Copy(std::int64_t offset) const;
  std::string LostReason(std::size_t group) const;

  const models::Scenario& scenario_;
  const MessageRef message_;
  const models::ProducerConfig producer_;  // a copy: a service's events have no config of their own
  const std::int64_t topic_;
  std::vector<std::string> lines_;
  std::vector<GroupStory> groups_;

  std::int64_t partition_ = -1;
  std::vector<std::int64_t> offsets_;  // one per copy in the log
  bool ack_lost_ = false;
  bool request_lost_ = false;
  std::string intended_by_;          // the component that traced the intent
  bool cut_before_publish_ = false;  // a service's process died between commit and publish
  bool duplicated_ = false;
  bool acked_ = false;
  bool producer_crashed_ = false;
  std::int64_t gave_up_after_ = 0;
  std::string crash_step_;
  // Per instance: the offsets of this message it holds unfinished, and what it has done.
  struct Held {
    bool effect = false;
    bool committed = false;
  };
  std::map<std::string, std::map<std::int64_t, Held>> held_;
  std::map<std::pair<std::int64_t, std::int64_t>, Cut> cuts_;    // (group, offset)
  std::map<std::pair<std::int64_t, std::int64_t>, int> handed_;  // (group, offset): deliveries
  std::map<std::int64_t, std::int64_t> committed_;               // group -> committed offset
  std::set<std::string> refused_;                        // instances whose refused commit was told
  std::map<std::int64_t, std::optional<Cut>> last_cut_;  // group -> cut before a commit
};

std::string Story::Copy(std::int64_t offset) const {
  if (offsets_.size() < 2) return fmt::format("offset {}", offset);
  for (std::size_t i = 0; i < offsets_.size(); ++i) {
    if (offsets_[i] == offset)
      return fmt::format("offset {} (copy {} of {})", offset, i + 1, offsets_.size());
  }
  return fmt::format("offset {}", offset);
}

void Story::Add(const TimelineEvent& e) {
  const bool mine = e.message == message_;
  switch (e.kind) {
    case EventKind::kIntent:
      if (!mine) return;
      intended_by_ = e.component;
      Say(e.at, fmt::format("{} intended message {} for topic {} ({}, sequence {} of its key).",
                            producer_.name, MessageName(scenario_, message_), producer_.topic,
                            e.key < 0 ? "no key" : fmt::format("key {}", e.key), e.count));
      break;
    case EventKind::kSend:
      if (mine) OnSend(e);
      break;
    case EventKind::kLinkLoss:
    case EventKind::kLinkDuplicate:
      if (mine) OnLink(e);
      if (!mine && e.kind == EventKind::kLinkLoss && e.detail == "commit") OnLostCommit(e);
      break;
    case EventKind::kAppend:
      if (mine) OnAppend(e);
      break;
    case EventKind::kAcked:
      if (!mine) return;
      acked_ = true;
      held_.erase(producer_.name);
      Say(e.at,
          fmt::format("{} received the acknowledgement for offset {}.", producer_.name, e.offset));
      break;
    case EventKind::kGiveUp:
      if (!mine) return;
      gave_up_after_ = e.count;
      held_.erase(producer_.name);
      Say(e.at,
          fmt::format("{} gave up on it after {} sends (max_attempts).", producer_.name, e.count));
      break;
    case EventKind::kDeliver:
      if (mine) OnDeliver(e);
      break;
    case EventKind::kEffect:
    case EventKind::kEffectSkipped:
      if (mine) OnEffect(e);
      break;
    case EventKind::kDeadLetteredUnreadable:
      if (mine) OnDeadLettered(e);
      break;
    case EventKind::kCommit:
    case EventKind::kCommitRefused: OnCommit(e); break;
    case EventKind::kCrashAtStep: crash_step_ = e.detail; break;
    case EventKind::kCrash: OnCrash(e); break;
    default: break;
  }
}

void Story::OnSend(const TimelineEvent& e) {
  partition_ = e.partition;
  if (producer_.acks != 0) held_[producer_.name][0];
  if (e.count == 1) {
    Say(e.at, fmt::format(
                  "{} sent it to {} partition {}{}.", producer_.name, producer_.topic, e.partition,
                  producer_.acks == 0 ? " without waiting for an acknowledgement (acks 0)" : ""));
    return;
  }
  Say(e.at, fmt::format("{} sent it again (attempt {}): no acknowledgement had come within "
                        "request_timeout ({}), and retry_backoff ({}) had passed.",
                        producer_.name, e.count, FormatDuration(producer_.request_timeout),
                        FormatDuration(producer_.retry_backoff)));
}

void Story::OnLink(const TimelineEvent& e) {
  const bool request = e.detail == "produce";
  if (e.kind == EventKind::kLinkDuplicate) {
    duplicated_ = true;
    Say(e.at, fmt::format("the link {} duplicated the {}.", e.component,
                          request ? "produce request" : "acknowledgement"));
    return;
  }
  if (request) {
    request_lost_ = true;
    Say(e.at, fmt::format("the produce request was lost on the link {}.", e.component));
  } else {
    ack_lost_ = true;
    Say(e.at, fmt::format("the broker's acknowledgement was lost on the link {}, so {} could "
                          "not know the record was written.",
                          e.component, producer_.name));
  }
}

void Story::OnLostCommit(const TimelineEvent& e) {
  // Told when the sender holds this message processed and not yet committed past.
  const std::string instance = e.component.substr(0, e.component.find("->"));
  auto held = held_.find(instance);
  if (held == held_.end()) return;
  for (const auto& [offset, work] : held->second) {
    if (work.effect && !work.committed) {
      Say(e.at, fmt::format("{}'s commit request was lost on the link {}, so the broker did not "
                            "store it.",
                            instance, e.component));
      return;
    }
  }
}

void Story::OnAppend(const TimelineEvent& e) {
  offsets_.push_back(e.offset);
  if (offsets_.size() == 1) {
    Say(e.at, fmt::format("the broker appended it to {} partition {} at offset {}.",
                          producer_.topic, e.partition, e.offset));
    return;
  }
  Say(e.at, fmt::format("the broker appended it again, at offset {}: the log now holds {} "
                        "copies of the message.",
                        e.offset, offsets_.size()));
}

void Story::OnDeliver(const TimelineEvent& e) {
  const std::int64_t group = GroupOfInstance(scenario_, e.component);
  held_[e.component][e.offset];
  const int handed = ++handed_[{group, e.offset}];
  if (handed == 1) {
    Say(e.at, fmt::format("{} (group {}) was handed it from {}.", e.component,
                          scenario_.consumers[group].group, Copy(e.offset)));
    return;
  }
  std::string why = "a rebalance moved the partition before a commit covered it";
  if (auto cut = cuts_.find({group, e.offset}); cut != cuts_.end()) {
    why = fmt::format("the crash of {} at {} s had cut it before a commit covered it",
                      cut->second.component, FormatSeconds(cut->second.at));
  }
  Say(e.at, fmt::format("{} was handed {} again, a redelivery: {}, so the group's committed "
                        "offset on partition {} had not passed it.",
                        e.component, Copy(e.offset), why, e.partition));
}

void Story::OnEffect(const TimelineEvent& e) {
  const std::int64_t group = GroupOfInstance(scenario_, e.component);
  GroupStory& story = groups_[group];
  held_[e.component][e.offset].effect = true;
  if (e.kind == EventKind::kEffectSkipped) {
    ++story.skipped;
    Say(e.at, fmt::format("{}'s inbox already held the id, so the side effect was skipped.",
                          e.component));
    return;
  }
  ++story.effects;
  if (story.effects == 1) {
    Say(e.at, fmt::format("{} ran the side effect.", e.component));
    return;
  }
  Say(e.at, fmt::format("{} ran the side effect AGAIN: a duplicate effect.", e.component));
  std::string cause;
  if (handed_[{group, e.offset}] > 1) {
    if (auto cut = cuts_.find({group, e.offset}); cut != cuts_.end()) {
      cause = fmt::format(
          "the crash of {} at {} s{} came after its side effect and before its "
          "commit, so {} was handed {} again",
          cut->second.component, FormatSeconds(cut->second.at),
          cut->second.step.empty() ? "" : " (step " + cut->second.step + ")", e.component,
          Copy(e.offset));
    } else {
      cause = fmt::format("the partition moved to {} before a commit covered {}", e.component,
                          Copy(e.offset));
    }
  } else {
    std::string how = "a retry";
    if (ack_lost_) how = "a retry after the acknowledgement was lost on its link";
    if (!ack_lost_ && duplicated_) how = "the link duplicating the produce request";
    if (!ack_lost_ && !duplicated_) how = "a retry after no acknowledgement came in time";
    cause = fmt::format("{} put a second copy in the log, and {} processed {}", how, e.component,
                        Copy(e.offset));
  }
  story.duplicate_causes.push_back(cause);
}

void Story::OnDeadLettered(const TimelineEvent& e) {
  const std::int64_t group = GroupOfInstance(scenario_, e.component);
  groups_[group].unreadable_version = e.count;
  held_[e.component][e.offset].effect = true;  // settled: a commit past it loses nothing
  Say(e.at, fmt::format("{} could not read its schema version {} and moved it to the group's "
                        "dead-letter queue without processing it.",
                        e.component, e.count));
}

void Story::OnCommit(const TimelineEvent& e) {
  const std::int64_t group = GroupOfInstance(scenario_, e.component);
  if (group < 0 || TopicOfInstance(scenario_, e.component) != topic_ || e.partition != partition_) {
    return;
  }
  std::int64_t& committed = committed_[group];
  bool passes = false;
  for (std::int64_t offset : offsets_)
    passes = passes || (committed <= offset && offset < e.offset);
  if (e.kind == EventKind::kCommitRefused) {
    // A member that lost the partition keeps trying; its first refusal tells the story.
    if (passes && refused_.insert(e.component).second) {
      Say(e.at, fmt::format("the coordinator refused {}'s commit of offset {}: it no longer "
                            "owned partition {}.",
                            e.component, e.offset, e.partition));
    }
    return;
  }
  committed = std::max(committed, e.offset);
  if (!passes) return;
  // The commit covers the message for every instance of the group that held it.
  for (auto& [instance, offsets] : held_) {
    if (GroupOfInstance(scenario_, instance) != group) continue;
    for (auto& [offset, held] : offsets) {
      if (offset < e.offset) held.committed = true;
    }
  }
  const bool unprocessed = groups_[group].effects == 0 && groups_[group].skipped == 0 &&
                           groups_[group].unreadable_version == 0;
  if (unprocessed) {
    // Committed before processing (at-most-once): the committer now holds it until its effect.
    for (std::int64_t offset : offsets_) {
      if (offset < e.offset) held_[e.component][offset].committed = true;
    }
  }
  Say(e.at,
      fmt::format("{} committed offset {} on partition {}, past this message{}.", e.component,
                  e.offset, e.partition, unprocessed ? ", before its side effect had run" : ""));
}

void Story::OnCrash(const TimelineEvent& e) {
  const std::string step = std::exchange(crash_step_, "");
  // A service's instance traced the intent itself only when it died before publishing it.
  if (e.component == intended_by_ && e.component != producer_.name && offsets_.empty() &&
      !cut_before_publish_) {
    cut_before_publish_ = true;
    Say(e.at,
        fmt::format("{} crashed{} after committing to its database and before "
                    "publishing the message: a dual write, so nothing will publish it.",
                    e.component, step.empty() ? "" : fmt::format(" (the fault's step: {})", step)));
    return;
  }
  auto held = held_.find(e.component);
  if (held == held_.end() || held->second.empty()) return;
  const std::string at_step = step.empty() ? "" : fmt::format(" (the fault's step: {})", step);
  if (e.component == producer_.name) {
    producer_crashed_ = true;
    Say(e.at, fmt::format("{} crashed{} before the acknowledgement came, and forgot the "
                          "message.",
                          e.component, at_step));
    held_.erase(held);
    return;
  }
  const std::int64_t group = GroupOfInstance(scenario_, e.component);
  for (const auto& [offset, work] : held->second) {
    if (work.effect && work.committed) continue;
    cuts_[{group, offset}] = Cut{e.at, e.component, step};
    std::string what = "in the middle of it, before its side effect and before a commit";
    if (work.effect) what = "after its side effect but before a commit covered it";
    if (work.committed) what = "after committing past it but before its side effect";
    Say(e.at, fmt::format("{} crashed{} {} ({}).", e.component, at_step, what, Copy(offset)));
    if (work.committed && !work.effect) {
      groups_[group].skipped_by_commit = fmt::format(
          "{} committed past it and crashed at {} s before running its side effect; "
          "the committed offset tells the next owner to start after it",
          e.component, FormatSeconds(e.at));
    }
  }
  held_.erase(held);
}

std::string Story::LostReason(std::size_t group) const {
  if (groups_[group].skipped_by_commit) return *groups_[group].skipped_by_commit;
  if (offsets_.empty()) {
    if (gave_up_after_ > 0)
      return fmt::format("the producer gave up after {} sends", gave_up_after_);
    if (producer_crashed_) return "the producer crashed before it was acknowledged and forgot it";
    if (cut_before_publish_) {
      return "the service's process died between its database commit and its publish";
    }
    if (request_lost_ && producer_.acks == 0) {
      return "the produce request was lost on its link, and with acks 0 nothing retries";
    }
    return "it never reached the log";
  }
  return "it is in the log, but no instance of the group processed it before the drain ended";
}

std::string Story::Finish() const {
  std::string out;
  for (const std::string& line : lines_) out += line + "\n";
  for (std::size_t g = 0; g < scenario_.consumers.size(); ++g) {
    if (scenario_.consumers[g].topic != producer_.topic) continue;
    const GroupStory& story = groups_[g];
    const std::string& name = scenario_.consumers[g].group;
    if (story.effects == 0 && story.unreadable_version > 0) {
      out += fmt::format(
          "Outcome for group {}: DEAD-LETTERED, never processed: the group's code does not read "
          "schema version {}, and the producer's change between versions 1 and 2 breaks "
          "readers.\n",
          name, story.unreadable_version);
    } else {
      out += OutcomeLine({name, story.effects, story.skipped, story.duplicate_causes,
                          story.effects == 0 ? LostReason(g) : "", ""});
    }
  }
  return out;
}

}  // namespace

std::string ExplainMessage(const models::Scenario& scenario,
                           const std::vector<TimelineEvent>& events, MessageRef message) {
  if (scenario.broker_kind != models::BrokerKind::kLog) {
    return ExplainQueueMessage(scenario, events, message);
  }
  Story story(scenario, message);
  for (const TimelineEvent& event : events) story.Add(event);
  return story.Finish();
}

}  // namespace deliverysim::app
