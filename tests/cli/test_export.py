"""Aggregates and exports of a sweep: mean, standard deviation and the 95% Student-t interval
per point and metric, as CSV (aggregates or runs) and JSON."""
import csv
import json
import math
import os
import statistics

import pytest

BASE = """\
name: tiny
seed: 3
duration: 5s
drain: 2s
broker: { initial_rebalance_delay: 0 }
topics: [{ name: t, partitions: 2 }]
producers: [{ name: p, topic: t, rate: 200/s, arrivals: poisson, acks: 0, max_attempts: 1 }]
consumers: [{ group: g, topic: t, instances: 1, processing: exp(1ms),
              commit: before-processing, auto_offset_reset: earliest }]
faults: [{ link: p -> broker, loss: 0.05 }]
"""

SWEEP = """\
scenario: base.yaml
replications: 10
parameters:
  - path: faults[0].loss
    name: loss
    values: [0.05, 0.2]
"""

# Student's t quantile for a two-sided 95% interval with 9 degrees of freedom, from the
# published table (NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
T_975_9 = 2.262


@pytest.fixture
def db(deliverysim, tmp_path):
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(SWEEP)
    path = tmp_path / "s.db"
    deliverysim("sweep", tmp_path / "sweep.yaml", "-o", path, check=True)
    return path


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_aggregates_are_mean_sd_and_t_interval_of_the_runs(deliverysim, db, tmp_path):
    deliverysim("export", db, "--csv", "--runs", "-o", tmp_path / "runs.csv", check=True)
    deliverysim("export", db, "--csv", "-o", tmp_path / "agg.csv", check=True)
    runs = [r for r in read_csv(tmp_path / "runs.csv")
            if (r["scope"], r["metric"]) == ("g", "lost")]
    aggregates = {r["loss"]: r for r in read_csv(tmp_path / "agg.csv")
                  if (r["scope"], r["metric"]) == ("g", "lost")}
    assert set(aggregates) == {"0.05", "0.2"}
    for loss, row in aggregates.items():
        values = [float(r["value"]) for r in runs if r["loss"] == loss]
        assert len(values) == 10 and int(row["n"]) == 10
        mean, sd = statistics.mean(values), statistics.stdev(values)
        half = T_975_9 * sd / math.sqrt(10)
        assert float(row["mean"]) == pytest.approx(mean, rel=1e-12)
        assert float(row["stddev"]) == pytest.approx(sd, rel=1e-12)
        assert float(row["ci95_low"]) == pytest.approx(mean - half, rel=1e-3)
        assert float(row["ci95_high"]) == pytest.approx(mean + half, rel=1e-3)
    # At-most-once over a link losing 5% and 20% of produce requests loses more at 20%.
    assert float(aggregates["0.2"]["mean"]) > float(aggregates["0.05"]["mean"])


def test_json_holds_runs_and_aggregates_per_point(deliverysim, db, tmp_path):
    deliverysim("export", db, "--json", "-o", tmp_path / "s.json", check=True)
    document = json.loads((tmp_path / "s.json").read_text())
    assert document["schema"] == "deliverysim.sweep/1"
    assert [p["parameters"] for p in document["points"]] == [{"loss": "0.05"}, {"loss": "0.2"}]
    point = document["points"][1]
    lost = [run["metrics"]["g"]["lost"] for run in point["runs"]]
    assert len(lost) == 10
    aggregate = point["aggregates"]["g"]["lost"]
    assert aggregate["n"] == 10
    assert aggregate["mean"] == pytest.approx(statistics.mean(lost), rel=1e-12)
    low, high = aggregate["ci95"]
    assert low < aggregate["mean"] < high


def test_export_is_byte_identical_for_the_same_database(deliverysim, db, tmp_path):
    for name in ("a.json", "b.json"):
        deliverysim("export", db, "--json", "-o", tmp_path / name, check=True)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_sweep_prints_the_aggregate_table(deliverysim, tmp_path):
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(SWEEP)
    result = deliverysim("sweep", tmp_path / "sweep.yaml", "-o", tmp_path / "t.db", check=True)
    assert "g (mean ± 95% confidence half-width over replications)" in result.stdout
    assert "loss=0.2" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--csv", "--json"], "give exactly one of --csv or --json"),
    (["--json", "--runs"], "--runs goes with --csv"),
])
def test_export_refuses_contradictory_options(deliverysim, db, tmp_path, args, message):
    result = deliverysim("export", db, *args, "-o", tmp_path / "x")
    assert result.returncode == 2
    assert message in result.stderr


def test_export_of_a_file_that_is_not_a_sweep_database_is_refused(deliverysim, tmp_path):
    (tmp_path / "x.db").write_text("not a database")
    result = deliverysim("export", tmp_path / "x.db", "--csv", "-o", tmp_path / "x.csv")
    assert result.returncode == 2
    assert "x.db" in result.stderr


def test_one_replication_has_no_spread_and_no_interval(deliverysim, tmp_path):
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(SWEEP.replace("replications: 10", "replications: 1"))
    deliverysim("sweep", tmp_path / "sweep.yaml", "-o", tmp_path / "one.db", check=True)
    deliverysim("export", tmp_path / "one.db", "--csv", "-o", tmp_path / "one.csv", check=True)
    row = next(r for r in read_csv(tmp_path / "one.csv") if r["metric"] == "lost")
    assert row["n"] == "1" and row["mean"] != ""
    assert row["stddev"] == row["ci95_low"] == row["ci95_high"] == ""
    deliverysim("export", tmp_path / "one.db", "--json", "-o", tmp_path / "one.json", check=True)
    point = json.loads((tmp_path / "one.json").read_text())["points"][0]
    assert point["aggregates"]["g"]["lost"]["stddev"] is None
    assert point["aggregates"]["g"]["lost"]["ci95"] == [None, None]


def test_without_o_the_database_is_named_after_the_sweep_file(binary, tmp_path):
    import subprocess
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "base.yaml").write_text(BASE)
    (tmp_path / "in" / "my-sweep.yaml").write_text(SWEEP.replace("replications: 10",
                                                                 "replications: 1"))
    subprocess.run([os.path.abspath(binary), "sweep", "in/my-sweep.yaml"], cwd=tmp_path,
                   check=True, capture_output=True)
    assert (tmp_path / "my-sweep.db").is_file()
