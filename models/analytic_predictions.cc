#include "models/analytic_predictions.h"

#include <algorithm>

#include "models/at_most_once_loss.h"

namespace deliverysim::models {

namespace {

// The loss of the one-way link from `from` to `to`, when it stays the same all through the
// producing time (its own loss, and fault windows that cover the whole duration); otherwise
// `why` says what changes.
double ConstantLinkLoss(const Scenario& s, const std::string& from, const std::string& to,
                        std::string& why) {
  double survive = 1;
  for (const LinkConfig& link : s.network.links) {
    if (link.from != from || link.to != to) continue;
    survive *= 1 - link.loss;
    if (link.duplicate > 0) why = "link " + from + " -> " + to + " duplicates packets";
  }
  for (const LinkFault& fault : s.link_faults) {
    if (fault.from != from || fault.to != to) continue;
    if (fault.start > 0 || fault.end < s.duration) {
      why = "a fault window on " + from + " -> " + to + " changes its loss over time";
    }
    if (fault.duplicate > 0) why = "link " + from + " -> " + to + " duplicates packets";
    survive *= 1 - fault.loss;
  }
  return 1 - survive;
}

bool IsZero(const sim::Distribution& d) {
  return d.kind() == sim::Distribution::Kind::kConstant && d.a() == 0;
}

// Why the network is not free and instant, or "" when it is.
std::string NetworkTrouble(const Scenario& s) {
  if (!IsZero(s.network.latency)) return "network.latency is not const(0)";
  for (const LinkConfig& link : s.network.links) {
    if ((link.has_latency && !IsZero(link.latency)) || link.loss > 0 || link.duplicate > 0) {
      return "link " + link.from + " -> " + link.to + " has latency, loss or duplication";
    }
  }
  if (!s.link_faults.empty()) return "the scenario has link faults";
  return "";
}

// "" when group g's instances are the c servers of an M/M/c queue on a RabbitMQ-style queue,
// else the first assumption they break. Each instance holds one message at a time (prefetch 1,
// manual acknowledgement) and acknowledges it when processed, so the queue's depth (ready plus
// unacknowledged) is the number in the system, L.
std::string CompetingConsumersTrouble(const Scenario& s, const ConsumerGroupConfig& g,
                                      const ProducerConfig** producer) {
  const QueueBrokerConfig& broker = s.queue_broker;
  if (broker.queues.size() != 1 || s.producers.size() != 1) {
    return "the model needs one queue fed by one producer";
  }
  *producer = &s.producers[0];
  const ProducerConfig& p = **producer;
  const bool routed = std::any_of(
      broker.bindings.begin(), broker.bindings.end(), [&](const BindingConfig& binding) {
        if (binding.exchange != p.exchange || binding.queue != g.topic) return false;
        const auto exchange =
            std::find_if(broker.exchanges.begin(), broker.exchanges.end(),
                         [&](const ExchangeConfig& e) { return e.name == binding.exchange; });
        return exchange != broker.exchanges.end() &&
               (exchange->type == ExchangeType::kFanout ||
                (exchange->type == ExchangeType::kDirect && binding.key == p.routing_key));
      });
  if (!routed) return "the producer does not reach the queue through a fanout or direct binding";
  if (p.arrivals != Arrivals::kPoisson) return "arrivals are not Poisson";
  if (p.poison > 0) return "the producer sends poison messages";
  if (g.queue.failure > 0) return "handler attempts fail (failure), so messages are served again";
  if (g.processing.kind() != sim::Distribution::Kind::kExponential) {
    return "processing is not exponential";
  }
  const QueueConsumerConfig& q = g.queue;
  if (q.ack != AckMode::kManual || q.prefetch != 1 || q.concurrency != 1 || q.ack_every != 1) {
    return "each instance must hold one message at a time: ack manual, prefetch 1, "
           "concurrency 1, ack_every 1";
  }
  if (const std::string trouble = NetworkTrouble(s); !trouble.empty()) {
    return trouble + "; deliveries and acknowledgements would take time the model does not have";
  }
  if (!s.crashes.empty()) return "the scenario has crashes";
  const double rho = p.rate_per_second * g.processing.Mean() / 1e9 / g.instances;
  if (rho >= 1) return "utilisation is 1 or more: the queue grows without bound";
  return "";
}

// "" when group g is an M/M/1 queue, else the first assumption it breaks.
std::string QueueTrouble(const Scenario& s, const ConsumerGroupConfig& g,
                         const ProducerConfig** producer) {
  if (s.broker_kind == BrokerKind::kServiceBus) {
    return "it reads a Service Bus queue, for which no queue model is built yet";
  }
  if (s.broker_kind == BrokerKind::kQueue) return CompetingConsumersTrouble(s, g, producer);
  if (s.topics[TopicIndex(s, g.topic)].partitions != 1) {
    return "its topic has several partitions, each a queue of its own with a share of the "
           "arrivals; M/M/c needs competing consumers on one queue";
  }
  if (g.instances != 1) return "it has several instances but one partition to share";
  int producers = 0;
  for (const ProducerConfig& p : s.producers) {
    if (p.topic == g.topic) {
      ++producers;
      *producer = &p;
    }
  }
  if (producers != 1) return "its topic needs exactly one producer";
  if ((*producer)->arrivals != Arrivals::kPoisson) return "arrivals are not Poisson";
  // Lingering gathers records into batches, so they reach the log in bursts.
  if ((*producer)->linger != 0) return "the producer lingers (linger is not 0ms)";
  if (g.processing.kind() != sim::Distribution::Kind::kExponential) {
    return "processing is not exponential";
  }
  if (g.max_poll_records != 1) {
    return "max_poll_records is not 1, so commits trail a whole batch and lag counts it";
  }
  if (g.commit == CommitStrategy::kAutoCommitOnPoll ||
      g.commit == CommitStrategy::kAutoCommitTimer) {
    return "auto-commit moves the committed offset on a timer, not per record";
  }
  if (const std::string trouble = NetworkTrouble(s); !trouble.empty()) {
    return trouble + "; fetches and commits would take time the queue model does not have";
  }
  if (!s.crashes.empty()) return "the scenario has crashes";
  const double rho = (*producer)->rate_per_second * g.processing.Mean() / 1e9;
  if (rho >= 1) return "utilisation is 1 or more: the queue grows without bound";
  return "";
}

void AnalyzeGroups(const Scenario& s, Analysis& out) {
  for (const ConsumerGroupConfig& g : s.consumers) {
    const ProducerConfig* producer = nullptr;
    if (const std::string trouble = QueueTrouble(s, g, &producer); !trouble.empty()) {
      out.not_applicable.push_back("group " + g.group + " is not an M/M/" +
                                   (s.broker_kind == BrokerKind::kQueue ? "c" : "1") +
                                   " queue: " + trouble);
      continue;
    }
    const bool queue_broker = s.broker_kind == BrokerKind::kQueue;
    QueueCheck check;
    check.group = g.group;
    check.servers = queue_broker ? g.instances : 1;
    check.arrival_rate = producer->rate_per_second;
    check.service_rate = 1e9 / g.processing.Mean();
    check.lag_counts_in_service = queue_broker || g.commit != CommitStrategy::kBeforeProcessing;
    check.prediction = ErlangC(check.servers, check.arrival_rate, check.service_rate);
    out.queues.push_back(check);
    if (s.initial_rebalance_delay > 0) {
      out.caveats.push_back("group " + g.group +
                            ": the queue builds up during initial_rebalance_delay, a start-up "
                            "transient the steady-state model leaves out");
    }
    if (s.drain > 0) {
      out.caveats.push_back("group " + g.group +
                            ": lag is also sampled during the drain, when nothing arrives; "
                            "drain: 0 matches the steady state");
    }
  }
}

void AnalyzeProducers(const Scenario& s, Analysis& out) {
  for (const ProducerConfig& p : s.producers) {
    if (p.calls_instead) {
      out.not_applicable.push_back("producer " + p.name +
                                   ": its requests are synchronous calls of a request-response "
                                   "flow, which no analytic model covers");
      continue;
    }
    if (p.acks == 0) {
      double base = 0;
      for (const LinkConfig& l : s.network.links) {
        if (l.from == p.name && l.to == "broker") base = l.loss;
      }
      std::vector<LossWindow> windows;
      for (const LinkFault& f : s.link_faults) {
        if (f.from == p.name && f.to == "broker") windows.push_back({f.start, f.end, f.loss});
      }
      out.at_most_once.push_back({p.name, AtMostOnceLossProbability(base, windows, s.duration)});
      continue;
    }
    const bool crashes = std::any_of(s.crashes.begin(), s.crashes.end(),
                                     [&](const CrashFault& c) { return c.target == p.name; });
    std::string why = crashes ? "it crashes, forgetting its unacknowledged messages" : "";
    const double request_loss = ConstantLinkLoss(s, p.name, "broker", why);
    const double ack_loss = ConstantLinkLoss(s, "broker", p.name, why);
    if (!why.empty()) {
      out.not_applicable.push_back("producer " + p.name +
                                   " is not a retry chain with fixed probabilities: " + why);
      continue;
    }
    RetryCheck check;
    check.producer = p.name;
    check.policy.request_loss = request_loss;
    check.policy.ack_loss = ack_loss;
    check.unlimited = p.max_attempts == 0;
    if (check.unlimited) {
      if (check.policy.request_loss >= 1 || check.policy.ack_loss >= 1) {
        out.not_applicable.push_back("producer " + p.name + ": no attempt can succeed");
        continue;
      }
      check.prediction = SolveUnlimitedRetries(check.policy);
    } else if (p.max_attempts > kMaxChainAttempts) {
      out.not_applicable.push_back("producer " + p.name +
                                   ": more than 1000 attempts; treat it as unlimited");
      continue;
    } else {
      check.policy.max_attempts = p.max_attempts;
      check.prediction = SolveRetryChain(check.policy);
    }
    out.retries.push_back(check);
    // A timeout fails every request in flight on the connection, not only its own.
    const bool lossy = check.policy.request_loss > 0 || check.policy.ack_loss > 0;
    if (lossy && p.timeout_closes_connection && p.max_in_flight > 1) {
      out.caveats.push_back(
          "producer " + p.name + ": with max_in_flight " + std::to_string(p.max_in_flight) +
          " a request timeout closes the connection and resends every batch in flight on it, "
          "so the chain, which counts each message's own attempts, undercounts sends (and "
          "duplicate appends); max_in_flight: 1 matches it");
    }
    // A reply slower than the timeout makes a retry the chain does not count.
    const double round_trip = 2 * s.network.latency.Mean();
    if (round_trip >= 0.5 * static_cast<double>(p.request_timeout)) {
      out.caveats.push_back("producer " + p.name +
                            ": replies may outlast request_timeout, adding retries the chain "
                            "does not count");
    }
  }
}

void AnalyzeFailingHandlers(const Scenario& s, Analysis& out) {
  if (s.broker_kind == BrokerKind::kLog) return;
  for (const ConsumerGroupConfig& g : s.consumers) {
    if (g.queue.failure <= 0) continue;
    const FailingHandlerMapping mapping = MapFailingHandler(s, g);
    if (!mapping.why.empty()) {
      out.not_applicable.push_back("group " + g.group +
                                   ": its failing handler is not a retry chain: " + mapping.why);
      continue;
    }
    out.dead_letters.push_back(mapping.check);
    if (!mapping.caveat.empty()) out.caveats.push_back("group " + g.group + ": " + mapping.caveat);
  }
}

}  // namespace

Analysis AnalyzeScenario(const Scenario& scenario) {
  Analysis out;
  AnalyzeGroups(scenario, out);
  AnalyzeProducers(scenario, out);
  AnalyzeFailingHandlers(scenario, out);
  return out;
}

}  // namespace deliverysim::models
