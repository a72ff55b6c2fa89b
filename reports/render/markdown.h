/*
 * markdown: summaries for a CI job page or a pull-request comment.
 *
 * markdown_gate renders a gate result as a heading, one table row per task
 * and the notes; markdown_report (the "md" renderer, see render.h) renders
 * the leaderboard of a report.  Text from run directories is escaped so
 * that it cannot break the table or inject HTML into a rendered comment.
 * Both append to a strbuf the caller owns.
 */
#ifndef REVAL_MARKDOWN_H
#define REVAL_MARKDOWN_H

#include "reports/results/gate.h"
#include "reports/render/render.h"
#include "harness/base/util.h"

void markdown_gate(struct strbuf *out, const struct gate_result *g);

/* Text safe inside a Markdown table cell: | < > & ` and newlines are neutralised. */
void markdown_escape(struct strbuf *out, const char *s);

#endif
