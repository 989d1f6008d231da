"""The HTML report of the bundled example sweep: every figure exists as PNG and SVG, the page
references each one, and the same database gives the same bytes."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
METRIC_FIGURES = ["lost", "duplicate_effects", "out_of_order", "latency_ns-p99",
                  "lag_time_ns-mean", "lag_messages-mean"]
OTHER_FIGURES = ["lag-over-time", "throughput-over-time", "latency-cdf"]


@pytest.fixture(scope="module")
def example_db(binary, tmp_path_factory):
    import subprocess
    db = tmp_path_factory.mktemp("example") / "crashes.db"
    subprocess.run([binary, "sweep", ROOT / "sweeps" / "crashes-by-strategy.yaml", "-o", db],
                   check=True, capture_output=True, timeout=600)
    return db


def test_report_of_the_example_sweep_has_every_figure_and_references_it(
        deliverysim, example_db, tmp_path):
    out = tmp_path / "report"
    deliverysim("report", example_db, "-o", out, check=True)
    page = (out / "index.html").read_text()
    expected = [f"billing-{name}" for name in METRIC_FIGURES + OTHER_FIGURES]
    for name in expected:
        for suffix in (".png", ".svg"):
            assert (out / (name + suffix)).stat().st_size > 1000, name + suffix
            assert f'"{name}{suffix}"' in page, name + suffix
    referenced = set(re.findall(r'(?:src|href)="([^"]+)"', page))
    assert referenced == {name + s for name in expected for s in (".png", ".svg")}
    assert "<table>" in page and "strategy=inbox crashes_per_minute=4" in page


def test_figures_are_titled_labelled_and_have_a_legend(deliverysim, example_db, tmp_path):
    out = tmp_path / "report"
    deliverysim("report", example_db, "-o", out, check=True)
    svg = (out / "billing-lost.svg").read_text()
    # matplotlib writes each text as a comment before its glyphs.
    for text in ["Lost messages (billing), mean and 95% CI", "crashes_per_minute",
                 "lost messages (messages)", "before-processing", "inbox"]:
        assert f"<!-- {text} -->" in svg, text
    assert "<dc:date>" not in svg
    # Okabe and Ito's blue, orange and green, the palette's first three colours.
    for colour in ["#0072b2", "#e69f00", "#009e73"]:
        assert colour in svg.lower(), colour


def test_the_same_database_gives_the_same_report(deliverysim, example_db, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    deliverysim("report", example_db, "-o", first, check=True)
    deliverysim("report", example_db, "-o", second, check=True)
    files = sorted(p.name for p in first.iterdir())
    assert files == sorted(p.name for p in second.iterdir())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_report_of_a_missing_database_is_bad_input(deliverysim, tmp_path):
    result = deliverysim("report", tmp_path / "none.db", "-o", tmp_path / "r")
    assert result.returncode == 2
    assert "no results database here" in result.stderr


def test_the_example_sweep_shows_what_the_readme_says(deliverysim, example_db, tmp_path):
    import json
    deliverysim("export", example_db, "--json", "-o", tmp_path / "e.json", check=True)
    points = json.loads((tmp_path / "e.json").read_text())["points"]
    lost, duplicates = {}, {}
    for point in points:
        key = (point["parameters"]["strategy"], int(point["parameters"]["crashes_per_minute"]))
        lost[key] = point["aggregates"]["billing"]["lost"]["mean"]
        duplicates[key] = point["aggregates"]["billing"]["duplicate_effects"]["mean"]
    rates = [0, 1, 2, 4]
    # Committing before processing skips the record in hand at each crash after a commit;
    # nothing else loses (no acks-0 producer), so loss starts at 0 and grows with the crashes.
    assert lost[("before-processing", 0)] == 0
    assert all(lost[("before-processing", a)] < lost[("before-processing", b)]
               for a, b in zip(rates, rates[1:]))
    assert all(lost[(s, r)] == 0 for s in ("after-processing", "inbox") for r in rates)
    assert all(duplicates[("inbox", r)] == 0 for r in rates)
    assert all(duplicates[("before-processing", r)] > 0 for r in rates)  # producer retries
    # The README quotes these means of this sweep (seed 42).
    readme = (ROOT / "README.md").read_text()
    quoted = [lost[("before-processing", r)] for r in (1, 2, 4)]
    assert "(1.7, 2.8 and 8.1 on average" in readme and quoted == [1.7, 2.8, 8.1]


def test_the_script_and_python_can_be_chosen_by_environment(binary, example_db, tmp_path):
    import os
    import subprocess
    # A stand-in script that only proves it was the one run, with the documented arguments.
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "report.py").write_text(
        "import sys, pathlib\n"
        "args = sys.argv[1:]\n"
        "out = pathlib.Path(args[args.index('--out') + 1])\n"
        "(out / 'ran.txt').write_text(' '.join(a.split('/')[-1] for a in args))\n")
    env = dict(os.environ, DELIVERYSIM_ANALYSIS_DIR=str(tmp_path / "scripts"),
               DELIVERYSIM_PYTHON="python3")
    out = tmp_path / "r"
    subprocess.run([binary, "report", example_db, "-o", out], env=env, check=True,
                   capture_output=True)
    assert (out / "ran.txt").read_text() == "--db crashes.db --summary summary.json --out r"
    assert (out / "summary.json").exists()


def test_a_failing_report_script_is_an_output_failure(binary, example_db, tmp_path):
    import os
    import subprocess
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "report.py").write_text("raise SystemExit(3)\n")
    env = dict(os.environ, DELIVERYSIM_ANALYSIS_DIR=str(tmp_path / "scripts"))
    result = subprocess.run([binary, "report", example_db, "-o", tmp_path / "r"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "failed (exit status 3)" in result.stderr


@pytest.mark.parametrize("place", ["bin/analysis", "analysis", "share/deliverysim/analysis"])
def test_the_script_is_found_beside_the_program_above_it_or_where_install_puts_it(
        binary, example_db, tmp_path, place):
    import os
    import shutil
    import subprocess
    (tmp_path / "bin").mkdir()
    program = tmp_path / "bin" / "deliverysim"
    shutil.copy(binary, program)
    (tmp_path / place).mkdir(parents=True, exist_ok=True)
    (tmp_path / place / "report.py").write_text(
        "import sys, pathlib\n"
        "out = pathlib.Path(sys.argv[sys.argv.index('--out') + 1])\n"
        f"(out / 'ran.txt').write_text('{place}')\n")
    env = {k: v for k, v in os.environ.items() if k != "DELIVERYSIM_ANALYSIS_DIR"}
    subprocess.run([program, "report", example_db, "-o", tmp_path / "r"], env=env, check=True,
                   capture_output=True)
    assert (tmp_path / "r" / "ran.txt").read_text() == place
