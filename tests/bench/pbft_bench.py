#!/usr/bin/env python3
"""pBFT benchmark: simulated throughput and wall time for n = 4, 16, 64, 100 replicas
(scenarios/pbft/scale_n*.toml), each run --runs times, medians reported; plus the wall time
of the 500-seed chaos sweep. A benchmark, not a test: nothing fails on a slow machine.

    tests/bench/pbft_bench.py                 # all sizes, 3 runs each, chaos sweep (~2 min)
    tests/bench/pbft_bench.py --sizes 4,16 --runs 5 --no-sweep
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_once(meshsim, scenario, db):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([meshsim, "run", scenario, "--db", db, "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{scenario}: exit {out.returncode}\n{out.stderr}")
    rec = json.loads(out.stdout)
    # ru_maxrss of children is the largest so far; runs go smallest to largest, so it is this one's.
    rec["peak_rss_mib"] = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="4,16,64,100")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-sweep", action="store_true")
    args = ap.parse_args()
    meshsim = os.environ.get("MESHSIM", os.path.join(ROOT, "build/release/meshsim"))
    db = os.path.join(tempfile.mkdtemp(), "bench.db")
    print("| n | f | sim. throughput (ops/s) | latency p50 / p99 (ms) | messages/op (paper) | bytes/op "
          "| max CPU use | wall (s) | events/s | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in [int(x) for x in args.sizes.split(",")]:
        scenario = os.path.join(ROOT, f"scenarios/pbft/scale_n{n}.toml")
        recs = [run_once(meshsim, scenario, db) for _ in range(args.runs)]
        m = recs[0]["metrics"]  # deterministic: every run has the same metrics
        wall = statistics.median(r["wall_s"] for r in recs)
        print(f"| {n} | {(n - 1) // 3} | {m['throughput_ops_per_s']:.0f} | "
              f"{m['op_latency_ns_p50'] / 1e6:.1f} / {m['op_latency_ns_p99'] / 1e6:.1f} | "
              f"{m['messages_per_op']:.0f} ({m['pbft_normal_case_messages_per_op']:.0f}) | {m['bytes_per_op']:.0f} | "
              f"{m.get('cpu_utilisation_max', 0) * 100:.1f}% | {wall:.2f} | {recs[0]['events'] / wall / 1e6:.2f} M | "
              f"{statistics.median(r['peak_rss_mib'] for r in recs):.0f} |", flush=True)
    if not args.no_sweep:
        walls = []
        for _ in range(args.runs):
            t = time.monotonic()
            out = subprocess.run([meshsim, "sweep", os.path.join(ROOT, "scenarios/pbft/chaos.toml"), "--seeds", "1..500",
                                  "--threads", "2", "--db", db], capture_output=True, text=True)
            walls.append(time.monotonic() - t)
            failed = out.stdout.count("FAILED pbft")
            if out.returncode != 0 or failed:
                print(out.stdout[-3000:])
                sys.exit(f"chaos sweep: {failed} failed runs")
        print(f"\nchaos sweep, 500 seeds on 2 threads: median {statistics.median(walls):.2f} s "
              f"({500 / statistics.median(walls):.0f} seeds/s), 0 violations")


if __name__ == "__main__":
    main()
