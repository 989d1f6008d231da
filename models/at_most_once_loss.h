// Loss under at-most-once delivery over a lossy link: a producer with acks 0 sends each message
// once, so a message is lost exactly when its one produce request is lost on the link to the
// broker. The link loses a packet with probability 1 - (1 - base) * product of (1 - loss) over
// the fault windows open at the time, as models/network.cc combines them; a message intended at
// a uniformly random moment of the producing time is lost with that probability averaged over
// the time.
//
//   double p = AtMostOnceLossProbability(0.01, {{10 * kSecond, 20 * kSecond, 0.5}}, 60 * kSecond);
#pragma once

#include <vector>

#include "sim/time.h"

namespace deliverysim::models {

struct LossWindow {
  sim::Time start = 0;
  sim::Time end = 0;  // clipped to the producing duration
  double loss = 0;
};

// REQUIRES: duration > 0; probabilities in [0, 1].
double AtMostOnceLossProbability(double base, const std::vector<LossWindow>& windows,
                                 sim::Time duration);

}  // namespace deliverysim::models
