#!/usr/bin/env bash
# Wall time of one sweep in one process against the same sweep over 2 MPI ranks
# (app/mpi/README.md has the figures). Each configuration runs REPS times, alternating,
# and the median is printed with the CPU time (user + system) of the median run.
# Usage: scripts/mpi_sweep_timing.sh [SCENARIO] [SEEDS] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/gossip/chaos.toml}
seeds=${2:-1..200}
reps=${3:-3}
meshsim=${MESHSIM:-build/release/meshsim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
configs=("1 process x 1 thread|$meshsim sweep $scenario --seeds $seeds --threads 1"
         "1 process x 2 threads|$meshsim sweep $scenario --seeds $seeds --threads 2"
         "2 ranks x 1 thread|scripts/mpirun.sh -n 2 $meshsim sweep $scenario --seeds $seeds --threads 1")
for ((r = 0; r < reps; r++)); do
  for i in "${!configs[@]}"; do
    cmd=${configs[$i]#*|}
    # GNU time: elapsed and CPU seconds of the command and all its children (every rank).
    /usr/bin/time -f "%e %U %S" -o "$work/t" nice -n 5 $cmd --db "$work/$i-$r.db" >/dev/null 2>"$work/err" ||
      [[ $? == 1 ]] || { cat "$work/err"; exit 1; }
    echo "$(cat "$work/t")" >>"$work/times$i"
  done
done
echo "$scenario, seeds $seeds, medians of $reps ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
for i in "${!configs[@]}"; do
  label=${configs[$i]%%|*}
  sort -n "$work/times$i" | awk -v label="$label" -v n="$reps" '
    { wall[NR] = $1; cpu[NR] = $2 + $3 }
    END { m = int((n + 1) / 2); printf "  %-22s wall %6.2f s   cpu %6.2f s   (all: ", label, wall[m], cpu[m];
          for (k = 1; k <= n; k++) printf "%s%.2f", (k > 1 ? " " : ""), wall[k]; print " s)" }'
done
