#!/bin/sh
# One job of a cluster job array: computes shard PROCESS+1 of N of a grid with `spey batch --shard`.
#
#   shard.sh PROCESS N GRID BASE OUTDIR
#
# PROCESS is the 0-based index the batch system gives the job ($(Process) in HTCondor,
# $SLURM_ARRAY_TASK_ID in Slurm). The shard's results go to OUTDIR/shard-K-of-N.jsonl; a job that
# is re-run (after a kill, an eviction, a time limit) resumes from that file. When all N are done:
#
#   spey merge OUTDIR/shard-*-of-N.jsonl --grid GRID -o results.jsonl
#
# SPEY (default "spey") is the command; SPEY_WORKERS (default 1) the worker threads per job.
set -eu
PROCESS=$1
N=$2
GRID=$3
BASE=$4
OUT=$5
mkdir -p "$OUT"
# shellcheck disable=SC2086  # SPEY may be a command with arguments (e.g. "npx spey")
exec ${SPEY:-spey} batch "$GRID" --base "$BASE" --shard "$((PROCESS + 1))/$N" \
  --workers "${SPEY_WORKERS:-1}" --no-progress -o "$OUT/shard-$((PROCESS + 1))-of-$N.jsonl"
