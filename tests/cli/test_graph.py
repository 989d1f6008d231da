"""`graph`: DOT that Graphviz accepts for every bundled scenario, SVG, and topology warnings."""
import html
import os
import shutil
import subprocess

import pytest


def bundled(scenarios):
    return sorted(scenarios.rglob("*.yaml"))


def test_dot_accepts_the_graph_of_every_bundled_scenario(deliverysim, scenarios, tmp_path):
    dot = shutil.which("dot")
    assert dot, "Graphviz's dot is missing: run scripts/install-deps"
    for scenario in bundled(scenarios):
        out = tmp_path / (scenario.stem + ".dot")
        deliverysim("graph", scenario, "-o", out, check=True)
        rendered = subprocess.run([dot, "-Tsvg", str(out)], capture_output=True, text=True,
                                  timeout=120)
        assert rendered.returncode == 0, f"{scenario.name}: {rendered.stderr}"
        assert "<svg" in rendered.stdout


def test_svg_option_writes_an_svg_naming_the_components(deliverysim, scenarios, tmp_path):
    svg = tmp_path / "g.svg"
    deliverysim("graph", scenarios / "order-placed-at-least-once.yaml", "--svg", svg,
                check=True)
    text = html.unescape(svg.read_text())  # dot writes '-' as &#45;
    assert "<svg" in text
    for name in ("order-service", "orders/5", "billing-3"):
        assert name in text


def test_svg_without_dot_says_what_to_install(binary, scenarios, tmp_path):
    result = subprocess.run(
        [binary, "graph", str(scenarios / "order-placed-inbox.yaml"), "-o",
         str(tmp_path / "g.dot"), "--svg", str(tmp_path / "g.svg")],
        capture_output=True, text=True, env={**os.environ, "PATH": str(tmp_path)}, timeout=60)
    assert result.returncode == 1
    assert "install graphviz" in result.stderr
    assert (tmp_path / "g.dot").exists() and not (tmp_path / "g.svg").exists()


def test_validate_warns_about_a_topic_nobody_consumes(deliverysim, tmp_path):
    scenario = tmp_path / "unread.yaml"
    scenario.write_text(
        "name: unread\nduration: 1s\ndrain: 1s\n"
        "topics: [{ name: orders, partitions: 1 }, { name: audit, partitions: 1 }]\n"
        "producers: [{ name: p, topic: audit, rate: 1/s }]\n"
        "consumers: [{ group: g, topic: orders, instances: 1, processing: 1ms, commit: inbox,"
        " auto_offset_reset: earliest }]\n")
    result = deliverysim("validate", scenario)
    assert result.returncode == 0
    assert "topics[1]: topic audit: no consumer group or service reads it" in result.stderr


@pytest.mark.parametrize("name", ["order-placed-at-most-once.yaml", "auto-commit-timer.yaml"])
def test_graph_is_the_same_every_time(deliverysim, scenarios, name):
    first = deliverysim("graph", scenarios / name, check=True).stdout
    assert first == deliverysim("graph", scenarios / name, check=True).stdout
