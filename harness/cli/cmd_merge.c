/*
 * reval merge: the shards of one run into the run itself.
 *
 * Each DIR is a run directory or an output holding shard-I-of-N run
 * directories (what --shard auto writes).  Before anything is written the
 * shards must be one run: the same settings, one count N, every index from 0
 * to N-1 exactly once, each shard finished (its results.json complete), and
 * no sample in two shards.  Every missing, duplicated or unfinished shard is
 * named.  With --wait SECONDS, missing and unfinished shards are waited for
 * (a merge Job that starts beside its shards, a file system that shows
 * files late); a settings mismatch fails at once.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness/base/json.h"
#include "harness/cli/cmd.h"
#include "harness/model/identity.h"
#include "harness/model/journal.h"
#include "harness/model/sample.h"
#include "harness/pipeline/config.h"
#include "harness/pipeline/fingerprint.h"
#include "harness/pipeline/run.h"
#include "harness/pipeline/shard.h"

#define WAIT_STEP_MS 1000 /* between looks at the shards while waiting */

struct shard {
	char *dir;
	cJSON *config;  /* its config.json */
	int index;      /* I of I/N; 0 of 1 for a run without --shard */
	int count;      /* N */
	int complete;   /* results.json says every task is complete */
};

struct shard_set {
	struct shard *v;
	size_t n, cap;
	struct strbuf waiting; /* what is not there yet, for the message */
	int mismatch;          /* a difference waiting cannot mend */
};

static int is_file(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	struct stat st;
	int ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return ok;
}

static void set_release(struct shard_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].dir);
		cJSON_Delete(s->v[i].config);
	}
	free(s->v);
	strbuf_release(&s->waiting);
	memset(s, 0, sizeof(*s));
}

/* Are all tasks of a shard's results.json complete? */
static int results_complete(const char *dir)
{
	if (!is_file(dir, "results.json"))
		return 0;
	char *p = path_join(dir, "results.json");
	char *text = NULL;
	int ok = 0;
	if (!read_file(p, 1 << 28, &text, NULL)) {
		cJSON *doc = cJSON_Parse(text);
		const cJSON *t;
		ok = doc != NULL;
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(doc, "tasks"))
			ok &= cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "complete"));
		cJSON_Delete(doc);
	}
	free(text);
	free(p);
	return ok;
}

static enum reval_err add_shard(struct shard_set *s, const char *dir)
{
	cJSON *doc;
	char *cpath = path_join(dir, "config.json");
	enum reval_err err = json_load_file(cpath, "run configuration", &doc);
	free(cpath);
	if (err) {
		s->mismatch = 1;
		return err;
	}
	struct shard sh = {.dir = xstrdup(dir), .config = doc, .index = 0, .count = 1};
	const char *spec = json_str(cJSON_GetObjectItemCaseSensitive(doc, "flags"), "shard");
	if (spec && shard_parse(spec, &sh.index, &sh.count)) {
		diag("cannot merge '%s': its config.json has a bad shard", dir);
		s->mismatch = 1;
		free(sh.dir);
		cJSON_Delete(doc);
		return RV_EINPUT;
	}
	sh.complete = results_complete(dir);
	grow_array((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = sh;
	return RV_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One DIR argument: a run directory, or an output with shard-I-of-N run directories. */
static enum reval_err scan_arg(struct shard_set *s, const char *arg)
{
	if (is_file(arg, "config.json"))
		return add_shard(s, arg);
	DIR *d = opendir(arg);
	if (!d) {
		if (errno != ENOENT) {
			diag("cannot read '%s': %s", arg, strerror(errno));
			s->mismatch = 1;
			return RV_EIO;
		}
		strbuf_addf(&s->waiting, "%s'%s' does not exist", s->waiting.len ? "; " : "", arg);
		return RV_OK;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int i, c;
		if (shard_dir_parse(e->d_name, &i, &c))
			continue;
		grow_array((void **)&names, &cap, n + 1, sizeof(*names));
		names[n++] = path_join(arg, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	enum reval_err err = RV_OK;
	for (size_t i = 0; i < n; i++) {
		if (!err && is_file(names[i], "config.json"))
			err = add_shard(s, names[i]);
		else if (!err)
			strbuf_addf(&s->waiting, "%s'%s' has not started", s->waiting.len ? "; " : "",
				    names[i]);
		free(names[i]);
	}
	free(names);
	if (!err && !n)
		strbuf_addf(&s->waiting, "%s'%s' holds no run (config.json) and no shard-I-of-N",
			    s->waiting.len ? "; " : "", arg);
	return err;
}

/* Shards of one run agree on everything but the shard itself (harness/model/identity.h). */
static enum reval_err same_run(const cJSON *a, const cJSON *b, const char *da, const char *db,
			       int force)
{
	const cJSON *ta = cJSON_GetObjectItemCaseSensitive(a, "tasks");
	const cJSON *tb = cJSON_GetObjectItemCaseSensitive(b, "tasks");
	int same_tasks = cJSON_GetArraySize(ta) == cJSON_GetArraySize(tb);
	for (int i = 0; same_tasks && i < cJSON_GetArraySize(ta); i++) {
		const char *x = json_str(cJSON_GetArrayItem(ta, i), "id");
		const char *y = json_str(cJSON_GetArrayItem(tb, i), "id");
		same_tasks = x && y && !strcmp(x, y);
	}
	if (!same_tasks) {
		diag("cannot merge '%s' and '%s': they ran different tasks", da, db);
		return RV_EMISMATCH;
	}
	struct identity_diffs d = {0};
	identity_compare_run(a, b, IDENTITY_MERGE, force, &d);
	for (int i = 0; i < cJSON_GetArraySize(ta); i++) {
		const cJSON *x = cJSON_GetArrayItem(ta, i);
		identity_compare_task(json_str(x, "id"), x, cJSON_GetArrayItem(tb, i), NULL,
				      IDENTITY_MERGE, force, &d);
	}
	if (d.n)
		diag("cannot merge '%s' and '%s': %s differs (%s, %s)", da, db, d.d[0].what,
		     d.d[0].a, d.d[0].b);
	enum reval_err err = d.n ? RV_EMISMATCH : RV_OK;
	identity_diffs_release(&d);
	/* --limit decides which problems there are: shards of other limits are not one run. */
	const cJSON *la = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "flags"),
							   "limit");
	const cJSON *lb = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "flags"),
							   "limit");
	if (!err && (la || lb) && !cJSON_Compare(la, lb, 1)) {
		diag("cannot merge '%s' and '%s': --limit differs", da, db);
		err = RV_EMISMATCH;
	}
	return err;
}

/*
 * Are the shards one run, all there, each once and finished?  RV_EMISMATCH (and
 * s->mismatch) for what waiting cannot mend, said at once; RV_EINPUT with
 * s->waiting filled for what may still come (missing or unfinished shards),
 * said only when say.
 */
static enum reval_err check_set(struct shard_set *s, int force, int say)
{
	enum reval_err err = RV_OK;
	for (size_t i = 1; i < s->n && !err; i++)
		err = same_run(s->v[0].config, s->v[i].config, s->v[0].dir, s->v[i].dir, force);
	int count = s->n ? s->v[0].count : 0;
	for (size_t i = 1; i < s->n && !err; i++)
		if (s->v[i].count != count) {
			diag("cannot merge '%s' (shard %d of %d) and '%s' (shard %d of %d): the shard "
			     "counts differ",
			     s->v[0].dir, s->v[0].index, s->v[0].count, s->v[i].dir, s->v[i].index,
			     s->v[i].count);
			err = RV_EMISMATCH;
		}
	if (err) {
		s->mismatch = 1;
		return err;
	}
	/* Every index given twice, each named once with all its directories. */
	for (size_t i = 0; i < s->n; i++) {
		size_t first = 0;
		while (s->v[first].index != s->v[i].index)
			first++;
		if (first != i)
			continue;
		struct strbuf dirs = STRBUF_INIT;
		int times = 0;
		for (size_t j = i; j < s->n; j++)
			if (s->v[j].index == s->v[i].index) {
				strbuf_addf(&dirs, "%s'%s'", times++ ? " and " : "", s->v[j].dir);
			}
		if (times > 1) {
			diag("cannot merge: shard %d of %d is given %s: %s", s->v[i].index, count,
			     times == 2 ? "twice" : "more than once", dirs.buf);
			err = RV_EMISMATCH;
		}
		strbuf_release(&dirs);
	}
	struct strbuf missing = STRBUF_INIT, running = STRBUF_INIT;
	for (int k = 0; k < count; k++) {
		size_t i = 0;
		while (i < s->n && s->v[i].index != k)
			i++;
		if (i == s->n)
			strbuf_addf(&missing, "%s%d", missing.len ? ", " : "", k);
		else if (!s->v[i].complete)
			strbuf_addf(&running, "%s'%s'", running.len ? ", " : "", s->v[i].dir);
	}
	if (missing.len)
		strbuf_addf(&s->waiting, "%smissing shard%s %s of %d", s->waiting.len ? "; " : "",
			    strchr(missing.buf, ',') ? "s" : "", missing.buf, count);
	if (running.len)
		strbuf_addf(&s->waiting, "%sunfinished (samples missing or failed; rerun them): %s",
			    s->waiting.len ? "; " : "", running.buf);
	strbuf_release(&missing);
	strbuf_release(&running);
	if (err) {
		/* Duplicates cannot be waited away; say what is missing as well. */
		if (s->waiting.len)
			diag("cannot merge: %s", s->waiting.buf);
		s->mismatch = 1;
		return err;
	}
	if (!s->waiting.len && !s->n)
		strbuf_adds(&s->waiting, "no runs given");
	if (s->waiting.len) {
		if (say)
			diag("cannot merge: %s", s->waiting.buf);
		return RV_EINPUT;
	}
	return RV_OK;
}

static enum reval_err scan(struct shard_set *s, char **args, int nargs, int force, int say)
{
	enum reval_err err = RV_OK;
	set_release(s);
	for (int i = 0; i < nargs && !err; i++)
		err = scan_arg(s, args[i]);
	if (!err)
		err = check_set(s, force, say);
	else if (!s->mismatch && say && s->waiting.len)
		diag("cannot merge: %s", s->waiting.buf);
	return err;
}

/* ---- the journals, each sample once ---- */

struct key {
	char *key;    /* task \x1f problem \x1f sample */
	size_t shard; /* index into the set */
};

struct gather {
	struct strbuf all;
	struct key *keys;
	size_t nkeys, cap;
	size_t shard;
	const char *journal; /* the shard's journal being read, for messages */
	struct fingerprint_check fc; /* each line against the first shard's config.json */
	int force;
};

static enum reval_err append_line(void *ud, const cJSON *obj, long line)
{
	struct gather *g = ud;
	/* A bad line is named in its shard, not later in the merged journal. */
	struct sample s;
	const char *why;
	int bad = sample_from_json(&s, obj, &why);
	sample_release(&s);
	if (bad) {
		diag("cannot read journal '%s' line %ld: %s", g->journal, line, why);
		return RV_EINPUT;
	}
	char key[32];
	if (!g->force && fingerprint_check_line(&g->fc, obj, key, sizeof(key))) {
		diag("cannot merge: journal '%s' line %ld (task '%s') was made with another %s than "
		     "the shards' config.json says (a mixed journal); --force merges it anyway",
		     g->journal, line, json_str(obj, "task"), key);
		return RV_EMISMATCH;
	}
	json_append(&g->all, obj);
	strbuf_addch(&g->all, '\n');
	grow_array((void **)&g->keys, &g->cap, g->nkeys + 1, sizeof(*g->keys));
	g->keys[g->nkeys].key = xasprintf("%s\x1f%s\x1f%.0f", json_str(obj, "task") ? json_str(obj, "task") : "",
					  json_str(obj, "problem") ? json_str(obj, "problem") : "",
					  json_num(obj, "sample", -1));
	g->keys[g->nkeys++].shard = g->shard;
	return RV_OK;
}

static int by_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

/* A sample journaled by two shards means they were not disjoint. */
static enum reval_err disjoint(struct gather *g, const struct shard_set *s)
{
	qsort(g->keys, g->nkeys, sizeof(*g->keys), by_key);
	for (size_t i = 1; i < g->nkeys; i++) {
		const struct key *a = &g->keys[i - 1], *b = &g->keys[i];
		if (!strcmp(a->key, b->key) && a->shard != b->shard) {
			char *k = xstrdup(a->key);
			for (char *p = k; *p; p++)
				if (*p == '\x1f')
					*p = '/';
			diag("cannot merge: sample %s is in both '%s' and '%s' (the shards overlap)", k,
			     s->v[a->shard].dir, s->v[b->shard].dir);
			free(k);
			return RV_EMISMATCH;
		}
	}
	return RV_OK;
}

static int by_index(const void *a, const void *b)
{
	const struct shard *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/* Take --wait SECONDS (merge's own) out of argv; -1 when absent. */
static enum reval_err take_wait(int *argc, char **argv, long *wait_s)
{
	*wait_s = -1;
	for (int i = 1; i < *argc; i++) {
		const char *val = NULL;
		int used = 1;
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--wait")) {
			if (i + 1 >= *argc) {
				diag("option '--wait' needs a value");
				return RV_EUSAGE;
			}
			val = argv[i + 1];
			used = 2;
		} else if (!strncmp(argv[i], "--wait=", 7)) {
			val = argv[i] + 7;
		} else {
			continue;
		}
		if (parse_long(val, wait_s) || *wait_s < 0) {
			diag("--wait wants whole seconds, not '%s'", val);
			return RV_EUSAGE;
		}
		memmove(&argv[i], &argv[i + used], (size_t)(*argc - i - used + 1) * sizeof(*argv));
		*argc -= used;
		i--;
	}
	return RV_OK;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

enum reval_err cmd_merge(int argc, char **argv)
{
	struct config cfg;
	struct run r;
	char **pos = NULL;
	int npos = 0;
	long wait_s;
	struct shard_set set = {.waiting = STRBUF_INIT};
	struct gather g = {.all = STRBUF_INIT};
	memset(&r, 0, sizeof(r));
	config_init(&cfg);
	enum reval_err err = take_wait(&argc, argv, &wait_s);
	if (!err)
		err = config_parse_args(&cfg, "merge", argc, argv, &pos, &npos);
	char *out = cfg.out ? xstrdup(cfg.out) : NULL;
	int force = cfg.force == 1;
	if (!err && (npos < 1 || !out)) {
		diag("usage: reval merge DIR... --out DIR [--wait SECONDS]");
		err = RV_EUSAGE;
	}
	if (!err) {
		double deadline = now_ms() + (double)(wait_s > 0 ? wait_s : 0) * 1000.0;
		int said = 0;
		while ((err = scan(&set, pos, npos, force, now_ms() >= deadline)) && !set.mismatch &&
		       now_ms() < deadline) {
			if (!said++)
				diag("waiting up to %ld s for the shards: %s", wait_s, set.waiting.buf);
			sleep_ms(WAIT_STEP_MS);
		}
	}
	if (!err)
		qsort(set.v, set.n, sizeof(*set.v), by_index);
	g.force = force;
	fingerprint_check_init(&g.fc, set.n ? set.v[0].config : NULL);
	for (size_t i = 0; !err && i < set.n; i++) {
		char *jpath = path_join(set.v[i].dir, "samples.jsonl");
		long torn = 0;
		g.shard = i;
		g.journal = jpath;
		err = journal_read(jpath, append_line, &g, &torn);
		free(jpath);
	}
	if (!err)
		err = disjoint(&g, &set);
	if (!err) {
		/* The merged run is the unsharded one: same flags, no shard. */
		cJSON *flags = cJSON_GetObjectItemCaseSensitive(set.v[0].config, "flags");
		cJSON_DeleteItemFromObjectCaseSensitive(flags, "shard");
		cJSON_DeleteItemFromObjectCaseSensitive(flags, "out");
		char *from = xasprintf("cannot read run configuration in '%s'", set.v[0].dir);
		config_release(&cfg);
		config_init(&cfg);
		cfg.out = xstrdup(out);
		err = config_apply_json(&cfg, flags, from);
		free(from);
	}
	if (!err)
		err = config_finish(&cfg);
	if (!err)
		err = run_setup(&r, &cfg);
	if (!err) {
		int e = mkdir_p(out);
		char *jpath = path_join(out, "samples.jsonl");
		struct stat st;
		if (e) {
			diag("cannot create '%s': %s", out, strerror(e));
			err = RV_EIO;
		} else if (stat(jpath, &st) == 0) {
			diag("refusing to merge into '%s': it already holds a journal", out);
			err = RV_EUSAGE;
		} else if ((e = write_file_atomic(jpath, g.all.buf, g.all.len))) {
			diag("cannot write '%s': %s", jpath, strerror(e));
			err = RV_EIO;
		}
		free(jpath);
	}
	if (!err)
		err = run_save_config(&r, out);
	if (!err)
		err = run_results(&r);
	if (!err)
		cmd_print_run_outputs(out);
	for (size_t i = 0; i < g.nkeys; i++)
		free(g.keys[i].key);
	free(g.keys);
	strbuf_release(&g.all);
	fingerprint_check_release(&g.fc);
	set_release(&set);
	free(out);
	run_release(&r);
	config_release(&cfg);
	free(pos);
	return err;
}
