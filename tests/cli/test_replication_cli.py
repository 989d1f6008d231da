"""Replication from the command line: the bundled unclean-election scenario and a bad key."""
import json


def test_unclean_election_scenario_reports_three_acknowledged_records_lost(deliverysim,
                                                                           scenarios):
    result = deliverysim("run", scenarios / "unclean-election.yaml", "--json", check=True)
    orders = json.loads(result.stdout)["topics"]["orders"]
    assert orders["replication"] == 3
    assert orders["acknowledged_lost"] == 3
    assert orders["unclean_elections"] == 1
    assert orders["high_watermarks"] == [2]


def test_replication_above_the_broker_count_is_refused_with_its_position(deliverysim, tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("name: bad\nduration: 1s\nbroker: { count: 2 }\n"
                        "topics:\n  - { name: t, partitions: 1, replication: 3 }\n")
    result = deliverysim("validate", scenario)
    assert result.returncode == 2
    assert (f"{scenario}:5:44: topics[0].replication: replication 3 needs at least 3 brokers; "
            "broker.count is 2") in result.stderr


def test_trace_of_an_election_has_one_value_per_key(deliverysim, scenarios, tmp_path):
    trace = tmp_path / "trace.jsonl"
    deliverysim("run", scenarios / "unclean-election.yaml", "--trace", trace, check=True)

    def unique(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    events = [json.loads(line, object_pairs_hook=unique) for line in trace.read_text().splitlines()]
    elections = [event for event in events if event["kind"] == "election"]
    assert [(e["leader"], e["rule"], e["lost_acknowledged"]) for e in elections] == [
        ("broker-3", "unclean", 3)]


def test_leader_failover_keeps_every_record_and_the_table_says_so(deliverysim, scenarios):
    result = deliverysim("run", scenarios / "leader-failover.yaml", "--json", check=True)
    report = json.loads(result.stdout)
    topic = report["topics"]["t"]
    assert (topic["elections"], topic["unclean_elections"], topic["acknowledged_lost"]) == (1, 0, 0)
    assert topic["log_end_offsets"] == [10]
    assert report["producers"]["shop"]["acknowledged"] == 10
    assert report["groups"]["billing"]["lost"] == 0
    table = deliverysim("run", scenarios / "leader-failover.yaml", check=True).stdout
    assert ("topic t (replication 3): 0 acknowledged records lost, 1 elections (0 unclean), "
            "0 partitions offline at the end") in table
