#include "models/erlang_c.h"

#include <cassert>

namespace deliverysim::models {

MmcPrediction ErlangC(std::uint32_t servers, double arrival_rate, double service_rate) {
  assert(servers >= 1 && arrival_rate > 0 && service_rate > 0);
  const double c = servers;
  const double offered = arrival_rate / service_rate;  // a, in Erlangs
  const double rho = offered / c;
  assert(rho < 1);

  // Erlang B by its recurrence B(k) = a B(k-1) / (k + a B(k-1)), which never forms a^c / c!
  // and so stays accurate for many servers; Erlang C follows from B.
  double blocking = 1;
  for (std::uint32_t k = 1; k <= servers; ++k) {
    blocking = offered * blocking / (k + offered * blocking);
  }
  MmcPrediction p;
  p.utilisation = rho;
  p.wait_probability = blocking / (1 - rho * (1 - blocking));
  p.mean_wait = p.wait_probability / (c * service_rate - arrival_rate);
  p.mean_queue_length = arrival_rate * p.mean_wait;
  p.mean_in_system = p.mean_queue_length + offered;
  p.mean_sojourn = p.mean_wait + 1 / service_rate;
  return p;
}

}  // namespace deliverysim::models
