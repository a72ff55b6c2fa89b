/*
 * The sandbox's seccomp filters as programs: what each answers for every
 * system call number, and how long it takes to answer.  The kernel runs a
 * filter once per system call number when it is installed (to cache the
 * numbers it always allows), and every runner and candidate installs one, so
 * the rules are a tree of numbers, not a list.  Run here by a small classic
 * BPF interpreter, with the arguments 0.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

#include "graders/code/sandbox/seccomp.h"

/* The filter's answer for syscall nr on x86-64 (arguments 0), and in *steps
 * how many instructions it ran; 0xffffffff for a malformed program. */
static unsigned run_filter(const struct strbuf *bpf, int nr, int *steps)
{
	const struct sock_filter *insn = (const void *)bpf->buf;
	size_t n = bpf->len / sizeof(*insn);
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64};
	unsigned a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	*steps = 0;
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &insn[pc];
		++*steps;
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k + 4 > sizeof(d))
				return 0xffffffff;
			memcpy(&a, (const char *)&d + i->k, 4);
			break;
		case BPF_LD | BPF_IMM:
			a = i->k;
			break;
		case BPF_LD | BPF_MEM:
			a = mem[i->k % BPF_MEMWORDS];
			break;
		case BPF_LDX | BPF_IMM:
			x = i->k;
			break;
		case BPF_LDX | BPF_MEM:
			x = mem[i->k % BPF_MEMWORDS];
			break;
		case BPF_ST:
			mem[i->k % BPF_MEMWORDS] = a;
			break;
		case BPF_STX:
			mem[i->k % BPF_MEMWORDS] = x;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= i->k;
			break;
		case BPF_ALU | BPF_OR | BPF_K:
			a |= i->k;
			break;
		case BPF_MISC | BPF_TAX:
			x = a;
			break;
		case BPF_MISC | BPF_TXA:
			a = x;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & i->k) ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_RET | BPF_A:
			return a;
		default:
			return 0xffffffff;
		}
	}
	return 0xffffffff;
}

static void export(enum sbx_filter kind, struct strbuf *bpf)
{
	struct strbuf err = STRBUF_INIT;
	cr_assert_eq(sbx_seccomp_export(kind, bpf, &err), 0, "%s", err.buf);
	strbuf_release(&err);
}

/* The most instructions any system call number takes to reach an answer. */
static int longest_path(const struct strbuf *bpf)
{
	int most = 0;
	for (int nr = 0; nr < 512; nr++) {
		int steps;
		cr_assert_neq(run_filter(bpf, nr, &steps), 0xffffffff, "no answer for %d", nr);
		most = steps > most ? steps : most;
	}
	return most;
}

Test(seccomp, the_candidate_filter_answers_what_it_should)
{
	struct strbuf bpf = STRBUF_INIT;
	export(SBX_FILTER_CANDIDATE, &bpf);
	int steps;
	cr_expect_eq(run_filter(&bpf, SYS_read, &steps), SECCOMP_RET_ALLOW);
	cr_expect_eq(run_filter(&bpf, SYS_clone, &steps), SECCOMP_RET_ALLOW);
	cr_expect_eq(run_filter(&bpf, SYS_mount, &steps), SECCOMP_RET_KILL_PROCESS);
	cr_expect_eq(run_filter(&bpf, SYS_umount2, &steps), SECCOMP_RET_KILL_PROCESS);
	cr_expect_eq(run_filter(&bpf, SYS_unshare, &steps), SECCOMP_RET_KILL_PROCESS);
	cr_expect_eq(run_filter(&bpf, SYS_setns, &steps), SECCOMP_RET_KILL_PROCESS);
	cr_expect_eq(run_filter(&bpf, SYS_shmget, &steps), SECCOMP_RET_ERRNO | ENOSYS);
	cr_expect_eq(run_filter(&bpf, SYS_mq_open, &steps), SECCOMP_RET_ERRNO | ENOSYS);
	strbuf_release(&bpf);
}

Test(seccomp, the_worker_filter_answers_what_it_should)
{
	struct strbuf bpf = STRBUF_INIT;
	export(SBX_FILTER_WORKER, &bpf);
	int steps;
	cr_expect_eq(run_filter(&bpf, SYS_read, &steps), SECCOMP_RET_ALLOW);
	cr_expect_eq(run_filter(&bpf, SYS_mount, &steps), SECCOMP_RET_ALLOW);
	cr_expect_eq(run_filter(&bpf, SYS_ptrace, &steps), SECCOMP_RET_KILL_PROCESS);
	cr_expect_eq(run_filter(&bpf, SYS_bpf, &steps), SECCOMP_RET_KILL_PROCESS);
	cr_expect_eq(run_filter(&bpf, SYS_clone3, &steps), SECCOMP_RET_ERRNO | ENOSYS);
	/* unshare(0) and socket(AF_UNSPEC = 0): the argument rules run too. */
	cr_expect_eq(run_filter(&bpf, SYS_unshare, &steps), SECCOMP_RET_KILL_PROCESS);
	cr_expect_eq(run_filter(&bpf, SYS_socket, &steps), SECCOMP_RET_KILL_PROCESS);
	strbuf_release(&bpf);
}

/* A list of n rules takes up to n comparisons for a number it does not
 * name (27 and 78 instructions here); a tree, about log2(n), plus the
 * argument rules of the one number reached (the worker's clone checks its
 * flags one by one). */
Test(seccomp, every_number_is_answered_in_a_few_steps)
{
	struct strbuf cand = STRBUF_INIT, worker = STRBUF_INIT;
	export(SBX_FILTER_CANDIDATE, &cand);
	export(SBX_FILTER_WORKER, &worker);
	int c = longest_path(&cand), w = longest_path(&worker);
	cr_expect_leq(c, 16, "the candidate filter takes up to %d instructions", c);
	cr_expect_leq(w, 40, "the worker filter takes up to %d instructions", w);
	strbuf_release(&cand);
	strbuf_release(&worker);
}
