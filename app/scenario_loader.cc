#include "app/scenario_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "app/units.h"
#include "models/flow_plan.h"
#include "models/sync_caller.h"

namespace deliverysim::app {

namespace {

using models::Scenario;

// Limits that keep every run finite and within a few gigabytes of memory: each consumer instance
// keeps state per partition of its topic, and each producer a counter per key.
constexpr double kMaxRatePerSecond = 1e7;
constexpr double kMinRatePerSecond = 1.0 / 3600;  // one an hour
constexpr sim::Time kMaxDuration = 1000 * sim::kHour;
constexpr std::uint64_t kMaxPartitions = 10'000;
constexpr std::uint64_t kMaxBrokers = 100;
constexpr std::uint64_t kMaxInstances = 1'000;
constexpr std::uint64_t kMaxKeys = 10'000'000;
constexpr double kMaxInstancePartitions = 1e7;
// Message numbers are 32-bit per producer; the total also keeps a run under an hour or so.
constexpr double kMaxMessagesPerRun = 4e9;

// Thrown inside this file only, and turned into a Result at its edge.
struct LoadFailure {
  Error error;
};

std::string Join(const std::vector<std::string>& words) {
  std::string joined;
  for (const std::string& word : words) joined += (joined.empty() ? "" : ", ") + word;
  return joined;
}

std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A YAML node with the path of keys that led to it, so that every complaint can name both the
// position and the key.
class Node {
 public:
  // `key_mark` is where the key that led here stands, when there is one.
  Node(YAML::Node node, std::string path, const std::string* file,
       YAML::Mark key_mark = YAML::Mark::null_mark())
      : node_(std::move(node)), path_(std::move(path)), file_(file), key_mark_(key_mark) {}

  // yaml-cpp places an empty value at the token after it, often on a later line, so a complaint
  // about an empty value points at its key instead.
  [[noreturn]] void Fail(const std::string& message) const {
    FailAt(node_.IsNull() && !key_mark_.is_null() ? key_mark_ : node_.Mark(), message);
  }

  [[noreturn]] void FailAt(const YAML::Mark& mark, const std::string& message) const {
    throw LoadFailure{Error{*file_, mark.line + 1, mark.column + 1, path_, message}};
  }

  const std::string& path() const { return path_; }
  bool IsMap() const { return node_.IsMap(); }

  // Checks that this is a map whose keys are all in `allowed` and appear once.
  void ExpectMap(const std::vector<std::string>& allowed) const {
    if (!node_.IsMap()) Fail("expected a map of keys (key: value)");
    std::set<std::string> seen;
    for (auto entry : node_) {
      if (!entry.first.IsScalar()) {
        Node(entry.first, path_, file_)
            .Fail(entry.first.IsNull() ? "a value without a key before its ':'"
                                       : "a key must be a single word, not a list or a map");
      }
      const std::string key = entry.first.Scalar();
      const std::string path = Child(key);
      if (!seen.insert(key).second) {
        throw LoadFailure{Error{*file_, entry.first.Mark().line + 1, entry.first.Mark().column + 1,
                                path, "key given twice"}};
      }
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string message = "unknown key";
      if (key.find(')') != std::string::npos) {
        message +=
            " (a value with a comma inside { } must be quoted, as in "
            "latency: \"uniform(1ms, 2ms)\")";
      }
      const auto nearest = std::min_element(allowed.begin(), allowed.end(),
                                            [&](const std::string& x, const std::string& y) {
                                              return EditDistance(key, x) < EditDistance(key, y);
                                            });
      if (nearest != allowed.end() && EditDistance(key, *nearest) <= 2) {
        message += " (did you mean '" + *nearest + "'?)";
      }
      throw LoadFailure{Error{*file_, entry.first.Mark().line + 1, entry.first.Mark().column + 1,
                              path, message + "; allowed: " + Join(allowed)}};
    }
  }

  bool Has(const std::string& key) const { return node_[key].IsDefined(); }

  Node Get(const std::string& key) const {
    YAML::Node child = node_[key];
    if (!child.IsDefined()) Fail("missing required key '" + key + "'");
    return Node(child, Child(key), file_, KeyMark(key));
  }

  std::vector<Node> Items() const {
    if (!node_.IsSequence()) Fail("expected a list (items starting with '- ')");
    std::vector<Node> items;
    for (std::size_t i = 0; i < node_.size(); ++i) {
      items.emplace_back(node_[i], path_ + "[" + std::to_string(i) + "]", file_);
    }
    return items;
  }

  std::string Text() const {
    if (node_.IsNull()) Fail("the value is empty; expected a single value");
    if (!node_.IsScalar()) Fail("expected a single value, not a list or a map");
    return node_.Scalar();
  }

  std::string Name() const {
    std::string text = Text();
    if (text.empty()) Fail("expected a non-empty name");
    return text;
  }

  std::uint64_t Unsigned(std::uint64_t min, std::uint64_t max) const {
    const std::string text = Text();
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
      Fail("expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
           ", got '" + text + "'");
    }
    return value;
  }

  double Probability() const {
    const std::string text = Text();
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 1)) {
      Fail("expected a probability from 0 to 1, got '" + text + "'");
    }
    return value;
  }

  double NonNegativeNumber() const {
    const std::string text = Text();
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0) || value > 1e9) {
      Fail("expected a number from 0 to 1e9, got '" + text + "'");
    }
    return value;
  }

  template <typename T>
  T Parse(Parsed<T> (*parse)(std::string_view)) const {
    const std::string text = Text();
    Parsed<T> parsed = parse(text);
    if (auto* message = std::get_if<std::string>(&parsed)) Fail(*message + ", got '" + text + "'");
    return std::get<T>(parsed);
  }

  sim::Time Duration() const {
    const sim::Time value = Parse(&ParseDuration);
    if (value > kMaxDuration) Fail("at most 1000h");
    return value;
  }
  sim::Time PositiveDuration() const {
    const sim::Time value = Duration();
    if (value <= 0) Fail("expected a duration above zero");
    return value;
  }
  sim::Distribution Distribution() const { return Parse(&ParseDistribution); }

  template <typename E>
  E Choice(const std::vector<std::pair<std::string, E>>& choices) const {
    const std::string text = Text();
    std::vector<std::string> names;
    for (const auto& [name, value] : choices) {
      if (name == text) return value;
      names.push_back(name);
    }
    Fail("unknown value '" + text + "'; allowed: " + Join(names));
  }

 private:
  std::string Child(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  YAML::Mark KeyMark(const std::string& key) const {
    for (const auto& entry : node_) {
      if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.first.Mark();
    }
    return YAML::Mark::null_mark();
  }

  YAML::Node node_;
  std::string path_;
  const std::string* file_;
  YAML::Mark key_mark_;
};

// A key absent means its default; present, it is parsed by `read`.
template <typename T, typename Read>
void Optional(const Node& map, const std::string& key, T& target, Read read) {
  if (map.Has(key)) target = read(map.Get(key));
}

// ---- Queue brokers (broker.kind: queue) -----------------------------------------------------

bool Boolean(const Node& node) { return node.Choice<bool>({{"true", true}, {"false", false}}); }

// The names of `items`, for messages listing what a reference may name.
template <typename T>
std::vector<std::string> NamesOf(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const T& item : items) names.push_back(item.name);
  return names;
}

template <typename T>
void CheckNamed(const Node& at, const std::vector<T>& items, const std::string& name,
                const char* what) {
  for (const T& item : items) {
    if (item.name == name) return;
  }
  at.Fail(std::string("no ") + what + " called '" + name + "'; allowed: " + Join(NamesOf(items)));
}

void LoadExchange(const Node& node, models::QueueBrokerConfig& broker) {
  node.ExpectMap({"name", "type"});
  models::ExchangeConfig exchange;
  exchange.name = node.Get("name").Name();
  exchange.type = node.Get("type").Choice<models::ExchangeType>({
      {"direct", models::ExchangeType::kDirect},
      {"fanout", models::ExchangeType::kFanout},
      {"topic", models::ExchangeType::kTopic},
  });
  for (const auto& other : broker.exchanges) {
    if (other.name == exchange.name) node.Get("name").Fail("exchange defined twice");
  }
  broker.exchanges.push_back(exchange);
}

void LoadQueue(const Node& node, models::QueueBrokerConfig& broker) {
  node.ExpectMap({"name", "type", "durable", "delivery_limit", "dead_letter_exchange",
                  "dead_letter_routing_key"});
  models::QueueConfig queue;
  queue.name = node.Get("name").Name();
  Optional(node, "type", queue.type, [](const Node& n) {
    return n.Choice<models::QueueType>(
        {{"classic", models::QueueType::kClassic}, {"quorum", models::QueueType::kQuorum}});
  });
  Optional(node, "durable", queue.durable, Boolean);
  Optional(node, "delivery_limit", queue.delivery_limit,
           [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, 1'000'000)); });
  Optional(node, "dead_letter_exchange", queue.dead_letter_exchange,
           [](const Node& n) { return n.Name(); });
  Optional(node, "dead_letter_routing_key", queue.dead_letter_routing_key,
           [](const Node& n) { return n.Text(); });
  const bool quorum = queue.type == models::QueueType::kQuorum;
  if (!quorum && node.Has("delivery_limit")) {
    node.Get("delivery_limit").Fail("classic queues have no delivery limit; use type: quorum");
  }
  if (quorum && !queue.durable) node.Get("durable").Fail("quorum queues are always durable");
  if (node.Has("dead_letter_routing_key") && queue.dead_letter_exchange.empty()) {
    node.Get("dead_letter_routing_key").Fail("needs a dead_letter_exchange");
  }
  for (const auto& other : broker.queues) {
    if (other.name == queue.name) node.Get("name").Fail("queue defined twice");
  }
  broker.queues.push_back(queue);
}

void LoadQueueBroker(const Node& node, Scenario& scenario) {
  models::QueueBrokerConfig& broker = scenario.queue_broker;
  for (const Node& item : node.Get("exchanges").Items()) LoadExchange(item, broker);
  for (const Node& item : node.Get("queues").Items()) LoadQueue(item, broker);
  if (broker.queues.empty()) node.Get("queues").Fail("a queue broker needs at least one queue");
  if (node.Has("bindings")) {
    for (const Node& item : node.Get("bindings").Items()) {
      item.ExpectMap({"exchange", "queue", "key"});
      models::BindingConfig binding;
      binding.exchange = item.Get("exchange").Name();
      binding.queue = item.Get("queue").Name();
      Optional(item, "key", binding.key, [](const Node& n) { return n.Text(); });
      CheckNamed(item.Get("exchange"), broker.exchanges, binding.exchange, "exchange");
      CheckNamed(item.Get("queue"), broker.queues, binding.queue, "queue");
      broker.bindings.push_back(binding);
    }
  }
  const std::vector<Node> queues = node.Get("queues").Items();
  for (std::size_t q = 0; q < broker.queues.size(); ++q) {
    const std::string& exchange = broker.queues[q].dead_letter_exchange;
    if (!exchange.empty()) {
      CheckNamed(queues[q].Get("dead_letter_exchange"), broker.exchanges, exchange, "exchange");
    }
  }
}

// A Service Bus entity is a queue addressed by name: the loader binds each to one hidden
// direct exchange under its own name, so that routing is the queue broker's.
constexpr const char* kServiceBusExchange = "";

void LoadServiceBusBroker(const Node& node, Scenario& scenario) {
  for (const char* key : {"exchanges", "bindings"}) {
    if (node.Has(key)) {
      node.Get(key).Fail("belongs to 'kind: queue' brokers; Service Bus senders name a queue");
    }
  }
  models::QueueBrokerConfig& broker = scenario.queue_broker;
  broker.exchanges.push_back({kServiceBusExchange, models::ExchangeType::kDirect});
  for (const Node& item : node.Get("queues").Items()) {
    item.ExpectMap(
        {"name", "lock_duration", "max_delivery_count", "duplicate_detection_window", "sessions"});
    models::QueueConfig queue;
    queue.name = item.Get("name").Name();
    queue.lock_duration = sim::kMinute;
    Optional(item, "lock_duration", queue.lock_duration, [](const Node& n) {
      const sim::Time lock = n.PositiveDuration();
      if (lock > 5 * sim::kMinute) n.Fail("at most 5m, Service Bus's longest lock");
      return lock;
    });
    Optional(item, "max_delivery_count", queue.max_delivery_count,
             [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, 1'000'000)); });
    Optional(item, "duplicate_detection_window", queue.duplicate_detection_window,
             [](const Node& n) { return n.PositiveDuration(); });
    Optional(item, "sessions", queue.sessions, Boolean);
    for (const auto& other : broker.queues) {
      if (other.name == queue.name) item.Get("name").Fail("queue defined twice");
    }
    broker.queues.push_back(queue);
    broker.bindings.push_back({kServiceBusExchange, queue.name, queue.name});
  }
  if (broker.queues.empty()) node.Get("queues").Fail("a Service Bus needs at least one queue");
}

void LoadQueuePublisher(const Node& node, models::BrokerKind kind,
                        models::ProducerConfig& producer) {
  if (kind == models::BrokerKind::kServiceBus) {
    // A send is always acknowledged, and retried until it is.
    producer.exchange = kServiceBusExchange;
    producer.routing_key = node.Get("queue").Name();
    producer.acks = -1;
    Optional(node, "poison", producer.poison, [](const Node& n) { return n.Probability(); });
    return;
  }
  producer.exchange = node.Get("exchange").Name();
  Optional(node, "routing_key", producer.routing_key, [](const Node& n) { return n.Text(); });
  Optional(node, "mandatory", producer.mandatory, Boolean);
  Optional(node, "persistent", producer.persistent, Boolean);
  Optional(node, "poison", producer.poison, [](const Node& n) { return n.Probability(); });
  bool confirms = false;
  Optional(node, "confirms", confirms, Boolean);
  producer.acks = confirms ? -1 : 0;
  if (!confirms && node.Has("max_attempts")) {
    node.Get("max_attempts")
        .Fail(
            "without publisher confirms nothing comes back, so nothing is republished; "
            "write confirms: true");
  }
}

// A retry policy's map: { backoff, base, cap, jitter, max_attempts }; max_attempts only where
// attempts run out (handler retries), not for reconnecting.
models::RetryPolicyConfig LoadRetryPolicy(const Node& node, bool with_max_attempts) {
  std::vector<std::string> keys{"backoff", "base", "cap", "jitter"};
  if (with_max_attempts) keys.push_back("max_attempts");
  node.ExpectMap(keys);
  models::RetryPolicyConfig policy;
  if (!with_max_attempts) policy.max_attempts = 0;
  Optional(node, "backoff", policy.backoff, [](const Node& n) {
    return n.Choice<models::Backoff>({{"immediate", models::Backoff::kImmediate},
                                      {"fixed", models::Backoff::kFixed},
                                      {"exponential", models::Backoff::kExponential}});
  });
  Optional(node, "base", policy.base, [](const Node& n) { return n.Duration(); });
  Optional(node, "cap", policy.cap, [](const Node& n) { return n.Duration(); });
  Optional(node, "jitter", policy.jitter, [](const Node& n) {
    return n.Choice<models::Jitter>({{"none", models::Jitter::kNone},
                                     {"full", models::Jitter::kFull},
                                     {"equal", models::Jitter::kEqual},
                                     {"decorrelated", models::Jitter::kDecorrelated}});
  });
  Optional(node, "max_attempts", policy.max_attempts, [](const Node& n) {
    return n.Text() == "unlimited" ? 0u : static_cast<std::uint32_t>(n.Unsigned(1, 1'000'000));
  });
  if (policy.cap < policy.base)
    node.Get(node.Has("cap") ? "cap" : "base").Fail("cap is below base");
  return policy;
}

models::ServiceRule LoadServiceRule(const Node& node, Scenario& scenario);

// A queue consumer group that publishes events of its own: `handles` rules, the exchange (a
// Service Bus queue) in produce_to, a routing key, and how its events leave its database.
void LoadQueueService(const Node& node, Scenario& scenario, models::ConsumerGroupConfig& group) {
  const bool service_bus = scenario.broker_kind == models::BrokerKind::kServiceBus;
  if (!node.Has("handles")) {
    for (const char* key : {"publish", "produce_to", "routing_key"}) {
      if (node.Has(key))
        node.Get(key).Fail("'" + std::string(key) + "' belongs to a service; add 'handles'");
    }
    return;
  }
  for (const Node& item : node.Get("handles").Items()) {
    group.service.rules.push_back(LoadServiceRule(item, scenario));
  }
  if (group.service.rules.empty()) node.Get("handles").Fail("list at least one event");
  const Node target = node.Get("produce_to");
  group.produce_to = target.Name();
  if (service_bus) {
    CheckNamed(target, scenario.queue_broker.queues, group.produce_to, "queue");
    if (node.Has("routing_key")) {
      node.Get("routing_key").Fail("a Service Bus service sends to the queue produce_to names");
    }
    group.service.routing_key = group.produce_to;
  } else {
    CheckNamed(target, scenario.queue_broker.exchanges, group.produce_to, "exchange");
    Optional(node, "routing_key", group.service.routing_key,
             [](const Node& n) { return n.Text(); });
  }
  Optional(node, "publish", group.service.publish, [](const Node& n) {
    return n.Choice<models::PublishMode>({{"dual-write", models::PublishMode::kDualWrite},
                                          {"outbox", models::PublishMode::kOutbox}});
  });
}

void LoadQueueConsumerGroup(const Node& node, Scenario& scenario) {
  // Service Bus names the same settings its own way: receive_mode for ack, and abandon and
  // dead-letter for a nack with and without requeue.
  const bool service_bus = scenario.broker_kind == models::BrokerKind::kServiceBus;
  const char* ack_key = service_bus ? "receive_mode" : "ack";
  node.ExpectMap({"group", "queue", "instances", "processing", ack_key, "prefetch", "ack_every",
                  "on_poison", "failure", "restart_after", "reconnect_delay", "concurrency",
                  "inbox", "retry", "reconnect", "handles", "publish", "produce_to",
                  "routing_key"});
  models::ConsumerGroupConfig group;
  group.group = node.Get("group").Name();
  group.topic = node.Get("queue").Name();
  group.instances = static_cast<std::uint32_t>(node.Get("instances").Unsigned(1, kMaxInstances));
  group.processing = node.Get("processing").Distribution();
  models::QueueConsumerConfig& queue = group.queue;
  if (service_bus) queue.prefetch = 1;  // a receiver locks one message per receive
  Optional(node, ack_key, queue.ack, [&](const Node& n) {
    if (service_bus) {
      return n.Choice<models::AckMode>({{"peek-lock", models::AckMode::kManual},
                                        {"receive-and-delete", models::AckMode::kAuto}});
    }
    return n.Choice<models::AckMode>(
        {{"auto", models::AckMode::kAuto}, {"manual", models::AckMode::kManual}});
  });
  Optional(node, "prefetch", queue.prefetch,
           [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(0, 65535)); });
  Optional(node, "ack_every", queue.ack_every,
           [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, 65535)); });
  Optional(node, "on_poison", queue.on_poison, [&](const Node& n) {
    if (service_bus) {
      return n.Choice<models::PoisonAction>({{"crash", models::PoisonAction::kCrash},
                                             {"abandon", models::PoisonAction::kRequeue},
                                             {"dead-letter", models::PoisonAction::kReject},
                                             {"retry", models::PoisonAction::kRetry}});
    }
    return n.Choice<models::PoisonAction>({{"crash", models::PoisonAction::kCrash},
                                           {"requeue", models::PoisonAction::kRequeue},
                                           {"reject", models::PoisonAction::kReject},
                                           {"retry", models::PoisonAction::kRetry}});
  });
  Optional(node, "failure", queue.failure, [](const Node& n) { return n.Probability(); });
  Optional(node, "restart_after", queue.restart_after,
           [](const Node& n) { return n.PositiveDuration(); });
  Optional(node, "reconnect_delay", queue.reconnect_delay,
           [](const Node& n) { return n.PositiveDuration(); });
  if (queue.ack == models::AckMode::kAuto) {
    for (const char* key : {"prefetch", "ack_every"}) {
      if (node.Has(key)) {
        node.Get(key).Fail(service_bus ? "applies to receive_mode: peek-lock"
                                       : "applies to ack: manual; automatic acknowledgement "
                                         "has no limit");
      }
    }
  }
  Optional(node, "concurrency", queue.concurrency,
           [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, 1000)); });
  Optional(node, "inbox", queue.inbox, [](const Node& n) {
    return n.Choice<models::InboxMode>({{"none", models::InboxMode::kNone},
                                        {"atomic", models::InboxMode::kAtomic},
                                        {"naive", models::InboxMode::kNaive}});
  });
  if (node.Has("retry")) {
    if (queue.on_poison != models::PoisonAction::kRetry) {
      node.Get("retry").Fail("applies to on_poison: retry");
    }
    queue.retry = LoadRetryPolicy(node.Get("retry"), /*with_max_attempts=*/true);
  }
  if (node.Has("reconnect")) {
    if (node.Has("reconnect_delay")) {
      node.Get("reconnect").Fail("give reconnect_delay (a fixed wait) or reconnect, not both");
    }
    queue.has_reconnect_policy = true;
    queue.reconnect = LoadRetryPolicy(node.Get("reconnect"), /*with_max_attempts=*/false);
  }
  // A multiple-ack would cover messages still in process in other handlers.
  if (queue.concurrency > 1 && queue.ack_every > 1) {
    node.Get("ack_every").Fail("with concurrency above 1 every message is acknowledged alone");
  }
  if (service_bus && node.Has("ack_every")) {
    node.Get("ack_every").Fail("Service Bus completes each message on its own");
  }
  LoadQueueService(node, scenario, group);
  scenario.consumers.push_back(group);
}

// Producers name exchanges and groups name queues; a queue has at most one group, since a
// group's metrics are the queue's.
void CheckQueueReferences(const Node& root, const Scenario& scenario) {
  const models::QueueBrokerConfig& broker = scenario.queue_broker;
  if (root.Has("producers")) {
    const std::vector<Node> nodes = root.Get("producers").Items();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (scenario.broker_kind == models::BrokerKind::kServiceBus) {
        const models::ProducerConfig& producer = scenario.producers[i];
        CheckNamed(nodes[i].Get("queue"), broker.queues, producer.routing_key, "queue");
        for (const models::QueueConfig& queue : broker.queues) {
          if (queue.name == producer.routing_key && queue.sessions && producer.keys == 0) {
            nodes[i].Get("queue").Fail("queue '" + queue.name +
                                       "' has sessions, whose ids are the messages' keys; give "
                                       "this producer keys");
          }
        }
      } else {
        CheckNamed(nodes[i].Get("exchange"), broker.exchanges, scenario.producers[i].exchange,
                   "exchange");
      }
    }
  }
  if (!root.Has("consumers")) return;
  const std::vector<Node> nodes = root.Get("consumers").Items();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::string& queue = scenario.consumers[i].topic;
    CheckNamed(nodes[i].Get("queue"), broker.queues, queue, "queue");
    for (std::size_t j = 0; j < i; ++j) {
      if (scenario.consumers[j].topic == queue) {
        nodes[i].Get("queue").Fail("queue '" + queue + "' is already consumed by group '" +
                                   scenario.consumers[j].group +
                                   "'; give the group more instances instead");
      }
    }
  }
}

// Replication keys of a topic; the cluster's broker count is known by now.
void LoadTopicReplication(const Node& node, models::TopicConfig& topic, std::uint32_t brokers) {
  Optional(node, "replication", topic.replication, [&](const Node& n) {
    const std::uint64_t replication = n.Unsigned(1, kMaxBrokers);
    if (replication > brokers) {
      n.Fail(fmt::format("replication {} needs at least {} brokers; broker.count is {}",
                         replication, replication, brokers));
    }
    return static_cast<std::uint32_t>(replication);
  });
  Optional(node, "min_insync_replicas", topic.min_insync_replicas, [&](const Node& n) {
    return static_cast<std::uint32_t>(n.Unsigned(1, topic.replication));
  });
  Optional(node, "unclean_leader_election", topic.unclean_leader_election, [](const Node& n) {
    return n.Choice<bool>({{"true", true}, {"false", false}});
  });
  Optional(node, "replica_lag_max", topic.replica_lag_max,
           [](const Node& n) { return n.PositiveDuration(); });
}

void LoadTopic(const Node& node, Scenario& scenario) {
  node.ExpectMap({"name", "partitions", "retention", "retention_records", "segment_records",
                  "replication", "min_insync_replicas", "unclean_leader_election",
                  "replica_lag_max"});
  models::TopicConfig topic;
  topic.name = node.Get("name").Name();
  topic.partitions = static_cast<std::uint32_t>(node.Get("partitions").Unsigned(1, kMaxPartitions));
  Optional(node, "retention", topic.retention, [](const Node& n) { return n.PositiveDuration(); });
  Optional(node, "retention_records", topic.retention_records, [](const Node& n) {
    return n.Text() == "unlimited" ? 0 : n.Unsigned(1, 4'000'000'000);
  });
  Optional(node, "segment_records", topic.segment_records,
           [](const Node& n) { return n.Unsigned(1, 4'000'000'000); });
  LoadTopicReplication(node, topic, scenario.brokers);
  scenario.topics.push_back(topic);
}

// The Kafka client settings: partitioner, batching, requests in flight, idempotence.
void LoadProducerClient(const Node& node, models::ProducerConfig& producer) {
  Optional(node, "publish", producer.publish, [](const Node& n) {
    return n.Choice<models::PublishMode>({{"direct", models::PublishMode::kDirect},
                                          {"dual-write", models::PublishMode::kDualWrite},
                                          {"outbox", models::PublishMode::kOutbox}});
  });
  if (producer.publish != models::PublishMode::kOutbox) {
    for (const char* key : {"relay_poll_interval", "relay_batch"}) {
      if (node.Has(key)) node.Get(key).Fail("relay settings go with publish: outbox");
    }
  }
  Optional(node, "relay_poll_interval", producer.relay_poll_interval,
           [](const Node& n) { return n.PositiveDuration(); });
  Optional(node, "relay_batch", producer.relay_batch,
           [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, 1'000'000)); });
  Optional(node, "partitioner", producer.partitioner, [](const Node& n) {
    return n.Choice<models::Partitioner>({{"default", models::Partitioner::kDefault},
                                          {"key-hash", models::Partitioner::kKeyHash},
                                          {"round-robin", models::Partitioner::kRoundRobin},
                                          {"sticky", models::Partitioner::kSticky},
                                          {"explicit", models::Partitioner::kExplicit}});
  });
  const bool explicit_partitioner = producer.partitioner == models::Partitioner::kExplicit;
  if (explicit_partitioner != node.Has("partition")) {
    (explicit_partitioner ? node.Get("partitioner") : node.Get("partition"))
        .Fail("'partitioner: explicit' and 'partition: N' go together");
  }
  Optional(node, "partition", producer.explicit_partition, [](const Node& n) {
    return static_cast<std::uint32_t>(n.Unsigned(0, kMaxPartitions - 1));
  });
  Optional(node, "batch_size", producer.batch_size,
           [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, 1'000'000)); });
  Optional(node, "linger", producer.linger, [](const Node& n) { return n.Duration(); });
  Optional(node, "max_in_flight", producer.max_in_flight,
           [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, 1000)); });
  Optional(node, "delivery_timeout", producer.delivery_timeout,
           [](const Node& n) { return n.PositiveDuration(); });
  if (producer.delivery_timeout < producer.linger + producer.request_timeout) {
    // Kafka refuses this configuration too: a batch could expire before its first reply.
    (node.Has("delivery_timeout") ? node.Get("delivery_timeout") : node.Get("request_timeout"))
        .Fail("delivery_timeout must be at least linger + request_timeout");
  }
  // Kafka 3.0+ turns idempotence on by default, and quietly off when acks, retries or the
  // requests in flight conflict with it; asked for explicitly, a conflict is an error.
  const bool compatible =
      producer.acks == -1 && producer.max_attempts != 1 && producer.max_in_flight <= 5;
  producer.idempotence = compatible;
  if (node.Has("idempotence")) {
    const Node n = node.Get("idempotence");
    producer.idempotence = n.Choice<bool>({{"true", true}, {"false", false}});
    if (producer.idempotence && !compatible) {
      n.Fail(
          "idempotence needs acks: all, max_attempts other than 1 and max_in_flight at most 5 "
          "(the broker keeps the sequences of the last 5 batches only)");
    }
  }
  Optional(node, "transactional_id", producer.transactional_id,
           [](const Node& n) { return n.Name(); });
  if (!producer.transactional_id.empty()) {
    if (!producer.idempotence) {
      node.Get("transactional_id")
          .Fail(
              "transactions need the idempotent producer: acks: all, max_attempts other than 1, "
              "max_in_flight at most 5, and idempotence not false");
    }
    if (producer.publish != models::PublishMode::kDirect) {
      node.Get("transactional_id").Fail("transactions go with publish: direct only");
    }
  } else if (node.Has("transaction_records")) {
    node.Get("transaction_records").Fail("transaction_records goes with a transactional_id");
  }
  Optional(node, "transaction_records", producer.transaction_records,
           [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, 1'000'000)); });
}

// `retry`: the policy of the waits between a batch's sends, in place of a fixed retry_backoff.
void LoadProducerRetryPolicy(const Node& node, bool queue_broker,
                             models::ProducerConfig& producer) {
  if (!node.Has("retry")) return;
  const Node retry = node.Get("retry");
  if (node.Has("retry_backoff")) retry.Fail("give retry_backoff (a fixed wait) or retry, not both");
  if (producer.acks == 0) {
    retry.Fail(queue_broker ? "without publisher confirms nothing comes back, so nothing is "
                              "republished; write confirms: true"
                            : "with acks: 0 no acknowledgement comes back, so nothing is "
                              "retried; use acks: 1 or all");
  }
  producer.has_retry_policy = true;
  producer.retry = LoadRetryPolicy(retry, /*with_max_attempts=*/false);
}

// ---- Event kinds, schema versions and entity ordering (log broker) -------------------------

void LoadProducerEvents(const Node& node, Scenario& scenario, models::ProducerConfig& producer) {
  if (node.Has("events")) {
    const std::vector<Node> kinds = node.Get("events").Items();
    if (kinds.empty()) node.Get("events").Fail("expected at least one event kind");
    for (const Node& kind : kinds) {
      const std::string name = kind.Name();
      // Record::event_type has 16 bits.
      const bool is_new = std::find(scenario.event_types.begin(), scenario.event_types.end(),
                                    name) == scenario.event_types.end();
      if (is_new && scenario.event_types.size() > UINT16_MAX) {
        kind.Fail("at most 65535 event kinds in a scenario");
      }
      producer.event_script.push_back(models::InternEventType(scenario, name));
    }
  }
  if (!node.Has("schema")) return;
  const Node schema = node.Get("schema");
  schema.ExpectMap({"v2_at", "change"});
  producer.schema_v2_at = schema.Get("v2_at").Duration();
  producer.schema_change = schema.Get("change").Choice<models::SchemaChange>(
      {{"additive", models::SchemaChange::kAdditive},
       {"breaking", models::SchemaChange::kBreaking}});
}

// The event kinds the scenario's producers name, for messages.
std::vector<std::string> DeclaredEventKinds(const Scenario& scenario) {
  return std::vector<std::string>(scenario.event_types.begin() + 1, scenario.event_types.end());
}

void LoadPrecedence(const Node& node, const Scenario& scenario,
                    models::ConsumerGroupConfig& group) {
  if (group.ordering != models::OrderingStrategy::kPrecedence) {
    if (node.Has("precedence")) node.Get("precedence").Fail("goes with ordering: precedence");
    return;
  }
  const Node list = node.Get("precedence");
  const std::vector<Node> kinds = list.Items();
  if (kinds.empty()) list.Fail("expected the event kinds, strongest first");
  const std::vector<std::string> declared = DeclaredEventKinds(scenario);
  for (const Node& kind : kinds) {
    const std::string name = kind.Name();
    const auto found = std::find(declared.begin(), declared.end(), name);
    if (found == declared.end()) {
      kind.Fail(
          "no producer's events name '" + name + "'; allowed: " +
          (declared.empty() ? std::string("none (give a producer 'events')") : Join(declared)));
    }
    const auto type = static_cast<models::EventType>(found - declared.begin() + 1);
    if (std::find(group.precedence.begin(), group.precedence.end(), type) !=
        group.precedence.end()) {
      kind.Fail("event kind '" + name + "' is listed twice");
    }
    group.precedence.push_back(type);
  }
}

void LoadSchemaVersions(const Node& node, models::ConsumerGroupConfig& group) {
  if (!node.Has("schema_versions")) return;
  const Node list = node.Get("schema_versions");
  const std::vector<Node> versions = list.Items();
  if (versions.empty()) list.Fail("expected the versions the group reads: [1], [2] or [1, 2]");
  group.reads_schema_v1 = group.reads_schema_v2 = false;
  for (const Node& version : versions) {
    bool& reads = version.Choice<int>({{"1", 1}, {"2", 2}}) == 1 ? group.reads_schema_v1
                                                                 : group.reads_schema_v2;
    if (reads) version.Fail("version listed twice");
    reads = true;
  }
}

void LoadEntityOrdering(const Node& node, const Scenario& scenario,
                        models::ConsumerGroupConfig& group) {
  if (node.Has("ordering")) {
    group.keeps_entities = true;
    group.ordering = node.Get("ordering")
                         .Choice<models::OrderingStrategy>({
                             {"apply", models::OrderingStrategy::kApply},
                             {"version", models::OrderingStrategy::kVersion},
                             {"precedence", models::OrderingStrategy::kPrecedence},
                             {"last-writer-wins", models::OrderingStrategy::kLastWriterWins},
                         });
  }
  LoadPrecedence(node, scenario, group);
  LoadSchemaVersions(node, group);
}

// { clock: P, at: T, ahead: D } or behind: D. REQUIRES: the producers are loaded.
void LoadClockSkew(const Node& node, Scenario& scenario) {
  node.ExpectMap({"clock", "at", "ahead", "behind"});
  models::ClockSkewFault skew;
  const Node producer = node.Get("clock");
  skew.producer = producer.Name();
  if (scenario.broker_kind != models::BrokerKind::kLog) {
    producer.Fail("clock skew belongs to 'kind: log' brokers");
  }
  CheckNamed(producer, scenario.producers, skew.producer, "producer");
  skew.at = node.Get("at").Duration();
  if (node.Has("ahead") == node.Has("behind")) {
    node.Get("clock").Fail("a clock fault needs one of 'ahead: D' or 'behind: D'");
  }
  skew.offset = node.Has("ahead") ? node.Get("ahead").Duration() : -node.Get("behind").Duration();
  scenario.clock_skews.push_back(skew);
}

void LoadProducer(const Node& node, Scenario& scenario) {
  const bool queue_broker = scenario.broker_kind != models::BrokerKind::kLog;
  if (scenario.broker_kind == models::BrokerKind::kServiceBus) {
    node.ExpectMap({"name", "queue", "poison", "rate", "arrivals", "keys", "key_popularity",
                    "max_attempts", "request_timeout", "retry_backoff", "retry", "events"});
  } else if (queue_broker) {
    node.ExpectMap({"name", "exchange", "routing_key", "mandatory", "persistent", "confirms",
                    "poison", "rate", "arrivals", "keys", "key_popularity", "max_attempts",
                    "request_timeout", "retry_backoff", "retry", "events"});
  } else {
    node.ExpectMap({"name",
                    "topic",
                    "rate",
                    "arrivals",
                    "keys",
                    "key_popularity",
                    "acks",
                    "max_attempts",
                    "request_timeout",
                    "retry_backoff",
                    "retry",
                    "partitioner",
                    "partition",
                    "batch_size",
                    "linger",
                    "max_in_flight",
                    "delivery_timeout",
                    "idempotence",
                    "publish",
                    "relay_poll_interval",
                    "relay_batch",
                    "transactional_id",
                    "transaction_records",
                    "events",
                    "schema"});
  }
  models::ProducerConfig producer;
  producer.name = node.Get("name").Name();
  if (!queue_broker) producer.topic = node.Get("topic").Name();
  producer.rate_per_second = node.Get("rate").Parse(&ParseRate);
  if (producer.rate_per_second > kMaxRatePerSecond) {
    node.Get("rate").Fail("at most 10000000/s per producer; split a larger load over producers");
  }
  if (producer.rate_per_second < kMinRatePerSecond) node.Get("rate").Fail("at least 1/h");
  Optional(node, "arrivals", producer.arrivals, [](const Node& n) {
    return n.Choice<models::Arrivals>(
        {{"constant", models::Arrivals::kConstant}, {"poisson", models::Arrivals::kPoisson}});
  });
  Optional(node, "keys", producer.keys, [](const Node& n) {
    const std::string text = n.Text();
    if (text == "none") return 0u;
    if (text == "0") n.Fail("write 'none' for messages without keys, or a count from 1");
    return static_cast<std::uint32_t>(n.Unsigned(1, kMaxKeys));
  });
  Optional(node, "key_popularity", producer.zipf_exponent, [](const Node& n) {
    const std::string text = n.Text();
    if (text == "uniform") return 0.0;
    double exponent = -1;
    if (text.rfind("zipf(", 0) == 0 && text.back() == ')') {
      const std::string inner = text.substr(5, text.size() - 6);
      auto [end, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), exponent);
      if (ec != std::errc() || end != inner.data() + inner.size()) exponent = -1;
    }
    if (!(exponent >= 0 && exponent <= 10)) {
      n.Fail("expected 'uniform' or zipf(S) with S from 0 to 10, got '" + text + "'");
    }
    return exponent;
  });
  Optional(node, "acks", producer.acks, [](const Node& n) {
    return n.Choice<int>({{"0", 0}, {"1", 1}, {"all", -1}});
  });
  Optional(node, "max_attempts", producer.max_attempts, [](const Node& n) {
    return n.Text() == "unlimited" ? 0u : static_cast<std::uint32_t>(n.Unsigned(1, 1'000'000));
  });
  Optional(node, "request_timeout", producer.request_timeout,
           [](const Node& n) { return n.PositiveDuration(); });
  Optional(node, "retry_backoff", producer.retry_backoff,
           [](const Node& n) { return n.Duration(); });
  if (producer.keys == 0 && producer.zipf_exponent > 0) {
    node.Get("key_popularity").Fail("key popularity needs keys; this producer has none");
  }
  if (queue_broker) LoadQueuePublisher(node, scenario.broker_kind, producer);
  if (producer.acks == 0 && producer.max_attempts != 1 && node.Has("max_attempts")) {
    node.Get("max_attempts")
        .Fail(
            "with acks: 0 no acknowledgement comes back, so nothing can be retried; "
            "use max_attempts: 1 or acks: 1 or all");
  }
  if (producer.acks == 0) producer.max_attempts = 1;
  LoadProducerRetryPolicy(node, queue_broker, producer);
  if (queue_broker) {
    // A RabbitMQ or Service Bus publisher sends each message as it comes, any number awaiting
    // a confirm, and republishes just the one whose confirm is overdue.
    producer.linger = 0;
    producer.batch_size = 1;
    producer.max_in_flight = 1'000'000;
    producer.idempotence = false;
    producer.delivery_timeout = sim::kForever;
    producer.timeout_closes_connection = false;
    LoadProducerEvents(node, scenario, producer);  // `events` only: no schema key here
  } else {
    LoadProducerClient(node, producer);
    LoadProducerEvents(node, scenario, producer);
  }
  scenario.producers.push_back(producer);
}

// The settings of a log-broker consumer group other than its name and topics, for groups
// written out and for the services a flow makes.
const std::vector<std::string> kGroupSettings{
    "instances",         "processing",     "commit",          "auto_commit_interval",
    "max_poll_records",  "fetch_max_wait", "session_timeout", "request_timeout",
    "auto_offset_reset", "existing_group", "isolation",       "publish"};

// With `complete`, instances, processing and commit are required; otherwise every key
// overrides what `group` already holds.
void LoadGroupSettings(const Node& node, models::ConsumerGroupConfig& group, bool complete) {
  const auto read_instances = [](const Node& n) {
    return static_cast<std::uint32_t>(n.Unsigned(1, kMaxInstances));
  };
  const auto read_processing = [](const Node& n) { return n.Distribution(); };
  const auto read_commit = [](const Node& n) {
    return n.Choice<models::CommitStrategy>({
        {"before-processing", models::CommitStrategy::kBeforeProcessing},
        {"after-processing", models::CommitStrategy::kAfterProcessing},
        {"auto-commit-on-poll", models::CommitStrategy::kAutoCommitOnPoll},
        {"auto-commit-timer", models::CommitStrategy::kAutoCommitTimer},
        {"inbox", models::CommitStrategy::kInbox},
        {"transactional", models::CommitStrategy::kTransactional},
    });
  };
  if (complete) {
    group.instances = read_instances(node.Get("instances"));
    group.processing = read_processing(node.Get("processing"));
    group.commit = read_commit(node.Get("commit"));
  } else {
    Optional(node, "instances", group.instances, read_instances);
    Optional(node, "processing", group.processing, read_processing);
    Optional(node, "commit", group.commit, read_commit);
  }
  Optional(node, "auto_commit_interval", group.auto_commit_interval,
           [](const Node& n) { return n.PositiveDuration(); });
  Optional(node, "max_poll_records", group.max_poll_records,
           [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, 1'000'000)); });
  Optional(node, "fetch_max_wait", group.fetch_max_wait,
           [](const Node& n) { return n.PositiveDuration(); });
  Optional(node, "session_timeout", group.session_timeout,
           [](const Node& n) { return n.PositiveDuration(); });
  Optional(node, "request_timeout", group.request_timeout,
           [](const Node& n) { return n.PositiveDuration(); });
  Optional(node, "auto_offset_reset", group.auto_offset_reset, [](const Node& n) {
    return n.Choice<models::OffsetReset>({{"earliest", models::OffsetReset::kEarliest},
                                          {"latest", models::OffsetReset::kLatest},
                                          {"none", models::OffsetReset::kNone}});
  });
  Optional(node, "isolation", group.read_committed, [](const Node& n) {
    return n.Choice<bool>({{"read_uncommitted", false}, {"read_committed", true}});
  });
  Optional(node, "existing_group", group.existing_group, [](const Node& n) {
    return n.Choice<bool>({{"true", true}, {"false", false}});
  });
  // A service's effect and the events it emits: committed and then published, or committed
  // together through an outbox table.
  Optional(node, "publish", group.service.publish, [](const Node& n) {
    return n.Choice<models::PublishMode>({{"dual-write", models::PublishMode::kDualWrite},
                                          {"outbox", models::PublishMode::kOutbox}});
  });
}

models::ServiceRule LoadServiceRule(const Node& node, Scenario& scenario) {
  node.ExpectMap({"event", "emit", "probability", "failure", "on_failure", "delay"});
  models::ServiceRule rule;
  rule.on = models::InternEventType(scenario, node.Get("event").Name());
  Optional(node, "emit", rule.emit,
           [&](const Node& n) { return models::InternEventType(scenario, n.Name()); });
  Optional(node, "probability", rule.probability, [](const Node& n) { return n.Probability(); });
  Optional(node, "failure", rule.failure, [](const Node& n) { return n.Probability(); });
  Optional(node, "on_failure", rule.on_failure,
           [&](const Node& n) { return models::InternEventType(scenario, n.Name()); });
  Optional(node, "delay", rule.delay, [](const Node& n) { return n.Duration(); });
  if (node.Has("probability") && !node.Has("emit")) {
    node.Get("probability").Fail("'probability' is the chance to emit; name the event in 'emit'");
  }
  if (node.Has("on_failure") && !node.Has("failure")) {
    node.Get("on_failure").Fail("'on_failure' needs a 'failure' probability");
  }
  return rule;
}

void LoadConsumerGroup(const Node& node, Scenario& scenario) {
  if (scenario.broker_kind != models::BrokerKind::kLog) {
    LoadQueueConsumerGroup(node, scenario);
    return;
  }
  std::vector<std::string> keys{"group", "topic"};
  keys.insert(keys.end(), kGroupSettings.begin(), kGroupSettings.end());
  keys.insert(keys.end(), {"produce_to", "handles", "ordering", "precedence", "schema_versions"});
  node.ExpectMap(keys);
  models::ConsumerGroupConfig group;
  group.group = node.Get("group").Name();
  group.topic = node.Get("topic").Name();
  LoadGroupSettings(node, group, true);
  Optional(node, "produce_to", group.produce_to, [](const Node& n) { return n.Name(); });
  if (group.commit == models::CommitStrategy::kTransactional && group.produce_to.empty()) {
    node.Get("commit").Fail(
        "transactional commits the outputs and the input offsets together; name the output "
        "topic with produce_to");
  }
  if (node.Has("handles")) {
    for (const Node& item : node.Get("handles").Items()) {
      group.service.rules.push_back(LoadServiceRule(item, scenario));
    }
    if (group.service.rules.empty()) node.Get("handles").Fail("list at least one event");
    if (group.produce_to.empty()) {
      node.Get("handles").Fail("a service publishes its events to its produce_to topic; name it");
    }
  }
  if (node.Has("publish") && !group.service.active()) {
    node.Get("publish").Fail("'publish' says how a service's events leave; add 'handles'");
  }
  LoadEntityOrdering(node, scenario, group);
  scenario.consumers.push_back(group);
}

// ---- Business flows ------------------------------------------------------------------------

constexpr std::size_t kMaxFlowSteps = 64;

void LoadFlow(const Node& node, Scenario& scenario) {
  if (scenario.broker_kind != models::BrokerKind::kLog) {
    node.Fail("flows run on a log broker (broker.kind: log)");
  }
  node.ExpectMap({"name", "style", "starter", "events", "commands", "timeout", "max_attempts",
                  "services", "per_service", "steps"});
  models::FlowConfig flow;
  flow.name = node.Get("name").Name();
  flow.style = node.Get("style").Choice<models::FlowStyle>(
      {{"choreography", models::FlowStyle::kChoreography},
       {"orchestration", models::FlowStyle::kOrchestration},
       {"request-response", models::FlowStyle::kRequestResponse}});
  const bool orchestrated = flow.style == models::FlowStyle::kOrchestration;
  const bool calls = flow.style == models::FlowStyle::kRequestResponse;
  flow.starter = node.Get("starter").Name();
  CheckNamed(node.Get("starter"), scenario.producers, flow.starter, "producer");
  if (calls) {
    if (node.Has("events")) {
      node.Get("events").Fail(
          "a request-response flow calls its services; it has no events "
          "topic (its starter's messages are the users' requests)");
    }
  } else {
    flow.events_topic = node.Get("events").Name();
    CheckNamed(node.Get("events"), scenario.topics, flow.events_topic, "topic");
  }
  for (const models::ProducerConfig& producer : scenario.producers) {
    if (!calls && producer.name == flow.starter && producer.topic != flow.events_topic) {
      node.Get("starter").Fail("the starter publishes to '" + producer.topic +
                               "'; a flow starts on its events topic '" + flow.events_topic + "'");
    }
    if (producer.name == flow.starter && !producer.event_script.empty()) {
      node.Get("starter").Fail("'" + flow.starter +
                               "' names its own events; a flow's starter "
                               "publishes " +
                               flow.name + ".started, so drop its 'events'");
    }
    if (producer.name == flow.starter && producer.starts_flow >= 0) {
      node.Get("starter").Fail("'" + flow.starter + "' already starts another flow");
    }
  }
  if (!orchestrated && node.Has("commands")) {
    node.Get("commands").Fail("belongs to 'style: orchestration'");
  }
  for (const char* key : {"timeout", "max_attempts"}) {
    if (flow.style == models::FlowStyle::kChoreography && node.Has(key)) {
      node.Get(key).Fail("belongs to 'style: orchestration' and 'style: request-response'");
    }
  }
  if (orchestrated) {
    flow.commands_topic = node.Get("commands").Name();
    CheckNamed(node.Get("commands"), scenario.topics, flow.commands_topic, "topic");
    if (flow.commands_topic == flow.events_topic) {
      node.Get("commands").Fail("commands need a topic of their own, apart from the events");
    }
  }
  if (flow.style != models::FlowStyle::kChoreography) {
    Optional(node, "timeout", flow.timeout, [](const Node& n) { return n.PositiveDuration(); });
    Optional(node, "max_attempts", flow.max_attempts,
             [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, 1000)); });
  }
  // A request-response service is a server: how many instances, and how long a call takes.
  const std::vector<std::string> server_settings{"instances", "processing"};
  const std::vector<std::string>& allowed_settings = calls ? server_settings : kGroupSettings;
  const Node services = node.Get("services");
  services.ExpectMap(allowed_settings);
  if (calls) {
    flow.services.instances =
        static_cast<std::uint32_t>(services.Get("instances").Unsigned(1, kMaxInstances));
    flow.services.processing = services.Get("processing").Distribution();
  } else {
    LoadGroupSettings(services, flow.services, true);
  }
  std::vector<std::pair<Node, models::ConsumerGroupConfig*>> settings{{services, &flow.services}};
  const std::vector<Node> steps = node.Get("steps").Items();
  if (steps.empty() || steps.size() > kMaxFlowSteps) {
    node.Get("steps").Fail("a flow has from 1 to 64 steps");
  }
  // Event types are named after flows, steps and compensations, and are shared by the whole
  // scenario, so no name may be used twice in any flow.
  std::set<std::string> names;
  for (const models::FlowConfig& other : scenario.flows) {
    names.insert(other.name);
    for (const models::FlowStep& step : other.steps) {
      names.insert(step.name);
      if (!step.compensation.empty()) names.insert(step.compensation);
    }
  }
  if (!names.insert(flow.name).second) {
    node.Get("name").Fail("'" + flow.name +
                          "' already names a flow, a step or a compensation; "
                          "event types are named after them, so each name is used once");
  }
  for (const Node& item : steps) {
    item.ExpectMap({"name", "service", "failure", "compensation"});
    models::FlowStep step;
    step.name = item.Get("name").Name();
    step.service = item.Get("service").Name();
    Optional(item, "failure", step.failure, [](const Node& n) { return n.Probability(); });
    Optional(item, "compensation", step.compensation, [](const Node& n) { return n.Name(); });
    for (const std::string* name : {&step.name, &step.compensation}) {
      if (name->empty()) continue;
      if (!names.insert(*name).second) {
        item.Get(name == &step.name ? "name" : "compensation")
            .Fail("'" + *name +
                  "' names another step, compensation or flow; event types are named after "
                  "them, so each name is used once");
      }
    }
    flow.steps.push_back(step);
  }
  if (node.Has("per_service")) {
    // A map from service name to the settings in which it differs from `services`.
    const Node per_service = node.Get("per_service");
    std::vector<std::string> service_names;
    for (const models::FlowStep& step : flow.steps) service_names.push_back(step.service);
    if (orchestrated) service_names.push_back(models::OrchestratorName(flow));
    per_service.ExpectMap(service_names);
    for (const std::string& name : service_names) {
      if (!per_service.Has(name) || flow.service_settings.count(name)) continue;
      const Node item = per_service.Get(name);
      item.ExpectMap(allowed_settings);
      models::ConsumerGroupConfig group = flow.services;
      LoadGroupSettings(item, group, false);
      flow.service_settings.emplace(name, group);
    }
  }
  for (auto& [name, group] : flow.service_settings) {
    settings.emplace_back(node.Get("per_service").Get(name), &group);
  }
  for (const auto& [at, group] : settings) {
    if (group->commit == models::CommitStrategy::kTransactional) {
      at.Get("commit").Fail(
          "a flow's services publish through dual-write or outbox; transactional is not "
          "offered");
    }
  }
  scenario.flows.push_back(flow);
  const std::string error =
      models::PlanFlow(scenario, static_cast<std::uint32_t>(scenario.flows.size() - 1));
  if (!error.empty()) node.Get("steps").Fail(error);
}

// "a -> b": the one-way link from a to b. "a <-> b": both directions.
std::vector<std::pair<std::string, std::string>> ParseLinkName(const Node& node) {
  const std::string text = node.Text();
  const bool both = text.find("<->") != std::string::npos;
  const std::size_t arrow = both ? text.find("<->") : text.find("->");
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
  };
  if (arrow == std::string::npos) {
    node.Fail("expected 'FROM -> TO' or 'A <-> B', such as 'order-service -> broker'");
  }
  const std::string from = trim(text.substr(0, arrow));
  const std::string to = trim(text.substr(arrow + (both ? 3 : 2)));
  if (from.empty() || to.empty()) node.Fail("a link needs a name on each side of the arrow");
  if (both) return {{from, to}, {to, from}};
  return {{from, to}};
}

void LoadNetwork(const Node& node, Scenario& scenario) {
  node.ExpectMap({"latency", "links"});
  Optional(node, "latency", scenario.network.latency,
           [](const Node& n) { return n.Distribution(); });
  if (!node.Has("links")) return;
  for (const Node& item : node.Get("links").Items()) {
    item.ExpectMap({"link", "latency", "loss", "duplicate"});
    models::LinkConfig link;
    Optional(item, "latency", link.latency, [&](const Node& n) {
      link.has_latency = true;
      return n.Distribution();
    });
    Optional(item, "loss", link.loss, [](const Node& n) { return n.Probability(); });
    Optional(item, "duplicate", link.duplicate, [](const Node& n) { return n.Probability(); });
    for (const auto& [from, to] : ParseLinkName(item.Get("link"))) {
      link.from = from;
      link.to = to;
      scenario.network.links.push_back(link);
    }
  }
}

void LoadFault(const Node& node, Scenario& scenario) {
  if (!node.IsMap()) node.Fail("expected a map: a crash, leave, join, link or clock fault");
  if (node.Has("crash")) {
    node.ExpectMap({"crash", "at", "step", "after", "restart_after"});
    models::CrashFault crash;
    crash.target = node.Get("crash").Name();
    if (node.Has("step")) {
      crash.step = node.Get("step").Choice<models::CrashStep>({
          {"before-effect", models::CrashStep::kBeforeEffect},
          {"mid-processing", models::CrashStep::kMidProcessing},
          {"after-effect", models::CrashStep::kAfterEffect},
          {"before-commit", models::CrashStep::kBeforeCommit},
          {"after-commit", models::CrashStep::kAfterCommit},
          {"between-effect-and-commit", models::CrashStep::kBetweenEffectAndCommit},
          {"after-db-commit", models::CrashStep::kAfterDatabaseCommit},
          {"after-publish", models::CrashStep::kAfterPublish},
      });
      if (node.Has("at")) {
        node.Get("at").Fail(
            "a crash at a step strikes at the first such step after a time: "
            "write 'after: T' instead of 'at: T'");
      }
      Optional(node, "after", crash.at, [](const Node& n) { return n.Duration(); });
    } else {
      if (node.Has("after")) {
        node.Get("after").Fail("'after' goes with 'step'; a crash at a time uses 'at: T'");
      }
      crash.at = node.Get("at").Duration();
    }
    Optional(node, "restart_after", crash.restart_after,
             [](const Node& n) { return n.PositiveDuration(); });
    scenario.crashes.push_back(crash);
    return;
  }
  if (node.Has("leave") || node.Has("join")) {
    models::MembershipChange change;
    if (node.Has("leave")) {
      node.ExpectMap({"leave", "at", "rejoin_after"});
      change.target = node.Get("leave").Name();
      Optional(node, "rejoin_after", change.rejoin_after,
               [](const Node& n) { return n.PositiveDuration(); });
    } else {
      node.ExpectMap({"join", "at"});
      change.kind = models::MembershipChange::Kind::kJoin;
      change.target = node.Get("join").Name();
    }
    change.at = node.Get("at").Duration();
    scenario.membership_changes.push_back(change);
    return;
  }
  if (node.Has("clock")) {
    LoadClockSkew(node, scenario);
    return;
  }
  if (node.Has("link")) {
    node.ExpectMap({"link", "from", "until", "loss", "duplicate", "delay"});
    models::LinkFault fault;
    Optional(node, "from", fault.start, [](const Node& n) { return n.Duration(); });
    Optional(node, "until", fault.end, [](const Node& n) { return n.Duration(); });
    if (fault.end <= fault.start) node.Get("until").Fail("'until' must come after 'from'");
    Optional(node, "loss", fault.loss, [](const Node& n) { return n.Probability(); });
    Optional(node, "duplicate", fault.duplicate, [](const Node& n) { return n.Probability(); });
    Optional(node, "delay", fault.delay, [&](const Node& n) {
      fault.has_delay = true;
      return n.Distribution();
    });
    if (fault.loss == 0 && fault.duplicate == 0 && !fault.has_delay) {
      node.Get("link").Fail("a link fault needs at least one of loss, duplicate or delay");
    }
    for (const auto& [from, to] : ParseLinkName(node.Get("link"))) {
      fault.from = from;
      fault.to = to;
      scenario.link_faults.push_back(fault);
    }
    return;
  }
  // A misspelt 'crash' or 'link' is named as such, with the nearest spelling.
  node.ExpectMap({"crash", "leave", "join", "link", "clock", "at", "step", "after", "restart_after",
                  "rejoin_after", "from", "until", "loss", "duplicate", "delay", "ahead",
                  "behind"});
  node.Fail(
      "a fault needs 'crash' (a component crash), 'leave' or 'join' (a consumer instance leaving "
      "or joining its group), 'link' (trouble on a link) or 'clock' (a producer's clock skew)");
}

// "billing-1 to billing-3": the instances of a group, for messages.
std::string InstanceRange(const models::ConsumerGroupConfig& group) {
  const std::string first = models::InstanceName(group.group, 0);
  if (group.instances == 1) return first;
  return first + " to " + models::InstanceName(group.group, group.instances - 1);
}

// "broker-1 to broker-3": a cluster's broker nodes, for messages.
std::string BrokerRange(const Scenario& scenario) {
  return models::BrokerName(scenario.brokers, 0) + " to " +
         models::BrokerName(scenario.brokers, scenario.brokers - 1);
}

bool IsBrokerNode(const Scenario& scenario, const std::string& name) {
  for (std::uint32_t n = 0; scenario.brokers > 1 && n < scenario.brokers; ++n) {
    if (models::BrokerName(scenario.brokers, n) == name) return true;
  }
  return false;
}

// The names a crash may strike, for messages: "order-service, billing-1 to billing-3".
std::string CrashTargets(const Scenario& scenario) {
  std::vector<std::string> names;
  if (scenario.broker_kind == models::BrokerKind::kQueue) names.push_back(models::kBrokerName);
  if (scenario.brokers > 1) names.push_back(BrokerRange(scenario));
  for (const models::ProducerConfig& producer : scenario.producers) names.push_back(producer.name);
  for (const models::ConsumerGroupConfig& group : scenario.consumers) {
    names.push_back(InstanceRange(group));
  }
  return names.empty() ? "none, as there are no producers or consumers" : Join(names);
}

// In a cluster, producers (and the forwarding clients of consume-transform-produce groups)
// send produce requests to the broker nodes; everything else goes to "broker", the coordinator,
// which also serves fetches; and the nodes replicate between them.
void CheckClusterLinkEnds(const Node& link, const std::string& from, const std::string& to,
                          const std::set<std::string>& producing, const Scenario& scenario) {
  const bool from_node = IsBrokerNode(scenario, from);
  const bool to_node = IsBrokerNode(scenario, to);
  const bool nodes = from_node && to_node && from != to;
  const bool produce = (from_node && producing.count(to)) || (to_node && producing.count(from));
  const bool coordinator = (from == "broker" && !to_node) || (to == "broker" && !from_node);
  if (nodes || produce || coordinator) return;
  link.Fail("with " + std::to_string(scenario.brokers) + " brokers, a link runs between two of " +
            BrokerRange(scenario) + ", between a producer and one of them, or between 'broker' " +
            "and a client");
}

// Checks that both ends of a link (in the network or in a fault) name a component, and that one
// of them is the broker; a link that matched nothing would silently change nothing.
void CheckLinkEnds(const Node& link, const std::set<std::string>& components,
                   const std::set<std::string>& producing, const Scenario& scenario) {
  for (const auto& [from, to] : ParseLinkName(link)) {
    for (const std::string& end : {from, to}) {
      if (components.count(end)) continue;
      std::vector<std::string> names{"broker"};
      if (scenario.brokers > 1) names.push_back(BrokerRange(scenario));
      for (const models::ProducerConfig& producer : scenario.producers) {
        names.push_back(producer.name);
      }
      for (const models::ConsumerGroupConfig& group : scenario.consumers) {
        names.push_back(group.group);
        names.push_back(InstanceRange(group));
      }
      link.Fail("no component called '" + end + "'; allowed: " + Join(names));
    }
    if (scenario.brokers > 1) {
      CheckClusterLinkEnds(link, from, to, producing, scenario);
    } else if (from != "broker" && to != "broker") {
      link.Fail("every link runs between the broker and a client; one end must be 'broker'");
    }
  }
}

// Groups that forward what they process must not carry a message back to a topic it came
// through: it would circulate for ever.
void CheckForwardingLoops(const std::vector<Node>& groups, const Scenario& scenario) {
  for (std::size_t i = 0; i < scenario.consumers.size(); ++i) {
    const models::ConsumerGroupConfig& start = scenario.consumers[i];
    // A service publishes new events by its rules, not each message it reads.
    if (start.produce_to.empty() || start.service.active()) continue;
    std::set<std::string> reached{start.produce_to};
    for (bool grew = true; grew;) {
      grew = false;
      for (const models::ConsumerGroupConfig& group : scenario.consumers) {
        if (!group.produce_to.empty() && !group.service.active() && reached.count(group.topic)) {
          grew = reached.insert(group.produce_to).second || grew;
        }
      }
    }
    if (reached.count(start.topic)) {
      groups[i]
          .Get("produce_to")
          .Fail("forwarding from '" + start.topic + "' to '" + start.produce_to +
                "' leads back to '" + start.topic + "': a message would loop forever");
    }
  }
}

// Names must be unique and every reference must name something that exists.
void CheckReferences(const Node& root, const Scenario& scenario) {
  std::set<std::string> topics, groups, instances;
  std::set<std::string> components{"broker"};  // every name a fault can refer to
  for (std::uint32_t n = 0; scenario.brokers > 1 && n < scenario.brokers; ++n) {
    components.insert(models::BrokerName(scenario.brokers, n));
  }
  auto claim = [&](std::set<std::string>& kind, const std::string& name, const Node& at) {
    if (!components.insert(name).second) {
      at.Fail("the name '" + name + "' is already taken by another component");
    }
    kind.insert(name);
  };
  std::set<std::string> producers;
  const bool queue_broker = scenario.broker_kind != models::BrokerKind::kLog;
  std::set<std::string> producing;  // producers and forwarding clients: they talk to nodes
  std::vector<Node> topic_nodes = queue_broker ? std::vector<Node>{} : root.Get("topics").Items();
  for (std::size_t i = 0; i < scenario.topics.size(); ++i) {
    if (!topics.insert(scenario.topics[i].name).second) {
      topic_nodes[i].Get("name").Fail("topic '" + scenario.topics[i].name + "' is defined twice");
    }
  }
  const std::vector<std::string> topic_list(topics.begin(), topics.end());
  auto check_topic = [&](const std::string& topic, const Node& at) {
    if (!topics.count(topic)) {
      at.Fail("no topic called '" + topic + "'; defined topics: " + Join(topic_list));
    }
  };
  if (root.Has("producers")) {
    std::vector<Node> nodes = root.Get("producers").Items();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const models::ProducerConfig& producer = scenario.producers[i];
      claim(producers, producer.name, nodes[i].Get("name"));
      producing.insert(producer.name);
      if (queue_broker) continue;
      check_topic(producer.topic, nodes[i].Get("topic"));
      const std::uint32_t partitions =
          scenario.topics[models::TopicIndex(scenario, producer.topic)].partitions;
      if (producer.partitioner == models::Partitioner::kExplicit &&
          producer.explicit_partition >= partitions) {
        nodes[i]
            .Get("partition")
            .Fail("topic '" + producer.topic + "' has partitions 0 to " +
                  std::to_string(partitions - 1));
      }
    }
  }
  if (root.Has("consumers")) {
    std::vector<Node> nodes = root.Get("consumers").Items();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const models::ConsumerGroupConfig& group = scenario.consumers[i];
      claim(groups, group.group, nodes[i].Get("group"));
      if (!queue_broker) check_topic(group.topic, nodes[i].Get("topic"));
      for (std::uint32_t k = 0; k < group.instances; ++k) {
        claim(instances, models::InstanceName(group.group, k), nodes[i].Get("group"));
      }
      if (group.produce_to.empty()) continue;
      const Node produce_to = nodes[i].Get("produce_to");
      if (!queue_broker) check_topic(group.produce_to, produce_to);  // queues: checked on load
      if (group.produce_to == group.topic && !group.service.active()) {
        produce_to.Fail("a group that forwarded into its own topic would loop forever");
      }
      // Each instance's producer client is a component of its own, "GROUP-N-out".
      std::set<std::string> forwarders;
      for (std::uint32_t k = 0; k < group.instances; ++k) {
        claim(forwarders, models::InstanceName(group.group, k) + "-out", nodes[i].Get("group"));
      }
      producing.insert(forwarders.begin(), forwarders.end());
    }
    CheckForwardingLoops(nodes, scenario);
  }
  // The servers of request-response flows, and their callers.
  std::set<std::string> servers;
  for (const models::FlowConfig& flow : scenario.flows) {
    if (flow.style != models::FlowStyle::kRequestResponse) continue;
    const Node at = root.Get("flows");
    std::set<std::string> caller;
    claim(caller, models::SyncCaller::NameOf(flow), at);
    std::set<std::string> services;
    for (const models::FlowStep& step : flow.steps) {
      if (!services.insert(step.service).second) continue;
      for (std::uint32_t k = 0; k < models::ServiceSettings(flow, step.service).instances; ++k) {
        claim(servers, models::InstanceName(step.service, k), at);
      }
    }
  }
  for (const models::ConsumerGroupConfig& group : scenario.consumers) {
    if (!group.generated) continue;
    const Node at = root.Get("flows");
    claim(groups, group.group, at);
    for (std::uint32_t k = 0; k < group.instances; ++k) {
      const std::string instance = models::InstanceName(group.group, k);
      claim(instances, instance, at);
      producing.insert(instance + "-out");
      components.insert(instance + "-out");
    }
  }
  if (root.Has("network") && root.Get("network").Has("links")) {
    for (const Node& item : root.Get("network").Get("links").Items()) {
      CheckLinkEnds(item.Get("link"), components, producing, scenario);
    }
  }
  if (!root.Has("faults")) return;
  std::vector<Node> faults = root.Get("faults").Items();
  std::size_t crash_index = 0;
  std::set<std::string> late_joiners;
  for (const Node& fault : faults) {
    if (fault.Has("crash")) {
      const models::CrashFault& crash = scenario.crashes[crash_index++];
      const bool is_instance = instances.count(crash.target) > 0;
      const bool is_producer = producers.count(crash.target) > 0;
      if (scenario.broker_kind == models::BrokerKind::kQueue &&
          crash.target == models::kBrokerName) {
        if (crash.step != models::CrashStep::kAtTime) {
          fault.Get("step").Fail("steps belong to consumer instances of a log broker");
        }
        continue;
      }
      if (queue_broker && crash.step != models::CrashStep::kAtTime) {
        fault.Get("step").Fail(
            "steps belong to consumer instances of a log broker; a queue consumer crashes at "
            "a time ('at: T') or on a poison message (producers[].poison)");
      }
      if (servers.count(crash.target) > 0) {
        if (crash.step != models::CrashStep::kAtTime) {
          fault.Get("step").Fail(
              "a service of a request-response flow crashes at a time ('at: "
              "T'); it has no steps");
        }
        continue;
      }
      const bool is_broker = IsBrokerNode(scenario, crash.target);
      if (!is_instance && !is_producer && !is_broker) {
        fault.Get("crash").Fail((scenario.brokers > 1
                                     ? "no producer, consumer instance or broker called '"
                                     : "no producer or consumer instance called '") +
                                crash.target + "'; allowed: " + CrashTargets(scenario));
      }
      if (is_broker && crash.step != models::CrashStep::kAtTime) {
        fault.Get("step").Fail("a broker node crashes at a time; '" + crash.target +
                               "' has no steps");
      }
      const auto service_instance = [&] {
        for (const models::ConsumerGroupConfig& group : scenario.consumers) {
          for (std::uint32_t k = 0; k < group.instances && group.service.active(); ++k) {
            if (models::InstanceName(group.group, k) == crash.target) return true;
          }
        }
        return false;
      };
      if (crash.step == models::CrashStep::kAfterDatabaseCommit && is_instance) {
        if (!service_instance()) {
          fault.Get("step").Fail(
              "'after-db-commit' strikes producers and the instances of "
              "services (groups with 'handles' or made by a flow)");
        }
        continue;
      }
      const bool producer_step = crash.step == models::CrashStep::kAfterDatabaseCommit ||
                                 crash.step == models::CrashStep::kAfterPublish;
      if (crash.step != models::CrashStep::kAtTime && !producer_step && !is_instance) {
        fault.Get("step").Fail("this step belongs to consumer instances; '" + crash.target +
                               "' is a producer (its steps: after-db-commit, after-publish)");
      }
      if (producer_step && !is_producer) {
        fault.Get("step").Fail("this step belongs to producers; '" + crash.target +
                               "' is a consumer instance");
      }
      if (producer_step) {
        const models::ProducerConfig& producer =
            *std::find_if(scenario.producers.begin(), scenario.producers.end(),
                          [&](const models::ProducerConfig& p) { return p.name == crash.target; });
        const bool fits = crash.step == models::CrashStep::kAfterDatabaseCommit
                              ? producer.publish != models::PublishMode::kDirect
                              : producer.publish == models::PublishMode::kOutbox;
        if (!fits) {
          fault.Get("step").Fail(
              std::string("'") + models::CrashStepName(crash.step) + "' needs a producer with " +
              (crash.step == models::CrashStep::kAfterPublish ? "publish: outbox"
                                                              : "publish: dual-write or outbox") +
              "; '" + crash.target + "' has publish: " + models::PublishModeName(producer.publish));
        }
      }
      continue;
    }
    if (fault.Has("leave") || fault.Has("join")) {
      const Node target = fault.Get(fault.Has("leave") ? "leave" : "join");
      if (!instances.count(target.Text())) {
        std::vector<std::string> names;
        for (const models::ConsumerGroupConfig& group : scenario.consumers) {
          names.push_back(InstanceRange(group));
        }
        target.Fail("no consumer instance called '" + target.Text() + "'; allowed: " +
                    (names.empty() ? std::string("none, as there are no consumers") : Join(names)));
      }
      if (fault.Has("join") && !late_joiners.insert(target.Text()).second) {
        target.Fail("'" + target.Text() + "' already joins late; an instance starts once");
      }
      continue;
    }
    if (fault.Has("clock")) continue;  // LoadClockSkew checked the producer
    CheckLinkEnds(fault.Get("link"), components, producing, scenario);
  }
}

// A scenario that would take hours is almost always a slip (a rate in /ns, a duration in h);
// refusing it beats a run that looks hung.
void CheckSize(const Node& root, const Scenario& scenario) {
  double messages = 0;
  for (const models::ProducerConfig& producer : scenario.producers) {
    messages += producer.rate_per_second * static_cast<double>(scenario.duration) / 1e9;
  }
  // Each instance keeps a few words per partition of its topic.
  double instance_partitions = 0;
  std::vector<Node> groups =
      root.Has("consumers") ? root.Get("consumers").Items() : std::vector<Node>{};
  for (std::size_t g = 0; g < scenario.consumers.size(); ++g) {
    const auto& group = scenario.consumers[g];
    if (scenario.broker_kind != models::BrokerKind::kLog) break;  // no partitions
    instance_partitions += static_cast<double>(group.instances) *
                           scenario.topics[models::TopicIndex(scenario, group.topic)].partitions;
    if (instance_partitions > kMaxInstancePartitions) {
      (g < groups.size() ? groups[g].Get("instances") : root.Get("flows"))
          .Fail("instances times partitions, summed over the groups, may not pass 10000000");
    }
  }
  if (messages > kMaxMessagesPerRun) {
    root.Get("duration")
        .Fail(fmt::format(
            "the producers would publish about {:.3g} messages over this duration (rate times "
            "duration, summed); the limit is 4e9, about an hour of simulation",
            messages));
  }
}

Scenario LoadRoot(const Node& root) {
  root.ExpectMap({"name", "description", "seed", "duration", "drain", "sample_interval", "broker",
                  "topics", "producers", "consumers", "flows", "network", "faults"});
  Scenario scenario;
  scenario.name = root.Get("name").Name();
  Optional(root, "description", scenario.description, [](const Node& n) { return n.Text(); });
  Optional(root, "seed", scenario.seed, [](const Node& n) { return n.Unsigned(0, UINT64_MAX); });
  scenario.duration = root.Get("duration").PositiveDuration();
  Optional(root, "drain", scenario.drain, [](const Node& n) { return n.Duration(); });
  Optional(root, "sample_interval", scenario.sample_interval,
           [](const Node& n) { return n.PositiveDuration(); });
  if (root.Has("broker")) {
    const Node broker = root.Get("broker");
    broker.ExpectMap({"kind", "initial_rebalance_delay", "retention_check_interval",
                      "transaction_timeout", "exchanges", "queues", "bindings", "count"});
    Optional(broker, "kind", scenario.broker_kind, [](const Node& n) {
      return n.Choice<models::BrokerKind>({{"log", models::BrokerKind::kLog},
                                           {"queue", models::BrokerKind::kQueue},
                                           {"service-bus", models::BrokerKind::kServiceBus}});
    });
    if (scenario.broker_kind == models::BrokerKind::kQueue) {
      LoadQueueBroker(broker, scenario);
    } else if (scenario.broker_kind == models::BrokerKind::kServiceBus) {
      LoadServiceBusBroker(broker, scenario);
    } else {
      for (const char* key : {"exchanges", "queues", "bindings"}) {
        if (broker.Has(key)) broker.Get(key).Fail("belongs to 'kind: queue' brokers");
      }
    }
    Optional(broker, "initial_rebalance_delay", scenario.initial_rebalance_delay,
             [](const Node& n) { return n.Duration(); });
    Optional(broker, "retention_check_interval", scenario.retention_check_interval,
             [](const Node& n) { return n.PositiveDuration(); });
    Optional(broker, "transaction_timeout", scenario.transaction_timeout,
             [](const Node& n) { return n.PositiveDuration(); });
    Optional(broker, "count", scenario.brokers,
             [](const Node& n) { return static_cast<std::uint32_t>(n.Unsigned(1, kMaxBrokers)); });
    if (scenario.broker_kind != models::BrokerKind::kLog && scenario.brokers > 1) {
      broker.Get("count").Fail("a cluster of brokers belongs to 'kind: log' brokers");
    }
  }
  if (scenario.broker_kind != models::BrokerKind::kLog) {
    if (root.Has("topics")) {
      root.Get("topics").Fail(
          "a queue broker has no topics; declare broker.queues (and for kind: queue, "
          "broker.exchanges and broker.bindings)");
    }
  } else {
    const std::vector<Node> topics = root.Get("topics").Items();
    if (topics.empty()) root.Get("topics").Fail("a scenario needs at least one topic");
    for (const Node& item : topics) LoadTopic(item, scenario);
  }
  if (root.Has("producers")) {
    for (const Node& item : root.Get("producers").Items()) LoadProducer(item, scenario);
  }
  if (root.Has("consumers")) {
    for (const Node& item : root.Get("consumers").Items()) LoadConsumerGroup(item, scenario);
  }
  if (root.Has("flows")) {
    for (const Node& item : root.Get("flows").Items()) LoadFlow(item, scenario);
  }
  if (root.Has("network")) LoadNetwork(root.Get("network"), scenario);
  if (root.Has("faults")) {
    for (const Node& item : root.Get("faults").Items()) LoadFault(item, scenario);
  }
  CheckReferences(root, scenario);
  if (scenario.broker_kind != models::BrokerKind::kLog) CheckQueueReferences(root, scenario);
  CheckSize(root, scenario);
  return scenario;
}

// yaml-cpp marks the end of the text past its last line, or at column 1 of the last line when
// there is no final newline; an error found at the end points just after the last character that
// is not blank, where the text runs out.
Error YamlError(const YAML::Exception& e, const std::string& text, const std::string& file_name) {
  int line = e.mark.line + 1;
  int column = e.mark.column + 1;
  if (e.mark.pos >= 0 && static_cast<std::size_t>(e.mark.pos) >= text.size()) {
    const std::size_t end = text.find_last_not_of(" \t\r\n") + 1;  // 0 when the text is blank
    const std::size_t newline = end == 0 ? std::string::npos : text.rfind('\n', end - 1);
    const std::size_t line_start = newline == std::string::npos ? 0 : newline + 1;
    line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + end, '\n'));
    column = 1 + static_cast<int>(end - line_start);
  }
  return Error{file_name, line, column, "", "not valid YAML: " + e.msg};
}

}  // namespace

Result<models::Scenario> LoadScenarioText(const std::string& text, const std::string& file_name) {
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.empty() || documents[0].IsNull()) {
      return Error{file_name, 1, 1, "",
                   "the file is empty; a scenario needs at least name, "
                   "duration and topics"};
    }
    // A second document after '---' would otherwise be dropped without a word.
    for (std::size_t i = 1; i < documents.size(); ++i) {
      if (documents[i].IsNull()) continue;
      return Error{file_name, documents[i].Mark().line + 1, documents[i].Mark().column + 1, "",
                   "a scenario file holds one YAML document; this is a second one"};
    }
    return LoadRoot(Node(documents[0], "", &file_name));
  } catch (const LoadFailure& failure) {
    return failure.error;
  } catch (const YAML::Exception& e) {
    return YamlError(e, text, file_name);
  }
}

Result<models::Scenario> LoadScenarioTree(const YAML::Node& root, const std::string& file_name) {
  try {
    if (root.IsNull()) return Error{file_name, 1, 1, "", "the scenario is empty"};
    return LoadRoot(Node(root, "", &file_name));
  } catch (const LoadFailure& failure) {
    return failure.error;
  } catch (const YAML::Exception& e) {
    return Error{file_name, e.mark.line + 1, e.mark.column + 1, "", e.msg};
  }
}

Result<models::Scenario> LoadScenarioFile(const std::string& path) {
  // A directory opens as a stream that reads nothing, which would pass for an empty file.
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return Error{path, 0, 0, "", "is a directory, not a scenario file"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, 0, 0, "", "cannot open the file for reading"};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{path, 0, 0, "", "cannot read the file"};
  return LoadScenarioText(text.str(), path);
}

}  // namespace deliverysim::app
