"""The queue broker through the command line: its JSON section, its table lines, its errors."""
import json

QUEUE_KEYS = ["type", "durable", "enqueued", "delivered", "redelivered", "acked", "requeued",
              "dead_lettered", "discarded", "lost_in_restart", "consumer_crashes",
              "lock_expiries", "completions_lock_lost", "duplicates_detected",
              "handler_retries", "ready_at_end", "unacked_at_end"]


def run_json(deliverysim, scenario):
    return json.loads(deliverysim("run", scenario, "--json", check=True).stdout)


def test_json_has_the_documented_queue_broker_section(deliverysim, scenarios):
    document = run_json(deliverysim, scenarios / "queue-broker-restarts.yaml")
    assert document["schema"] == "deliverysim.run/1"
    assert list(document)[-1] == "queue_broker"  # added after every log-broker key
    broker = document["queue_broker"]
    assert list(broker) == ["unroutable_dropped", "returned", "restarts", "dropped_while_down",
                            "incoming_interval_ns", "incoming_requests", "queues"]
    assert broker["incoming_interval_ns"] == 100_000_000
    assert sum(broker["incoming_requests"]) > 0
    assert broker["restarts"] == 3
    assert list(broker["queues"]["orders-plain"]) == QUEUE_KEYS
    assert document["groups"]["plain"]["topic"] == "orders-plain"
    assert document["groups"]["plain"]["commit"] == "manual-ack"
    assert list(document["groups"]["plain"])[-1] == "oldest_message_age_ns"
    assert set(document["groups"]["plain"]["oldest_message_age_ns"]) == {"max", "mean", "p99"}
    assert document["producers"]["fire-and-forget"]["topic"] == "plain"


def test_log_broker_json_has_no_queue_broker_section(deliverysim, scenarios):
    document = run_json(deliverysim, scenarios / "order-placed-inbox.yaml")
    assert "queue_broker" not in document
    assert "oldest_message_age_ns" not in document["groups"]["billing"]


def test_table_shows_each_queue(deliverysim, scenarios):
    table = deliverysim("run", scenarios / "queue-poison-delivery-limit.yaml", check=True).stdout
    assert "broker: 0 restarts" in table
    assert "queue billing-quorum-dlx (quorum, durable): 1 enqueued, 4 delivered" in table
    assert "1 dead-lettered" in table


def test_queue_json_is_identical_run_to_run(deliverysim, scenarios):
    scenario = scenarios / "queue-broker-restarts.yaml"
    first = deliverysim("run", scenario, "--json", check=True).stdout
    assert first == deliverysim("run", scenario, "--json", check=True).stdout


def test_a_bad_queue_reference_is_bad_input(deliverysim, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: q\nduration: 1s\nbroker:\n  kind: queue\n"
                    "  exchanges: [ { name: orders, type: direct } ]\n"
                    "  queues: [ { name: billing } ]\n"
                    "producers:\n  - { name: shop, exchange: order, rate: 1/s }\n")
    result = deliverysim("validate", path)
    assert result.returncode == 2
    assert f"{path}:8:29: producers[0].exchange: no exchange called 'order'" in result.stderr


def test_service_bus_table_and_json_name_queues_and_receive_modes(deliverysim, scenarios):
    scenario = scenarios / "service-bus-lock-lost.yaml"
    document = run_json(deliverysim, scenario)
    assert document["groups"]["slow"]["commit"] == "peek-lock"
    assert document["producers"]["shop"]["topic"] == "slow"
    queue = document["queue_broker"]["queues"]["slow"]
    assert queue["type"] == "service-bus"
    assert queue["completions_lock_lost"] == 2
    table = deliverysim("run", scenario, check=True).stdout
    assert "slow: 2 lock expiries, 2 completions after the lock was lost" in table


def test_table_shows_the_incoming_request_peak(deliverysim, scenarios):
    table = deliverysim("run", scenarios / "queue-reconnect-storm.yaml", check=True).stdout
    assert "broker incoming requests: peak 200 in the 100 ms from 0 ns" in table


def test_validate_counts_queues_for_a_queue_broker(deliverysim, scenarios):
    path = scenarios / "queue-routing.yaml"
    result = deliverysim("validate", path, check=True)
    assert f"{path}: valid scenario 'queue-routing': 4 queue(s), 5 producer(s)" in result.stdout
