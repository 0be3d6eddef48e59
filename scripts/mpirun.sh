#!/usr/bin/env bash
# mpirun with the options meshsim's tests and docs need on this kind of machine:
#   --oversubscribe        more ranks than cores (CI runners and laptops have 2);
#   --allow-run-as-root    containers and CI often run as root, which Open MPI refuses
#                          without it (only added when we are root);
#   --bind-to none         Open MPI binds each rank to a core by default; with threads in
#                          each rank (--threads) that would pin them all onto one core;
#   OMPI_MCA_btl_vader_single_copy_mechanism=none: the shared-memory transport's single
#                          copy (CMA) needs ptrace rights that many containers withhold;
#                          without it large messages fail there. Copying twice costs
#                          nothing measurable for meshsim's messages.
#   OMPI_MCA_mpi_yield_when_idle=1: a rank waiting in a collective (a partitioned run's
#                          window end) yields its core instead of spinning on it; on a
#                          machine shared with other work a spinning rank steals the core
#                          the rank it waits for needs (PHOLD 10^5 over 2 ranks: 20 s
#                          wall spinning, 10 s yielding, under the same load).
#
# Ctrl-C: mpirun answers SIGINT by killing every rank a second later (and cannot be told
# to forward it), which cuts a sweep short before rank 0 has gathered the other ranks'
# runs. So mpirun runs in a session of its own, out of the terminal's reach, and this
# script passes SIGINT / SIGTERM on to the ranks (mpirun's children) itself: they stop as
# a single meshsim process would, rank 0 gathers and records what was run, and the exit
# code is 130 / 143. A second Ctrl-C is passed on too, and quits at once.
#
# Usage: scripts/mpirun.sh -n 2 build/release/meshsim sweep scenarios/quickstart.toml --seeds 1..100
# Extra mpirun options go first, as with mpirun itself. MPIRUN overrides the launcher.
set -uo pipefail
options=(--oversubscribe --bind-to none)
if [[ $(id -u) == 0 ]]; then options+=(--allow-run-as-root); fi
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
setsid "${MPIRUN:-mpirun}" "${options[@]}" "$@" &
launcher=$!
pass_on() {
  local ranks
  ranks=$(pgrep -P "$launcher") && kill "-$1" $ranks 2>/dev/null
}
trap 'pass_on INT' INT
trap 'pass_on TERM' TERM
# wait returns early when a trapped signal arrives: wait again until mpirun has ended.
while :; do
  wait "$launcher"
  code=$?
  kill -0 "$launcher" 2>/dev/null || exit "$code"
done
