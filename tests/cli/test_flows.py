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


def test_flows_are_in_the_json(deliverysim, scenarios):
    import json
    out = deliverysim("run", scenarios / "flow-order-request-response.yaml", "--json",
                      check=True).stdout
    flow = json.loads(out)["flows"][0]
    assert flow["style"] == "request-response"
    assert flow["started"] == flow["responses_ok"] + flow["responses_failed"]
    assert flow["unanswered"] == 0
