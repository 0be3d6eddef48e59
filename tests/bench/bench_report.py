#!/usr/bin/env python3
"""Helpers for run_benchmarks.sh: turn one run into a JSON record, and records into a table.

  bench_report.py record --workload W --nodes N --peer P --scheduler S --run K --rc RC \
                         --stdout FILE --time FILE --append RESULTS.jsonl
  bench_report.py table RESULTS.jsonl                       # prints medians and ratios

Kept in Python rather than bash because both sides print JSON and medians need arithmetic.
"""
import argparse
import json
import re
import statistics
import sys


def parse_json_output(text):
    """meshsim may pretty-print its summary; the ns-3 peers print one line. Accept both."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        try:
            return json.loads(text[start:end + 1])
        except ValueError:
            pass
    return None


def peak_rss_kb(time_file):
    try:
        with open(time_file) as f:
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
        return int(m.group(1)) if m else None
    except OSError:
        return None


def rate_and_sanity(workload, peer, out):
    """Work per wall second, and whether the run's own counts check out."""
    wall = out.get("wall_s")
    metrics = out.get("metrics") or {}
    if peer == "ns3":
        key = "events_per_s" if workload == "phold" else "deliveries_per_s"
        sane = out.get("sane", True) if workload == "flood" else True
        return out.get(key), sane
    if workload == "phold":
        # handled_events excludes engine bookkeeping (sampling, etc.) that `events` may count.
        work = metrics.get("handled_events", out.get("events"))
        sane = True
    else:
        work = metrics.get("deliveries", out.get("deliveries"))
        expected = metrics.get("expected_deliveries", out.get("expected_deliveries"))
        informed = metrics.get("all_informed", out.get("all_informed"))
        if informed is None:
            # meshsim's gossip reports `residue`: node-rumor pairs never delivered.
            informed = metrics.get("residue", 0) == 0
        sane = work is not None and (expected is None or work == expected) and bool(informed)
    rate = work / wall if work is not None and wall else None
    return rate, sane


def cmd_record(a):
    with open(a.stdout, errors="replace") as f:
        out = parse_json_output(f.read())
    rec = {"workload": a.workload, "nodes": a.nodes, "peer": a.peer, "scheduler": a.scheduler,
           "run": a.run, "rc": a.rc, "rss_kb": peak_rss_kb(a.time), "rate": None,
           "wall_s": None, "sane": False, "output": out}
    if out is not None:
        rec["rate"], rec["sane"] = rate_and_sanity(a.workload, a.peer, out)
        rec["wall_s"] = out.get("wall_s")
    rec["ok"] = a.rc == 0 and rec["rate"] is not None and bool(rec["sane"])
    with open(a.append, "a") as f:
        f.write(json.dumps(rec) + "\n")
    # One short status for the progress line the script is printing.
    status = "ok  " if rec["ok"] else f"FAIL (rc={a.rc}, sane={rec['sane']})"
    rate = f" {rec['rate']:.4g}/s" if rec["rate"] else ""
    rss = f"  rss {rec['rss_kb'] / 1024:.0f} MB" if rec["rss_kb"] else ""
    print(status + rate + rss)


def fmt_rate(v):
    if v is None:
        return "-"
    return f"{v / 1e6:.2f} M/s" if v >= 1e5 else f"{v / 1e3:.1f} k/s"


def fmt_mb(kb):
    return "-" if kb is None else f"{kb / 1024:.0f} MB"


def fmt_ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def median_of(recs, field):
    vals = [r[field] for r in recs if r.get("ok") and r.get(field) is not None]
    return statistics.median(vals) if vals else None


def cmd_table(a):
    with open(a.results) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    groups = {}
    for r in recs:
        groups.setdefault((r["workload"], r["nodes"]), {}).setdefault(
            (r["peer"], r["scheduler"]), []).append(r)
    header = ["workload", "N", "meshsim", "meshsim RSS", "ns-3 PQ", "ns-3 PQ RSS",
              "ns-3 Map", "ns-3 Map RSS", "meshsim/PQ", "meshsim/Map", "runs"]
    rows = []
    failures = 0
    order = {"phold": 0, "flood": 1}
    for (wl, n), peers in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1])):
        def med(peer, sched, field):
            return median_of(peers.get((peer, sched), []), field)
        ms, pq, mp = ("meshsim", "-"), ("ns3", "priority"), ("ns3", "map")
        bad = sum(1 for rs in peers.values() for r in rs if not r.get("ok"))
        failures += bad
        counts = "/".join(str(sum(1 for r in peers.get(k, []) if r.get("ok")))
                          for k in (ms, pq, mp) if k in peers)
        rows.append([wl, f"{n:,}",
                     fmt_rate(med(*ms, "rate")), fmt_mb(med(*ms, "rss_kb")),
                     fmt_rate(med(*pq, "rate")), fmt_mb(med(*pq, "rss_kb")),
                     fmt_rate(med(*mp, "rate")), fmt_mb(med(*mp, "rss_kb")),
                     fmt_ratio(med(*ms, "rate"), med(*pq, "rate")),
                     fmt_ratio(med(*ms, "rate"), med(*mp, "rate")),
                     counts + (f" ({bad} failed)" if bad else "")])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    print("\nRates are medians of successful runs (PHOLD: handled events/s; flood: deliveries/s);"
          " RSS is peak resident memory from /usr/bin/time -v; runs = successful runs per peer"
          " (meshsim/PQ/Map).")
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    for opt in ("workload", "peer", "scheduler", "stdout", "time", "append"):
        r.add_argument("--" + opt, required=True)
    for opt in ("nodes", "run", "rc"):
        r.add_argument("--" + opt, type=int, required=True)
    t = sub.add_parser("table")
    t.add_argument("results")
    a = p.parse_args()
    return cmd_record(a) if a.cmd == "record" else cmd_table(a)


if __name__ == "__main__":
    sys.exit(main() or 0)
