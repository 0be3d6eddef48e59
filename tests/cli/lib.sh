# Shared by the command-line test files (tests/cli/*_tests.sh), sourced after setting
# MESHSIM (the binary) and ROOT (the source tree). Gives WORK (a scratch folder removed at
# exit), pass/fail counters, expect_exit, expect_bad_scenario, and finish (prints the count, exits non-zero on
# any failure).
set -uo pipefail
WORK=$(mktemp -d)
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$ROOT"
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "  ok    $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL  $1"; [[ -n "${2:-}" ]] && echo "$2" | sed 's/^/        /'; }

# expect_exit NAME CODE PATTERN CMD...: runs CMD, checks its exit code and that its
# combined output matches PATTERN (grep -E).
expect_exit() {
  local name=$1 code=$2 pattern=$3
  shift 3
  local out
  out=$("$@" 2>&1)
  local got=$?
  if [[ $got != "$code" ]]; then fail "$name (exit $got, wanted $code)" "$out"; return; fi
  if [[ -n "$pattern" ]] && ! grep -qE -- "$pattern" <<<"$out"; then fail "$name (output lacks /$pattern/)" "$out"; return; fi
  pass "$name"
}

# rows DB TABLE: the number of rows in TABLE, or "none" when DB does not exist.
rows() { if [[ -e "$1" ]]; then sqlite3 "$1" "select count(*) from $2"; else echo none; fi; }

# True in the ASan + UBSan build, where slow whole-suite checks run on a smaller set.
sanitized() { [[ "$MESHSIM" == *sanitize* ]]; }

# expect_bad_scenario HEAD NAME PATTERN LINES...: the scenario HEAD (printf text) plus
# LINES, one a line, must exit 2 with PATTERN in its output and add no run to $DB.
expect_bad_scenario() {
  local head=$1 name=$2 pattern=$3
  shift 3
  local f="$WORK/bad.toml"
  printf "$head" >"$f"
  printf '%s\n' "$@" >>"$f"
  local before
  before=$(rows "$DB" runs)
  expect_exit "$name" 2 "$pattern" "$MESHSIM" run "$f" --db "$DB" --no-progress
  [[ $(rows "$DB" runs) == "$before" ]] || fail "$name wrote a run"
}

finish() {
  echo "$passed passed, $failed failed"
  [[ $failed == 0 ]]
}
