#!/bin/sh
# Every metric for synthetic runs of 100,000 and 1,000,000 samples: the R1
# shape (64 samples per problem) and a many-samples shape (1,000 per
# problem).  Time and peak memory; nothing is asserted.
set -eu
b=${REVAL_BUILD:-build}/bench/metrics_bench
"$b" 1563 64
"$b" 15625 64
"$b" 100 1000
"$b" 1000 1000
