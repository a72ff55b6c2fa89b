#include "reports/results/gate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/model/identity.h"
#include "harness/base/util.h"

static void add_note(struct gate_result *g, char *note)
{
	g->notes = xrealloc(g->notes, (g->nnotes + 1) * sizeof(char *));
	g->notes[g->nnotes++] = note;
}

/* ---- Refusals: what makes two runs incomparable ---- */

/* The task ids to gate, in the baseline's order. */
static enum reval_err select_tasks(const struct rs_run *base, const struct rs_run *cand,
				   const struct gate_opts *o, struct gate_result *g,
				   const char ***ids, size_t *nids)
{
	*ids = xcalloc(base->ntasks + o->ntasks + 1, sizeof(char *));
	*nids = 0;
	if (o->ntasks) {
		for (size_t i = 0; i < o->ntasks; i++) {
			const struct rs_run *miss = !runset_task(base, o->tasks[i])   ? base
						    : !runset_task(cand, o->tasks[i]) ? cand
										      : NULL;
			if (miss) {
				diag("task '%s' is not in the %s run '%s'", o->tasks[i],
				     miss == base ? "baseline" : "candidate", miss->dir);
				return RV_EINPUT;
			}
			(*ids)[(*nids)++] = o->tasks[i];
		}
		return RV_OK;
	}
	size_t only_base = 0, only_cand = 0;
	for (size_t i = 0; i < base->ntasks; i++) {
		if (runset_task(cand, base->tasks[i].id))
			(*ids)[(*nids)++] = base->tasks[i].id;
		else
			only_base++;
	}
	for (size_t i = 0; i < cand->ntasks; i++)
		only_cand += !runset_task(base, cand->tasks[i].id);
	if (!*nids) {
		diag("the baseline '%s' and the candidate '%s' share no task", base->dir,
		     cand->dir);
		return RV_EMISMATCH;
	}
	if (only_base || only_cand) {
		char *msg = xasprintf("the runs have different tasks: %zu only in the baseline, %zu "
				      "only in the candidate",
				      only_base, only_cand);
		if (!o->force) {
			diag("%s (gate a common subset with --task, or --force to gate the %zu "
			     "shared tasks)",
			     msg, *nids);
			free(msg);
			return RV_EMISMATCH;
		}
		add_note(g, msg);
	}
	return RV_OK;
}

static long missing_samples(const struct rs_task *t)
{
	double m = rs_count(t, "missing");
	if (m >= 0)
		return (long)m;
	long k = 0;
	for (size_t j = 0; j < t->nprobs; j++)
		for (int i = 0; i < t->n; i++)
			k += t->probs[j].slots[i].state == RS_MISSING;
	return k;
}

static enum reval_err check_complete(const struct rs_run *r, const char *role,
				     const char *const *ids, size_t nids)
{
	if (!r->has_journal) {
		diag("the %s run '%s' has no samples.jsonl: problems cannot be paired", role,
		     r->dir);
		return RV_EINPUT;
	}
	for (size_t i = 0; i < nids; i++) {
		const struct rs_task *t = runset_task(r, ids[i]);
		long missing = missing_samples(t);
		if (missing > 0) {
			diag("the %s run '%s' is incomplete: task '%s' has %ld of %.0f samples "
			     "missing (rerun the same 'reval run' command to finish it)",
			     role, r->dir, t->id, missing, rs_count(t, "planned"));
			return RV_EINPUT;
		}
	}
	return RV_OK;
}

static void differ(struct strbuf *sb, const char *task, const char *what, const char *a,
		   const char *b)
{
	strbuf_addf(sb, "\n  task '%s': %s differs (baseline %s, candidate %s)", task, what,
		    a ? a : "unknown", b ? b : "unknown");
}

static size_t unpaired(const struct rs_task *x, const struct rs_task *y)
{
	size_t k = 0;
	for (size_t j = 0; j < x->nprobs; j++)
		k += !runset_problem(y, x->probs[j].id);
	return k;
}

static enum reval_err check_same(const struct rs_run *base, const struct rs_run *cand,
				 const char *const *ids, size_t nids, const struct gate_opts *o,
				 struct gate_result *g)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < nids; i++) {
		const struct rs_task *a = runset_task(base, ids[i]), *b = runset_task(cand, ids[i]);
		struct identity_diffs d = {0};
		identity_compare_task(a->id, a, b, rs_task_identity, IDENTITY_GATE, 0, &d);
		for (size_t k = 0; k < d.n; k++)
			strbuf_addf(&sb, "\n  %s differs (baseline %s, candidate %s)", d.d[k].what,
				    d.d[k].a, d.d[k].b);
		identity_diffs_release(&d);
		if (a->n != b->n) {
			char na[16], nb[16];
			snprintf(na, sizeof(na), "%d", a->n);
			snprintf(nb, sizeof(nb), "%d", b->n);
			differ(&sb, a->id, "samples per problem", na, nb);
		}
		size_t ua = unpaired(a, b), ub = unpaired(b, a);
		if (ua || ub)
			strbuf_addf(&sb,
				    "\n  task '%s': different problems (%zu only in the baseline, "
				    "%zu only in the candidate)",
				    a->id, ua, ub);
	}
	enum reval_err err = RV_OK;
	if (sb.len && !o->force) {
		diag("refusing to compare '%s' with '%s':%s\n(--force compares them anyway, on "
		     "the problems they share)",
		     base->dir, cand->dir, sb.buf);
		err = RV_EMISMATCH;
	} else if (sb.len) {
		add_note(g, xasprintf("compared despite differences (--force):%s", sb.buf));
	}
	strbuf_release(&sb);
	return err;
}

/* ---- Verdicts ---- */

static double floor_metric(const struct rs_task *t, const char *metric)
{
	if (!strcmp(metric, "score")) {
		double v, lo, hi;
		return rs_task_score(t, &v, &lo, &hi) ? NAN : v;
	}
	return rs_metric(t, metric);
}

static double task_max_drop(const struct gate_opts *o, const char *id)
{
	for (size_t i = 0; i < o->ndrops; i++)
		if (!strcmp(o->drops[i].task, id))
			return o->drops[i].points;
	return o->max_drop;
}

static void judge(struct gate_task *gt, const struct rs_task *b, const struct gate_opts *o,
		  struct strbuf *why)
{
	double drop = -100.0 * gt->cmp.diff;
	gt->max_drop = task_max_drop(o, gt->id);
	if (gt->cmp.pairs && drop > gt->max_drop && gt->cmp.p_worse < o->alpha) {
		strbuf_addf(why, "%sregression: -%.1f pts (tolerance %.1f), p = %.3g under alpha %.3g",
			    why->len ? "; " : "", drop, gt->max_drop, gt->cmp.p_worse, o->alpha);
		gt->failed |= GATE_REGRESSED;
	}
	for (size_t f = 0; f < o->nfloors; f++) {
		const struct gate_floor *fl = &o->floors[f];
		if (fl->task && strcmp(fl->task, gt->id))
			continue;
		double v = floor_metric(b, fl->metric);
		if (isnan(v) || v >= fl->value)
			continue;
		strbuf_addf(why, "%s%s %.1f%% under the floor %.1f%%", why->len ? "; " : "",
			    fl->metric, 100 * v, 100 * fl->value);
		gt->failed |= GATE_FLOOR;
	}
	if (gt->infra_rate > o->max_infra) {
		strbuf_addf(why, "%sinfrastructure errors %.2f%% of samples (allowed %.2f%%)",
			    why->len ? "; " : "", 100 * gt->infra_rate, 100 * o->max_infra);
		gt->failed |= GATE_INFRA;
	}
	if (gt->cand_unfinished > gt->base_unfinished) {
		/* More timed-out generations change what the score measures, whatever it did. */
		strbuf_addf(why, "%sunfinished generations rose from %.0f to %.0f",
			    why->len ? "; " : "", gt->base_unfinished, gt->cand_unfinished);
		gt->failed = 1;
	}
	if (!gt->failed && gt->cand_unfinished != gt->base_unfinished)
		strbuf_addf(why, "unfinished generations fell from %.0f to %.0f; ",
			    gt->base_unfinished, gt->cand_unfinished);
	if (!gt->failed) {
		if (drop > gt->max_drop)
			strbuf_addf(why, "pass (drop not significant, p = %.3g)", gt->cmp.p_worse);
		else
			strbuf_adds(why, "pass");
	}
}

static enum reval_err check_floors(const struct gate_opts *o, const struct rs_run *cand,
				   const char *const *ids, size_t nids)
{
	for (size_t f = 0; f < o->nfloors; f++) {
		const struct gate_floor *fl = &o->floors[f];
		size_t used = 0;
		for (size_t i = 0; i < nids; i++) {
			if (fl->task && strcmp(fl->task, ids[i]))
				continue;
			used += !isnan(floor_metric(runset_task(cand, ids[i]), fl->metric));
		}
		if (!used) {
			diag("--min %s%s%s=%g applies to no gated task (no task reports '%s')",
			     fl->task ? fl->task : "", fl->task ? ":" : "", fl->metric, fl->value,
			     fl->metric);
			return RV_EUSAGE;
		}
	}
	return RV_OK;
}

/* A task's own tolerance must name a gated task, once. */
static enum reval_err check_drops(const struct gate_opts *o, const char *const *ids, size_t nids)
{
	for (size_t d = 0; d < o->ndrops; d++) {
		const struct gate_drop *dr = &o->drops[d];
		size_t i = 0;
		while (i < nids && strcmp(dr->task, ids[i]))
			i++;
		if (i == nids) {
			diag("--max-drop %s:%g applies to no gated task", dr->task, dr->points);
			return RV_EUSAGE;
		}
		for (size_t e = 0; e < d; e++)
			if (!strcmp(o->drops[e].task, dr->task)) {
				diag("--max-drop names task '%s' twice", dr->task);
				return RV_EUSAGE;
			}
	}
	return RV_OK;
}

enum reval_err gate_check(const struct rs_run *base, const struct rs_run *cand,
			  const struct gate_opts *opts, struct gate_result *out)
{
	memset(out, 0, sizeof(*out));
	out->opts = *opts;
	out->baseline = xstrdup(base->label);
	out->candidate = xstrdup(cand->label);
	const char **ids = NULL;
	size_t nids = 0;
	enum reval_err err = select_tasks(base, cand, opts, out, &ids, &nids);
	if (!err)
		err = check_complete(base, "baseline", ids, nids);
	if (!err)
		err = check_complete(cand, "candidate", ids, nids);
	if (!err)
		err = check_same(base, cand, ids, nids, opts, out);
	if (!err)
		err = check_floors(opts, cand, ids, nids);
	if (!err)
		err = check_drops(opts, ids, nids);
	if (err)
		goto out;
	out->tasks = xcalloc(nids, sizeof(struct gate_task));
	for (size_t i = 0; i < nids; i++) {
		const struct rs_task *a = runset_task(base, ids[i]), *b = runset_task(cand, ids[i]);
		struct gate_task *gt = &out->tasks[out->ntasks++];
		gt->id = xstrdup(a->id);
		gt->metric = xstrdup(a->primary);
		double lo, hi;
		if (rs_task_score(a, &gt->base_score, &lo, &hi))
			gt->base_score = NAN;
		if (rs_task_score(b, &gt->cand_score, &lo, &hi))
			gt->cand_score = NAN;
		double planned = rs_count(b, "planned"), infra = rs_count(b, "infra_error");
		gt->infra_rate = planned > 0 && infra > 0 ? infra / planned : 0;
		gt->base_unfinished = fmax(rs_count(a, "unfinished"), 0);
		gt->cand_unfinished = fmax(rs_count(b, "unfinished"), 0);
		double *ra, *rb;
		size_t n;
		runset_pair(a, b, &ra, &rb, &n);
		compare_paired(ra, rb, NULL, n, &gt->cmp);
		free(ra);
		free(rb);
		struct strbuf why = STRBUF_INIT;
		judge(gt, b, opts, &why);
		gt->verdict = strbuf_detach(&why);
		out->failures += gt->failed != 0;
		for (int k = 0; k < 3; k++)
			out->failed_by[k] += (gt->failed >> k) & 1;
	}
out:
	free(ids);
	return err;
}

void gate_result_release(struct gate_result *g)
{
	for (size_t i = 0; i < g->ntasks; i++) {
		free(g->tasks[i].id);
		free(g->tasks[i].metric);
		free(g->tasks[i].verdict);
	}
	free(g->tasks);
	for (size_t i = 0; i < g->nnotes; i++)
		free(g->notes[i]);
	free(g->notes);
	free(g->baseline);
	free(g->candidate);
	memset(g, 0, sizeof(*g));
}

enum reval_err gate_parse_floor(const char *spec, struct gate_floor *out)
{
	memset(out, 0, sizeof(*out));
	const char *eq = strrchr(spec, '=');
	const char *colon = strchr(spec, ':');
	if (colon && eq && colon > eq)
		colon = NULL;
	const char *metric = colon ? colon + 1 : spec;
	if (!eq || eq == metric || !eq[1] || (colon && colon == spec)) {
		diag("--min wants [TASK:]METRIC=VALUE, e.g. avg@8=0.5 or aime24:pass@1=40%%, not "
		     "'%s'",
		     spec);
		return RV_EUSAGE;
	}
	char *num = xstrdup(eq + 1);
	size_t len = strlen(num);
	int percent = len && num[len - 1] == '%';
	if (percent)
		num[len - 1] = '\0';
	double v;
	int bad = parse_double(num, &v);
	free(num);
	if (!bad && percent)
		v /= 100;
	if (bad || !(v >= 0 && v <= 1)) {
		diag("--min '%s': the value must be a fraction from 0 to 1 or a percentage", spec);
		return RV_EUSAGE;
	}
	out->task = colon ? xstrndup(spec, (size_t)(colon - spec)) : NULL;
	out->metric = xstrndup(metric, (size_t)(eq - metric));
	out->value = v;
	return RV_OK;
}

enum reval_err gate_parse_drop(const char *spec, struct gate_drop *out)
{
	memset(out, 0, sizeof(*out));
	const char *colon = strrchr(spec, ':');
	const char *num = colon ? colon + 1 : spec;
	double v;
	if ((colon && colon == spec) || parse_double(num, &v) || !(v >= 0 && v <= 100)) {
		diag("--max-drop wants [TASK:]POINTS, percentage points from 0 to 100 (e.g. 2 or "
		     "aime24:5), not '%s'",
		     spec);
		return RV_EUSAGE;
	}
	out->task = colon ? xstrndup(spec, (size_t)(colon - spec)) : NULL;
	out->points = v;
	return RV_OK;
}
