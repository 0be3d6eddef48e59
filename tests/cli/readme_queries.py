#!/usr/bin/env python3
"""Runs every SQL query documented in a Markdown file against a results database.

Usage: readme_queries.py README.md RESULTS.db

Takes each ```sql block, and each double-quoted SELECT given to `sqlite3` in a ```sh block,
splits them into statements, and runs each on a fresh copy of the database (a block may
delete rows). A statement fails the check when SQLite refuses it, or when a SELECT returns
no row although its comment does not say it is empty when all is well ("Empty when"). So a
documented query on a key or a name that no run has fails, which is the point: the examples
are what users copy first. Prints one line per statement; exits 1 if any failed.
"""
import re
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path


def blocks(markdown):
    """(kind, line number, text) of every ```sql and ```sh block."""
    for m in re.finditer(r"^```(sql|sh)\n(.*?)^```", markdown, flags=re.S | re.M):
        yield m.group(1), markdown.count("\n", 0, m.start()) + 2, m.group(2)


def statements(sql):
    """(comment lines, statement) pairs, in order."""
    comments, current = [], ""
    for line in sql.splitlines(keepends=True):
        if not current.strip() and line.strip().startswith("--"):
            comments.append(line.strip())
            continue
        current += line
        if sqlite3.complete_statement(current):
            yield comments, current.strip()
            comments, current = [], ""
    if current.strip():
        yield comments, current.strip()


def shell_queries(sh):
    """The SELECTs passed to sqlite3 in a shell block (line continuations joined)."""
    joined = sh.replace("\\\n", " ")
    for line in joined.splitlines():
        if "sqlite3" in line:
            for q in re.findall(r'"((?:SELECT|select)[^"]*)"', line):
                yield q


def main():
    readme, db = Path(sys.argv[1]), Path(sys.argv[2])
    checked = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for kind, line, text in blocks(readme.read_text()):
            copy = Path(tmp) / f"copy{line}.db"
            shutil.copyfile(db, copy)
            # Autocommit, as the sqlite3 shell works: VACUUM and PRAGMAs run as written.
            conn = sqlite3.connect(copy, isolation_level=None)
            pairs = list(statements(text)) if kind == "sql" else [([], q) for q in shell_queries(text)]
            for comments, stmt in pairs:
                checked += 1
                first = stmt.splitlines()[0][:70]
                may_be_empty = any("empty when" in c.lower() for c in comments)
                try:
                    rows = conn.execute(stmt).fetchall()
                except sqlite3.Error as e:
                    failed += 1
                    print(f"  FAIL  {readme.name}:{line}: {first}: {e}")
                    continue
                is_query = stmt.lstrip().upper().startswith(("SELECT", "WITH"))
                if is_query and not rows and not may_be_empty:
                    failed += 1
                    print(f"  FAIL  {readme.name}:{line}: {first}: no rows")
                    continue
                print(f"  ok    {readme.name}:{line}: {first} ({len(rows)} rows)")
            conn.close()
    print(f"{checked} statements, {failed} failed")
    if checked == 0:
        print("no SQL found: the extraction is broken")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
