#!/bin/sh
# A real Slurm on this machine, for the scale-out test (test_slurm.c runs it).
#
# Starts munged, slurmctld and slurmd from Debian's packages as child processes in the
# foreground, with their own key, state and spool under a fresh temporary directory and
# loopback ports picked here (no systemd: proctrack/linuxproc, task/none, select/cons_tres),
# then runs the commands of docs/scale-out.md as written:
#   1. sbatch --array=0-3 of a run against the fake server (one fake per task, started by
#      reval --engine local) and a merge job with --dependency=afterok; the merged results must
#      equal those of the same run unsharded (apart from timings);
#   2. the same again with array task 2 cancelled mid-run (scancel) and resubmitted alone.
# Every wait is bounded; on any exit the jobs are cancelled and every process of this
# cluster (found by the marker in its environment) and the daemons are stopped by pid.
# Exit 0 on success; otherwise the reason is on stderr.
#
# Environment: REVAL_BIN, REVAL_FAKE, REVAL_ROOT (as make test sets them).
set -u
: "${REVAL_BIN:?}" "${REVAL_FAKE:?}" "${REVAL_ROOT:?}"
T=$(mktemp -d /tmp/reval-slurm-XXXXXX) || { echo "slurm: cannot make a temporary directory" >&2; exit 1; }
chmod 755 "$T" # munged wants every directory above its socket searchable by all
MARK="$T"
export REVAL_CLUSTER_MARK="$MARK"
export SLURM_CONF="$T/slurm.conf"
LOG="$T/log"
mkdir -p "$LOG"

say() { echo "slurm: $*" >&2; }

logs() {
	for f in "$LOG"/*; do
		[ -f "$f" ] || continue
		say "--- last lines of $f"
		tail -n 15 "$f" >&2
	done
}

fail() {
	say "FAILED: $*"
	logs
	exit 1
}

# Processes started for this cluster: the daemons by their pid files, and whatever carries
# the marker in its environment (slurmstepd, job scripts, reval, the fake servers).
cluster_pids() {
	for e in /proc/[0-9]*/environ; do
		p=${e#/proc/}
		p=${p%/environ}
		[ "$p" = "$$" ] && continue
		if { tr '\0' '\n' <"$e"; } 2>/dev/null | grep -qxF "REVAL_CLUSTER_MARK=$MARK"; then
			echo "$p"
		fi
	done
}

teardown() {
	trap - EXIT INT TERM
	# The helpers below must not carry the marker themselves.
	unset REVAL_CLUSTER_MARK
	if [ -f "$T/ctld.pid" ]; then
		timeout 10 scancel --quiet --user="$(id -un)" >/dev/null 2>&1
	fi
	for sig in TERM TERM KILL; do
		pids="$(cat "$T"/*.pid 2>/dev/null) $(cluster_pids)"
		alive=""
		for p in $pids; do
			# Never this shell nor its parent (the test).
			[ "$p" = "$$" ] || [ "$p" = "$PPID" ] && continue
			kill -0 "$p" 2>/dev/null && alive="$alive $p"
		done
		[ -z "$alive" ] && break
		kill -s "$sig" $alive 2>/dev/null
		i=0
		while [ $i -lt 20 ]; do
			still=""
			for p in $alive; do kill -0 "$p" 2>/dev/null && still="$still $p"; done
			[ -z "$still" ] && break
			sleep 0.5
			i=$((i + 1))
		done
	done
	left=""
	for p in $(cat "$T"/*.pid 2>/dev/null) $(cluster_pids); do
		[ "$p" = "$$" ] || [ "$p" = "$PPID" ] && continue
		kill -0 "$p" 2>/dev/null && left="$left $p"
	done
	[ -n "$left" ] && say "processes left running:$left"
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap teardown EXIT
trap 'exit 1' INT TERM

# Wait up to $1 seconds for the command in the rest of the arguments to succeed.
wait_for() {
	n=$(( $1 * 2 ))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
		n=$((n - 1))
	done
	return 1
}

for b in munged mungekey munge unmunge slurmctld slurmd sbatch squeue scancel sinfo scontrol python3; do
	command -v "$b" >/dev/null 2>&1 ||
		fail "'$b' is not installed (make deps installs munge, slurmctld, slurmd, slurm-client)"
done

# ---- munge: its own key and socket ----
mkdir -m 700 "$T/munge" && mkdir -m 755 "$T/msock" || fail "cannot make munge's directories"
mungekey --create --keyfile="$T/munge/munge.key" >/dev/null 2>&1 || fail "mungekey cannot make a key"
MSOCK="$T/msock/munge.socket"
munged -F --socket="$MSOCK" --key-file="$T/munge/munge.key" --pid-file="$T/munge/munged.pidfile" \
	--log-file="$LOG/munged.log" --seed-file="$T/munge/seed" >"$LOG/munged.out" 2>&1 &
echo $! >"$T/munged.pid"
check_munge() { munge -n -S "$MSOCK" | unmunge -S "$MSOCK"; }
wait_for 20 check_munge || fail "munged did not start"

# ---- slurm: ports, config, daemons ----
set -- $(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])') || fail "cannot pick ports"
CPORT=$1 DPORT=$2
HOST=$(hostname -s)
mkdir -p "$T/state" "$T/spool" || fail "cannot make slurm's directories"
cat >"$SLURM_CONF" <<CONF
ClusterName=revaltest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CPORT
SlurmdPort=$DPORT
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MSOCK
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/state/slurmctld.pidfile
SlurmdPidFile=$T/spool/slurmd.pidfile
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SlurmdParameters=config_overrides
MailProg=/bin/true
SchedulerType=sched/backfill
SlurmctldTimeout=60
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
MinJobAge=600
NodeName=revalnode NodeHostname=$HOST NodeAddr=127.0.0.1 CPUs=4 RealMemory=1000 State=UNKNOWN
PartitionName=revaltest Nodes=revalnode Default=YES MaxTime=30 State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" >"$LOG/slurmctld.out" 2>&1 &
echo $! >"$T/slurmctld.pid"
cp "$T/slurmctld.pid" "$T/ctld.pid"
slurmd -D -N revalnode -f "$SLURM_CONF" >"$LOG/slurmd.out" 2>&1 &
echo $! >"$T/slurmd.pid"
node_idle() { [ "$(sinfo -h -n revalnode -o %t 2>/dev/null)" = idle ]; }
wait_for 60 node_idle || fail "the node did not come up idle (sinfo: $(sinfo -h -o '%t %E' 2>&1))"

# ---- the run: a toy task, one fake server per array task ----
W="$T/work"
mkdir -p "$W" && cd "$W" || fail "cannot make the work directory"
python3 - "$W" <<'PY' || fail "cannot write the task"
import json, os, sys
w = sys.argv[1]
os.makedirs(f"{w}/data/tasks", exist_ok=True)
os.makedirs(f"{w}/data/sums", exist_ok=True)
with open(f"{w}/data/tasks/sums.json", "w") as f:
    json.dump({"id": "sums", "dataset": "sums/problems.jsonl",
               "fields": {"id": "id", "question": "q", "answer": "a"},
               "prompt": {"template": "Q: {question}\nA:"}, "grader": "exact",
               "sampling": {"n": 2, "temperature": 0.6, "max_tokens": 64},
               "metrics": {"pass_k": [1, 2], "cons_k": [2]}}, f)
with open(f"{w}/data/sums/problems.jsonl", "w") as p, open(f"{w}/answers.jsonl", "w") as a:
    for i in range(40):
        p.write(json.dumps({"id": f"s{i:02d}", "q": f"{i}+{i}", "a": str(2 * i)}) + "\n")
        if i % 3:
            a.write(json.dumps({"prompt": f"Q: {i}+{i}\nA:", "content": str(2 * i)}) + "\n")
PY
mkdir -p "$W/bin" && ln -s "$REVAL_BIN" "$W/bin/reval" && ln -s "$REVAL_ROOT/contrib" "$W/contrib" ||
	fail "cannot link reval and contrib/"
export PATH="$W/bin:$PATH"
export REVAL_ARGS="--task sums --data-dir $W/data --model fake-model --concurrency 1"
export SERVER_CMD="$REVAL_FAKE --port {port} --answers $W/answers.jsonl --delay 150"
export REVAL_MERGE_WAIT=30

# The same run unsharded, outside Slurm, to compare with.
# shellcheck disable=SC2086
timeout 300 reval run --engine "local:$SERVER_CMD" --out "$W/whole" $REVAL_ARGS --concurrency 8 \
	>"$LOG/whole.out" 2>&1 || fail "the unsharded run failed: $(tail -n 3 "$LOG/whole.out")"

# A fenced sh block of docs/scale-out.md, the one after <!-- test: NAME -->.
doc_block() {
	awk -v name="$1" '
		$0 == "<!-- test: " name " -->" { want = 1; next }
		want && /^```sh$/ { inside = 1; next }
		inside && /^```$/ { exit }
		inside { print }' "$REVAL_ROOT/docs/scale-out.md"
}

# Wait for a job (all of its array tasks) to leave the queue; say its final states.
job_done() { [ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]; }
job_states() {
	scontrol -o show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort | uniq -c |
		awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }'
}

compare() {
	python3 - "$W/whole" "$1" <<'PY'
import json, sys
def journal(d):
    out = {}
    for line in open(f"{d}/samples.jsonl"):
        o = json.loads(line)
        k = (o["task"], o["problem"], o["sample"])
        if k in out:
            sys.exit(f"{d}: sample {k} twice")
        out[k] = (o["content"], o["grade"]["correct"], o["grade"]["status"])
    return out
def scores(d):
    t = json.load(open(f"{d}/results.json"))["tasks"]["sums"]
    return {k: t[k] for k in ("metrics", "counts", "complete", "samples", "curves")}
a, b = sys.argv[1], sys.argv[2]
ja, jb = journal(a), journal(b)
if ja != jb:
    sys.exit(f"samples differ: {len(ja)} unsharded, {len(jb)} merged, "
             f"{len(set(ja.items()) ^ set(jb.items()))} differ")
sa, sb = scores(a), scores(b)
if sa != sb:
    sys.exit(f"scores differ:\n{json.dumps(sa)}\n{json.dumps(sb)}")
if not sa["complete"] or sa["counts"]["graded"] != 80:
    sys.exit(f"the unsharded run is not complete: {sa['counts']}")
print(f"identical: {len(ja)} samples, pass@1 {sa['metrics']['pass@1']['value']}")
PY
}

# ---- 1. an array of four and a dependent merge ----
export REVAL_OUT="$W/runs/r1" REVAL_SHARDS=4
doc_block slurm-submit >"$T/submit.sh"
[ -s "$T/submit.sh" ] || fail "docs/scale-out.md has no slurm-submit block"
. "$T/submit.sh" >"$LOG/submit.out" 2>&1 || fail "the documented submission failed: $(cat "$LOG/submit.out")"
[ -n "${array:-}" ] && [ -n "${merge:-}" ] || fail "the documented submission set no \$array and \$merge"
wait_for 300 job_done "$merge" || fail "the merge job $merge did not finish in 300 s (array: $(job_states "$array"))"
st=$(job_states "$array")
[ "$st" = "4 COMPLETED" ] || fail "array $array ended as: $st"
[ "$(job_states "$merge")" = "1 COMPLETED" ] || fail "merge job $merge ended as: $(job_states "$merge")"
for i in 0 1 2 3; do
	n=$(wc -l <"$REVAL_OUT/shard-$i-of-4/samples.jsonl") || fail "no journal for shard $i"
	[ "$n" -eq 20 ] || fail "shard $i journaled $n samples, not 20"
done
compare "$REVAL_OUT/merged" >&2 || fail "array + merge differ from the unsharded run"

# ---- 2. task 2 cancelled mid-run and resubmitted ----
export REVAL_OUT="$W/runs/r2"
# Slower answers, so that task 2 is cancelled with part of its samples done.
export SERVER_CMD="$REVAL_FAKE --port {port} --answers $W/answers.jsonl --delay 700"
. "$T/submit.sh" >"$LOG/submit2.out" 2>&1 || fail "the second submission failed"
j2="$REVAL_OUT/shard-2-of-4/samples.jsonl"
some_done() { [ -f "$j2" ] && [ "$(wc -l <"$j2")" -ge 3 ]; }
wait_for 120 some_done || fail "task 2 wrote no samples in 120 s ($(job_states "$array"))"
scancel "${array}_2" || fail "scancel ${array}_2 failed"
task2_gone() { job_done "${array}_2"; }
wait_for 60 task2_gone || fail "task ${array}_2 did not end after scancel"
before=$(wc -l <"$j2")
[ "$before" -lt 20 ] || fail "task 2 had finished ($before samples) before it was cancelled; nothing was tested"
scontrol -o show job "${array}_2" | grep -q "JobState=CANCELLED" || fail "task 2 is not CANCELLED: $(scontrol -o show job "${array}_2")"
doc_block slurm-resubmit >"$T/resubmit.sh"
[ -s "$T/resubmit.sh" ] || fail "docs/scale-out.md has no slurm-resubmit block"
. "$T/resubmit.sh" >"$LOG/resubmit.out" 2>&1 || fail "the documented resubmission failed: $(cat "$LOG/resubmit.out")"
[ -n "${again:-}" ] && [ -n "${merge:-}" ] || fail "the documented resubmission set no \$again and \$merge"
wait_for 300 job_done "$merge" || fail "the merge job $merge did not finish in 300 s"
[ "$(job_states "$again")" = "1 COMPLETED" ] || fail "resubmitted task $again ended as: $(job_states "$again")"
[ "$(job_states "$merge")" = "1 COMPLETED" ] || fail "merge job $merge ended as: $(job_states "$merge")"
grep -q "samples already finished" "$W/reval-${again}_2.log" ||
	fail "the resubmitted task did not resume its journal: $(cat "$W/reval-${again}_2.log")"
compare "$REVAL_OUT/merged" >&2 || fail "cancelled + resubmitted differ from the unsharded run"
say "ok: $before of 20 samples of task 2 were done when it was cancelled; merged runs equal the unsharded run"
