#include "models/topic_pattern.h"

#include <vector>

namespace deliverysim::models {

namespace {

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    words.push_back(text.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return words;
    start = dot + 1;
  }
}

}  // namespace

bool TopicMatches(std::string_view pattern, std::string_view routing_key) {
  const std::vector<std::string_view> p = Words(pattern);
  const std::vector<std::string_view> k = Words(routing_key);
  // matches[j]: the pattern's first i words match the key's first j words. Dynamic
  // programming rather than backtracking, so that many '#' cannot make it exponential.
  std::vector<bool> matches(k.size() + 1, false);
  matches[0] = true;
  for (std::string_view word : p) {
    std::vector<bool> next(k.size() + 1, false);
    for (std::size_t j = 0; j <= k.size(); ++j) {
      if (word == "#") {
        // Zero words (from j), or one more word after a match up to j-1.
        next[j] = matches[j] || (j > 0 && next[j - 1]);
      } else if (j > 0) {
        next[j] = matches[j - 1] && (word == "*" || word == k[j - 1]);
      }
    }
    matches = std::move(next);
  }
  return matches[k.size()];
}

}  // namespace deliverysim::models
