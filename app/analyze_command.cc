#include "app/analyze_command.h"

#include <fmt/format.h>

#include <iostream>

#include "app/analysis_simulation.h"
#include "app/commands.h"
#include "app/scenario_loader.h"

namespace deliverysim::app {

namespace {

void PrintQueue(const models::QueueCheck& q, std::string& out) {
  const models::MmcPrediction& p = q.prediction;
  out += fmt::format(
      "group {}: an M/M/{} queue (Erlang C): arrivals {:.6g}/s, service {:.6g}/s per server, "
      "utilisation {:.4f}\n",
      q.group, q.servers, q.arrival_rate, q.service_rate, p.utilisation);
  out += fmt::format(
      "  P(wait) {:.4f}; mean wait {:.6g} ms; mean queue length {:.6g} messages; mean in "
      "system {:.6g}; mean time in system {:.6g} ms\n",
      p.wait_probability, p.mean_wait * 1e3, p.mean_queue_length, p.mean_in_system,
      p.mean_sojourn * 1e3);
  out += fmt::format(
      "  compare with lag_messages.mean of group {}: {:.6g} ({})\n", q.group, q.predicted_lag(),
      q.lag_counts_in_service
          ? "the records in service are counted: committed or acknowledged after processing"
          : "commits before processing: only the waiting records are counted");
}

void PrintRetry(const models::RetryCheck& r, std::string& out) {
  const models::RetryPrediction& p = r.prediction;
  out += fmt::format(
      "producer {}: retries as an absorbing Markov chain: request loss {:.6g}, "
      "acknowledgement loss {:.6g}, {}\n",
      r.producer, r.policy.request_loss, r.policy.ack_loss,
      r.unlimited ? std::string("unlimited attempts")
                  : fmt::format("at most {} attempt(s)", r.policy.max_attempts));
  out += fmt::format(
      "  per message: P(acknowledged) {:.6f}; P(given up) {:.6f}; P(never appended) {:.6f}; "
      "sends {:.6f}; appends {:.6f}; duplicate appends {:.6f}\n",
      p.acknowledged, p.given_up, 1 - p.processed, p.expected_attempts, p.expected_effects,
      p.expected_duplicate_effects);
  out += fmt::format(
      "  compare with sends / intended and gave_up / intended of producer {}; a group reading "
      "every "
      "record sees the duplicate appends as duplicate deliveries\n",
      r.producer);
}

void PrintDeadLetters(const models::DeadLetterCheck& d, std::string& out) {
  const models::RetryPrediction& p = d.prediction;
  out += fmt::format(
      "group {}: a failing handler as an absorbing Markov chain: failure {:.6g}, request loss "
      "0, acknowledgement loss 0, {}, {}; {}\n",
      d.group, d.policy.failure,
      d.unlimited ? std::string("unlimited attempts")
                  : fmt::format("at most {} attempt(s)", d.policy.max_attempts),
      d.path, d.policy.dead_letter_queue ? "a dead-letter queue" : "no dead-letter queue");
  out += fmt::format(
      "  per message: P(dead-lettered) {:.6f}; P(lost) {:.6f}; P(processed) {:.6f}; attempts "
      "{:.6f}\n",
      p.dead_lettered, p.lost, p.processed, p.expected_attempts);
  out += fmt::format("  compare with {} / intended of group {}\n",
                     d.policy.dead_letter_queue ? "dead_lettered" : "lost", d.group);
}

std::string ComparisonText(const std::vector<Comparison>& rows, std::uint32_t runs) {
  if (rows.empty()) return "nothing to simulate: no prediction applies\n";
  std::string out =
      fmt::format("predicted beside simulated (mean over {} run(s), 95% CI):\n", runs);
  for (const Comparison& row : rows) {
    const bool has_interval = row.simulated.n >= 2;
    out += fmt::format("  {}: predicted {:.6g}, simulated {:.6g}{}{}\n", row.what, row.predicted,
                       row.simulated.mean,
                       has_interval ? fmt::format(" [{:.6g}, {:.6g}]", row.ci95.low, row.ci95.high)
                                    : std::string(),
                       !has_interval ? ""
                       : row.predicted >= row.ci95.low && row.predicted <= row.ci95.high
                           ? ", inside"
                           : ", outside");
  }
  return out;
}

}  // namespace

std::string AnalysisText(const std::string& scenario_name, const models::Analysis& analysis) {
  std::string out = fmt::format("analytic predictions for '{}'\n", scenario_name);
  const bool none = analysis.queues.empty() && analysis.retries.empty() &&
                    analysis.at_most_once.empty() && analysis.dead_letters.empty();
  if (none) out += "no analytic prediction applies to this scenario\n";
  for (const models::QueueCheck& q : analysis.queues) PrintQueue(q, out);
  for (const models::RetryCheck& r : analysis.retries) PrintRetry(r, out);
  for (const models::DeadLetterCheck& d : analysis.dead_letters) PrintDeadLetters(d, out);
  for (const models::AtMostOnceCheck& a : analysis.at_most_once) {
    out += fmt::format(
        "producer {}: at-most-once (acks 0): each message is lost with probability {:.6g}, "
        "the loss of its link to the broker over the producing time\n"
        "  compare with lost / intended of a group that commits before processing and sees no "
        "other loss (no crashes, lossless consumer links)\n",
        a.producer, a.loss_probability);
  }
  for (const std::string& caveat : analysis.caveats) out += "caveat: " + caveat + "\n";
  for (const std::string& why : analysis.not_applicable) out += "no prediction: " + why + "\n";
  return out;
}

int AnalyzeCommand(const AnalyzeOptions& options) {
  Result<models::Scenario> loaded = LoadScenarioFile(options.scenario_path);
  if (!loaded.ok()) {
    std::cerr << "error: " << loaded.error().ToString() << "\n";
    return kExitBadInput;
  }
  const models::Analysis analysis = models::AnalyzeScenario(loaded.value());
  std::cout << AnalysisText(loaded.value().name, analysis);
  if (options.runs > 0) {
    std::cout << ComparisonText(SimulateComparisons(loaded.value(), analysis, options.runs),
                                options.runs);
  }
  std::cout.flush();
  return std::cout ? kExitOk : kExitOutputFailed;
}

}  // namespace deliverysim::app
