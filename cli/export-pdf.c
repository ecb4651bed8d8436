/*
 * export-pdf.c — balint export --format pdf hands the PDF to
 * balint-export-pdf (pdf/), a program of its own linked with pango and
 * cairo, so that balint itself loads neither (every other balint call
 * would pay for their forty libraries).  balint has opened the unfinished
 * file that becomes the export once whole (export-file.c): the program
 * gets it as its stdout, and the notes on its stdin, a pipe, as
 * control-protocol messages (the format is in pdf/pdf-main.c), never
 * through a file of their own.  It says its own failure in one line;
 * balint removes the file then, and kills it when a signal stops balint.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <sodium.h>

#include "cli.h"

#define HELPER "balint-export-pdf"
#ifndef PDF_HELPER
#define PDF_HELPER "/usr/local/lib/balint/" HELPER
#endif

extern char **environ;

/*
 * The program next to this balint (a build tree), else in ../lib/balint
 * from it (an installed PREFIX/bin/balint, whatever PREFIX was when it
 * was built), else where make install put it (PDF_HELPER).
 */
static void
find_helper(char *out, size_t outlen)
{
	static const char *const rel[] = { "/" HELPER, "/../lib/balint/"
	    HELPER };
	char self[PATH_MAX], *slash;
	ssize_t n;
	size_t i;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
				if (snprintf(out, outlen, "%s%s", self,
				    rel[i]) < (int)outlen &&
				    access(out, X_OK) == 0)
					return;
		}
	}
	snprintf(out, outlen, "%s", PDF_HELPER);
}

/* Writes one message behind its length prefix: 0, or -1 (errno). */
static int
put_msg(int fd, const uint8_t *buf, size_t len)
{
	uint8_t hdr[CTL_HDR_BYTES];
	size_t off = 0, all = sizeof(hdr) + len;
	const uint8_t *p;
	ssize_t n;

	if (ctl_frame_hdr(len, hdr) != 0) {
		errno = EMSGSIZE;
		return -1;
	}
	while (off < all) {
		p = off < sizeof(hdr) ? hdr + off : buf + (off - sizeof(hdr));
		n = write(fd, p, off < sizeof(hdr) ? sizeof(hdr) - off :
		    all - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* The request, then each record of all as a response of its own. */
static int
put_notes(int fd, const struct ctl_resp *all, const char *group, int mine,
    int kept)
{
	struct ctl_req *req = NULL;
	struct ctl_resp *one = NULL;
	const struct ctl_kv *kv;
	uint8_t *buf = NULL;
	size_t len, r, i, nf;
	int rc = -1;

	if (ctl_req_new("export.pdf", 0, &req) != 0 ||
	    ctl_req_add_str(req, "group", group) != 0 ||
	    ctl_req_add_bool(req, "mine", mine) != 0 ||
	    ctl_req_add_bool(req, "kept", kept) != 0 ||
	    ctl_req_add_uint(req, "notes", ctl_resp_nrecords(all)) != 0 ||
	    ctl_req_encode(req, &buf, &len) != 0 || put_msg(fd, buf, len) != 0)
		goto out;
	for (r = 0; r < ctl_resp_nrecords(all); r++) {
		free(buf);
		buf = NULL;
		ctl_resp_free(one);
		one = NULL;
		kv = ctl_resp_record(all, r, &nf);
		if (ctl_resp_new(0, CTL_OK, NULL, &one) != 0 ||
		    ctl_resp_record_begin(one) != 0)
			goto out;
		for (i = 0; i < nf; i++)
			if (ctl_resp_add(one, kv[i].key, &kv[i].val) != 0)
				goto out;
		if (ctl_resp_encode(one, &buf, &len) != 0)
			goto out;
		rc = put_msg(fd, buf, len);
		/* The note's text: wiped as ctl_resp_free wipes its own. */
		sodium_memzero(buf, len);
		if (rc != 0)
			goto out;
		if (r == 0)
			export_file_test_pause(NULL);
		rc = -1;
	}
	rc = 0;
out:
	free(buf);
	ctl_req_free(req);
	ctl_resp_free(one);
	return rc;
}

int
export_pdf_write(int fd, const struct ctl_resp *all, const char *group,
    int mine, int kept)
{
	char bin[PATH_MAX], ppid[32];
	char *argv[] = { (char *)(uintptr_t)HELPER, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid, rc;
	int p[2], err, st;

	find_helper(bin, sizeof(bin));
	/* The program checks that balint still runs once it can die with it. */
	snprintf(ppid, sizeof(ppid), "%lld", (long long)getpid());
	if (setenv("BALINT_EXPORT_PDF_PARENT", ppid, 1) != 0) {
		util_err(_("cannot make the PDF: %s"), strerror(errno));
		return -1;
	}
	/* Close-on-exec: the program must not hold the writing end itself. */
	if (pipe(p) != 0) {
		util_err(_("cannot make the PDF: %s"), strerror(errno));
		return -1;
	}
	(void)fcntl(p[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(p[1], F_SETFD, FD_CLOEXEC);
	/* Its stdin the pipe's end, its stdout the file (both dup'ed). */
	if ((err = posix_spawn_file_actions_init(&fa)) == 0) {
		if ((err = posix_spawn_file_actions_adddup2(&fa, p[0],
		    STDIN_FILENO)) == 0 &&
		    (err = posix_spawn_file_actions_adddup2(&fa, fd,
		    STDOUT_FILENO)) == 0)
			err = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(p[0]);
	/* A signal that removes the file ends the program too. */
	if (err == 0)
		export_file_renderer(pid);
	if (err != 0) {
		close(p[1]);
		util_err(_("cannot make the PDF: cannot run %s (%s; reinstall "
		    "balint)"), bin, strerror(err));
		return -1;
	}
	/*
	 * SIGPIPE is ignored (main.c): if the program ends early, the write
	 * fails and its own line says why.
	 */
	(void)put_notes(p[1], all, group, mine, kept);
	close(p[1]);
	while ((rc = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	export_file_renderer(0);
	if (rc < 0) {
		util_err(_("cannot make the PDF: %s"), strerror(errno));
		return -1;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st) == 0 ? 0 : -1;
	util_err(_("cannot make the PDF: %s ended by signal %d"), bin,
	    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return -1;
}
