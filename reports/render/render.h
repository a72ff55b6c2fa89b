/*
 * render: the report renderers and their registry.
 *
 * A renderer turns a loaded report (runs and their leaderboard) into the
 * text of one output file; 'reval report' offers each as a flag named after
 * it (--html F, --csv F, ...).  Adding a format is one file defining a
 * const struct renderer and one line in renderer_table (render.c).
 * Renderers only append to the strbuf they are given; the command writes
 * the file.
 */
#ifndef REVAL_RENDER_H
#define REVAL_RENDER_H

#include "reports/render/leaderboard.h"
#include "reports/results/runset.h"
#include "reports/results/settings.h"
#include "harness/base/util.h"

struct report {
	const struct runset *rs;
	const struct leaderboard *lb;
	char generated[32];      /* RFC 3339 time the report was made */
	size_t text_budget;      /* HTML: bytes of sample text to embed at most, over all runs */
	const struct setting_diffs *settings; /* how each run's settings differ from the first's */
};

struct renderer {
	const char *name; /* also the flag: --NAME FILE */
	const char *help;
	void (*render)(const struct report *rep, struct strbuf *out);
};

extern const struct renderer html_renderer;
extern const struct renderer csv_renderer;
extern const struct renderer problems_csv_renderer;
extern const struct renderer md_renderer;

/* NULL-terminated. */
extern const struct renderer *const renderer_table[];

/*
 * pass@k and cons@k of a task at k: the curve results.json stores when it
 * has one, else computed from the problems (unbiased pass@k; cons@k as the
 * expectation over size-k subsets); NAN when neither is available.
 */
double render_pass_at(const struct rs_task *t, int k);
double render_cons_at(const struct rs_task *t, int k);

/*
 * A figure of the task's generation statistics in results.json
 * (tasks.T.generation.<group>.<key>; group NULL for a top-level key), NAN
 * when absent or null.
 */
double render_gen(const struct rs_task *t, const char *group, const char *key);

#endif
