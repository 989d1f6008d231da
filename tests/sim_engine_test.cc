// Specification of the engine layer's ordering promises: the pending-event set pops in
// (time, scheduling) order, and Engine::RunUntil runs exactly the events due by its end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <random>
#include <vector>

#include "sim/engine.h"
#include "sim/event.h"
#include "sim/event_queue.h"
#include "sim/time.h"

namespace deliverysim::sim {
namespace {

// The seed of the randomised tests: fixed so that a failure reproduces, and overridable with
// DELIVERYSIM_TEST_SEED to explore other inputs. Printed so that every log names it.
std::uint64_t TestSeed(std::uint64_t fixed) {
  const char* text = std::getenv("DELIVERYSIM_TEST_SEED");
  const std::uint64_t seed = text ? std::strtoull(text, nullptr, 0) : fixed;
  std::cout << "[   SEED   ] " << seed << "\n";
  return seed;
}

std::vector<Event> PopAll(EventQueue& queue) {
  std::vector<Event> popped;
  while (!queue.empty()) popped.push_back(queue.Pop());
  return popped;
}

std::vector<Time> TimesOf(const std::vector<Event>& events) {
  std::vector<Time> times;
  for (const Event& event : events) times.push_back(event.at);
  return times;
}

std::vector<std::uint64_t> SequencesOf(const std::vector<Event>& events) {
  std::vector<std::uint64_t> sequences;
  for (const Event& event : events) sequences.push_back(event.sequence);
  return sequences;
}

// --- EventQueue ---------------------------------------------------------------------------

TEST(SimEventQueue, PopsEventsInTimeOrder) {
  EventQueue queue;
  std::uint64_t sequence = 0;
  for (Time at : {50, 10, 40, 20, 30}) queue.Push(Event{at, sequence++, 0, 0, 0});

  EXPECT_EQ(queue.size(), 5u);
  EXPECT_EQ(queue.top().at, 10);
  EXPECT_EQ(TimesOf(PopAll(queue)), (std::vector<Time>{10, 20, 30, 40, 50}));
}

TEST(SimEventQueue, BreaksTiesBetweenEqualTimesBySequence) {
  // Pushed in a scrambled sequence order, so only the comparison (not arrival) can sort them.
  EventQueue queue;
  for (std::uint64_t sequence : {3u, 0u, 4u, 1u, 2u}) queue.Push(Event{7, sequence, 0, 0, 0});

  EXPECT_EQ(SequencesOf(PopAll(queue)), (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
}

TEST(SimEventQueue, KeepsThePayloadOfEachEvent) {
  EventQueue queue;
  queue.Push(Event{20, 0, 3, 9, 0xabcdef});
  queue.Push(Event{10, 1, 5, 2, 42});

  const Event first = queue.Pop();
  EXPECT_EQ(first.target, 5u);
  EXPECT_EQ(first.kind, 2u);
  EXPECT_EQ(first.arg, 42u);
  const Event second = queue.Pop();
  EXPECT_EQ(second.target, 3u);
  EXPECT_EQ(second.kind, 9u);
  EXPECT_EQ(second.arg, 0xabcdefu);
  EXPECT_TRUE(queue.empty());
}

// Pushing everything and then popping everything must give the order of a stable sort by
// time, since sequence numbers are handed out in push order.
TEST(SimEventQueue, PopOrderMatchesStableSortOfRandomEvents) {
  std::mt19937_64 random(TestSeed(20240611));
  for (int round = 0; round < 20; ++round) {
    // Times from a narrow range so that most events share their time with others.
    const int count = 1000 + static_cast<int>(random() % 4000);
    const Time range = 1 + static_cast<Time>(random() % 500);
    std::vector<Event> pushed;
    EventQueue queue;
    for (int i = 0; i < count; ++i) {
      pushed.push_back(Event{static_cast<Time>(random() % range), static_cast<std::uint64_t>(i), 0,
                             0, static_cast<std::uint64_t>(i)});
      queue.Push(pushed.back());
    }

    std::vector<Event> expected = pushed;
    std::stable_sort(expected.begin(), expected.end(),
                     [](const Event& a, const Event& b) { return a.at < b.at; });
    ASSERT_EQ(SequencesOf(PopAll(queue)), SequencesOf(expected)) << "round " << round;
  }
}

// The engine's real use interleaves pops and pushes: every popped event schedules zero to two
// successors at or after its own time. The reference keeps a vector sorted by time, inserting
// each event after all events of equal time, which is (time, sequence) order.
TEST(SimEventQueue, InterleavedPushesAndPopsMatchASortedReference) {
  std::mt19937_64 random(TestSeed(777));
  EventQueue queue;
  std::vector<Event> reference;  // sorted; the next event to run is at the front
  std::uint64_t next_sequence = 0;
  auto push = [&](Time at) {
    const Event event{at, next_sequence++, 0, 0, 0};
    queue.Push(event);
    auto position = std::upper_bound(reference.begin(), reference.end(), event,
                                     [](const Event& a, const Event& b) { return a.at < b.at; });
    reference.insert(position, event);
  };

  for (int i = 0; i < 100; ++i) push(static_cast<Time>(random() % 50));
  for (int popped = 0; popped < 20000; ++popped) {
    ASSERT_EQ(queue.size(), reference.size());
    const Event got = queue.Pop();
    const Event want = reference.front();
    reference.erase(reference.begin());
    ASSERT_EQ(got.sequence, want.sequence) << "pop " << popped;
    ASSERT_EQ(got.at, want.at) << "pop " << popped;

    // Zero to two successors, one on average, so the queue grows and shrinks in bursts; the
    // population is held between 50 and 200 so that it can neither die out nor run away.
    int successors = static_cast<int>(random() % 3);
    if (reference.size() < 50) successors = 2;
    if (reference.size() > 200) successors = 0;
    for (int s = 0; s < successors; ++s) push(got.at + static_cast<Time>(random() % 8));
  }
}

// --- Engine -------------------------------------------------------------------------------

struct Ran {
  Time now;
  Time at;
  ComponentId target;
  std::uint32_t kind;
  std::uint64_t arg;
};

// A component that records every event it receives and then runs an optional reaction, so a
// test can schedule follow-up events from inside a run.
class Recorder : public Component {
 public:
  Recorder(Engine& engine, std::vector<Ran>& log) : engine_(engine), log_(log) {}

  void OnEvent(const Event& event) override {
    log_.push_back(Ran{engine_.now(), event.at, event.target, event.kind, event.arg});
    if (react_) react_(event);
  }

  std::function<void(const Event&)> react_;

 private:
  Engine& engine_;
  std::vector<Ran>& log_;
};

class SimEngine : public ::testing::Test {
 protected:
  SimEngine() : a_(engine_, log_), b_(engine_, log_) {
    a_id_ = engine_.Register(&a_);
    b_id_ = engine_.Register(&b_);
  }

  std::vector<std::uint64_t> ArgsRun() const {
    std::vector<std::uint64_t> args;
    for (const Ran& ran : log_) args.push_back(ran.arg);
    return args;
  }

  Engine engine_;
  std::vector<Ran> log_;
  Recorder a_;
  Recorder b_;
  ComponentId a_id_ = 0;
  ComponentId b_id_ = 0;
};

TEST_F(SimEngine, RegisterHandsOutConsecutiveIds) {
  EXPECT_EQ(a_id_, 0u);
  EXPECT_EQ(b_id_, 1u);
}

TEST_F(SimEngine, RunsEventsInTimeOrderWithTheClockAtEachEventsTime) {
  engine_.Schedule(30, a_id_, 0, 3);
  engine_.Schedule(10, b_id_, 0, 1);
  engine_.Schedule(20, a_id_, 0, 2);

  engine_.RunUntil(100);

  ASSERT_EQ(log_.size(), 3u);
  EXPECT_EQ(ArgsRun(), (std::vector<std::uint64_t>{1, 2, 3}));
  for (const Ran& ran : log_) EXPECT_EQ(ran.now, ran.at);
  EXPECT_EQ(log_[0].target, b_id_);
  EXPECT_EQ(engine_.events_run(), 3u);
}

TEST_F(SimEngine, RunsManySameInstantEventsInSchedulingOrder) {
  // 5000 events at one instant, alternating targets, interleaved with earlier and later events
  // so that the heap is reshaped many times between them.
  constexpr std::uint64_t kCount = 5000;
  for (std::uint64_t i = 0; i < kCount; ++i) {
    engine_.Schedule(kSecond, i % 2 ? b_id_ : a_id_, 0, i);
    engine_.Schedule(static_cast<Time>(i % 7), a_id_, 1, kCount + i);
    engine_.Schedule(2 * kSecond + static_cast<Time>(i % 5), a_id_, 1, 2 * kCount + i);
  }

  engine_.RunUntil(kSecond);

  std::vector<std::uint64_t> same_instant;
  for (const Ran& ran : log_) {
    if (ran.at == kSecond) same_instant.push_back(ran.arg);
  }
  std::vector<std::uint64_t> expected(kCount);
  for (std::uint64_t i = 0; i < kCount; ++i) expected[i] = i;
  EXPECT_EQ(same_instant, expected);
  EXPECT_EQ(engine_.pending(), kCount);  // the events after one second
}

TEST_F(SimEngine, RunUntilRunsEventsAtExactlyItsEndAndLeavesLaterOnesPending) {
  engine_.Schedule(10, a_id_, 0, 1);
  engine_.Schedule(20, a_id_, 0, 2);
  engine_.Schedule(21, a_id_, 0, 3);

  engine_.RunUntil(20);

  EXPECT_EQ(ArgsRun(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(engine_.now(), 20);
  EXPECT_EQ(engine_.pending(), 1u);

  engine_.RunUntil(30);

  EXPECT_EQ(ArgsRun(), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(log_.back().now, 21);
  EXPECT_EQ(engine_.now(), 30);
  EXPECT_EQ(engine_.pending(), 0u);
}

TEST_F(SimEngine, RunUntilMovesTheClockToItsEndEvenWithNothingDue) {
  engine_.Schedule(5 * kSecond, a_id_, 0, 1);

  engine_.RunUntil(kSecond);

  EXPECT_TRUE(log_.empty());
  EXPECT_EQ(engine_.now(), kSecond);
  EXPECT_EQ(engine_.pending(), 1u);
}

TEST_F(SimEngine, EventScheduledAtTheCurrentInstantDuringARunRunsInTheSameRunUntil) {
  // The first event schedules a follow-up for its own instant; the follow-up must run in this
  // call and after the event already waiting at that instant (it was scheduled later).
  a_.react_ = [&](const Event& event) {
    if (event.arg == 1) engine_.Schedule(engine_.now(), b_id_, 0, 3);
  };
  engine_.Schedule(10, a_id_, 0, 1);
  engine_.Schedule(10, a_id_, 0, 2);

  engine_.RunUntil(10);

  EXPECT_EQ(ArgsRun(), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(log_.back().now, 10);
  EXPECT_EQ(engine_.pending(), 0u);
}

TEST_F(SimEngine, ChainOfZeroDelayEventsAllRunWithoutTheClockMoving) {
  // Each event schedules the next after zero delay; RunUntil must not return half-way.
  a_.react_ = [&](const Event& event) {
    if (event.arg < 99) engine_.ScheduleAfter(0, a_id_, 0, event.arg + 1);
  };
  engine_.Schedule(kMillisecond, a_id_, 0, 0);

  engine_.RunUntil(kMillisecond);

  ASSERT_EQ(log_.size(), 100u);
  EXPECT_EQ(log_.back().arg, 99u);
  EXPECT_EQ(log_.back().now, kMillisecond);
}

TEST_F(SimEngine, ScheduleAfterCountsFromTheCurrentTime) {
  a_.react_ = [&](const Event& event) {
    if (event.arg == 1) engine_.ScheduleAfter(5, b_id_, 0, 2);
  };
  engine_.RunUntil(100);  // the clock is now 100
  engine_.ScheduleAfter(7, a_id_, 0, 1);

  engine_.RunUntil(1000);

  ASSERT_EQ(log_.size(), 2u);
  EXPECT_EQ(log_[0].at, 107);
  EXPECT_EQ(log_[1].at, 112);
  EXPECT_EQ(log_[1].target, b_id_);
}

TEST_F(SimEngine, PassesKindAndArgumentToTheTarget) {
  engine_.Schedule(1, b_id_, 42, 0xfeedfacecafebeefULL);

  engine_.RunUntil(1);

  ASSERT_EQ(log_.size(), 1u);
  EXPECT_EQ(log_[0].target, b_id_);
  EXPECT_EQ(log_[0].kind, 42u);
  EXPECT_EQ(log_[0].arg, 0xfeedfacecafebeefULL);
}

}  // namespace
}  // namespace deliverysim::sim
