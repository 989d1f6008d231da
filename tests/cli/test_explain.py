"""`explain`: a message's story from the command line."""


def test_worst_at_least_once_names_the_crash_that_caused_the_duplicate(deliverysim, scenarios):
    result = deliverysim("explain", scenarios / "order-placed-at-least-once.yaml", "--worst",
                         check=True)
    out = result.stdout
    # #14934 was copied by a retry after a lost acknowledgement, and its copy was redone after
    # the crash: two duplicate effects, the most of any message.
    assert out.startswith("The worst message is #14934: 2 duplicate effects.")
    outcome = [line for line in out.splitlines() if line.startswith("Outcome for group billing")]
    assert len(outcome) == 1
    # The scenario's fault: billing-2 crashes between an effect and its commit, 30 s in.
    assert "DUPLICATED" in outcome[0]
    assert "the crash of billing-2 at 30.010769 s (step after-effect)" in outcome[0]


def test_worst_at_most_once_is_a_lost_message(deliverysim, scenarios):
    out = deliverysim("explain", scenarios / "order-placed-at-most-once.yaml", "--worst",
                      check=True).stdout
    assert "lost" in out.splitlines()[0]
    assert "Outcome for group billing: LOST" in out


def test_inbox_worst_is_a_reordering_not_a_duplicate(deliverysim, scenarios):
    # The inbox leaves no duplicate effect and loses nothing, but the run reports messages
    # processed out of their key's order (retries behind later batches), and --worst tells one
    # of those rather than a message that was merely redelivered.
    first = deliverysim("explain", scenarios / "order-placed-inbox.yaml", "--worst",
                        check=True).stdout.splitlines()[0]
    assert first.endswith("processed out of its key's order.")


def test_nothing_went_wrong_when_nothing_did(deliverysim, scenarios):
    out = deliverysim("explain", scenarios / "flow-order-choreography.yaml", "--worst",
                      check=True).stdout
    assert "nothing went wrong" in out


def test_key_tells_every_message_of_the_key_in_order(deliverysim, scenarios):
    out = deliverysim("explain", scenarios / "order-placed-at-least-once.yaml", "--key", "581",
                      check=True).stdout
    sequences = [int(line.split("sequence ")[1].split(" ")[0]) for line in out.splitlines()
                 if " intended message " in line]
    assert sequences == list(range(len(sequences))) and len(sequences) > 1


def test_message_by_producer_name(deliverysim, scenarios):
    out = deliverysim("explain", scenarios / "order-placed-at-least-once.yaml", "--message",
                      "order-service:274", check=True).stdout
    assert "intended message #274" in out


def test_one_way_of_choosing_is_required(deliverysim, scenarios):
    scenario = scenarios / "order-placed-at-least-once.yaml"
    assert deliverysim("explain", scenario).returncode == 2
    assert deliverysim("explain", scenario, "--worst", "--key", "3").returncode == 2


def test_a_message_that_does_not_exist_is_bad_input(deliverysim, scenarios):
    result = deliverysim("explain", scenarios / "order-placed-at-least-once.yaml", "--message",
                         "99999999")
    assert result.returncode == 2
    assert "--message: order-service intended no message #99999999" in result.stderr


RETRY_DEMO = "demos/retries-with-backoff-end-in-a-dead-letter-queue.yaml"


def test_worst_of_the_retry_demo_is_its_dead_lettered_message(deliverysim, scenarios):
    out = deliverysim("explain", scenarios / RETRY_DEMO, "--worst", check=True).stdout
    assert out.startswith("The worst message is #0: dead-lettered.")
    # max_attempts 7: six failed attempts each announce a wait, the 7th ends in a reject.
    waits = [line for line in out.splitlines() if "its retry policy waits" in line]
    assert [f"(attempt {n} of 7)" in line for n, line in enumerate(waits, 1)] == [True] * 6
    assert "billing-1 rejected it without requeue: its handler had failed 7 times" in out
    assert "the dead-letter exchange orders-dlx routed it to queue billing-dlq." in out
    assert ("Outcome for group billing (queue billing): DEAD-LETTERED, its side effect never "
            "ran: queue billing dead-lettered it at ") in out


def test_service_bus_lock_expiry_names_the_max_delivery_count(deliverysim, scenarios):
    out = deliverysim("explain", scenarios / "service-bus-lock-expiry.yaml", "--message", "0",
                      check=True).stdout
    # The header: a lock expiry every 5 s; the 10th, at 51.001 s, dead-letters it.
    expiries = [line for line in out.splitlines() if "expired before a completion" in line]
    assert len(expiries) == 10
    assert ("At 51.001000 s queue billing dead-lettered it to billing/$DeadLetterQueue: "
            "MaxDeliveryCountExceeded (delivery count 10, max_delivery_count 10).") in out
    assert "with the redelivered flag set: after the lock billing-1 held ran out." in out
