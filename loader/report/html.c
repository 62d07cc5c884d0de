// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The picture as one self-contained HTML page (no script, no fetch): the
 * run's summary, its findings with their stacks and bytes, and an SVG
 * timeline with a row per object: its life a bar (grey freed, red leaked),
 * its accesses and findings marks on it, each with a tooltip.
 */
#include <errno.h>
#include <string.h>
#include "picture.h"

#define ROWS_MAX	400	/* rows drawn; the Perfetto trace has them all */
#define ROW_H		22
#define LABEL_W		330
#define LABEL_CHARS	44	/* longer names are cut; the tooltip has all */
#define PLOT_W		860

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char style[] =
"body{font:14px/1.4 sans-serif;margin:24px;color:#222}"
"h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}"
".verdict{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;background:#2a7}"
".verdict.findings{background:#c33}.verdict.inconclusive,.verdict.interrupted{background:#c80}"
"table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;border-bottom:1px solid #ddd}"
".finding{border-left:4px solid #c33;padding:4px 12px;margin:8px 0;background:#fafafa}"
".finding .kind{font-weight:bold}pre{margin:4px 0;font-size:12px}"
"details summary{cursor:pointer;color:#555}svg text{font:12px sans-serif}.life.freed{fill:#9ab}.life.leaked{fill:#d55}.life.live{fill:#db6}"
".mark.access{fill:#247}.mark.late_access{fill:#e80}.mark.finding{fill:#c00}.mark.step{fill:#777}";

static const char *const mark_class[] = {
	[PIC_ACCESS] = "access", [PIC_LATE] = "late_access",
	[PIC_FINDING] = "finding", [PIC_STEP] = "step",
};

/* "6b 6b 6b ...  kkk...", 16 bytes a row; "--": a hidden byte */
static void hexdump(FILE *f, const char *hex)
{
	size_t i, row, n = strlen(hex) / 2;
	unsigned int c;

	fputs("<pre class=\"hexdump\">", f);
	for (row = 0; row < n; row += 16) {
		for (i = row; i < row + 16 && i < n; i++)
			fprintf(f, "%.2s ", hex + 2 * i);
		for (; i < row + 16 && n > 16; i++)
			fputs("   ", f);
		fputs(" ", f);
		for (i = row; i < row + 16 && i < n; i++) {
			if (sscanf(hex + 2 * i, "%2x", &c) != 1)
				fputc('-', f);
			else if (c >= 0x20 && c < 0x7f && c != '<' &&
				 c != '>' && c != '&')
				fputc(c, f);
			else
				fputc('.', f);
		}
		fputc('\n', f);
	}
	fputs("</pre>\n", f);
}

static void findings(FILE *f, const struct picture *p)
{
	int i;

	fprintf(f, "<h2>Findings (%d)</h2>\n<section id=\"findings\">\n", p->nr_finds);
	if (!p->nr_finds)
		fputs("<p>None.</p>\n", f);
	for (i = 0; i < p->nr_finds; i++) {
		const struct pic_finding *d = &p->finds[i];

		fprintf(f, "<div class=\"finding\" data-kind=\"");
		esc(f, d->kind);
		fprintf(f, "\"><span class=\"kind\">");
		esc(f, d->kind);
		fprintf(f, "</span> <b>");
		esc(f, d->object[0] ? d->object : "(module object)");
		fprintf(f, "</b>, %.0f bytes", d->size);
		if (d->line)
			fprintf(f, ", plan line %d", d->line);
		fprintf(f, " at <code>");
		esc(f, d->site);
		fprintf(f, "</code>%s%s<br>", d->predicted ? " &middot; predicted" : "",
			d->observed ? " &middot; observed" : "");
		esc(f, d->message);
		if (d->bytes[0])
			hexdump(f, d->bytes);
		if (d->stack[0]) {
			fprintf(f, "<details><summary>stack</summary><pre class=\"stack\">");
			esc(f, d->stack);
			fprintf(f, "</pre></details>");
		}
		if (d->free_stack[0]) {
			fprintf(f, "<details><summary>first freed at</summary><pre class=\"stack\">");
			esc(f, d->free_stack);
			fprintf(f, "</pre></details>");
		}
		fprintf(f, "</div>\n");
	}
	fprintf(f, "</section>\n");
}

/* outside the drawn span (a module's own setup, before a plan's first
 * object) is drawn at its edge */
static double x_of(double ms, double t0, double span)
{
	double x = (ms - t0) / span * PLOT_W;

	return LABEL_W + (x < 0 ? 0 : x > PLOT_W ? PLOT_W : x);
}

static void row(FILE *f, const struct picture *p, int i, double t0, double span)
{
	const struct pic_obj *o = &p->objs[i];
	const char *state = o->t_free >= 0 ? "freed" : o->leaked ? "leaked" : "live";
	double end = o->t_free >= 0 ? o->t_free : p->t_end, x = x_of(o->t_alloc, t0, span);
	double w = x_of(end, t0, span) - x;
	int y = 30 + i * ROW_H, j;
	char title[256];

	picture_obj_title(o, title, sizeof(title));
	fprintf(f, "<g class=\"object\" data-state=\"%s\"><text x=\"4\" y=\"%d\">", state, y + 14);
	if (strlen(title) > LABEL_CHARS) {
		char cut[LABEL_CHARS + 1];

		memcpy(cut, title, LABEL_CHARS);
		cut[LABEL_CHARS] = '\0';
		esc(f, cut);
		fputs("&#8230;", f);
	} else {
		esc(f, title);
	}
	fprintf(f, "</text><rect class=\"life %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"14\"><title>", state, x,
		y + 3, w < 2 ? 2 : w);
	esc(f, title);
	fprintf(f, ": %.0f bytes (%.0f given), %s at %+.3f ms by ", o->size, o->size_alloc, o->family, o->t_alloc);
	esc(f, o->site);
	if (o->t_free >= 0) {
		fprintf(f, ", freed at %+.3f ms by ", o->t_free);
		esc(f, o->free_site);
	} else {
		fprintf(f, ", %s", o->leaked ? "leaked" : "still allocated at the end");
	}
	fprintf(f, "</title></rect>");
	for (j = 0; j < o->nr_marks; j++) {
		const struct pic_mark *m = &o->marks[j];

		fprintf(f, "<circle class=\"mark %s\" cx=\"%.1f\" cy=\"%d\" r=\"5\"><title>", mark_class[m->kind],
			x_of(m->ms, t0, span), y + 10);
		esc(f, m->label);
		if (m->line)
			fprintf(f, " (plan line %d)", m->line);
		fprintf(f, " at %+.3f ms: ", m->ms);
		esc(f, m->detail);
		fprintf(f, "</title></circle>");
	}
	fprintf(f, "</g>\n");
}

static void timeline(FILE *f, const struct picture *p)
{
	int i, rows = p->nr_objs < ROWS_MAX ? p->nr_objs : ROWS_MAX;
	bool named = false;
	double t0 = p->t_end, span;

	/* a plan's objects have names: the span is theirs */
	for (i = 0; i < p->nr_objs; i++)
		named |= p->objs[i].name[0] != 0;
	for (i = 0; i < p->nr_objs; i++)
		if (p->objs[i].t_alloc < t0 && (!named || p->objs[i].name[0]))
			t0 = p->objs[i].t_alloc;
	span = p->t_end > t0 ? p->t_end - t0 : 1;
	fprintf(f, "<h2>Timeline (%d objects)</h2>\n", p->nr_objs);
	fprintf(f, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">\n",
		LABEL_W + PLOT_W + 60, 40 + rows * ROW_H);
	for (i = 0; i <= 4; i++) {
		double ms = t0 + span * i / 4;

		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"20\" y2=\"%d\" stroke=\"#ccc\"/><text x=\"%.1f\" y=\"14\" text-anchor=\"middle\">%+.1f ms</text>\n",
			x_of(ms, t0, span), x_of(ms, t0, span), 30 + rows * ROW_H, x_of(ms, t0, span), ms);
	}
	for (i = 0; i < rows; i++)
		row(f, p, i, t0, span);
	fprintf(f, "</svg>\n");
	if (rows < p->nr_objs)
		fprintf(f, "<p>%d more objects are not drawn here; the Perfetto trace (--perfetto) has them all.</p>\n",
			p->nr_objs - rows);
}

int picture_write_html(const struct picture *p, FILE *f)
{
	int i, leaked = 0, freed = 0;

	for (i = 0; i < p->nr_objs; i++) {
		leaked += p->objs[i].leaked;
		freed += p->objs[i].t_free >= 0;
	}
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kmlab %s ", p->command);
	esc(f, p->target);
	fprintf(f, "</title><style>%s</style></head><body>\n<h1>kmlab %s ", style, p->command);
	esc(f, p->target);
	fprintf(f, "</h1>\n<p>kernel ");
	esc(f, p->kernel);
	fprintf(f, " &middot; verdict <span id=\"verdict\" class=\"verdict ");
	esc(f, p->verdict);
	fprintf(f, "\">");
	esc(f, p->verdict);
	fprintf(f, "</span></p>\n<table id=\"summary\"><tr><th>objects</th><td>%d</td></tr><tr><th>freed</th><td>%d</td></tr><tr><th>leaked</th><td>%d</td></tr><tr><th>findings</th><td>%d</td></tr><tr><th>events lost</th><td>%.0f</td></tr></table>\n",
		p->nr_objs, freed, leaked, p->nr_finds, p->lost);
	timeline(f, p);
	findings(f, p);
	fprintf(f, "</body></html>\n");
	return ferror(f) ? -EIO : 0;
}
