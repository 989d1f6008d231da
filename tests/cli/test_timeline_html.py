"""`run --timeline-html`: the page as headless Chromium renders it, not as its source reads.

The page's script writes the filter's summary ("N of M events shown; duplicate effects: D, ...")
and hides filtered rows, so finding that text and those classes in the dumped DOM shows that a
real browser ran the page. A screenshot is kept under the build folder as an artefact.
"""
import html.parser
import os
import pathlib
import re
import shutil
import subprocess

import pytest

AT_LEAST_ONCE = "order-placed-at-least-once.yaml"


class Dom(html.parser.HTMLParser):
    """The elements of a dumped page: (tag, attributes, text) in document order."""

    def __init__(self, text):
        super().__init__()
        self.elements = []
        self._open = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        element = [tag, dict(attrs), ""]
        self.elements.append(element)
        self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element[2] += data

    def with_class(self, tag, name):
        return [e for e in self.elements
                if e[0] == tag and name in e[1].get("class", "").split()]

    def by_id(self, ident):
        return next(e for e in self.elements if e[1].get("id") == ident)


@pytest.fixture(scope="module")
def chromium():
    path = shutil.which("chromium")
    assert path, "Chromium is missing: run scripts/install-deps"
    return path


@pytest.fixture(scope="module")
def artefacts(binary):
    folder = pathlib.Path(binary).resolve().parent / "test-artefacts"
    folder.mkdir(exist_ok=True)
    return folder


def browse(chromium, profile, url, *mode):
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={profile}", "--window-size=1300,1400", *mode, url],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def page(binary, scenarios, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "at-least-once.html"
    result = subprocess.run([binary, "run", str(scenarios / AT_LEAST_ONCE), "--timeline-html",
                             str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"timeline page written to {path}" in result.stdout
    return path


def test_page_loads_nothing_from_the_network(page):
    source = page.read_text()
    # The only URL is the SVG namespace, a name rather than a resource.
    assert re.findall(r"https?://[^\"' ]+", source) == ["http://www.w3.org/2000/svg"]
    assert not re.search(r"\b(src|href)=", source)


def test_browser_shows_lanes_duplicates_and_metrics(chromium, page, tmp_path):
    dom = Dom(browse(chromium, tmp_path / "profile", page.as_uri(), "--dump-dom"))
    lanes = [e[2] for e in dom.with_class("text", "lane")]
    assert lanes == ["order-service", "orders/2", "orders/3", "billing-1", "billing-2"]
    duplicates = dom.with_class("g", "duplicate-effect")
    # The three telling messages (#3305, #3379, #14934) each had two duplicate effects.
    assert sorted(e[1]["data-message"] for e in duplicates) == ["14934", "14934", "3305", "3305",
                                                                 "3379", "3379"]
    assert len(dom.with_class("g", "redeliver")) == 1  # the crash's redelivery of #14934
    assert len(dom.with_class("g", "crash")) == 1
    # Written by the page's script, so only a browser that ran it produces this text.
    assert re.fullmatch(r"(\d+) of \1 events shown; duplicate effects: 6, redeliveries: 1",
                        dom.by_id("shown")[2])
    metrics = dom.by_id("metrics")[2]
    assert "duplicate effects" in metrics and "449" in metrics  # the run's own figure


def test_filter_by_message_hides_the_other_messages(chromium, page, tmp_path):
    dom = Dom(browse(chromium, tmp_path / "profile", page.as_uri() + "#message=14934",
                     "--dump-dom"))
    rows = dom.with_class("g", "row")
    visible = [e for e in rows if "hidden" not in e[1]["class"].split()]
    assert {e[1]["data-message"] for e in visible} == {"14934"}
    assert len(visible) < len(rows)
    assert re.fullmatch(rf"{len(visible)} of {len(rows)} events shown; duplicate effects: 2, "
                        r"redeliveries: 1", dom.by_id("shown")[2])


def test_screenshot_is_kept_as_an_artefact(chromium, page, tmp_path, artefacts):
    shot = artefacts / "timeline-at-least-once.png"
    if shot.exists():
        shot.unlink()
    browse(chromium, tmp_path / "profile", page.as_uri(), f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(shot) > 10_000


def test_same_scenario_gives_the_same_page_bytes(binary, scenarios, tmp_path, page):
    again = tmp_path / "again.html"
    subprocess.run([binary, "run", str(scenarios / AT_LEAST_ONCE), "--json", "--timeline-html",
                    str(again)], capture_output=True, check=True, timeout=300)
    assert again.read_bytes() == page.read_bytes()


RETRY_DEMO = "demos/retries-with-backoff-end-in-a-dead-letter-queue.yaml"


@pytest.fixture(scope="module")
def queue_page(binary, scenarios, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "retry-demo.html"
    result = subprocess.run([binary, "run", str(scenarios / RETRY_DEMO), "--timeline-html",
                             str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return path


def test_browser_shows_queue_lanes_retries_and_the_dead_letter(chromium, queue_page, tmp_path):
    dom = Dom(browse(chromium, tmp_path / "profile", queue_page.as_uri(), "--dump-dom"))
    lanes = [e[2] for e in dom.with_class("text", "lane")]
    assert lanes == ["order-service", "orders", "billing", "billing-dlq", "billing-1"]
    assert len(dom.with_class("g", "route")) == 1
    assert len(dom.with_class("g", "handler-retry")) == 6  # max_attempts 7
    rejects = dom.with_class("g", "nack")
    assert len(rejects) == 1 and "alarm" in rejects[0][1]["class"].split()
    dead = dom.with_class("g", "dead-letter")
    assert len(dead) == 1
    assert "DEAD-LETTER #0 to billing-dlq via orders-dlx" in dead[0][2]
    # Written by the page's script: every row of message 0 is shown.
    assert re.fullmatch(r"(\d+) of \1 events shown; duplicate effects: 0, redeliveries: 0",
                        dom.by_id("shown")[2])


def test_same_queue_scenario_gives_the_same_page_bytes(binary, scenarios, tmp_path, queue_page):
    again = tmp_path / "again.html"
    subprocess.run([binary, "run", str(scenarios / RETRY_DEMO), "--timeline-html", str(again)],
                   capture_output=True, check=True, timeout=300)
    assert again.read_bytes() == queue_page.read_bytes()
