#!/bin/sh
# One part of a SynAPT-sized synthetic set per Slurm array task:
#
#   sbatch --array=0-15 docs/cluster/slurm-synth.sh
#
# Task K of N writes parts/part-K.synapt, holding the clips whose id hashes
# to K (synapt-synth --shard K/N). N is the array's size, SLURM_ARRAY_TASK_COUNT,
# when the array is 0..N-1. To redo failed tasks alone, give N, since such
# an array is smaller than the whole:
#
#   sbatch --array=7 --export=ALL,N=16 docs/cluster/slurm-synth.sh
#
# A part depends on K, N and the options only, so a rerun writes the same
# bytes the first run would have.
#SBATCH --job-name=synapt-synth
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=logs/synth-%a.log
set -eu
K=${SLURM_ARRAY_TASK_ID:?run under sbatch --array, or set SLURM_ARRAY_TASK_ID}
if [ -z "${N:-}" ]; then
    N=${SLURM_ARRAY_TASK_COUNT:?run under sbatch --array, or set SLURM_ARRAY_TASK_COUNT}
    # --array=0-15 has COUNT 16; --array=7 or 0-15:2 do not cover 0..COUNT-1
    if [ "${SLURM_ARRAY_TASK_MIN:-0}" != 0 ] || [ "${SLURM_ARRAY_TASK_MAX:-$((N - 1))}" != $((N - 1)) ]; then
        echo "slurm-synth.sh: this array is not 0-$((N - 1)) (tasks ${SLURM_ARRAY_TASK_MIN}-${SLURM_ARRAY_TASK_MAX}); give the number of parts: --export=ALL,N=..." >&2
        exit 2
    fi
elif [ "$N" != "${SLURM_ARRAY_TASK_COUNT:-$N}" ]; then
    # sbatch exports the submitting shell's environment: say which N won
    echo "slurm-synth.sh: task $K of N=$N parts (N from the environment; this array has ${SLURM_ARRAY_TASK_COUNT} tasks)" >&2
fi
OUT=${SYNAPT_OUT:-parts}
mkdir -p "$OUT"
exec synapt-synth -q --classes "${CLASSES:-150}" --clips-per-class "${CLIPS_PER_CLASS:-1000}" \
    --frames 16 --size 64x64 \
    --split-by actor --actors 40 --threads "${SLURM_CPUS_PER_TASK:-1}" \
    --shard "$K/$N" -o "$OUT/part-$K.synapt"
