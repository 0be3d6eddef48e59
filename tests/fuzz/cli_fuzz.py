#!/usr/bin/env python3
"""Command-line and database fuzzer for meshsim.

Drives the meshsim binary the way scripts and CI jobs do, with random arguments (--set,
--seeds, --threads, paths) against results databases in awkward states (fresh, locked by
another process, read-only, on a full disk, damaged, foreign, empty, a folder, shared by
concurrent writers). Every case must end in a documented exit code (0, 1, 2, 4 or 5) — never a
signal, a sanitizer report, exit 3 or a hang — and must leave the database consistent:
a bad-input exit (2) writes no row; every run that reports a run id is in the database
as finished; no row stays 'running' once its process is gone.

Deterministic from --seed. Usage:
  cli_fuzz.py MESHSIM ROOT [--seed N] [--count N] [--keep DIR]
"""
import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

ALLOWED = {0, 1, 2, 4, 5}  # 5: inconclusive, a verdict like 0 and 1
TIMEOUT_S = 120

TINY = """[run]
duration = "500ms"
[topology]
kind = "random-regular"
nodes = 30
degree = 4
[network]
latency = { kind = "uniform", min = "1ms", max = "5ms" }
[protocol]
name = "gossip"
rumors = 1
[metrics]
interval = "5ms"
[expect]
residue = "== 0"
"""

KEYS = ["run.duration", "run.seed", "run.name", "run.max_events", "topology.nodes", "topology.degree",
        "topology.kind", "network.loss", "network.latency", "network.duplicate", "protocol.name",
        "protocol.fanout", "protocol.rumors", "metrics.interval", "expect.residue", "expect.failure",
        "faults", "chaos.crash_rate", "nosuch.key", "run", "", ".", "a..b", "run.duration.x"]
VALUES = ['"1s"', '"0s"', '"-1s"', '"9999999999h"', '"2562048h"', "0", "-1", "1e300", "nan", "inf",
          "18446744073709551616", "9223372036854775807", '"gossip"', '"raft"', "\\q", 'a"""b', "'''", '"',
          "[1, 2]", "{ kind = \"constant\", value = \"1ms\" }", "true", "", "x" * 5000, "\u00e9\u4e2d",
          "0.5", "1.0000001", '"0..5"', '"4294967297"', "[[1]]", "\\\\", "${HOME}", "`id`", "\n"]
SEEDS = ["1..3", "7", "1,5,9", "-3..-1", "5..1", "18446744073709551614..18446744073709551615",
         "18446744073709551616", "1..", "..5", "", ",", "1,,2", "a..b", "1...3", " 1..2", "0..0",
         "1..2000000", "3,3,3", "0x10", "1e3", "+5"]
THREADS = ["1", "2", "0", "-1", "100000", "4294967296", "two", "", "1.5"]


class Case:
    def __init__(self, rng, work, root, index):
        self.rng, self.work, self.root, self.index = rng, work, root, index
        self.dir = os.path.join(work, f"case{index}")
        os.makedirs(self.dir)
        self.scenario = os.path.join(self.dir, "tiny.toml")
        with open(self.scenario, "w") as f:
            f.write(TINY)
        self.db = os.path.join(self.dir, "runs.db")
        self.holder = None
        self.mount = None
        self.state = "fresh"

    # --- database states ---------------------------------------------------------------
    def prepare_db(self, meshsim):
        r = self.rng
        self.state = r.choice(["fresh", "existing", "existing", "locked", "readonly", "damaged", "foreign",
                               "empty", "folder", "full", "concurrent"])
        if self.state in ("existing", "locked", "readonly", "damaged", "concurrent"):
            subprocess.run([meshsim, "run", self.scenario, "--db", self.db, "--seed", "99"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT_S)
        if self.state == "locked":
            # Another program holds the write lock for a while; the case waits at most 1 s.
            self.holder = subprocess.Popen(["sqlite3", self.db], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, text=True)
            self.holder.stdin.write("BEGIN EXCLUSIVE;\nSELECT 1;\n")
            self.holder.stdin.flush()
        elif self.state == "readonly":
            os.chmod(self.db, 0o444)
        elif self.state == "damaged":
            size = os.path.getsize(self.db)
            with open(self.db, "r+b") as f:
                for off in range(4096, size, 4096 * r.randint(1, 4)):
                    f.seek(off + r.randint(0, 3000))
                    f.write(bytes(r.randrange(256) for _ in range(r.randint(1, 500))))
        elif self.state == "foreign":
            con = sqlite3.connect(self.db)
            con.execute("CREATE TABLE mine (a)")
            con.commit()
            con.close()
        elif self.state == "empty":
            open(self.db, "w").close()
        elif self.state == "folder":
            os.makedirs(self.db)
        elif self.state == "full":
            full = os.path.join(self.dir, "full")
            os.makedirs(full)
            ok = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={r.choice([64, 200, 400])}k", "tmpfs", full],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
            if ok:
                self.mount = full
                self.db = os.path.join(full, "runs.db")
            else:
                self.state = "fresh"

    def release(self):
        if self.holder:
            try:
                self.holder.stdin.write("COMMIT;\n")
                self.holder.stdin.close()
            except BrokenPipeError:
                pass
            self.holder.wait(timeout=TIMEOUT_S)
            self.holder = None

    def cleanup(self):
        self.release()
        if self.mount:
            subprocess.run(["umount", self.mount], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.mount = None

    # --- command lines -----------------------------------------------------------------
    def path(self):
        r = self.rng
        if r.random() < 0.75:
            return self.scenario
        return r.choice([ os.path.join(self.dir, "missing.toml"), self.dir, "/dev/null",
                         os.path.join(self.dir, "x" * 300, "y.toml"), "/" + "a/" * 2100 + "b.toml",
                         os.path.join(self.dir, "new\nline.toml"), os.path.join(self.root, "scenarios/quickstart.toml")])

    def command(self, meshsim):
        r = self.rng
        sub = r.choice(["run"] * 6 + ["sweep"] * 3 + ["check", "list", "show", "export", "import", "protocols", "bogus"])
        args = [meshsim, sub]
        if sub in ("run", "sweep"):
            args.append(self.path())
        if sub == "check":
            args.append(r.choice([self.dir, self.scenario, os.path.join(self.dir, "none")]))
        if sub in ("show", "export"):
            args.append(r.choice(["1", "2", "0", "-1", "99999999999999999999", "x"]))
        if sub == "export":
            args += ["--csv", r.choice([os.path.join(self.dir, "csv"), self.scenario, "/proc/self"])]
        if sub == "import":
            args.append(r.choice([self.db, self.scenario, os.path.join(self.dir, "none.db")]))
        if sub != "protocols" and r.random() < 0.95:
            args += ["--db", self.db]
        if sub in ("run", "sweep", "check"):
            for _ in range(r.choice([0, 0, 0, 0, 1, 1, 2, 3])):
                args += ["--set", f"{r.choice(KEYS)}={r.choice(VALUES)}"]
            if r.random() < 0.5:
                args += ["--db-wait", r.choice(["0", "1", "-1", "1e9", "x"])]
        if sub == "run" and r.random() < 0.5:
            args += ["--seed", r.choice(["1", "0", "-1", "18446744073709551615", "18446744073709551616", "x"])]
        if sub == "run" and r.random() < 0.3:
            args.append("--json")
        if sub == "sweep":
            args += ["--seeds", r.choice(SEEDS) if r.random() < 0.5 else "1..3"]
        if sub in ("sweep", "check") and r.random() < 0.7:
            args += ["--threads", r.choice(THREADS)]
        if sub in ("run", "sweep", "check"):
            # Valid mutants may make big runs (quickstart with 16 M nodes); capping events,
            # last so no random --set undoes it, keeps a case short without hiding bad input.
            args += ["--set", "run.max_events=200000"]
        return sub, args


def rows(db, table="runs", where=""):
    if not os.path.isfile(db):
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        n = con.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]
        con.close()
        return n
    except (sqlite3.Error, UnicodeDecodeError):
        # A damaged file can garble the schema's own text, which Python then cannot decode.
        return None


def check_case(case, meshsim):
    """Returns a list of problems (empty when the case passed)."""
    case.prepare_db(meshsim)
    sub, args = case.command(meshsim)
    before = rows(case.db)
    env = dict(os.environ, TMPDIR=case.dir, ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    procs = []
    copies = 4 if case.state == "concurrent" and sub == "run" else 1
    if case.state == "locked" and "--db-wait" not in args and sub in ("run", "sweep", "check"):
        args += ["--db-wait", "1"]
    for _ in range(copies):
        procs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env))
    problems = []
    outputs = []
    for p in procs:
        try:
            out, err = p.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            problems.append(f"hang: no exit within {TIMEOUT_S} s")
        text = out.decode(errors="replace") + err.decode(errors="replace")
        outputs.append(text)
        code = p.returncode
        if code < 0:
            problems.append(f"killed by signal {signal.Signals(-code).name}")
        elif code not in ALLOWED:
            problems.append(f"exit {code}")
        for marker in ("AddressSanitizer", "UndefinedBehaviorSanitizer", "runtime error:", "LeakSanitizer",
                       "terminate called"):
            if marker in text:
                problems.append(f"'{marker}' in the output")
        if code == 2 and sub == "run" and copies == 1:
            after = rows(case.db)
            if after is not None and before is not None and after != before:
                problems.append(f"exit 2 but the runs table went from {before} to {after} rows")
            if before is None and after is not None and after > 0:
                problems.append("exit 2 but a fresh database got rows")
    case.release()
    running = rows(case.db, "runs", "WHERE status = 'running'")
    if running:
        problems.append(f"{running} row(s) left 'running' after every process exited")
    case.codes = [p.returncode for p in procs]
    return sub, args, problems, outputs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("meshsim")
    ap.add_argument("root")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--keep", help="folder to keep failing cases in")
    ap.add_argument("--verbose", action="store_true", help="count cases by command and database state")
    o = ap.parse_args()
    rng = random.Random(o.seed)
    work = tempfile.mkdtemp(prefix="meshsim_cli_fuzz_")
    failures = 0
    seen = {}  # (command, exit code) -> count: shows what the cases reached
    try:
        for i in range(o.count):
            case = Case(rng, work, o.root, i)
            try:
                sub, args, problems, outputs = check_case(case, o.meshsim)
            finally:
                case.cleanup()
            key = (sub, f"{case.state} exit {case.codes[0]}")
            seen[key] = seen.get(key, 0) + 1
            if problems:
                failures += 1
                print(f"FAIL case {i} (db {case.state}): {'; '.join(sorted(set(problems)))}")
                print("  command: " + " ".join(repr(a) if (" " in a or not a) else a for a in args[1:])[:2000])
                print("  output: " + outputs[0][-1500:].replace("\n", "\n          "))
                if o.keep:
                    dest = os.path.join(o.keep, f"case{i}")
                    shutil.copytree(case.dir, dest, dirs_exist_ok=True, symlinks=True)
                    print(f"  kept in {dest}")
            shutil.rmtree(case.dir, ignore_errors=True)
    finally:
        subprocess.run(["chmod", "-R", "u+rwx", work], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    if o.verbose:
        for (sub, state), n in sorted(seen.items()):
            print(f"  {sub:10} db {state:10} {n}")
    print(f"cli fuzz seed {o.seed}: {o.count - failures} of {o.count} cases passed")
    print(f"  reproduce: {sys.argv[0]} {o.meshsim} {o.root} --seed {o.seed} --count {o.count}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
