/*
 * bulkwrite — write COUNT notes of BYTES bytes through a daemon's control
 * socket, keeping up to INFLIGHT `note.write` requests in flight on one
 * connection (the daemon answers each after its entry is durable).
 *
 *	bulkwrite HOME COUNT [BYTES [INFLIGHT [IDS [TITLE]]]]
 *
 * Prints "notes N seconds S rate R" on stdout; with IDS, also writes the
 * note ids, one a line, in the order written, into that file; with TITLE
 * (1 to 200), each note has a title of that many bytes (tests/integration/
 * long-list.sh: a listing above 1 MiB with fewer notes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchlib.h"

#define DEFAULT_BYTES 1024
#define DEFAULT_INFLIGHT 32
#define MAX_BYTES (64u * 1024)
#define MAX_TITLE 200	/* NOTE_MAX_TITLE */

static size_t title_bytes;

static void
send_note(int fd, uint64_t id, char *body, size_t bytes)
{
	struct ctl_req *req;
	char title[MAX_TITLE];

	benchlib_fill(body, bytes, id);
	benchlib_fill(title, title_bytes, ~id);
	if (ctl_req_new("note.write", id, &req) != 0 ||
	    ctl_req_add_strn(req, "body", body, bytes) != 0 ||
	    (title_bytes > 0 &&
	    ctl_req_add_strn(req, "title", title, title_bytes) != 0))
		benchlib_die("cannot build note.write");
	benchlib_send(fd, req);
	ctl_req_free(req);
}

int
main(int argc, char **argv)
{
	struct ctl_resp *resp;
	const char *id;
	FILE *ids = NULL;
	uint64_t count, sent = 0, done = 0, t0, t1;
	size_t bytes = DEFAULT_BYTES, inflight = DEFAULT_INFLIGHT;
	char *body;
	double s;
	int fd;

	benchlib_prog(argv[0]);
	if (argc < 3 || argc > 7)
		benchlib_die("usage: bulkwrite HOME COUNT [BYTES [INFLIGHT "
		    "[IDS [TITLE]]]]");
	if (argc > 5 && (ids = fopen(argv[5], "w")) == NULL)
		benchlib_die("cannot write %s", argv[5]);
	count = strtoull(argv[2], NULL, 10);
	if (argc > 3)
		bytes = (size_t)strtoul(argv[3], NULL, 10);
	if (argc > 4)
		inflight = (size_t)strtoul(argv[4], NULL, 10);
	if (argc > 6)
		title_bytes = (size_t)strtoul(argv[6], NULL, 10);
	if (count == 0 || bytes == 0 || bytes > MAX_BYTES || inflight == 0 ||
	    title_bytes > MAX_TITLE)
		benchlib_die("bad COUNT, BYTES, INFLIGHT or TITLE");
	if ((body = malloc(bytes)) == NULL)
		benchlib_die("out of memory");
	if ((fd = benchlib_connect(argv[1])) < 0)
		benchlib_die("no daemon answers at %s", argv[1]);
	t0 = benchlib_now_ns();
	while (sent < count && sent < inflight)
		send_note(fd, ++sent, body, bytes);
	while (done < count) {
		resp = benchlib_recv(fd);
		benchlib_resp_ok(resp, "note.write");
		/* Answers come in order: one connection, one loop thread. */
		if (ids != NULL && ctl_resp_get_str(resp, 0, "note", &id,
		    NULL) == 0)
			fprintf(ids, "%s\n", id);
		ctl_resp_free(resp);
		done++;
		if (sent < count)
			send_note(fd, ++sent, body, bytes);
	}
	t1 = benchlib_now_ns();
	close(fd);
	if (ids != NULL && fclose(ids) != 0)
		benchlib_die("cannot write %s", argv[5]);
	free(body);
	s = (double)(t1 - t0) / 1e9;
	printf("notes %llu seconds %.3f rate %.0f\n",
	    (unsigned long long)count, s, (double)count / s);
	return 0;
}
