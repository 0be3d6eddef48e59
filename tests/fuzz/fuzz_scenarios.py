#!/usr/bin/env python3
"""Mutation fuzzer for meshsim's scenario loading (issue 9 part 5).

Takes the shipped scenarios, mutates them and runs `meshsim run` on each mutant. Whatever
the input, meshsim must exit 0, 1, 2 or 5 (inconclusive): never a signal, a sanitizer report, exit 3 or a
hang; and a rejected input (exit 2) must say where it is wrong and write nothing.
Deterministic: mutant i of seed s is the same on every machine and with any --jobs.
Standard library only. README.md in this folder documents it.
"""
import argparse
import concurrent.futures
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

# Handled events per mutant: keeps every run short (a mutant may make a scenario last an
# hour of simulated time) without overriding run.duration, whose mutations we want to see.
MAX_EVENTS = 3000
MAX_NODES = 1000  # corpus scenarios with more nodes are scaled down to this (load_corpus)

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                   "runtime error:", "ThreadSanitizer", "MemorySanitizer")

# Values a number is replaced by: edges of int64/uint64/uint32, floats TOML accepts, zero.
NUMBERS = ["0", "-1", "1", "-0", "0.5", "1e300", "-1e300", "1e-300", "nan", "inf", "-inf",
           "9223372036854775807", "-9223372036854775808", "4294967295", "4294967296",
           "4294967297", "16000001", "65536", "9223372036854775808", "18446744073709551616",
           "1_000_000_000", "0x7fffffff", "2.5e9"]
# Text for the number inside a duration string, and whole duration strings.
DURATION_NUMBERS = ["0", "-1", "1", "0.000000001", "1.5.5", "1000000000000", "999999999999999",
                    "9223372036854775807", "9223372036854775808", "18446744073709551616",
                    "2562048", "2562047", "1e3", "nan", "inf", "", "+5", "--5", "."]
UNITS = ["ns", "us", "µs", "ms", "s", "m", "min", "h", "", "parsecs", "S", " ms", "hours", "d"]
# Values of the wrong type, for any key.
WRONG_TYPES = ['"x"', '""', "{}", "{ a = 1 }", "[]", '[1, "a"]', "[[1], [2]]", "true", "1979-05-27",
               "07:32:00", "1979-05-27T07:32:00Z", '"4294967297"', '"0..4294967297"', '"-1"',
               '"5..3"', '"1e3"', '"0..-1"', '"..5"', '"4294967295..4294967296"',
               '"18446744073709551617"', "[4294967297]", '["0..2", 4294967297]']
# Whole lines worth inserting into any table: keys the shipped scenarios rarely use, with
# values at their edges.
LINES = ['until = "9223372036854775807ns"', 'at = "1000000000000s"', 'every = "1ns"', 'lasting = "1ns"',
         'every = "1ms"', 'lasting = "999999999999999h"', 'stop = "2562048h"', 'interval = "1ns"',
         'interval = "9999999999h"', 'latency = "9223372036854775808ns"', 'latency = "2562047h"',
         'duration = "2562048h"', 'duration = "292y"', 'crash_rate = 1e6', 'pause_rate = 1e6',
         'partition_rate = 1e6', 'mean_downtime = "1ns"', 'bandwidth_mbps = 1e-300', 'bandwidth_mbps = 1e-9',
         'queue_bytes = 1099511627776', 'reorder = 1.0', 'reorder_delay = "2562047h"', 'duplicate = 1.0',
         'latency = { kind = "pareto", scale = "1ms", shape = 0.01 }',
         'latency = { kind = "lognormal", median = "1h", sigma = 10 }',
         'latency = { kind = "normal", mean = "1ms", stddev = "2562047h" }',
         'latency = { kind = "exponential", base = "1ns", mean = "2562047h" }',
         'nodes = "4294967297"', 'nodes = "0..4294967296"', 'nodes = 4294967297', 'nodes = [0, "4294967297"]',
         'election_timeout_min = "999999999999999h"', 'view_change_timeout = "2562047h"',
         'view_change_timeout_max = "2562047h"', 'ppm = 10000000', 'ppm = -900000', 'max_events = 1',
         'seed = -1', 'seed = 18446744073709551615', 'rumors = 1048576', 'rumor_interval = "2562047h"',
         'think_time = "2562047h"', 'request_timeout = "1ns"', 'rate = 1e6', 'delay = "2562047h"',
         'kind = "none"', 'kind = "edge-list"', 'file = "/dev/zero"', 'file = "/"', 'kind = "grid"',
         'width = 100000000', 'degree = 1000000', '"" = 1', '"a.b" = 1', 'a.b.c = 1', '[faults]', '[[faults]]',
         '[[network.links]]', '[[modules]]', '[protocol.x]', '[expect]', 'x = "< nan"', 'x = "<= 1e999"',
         'x = ">= 2562048h"', 'nodes = 1', 'kind = "crash"', 'kind = "partition"', 'groups = { a = "0..1" }']
KEY_VALUE = re.compile(r'^(\s*)([A-Za-z0-9_."\-]+)(\s*=\s*)(.*)$')
NUMBER = re.compile(r'(?<![A-Za-z0-9_."])[-+]?\d[\d_]*(\.\d+)?([eE][-+]?\d+)?(?![A-Za-z0-9_"])')
DURATION = re.compile(r'"([-+]?[\d.]+)\s*(ns|us|µs|ms|s|m|min|h)"')


def mutate_line(rng, line):
    """One change to one line; returns the new line (may be several lines)."""
    m = KEY_VALUE.match(line)
    op = rng.randrange(11)
    if op == 0 and NUMBER.search(line):
        spans = [x.span() for x in NUMBER.finditer(line)]
        a, b = rng.choice(spans)
        return line[:a] + rng.choice(NUMBERS) + line[b:]
    if op == 1 and DURATION.search(line):
        spans = [x for x in DURATION.finditer(line)]
        d = rng.choice(spans)
        number = rng.choice(DURATION_NUMBERS) if rng.random() < 0.7 else d.group(1)
        unit = rng.choice(UNITS) if rng.random() < 0.6 else d.group(2)
        return line[:d.start()] + '"' + number + unit + '"' + line[d.end():]
    if op == 2 and DURATION.search(line):
        d = rng.choice(list(DURATION.finditer(line)))  # units dropped: a bare number
        return line[:d.start()] + d.group(1) + line[d.end():]
    if op == 3 and m:
        return m.group(1) + m.group(2) + m.group(3) + rng.choice(WRONG_TYPES + NUMBERS)
    if op == 4 and m:
        return m.group(1) + m.group(2) + m.group(3) + deep_value(rng)
    if op == 5:
        return line[:rng.randrange(len(line) + 1)]
    if op == 6:
        pos = rng.randrange(len(line) + 1)
        return line[:pos] + random_bytes(rng) + line[pos:]
    if op == 7 and m:
        return m.group(1) + long_text(rng) + m.group(3) + m.group(4)
    if op == 8 and m:
        return m.group(1) + m.group(2) + m.group(3) + '"' + long_text(rng) + '"'
    if op == 9:
        return rng.choice(LINES)
    return line + "\n" + rng.choice(LINES)


def deep_value(rng):
    depth = rng.choice([8, 64, 200, 1000, 5000, 20000, 60000])
    kind = rng.randrange(3)
    if kind == 0:
        return "[" * depth + "1" + "]" * depth
    if kind == 1:
        return "{ a = " * depth + "1" + " }" * depth
    return "[" * depth  # unclosed


def deep_header(rng):
    depth = rng.choice([8, 1000, 20000, 50000, 100000])
    return ("[" if rng.random() < 0.5 else "[[") + ".".join(["t"] * depth) + "]"


def long_text(rng):
    return rng.choice(["k", "x_", "é", "0"]) * rng.choice([300, 5000, 70000, 1 << 20])


def random_bytes(rng):
    n = rng.choice([1, 2, 5, 40])
    return "".join(chr(rng.choice([0, 1, 7, 0x1b, 0x7f, 0x80, 0xff, 0xfffd, 0xd7ff, 0x2028, rng.randrange(32, 127)]))
                   for _ in range(n))


def mutate(rng, text, corpus):
    """1 to 4 mutations of a scenario's text; returns (bytes, list of what was done)."""
    lines = text.split("\n")
    done = []
    for _ in range(rng.choice([1, 1, 2, 3, 4])):
        i = rng.randrange(len(lines))
        op = rng.randrange(10)
        if op == 0 and len(lines) > 1:
            del lines[i]
            done.append(f"delete line {i + 1}")
        elif op == 1:
            lines.insert(i, lines[i])
            done.append(f"duplicate line {i + 1}")
        elif op == 2:
            other = rng.choice(corpus).split("\n")  # a line from another scenario
            lines.insert(i, rng.choice(other))
            done.append(f"insert a line from another scenario at {i + 1}")
        elif op == 3 and rng.random() < 0.3:
            lines.insert(i, deep_header(rng))
            done.append(f"deep table header at {i + 1}")
        elif op == 4 and rng.random() < 0.2:
            whole = "\n".join(lines)
            cut = rng.randrange(len(whole) + 1)
            lines = whole[:cut].split("\n")
            done.append(f"truncate the file at byte {cut}")
        else:
            lines[i] = mutate_line(rng, lines[i])
            done.append(f"mutate line {i + 1}")
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if rng.random() < 0.03:  # invalid UTF-8 and raw bytes, which str cannot carry
        pos = rng.randrange(len(data) + 1)
        data = data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16))) + data[pos:]
        done.append(f"raw bytes at byte {pos}")
    return data, done


# Exit 2 must name the file: "meshsim: PATH:LINE: KEY: ...". A line number is absent only
# where no line exists: the file as a whole (empty, binary, too big, unreadable), a
# required section that is missing, or a value given with --set.
LINELESS_OK = re.compile(r": (the file is empty|this is a binary file|the file is too large|no such file|"
                         r"cannot open|is a directory|topology: required section|protocol: required section)")


def check_error(stderr, path):
    first = next((l for l in stderr.splitlines() if l.startswith("meshsim: ")), None)
    if first is None:
        return "exit 2 without a 'meshsim: ' error line"
    msg = first[len("meshsim: "):]
    if not msg.startswith(path):
        return "the error does not start with the scenario's path"
    rest = msg[len(path):]
    if re.match(r"^:\d+: (syntax error|line too long|nested too deep)", rest):
        return None  # the line itself is wrong: there is no key to name
    if re.match(r"^:\d+: \S.*?: \S", rest) or re.match(r"^ \(--set\): \S.*?: \S", rest):
        if re.match(r"^:0:", rest):
            return "line 0 in the error"
        return None
    if LINELESS_OK.match(rest) or rest.startswith(": --set "):
        return None
    return "the error lacks 'path:line: key: what' (see README.md for the lineless cases)"


def runs_rows(db):
    if not os.path.exists(db):
        return 0
    try:
        con = sqlite3.connect(db)
        try:
            return con.execute("select count(*) from runs").fetchone()[0]
        except sqlite3.OperationalError:
            return 0  # no runs table: nothing was written
        finally:
            con.close()
    except sqlite3.Error as e:
        return f"unreadable database: {e}"


def run_one(meshsim, path, workdir, timeout):
    db = os.path.join(workdir, "runs.db")
    cmd = [meshsim, "run", path, "--db", db, "--no-progress", "--set", f"run.max_events={MAX_EVENTS}"]
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return cmd, f"timed out after {timeout} s", ""
    wall = time.monotonic() - start
    stderr = p.stderr.decode("utf-8", "replace")
    problem = None
    if p.returncode < 0:
        problem = f"killed by signal {-p.returncode}"
    elif any(mark in stderr for mark in SANITIZER_MARKS):
        problem = f"sanitizer report (exit {p.returncode})"
    elif p.returncode not in (0, 1, 2, 5):  # 5: inconclusive (a checker out of budget), a verdict
        problem = f"exit {p.returncode}"
    elif p.returncode == 2:
        problem = check_error(stderr, path)
        rows = runs_rows(db)
        if problem is None and rows != 0:
            problem = f"exit 2 but the database holds {rows} runs row(s)"
    return cmd, problem, stderr if problem else f"{wall:.2f} {p.returncode}"


def load_corpus(folder):
    files = []
    for root, _, names in os.walk(folder):
        files += [os.path.join(root, n) for n in names if n.endswith(".toml")]
    files.sort()
    if not files:
        sys.exit(f"no .toml scenarios under {folder}")
    # Benchmarks are sized to take seconds (flood: 10,000 nodes), and a valid mutant of one
    # (kind deleted: a full mesh of 10,000 nodes flooding) legitimately takes a minute.
    # Scale them down in the corpus rather than with --set, which would mask mutations.
    texts = [re.sub(r"(?m)^(nodes\s*=\s*)(\d+)", lambda m: m.group(1) + str(min(int(m.group(2)), MAX_NODES)),
                    open(f, encoding="utf-8").read()) for f in files]
    return files, texts


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Mutation fuzzer over meshsim's scenarios (README.md).")
    ap.add_argument("--meshsim", required=True, help="the meshsim binary (a sanitizer build finds the most)")
    ap.add_argument("--scenarios", default=os.path.join(here, "..", "..", "scenarios"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=300, help="how many mutants")
    ap.add_argument("--only", type=int, help="run just mutant number N (to reproduce)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20, help="seconds per run before it counts as a hang")
    ap.add_argument("--failures", default="fuzz-failures", help="folder for failing mutants")
    args = ap.parse_args()
    meshsim = os.path.abspath(args.meshsim)
    files, texts = load_corpus(args.scenarios)
    indices = [args.only] if args.only is not None else list(range(args.count))
    work = tempfile.mkdtemp(prefix="meshsim-fuzz-")

    def one(i):
        rng = random.Random(f"{args.seed}:{i}")
        k = rng.randrange(len(files))
        data, done = mutate(rng, texts[k], texts)
        d = os.path.join(work, str(i))
        os.makedirs(d)
        # The mutant keeps its scenario's name so messages stay readable.
        path = os.path.join(d, os.path.basename(files[k]))
        with open(path, "wb") as f:
            f.write(data)
        cmd, problem, detail = run_one(meshsim, path, d, args.timeout)
        result = (i, files[k], done, problem, detail, path)
        if problem is None:
            shutil.rmtree(d, ignore_errors=True)
        return result

    started = time.monotonic()
    failures = []
    slowest = (0.0, None)
    exits = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for i, source, done, problem, detail, path in pool.map(one, indices):
            if problem is None:
                wall, code = detail.split()
                slowest = max(slowest, (float(wall), i))
                exits[code] = exits.get(code, 0) + 1
                continue
            os.makedirs(args.failures, exist_ok=True)
            saved = os.path.join(os.path.abspath(args.failures), f"seed{args.seed}-mutant{i}-{os.path.basename(path)}")
            shutil.copyfile(path, saved)
            failures.append(i)
            print(f"FAIL mutant {i} of {os.path.relpath(source)} ({'; '.join(done)}): {problem}")
            for line in detail.splitlines()[:12]:
                print(f"    {line[:300]}")
            print(f"  saved    {saved}")
            print(f"  reproduce  {meshsim} run {saved} --db /tmp/fuzz.db --no-progress --set run.max_events={MAX_EVENTS}")
            print(f"  or         python3 {os.path.relpath(__file__)} --meshsim {meshsim} --seed {args.seed} --only {i}")
    shutil.rmtree(work, ignore_errors=True)
    took = time.monotonic() - started
    codes = ", ".join(f"{n} exit {c}" for c, n in sorted(exits.items()))
    print(f"fuzz: seed {args.seed}, {len(indices)} mutants, {len(failures)} failed, {took:.1f} s "
          f"({codes}; slowest run {slowest[0]:.2f} s, mutant {slowest[1]})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
