#!/bin/sh
# make bench: runs every bench/bench_*.sh in turn.  Each prints its own
# figures; none asserts on time.  REVAL_BIN, REVAL_FAKE and REVAL_BUILD come
# from the Makefile.
set -u
here=$(dirname "$0")
status=0
for b in "$here"/bench_*.sh; do
	[ -e "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	sh "$b" || status=1
	echo
done
exit $status
