#!/usr/bin/env bash
# Stop what tests/slurm/start_cluster.sh DIR started: cancel the cluster's jobs, then end each
# daemon listed in DIR/pids by its process id (TERM, then KILL after 10 s). Safe to run twice.
set -uo pipefail

DIR=${1:?usage: stop_cluster.sh DIR}
[[ -f $DIR/pids ]] || exit 0

if [[ -f $DIR/slurm.conf ]]; then
    SLURM_CONF=$DIR/slurm.conf timeout 10 scancel --full --quiet "--user=$(id -un)" 2>/dev/null || true
fi

# Reverse start order: slurmd, slurmctld, then munged (the others need it to shut down cleanly).
mapfile -t lines < <(tac "$DIR/pids")
for line in "${lines[@]}"; do
    read -r name pid <<<"$line"
    [[ $pid =~ ^[0-9]+$ ]] || continue
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$name ($pid) ignored TERM; killing" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
done
: >"$DIR/pids"

# The configless-cache link start_cluster.sh made, only if it still points at this cluster.
if [[ -f $DIR/run-conf-link && $(readlink /run/slurm/conf 2>/dev/null) == "$DIR" ]]; then
    rm -f /run/slurm/conf
    rmdir /run/slurm 2>/dev/null || true
fi
