// Which closed forms and Markov chains apply to a scenario, with their predictions, and, for
// everything they do not cover, a plain sentence saying why.
//
//   Analysis analysis = AnalyzeScenario(scenario);
//   for (const QueueCheck& q : analysis.queues) ... q.prediction.mean_queue_length ...
//   for (const std::string& why : analysis.not_applicable) ...
//
// - A consumer group is an M/M/1 queue (models/erlang_c.h) when one Poisson producer feeds a
//   one-partition topic read by one instance with exponential processing, one record per poll,
//   commits that do not batch, no network delay and no faults. Then the group's mean lag in
//   messages is the mean queue length Lq (commit before processing: the record in service is
//   committed) or the mean number in the system L (commit after processing or inbox).
// - A producer with acknowledgements is a retry chain (models/retry_chain.h): a produce request
//   lost on the way, or its acknowledgement lost on the way back, is sent again, up to
//   max_attempts; an append whose acknowledgement was lost is a duplicate in the log.
// - A queue consumer group whose handler attempts fail at random (consumers[].failure) is a
//   retry chain too (models/failing_handler_chain.h): p^n of its messages are dead-lettered,
//   n being the attempts its on_poison path allows.
// - A producer with acks 0 loses exactly the messages its link loses
//   (models/at_most_once_loss.h).
// - Competing consumers on one RabbitMQ-style queue, each holding one message at a time, are
//   the c servers of an M/M/c queue (Erlang C). The log splits a topic into partitions, each a
//   queue of its own, so a log group of c instances gets M/M/1 predictions only.
#pragma once

#include <string>
#include <vector>

#include "models/erlang_c.h"
#include "models/failing_handler_chain.h"
#include "models/retry_chain.h"
#include "models/scenario.h"

namespace deliverysim::models {

struct QueueCheck {
  std::string group;
  std::uint32_t servers = 1;
  double arrival_rate = 0;             // per second
  double service_rate = 0;             // per second, per server
  bool lag_counts_in_service = false;  // commits after processing: lag is L rather than Lq
  MmcPrediction prediction;
  double predicted_lag() const {
    return lag_counts_in_service ? prediction.mean_in_system : prediction.mean_queue_length;
  }
};

struct RetryCheck {
  std::string producer;
  RetryOdds policy;
  bool unlimited = false;
  RetryPrediction prediction;
};

struct AtMostOnceCheck {
  std::string producer;
  double loss_probability = 0;  // of each message, before it reaches the broker
};

struct Analysis {
  std::vector<QueueCheck> queues;
  std::vector<RetryCheck> retries;
  std::vector<AtMostOnceCheck> at_most_once;
  std::vector<DeadLetterCheck> dead_letters;
  std::vector<std::string> not_applicable;  // "group billing: processing is not exponential"
  std::vector<std::string> caveats;         // assumptions met only approximately
};

Analysis AnalyzeScenario(const Scenario& scenario);

}  // namespace deliverysim::models
