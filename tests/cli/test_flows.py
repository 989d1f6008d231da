"""The teaching views on business flows: a service's events have lanes and stories."""


def test_timeline_window_draws_a_services_lane(deliverysim, scenarios):
    out = deliverysim("run", scenarios / "flow-order-choreography.yaml", "--timeline",
                      "--window", "1s..1.02s", "--width", "120", check=True).stdout
    lanes = [line for line in out.splitlines() if line.startswith("lanes:")][0]
    assert "B=stock" in lanes  # the stock service publishes from a lane of its own
    assert "stock#" in out     # and its events are named after it


def test_explain_worst_finds_the_event_a_dual_write_lost(deliverysim, scenarios):
    out = deliverysim("explain", scenarios / "flow-service-dual-write.yaml", "--worst",
                      check=True).stdout
    assert out.splitlines()[0].startswith("The worst message is stock#")
    assert out.splitlines()[0].endswith(": lost.")
    # and names the crash that cut the dual write between its commit and its publish
    assert "crashed (the fault's step: after-db-commit) after committing to its database" in out


def test_flows_are_in_the_json(deliverysim, scenarios):
    import json
    out = deliverysim("run", scenarios / "flow-order-request-response.yaml", "--json",
                      check=True).stdout
    flow = json.loads(out)["flows"][0]
    assert flow["style"] == "request-response"
    assert flow["started"] == flow["responses_ok"] + flow["responses_failed"]
    assert flow["unanswered"] == 0


def test_a_sweep_over_a_flow_stores_and_tabulates_its_outcomes(deliverysim, scenarios, tmp_path):
    import sqlite3
    sweep = tmp_path / "flows.yaml"
    sweep.write_text(
        f"scenario: {scenarios / 'flow-order-choreography.yaml'}\n"
        "seed: 3\nreplications: 2\nparameters:\n"
        "  - path: flows[order].steps[1].failure\n    name: decline\n    values: [0.1, 0.5]\n")
    db = tmp_path / "flows.db"
    out = deliverysim("sweep", sweep, "-o", db, "--jobs", "1", check=True).stdout
    assert "flow:order (mean" in out
    assert "inconsistent" in out and "user wait p99" in out
    rows = dict(sqlite3.connect(db).execute(
        "SELECT p.label, AVG(m.value) FROM metrics m JOIN points p ON p.point = m.point "
        "WHERE m.scope = 'flow:order' AND m.metric = 'compensated' GROUP BY p.label"))
    # 1000 orders a run; every declined payment is compensated, about 100 and 500 of them.
    assert 76 <= rows["decline=0.1"] <= 124
    assert 459 <= rows["decline=0.5"] <= 541


def test_validate_warns_of_a_rule_for_an_event_nobody_publishes(deliverysim, tmp_path):
    scenario = tmp_path / "typo.yaml"
    scenario.write_text(
        "name: typo\nduration: 1s\n"
        "topics:\n  - { name: orders, partitions: 1 }\n  - { name: mails, partitions: 1 }\n"
        "producers:\n  - { name: shop, topic: orders, rate: 10/s, events: [order.placed] }\n"
        "consumers:\n"
        "  - { group: mailer, topic: orders, instances: 1, processing: 1ms, commit: inbox,\n"
        "      produce_to: mails, auto_offset_reset: earliest,\n"
        "      handles: [ { event: order.plcaed, emit: mail.sent } ] }\n")
    err = deliverysim("validate", scenario, check=True).stderr
    assert ("consumers[0].handles[0].event: no producer or service publishes 'order.plcaed', so "
            "the rule never runs; published: order.placed, mail.sent.") in err
