#!/bin/sh
# make layers: every #include must point down the layers, never up.
#
#   sh tests/layers/check.sh [ROOT]
#
# Each folder below may include only the folders listed after it (and
# itself); a folder not listed here is free (tests, bench).  Only
# harness/net includes libcurl, and nothing includes harness/cli but
# harness/cli.  Prints one line per wrong arrow, "FILE:LINE: includes
# TARGET (LAYER may use only ...)", and exits 1 if there is any.
set -eu
root=${1:-.}
cd "$root"

allowed() {
	case "$1" in
	harness/base/*) echo "harness/base" ;;
	harness/model/*) echo "harness/base harness/model" ;;
	harness/net/*) echo "harness/base harness/net" ;;
	harness/engine/*) echo "harness/base harness/model harness/net harness/engine" ;;
	harness/pipeline/*) echo "harness/base harness/model harness/net harness/engine harness/pipeline graders reports" ;;
	harness/serve/*) echo "harness/base harness/model harness/serve graders" ;;
	harness/cli/*) echo "harness graders reports" ;;
	graders/code/sandbox/*) echo "harness/base graders/code/sandbox" ;;
	graders/*) echo "harness/base harness/model graders" ;;
	reports/stats/*) echo "harness/base reports/stats" ;;
	reports/results/*) echo "harness/base harness/model reports/stats reports/results" ;;
	reports/render/*) echo "harness/base harness/model reports/stats reports/results reports/render" ;;
	*) echo "" ;;
	esac
}

bad=0
for f in $(find harness graders reports -name '*.[ch]' -not -path '*/zygote/*' | sort); do
	layers=$(allowed "$f")
	dir=${f%/*}
	grep -n '^[[:space:]]*#[[:space:]]*include' "$f" | while IFS= read -r line; do
		n=${line%%:*}
		rest=${line#*:}
		case "$rest" in
		*'<curl/'*)
			case "$f" in harness/net/*) ;; *)
				echo "$f:$n: includes libcurl (only harness/net may)"; echo bad ;;
			esac
			continue ;;
		*'"'*) ;;
		*) continue ;;
		esac
		target=${rest#*\"}
		target=${target%%\"*}
		case "$target" in */*) ;; *)
			echo "$f:$n: includes \"$target\" without its path from the root"; echo bad; continue ;;
		esac
		case "$target" in harness/cli/*)
			case "$f" in harness/cli/*) ;; *)
				echo "$f:$n: includes $target (nothing but harness/cli includes harness/cli)"; echo bad; continue ;;
			esac ;;
		esac
		ok=0
		for l in $layers; do
			case "$target" in "$l"/*) ok=1 ;; esac
		done
		case "$target" in "$dir"/*) ok=1 ;; esac
		if [ $ok = 0 ]; then
			echo "$f:$n: includes $target (${dir} may use only: $layers)"
			echo bad
		fi
	done
done >"${TMPDIR:-/tmp}/reval-layers.$$"
out="${TMPDIR:-/tmp}/reval-layers.$$"
grep -v '^bad$' "$out" || true
if grep -q '^bad$' "$out"; then
	rm -f "$out"
	echo "layers: wrong arrows above" >&2
	exit 1
fi
rm -f "$out"
echo "layers: every include points down"
