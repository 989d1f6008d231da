#!/usr/bin/python3
"""Writes the HTML report of a deliverysim sweep, with its figures as PNG and SVG.

    /usr/bin/python3 analysis/report.py --db crashes.db --summary DIR/summary.json --out DIR

`deliverysim report DB -o DIR` runs this after writing DIR/summary.json (the sweep's JSON
export, which holds the aggregates); the sampled series and latency percentiles come from the
database itself. The same database always gives the same files: matplotlib's SVG ids are
salted with a fixed string and no file records a date.
"""
import argparse
import html
import json
import math
import os
import pathlib
import sqlite3
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

# Okabe and Ito's palette, distinguishable with the common forms of colour blindness; markers
# and dashes tell the lines apart in greyscale too.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
DASHES = ["-", "--", "-.", ":"]

# The metrics shown against the swept parameter: name in the database, title, unit, scale.
METRICS = [
    ("lost", "Lost messages", "messages", 1),
    ("duplicate_effects", "Duplicate effects", "messages", 1),
    ("out_of_order", "Out-of-order effects", "messages", 1),
    ("latency_ns.p99", "Latency, 99th percentile", "ms", 1e-6),
    ("lag_time_ns.mean", "Mean lag in time", "ms", 1e-6),
    ("lag_messages.mean", "Mean lag in messages", "messages", 1),
]


def configure_matplotlib():
    plt.rcParams.update({
        "svg.hashsalt": "deliverysim",
        "figure.figsize": (7.5, 4.5),
        "figure.dpi": 100,
        "font.size": 12,
        "axes.titlesize": 14,
        "axes.labelsize": 12,
        "legend.fontsize": 10,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    })


def write_atomically(path, write):
    """Calls write(temporary path) and renames the result over `path`, so that a reader never
    sees half a file and an interrupted report leaves the old file in place."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def save(figure, out, name):
    """Writes NAME.png and NAME.svg without dates or version stamps, and returns NAME."""
    figure.tight_layout()
    write_atomically(out / f"{name}.png",
                     lambda p: figure.savefig(p, format="png", metadata={"Software": None}))
    write_atomically(out / f"{name}.svg",
                     lambda p: figure.savefig(p, format="svg",
                                              metadata={"Date": None, "Creator": None}))
    plt.close(figure)
    return name


def is_number(text):
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def choose_axes(summary):
    """The parameter for the x axis (the last all-numeric one, else the last) and the others,
    whose combinations become the lines."""
    points = summary["points"]
    names = list(points[0]["parameters"]) if points else []
    numeric = [n for n in names if all(is_number(p["parameters"][n]) for p in points)]
    x = numeric[-1] if numeric else (names[-1] if names else None)
    return x, [n for n in names if n != x]


def series_key(point, others):
    if len(others) == 1:  # the legend's title names the one parameter
        return point["parameters"][others[0]]
    return " ".join(f"{n}={point['parameters'][n]}" for n in others) or "all points"


def group_scopes(summary):
    scopes = []
    for point in summary["points"]:
        for scope, metrics in point["aggregates"].items():
            if "lost" in metrics and scope not in scopes:
                scopes.append(scope)
    return scopes


def lines_of(summary, x, others):
    """{line label: [point, ...]} in point order."""
    lines = {}
    for point in summary["points"]:
        lines.setdefault(series_key(point, others), []).append(point)
    return lines


def x_value(point, x, categories):
    label = point["parameters"][x]
    return float(label) if is_number(label) and categories is None else categories.index(label)


def style(i):
    return dict(color=PALETTE[i % len(PALETTE)], marker=MARKERS[i % len(MARKERS)],
                linestyle=DASHES[i % len(DASHES)])


def metric_figure(summary, scope, metric, x, others, out):
    name, title, unit, scale = metric
    numeric = all(is_number(p["parameters"][x]) for p in summary["points"])
    # Categories keep the sweep file's order of values.
    categories = None if numeric else list(dict.fromkeys(p["parameters"][x]
                                                          for p in summary["points"]))
    figure, axes = plt.subplots()
    drawn = False
    lines = lines_of(summary, x, others)
    all_x = [x_value(p, x, categories) for p in summary["points"]]
    # Lines that coincide (several strategies with no loss) are dodged sideways a little so
    # that each stays visible; the shift is at most 1.5% of the axis either way.
    spread = (max(all_x) - min(all_x)) or 1
    for i, (label, points) in enumerate(lines.items()):
        dodge = (i - (len(lines) - 1) / 2) * 0.03 * spread / max(1, len(lines) - 1)
        xs, ys, low, high = [], [], [], []
        for point in points:
            a = point["aggregates"].get(scope, {}).get(name)
            if a is None or a["mean"] is None:
                continue
            mean = a["mean"] * scale
            lo, hi = a["ci95"]
            xs.append(x_value(point, x, categories) + dodge)
            ys.append(mean)
            low.append(mean - lo * scale if lo is not None else 0)
            high.append(hi * scale - mean if hi is not None else 0)
        if xs:
            axes.errorbar(xs, ys, yerr=[low, high], capsize=4, label=label, **style(i))
            drawn = True
    if categories is not None:
        axes.set_xticks(range(len(categories)), categories)
    elif len(set(all_x)) <= 12:  # a tick at each swept value, labelled as the sweep file says
        ticks = sorted({(x_value(p, x, None), p["parameters"][x]) for p in summary["points"]})
        axes.set_xticks([t for t, _ in ticks], [label for _, label in ticks])
    axes.set_title(f"{title} ({scope}), mean and 95% CI")
    axes.set_xlabel(x)
    axes.set_ylabel(f"{title.lower()} ({unit})")
    if drawn:
        axes.legend(title=" ".join(others) or None)
    return save(figure, out, f"{scope}-{name.replace('.', '-')}")


def stressed_points(summary, x, others):
    """Per line, its point at the largest x: where over-time plots say the most."""
    chosen = []
    for label, points in lines_of(summary, x, others).items():
        numeric = all(is_number(p["parameters"][x]) for p in points)
        key = (lambda p: float(p["parameters"][x])) if numeric else (lambda p: p["point"])
        chosen.append((label, max(points, key=key)))
    return chosen


def mean_series(db, point, scope):
    """Mean over replications of (lag_messages, processed) at each sample time."""
    rows = db.execute(
        "SELECT t_ns, AVG(lag_messages), AVG(processed) FROM series "
        "WHERE point = ? AND scope = ? AND replication IN "
        "(SELECT replication FROM runs WHERE point = ? AND status = 'ok') "
        "GROUP BY t_ns ORDER BY t_ns", (point, scope, point)).fetchall()
    return [r[0] / 1e9 for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def over_time_figures(db, summary, scope, x, others, out):
    chosen = stressed_points(summary, x, others)
    names = []
    lag_figure, lag_axes = plt.subplots()
    rate_figure, rate_axes = plt.subplots()
    for i, (label, point) in enumerate(chosen):
        t, lag, processed = mean_series(db, point["point"], scope)
        if len(t) < 2:
            continue
        line = f"{label}, {x}={point['parameters'][x]}" if x else label
        lag_axes.plot(t, lag, label=line, **dict(style(i), marker=None))
        rates = [(processed[k] - processed[k - 1]) / (t[k] - t[k - 1]) for k in range(1, len(t))]
        rate_axes.plot(t[1:], rates, label=line, **dict(style(i), marker=None))
    for axes, title, unit in ((lag_axes, "Lag over time", "lag (messages)"),
                              (rate_axes, "Throughput over time", "processed (messages/s)")):
        axes.set_title(f"{title} ({scope}), mean over replications")
        axes.set_xlabel("simulated time (s)")
        axes.set_ylabel(unit)
        if axes.lines:
            axes.legend()
    names.append(save(lag_figure, out, f"{scope}-lag-over-time"))
    names.append(save(rate_figure, out, f"{scope}-throughput-over-time"))
    return names


def latency_cdf_figure(db, summary, scope, x, others, out):
    figure, axes = plt.subplots()
    for i, (label, point) in enumerate(stressed_points(summary, x, others)):
        rows = db.execute(
            "SELECT percentile, AVG(latency_ns) FROM latency_percentiles "
            "WHERE point = ? AND scope = ? GROUP BY percentile ORDER BY percentile",
            (point["point"], scope)).fetchall()
        if not rows:
            continue
        line = f"{label}, {x}={point['parameters'][x]}" if x else label
        axes.step([max(r[1], 1) / 1e6 for r in rows], [r[0] / 100 for r in rows], where="post",
                  label=line, **dict(style(i), marker=None))
    axes.set_xscale("log")
    axes.set_title(f"Latency CDF ({scope}), percentiles averaged over replications")
    axes.set_xlabel("latency from intent to first processing (ms, log scale)")
    axes.set_ylabel("fraction of processed messages")
    if axes.lines:
        axes.legend()
    return save(figure, out, f"{scope}-latency-cdf")


def format_cell(aggregate, scale):
    if aggregate is None or aggregate["mean"] is None:
        return "n/a"
    mean = aggregate["mean"] * scale
    shown = f"{mean:.4g}" if abs(mean) < 1e4 else f"{mean:.0f}"  # no e-notation in tables
    low, high = aggregate["ci95"]
    if low is None:
        return shown
    half = (high - low) / 2 * scale
    return f"{shown} ± " + (f"{half:.2g}" if abs(half) < 1e4 else f"{half:.0f}")


def summary_table(summary, scope):
    head = "".join(f"<th>{html.escape(t)} ({u})</th>" for _, t, u, _ in METRICS)
    rows = []
    for point in summary["points"]:
        runs = sum(1 for r in point["runs"] if r["status"] == "ok")
        cells = "".join(
            f"<td>{format_cell(point['aggregates'].get(scope, {}).get(n), s)}</td>"
            for n, _, _, s in METRICS)
        rows.append(f"<tr><td>{html.escape(point['label'])}</td><td>{runs}</td>{cells}</tr>")
    return (f"<table><thead><tr><th>point</th><th>runs</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


STYLE = """
body { font-family: sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
figure { margin: 1.5rem 0; }
img { max-width: 100%; }
figcaption { font-size: 0.9rem; color: #555; }
"""


def write_html(summary, sections, out):
    definition = summary.get("definition") or {}
    parameters = ", ".join(
        f"{html.escape(p['name'])} ({html.escape(p['path'])}): "
        + ", ".join(html.escape(v["label"]) for v in p["values"])
        for p in definition.get("parameters", []))
    body = [f"<h1>Sweep of {html.escape(str(definition.get('scenario', '?')))}</h1>",
            f"<p>{summary['replications']} replication(s) per point. Parameters: {parameters}."
            f" deliverysim {html.escape(summary['version'])}. Bars and ± are 95% Student-t"
            " confidence intervals of the mean over replications.</p>"]
    for scope, table, figures in sections:
        body.append(f"<h2>Consumer group {html.escape(scope)}</h2>")
        body.append("<h3>Summary</h3>" + table)
        for name, caption in figures:
            body.append(
                f'<figure><img src="{name}.png" alt="{html.escape(caption)}">'
                f'<figcaption>{html.escape(caption)} '
                f'(<a href="{name}.svg">SVG</a>)</figcaption></figure>')
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>deliverysim sweep report</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
    write_atomically(out / "index.html", lambda p: p.write_text(page, encoding="utf-8"))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=pathlib.Path)
    parser.add_argument("--summary", required=True, type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    args = parser.parse_args(argv)
    summary = json.loads(args.summary.read_text())
    configure_matplotlib()
    x, others = choose_axes(summary)
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    sections = []
    for scope in group_scopes(summary):
        figures = []
        for metric in METRICS:
            name = metric_figure(summary, scope, metric, x, others, args.out)
            figures.append((name, f"{metric[1]} against {x}, one line per {' '.join(others)}"
                            if others else f"{metric[1]} against {x}"))
        lag, rate = over_time_figures(db, summary, scope, x, others, args.out)
        figures.append((lag, "Lag in messages over simulated time, at the largest " + str(x)))
        figures.append((rate, "Messages processed per second, at the largest " + str(x)))
        figures.append((latency_cdf_figure(db, summary, scope, x, others, args.out),
                        "Latency CDF at the largest " + str(x)))
        sections.append((scope, summary_table(summary, scope), figures))
    db.close()
    write_html(summary, sections, args.out)
    print(f"report written to {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
