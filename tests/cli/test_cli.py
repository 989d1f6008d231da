"""The command line as a user meets it: outcomes, determinism, errors, output files."""
import json
import os
import pty
import re
import signal
import subprocess
import time

import pytest


def groups(deliverysim, scenario, *extra):
    result = deliverysim("run", scenario, "--json", *extra, check=True)
    return json.loads(result.stdout)["groups"]


def test_at_most_once_loses_but_never_duplicates_effects(deliverysim, scenarios):
    billing = groups(deliverysim, scenarios / "order-placed-at-most-once.yaml")["billing"]
    assert billing["lost"] > 0
    assert billing["duplicate_effects"] == 0


def test_at_least_once_loses_nothing_but_duplicates_effects(deliverysim, scenarios):
    billing = groups(deliverysim, scenarios / "order-placed-at-least-once.yaml")["billing"]
    assert billing["lost"] == 0
    assert billing["duplicate_effects"] > 0


def test_inbox_is_exactly_once_despite_redeliveries(deliverysim, scenarios):
    billing = groups(deliverysim, scenarios / "order-placed-inbox.yaml")["billing"]
    assert billing["lost"] == 0
    assert billing["duplicate_effects"] == 0
    assert billing["duplicate_deliveries"] > 0


def test_json_holds_every_documented_metric(deliverysim, scenarios):
    result = deliverysim("run", scenarios / "order-placed-inbox.yaml", "--json", check=True)
    document = json.loads(result.stdout)
    assert document["schema"] == "deliverysim.run/1"
    billing = document["groups"]["billing"]
    for metric in ["intended", "lost", "dead_lettered", "deliveries", "duplicate_deliveries",
                   "duplicate_effects", "out_of_order"]:
        assert isinstance(billing[metric], int), metric
    assert set(billing["lag_messages"]) == {"max", "mean", "p99"}
    assert set(billing["lag_time_ns"]) == {"max", "mean", "p99"}
    assert set(billing["latency_ns"]) == {"p50", "p90", "p99", "max"}
    latency = billing["latency_ns"]
    assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]


def test_table_shows_the_same_numbers_as_json(deliverysim, scenarios):
    scenario = scenarios / "order-placed-at-most-once.yaml"
    billing = groups(deliverysim, scenario)["billing"]
    table = deliverysim("run", scenario, check=True).stdout
    assert re.search(rf"^lost\s+{billing['lost']}$", table, re.MULTILINE)
    assert re.search(rf"^duplicate effects\s+{billing['duplicate_effects']}$", table,
                     re.MULTILINE)
    assert "events/s" in table  # wall-clock figures belong to the table only


def test_same_file_and_seed_give_identical_json_bytes(deliverysim, scenarios):
    scenario = scenarios / "order-placed-at-least-once.yaml"
    first = deliverysim("run", scenario, "--json", check=True).stdout
    second = deliverysim("run", scenario, "--json", check=True).stdout
    assert first == second


def test_seed_option_overrides_the_file(deliverysim, scenarios):
    scenario = scenarios / "order-placed-at-least-once.yaml"
    default = json.loads(deliverysim("run", scenario, "--json", check=True).stdout)
    seeded = json.loads(deliverysim("run", scenario, "--json", "--seed", "7", check=True).stdout)
    assert default["seed"] == 42 and seeded["seed"] == 7
    assert default["groups"] != seeded["groups"]


def test_validate_accepts_every_bundled_scenario(deliverysim, scenarios):
    for scenario in sorted(scenarios.glob("*.yaml")):
        result = deliverysim("validate", scenario)
        assert result.returncode == 0, result.stderr
        assert "valid scenario" in result.stdout
        # The routing, durability and dead-letter scenarios count what reaches queues that
        # nobody consumes, on purpose; the topology rightly says so, and nothing else may.
        warnings = [line for line in result.stderr.splitlines()
                    if "no consumer group or service reads it" not in line]
        assert warnings == [], "bundled scenarios raise no other warnings"


def test_validate_names_line_column_and_key_of_a_misspelt_key(deliverysim, scenarios, tmp_path):
    text = (scenarios / "order-placed-inbox.yaml").read_text()
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("    instances: 3", "    instanses: 3"))
    line = next(i for i, row in enumerate(broken.read_text().splitlines(), 1)
                if "instanses" in row)
    result = deliverysim("validate", broken)
    assert result.returncode == 2
    assert f"{broken}:{line}:5: consumers[0].instanses: unknown key" in result.stderr
    assert "did you mean 'instances'?" in result.stderr
    assert result.stdout == ""


def test_run_refuses_a_bad_file_without_running(deliverysim, tmp_path):
    broken = tmp_path / "bad.yaml"
    broken.write_text("name: x\nduration: 10 parsecs\ntopics: []\n")
    result = deliverysim("run", broken)
    assert result.returncode == 2
    assert f"{broken}:2:11: duration:" in result.stderr


def test_missing_file_is_a_clear_error(deliverysim, tmp_path):
    result = deliverysim("run", tmp_path / "nowhere.yaml")
    assert result.returncode == 2
    assert "nowhere.yaml" in result.stderr and "cannot open" in result.stderr


def test_trace_is_one_json_object_per_line(deliverysim, scenarios, tmp_path):
    trace = tmp_path / "trace.jsonl"
    deliverysim("run", scenarios / "auto-commit-timer.yaml", "--trace", trace, check=True)
    kinds = set()
    last_time = 0
    for line in trace.read_text().splitlines():
        event = json.loads(line)
        assert event["t"] >= last_time  # simulated time never goes backwards
        last_time = event["t"]
        kinds.add(event["kind"])
    assert {"intent", "send", "append", "deliver", "effect", "commit", "crash",
            "restart", "rebalance"} <= kinds
    assert not list(tmp_path.glob("*.tmp.*")), "the temporary file was renamed into place"


def test_unwritable_trace_fails_before_running_and_leaves_nothing(deliverysim, scenarios,
                                                                  tmp_path):
    target = tmp_path / "missing-dir" / "trace.jsonl"
    result = deliverysim("run", scenarios / "auto-commit-timer.yaml", "--trace", target)
    assert result.returncode == 1
    assert "cannot write" in result.stderr
    assert not target.parent.exists()


def test_help_names_the_commands_and_options(deliverysim):
    top = deliverysim("--help")
    assert top.returncode == 0
    assert "run" in top.stdout and "validate" in top.stdout
    run_help = deliverysim("run", "--help").stdout
    for option in ["--seed", "--json", "--trace"]:
        assert option in run_help


def test_unknown_option_is_bad_input(deliverysim, scenarios):
    result = deliverysim("run", scenarios / "order-placed-inbox.yaml", "--jsno")
    assert result.returncode == 2


def long_scenario(scenarios, tmp_path):
    text = (scenarios / "order-placed-at-least-once.yaml").read_text()
    path = tmp_path / "long.yaml"
    # Long enough (a few seconds) that the progress line, which waits half a second, shows.
    path.write_text(text.replace("rate: 500/s", "rate: 40000/s").replace("duration: 60s",
                                                                          "duration: 900s"))
    return path


def test_progress_stays_quiet_when_piped(binary, scenarios, tmp_path):
    result = subprocess.run([binary, "run", long_scenario(scenarios, tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0
    assert result.stderr == ""


def test_progress_shows_on_a_terminal(binary, scenarios, tmp_path):
    controller, terminal = pty.openpty()
    process = subprocess.Popen([binary, "run", long_scenario(scenarios, tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=300) == 0
    os.close(controller)
    assert b"simulating:" in shown


def test_version_names_the_program_and_its_version(deliverysim):
    result = deliverysim("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"deliverysim \d+\.\d+\.\d+\n", result.stdout)


def test_no_command_is_bad_input(deliverysim):
    result = deliverysim()
    assert result.returncode == 2
    assert "name a command: run, validate" in result.stderr


def test_unknown_command_is_named(deliverysim):
    result = deliverysim("frob")
    assert result.returncode == 2
    assert "frob" in result.stderr


def test_trace_through_a_symbolic_link_replaces_its_target(deliverysim, scenarios, tmp_path):
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    deliverysim("run", scenarios / "auto-commit-timer.yaml", "--trace", link, check=True)
    assert link.is_symlink()
    assert json.loads(target.read_text().splitlines()[0])["kind"] == "intent"


def test_trace_to_a_pipe_writes_through_it(binary, scenarios, tmp_path):
    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)
    process = subprocess.Popen([binary, "run", scenarios / "auto-commit-timer.yaml",
                                "--trace", fifo], stdout=subprocess.DEVNULL)
    with open(fifo) as reader:
        lines = reader.read().splitlines()
    assert process.wait(timeout=300) == 0
    assert fifo.is_fifo(), "the pipe must not be replaced by a regular file"
    assert json.loads(lines[0])["kind"] == "intent"


def test_trace_to_a_directory_is_refused_before_running(deliverysim, scenarios, tmp_path):
    result = deliverysim("run", scenarios / "auto-commit-timer.yaml", "--trace", tmp_path)
    assert result.returncode == 1
    assert "is a directory" in result.stderr
    assert result.stdout == ""


def test_interrupted_run_leaves_no_temporary_trace(binary, scenarios, tmp_path):
    trace = tmp_path / "trace.jsonl"
    process = subprocess.Popen([binary, "run", long_scenario(scenarios, tmp_path),
                                "--trace", trace], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("trace.jsonl.tmp.*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) != 0
    assert list(tmp_path.iterdir()) == [tmp_path / "long.yaml"]


@pytest.mark.parametrize("seed", ["-1", "18446744073709551616", "", "7x"])
def test_seed_must_be_an_exact_whole_number(deliverysim, scenarios, seed):
    result = deliverysim("run", scenarios / "auto-commit-timer.yaml", "--seed", seed)
    assert result.returncode == 2
    assert f"got '{seed}'" in result.stderr


def test_largest_seed_is_accepted(deliverysim, scenarios):
    result = deliverysim("run", scenarios / "auto-commit-timer.yaml", "--json", "--seed",
                         "18446744073709551615", check=True)
    assert json.loads(result.stdout)["seed"] == 18446744073709551615


SMALL = """name: small
duration: 10s
topics: [ { name: t, partitions: 2 } ]
producers: [ { name: p, topic: t, rate: 10/s, acks: 0, max_attempts: 1 } ]
consumers: [ { group: g, topic: t, instances: 1, processing: 1ms, commit: inbox } ]
"""


def test_warnings_name_settings_that_silently_drop_messages(deliverysim, tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL + "faults: [ { crash: g-1, at: 20s } ]\n")
    result = deliverysim("validate", path)
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 3, result.stderr
    assert "consumers[0].auto_offset_reset: 'latest'" in warnings[0]
    assert "drain: 0" in warnings[1]
    assert "crash of g-1 from 20.0 s on never strikes" in warnings[2]


def test_latency_is_null_when_nothing_was_processed(deliverysim, tmp_path):
    path = tmp_path / "all-lost.yaml"
    path.write_text(SMALL + "drain: 5s\nfaults: [ { link: p -> broker, loss: 1 } ]\n")
    document = json.loads(deliverysim("run", path, "--json", check=True).stdout)
    group = document["groups"]["g"]
    assert group["lost"] == group["intended"] == 100
    assert group["latency_ns"] == {"p50": None, "p90": None, "p99": None, "max": None}
    table = deliverysim("run", path, check=True).stdout
    assert re.search(r"^latency: p50\s+n/a$", table, re.MULTILINE)


def test_header_says_when_there_is_no_drain(deliverysim, tmp_path):
    path = tmp_path / "no-drain.yaml"
    path.write_text("name: x\nduration: 1s\ntopics: [ { name: t, partitions: 1 } ]\n")
    first_line = deliverysim("run", path, check=True).stdout.splitlines()[0]
    assert first_line == "scenario x (seed 1): 1.00 s simulated, no drain"


def test_no_command_crashes_on_any_bundled_scenario(binary, scenarios):
    # Every command a user may point at a bundled file either succeeds or says why not; a
    # crash (a negative return code: killed by a signal) is a bug whatever the broker kind.
    files = sorted(scenarios.glob("*.yaml")) + sorted((scenarios / "demos").glob("*.yaml"))
    for path in files:
        for args in (["validate"], ["graph"], ["analyze"], ["explain", "--worst"],
                     ["run", "--timeline", "--width", "120"]):
            result = subprocess.run([binary, args[0], path, *args[1:]], capture_output=True,
                                    text=True, timeout=300)
            assert result.returncode in (0, 1), (path.name, args, result.stderr[-500:])


def test_output_md_shows_what_the_documented_command_prints(binary, scenarios):
    # docs/OUTPUT.md's example must stay the real output of the command it names.
    doc = (scenarios.parent / "docs" / "OUTPUT.md").read_text()
    start = doc.index("```json\n") + len("```json\n")
    example = doc[start:doc.index("```", start)]
    assert "This is `deliverysim run scenarios/order-placed-inbox.yaml --json`" in doc
    result = subprocess.run([binary, "run", scenarios / "order-placed-inbox.yaml", "--json"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0
    assert result.stdout == example
