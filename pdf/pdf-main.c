/*
 * pdf-main.c — balint-export-pdf: run by balint export --format pdf
 * (cli/export-pdf.c), never by the member.  balint opens the unfinished
 * file that becomes the export once whole and hands it over as stdout; the
 * notes come on stdin, a pipe, as control-protocol messages behind their
 * 4-byte length prefix (proto/ctl.h), so they are never in a file of
 * their own:
 *
 *	request  "export.pdf" {group str, mine bool, kept bool, notes uint}
 *	response one per note: a single record, the note.list record as is
 *
 * then the end of the pipe.  It reads them all, lays the document out
 * (pdf-render.c) and writes it to stdout.  On any failure it says so in
 * one line on stderr and exits 1; balint then removes the file.
 */
#include <errno.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include <sodium.h>

#include "ctl.h"
#include "i18n.h"
#include "pdf.h"

/* One line on stderr, as balint's own (util_err). */
static void __attribute__((format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "balint: %s\n", msg);
}

/* A message read: a note's text, wiped before it is freed. */
static void
drop_msg(uint8_t **buf, size_t len)
{
	if (*buf != NULL) {
		sodium_memzero(*buf, len);
		free(*buf);
		*buf = NULL;
	}
}

/* Reads exactly len bytes: 1, 0 at the end of the pipe before any, -1. */
static int
read_full(uint8_t *p, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(STDIN_FILENO, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 && got == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return 1;
}

/*
 * The next message into *buf (malloc'd; the caller wipes and frees it,
 * drop_msg): 1, 0 at the end of the pipe, -1 when cut short or too long.
 */
static int
read_msg(uint8_t **buf, size_t *len)
{
	uint8_t hdr[CTL_HDR_BYTES];
	int rc;

	*buf = NULL;
	if ((rc = read_full(hdr, sizeof(hdr))) <= 0)
		return rc;
	if (ctl_frame_len(hdr, len) != 0 ||
	    (*buf = malloc(*len)) == NULL)
		return -1;
	if (read_full(*buf, *len) != 1) {
		drop_msg(buf, *len);
		return -1;
	}
	return 1;
}

/* Appends the single record of one note message to all: 0 or -1. */
static int
add_note(struct ctl_resp *all, const uint8_t *buf, size_t len)
{
	struct ctl_resp *one = NULL;
	const struct ctl_kv *kv;
	size_t i, nf;
	int rc = -1;

	if (ctl_resp_decode(buf, len, &one) != 0 ||
	    ctl_resp_nrecords(one) != 1 || ctl_resp_record_begin(all) != 0)
		goto out;
	kv = ctl_resp_record(one, 0, &nf);
	for (i = 0; i < nf; i++)
		if (ctl_resp_add(all, kv[i].key, &kv[i].val) != 0)
			goto out;
	rc = 0;
out:
	ctl_resp_free(one);
	return rc;
}

/* Reads balint's request and its notes: 0, or -1 with the line said. */
static int
read_input(struct ctl_req **req, struct ctl_resp **all)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	uint64_t want;
	int rc;

	*req = NULL;
	if (ctl_resp_new(0, CTL_OK, NULL, all) != 0)
		goto bad;
	if (read_msg(&buf, &len) != 1 || ctl_req_decode(buf, len, req) != 0 ||
	    strcmp(ctl_req_cmd(*req), "export.pdf") != 0 ||
	    ctl_req_get_uint(*req, "notes", &want) != 0)
		goto bad;
	for (;;) {
		drop_msg(&buf, len);
		if ((rc = read_msg(&buf, &len)) == 0)
			break;
		if (rc < 0 || ctl_resp_nrecords(*all) >= want ||
		    add_note(*all, buf, len) != 0)
			goto bad;
	}
	if (ctl_resp_nrecords(*all) != want)
		goto bad;
	return 0;
bad:
	drop_msg(&buf, len);
	fail(_("cannot make the PDF: the notes did not come whole from "
	    "balint"));
	return -1;
}

int
main(int argc, char **argv)
{
	struct ctl_req *req = NULL;
	struct ctl_resp *all = NULL;
	const char *group, *v;
	char why[256];
	int mine, kept, rc = 1;

	(void)argv;
	/*
	 * balint killed by a signal it cannot catch (SIGKILL): stop writing
	 * plaintext into its unfinished file at once (the others it catches,
	 * and kills this program itself).  First of all, and then a check
	 * that balint, which says its pid, was not killed before that (while
	 * this program was loaded): it would be our parent no longer.
	 */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)setlocale(LC_CTYPE, "");
	i18n_init();
	if ((v = getenv("BALINT_EXPORT_PDF_PARENT")) != NULL &&
	    strtoll(v, NULL, 10) != (long long)getppid()) {
		fail(_("cannot make the PDF: %s"), _("balint, which ran this "
		    "program, has ended"));
		return 1;
	}
	if (argc != 1 || isatty(STDIN_FILENO)) {
		fputs(_("balint-export-pdf is run by balint export --format pdf "
		    "(see: balint export --help)\n"), stderr);
		return 2;
	}
	if (sodium_init() < 0) {
		fail(_("cannot make the PDF: %s"), "libsodium");
		return 1;
	}
	/*
	 * A short life: the heap is not given back piece by piece.  glibc
	 * trimmed and regrew it around each page's compression (1,200 brk
	 * calls and 5,000 page faults for 458 pages, +0.2 s of CPU).
	 */
	(void)mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
	/* A full disk or a file size limit: a write error said, not a kill. */
	signal(SIGXFSZ, SIG_IGN);
	if (read_input(&req, &all) != 0)
		goto out;
	if (ctl_req_get_str(req, "group", &group, NULL) != 0)
		group = "";
	if (ctl_req_get_bool(req, "mine", &mine) != 0)
		mine = 0;
	if (ctl_req_get_bool(req, "kept", &kept) != 0)
		kept = 0;
	if (pdf_render_write(stdout, all, group, mine, kept, why,
	    sizeof(why)) != 0) {
		fail(_("cannot make the PDF: %s"), why);
		goto out;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fail(_("cannot make the PDF: %s"), strerror(errno));
		goto out;
	}
	rc = 0;
out:
	ctl_req_free(req);
	ctl_resp_free(all);
	return rc;
}
