#!/usr/bin/env bash
# Frame rates of the live window (`meshsim view --frames N`), the figures of issue 10's
# targets: 1,000 nodes at 60 frames/s, 100,000 nodes still usable (>= 15). Each case runs
# K times (interleaved, so a busy minute hurts every case alike) and the medians are
# printed: frames per second, and the median frame's split into simulate / build (our
# code) / render (the GL driver). An 8-node scenario is measured as the floor: what the
# driver costs for an almost empty window on this machine.
# Wall-clock frame rates swing with whatever else the machine runs; the last column is
# steadier: CPU time per frame, all threads (the software GL driver's included), from the
# difference between a run of N frames and one of N/5 (so start-up cancels out).
#
# usage: tests/bench/viz_frame_rates.sh [--runs K] [--frames N]
# env:   MESHSIM=path/to/meshsim (default build/release/meshsim); needs xvfb-run unless
#        DISPLAY is set. Without a GPU, Mesa's llvmpipe renders in software.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MESHSIM="${MESHSIM:-build/release/meshsim}"
runs=5 frames=120
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --frames) frames="$2"; shift ;;
    *) echo "usage: $0 [--runs K] [--frames N]" >&2; exit 2 ;;
  esac
  shift
done
display=()
[[ -n "${DISPLAY:-}" ]] || display=(xvfb-run -a -s "-screen 0 1600x1000x24")

cases=(
  "floor: 8 nodes (raft leader_crash)|scenarios/raft/leader_crash.toml"
  "1,000-node flood|scenarios/bench/flood.toml --set topology.nodes=1000"
  "400-node torus (partition_heal)|scenarios/examples/partition_heal.toml"
  "100,000-node flood|scenarios/bench/flood.toml --set topology.nodes=100000"
)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((r = 1; r <= runs; r++)); do
  for c in "${cases[@]}"; do
    name=${c%%|*} args=${c#*|}
    cpu=()
    for n in $((frames / 5)) "$frames"; do
      # shellcheck disable=SC2086
      report=$("${display[@]}" /usr/bin/time -f "cpu %U %S" "$MESHSIM" view $args --frames "$n" 2>&1) || { echo "$name: view failed" >&2; echo "$report" >&2; exit 1; }
      cpu+=("$(awk '/^cpu /{print $2 + $3}' <<<"$report")")
    done
    cpu_ms=$(awk -v a="${cpu[0]}" -v b="${cpu[1]}" -v n="$frames" 'BEGIN{printf "%.1f", (b - a) * 1000 / (n - n / 5)}')
    fps=$(sed -n 's/^frames: .*(\([0-9.]*\) fps)$/\1/p' <<<"$report")
    split=$(sed -n 's/^frame time, median \/ 90th percentile: simulate \([0-9.]*\) \/ [0-9.]* ms, build \([0-9.]*\) \/ [0-9.]* ms, render \([0-9.]*\) .*/\1 \2 \3/p' <<<"$report")
    echo "$name|$fps|$split $cpu_ms" >>"$out"
  done
done
python3 - "$out" "$runs" "$frames" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, fps, split = line.rstrip("\n").split("|")
    s = [float(x) for x in split.split()]
    rows.setdefault(name, []).append((float(fps), *s))
print(f"meshsim view, {sys.argv[3]} frames, median of {sys.argv[2]} runs")
print(f"{'case':38} {'fps':>6} {'simulate ms':>12} {'build ms':>9} {'render ms':>10} {'CPU ms/frame':>13}")
for name, r in rows.items():
    med = [statistics.median(col) for col in zip(*r)]
    print(f"{name:38} {med[0]:6.1f} {med[1]:12.1f} {med[2]:9.1f} {med[3]:10.1f} {med[4]:13.1f}")
PY
