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
# Usage: scripts/mpirun.sh -n 2 build/release/meshsim sweep scenarios/quickstart.toml --seeds 1..100
# Extra mpirun options go first, as with mpirun itself. MPIRUN overrides the launcher.
set -euo pipefail
options=(--oversubscribe --bind-to none)
if [[ $(id -u) == 0 ]]; then options+=(--allow-run-as-root); fi
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
exec "${MPIRUN:-mpirun}" "${options[@]}" "$@"
