// The business-flow scenarios do what their headers say, and the flow machinery holds its
// promises: a failed step is compensated once, a lost event leaves its flow stuck where it
// stopped, a dual write loses what the crash cut, and choreography and orchestration decide
// each flow's outcome alike.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "app/scenario_loader.h"
#include "models/flow_plan.h"
#include "tests/test_support.h"

namespace deliverysim {
namespace {

using models::FlowResult;
using testing::BundledScenario;
using testing::RunScenario;

const FlowResult& OnlyFlow(const models::RunResult& result) {
  EXPECT_EQ(result.flows.size(), 1u);
  return result.flows.front();
}

// Every started flow ends in exactly one class.
void ExpectClassesAddUp(const FlowResult& flow) {
  EXPECT_EQ(flow.completed + flow.compensated + flow.inconsistent + flow.stuck, flow.started);
}

// The 99% range of a binomial(n, p) count by the normal approximation:
// n p -+ 2.5758 sqrt(n p (1 - p)).
void ExpectBinomial(std::uint64_t count, double n, double p) {
  const double mean = n * p;
  const double half_width = 2.5758 * std::sqrt(n * p * (1 - p));
  EXPECT_GE(static_cast<double>(count), mean - half_width) << "n " << n << " p " << p;
  EXPECT_LE(static_cast<double>(count), mean + half_width) << "n " << n << " p " << p;
}

TEST(FlowScenarios, ChoreographyWithOutboxAndInboxCompensatesEveryFailedPaymentOnce) {
  const FlowResult flow = OnlyFlow(RunScenario(BundledScenario("flow-order-choreography.yaml")));
  EXPECT_EQ(flow.style, "choreography");
  EXPECT_EQ(flow.started, 1000u);  // 50/s for 20 s
  EXPECT_EQ(flow.inconsistent, 0u);
  EXPECT_EQ(flow.stuck, 0u);
  EXPECT_EQ(flow.compensated, flow.failed);
  EXPECT_EQ(flow.compensations_repeated, 0u);
  ExpectBinomial(flow.failed, 1000, 0.1);
  ExpectClassesAddUp(flow);
  // Start, reserve, pay or decline, then an email or a release: four messages a flow.
  EXPECT_EQ(flow.messages, 4 * flow.started);
}

TEST(FlowScenarios, OrchestrationUnderAtLeastOnceCompensatesEveryFailedOrderExactlyOnce) {
  const models::RunResult result = RunScenario(BundledScenario("flow-order-orchestration.yaml"));
  const FlowResult& flow = OnlyFlow(result);
  EXPECT_EQ(flow.style, "orchestration");
  EXPECT_EQ(flow.started, 1000u);
  EXPECT_EQ(flow.inconsistent, 0u);
  EXPECT_EQ(flow.stuck, 0u);
  EXPECT_EQ(flow.gave_up, 0u);
  EXPECT_EQ(flow.compensated, flow.failed);
  EXPECT_EQ(flow.compensations_repeated, 0u);
  EXPECT_EQ(flow.steps_repeated, 0u);
  ExpectBinomial(flow.failed, 1000, 0.2);
  ExpectClassesAddUp(flow);
  // Seven messages a flow either way, and the faults made the orchestrator send some again.
  EXPECT_GT(flow.messages, 7 * flow.started);
  // The commands sent again reached the services as duplicates, which their inboxes absorbed.
  std::uint64_t duplicate_deliveries = 0;
  for (const models::GroupResult& group : result.groups) {
    EXPECT_EQ(group.duplicate_effects, 0u) << group.group;
    duplicate_deliveries += group.duplicate_deliveries;
  }
  EXPECT_GT(duplicate_deliveries, 0u);
}

TEST(FlowScenarios, AtMostOncePaymentLeavesFlowsStuckAtThePaymentStep) {
  const FlowResult flow =
      OnlyFlow(RunScenario(BundledScenario("flow-order-at-most-once-payment.yaml")));
  EXPECT_GT(flow.stuck, 0u);
  ASSERT_EQ(flow.stuck_at.size(), 1u);
  EXPECT_EQ(flow.stuck_at[0].first, "take-payment");
  EXPECT_EQ(flow.stuck_at[0].second, flow.stuck);
  EXPECT_EQ(flow.inconsistent, 0u);
  ExpectClassesAddUp(flow);
}

TEST(FlowScenarios, RideFlowCompensatesEveryDeclinedRide) {
  const FlowResult flow = OnlyFlow(RunScenario(BundledScenario("flow-ride.yaml")));
  EXPECT_EQ(flow.started, 600u);  // 20/s for 30 s
  EXPECT_EQ(flow.inconsistent, 0u);
  EXPECT_EQ(flow.stuck, 0u);
  EXPECT_EQ(flow.compensated, flow.failed);
  EXPECT_EQ(flow.completed, flow.started - flow.compensated);
  ExpectBinomial(flow.failed, 600, 0.15);
}

TEST(FlowScenarios, ADualWriteServiceLosesOneEventPerCrashAndAnOutboxNone) {
  models::Scenario scenario = BundledScenario("flow-service-dual-write.yaml");
  const models::RunResult dual_write = RunScenario(scenario);
  const FlowResult& flow = OnlyFlow(dual_write);
  EXPECT_EQ(flow.stuck, 3u);  // one per crash between the commit and the publish
  ASSERT_EQ(flow.stuck_at.size(), 1u);
  EXPECT_EQ(flow.stuck_at[0].first, "take-payment");
  EXPECT_EQ(flow.inconsistent, 0u);
  for (const models::GroupResult& group : dual_write.groups) {
    EXPECT_EQ(group.lost, 3u) << group.group;  // the three reserve-stock.done never published
  }

  for (models::ConsumerGroupConfig& group : scenario.consumers) {
    group.service.publish = models::PublishMode::kOutbox;
  }
  const models::RunResult outbox = RunScenario(scenario);
  EXPECT_EQ(OnlyFlow(outbox).stuck, 0u);
  EXPECT_EQ(OnlyFlow(outbox).inconsistent, 0u);
  for (const models::GroupResult& group : outbox.groups) EXPECT_EQ(group.lost, 0u);
}

TEST(FlowScenarios, BothStylesDecideTheSameFlowsFail) {
  // Whether a step fails is a property of the flow, drawn from its number, so the same
  // orders are declined however the flow is run.
  models::Scenario choreography = BundledScenario("flow-order-choreography.yaml");
  models::Scenario orchestration = BundledScenario("flow-order-orchestration.yaml");
  ASSERT_EQ(choreography.flows.size(), 1u);
  orchestration.flows[0].steps[1].failure = 0.1;
  for (models::ConsumerGroupConfig& group : orchestration.consumers) {
    for (models::ServiceRule& rule : group.service.rules) {
      if (rule.step == 1 && rule.role == models::RuleRole::kStep) rule.failure = 0.1;
    }
  }
  orchestration.seed = choreography.seed;
  EXPECT_EQ(OnlyFlow(RunScenario(choreography)).failed,
            OnlyFlow(RunScenario(orchestration)).failed);
}

TEST(FlowScenarios, RequestResponseFailsTheUsersWhileADownstreamServiceIsDown) {
  const models::RunResult result = RunScenario(BundledScenario("flow-order-request-response.yaml"));
  EXPECT_TRUE(result.groups.empty());  // calls, not consumer groups
  const FlowResult& flow = OnlyFlow(result);
  EXPECT_EQ(flow.style, "request-response");
  EXPECT_EQ(flow.started, 1000u);
  EXPECT_EQ(flow.unanswered, 0u);
  // Orders reaching payment in [8 s, 11 s) at 50/s; an edge order may fall either way.
  EXPECT_NEAR(static_cast<double>(flow.gave_up), 150, 2);
  EXPECT_EQ(flow.responses_failed, flow.failed);
  EXPECT_EQ(flow.responses_ok, flow.completed);
  EXPECT_EQ(flow.compensated, flow.failed);
  EXPECT_EQ(flow.inconsistent, 0u);
  EXPECT_EQ(flow.stuck, 0u);
  // A given-up order waited for three timeouts of 500 ms.
  EXPECT_GE(flow.response_time.max, 1500 * sim::kMillisecond);
  EXPECT_LT(flow.response_time.max, 1600 * sim::kMillisecond);
  // A working order: three calls, each 2 ms of network and an exponential 5 ms of work.
  EXPECT_LT(flow.response_time.p50, 50 * sim::kMillisecond);
}

TEST(FlowScenarios, EventsAnswerTheUsersAtOnceAndCatchUpAfterTheOutage) {
  const FlowResult flow =
      OnlyFlow(RunScenario(BundledScenario("flow-order-payment-down-events.yaml")));
  EXPECT_EQ(flow.started, 1000u);
  EXPECT_EQ(flow.responses_ok, 1000u);
  EXPECT_EQ(flow.responses_failed, 0u);
  EXPECT_LT(flow.response_time.max, 50 * sim::kMillisecond);
  EXPECT_EQ(flow.gave_up, 0u);
  EXPECT_EQ(flow.inconsistent, 0u);
  EXPECT_EQ(flow.stuck, 0u);
  EXPECT_EQ(flow.compensated, flow.failed);
  ExpectBinomial(flow.failed, 1000, 0.1);
  // Orders taken at 8 s wait for the payment service until 12 s.
  EXPECT_GT(flow.completion_time.max, 3 * sim::kSecond);
}

TEST(FlowPlan, ChoreographyMakesOneGroupPerServiceReactingToThePreviousStep) {
  models::Scenario scenario = BundledScenario("flow-order-choreography.yaml");
  ASSERT_EQ(scenario.consumers.size(), 3u);
  const models::ConsumerGroupConfig& stock = scenario.consumers[0];
  EXPECT_EQ(stock.group, "stock");
  EXPECT_TRUE(stock.generated);
  EXPECT_EQ(stock.topic, "order-events");
  EXPECT_EQ(stock.produce_to, "order-events");
  // Reserve on the start; release when the payment (or any later step) fails.
  ASSERT_EQ(stock.service.rules.size(), 3u);
  EXPECT_EQ(scenario.event_types[stock.service.rules[0].on], "order.started");
  EXPECT_EQ(scenario.event_types[stock.service.rules[0].emit], "reserve-stock.done");
  EXPECT_EQ(scenario.event_types[stock.service.rules[1].on], "take-payment.failed");
  EXPECT_EQ(scenario.event_types[stock.service.rules[1].emit], "release-stock.done");
  EXPECT_EQ(scenario.event_types[stock.service.rules[2].on], "send-email.failed");
  const models::ConsumerGroupConfig& payment = scenario.consumers[1];
  EXPECT_EQ(scenario.event_types[payment.service.rules[0].on], "reserve-stock.done");
  EXPECT_EQ(scenario.event_types[payment.service.rules[0].on_failure], "take-payment.failed");
  EXPECT_DOUBLE_EQ(payment.service.rules[0].failure, 0.1);
}

TEST(FlowPlan, OrchestrationMakesAnOrchestratorAndCommandHandlers) {
  models::Scenario scenario = BundledScenario("flow-order-orchestration.yaml");
  ASSERT_EQ(scenario.consumers.size(), 4u);
  EXPECT_EQ(scenario.consumers[0].group, "order-orchestrator");
  EXPECT_EQ(scenario.consumers[0].service.orchestrates, 0);
  EXPECT_EQ(scenario.consumers[0].topic, "order-events");
  EXPECT_EQ(scenario.consumers[0].produce_to, "order-commands");
  const models::ConsumerGroupConfig& stock = scenario.consumers[1];
  EXPECT_EQ(stock.topic, "order-commands");
  ASSERT_EQ(stock.service.rules.size(), 2u);
  EXPECT_EQ(scenario.event_types[stock.service.rules[0].on], "reserve-stock.command");
  EXPECT_EQ(scenario.event_types[stock.service.rules[1].on], "release-stock.command");
  EXPECT_EQ(scenario.event_types[stock.service.rules[1].emit], "release-stock.done");
}

TEST(Services, AHandWrittenServiceEmitsWithItsRulesProbability) {
  const auto loaded = app::LoadScenarioText(R"(name: notify
duration: 20s
drain: 5s
broker: { kind: log, initial_rebalance_delay: 100ms }
topics:
  - { name: orders, partitions: 2 }
  - { name: mails, partitions: 2 }
producers:
  - { name: shop, topic: orders, rate: 100/s, events: [order.placed],
      linger: 0ms }
consumers:
  - { group: mailer, topic: orders, instances: 1, processing: 1ms, commit: inbox,
      produce_to: mails, publish: outbox,
      handles: [ { event: order.placed, emit: mail.sent, probability: 0.3 } ] }
  - { group: archive, topic: mails, instances: 1, processing: 1ms, commit: inbox,
      auto_offset_reset: earliest }
)",
                                            "notify.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const models::RunResult result = RunScenario(loaded.value());
  ASSERT_EQ(result.groups.size(), 2u);
  const models::GroupResult& archive = result.groups[1];
  ExpectBinomial(archive.intended, 2000, 0.3);  // one draw per order, 100/s for 20 s
  EXPECT_EQ(archive.lost, 0u);
  EXPECT_EQ(result.topics[1].log_end_offsets[0] + result.topics[1].log_end_offsets[1],
            static_cast<std::int64_t>(archive.intended));
}

// A request-response ride whose trips service has one of two instances down for 3 s; `faults`
// replaces the fault list.
models::Scenario RideByCalls(const std::string& faults) {
  const auto loaded = app::LoadScenarioText(R"(name: rides
seed: 2
duration: 5s
drain: 5s
broker: { kind: log }
topics:
  - { name: unused, partitions: 1 }
producers:
  - { name: rider, topic: unused, rate: 100/s }
flows:
  - name: ride
    style: request-response
    starter: rider
    timeout: 200ms
    max_attempts: 2
    services: { instances: 2, processing: exp(5ms) }
    steps:
      - { name: match, service: matching, compensation: unmatch }
      - { name: start, service: trips, compensation: cancel-trip }
      - { name: finish, service: trips }
faults:
)" + faults,
                                            "rides.yaml");
  EXPECT_TRUE(loaded.ok()) << loaded.error().ToString();
  return loaded.ok() ? loaded.value() : models::Scenario{};
}

TEST(RequestResponse, ACallMadeAgainGoesToTheOtherInstance) {
  // With trips-2 up all along and two calls allowed, the second call of every trips step
  // reaches a live instance: no user gets an error, whichever instance the first call tried.
  const FlowResult flow =
      OnlyFlow(RunScenario(RideByCalls("  - { crash: trips-1, at: 1s, restart_after: 3s }\n")));
  EXPECT_EQ(flow.started, 500u);
  EXPECT_EQ(flow.responses_failed, 0u);
  EXPECT_EQ(flow.gave_up, 0u);
  EXPECT_EQ(flow.completed, 500u);
}

TEST(RequestResponse, AFlowGivenUpAtItsFirstStepHasACompensationTimeOfItsWait) {
  // Both matching instances down from 1 s to 3 s: a ride started then is given up after two
  // calls of 200 ms, with nothing to undo; its time is the 400 ms its user waited.
  const FlowResult flow =
      OnlyFlow(RunScenario(RideByCalls("  - { crash: matching-1, at: 1s, restart_after: 2s }\n"
                                       "  - { crash: matching-2, at: 1s, restart_after: 2s }\n")));
  EXPECT_GT(flow.gave_up, 0u);
  EXPECT_EQ(flow.compensated, flow.failed);
  EXPECT_EQ(flow.compensation_time.count, flow.compensated);
  EXPECT_GE(flow.compensation_time.p50, 400 * sim::kMillisecond);
  EXPECT_LT(flow.compensation_time.max, 500 * sim::kMillisecond);
}

TEST(Services, AServiceOnAQueueBrokerPublishesThroughAnExchange) {
  const models::RunResult result = RunScenario(BundledScenario("queue-service.yaml"));
  ASSERT_EQ(result.groups.size(), 2u);
  const models::GroupResult& billing = result.groups[0];
  const models::GroupResult& mailer = result.groups[1];
  EXPECT_EQ(billing.intended, 1000u);  // 50/s for 20 s
  EXPECT_EQ(billing.lost, 0u);
  EXPECT_EQ(billing.duplicate_effects, 0u);
  EXPECT_GT(billing.duplicate_deliveries, 0u);  // the crash made it receive one again
  ExpectBinomial(mailer.intended, 1000, 0.5);   // one draw per order
  EXPECT_EQ(mailer.lost, 0u);
  EXPECT_EQ(mailer.duplicate_effects, 0u);
  ASSERT_EQ(result.queue_broker.queues.size(), 2u);
  EXPECT_EQ(result.queue_broker.queues[1].enqueued, mailer.intended);
}

struct BadFlow {
  const char* name;
  const char* replace;
  const char* with;
  const char* key;
  const char* message;
};

TEST(FlowLoader, RejectsBadFlowsNamingTheKeyAndTheAllowedValues) {
  const std::string base = R"(name: bad
duration: 1s
topics:
  - { name: events, partitions: 1 }
  - { name: commands, partitions: 1 }
producers:
  - { name: shop, topic: events, rate: 10/s }
  - { name: kiosk, topic: events, rate: 10/s }
flows:
  - name: order
    style: choreography
    starter: shop
    events: events
    services: { instances: 1, processing: 1ms, commit: inbox }
    steps:
      - { name: pay, service: payment, compensation: refund }
)";
  const BadFlow cases[] = {
      {"style", "style: choreography", "style: saga", "flows[0].style",
       "allowed: choreography, orchestration"},
      {"starter", "starter: shop", "starter: shap", "flows[0].starter",
       "no producer called 'shap'; allowed: shop, kiosk"},
      {"commands", "events: events\n", "events: events\n    commands: commands\n",
       "flows[0].commands", "belongs to 'style: orchestration'"},
      {"step name", "compensation: refund", "compensation: pay", "flows[0].steps[0].compensation",
       "'pay' names another step"},
      {"two flows", "    steps:\n      - { name: pay, service: payment, compensation: refund }\n",
       "    steps:\n      - { name: pay, service: payment, compensation: refund }\n"
       "  - name: booking\n    style: choreography\n    starter: kiosk\n    events: events\n"
       "    services: { instances: 1, processing: 1ms, commit: inbox }\n"
       "    steps:\n      - { name: pay, service: cashier }\n",
       "flows[1].steps[0].name", "'pay' names another step, compensation or flow"},
      {"per service", "    steps:", "    per_service: { billing: { instances: 2 } }\n    steps:",
       "flows[0].per_service.billing", "allowed: payment"},
      {"calls with events", "style: choreography", "style: request-response", "flows[0].events",
       "a request-response flow calls its services; it has no events topic"},
      {"server settings", "style: choreography\n    starter: shop\n    events: events\n",
       "style: request-response\n    starter: shop\n", "flows[0].services.commit",
       "allowed: instances, processing"},
  };
  for (const BadFlow& bad : cases) {
    std::string text = base;
    const std::string replace = bad.replace, with = bad.with;
    const std::size_t at = text.find(replace);
    ASSERT_NE(at, std::string::npos) << bad.name;
    text.replace(at, replace.size(), with);
    const auto loaded = app::LoadScenarioText(text, "bad.yaml");
    ASSERT_FALSE(loaded.ok()) << bad.name;
    EXPECT_EQ(loaded.error().key, bad.key) << bad.name << ": " << loaded.error().ToString();
    EXPECT_NE(loaded.error().ToString().find(bad.message), std::string::npos)
        << bad.name << ": " << loaded.error().ToString();
    EXPECT_GT(loaded.error().line, 0) << bad.name;
  }
}

}  // namespace
}  // namespace deliverysim
