/*
 * svg: the inline charts of the HTML report, as SVG text appended to a
 * strbuf (no scripts, no external references, fixed sizes).
 *
 * Series carry a colour index into a fixed palette (svg_color) so a run
 * has the same colour in every chart.  Labels go through the HTML escaper,
 * so a run or task name cannot inject markup.  Values are fractions in
 * [0, 1] unless stated; NAN values are skipped.
 */
#ifndef REVAL_SVG_H
#define REVAL_SVG_H

#include <stddef.h>

#include "harness/base/util.h"

/* Colour of series i, "#rrggbb". */
const char *svg_color(size_t i);

struct svg_bar {
	const char *label;
	double value, lo, hi; /* score and its interval */
	size_t color;
};

/* Horizontal bars with error bars, 0-100%. */
void svg_bars(struct strbuf *sb, const struct svg_bar *bars, size_t n, const char *title);

struct svg_series {
	const char *label;
	const double *x; /* k values, at least 1 */
	const double *y;
	size_t n;
	size_t color;
};

/* Lines over x on a log2 axis (pass@k, cons@k curves), y 0-100%. */
void svg_lines(struct strbuf *sb, const struct svg_series *s, size_t n, const char *title,
	       const char *xlabel);

/*
 * Two overlaid histograms (correct and wrong samples) of token lengths on
 * log-spaced bins, each normalised to its own total.
 */
void svg_hist(struct strbuf *sb, const float *ok, size_t nok, const float *bad, size_t nbad,
	      const char *title, const char *xlabel);

#endif
