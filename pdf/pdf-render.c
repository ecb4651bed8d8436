/*
 * pdf-render.c — balint export --format pdf: the exported notes as an A4
 * PDF document, through cairo's PDF surface and pango, in the program
 * balint-export-pdf (pdf-main.c), so that balint itself links neither.  Pango (with
 * HarfBuzz and fontconfig) shapes the text and lays out each paragraph
 * in its own direction (the Unicode bidirectional algorithm), so a
 * Hebrew note runs right to left, right-aligned, and Swedish å ä ö come
 * out as written; the font is DejaVu Sans (Debian fonts-dejavu-core,
 * which covers Latin and Hebrew with its points), others by fontconfig's
 * fallback.  The text is set as text, never as Pango markup: a note's
 * '<' or '&' cannot change the document.
 *
 * The document is laid out twice: once to count the pages (for "page N
 * of M"), once to draw.  Lines are placed one by one, so a long note
 * continues on the next page; a note's title never ends a page alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "ctl.h"
#include "i18n.h"
#include "pdf.h"

#define PAGE_W		595.276		/* A4, in points */
#define PAGE_H		841.890
#define MARGIN		56.693		/* 2 cm */
#define FOOT		28.0		/* room for the page number */
#define INDENT		18.0		/* a follow-up under its case */
#define FONT		"DejaVu Sans"

struct pdf {
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoLayout *title, *head, *meta, *text, *foot;
	const char *group;
	double y;		/* top of the next line, from the page's top */
	int page;		/* the current page, from 1 */
	int pages;		/* all of them (known in the drawing pass) */
	int draw;		/* 0: only count the pages */
};

static PangoLayout *
layout_new(PangoContext *pc, const char *font, double width)
{
	PangoLayout *l = pango_layout_new(pc);
	PangoFontDescription *fd = pango_font_description_from_string(font);

	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	/* Each paragraph's direction from its first strong letter, and its
	 * alignment mirrored with it (a Hebrew paragraph is right-aligned). */
	pango_layout_set_auto_dir(l, TRUE);
	return l;
}

/* Sets a layout's text, made valid UTF-8 if it is not (never expected). */
static void
layout_text(PangoLayout *l, const char *s)
{
	gchar *v;

	if (g_utf8_validate(s, -1, NULL)) {
		pango_layout_set_text(l, s, -1);
		return;
	}
	v = g_utf8_make_valid(s, -1);
	pango_layout_set_text(l, v, -1);
	g_free(v);
}

/* A time as balint's tables show it (cli/output.c's output_time). */
static void
when_text(uint64_t ms, char *buf, size_t buflen)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, buflen, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, buflen, "%llu", (unsigned long long)ms);
}

/* A time field of record r ("" when absent, as output_field). */
static void
when_field(const struct ctl_resp *all, size_t r, const char *key, char *buf,
    size_t buflen)
{
	uint64_t ms;

	if (ctl_resp_get_uint(all, r, key, &ms) == 0)
		when_text(ms, buf, buflen);
	else
		*buf = '\0';
}

static double
bottom(void)
{
	return PAGE_H - MARGIN - FOOT;
}

/* Ends the current page with its number, and starts the next one. */
static void
page_end(struct pdf *p)
{
	char buf[320], pg[64];
	int w, h;

	if (p->draw) {
		snprintf(pg, sizeof(pg), _("page %d of %d"), p->page, p->pages);
		snprintf(buf, sizeof(buf), "%s%s%s", p->group, *p->group !=
		    '\0' ? " · " : "", pg);
		layout_text(p->foot, buf);
		pango_layout_get_size(p->foot, &w, &h);
		cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
		cairo_move_to(p->cr, MARGIN, PAGE_H - MARGIN - (double)h /
		    PANGO_SCALE);
		pango_cairo_show_layout(p->cr, p->foot);
		cairo_show_page(p->cr);
	}
	p->page++;
	p->y = MARGIN;
}

/*
 * Places layout l's lines from p->y at x, each on the page where it
 * fits (a new page when the line would pass the bottom margin), in the
 * given grey (0 black).
 */
static void
flow(struct pdf *p, PangoLayout *l, double x, double grey)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	PangoRectangle ink, log;
	double h, base;

	do {
		pango_layout_iter_get_line_extents(it, &ink, &log);
		h = (double)log.height / PANGO_SCALE;
		if (p->y + h > bottom() && p->y > MARGIN)
			page_end(p);
		if (p->draw) {
			base = (double)(pango_layout_iter_get_baseline(it) -
			    log.y) / PANGO_SCALE;
			cairo_set_source_rgb(p->cr, grey, grey, grey);
			cairo_move_to(p->cr, x + (double)log.x / PANGO_SCALE,
			    p->y + base);
			pango_cairo_show_layout_line(p->cr,
			    pango_layout_iter_get_line_readonly(it));
		}
		p->y += h;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

/* The height of layout l's first n lines (all of them if fewer). */
static double
first_lines(PangoLayout *l, int n)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	PangoRectangle log;
	double h = 0;

	do {
		pango_layout_iter_get_line_extents(it, NULL, &log);
		h += (double)log.height / PANGO_SCALE;
	} while (--n > 0 && pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	return h;
}

/* The document's head on its first page: the group, when, how many. */
static void
put_head(struct pdf *p, size_t n, int mine, int kept)
{
	char when[32], buf[640], at[128], count[64];

	when_text((uint64_t)time(NULL) * 1000, when, sizeof(when));
	layout_text(p->title, *p->group != '\0' ? p->group : "balint");
	flow(p, p->title, MARGIN, 0);
	snprintf(at, sizeof(at), _("exported from balint on %s"), when);
	snprintf(count, sizeof(count), ngettext("%zu note", "%zu notes", n),
	    n);
	snprintf(buf, sizeof(buf), "%s · %s · %s", kept ? _("Your own notes, "
	    "kept after you were removed from the group") : mine ? _("The "
	    "notes you wrote") : _("The group's notes"), at, count);
	layout_text(p->meta, buf);
	p->y += 6;
	flow(p, p->meta, MARGIN, 0.2);
	layout_text(p->meta, _("This file is not encrypted: keep it safe, and "
	    "delete it when you no longer need it."));
	flow(p, p->meta, MARGIN, 0.2);
	p->y += 10;
}

/* The kind of a note in words. */
static const char *
kind_words(const char *kind)
{
	if (strcmp(kind, "session") == 0)
		return _("Session note");
	if (strcmp(kind, "case") == 0)
		return _("Case note");
	if (strcmp(kind, "followup") == 0)
		return _("Follow-up report");
	return _("Note");
}

/* Appends " · " and the formatted words to buf of size len. */
static void __attribute__((format(printf, 3, 4)))
add_part(char *buf, size_t len, const char *fmt, ...)
{
	size_t o = strlen(buf);
	va_list ap;

	if (o + 5 >= len)
		return;
	memcpy(buf + o, " · ", 5);	/* the middle dot is 2 bytes */
	o += 4;
	va_start(ap, fmt);
	vsnprintf(buf + o, len - o, fmt, ap);
	va_end(ap);
}

/*
 * Whether record r stands under a case: a note of a case (not the case
 * note) right after another note of the same case, as the export orders
 * them (note.list by_case).
 */
static int
under_case(const struct ctl_resp *all, size_t r)
{
	const char *k, *c, *pc;
	gchar *fc, *fpc;
	int same;

	if (r == 0 || ctl_resp_get_str(all, r, "kind", &k, NULL) != 0 ||
	    strcmp(k, "case") == 0 ||
	    ctl_resp_get_str(all, r, "case", &c, NULL) != 0 || *c == '\0' ||
	    ctl_resp_get_str(all, r - 1, "case", &pc, NULL) != 0)
		return 0;
	fc = g_utf8_casefold(c, -1);
	fpc = g_utf8_casefold(pc, -1);
	same = fc != NULL && fpc != NULL && strcmp(fc, fpc) == 0;
	g_free(fc);
	g_free(fpc);
	return same;
}

/*
 * A one-line field (a title, a case, a name) as the document shows it:
 * controls and the bidi embeddings, overrides and isolates (U+202A..E,
 * U+2066..9) become '?', as on the terminal (cli/output.c), so that a
 * member's case or name cannot turn round the words after it ("by alice"
 * shown as "by bob"); with isolate set the field is set apart in
 * U+2068..U+2069, so that its own direction stays inside it.  Cut at a
 * character's end to fit out.
 */
static void
one_line(const char *in, char *out, size_t len, int isolate)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, n, room = len - (isolate ? 4 : 1);

	if (isolate) {
		memcpy(out, "\xe2\x81\xa8", 3);	/* FIRST STRONG ISOLATE */
		o = 3;
	}
	while (*s != '\0') {
		n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 :
		    (*s & 0xf0) == 0xe0 ? 3 : (*s & 0xf8) == 0xf0 ? 4 : 1;
		if (strnlen((const char *)s, n) < n)
			break;
		if (o + n > room)
			break;
		if (*s < 0x20 || *s == 0x7f || (n == 3 && s[0] == 0xe2 &&
		    ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
		    (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9))))
			out[o++] = '?';
		else {
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
	}
	if (isolate) {
		memcpy(out + o, "\xe2\x81\xa9", 3);	/* POP DIRECTIONAL ISOLATE */
		o += 3;
	}
	out[o] = '\0';
}

/* One note: its title, a line of its kind, case, author and dates, text. */
static void
put_note(struct pdf *p, const struct ctl_resp *all, size_t r)
{
	char buf[1024], t1[32], t2[32], link[64];
	char title[512], cref[256], author[256];
	const char *f, *kind, *body;
	double x = MARGIN, w = PAGE_W - 2 * MARGIN, need;
	uint64_t v = 1;

	if (ctl_resp_get_str(all, r, "title", &f, NULL) != 0 || *f == '\0')
		f = _("(no title)");
	one_line(f, title, sizeof(title), 0);
	if (ctl_resp_get_str(all, r, "kind", &kind, NULL) != 0)
		kind = "";
	if (ctl_resp_get_str(all, r, "case", &f, NULL) != 0)
		f = "";
	one_line(f, cref, sizeof(cref), *f != '\0');
	if (ctl_resp_get_str(all, r, "author", &f, NULL) != 0)
		f = "";
	one_line(f, author, sizeof(author), 1);
	if (ctl_resp_get_str(all, r, "body", &body, NULL) != 0)
		body = "";
	when_field(all, r, "time", t1, sizeof(t1));
	when_field(all, r, "updated", t2, sizeof(t2));
	(void)ctl_resp_get_uint(all, r, "versions", &v);
	/* Indented on the side the note's title starts (right for Hebrew). */
	layout_text(p->head, title);
	if (under_case(all, r)) {
		if (pango_layout_get_direction(p->head, 0) != PANGO_DIRECTION_RTL)
			x += INDENT;
		w -= INDENT;
	}
	pango_layout_set_width(p->head, (int)(w * PANGO_SCALE));
	pango_layout_set_width(p->meta, (int)(w * PANGO_SCALE));
	pango_layout_set_width(p->text, (int)(w * PANGO_SCALE));
	snprintf(buf, sizeof(buf), "%s", kind_words(kind));
	if (*cref != '\0')
		add_part(buf, sizeof(buf), _("case %s"), cref);
	add_part(buf, sizeof(buf), _("by %s"), author);
	add_part(buf, sizeof(buf), _("written %s"), t1);
	if (v > 1 || strcmp(t1, t2) != 0)
		add_part(buf, sizeof(buf), _("changed %s, version %llu"), t2,
		    (unsigned long long)v);
	layout_text(p->meta, buf);
	layout_text(p->text, body);
	/* A title starts a page rather than end one alone. */
	need = 14 + first_lines(p->head, 9) + first_lines(p->meta, 3) +
	    first_lines(p->text, 2);
	if (p->y + need > bottom() && p->y > MARGIN)
		page_end(p);
	else if (p->y > MARGIN) {
		if (p->draw) {
			cairo_set_source_rgb(p->cr, 0.75, 0.75, 0.75);
			cairo_set_line_width(p->cr, 0.5);
			cairo_move_to(p->cr, x, p->y + 6);
			cairo_line_to(p->cr, x + w, p->y + 6);
			cairo_stroke(p->cr);
		}
		p->y += 14;
	}
	/* A bookmark for each note, to the note's title. */
	if (p->draw) {
		snprintf(link, sizeof(link), "page=%d pos=[%.0f %.0f]", p->page,
		    x, p->y);
		cairo_pdf_surface_add_outline(p->surface,
		    CAIRO_PDF_OUTLINE_ROOT, title, link, 0);
	}
	flow(p, p->head, x, 0);
	p->y += 2;
	flow(p, p->meta, x, 0.35);
	p->y += 6;
	flow(p, p->text, x, 0);
}

/* One pass over the document: counts its pages, or draws them. */
static void
pass(struct pdf *p, const struct ctl_resp *all, int mine, int kept)
{
	size_t r;

	p->page = 1;
	p->y = MARGIN;
	put_head(p, ctl_resp_nrecords(all), mine, kept);
	for (r = 0; r < ctl_resp_nrecords(all); r++)
		put_note(p, all, r);
	if (p->draw)
		page_end(p);
	else
		p->pages = p->page;
}

static cairo_status_t
put_bytes(void *closure, const unsigned char *data, unsigned int len)
{
	return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS :
	    CAIRO_STATUS_WRITE_ERROR;
}

int
pdf_render_write(FILE *f, const struct ctl_resp *all, const char *group,
    int mine, int kept, char *why, size_t whylen)
{
	struct pdf p;
	char name[256];
	cairo_font_options_t *fo;
	PangoContext *pc = NULL;
	PangoFontMap *fm = NULL;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	one_line(group != NULL ? group : "", name, sizeof(name), 0);
	p.group = name;
	p.surface = cairo_pdf_surface_create_for_stream(put_bytes, f, PAGE_W,
	    PAGE_H);
	p.cr = cairo_create(p.surface);
	if (cairo_status(p.cr) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, whylen, "%s",
		    cairo_status_to_string(cairo_status(p.cr)));
		goto out;
	}
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE,
	    *p.group != '\0' ? p.group : "balint");
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR,
	    "balint export");
	/* Unhinted metrics: the counting and the drawing lay out alike. */
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	/*
	 * A font map of its own, not pango's default (kept for the thread's
	 * life), released at the end with the fonts it holds.
	 */
	fm = pango_cairo_font_map_new();
	pc = pango_font_map_create_context(fm);
	pango_cairo_update_context(p.cr, pc);
	pango_cairo_context_set_font_options(pc, fo);
	cairo_font_options_destroy(fo);
	p.title = layout_new(pc, FONT " Bold 18", PAGE_W - 2 * MARGIN);
	p.head = layout_new(pc, FONT " Bold 12.5", PAGE_W - 2 * MARGIN);
	p.meta = layout_new(pc, FONT " 8.5", PAGE_W - 2 * MARGIN);
	p.text = layout_new(pc, FONT " 10.5", PAGE_W - 2 * MARGIN);
	p.foot = layout_new(pc, FONT " 8", PAGE_W - 2 * MARGIN);
	pango_layout_set_alignment(p.foot, PANGO_ALIGN_CENTER);
	pango_layout_set_spacing(p.text, 2 * PANGO_SCALE);
	pass(&p, all, mine, kept);
	p.draw = 1;
	pass(&p, all, mine, kept);
	cairo_surface_finish(p.surface);
	if (cairo_surface_status(p.surface) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, whylen, "%s", cairo_status_to_string(
		    cairo_surface_status(p.surface)));
		goto out;
	}
	ret = 0;
out:
	if (p.title != NULL) {
		g_object_unref(p.title);
		g_object_unref(p.head);
		g_object_unref(p.meta);
		g_object_unref(p.text);
		g_object_unref(p.foot);
	}
	if (pc != NULL)
		g_object_unref(pc);
	if (fm != NULL)
		g_object_unref(fm);
	/*
	 * What fontconfig itself leaks when pango's font map frees its
	 * configuration (288 bytes in Debian's 2.14: FcInit then FcFini
	 * alone shows it) is suppressed in the sanitizer tree
	 * (tests/lib/lsan-fontconfig.supp).  No cairo_debug_reset_static_data
	 * here: it asserts when a font is still held (a Hebrew group name
	 * with Hebrew labels did).
	 */
	cairo_destroy(p.cr);
	cairo_surface_destroy(p.surface);
	return ret;
}
