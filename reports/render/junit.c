#include "reports/render/junit.h"

#include <math.h>
#include <string.h>

#include "harness/base/outfile.h"
#include "harness/base/util.h"

static void xml_escape(struct strbuf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&': strbuf_adds(out, "&amp;"); break;
		case '<': strbuf_adds(out, "&lt;"); break;
		case '>': strbuf_adds(out, "&gt;"); break;
		case '"': strbuf_adds(out, "&quot;"); break;
		case '\'': strbuf_adds(out, "&apos;"); break;
		default:
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				break; /* not allowed in XML 1.0, even escaped */
			strbuf_addch(out, (char)*p);
		}
	}
}

static void figures(struct strbuf *sb, const struct gate_task *t)
{
	strbuf_addf(sb,
		    "%s: baseline %.2f%%, candidate %.2f%%, change %+.2f pts "
		    "(95%% CI %+.2f to %+.2f), one-sided p = %.4g over %zu paired problems "
		    "(%zu better, %zu worse); infrastructure errors %.2f%%; tolerated drop %.1f pts",
		    t->metric, 100 * t->base_score, 100 * t->cand_score, 100 * t->cmp.diff,
		    100 * t->cmp.ci_low, 100 * t->cmp.ci_high, t->cmp.p_worse, t->cmp.pairs,
		    t->cmp.better, t->cmp.worse, 100 * t->infra_rate, t->max_drop);
}

enum reval_err junit_write_gate(const char *path, const struct gate_result *g)
{
	struct strbuf x = STRBUF_INIT, tmp = STRBUF_INIT;
	char ts[32];
	utc_timestamp(ts);
	strbuf_addf(&x,
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<testsuites name=\"reval gate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		    "time=\"0\">\n",
		    g->ntasks, g->failures);
	strbuf_adds(&x, "  <testsuite name=\"");
	strbuf_addf(&tmp, "reval gate: %s against %s", g->candidate, g->baseline);
	xml_escape(&x, tmp.buf);
	strbuf_addf(&x,
		    "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\" "
		    "timestamp=\"%.19s\">\n    <properties>\n",
		    g->ntasks, g->failures, ts);
	const char *keys[] = {"baseline", "candidate"};
	const char *vals[] = {g->baseline, g->candidate};
	for (size_t i = 0; i < 2; i++) {
		strbuf_addf(&x, "      <property name=\"%s\" value=\"", keys[i]);
		xml_escape(&x, vals[i]);
		strbuf_adds(&x, "\"/>\n");
	}
	strbuf_addf(&x, "      <property name=\"max_drop_points\" value=\"%g\"/>\n",
		    g->opts.max_drop);
	for (size_t i = 0; i < g->opts.ndrops; i++) {
		strbuf_adds(&x, "      <property name=\"max_drop_points:");
		xml_escape(&x, g->opts.drops[i].task);
		strbuf_addf(&x, "\" value=\"%g\"/>\n", g->opts.drops[i].points);
	}
	strbuf_addf(&x, "      <property name=\"alpha\" value=\"%g\"/>\n    </properties>\n",
		    g->opts.alpha);
	for (size_t i = 0; i < g->ntasks; i++) {
		const struct gate_task *t = &g->tasks[i];
		strbuf_adds(&x, "    <testcase classname=\"reval.gate\" name=\"");
		xml_escape(&x, t->id);
		strbuf_adds(&x, "\" time=\"0\">\n");
		strbuf_reset(&tmp);
		figures(&tmp, t);
		if (t->failed) {
			strbuf_addf(&x, "      <failure type=\"%s\" message=\"",
				    t->failed & GATE_REGRESSED ? "regression"
				    : t->failed & GATE_FLOOR   ? "floor"
							       : "infrastructure_errors");
			xml_escape(&x, t->verdict);
			strbuf_adds(&x, "\">");
			xml_escape(&x, tmp.buf);
			strbuf_adds(&x, "</failure>\n");
		}
		strbuf_adds(&x, "      <system-out>");
		xml_escape(&x, tmp.buf);
		strbuf_adds(&x, "</system-out>\n    </testcase>\n");
	}
	strbuf_adds(&x, "  </testsuite>\n</testsuites>\n");
	enum reval_err err = outfile_write(path, x.buf, x.len);
	strbuf_release(&x);
	strbuf_release(&tmp);
	return err;
}
