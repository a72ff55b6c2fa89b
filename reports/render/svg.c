#include "reports/render/svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/render/html_escape.h"

static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
				      "#9467bd", "#8c564b", "#e377c2", "#17becf"};

const char *svg_color(size_t i)
{
	return palette[i % ARRAY_SIZE(palette)];
}

static void open_svg(struct strbuf *sb, int w, int h, const char *title)
{
	strbuf_addf(sb,
		    "<svg class=\"chart\" width=\"%d\" "
		    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>",
		    w, h, w, h);
	html_escape(sb, title);
	strbuf_adds(sb, "</title>");
	strbuf_adds(sb, "<text x=\"4\" y=\"14\" class=\"ct\">");
	html_escape(sb, title);
	strbuf_adds(sb, "</text>");
}

static void text(struct strbuf *sb, double x, double y, const char *anchor, const char *s)
{
	strbuf_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
	html_escape(sb, s);
	strbuf_adds(sb, "</text>");
}

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

void svg_bars(struct strbuf *sb, const struct svg_bar *bars, size_t n, const char *title)
{
	const int w = 460, left = 130, right = 50, top = 24, row = 22;
	int h = top + row * (int)n + 24;
	double span = w - left - right;
	open_svg(sb, w, h, title);
	for (int t = 0; t <= 4; t++) {
		double x = left + span * t / 4.0;
		char lab[8];
		snprintf(lab, sizeof(lab), "%d%%", 25 * t);
		strbuf_addf(sb, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>",
			    x, top, x, h - 20);
		text(sb, x, h - 6, "middle", lab);
	}
	for (size_t i = 0; i < n; i++) {
		const struct svg_bar *b = &bars[i];
		double y = top + row * (double)i;
		text(sb, left - 6, y + 15, "end", b->label);
		if (isnan(b->value))
			continue;
		strbuf_addf(sb,
			    "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
			    "opacity=\"0.8\"/>",
			    left, y + 4, span * clamp01(b->value), row - 8, svg_color(b->color));
		if (!isnan(b->lo) && !isnan(b->hi)) {
			double x0 = left + span * clamp01(b->lo), x1 = left + span * clamp01(b->hi);
			double ym = y + row / 2.0;
			strbuf_addf(sb,
				    "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" "
				    "class=\"err\"/>",
				    x0, ym, x1, x0, ym - 5, ym + 5, x1, ym - 5, ym + 5);
		}
		char v[16];
		snprintf(v, sizeof(v), "%.1f", 100 * b->value);
		text(sb, w - right + 4, y + 15, "start", v);
	}
	strbuf_adds(sb, "</svg>");
}

void svg_lines(struct strbuf *sb, const struct svg_series *s, size_t n, const char *title,
	       const char *xlabel)
{
	const int w = 360, h = 220, left = 40, right = 12, top = 24, bottom = 36;
	double kmax = 1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < s[i].n; j++)
			kmax = fmax(kmax, s[i].x[j]);
	double lx = log2(kmax);
	double sx = w - left - right, sy = h - top - bottom;
	open_svg(sb, w, h, title);
	for (int t = 0; t <= 4; t++) {
		double y = top + sy * (1 - t / 4.0);
		char lab[8];
		snprintf(lab, sizeof(lab), "%d%%", 25 * t);
		strbuf_addf(sb, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>",
			    left, y, w - right, y);
		text(sb, left - 4, y + 4, "end", lab);
	}
	for (double k = 1; k <= kmax; k *= 2) {
		double x = left + (lx > 0 ? sx * log2(k) / lx : sx / 2);
		char lab[16];
		snprintf(lab, sizeof(lab), "%.0f", k);
		text(sb, x, h - bottom + 14, "middle", lab);
	}
	text(sb, left + sx / 2, h - 6, "middle", xlabel);
	for (size_t i = 0; i < n; i++) {
		struct strbuf d = STRBUF_INIT;
		for (size_t j = 0; j < s[i].n; j++) {
			if (isnan(s[i].y[j]))
				continue;
			double x = left + (lx > 0 ? sx * log2(s[i].x[j]) / lx : sx / 2);
			double y = top + sy * (1 - clamp01(s[i].y[j]));
			strbuf_addf(&d, "%s%.1f %.1f", d.len ? "L" : "M", x, y);
			strbuf_addf(sb, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>",
				    x, y, svg_color(s[i].color));
			html_escape(sb, s[i].label);
			strbuf_addf(sb, ": %.1f%% at %.0f</title></circle>", 100 * s[i].y[j],
				    s[i].x[j]);
		}
		if (d.len)
			strbuf_addf(sb, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>",
				    d.buf, svg_color(s[i].color));
		strbuf_release(&d);
	}
	strbuf_adds(sb, "</svg>");
}

#define HIST_BINS 24

static void bin_counts(const float *v, size_t n, double lo, double step, double *out)
{
	for (size_t i = 0; i < n; i++) {
		double x = log10(fmax(v[i], 1.0));
		int b = step > 0 ? (int)((x - lo) / step) : 0;
		out[b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b] += 1.0 / (double)n;
	}
}

void svg_hist(struct strbuf *sb, const float *ok, size_t nok, const float *bad, size_t nbad,
	      const char *title, const char *xlabel)
{
	const int w = 320, h = 160, left = 40, right = 10, top = 24, bottom = 34;
	double mn = INFINITY, mx = -INFINITY;
	for (size_t i = 0; i < nok; i++)
		mn = fmin(mn, log10(fmax(ok[i], 1.0))), mx = fmax(mx, log10(fmax(ok[i], 1.0)));
	for (size_t i = 0; i < nbad; i++)
		mn = fmin(mn, log10(fmax(bad[i], 1.0))), mx = fmax(mx, log10(fmax(bad[i], 1.0)));
	open_svg(sb, w, h, title);
	if (!nok && !nbad) {
		text(sb, w / 2.0, h / 2.0, "middle", "no lengths recorded");
		strbuf_adds(sb, "</svg>");
		return;
	}
	double step = (mx - mn) / HIST_BINS;
	double hok[HIST_BINS] = {0}, hbad[HIST_BINS] = {0}, peak = 0;
	bin_counts(ok, nok, mn, step, hok);
	bin_counts(bad, nbad, mn, step, hbad);
	for (int b = 0; b < HIST_BINS; b++)
		peak = fmax(peak, fmax(hok[b], hbad[b]));
	double sx = w - left - right, sy = h - top - bottom, bw = sx / HIST_BINS;
	/* The y axis: share of the set's samples in a bin, 0 to the tallest bin. */
	for (int t = 0; t <= 2; t++) {
		double y = top + sy * (1 - t / 2.0);
		char lab[16];
		snprintf(lab, sizeof(lab), "%.0f%%", 100 * peak * t / 2.0);
		strbuf_addf(sb, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>",
			    left, y, w - right, y);
		text(sb, left - 3, y + 4, "end", lab);
	}
	const double *sets[2] = {hok, hbad};
	const char *cls[2] = {"ok", "bad"};
	for (int k = 0; k < 2; k++)
		for (int b = 0; b < HIST_BINS; b++) {
			if (sets[k][b] <= 0)
				continue;
			double bh = sy * sets[k][b] / peak;
			strbuf_addf(sb,
				    "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				    "height=\"%.1f\"/>",
				    cls[k], left + bw * b, top + sy - bh, bw - 1, bh);
		}
	char lab[64];
	snprintf(lab, sizeof(lab), "%.0f", pow(10, mn));
	text(sb, left, h - bottom + 14, "start", lab);
	snprintf(lab, sizeof(lab), "%.0f", pow(10, mx));
	text(sb, w - right, h - bottom + 14, "end", lab);
	snprintf(lab, sizeof(lab), "correct %zu, wrong %zu", nok, nbad);
	text(sb, w / 2.0, h - bottom + 14, "middle", lab);
	text(sb, w / 2.0, h - 4, "middle", xlabel);
	strbuf_adds(sb, "</svg>");
}
