#!/usr/bin/env python3
"""Draws the report of `meshsim compare` as one self-contained HTML file.

    compare_report.py COMPARE.json REPORT.html [--png-dir DIR]

COMPARE.json is what `meshsim compare --json` prints (meshsim writes it for you with
--report). The plots are PNGs embedded as base64, so the file opens anywhere without
meshsim, this script or network access. Plots: CDFs of the latency metrics over seeds,
box plots of every compared per-seed metric, and the time series each run sampled
(mean and interquartile band across seeds) with the fault schedule drawn on the time
axis. --png-dir also saves each plot as a PNG (the README's figures come from there).

Needs matplotlib and numpy (Debian: apt-get install python3-matplotlib python3-numpy).
"""
import base64
import html
import io
import json
import os
import sys

try:
    import matplotlib
    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt
    import numpy as np
except ImportError as e:
    sys.stderr.write("compare_report.py: %s; install matplotlib and numpy "
                     "(apt-get install python3-matplotlib python3-numpy)\n" % e)
    sys.exit(2)

COLOURS = plt.get_cmap("tab10").colors
MAX_BOXES = 16        # box plots: at most this many metrics (the first ones compared)
MAX_SERIES = 6        # time series panels
# Series that describe the engine rather than the protocol: left out of the report.
ENGINE_SERIES = {"pending_events"}


def is_time(metric):
    return metric.endswith("_ns") or "_ns_" in metric


def scaled(metric, values):
    """Nanosecond metrics in milliseconds, everything else as is; with the axis label."""
    values = np.asarray(values, dtype=float)
    if is_time(metric):
        return values / 1e6, metric + " (ms)"
    return values, metric


def png(fig, name, png_dir):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    if png_dir:
        with open(os.path.join(png_dir, name + ".png"), "wb") as f:
            f.write(buf.getvalue())
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def grid(n, cols):
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def latency_cdfs(data, png_dir):
    metrics = [m for m in data["metrics"] if "latency" in m or "coverage_time" in m or "unavailable" in m]
    metrics = [m for m in metrics if is_time(m)][:6]
    if not metrics:
        return None
    fig, axes = grid(len(metrics), min(3, len(metrics)))
    for ax, metric in zip(axes, metrics):
        for k, v in enumerate(data["variants"]):
            values, label = scaled(metric, sorted(v["values"][metric]))
            y = np.arange(1, len(values) + 1) / len(values)
            ax.step(values, y, where="post", color=COLOURS[k % 10], label=v["name"], linewidth=1.6)
        ax.set_xlabel(label)
        ax.set_ylabel("share of seeds")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="lower right")
    fig.suptitle("Latency metrics: distribution over seeds (empirical CDF)", fontsize=11)
    return png(fig, "cdf", png_dir)


def box_plots(data, png_dir):
    metrics = data["metrics"][:MAX_BOXES]
    if not metrics:
        return None
    cols = min(4, len(metrics))
    fig, axes = grid(len(metrics), cols)
    names = [v["name"] for v in data["variants"]]
    for ax, metric in zip(axes, metrics):
        series = []
        for v in data["variants"]:
            values, label = scaled(metric, v["values"][metric])
            series.append(values)
        parts = ax.boxplot(series, patch_artist=True, widths=0.6, medianprops={"color": "black"})
        for k, box in enumerate(parts["boxes"]):
            box.set_facecolor(COLOURS[k % 10])
            box.set_alpha(0.55)
        ax.set_xticks(range(1, len(names) + 1))
        ax.set_xticklabels(names, rotation=20 if len(names) > 2 else 0, fontsize=8)
        ax.set_title(label, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle("Per-seed metrics (box: quartiles, line: median, whiskers: 1.5 IQR)", fontsize=11)
    fig.tight_layout()
    return png(fig, "boxes", png_dir)


def fault_spans(faults):
    """(start, end, kind) spans from 'crash' ... 'end-crash' pairs; lone faults are instants."""
    spans, open_at = [], {}
    for f in faults:
        t, kind = f["t_ns"] / 1e9, f["kind"]
        if kind.startswith("end-") or kind in ("heal", "recover"):
            base = kind[4:] if kind.startswith("end-") else None
            key = base if base in open_at else next(iter(open_at), None)
            if key is not None:
                spans.append((open_at.pop(key), t, key))
                continue
        if kind in open_at:
            spans.append((open_at[kind], t, kind))
        open_at[kind] = t
    spans.extend((t, None, kind) for kind, t in open_at.items())
    return spans


def time_series(data, png_dir):
    names = []
    for v in data["variants"]:
        for name in v["series"]:
            if name not in names and name not in ENGINE_SERIES and all(name in w["series"] for w in data["variants"]):
                names.append(name)
    names = names[:MAX_SERIES]
    if not names:
        return None
    faults = data["variants"][0].get("faults", [])
    fig, axes = grid(len(names), min(2, len(names)))
    for ax, name in zip(axes, names):
        for k, v in enumerate(data["variants"]):
            s = v["series"][name]
            t = np.asarray(s["t_ns"], dtype=float) / 1e9
            mean, unit = scaled(name, s["mean"])
            q1, _ = scaled(name, s["q1"])
            q3, _ = scaled(name, s["q3"])
            ax.plot(t, mean, color=COLOURS[k % 10], label=v["name"] + " (mean)", linewidth=1.4)
            ax.fill_between(t, q1, q3, color=COLOURS[k % 10], alpha=0.2, linewidth=0)
        for start, end, kind in fault_spans(faults):
            if end is None or end <= start:
                ax.axvline(start, color="red", alpha=0.5, linewidth=1, linestyle="--")
            else:
                ax.axvspan(start, end, color="red", alpha=0.08)
        ax.set_title(unit, fontsize=9)
        ax.set_xlabel("simulated time (s)")
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    if faults:
        from matplotlib.patches import Patch
        handles.append(Patch(color="red", alpha=0.2))
        labels.append("fault schedule (%s)" % data["variants"][0]["name"])
    rows = (len(names) + 1) // 2
    fig.tight_layout(rect=(0, 0.12 / rows, 1, 1 - 0.1 / rows))  # room for the legend below and the title above
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8, bbox_to_anchor=(0.5, 0))
    fig.suptitle("Time series across seeds: mean, and the band between the quartiles", fontsize=11)
    return png(fig, "series", png_dir)


def fmt(metric, value):
    if value is None:
        return "–"
    if is_time(metric):
        return "%.3g ms" % (value / 1e6)
    return "%.4g" % value


def pct(x):
    return "n/a" if x is None else "%+.1f %%" % (100 * x)


def comparison_table(data, c):
    rows = []
    for m in c["metrics"]:
        b, v = m["baseline"], m["variant"]
        change = "n/a" if m["relative"] is None else "%s [%s, %s]" % (pct(m["relative"]), pct(m["ci_low"]), pct(m["ci_high"]))
        p = "&lt; 0.001" if m["p_holm"] < 0.001 else "%.3f" % m["p_holm"]
        rows.append("<tr class='%s'><td>%s</td><td>%s [%s, %s]</td><td>%s [%s, %s]</td><td>%s</td><td>%s</td></tr>" % (
            "sig" if m["significant"] else "", html.escape(m["metric"]),
            fmt(m["metric"], b["median"]), fmt(m["metric"], b["q1"]), fmt(m["metric"], b["q3"]),
            fmt(m["metric"], v["median"]), fmt(m["metric"], v["q1"]), fmt(m["metric"], v["q3"]), change, p))
    verdicts = "".join("<li>%s</li>" % html.escape(m["verdict"]) for m in c["metrics"] if m["significant"])
    same = ", ".join(c["not_different"]) or "none"
    return """<h2>%s against %s</h2><p>%s. p-values adjusted with Holm–Bonferroni over %d metrics;
a difference is reported only when the adjusted p is below %g and the 95 %% bootstrap interval excludes 0.</p>
<table><tr><th>metric</th><th>%s median [IQR]</th><th>%s median [IQR]</th><th>change [95 %% CI]</th><th>p (Holm)</th></tr>%s</table>
<p><b>Differences:</b></p><ul>%s</ul><p><b>No significant difference:</b> %s</p>""" % (
        html.escape(c["variant"]), html.escape(c["baseline"]), html.escape(c["pairing"]), len(c["metrics"]), data["alpha"],
        html.escape(c["baseline"]), html.escape(c["variant"]), "".join(rows), verdicts or "<li>none</li>", html.escape(same))


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    png_dir = None
    if "--png-dir" in argv:
        png_dir = argv[argv.index("--png-dir") + 1]
        args.remove(png_dir)
        os.makedirs(png_dir, exist_ok=True)
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(args[0]) as f:
        data = json.load(f)
    variants = "".join("<li><b>%s</b>: %s — %d runs (seeds %s)%s</li>" % (
        html.escape(v["name"]), html.escape(v["source"]), len(v["run_ids"]), html.escape(data["seeds"]),
        (", sweep %d in %s" % (v["sweep_id"], html.escape(v["db"]))) if v["sweep_id"] else "") for v in data["variants"])
    images = []
    for title, image in (("Latency over seeds", latency_cdfs(data, png_dir)), ("Per-seed metrics", box_plots(data, png_dir)),
                         ("Time series and fault schedule", time_series(data, png_dir))):
        if image:
            images.append("<h2>%s</h2><img alt='%s' src='data:image/png;base64,%s'>" % (title, title, image))
    page = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>meshsim compare</title>
<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:90%%}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child{text-align:left}tr.sig td{background:#fff3cd}img{max-width:100%%}</style></head><body>
<h1>meshsim compare</h1><p>Variants (the first is the baseline):</p><ul>%s</ul>%s%s
<p style="color:#777;font-size:80%%">Generated by results/report/compare_report.py from meshsim compare --json.</p>
</body></html>""" % (variants, "".join(comparison_table(data, c) for c in data["comparisons"]), "".join(images))
    tmp = args[1] + ".tmp"
    with open(tmp, "w") as f:
        f.write(page)
    os.replace(tmp, args[1])  # a reader never sees half a report
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
