#!/bin/sh
# Every metric for synthetic journals of 100,000 and 1,000,000 samples: the
# R1 shape (64 samples per problem) and a many-samples shape (1,000 per
# problem), then the R1 shape again with 5% of the samples graded twice,
# which makes the tally read the journal a second time.  Time, peak memory
# and the tally's bytes per sample; nothing is asserted.
set -eu
b=${REVAL_BUILD:-build}/bench/metrics_bench
"$b" 1563 64
"$b" 15625 64
"$b" 100 1000
"$b" 1000 1000
"$b" 15625 64 1 0.05
