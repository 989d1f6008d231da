// Matching of a topic exchange's binding pattern against a routing key, as RabbitMQ's topic
// exchange does: both are words separated by dots; in the pattern `*` stands for exactly one
// word and `#` for zero or more words.
//
//   TopicMatches("order.*", "order.placed")      // true
//   TopicMatches("order.#", "order")             // true: # may match no word
//   TopicMatches("*.placed", "eu.order.placed")  // false: * is one word
#pragma once

#include <string_view>

namespace deliverysim::models {

bool TopicMatches(std::string_view pattern, std::string_view routing_key);

}  // namespace deliverysim::models
