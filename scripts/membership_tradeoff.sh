#!/usr/bin/env bash
# The false-positive / detection-time trade-off table of protocols/membership/README.md:
# each detector swept over its main parameter on scenarios/membership/tradeoff.toml, SEEDS
# seeds each (default 1..10), the mean over seeds of each metric printed as a Markdown table.
# Usage: scripts/membership_tradeoff.sh [MESHSIM] [SEEDS]
set -euo pipefail
MESHSIM=${1:-build/release/meshsim}
SEEDS=${2:-1..10}
DB=$(mktemp -d)/tradeoff.db
SCENARIO=scenarios/membership/tradeoff.toml

row() {  # row LABEL SET...: one sweep, one table row
  local label=$1
  shift
  local sets=()
  for s in "$@"; do sets+=(--set "$s"); done
  "$MESHSIM" sweep "$SCENARIO" --seeds "$SEEDS" --threads 1 --db "$DB" "${sets[@]}" >/dev/null || true
  python3 - "$DB" "$label" <<'PY'
import sqlite3, sys
db, label = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
sweep = c.execute("select max(sweep_id) from sweeps").fetchone()[0]
def mean(name):
    v = c.execute("select avg(s.value) from scalars s join sweep_runs r on r.run_id = s.run_id "
                  "where r.sweep_id = ? and s.name = ?", (sweep, name)).fetchone()[0]
    return v
def sec(name):
    v = mean(name)
    return "—" if v is None else f"{v / 1e9:.2f} s"
fp = mean("membership_false_positives_per_node_hour")
msgs = mean("membership_messages_per_node_per_s")
print(f"| {label} | {fp:.1f} | {sec('membership_detect_suspicion_ns_p50')} | {sec('membership_detect_failure_ns_p50')} | "
      f"{sec('membership_detect_failure_ns_max')} | {sec('membership_detect_all_ns_p50')} | {msgs:.1f} |")
PY
}

echo "| detector and parameter | false positives / node / hour | crash → first suspicion (p50) | crash → first failure (p50) | (max) | crash → all know (p50) | messages / node / s |"
echo "|---|---|---|---|---|---|---|"
for t in 20ms 50ms 100ms 150ms; do
  row "fixed-timeout, ping_timeout = $t" protocol.detector='"fixed-timeout"' protocol.ping_timeout="\"$t\""
done
for t in 0s 250ms 500ms 1s 2s 4s; do
  row "SWIM q = 1, suspicion_timeout = $t" protocol.suspicion_timeout="\"$t\""
done
for t in 1 3 8 16; do
  row "phi accrual, phi_threshold = $t (4 monitors)" protocol.detector='"phi"' protocol.phi_threshold=$t
done
row "phi accrual, phi_threshold = 8, suspicion_timeout = 0s" protocol.detector='"phi"' protocol.suspicion_timeout='"0s"'
row "phi accrual, phi_threshold = 3, q = 2 of 4 monitors" protocol.detector='"phi"' protocol.phi_threshold=3 protocol.quorum=2
for q in 2 3 5; do
  row "SWIM q = $q, suspicion_timeout = 1s" protocol.quorum=$q
done
