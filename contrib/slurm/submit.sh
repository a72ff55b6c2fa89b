#!/bin/sh
# Submit a sharded reval run and its merge: submit.sh N  (settings as for reval-array.sbatch)
# Prints the array job id and the merge job id.
set -eu
n=${1:?usage: submit.sh SHARDS}
here=$(dirname "$0")
export REVAL_SHARDS="$n"
array=$(sbatch --parsable --array=0-$((n - 1)) "$here/reval-array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" "$here/reval-merge.sbatch")
echo "array $array"
echo "merge ${merge%%;*}"
