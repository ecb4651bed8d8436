/*
 * pdf.h — balint-export-pdf, the program that makes balint export's PDF
 * (pdf-main.c reads the notes from balint, pdf-render.c lays them out
 * with pango and cairo).  It is a program of its own so that balint,
 * run thousands of times for everything else, loads neither library.
 */
#ifndef BAL_PDF_H
#define BAL_PDF_H

#include <stddef.h>
#include <stdio.h>

#include "ctl.h"

/*
 * pdf_render_write writes the records of all (note.list's, with bodies,
 * in the export's order) to f as an A4 PDF headed by the group's name;
 * mine and kept choose the heading's words.  0, or -1 with why (cairo's
 * words) filled.
 */
int pdf_render_write(FILE *f, const struct ctl_resp *all, const char *group,
    int mine, int kept, char *why, size_t whylen);

#endif
