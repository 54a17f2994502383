#!/bin/sh
# After the array: check that every part is there and sound, name the tasks
# to rerun if not, and join the parts into one dataset manifest (no byte
# copied). Submit it with a dependency on the array:
#
#   jid=$(sbatch --parsable --array=0-15 docs/cluster/slurm-synth.sh)
#   sbatch --dependency=afterany:$jid --export=ALL,N=16 docs/cluster/slurm-join.sh
#SBATCH --job-name=synapt-join
#SBATCH --time=00:10:00
set -u
N=${N:?set N, the array size}
OUT=${SYNAPT_OUT:-parts}
missing=""
k=0
while [ "$k" -lt "$N" ]; do
    if ! synapt-inspect -q --verify "$OUT/part-$k.synapt" 2> /dev/null; then
        missing="$missing,$k"
    fi
    k=$((k + 1))
done
if [ -n "$missing" ]; then
    echo "parts missing or damaged; rerun: sbatch --array=${missing#,} --export=ALL,N=$N docs/cluster/slurm-synth.sh" >&2
    exit 1
fi
# shellcheck disable=SC2046
exec synapt-merge -q --manifest-only -o "${SYNAPT_MANIFEST:-synapt.synapt.json}" \
    $(k=0; while [ "$k" -lt "$N" ]; do printf '%s ' "$OUT/part-$k.synapt"; k=$((k + 1)); done)
