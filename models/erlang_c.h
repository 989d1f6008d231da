// The M/M/c queue: Poisson arrivals at rate lambda, c servers, exponential service at rate mu
// each, first come first served, unlimited room. Erlang's C formula gives the probability that
// an arrival waits, and from it the mean wait and the mean queue length.
//
//   MmcPrediction p = ErlangC(/*servers=*/1, /*arrival_rate=*/800, /*service_rate=*/1000);
//   p.mean_queue_length;   // 3.2 messages waiting, not counting those in service
//
// In deliverysim terms: a Poisson producer, one consumer instance per server taking one record
// at a time, exponential processing, no network delay. See models/analytic_predictions.h for
// when a scenario meets these assumptions.
#pragma once

#include <cstdint>

namespace deliverysim::models {

struct MmcPrediction {
  double utilisation = 0;        // rho = lambda / (c mu); the queue is stable when below 1
  double wait_probability = 0;   // Erlang C: P(an arrival finds every server busy)
  double mean_wait = 0;          // Wq, seconds in the queue before service starts
  double mean_queue_length = 0;  // Lq, waiting, not in service (Little: lambda Wq)
  double mean_in_system = 0;     // L = Lq + lambda / mu
  double mean_sojourn = 0;       // W = Wq + 1 / mu, seconds from arrival to departure
};

// REQUIRES: servers >= 1, rates > 0, arrival_rate < servers * service_rate (a stable queue).
MmcPrediction ErlangC(std::uint32_t servers, double arrival_rate, double service_rate);

}  // namespace deliverysim::models
