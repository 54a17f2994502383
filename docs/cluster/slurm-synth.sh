#!/bin/sh
# One part of a SynAPT-sized synthetic set per Slurm array task:
#
#   sbatch --array=0-15 docs/cluster/slurm-synth.sh
#
# Task K of N writes parts/part-K.synapt, holding the clips whose id hashes
# to K (synapt-synth --shard K/N). Run the array again with --array=K to
# redo one failed task: a part depends on K, N and the options only.
#SBATCH --job-name=synapt-synth
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=logs/synth-%a.log
set -eu
K=${SLURM_ARRAY_TASK_ID:?run under sbatch --array, or set SLURM_ARRAY_TASK_ID}
N=${SLURM_ARRAY_TASK_COUNT:?run under sbatch --array, or set SLURM_ARRAY_TASK_COUNT}
OUT=${SYNAPT_OUT:-parts}
mkdir -p "$OUT"
exec synapt-synth -q --classes "${CLASSES:-150}" --clips-per-class "${CLIPS_PER_CLASS:-1000}" \
    --frames 16 --size 64x64 \
    --split-by actor --actors 40 --threads "${SLURM_CPUS_PER_TASK:-1}" \
    --shard "$K/$N" -o "$OUT/part-$K.synapt"
