"""deliverysim analyze: the prediction where one applies, and a plain reason where none does."""


MM1 = """\
name: mm1
duration: 60s
broker: { initial_rebalance_delay: 0 }
topics: [{ name: jobs, partitions: 1 }]
producers: [{ name: source, topic: jobs, rate: 800/s, arrivals: poisson, linger: 0ms }]
consumers: [{ group: workers, topic: jobs, instances: 1, processing: exp(1ms),
              max_poll_records: 1, commit: before-processing, auto_offset_reset: earliest }]
network: { latency: const(0) }
"""


def test_an_mm1_scenario_gets_the_erlang_c_prediction(deliverysim, tmp_path):
    scenario = tmp_path / "mm1.yaml"
    scenario.write_text(MM1)
    out = deliverysim("analyze", scenario, check=True).stdout
    # rho = 0.8: P(wait) 0.8, Wq = 0.8 / (1000 - 800) s = 4 ms, Lq = 3.2, L = 4, W = 5 ms.
    assert "group workers: an M/M/1 queue (Erlang C)" in out
    assert "utilisation 0.8000" in out
    assert ("P(wait) 0.8000; mean wait 4 ms; mean queue length 3.2 messages; mean in system 4; "
            "mean time in system 5 ms") in out
    assert "compare with lag_messages.mean of group workers: 3.2 (commits before processing" in out


def test_the_readme_scenario_gets_the_retry_chain_and_reasons(deliverysim, scenarios):
    out = deliverysim("analyze", scenarios / "order-placed-at-least-once.yaml", check=True).stdout
    # 1% lost each way, unlimited attempts: 1 / 0.99^2 = 1.020304 sends per message.
    assert "producer order-service: retries as an absorbing Markov chain" in out
    assert "sends 1.020304" in out
    assert ("no prediction: group billing is not an M/M/1 queue: its topic has several "
            "partitions") in out
    # max_in_flight 5: a timeout resends every batch in flight, which the chain does not count.
    assert ("caveat: producer order-service: with max_in_flight 5 a request timeout closes the "
            "connection and resends every batch in flight on it, so the chain") in out
    assert "undercounts sends" in out


def test_a_failing_queue_handler_gets_the_retry_chains_dead_letter_prediction(deliverysim,
                                                                             scenarios):
    out = deliverysim("analyze", scenarios / "queue-handler-failures.yaml", check=True).stdout
    # billing: 3 attempts failing with 0.3 each, then a reject to a routed dead-letter exchange:
    # 0.3^3 = 0.027 dead-lettered. audit: one attempt, no dead-letter exchange: 0.3 lost.
    assert ("group billing: a failing handler as an absorbing Markov chain: failure 0.3, request "
            "loss 0, acknowledgement loss 0, at most 3 attempt(s), retried in the handler, then "
            "rejected; a dead-letter queue") in out
    assert "P(dead-lettered) 0.027000; P(lost) 0.000000" in out
    assert "compare with dead_lettered / intended of group billing" in out
    assert ("group audit: a failing handler as an absorbing Markov chain: failure 0.3, request "
            "loss 0, acknowledgement loss 0, at most 1 attempt(s), rejected by the handler; no "
            "dead-letter queue") in out
    assert "P(dead-lettered) 0.000000; P(lost) 0.300000" in out
    assert "no prediction: dead-letter probability" not in out


def test_runs_set_the_simulated_dead_lettered_fraction_beside_the_chain(deliverysim, scenarios):
    out = deliverysim("analyze", scenarios / "queue-handler-failures.yaml", "--runs", "2",
                      check=True).stdout
    assert "billing dead_lettered / intended: predicted 0.027," in out
    assert "audit lost / intended: predicted 0.3," in out


def test_a_failing_handler_that_crashes_its_instance_is_not_a_retry_chain(deliverysim,
                                                                         scenarios, tmp_path):
    text = (scenarios / "queue-handler-failures.yaml").read_text()
    text = text.replace("on_poison: reject }", "on_poison: crash }")
    (tmp_path / "crash.yaml").write_text(text)
    out = deliverysim("analyze", tmp_path / "crash.yaml", check=True).stdout
    assert ("no prediction: group audit: its failing handler is not a retry chain: on_poison: "
            "crash: a failed attempt kills the instance") in out


NONE = """\
name: none
duration: 10s
topics: [{ name: t, partitions: 3 }]
consumers: [{ group: g, topic: t, instances: 1, processing: const(1ms),
              commit: after-processing }]
"""


def test_a_scenario_without_any_prediction_says_so(deliverysim, tmp_path):
    scenario = tmp_path / "none.yaml"
    scenario.write_text(NONE)
    out = deliverysim("analyze", scenario, check=True).stdout
    assert "no analytic prediction applies to this scenario" in out
    assert "no prediction: group g is not an M/M/1 queue" in out


def test_analyze_of_a_bad_file_is_bad_input(deliverysim, tmp_path):
    (tmp_path / "bad.yaml").write_text("name: x\n")
    result = deliverysim("analyze", tmp_path / "bad.yaml")
    assert result.returncode == 2
    assert "missing required key 'duration'" in result.stderr


def test_runs_put_the_simulated_mean_beside_the_prediction(deliverysim, tmp_path):
    scenario = tmp_path / "mm1.yaml"
    scenario.write_text(MM1)
    # Fixed seeds, so the outcome never changes; 20 runs keep the interval honest (with 5 the
    # 95% interval of these seeds just misses, as one in twenty such intervals may).
    out = deliverysim("analyze", scenario, "--runs", "20", check=True).stdout
    assert "predicted beside simulated (mean over 20 run(s), 95% CI):" in out
    line = next(l for l in out.splitlines() if "workers lag_messages.mean: predicted 3.2," in l)
    low, high = (float(x) for x in line.split("[")[1].split("]")[0].split(", "))
    assert low < 3.2 < high and line.endswith(", inside")


def test_runs_with_nothing_to_compare_say_so(deliverysim, tmp_path):
    scenario = tmp_path / "none.yaml"
    scenario.write_text(NONE)
    out = deliverysim("analyze", scenario, "--runs", "2", check=True).stdout
    assert "nothing to simulate: no prediction applies" in out
