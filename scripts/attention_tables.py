#!/usr/bin/python3
"""Markdown tables for protocols/attention/README.md from meshsim's own outputs.

  attention_tables.py compare CASE=FILE.csv ...   one table from `meshsim compare --csv` files
  attention_tables.py sweep DB.db [DB.db ...]     one row per sweep in the databases
  attention_tables.py plot DIR OUT.png            agreement/validity against Byzantine share,
                                                  loss and latency spread (DIR: attention_sweeps.sh's)

Cells are "median [q1, q3]" over the seeds. In compare tables a '*' marks a metric that
`meshsim compare` found significantly different from the baseline (paired Wilcoxon,
Holm-corrected, bootstrap interval excluding 0); the baseline is the first variant.
Used by scripts/attention_variants.sh and scripts/attention_sweeps.sh; the statistics are
meshsim's (compare) or plain order statistics (sweep), nothing is computed here that the
databases do not hold.
"""
import csv
import sqlite3
import statistics
import sys

# Short column names for the metrics the tables show; order is column order.
SHORT = {
    "attention_agreement": "agreement",
    "attention_validity": "validity",
    "attention_distance_mean": "distance",
    "attention_detection_precision": "det. precision",
    "attention_detection_recall": "det. recall",
    "attention_decide_ns_p50": "decide p50 (ms)",
    "attention_messages_per_decision": "msgs/decision",
    "attention_multiply_adds_per_decision": "MACs/decision",
    "attention_decided_share": "decided share",
    "attention_bytes_per_decision": "bytes/decision",
}
SCALE = {"attention_decide_ns_p50": 1e-6}


def fmt(x):
    if x is None:
        return "–"
    return f"{x:.3g}"


def cell(metric, median, q1, q3):
    s = SCALE.get(metric, 1.0)
    if median is None:
        return "–"
    if q1 == q3 == median:
        return fmt(median * s)
    return f"{fmt(median * s)} [{fmt(q1 * s)}, {fmt(q3 * s)}]"


def compare_table(args):
    rows, metrics = [], []
    for arg in args:
        case, path = arg.split("=", 1)
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                if r["metric"] not in metrics:
                    metrics.append(r["metric"])
                rows.append((case, r))
    # Columns in SHORT's order, whatever order the files listed them in.
    metrics.sort(key=lambda m: list(SHORT).index(m) if m in SHORT else len(SHORT))
    order, cells = [], {}
    for case, r in rows:
        key = (case, r["variant"].split("=", 1)[-1])
        if key not in cells:
            order.append(key)
            cells[key] = {}
        num = lambda k: float(r[k]) if r[k] not in ("", "nan") else None
        c = cell(r["metric"], num("median"), num("q1"), num("q3"))
        if r["significant"] == "1":
            c += "*"
        cells[key][r["metric"]] = c
    print("| case | variant | " + " | ".join(SHORT.get(m, m) for m in metrics) + " |")
    print("|---|---|" + "---|" * len(metrics))
    for key in order:
        print(f"| {key[0]} | {key[1]} | " + " | ".join(cells[key].get(m, "–") for m in metrics) + " |")


def quartiles(xs):
    xs = sorted(xs)
    if len(xs) == 1:
        return xs[0], xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return statistics.median(xs), q[0], q[2]


def sweep_table(dbs, metrics):
    print("| setting | runs | " + " | ".join(SHORT.get(m, m) for m in metrics) + " | wall s/run |")
    print("|---|---|" + "---|" * (len(metrics) + 1))
    for db in dbs:
        con = sqlite3.connect(db)
        sweeps = [(i, s.splitlines(), path) for i, s, path in
                  con.execute("select sweep_id, sets, scenario_path from sweeps order by sweep_id")]
        # Settings every sweep shares say nothing about a row: the command in the README has them.
        common = set.intersection(*(set(s) for _, s, _ in sweeps)) if len(sweeps) > 1 else set()
        several_scenarios = len({path for _, _, path in sweeps}) > 1
        for sweep_id, sets, path in sweeps:
            runs = [r for (r,) in con.execute(
                "select run_id from sweep_runs where sweep_id = ? and run_id is not null", (sweep_id,))]
            if not runs:
                continue
            marks = ",".join("?" * len(runs))
            failed = con.execute(f"select count(*) from runs where run_id in ({marks}) and status != 'complete'", runs).fetchone()[0]
            out = []
            for m in metrics:
                xs = [v for (v,) in con.execute(
                    f"select value from scalars where name = ? and value is not null and run_id in ({marks})", [m] + runs)]
                out.append(cell(m, *quartiles(xs)) if xs else "–")
            walls = [w for (w,) in con.execute(f"select wall_s from runs where wall_s is not null and run_id in ({marks})", runs)]
            label = ", ".join(x for x in sets if x not in common).replace('"', "") or "(scenario as written)"
            if several_scenarios:
                label = path.rsplit("/", 1)[-1].removesuffix(".toml") + ": " + label
            status = f"{len(runs)}" + (f" ({failed} failed)" if failed else "")
            print(f"| {label} | {status} | " + " | ".join(out) + f" | {fmt(statistics.median(walls)) if walls else '–'} |")


def sweep_points(db, metric):
    """(sets lines, median, q1, q3, scenario path) of one metric for every sweep of a database."""
    con = sqlite3.connect(db)
    out = []
    for sweep_id, sets, path in con.execute("select sweep_id, sets, scenario_path from sweeps order by sweep_id"):
        xs = [v for (v,) in con.execute(
            "select s.value from scalars s join sweep_runs w using (run_id) where w.sweep_id = ? and s.name = ?",
            (sweep_id, metric)) if v is not None]
        if xs:
            out.append((sets.splitlines(), *quartiles(xs), path))
    return out


def setting(sets, key):
    for line in sets:
        if line.startswith(key + "="):
            return line.split("=", 1)[1].strip('"')
    return None


def plot(directory, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.2))
    behaviours = ("far-embedding", "near-copy", "collude", "equivocate")
    markers = dict(zip(behaviours, "osD^"))
    # Byzantine share: one line per behaviour; the honest sweep is every line's 0 %. Lines are
    # nudged sideways by a fraction of a percent so equal values stay visible.
    for ax, metric in ((axes[0], "attention_agreement"), (axes[1], "attention_validity")):
        pts = sweep_points(f"{directory}/share.db", metric)
        honest = [(0, *p[1:4]) for p in pts if "honest" in p[4]]
        for i, behaviour in enumerate(behaviours):
            # faults[0].nodes = "0..k-1": k Byzantine nodes of 20
            chosen = honest + [(int(setting(p[0], "faults[0].nodes").split("..")[1]) + 1, *p[1:4])
                               for p in pts if f"/{behaviour}_" in p[4]]
            xs = [100 * r[0] / 20 + 0.6 * (i - 1.5) for r in chosen]
            ax.errorbar(xs, [r[1] for r in chosen], yerr=[[r[1] - r[2] for r in chosen], [r[3] - r[1] for r in chosen]],
                        marker=markers[behaviour], capsize=2, label=behaviour)
        ax.set(xlabel="Byzantine nodes, % of 20", ylabel=f"{metric.split('_')[1]}: share of rounds (median, IQR)",
               title=f"{metric.split('_')[1].capitalize()} vs Byzantine share", ylim=(-0.05, 1.05))
        ax.legend(fontsize=7)
    for ax, db, key, xlabel, scale in ((axes[2], "loss", "network.loss", "message loss (%)", 100),
                                      (axes[3], "latency", "network.latency.max", "latency max (ms); deadline 50 ms", 1)):
        for metric, marker in (("attention_agreement", "o"), ("attention_validity", "s")):
            pts = sweep_points(f"{directory}/{db}.db", metric)
            xs = [float(setting(p[0], key).rstrip("ms")) * scale for p in pts]
            ax.errorbar(xs, [p[1] for p in pts], yerr=[[p[1] - p[2] for p in pts], [p[3] - p[1] for p in pts]],
                        marker=marker, capsize=2, label=metric.replace("attention_", ""))
        ax.set(xlabel=xlabel, title=f"13 honest nodes: {xlabel.split(' (')[0]}", ylim=(-0.05, 1.05))
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "plot":
        plot(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if len(sys.argv) < 3 or sys.argv[1] not in ("compare", "sweep"):
        sys.exit(__doc__)
    if sys.argv[1] == "compare":
        compare_table(sys.argv[2:])
    else:
        wanted = [a for a in sys.argv[2:] if a.startswith("--metrics=")]
        dbs = [a for a in sys.argv[2:] if not a.startswith("--metrics=")]
        metrics = wanted[0].split("=", 1)[1].split(",") if wanted else list(SHORT)[:8]
        sweep_table(dbs, metrics)
