#include "models/at_most_once_loss.h"

#include <algorithm>

namespace deliverysim::models {

double AtMostOnceLossProbability(double base, const std::vector<LossWindow>& windows,
                                 sim::Time duration) {
  // Between consecutive window edges the set of open windows, and so the loss, is constant.
  std::vector<sim::Time> edges{0, duration};
  for (const LossWindow& w : windows) {
    edges.push_back(std::clamp<sim::Time>(w.start, 0, duration));
    edges.push_back(std::clamp<sim::Time>(w.end, 0, duration));
  }
  std::sort(edges.begin(), edges.end());
  double weighted = 0;
  for (std::size_t i = 1; i < edges.size(); ++i) {
    const sim::Time from = edges[i - 1], to = edges[i];
    if (to <= from) continue;
    double survive = 1 - base;
    for (const LossWindow& w : windows) {
      if (w.start <= from && to <= w.end) survive *= 1 - w.loss;
    }
    weighted += static_cast<double>(to - from) * (1 - survive);
  }
  return weighted / static_cast<double>(duration);
}

}  // namespace deliverysim::models
