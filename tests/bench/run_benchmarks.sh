#!/usr/bin/env bash
# Runs the docs/benchmarks.md workloads (PHOLD, Flood) on meshsim and on the ns-3 peers, in the
# same session, and prints medians and the meshsim/ns-3 ratio. Machines here are shared and
# noisy, so runs are interleaved (meshsim, ns-3 PQ, ns-3 Map, then again) rather than
# batched: a slow minute then hurts every peer alike instead of one.
#
# usage: tests/bench/run_benchmarks.sh [--quick] [--sizes N,N..] [--runs K]
#            [--workloads phold,flood] [--events E] [--seed S] [--only meshsim|ns3]
#            [--timeout SECONDS] [--out FILE.jsonl]
# env:   MESHSIM=path/to/meshsim (default build/release/meshsim)
#        MESHSIM_PHOLD_EVENTS_KEY=scenario key for the PHOLD event count, passed with --set
#          only when --events/--quick asks for a count other than the scenario's 10,000,000
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REPORT="$ROOT/tests/bench/bench_report.py"
MESHSIM="${MESHSIM:-build/release/meshsim}"
PHOLD_EVENTS_KEY="${MESHSIM_PHOLD_EVENTS_KEY:-run.max_events}"
NS3_BUILD="build/bench-ns3"
DEFAULT_PHOLD_EVENTS=10000000

runs=3 quick=0 sizes="" workloads="phold,flood" events="" seed=1 only="" timeout_s=0 out=""

usage() { sed -n '7,12p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "run_benchmarks: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --sizes) sizes="${2:?--sizes needs a list}"; shift ;;
    --runs) runs="${2:?--runs needs a count}"; shift ;;
    --workloads) workloads="${2:?--workloads needs a list}"; shift ;;
    --events) events="${2:?--events needs a count}"; shift ;;
    --seed) seed="${2:?--seed needs a value}"; shift ;;
    --only) only="${2:?--only needs meshsim or ns3}"; shift ;;
    --timeout) timeout_s="${2:?--timeout needs seconds}"; shift ;;
    --out) out="${2:?--out needs a file}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
  shift
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
[[ -z "$events" || "$events" =~ ^[1-9][0-9]*$ ]] || die "--events must be a positive integer"
[[ "$seed" =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer"
[[ "$timeout_s" =~ ^[0-9]+$ ]] || die "--timeout must be whole seconds"
[[ -z "$only" || "$only" == meshsim || "$only" == ns3 ]] || die "--only takes meshsim or ns3"
[[ -z "$sizes" || "$sizes" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--sizes is a comma list of integers"

# Sizes from docs/benchmarks.md; --quick keeps the small end so a full pass takes about a minute.
if [[ $quick == 1 ]]; then
  phold_sizes="1000,10000" flood_sizes="10000"
  events="${events:-1000000}"
else
  phold_sizes="1000,10000,100000" flood_sizes="10000,100000,1000000"
fi
events="${events:-$DEFAULT_PHOLD_EVENTS}"
if [[ -n "$sizes" ]]; then phold_sizes="$sizes" flood_sizes="$sizes"; fi

# ---- tools -----------------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  echo "run_benchmarks: /usr/bin/time missing; installing Debian package 'time'" >&2
  if [[ $(id -u) == 0 ]]; then apt-get install -y time >/dev/null; else sudo apt-get install -y time >/dev/null; fi
fi
command -v python3 >/dev/null || die "python3 is needed to read the JSON results"

# ---- peers -----------------------------------------------------------------------------
have_ns3=0
if [[ "$only" != meshsim ]]; then
  if [[ -f /usr/include/ns3/simulator.h ]] || dpkg -s libns3-dev >/dev/null 2>&1; then
    echo "== building the ns-3 peers in $NS3_BUILD" >&2
    # nice: the machine is shared; the build must not steal time from someone's measurement.
    nice -n 10 cmake -S tests/bench/ns3 -B "$NS3_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    nice -n 10 cmake --build "$NS3_BUILD" >/dev/null
    [[ -x "$NS3_BUILD/phold_ns3" && -x "$NS3_BUILD/flood_ns3" ]] && have_ns3=1
  fi
  [[ $have_ns3 == 1 ]] || echo "run_benchmarks: ns-3 not available (apt-get install libns3-dev); meshsim only" >&2
fi
have_meshsim=0
if [[ "$only" != ns3 ]]; then
  if [[ -x "$MESHSIM" ]]; then have_meshsim=1
  else echo "run_benchmarks: $MESHSIM not found (build it, or set MESHSIM=...); ns-3 only" >&2; fi
fi
[[ $have_ns3 == 1 || $have_meshsim == 1 ]] || die "nothing to run"

# ---- runs ------------------------------------------------------------------------------
mkdir -p build/bench-results
out="${out:-build/bench-results/$(date +%Y%m%d-%H%M%S).jsonl}"
: > "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# run_one WORKLOAD N PEER SCHEDULER RUN -- COMMAND...: one measured run, appended to $out.
run_one() {
  local wl="$1" n="$2" peer="$3" sched="$4" k="$5"; shift 6
  local rc=0 limit=()
  [[ $timeout_s -gt 0 ]] && limit=(timeout "$timeout_s")
  printf '  %-5s N=%-8s %-8s %-9s run %s ... ' "$wl" "$n" "$peer" "$sched" "$k" >&2
  "${limit[@]}" /usr/bin/time -v -o "$tmp/time" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
  python3 "$REPORT" record --workload "$wl" --nodes "$n" --peer "$peer" --scheduler "$sched" \
    --run "$k" --rc "$rc" --stdout "$tmp/stdout" --time "$tmp/time" --append "$out" >&2
  if [[ $rc != 0 ]]; then sed 's/^/    | /' "$tmp/stderr" | tail -n 5 >&2; fi
}

phold_meshsim_args=()
[[ "$events" != "$DEFAULT_PHOLD_EVENTS" ]] && phold_meshsim_args=(--set "$PHOLD_EVENTS_KEY=$events")

echo "== results -> $out (runs=$runs, phold events=$events, seed=$seed)" >&2
IFS=, read -ra wl_list <<< "$workloads"
for wl in "${wl_list[@]}"; do
  case "$wl" in
    phold) IFS=, read -ra ns <<< "$phold_sizes" ;;
    flood) IFS=, read -ra ns <<< "$flood_sizes" ;;
    *) die "unknown workload: $wl" ;;
  esac
  for n in "${ns[@]}"; do
    for ((k = 1; k <= runs; k++)); do
      if [[ $have_meshsim == 1 ]]; then
        extra=(); [[ $wl == phold ]] && extra=("${phold_meshsim_args[@]}")
        run_one "$wl" "$n" meshsim - "$k" -- "$MESHSIM" run "scenarios/bench/$wl.toml" \
          --set "topology.nodes=$n" --seed "$seed" "${extra[@]}" --json --db "$tmp/bench.db"
        rm -f "$tmp"/bench.db*   # a fresh database per run: no run pays for an earlier one
      fi
      if [[ $have_ns3 == 1 ]]; then
        if [[ $wl == phold ]]; then
          run_one phold "$n" ns3 priority "$k" -- "$NS3_BUILD/phold_ns3" "$n" "$events" "$seed" priority
          run_one phold "$n" ns3 map "$k" -- "$NS3_BUILD/phold_ns3" "$n" "$events" "$seed" map
        else
          run_one flood "$n" ns3 priority "$k" -- "$NS3_BUILD/flood_ns3" "$n" "$seed" priority
        fi
      fi
    done
  done
done

echo >&2
python3 "$REPORT" table "$out"
