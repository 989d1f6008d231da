"""Sweeps and their results store: resume after a kill, independence from --jobs, errors that
point into the sweep file, progress output."""
import json
import os
import pty
import signal
import sqlite3
import subprocess
import time

import pytest

BASE = """\
name: tiny-orders
seed: 7
duration: 10s
drain: 5s
broker: { initial_rebalance_delay: 100ms }
topics:
  - { name: orders, partitions: 2 }
producers:
  - { name: shop, topic: orders, rate: 300/s, arrivals: poisson, keys: 50,
      request_timeout: 200ms }
consumers:
  - { group: billing, topic: orders, instances: 2, processing: exp(1ms),
      commit: after-processing, session_timeout: 2s, auto_offset_reset: earliest }
faults:
  - { link: shop <-> broker, loss: 0.01 }
"""

LOSS = "{ link: shop <-> broker, loss: 0.01 }"
CRASH = "{{ crash: billing-{n}, step: between-effect-and-commit, after: {at}, restart_after: 1s }}"

# 3 strategies x 4 crash rates x 10 replications = 120 runs.
SWEEP = f"""\
scenario: base.yaml
seed: 11
replications: 10
parameters:
  - path: consumers[billing].commit
    name: strategy
    values: [before-processing, after-processing, inbox]
  - path: faults
    name: crashes
    labels: [0, 1, 2, 4]
    values:
      - [{LOSS}]
      - [{LOSS}, {CRASH.format(n=1, at="5s")}]
      - [{LOSS}, {CRASH.format(n=1, at="3s")}, {CRASH.format(n=2, at="6s")}]
      - [{LOSS}, {CRASH.format(n=1, at="2s")}, {CRASH.format(n=2, at="4s")},
         {CRASH.format(n=1, at="6s")}, {CRASH.format(n=2, at="8s")}]
"""


@pytest.fixture
def sweep_file(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE)
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP)
    return path


def rows(db, sql):
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


def run_count(db):
    try:
        return rows(db, "SELECT COUNT(*) FROM runs")[0][0]
    except sqlite3.Error:
        return 0  # the sweep has not created its tables yet


# Every table, row for row in key order, leaving out wall-clock time.
TABLES = {
    "sweep": "SELECT key, value FROM sweep ORDER BY key",
    "points": "SELECT * FROM points ORDER BY point",
    "point_parameters": "SELECT * FROM point_parameters ORDER BY point, position",
    "runs": "SELECT point, replication, seed, status, error FROM runs "
            "ORDER BY point, replication",
    "metrics": "SELECT * FROM metrics ORDER BY point, replication, scope, metric",
    "series": "SELECT * FROM series ORDER BY point, replication, scope, t_ns",
    "latency_percentiles": "SELECT * FROM latency_percentiles "
                           "ORDER BY point, replication, scope, percentile",
}


def dump(db):
    return {table: rows(db, sql) for table, sql in TABLES.items()}


def export_json(deliverysim, db, out):
    deliverysim("export", db, "--json", "-o", out, check=True)
    return json.loads(out.read_text())


def test_sigkill_halfway_then_rerun_gives_120_rows_and_the_same_aggregates(
        binary, deliverysim, sweep_file, tmp_path):
    killed_db = tmp_path / "killed.db"
    process = subprocess.Popen([binary, "sweep", sweep_file, "--jobs", "1", "-o", killed_db],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while run_count(killed_db) < 40 and time.monotonic() < deadline:
        assert process.poll() is None, "the sweep ended before it could be killed halfway"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    stored_at_kill = run_count(killed_db)
    assert 40 <= stored_at_kill < 120

    resumed = deliverysim("sweep", sweep_file, "--jobs", "1", "-o", killed_db, check=True)
    assert f"{stored_at_kill} stored already, {120 - stored_at_kill} to run" in resumed.stderr
    assert run_count(killed_db) == 120
    assert rows(killed_db, "SELECT COUNT(DISTINCT point * 1000 + replication) FROM runs") == [
        (120,)]

    whole_db = tmp_path / "whole.db"
    deliverysim("sweep", sweep_file, "--jobs", "1", "-o", whole_db, check=True)
    assert (export_json(deliverysim, killed_db, tmp_path / "killed.json") ==
            export_json(deliverysim, whole_db, tmp_path / "whole.json"))
    assert dump(killed_db) == dump(whole_db)


def test_jobs_1_and_jobs_2_give_identical_databases(deliverysim, sweep_file, tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    deliverysim("sweep", sweep_file, "--jobs", "1", "-o", one, check=True)
    deliverysim("sweep", sweep_file, "--jobs", "2", "-o", two, check=True)
    first, second = dump(one), dump(two)
    assert len(first["runs"]) == 120
    assert first == second


def test_rerunning_a_finished_sweep_runs_nothing(deliverysim, sweep_file, tmp_path):
    db = tmp_path / "r.db"
    deliverysim("sweep", sweep_file, "-o", db, check=True)
    again = deliverysim("sweep", sweep_file, "-o", db, check=True)
    assert "120 stored already, 0 to run" in again.stderr
    assert run_count(db) == 120


def test_a_changed_sweep_file_is_refused(deliverysim, sweep_file, tmp_path):
    db = tmp_path / "c.db"
    small = SWEEP.replace("replications: 10", "replications: 1")
    sweep_file.write_text(small)
    deliverysim("sweep", sweep_file, "-o", db, check=True)
    sweep_file.write_text(small.replace("[before-processing, after-processing, inbox]",
                                        "[before-processing, inbox]"))
    result = deliverysim("sweep", sweep_file, "-o", db)
    assert result.returncode == 2
    assert "holds the results of a different sweep" in result.stderr
    assert "after-processing" in result.stderr  # the first difference is shown
    assert run_count(db) == 12


def test_a_changed_base_scenario_is_refused(deliverysim, sweep_file, tmp_path):
    db = tmp_path / "b.db"
    sweep_file.write_text(SWEEP.replace("replications: 10", "replications: 1"))
    deliverysim("sweep", sweep_file, "-o", db, check=True)
    (tmp_path / "base.yaml").write_text(BASE.replace("rate: 300/s", "rate: 301/s"))
    result = deliverysim("sweep", sweep_file, "-o", db)
    assert result.returncode == 2
    assert "different sweep" in result.stderr


def test_a_value_the_scenario_refuses_is_named_at_its_place_in_the_sweep(
        deliverysim, sweep_file):
    # '    values: [before-processing, after-procesing, inbox]' is line 7 of the sweep file:
    # the first value starts at column 4 + len("values: [") + 1 = 14, the second at
    # 14 + len("before-processing, ") = 33.
    sweep_file.write_text(SWEEP.replace("after-processing", "after-procesing"))
    result = deliverysim("sweep", sweep_file)
    assert result.returncode == 2
    assert f"{sweep_file}:7:33: parameters[0].values[1]:" in result.stderr
    assert "consumers[0].commit: unknown value 'after-procesing'" in result.stderr
    assert "allowed: before-processing, after-processing" in result.stderr


def test_a_path_to_nothing_is_named_with_the_items_there(deliverysim, sweep_file):
    sweep_file.write_text(SWEEP.replace("consumers[billing]", "consumers[biling]"))
    result = deliverysim("sweep", sweep_file)
    assert result.returncode == 2
    assert f"{sweep_file}:5:11: parameters[0].path:" in result.stderr
    assert "consumers has no item named 'biling'; named items: billing" in result.stderr


@pytest.mark.parametrize("change, where, message", [
    ("replications: 10", "3:15: replications", "expected a whole number from 1 to 100000"),
    ("parameters:", "4:1: parameter:", "unknown key; allowed: scenario, seed, replications"),
    ("labels: [0, 1, 2, 4]", "10:13: parameters[1].labels", "expected a list of 4 labels"),
])
def test_mistakes_in_the_sweep_file_name_line_column_and_key(deliverysim, sweep_file, change,
                                                             where, message):
    bad = {"replications: 10": "replications: 0",
           "parameters:": "parameter:",
           "labels: [0, 1, 2, 4]": "labels: [0, 1]"}[change]
    sweep_file.write_text(SWEEP.replace(change, bad))
    result = deliverysim("sweep", sweep_file)
    assert result.returncode == 2
    assert f"{sweep_file}:{where}" in result.stderr
    assert message in result.stderr


def test_piped_progress_prints_one_line_per_point(deliverysim, sweep_file):
    sweep_file.write_text(SWEEP.replace("replications: 10", "replications: 2"))
    result = deliverysim("sweep", sweep_file, "-o", sweep_file.parent / "p.db", check=True)
    lines = [line for line in result.stderr.splitlines() if line.startswith("point ")]
    assert len(lines) == 12
    assert lines[-1].startswith("point 12/12 done: ")
    assert "(2 run(s), 0 failed)" in lines[0]


def test_progress_on_a_terminal_is_a_bar_with_runs_failed_and_time_left(binary, sweep_file):
    sweep_file.write_text(SWEEP.replace("replications: 10", "replications: 1"))
    controller, terminal = pty.openpty()
    process = subprocess.Popen([binary, "sweep", sweep_file, "-o", sweep_file.parent / "t.db"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=terminal)
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
    assert process.wait() == 0
    text = shown.decode()
    assert "\r\033[K[" in text
    assert "12/12 runs, 0 failed, about 0s left" in text
    assert "point 1/12 done" not in text


def test_a_warning_of_the_base_scenario_is_printed_once(deliverysim, sweep_file, tmp_path):
    (tmp_path / "base.yaml").write_text(BASE.replace("drain: 5s", "drain: 0"))
    sweep_file.write_text(SWEEP.replace("replications: 10", "replications: 1"))
    result = deliverysim("sweep", sweep_file, "-o", tmp_path / "w.db", check=True)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert warnings[0].endswith("(at every point)")
