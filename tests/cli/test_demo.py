"""`demo`: the catalogue a newcomer starts from, and each demo run end to end."""
import pathlib
import shutil

import pytest

DEMOS = sorted(p.stem for p in
               (pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "demos").glob("*.yaml"))


def lesson_of(path):
    for line in path.read_text().splitlines():
        if line.startswith("# lesson:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{path} has no lesson")


def test_list_names_every_demo_with_its_lesson(deliverysim, scenarios):
    out = deliverysim("demo", "--width", "1000", check=True).stdout
    for name in DEMOS:
        assert f"\n  {name}\n" in out
        assert lesson_of(scenarios / "demos" / f"{name}.yaml") in out


@pytest.mark.parametrize("name", DEMOS)
def test_each_demo_shows_what_it_promises(deliverysim, name):
    result = deliverysim("demo", name)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "The run shows what the demo promises." in out
    assert " NO (" not in out
    assert "time (s)" in out and "legend:" in out  # the timeline of its telling messages


def test_at_least_once_demo_draws_the_crash_redelivery(deliverysim):
    out = deliverysim("demo", "at-least-once-duplicates", check=True).stdout
    assert "CRASH billing-1" in out and "REDELIVER" in out and "DUPLICATE effect" in out


def test_at_most_once_demo_draws_a_lost_send(deliverysim):
    out = deliverysim("demo", "at-most-once-loses", check=True).stdout
    assert "send of #" in out and "LOST on link" in out


def test_fanout_demo_routes_to_every_queue_and_shares_one_queue(deliverysim):
    out = deliverysim("demo", "competing-consumers-vs-fanout", check=True).stdout
    lines = out.splitlines()
    # The fanout exchange copies order 0 into the three queues, and each queue delivers it.
    assert [line.split("route #0 to ")[1] for line in lines if "route #0 to " in line] == [
        "billing", "email", "audit"]
    assert [line.split("deliver #0 to ")[1] for line in lines if "deliver #0 to " in line] == [
        "billing-1", "email-1", "audit-1"]
    # Billing's consumers compete: round-robin in the order they subscribed.
    assert any(line.endswith("deliver #1 to billing-2") for line in lines)
    assert any(line.endswith("deliver #2 to billing-3") for line in lines)


def test_retry_demo_draws_the_retries_and_the_dead_letter(deliverysim):
    out = deliverysim("demo", "retries-with-backoff-end-in-a-dead-letter-queue",
                      check=True).stdout
    assert len([line for line in out.splitlines() if "#0 failed (attempt " in line]) == 6
    assert "DEAD-LETTER #0 to billing-dlq" in out


def test_catalogue_holds_the_queue_broker_demos():
    assert len(DEMOS) == 9
    assert "retries-with-backoff-end-in-a-dead-letter-queue" in DEMOS
    assert "competing-consumers-vs-fanout" in DEMOS


def test_unknown_demo_lists_the_names(deliverysim):
    result = deliverysim("demo", "no-such-demo")
    assert result.returncode == 2
    assert "no demo called 'no-such-demo'; allowed: " + ", ".join(DEMOS) in result.stderr


def test_a_demo_that_breaks_its_promise_exits_3(deliverysim, scenarios, tmp_path):
    # The inbox demo's file, claiming the opposite of what it shows.
    text = (scenarios / "demos" / "inbox-exactly-once.yaml").read_text()
    text = text.replace("# expect: billing.duplicate_effects == 0",
                        "# expect: billing.duplicate_effects > 0")
    (tmp_path / "broken.yaml").write_text(text)
    result = deliverysim("demo", "broken", "--demos", tmp_path)
    assert result.returncode == 3
    assert "NO (0 > 0)" in result.stdout
    assert "does NOT show what the demo promises" in result.stdout
