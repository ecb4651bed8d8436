/*
 * latency — live latency between connected members: notes written one at
 * a time at random members, each timed from the moment `note.write`
 * returns at its author until every other member holds it.
 *
 *	latency COUNT BYTES SEED HOME...
 *
 * The members must be level before (same entry count everywhere).  After
 * each write the driver polls `status` on every other member's control
 * socket (poll(2) over all of them; a member that does not hold the entry
 * yet is asked again after POLL_GAP_US) until the group's entry count has
 * grown by one; a member is "readable" from then on (the entry is
 * committed, and notes are decrypted when read).  Only then is the next
 * note written.
 *
 * Prints "notes N p50_ms A p99_ms B max_ms C each_p50_ms D each_p99_ms E
 * write_p50_ms F poll_us G": A..C over the time until the last other
 * member holds the note, D..E over every single delivery, F the
 * note.write round trip, G the median status round trip (the resolution).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchlib.h"

#define MAX_MEMBERS 16
#define POLL_GAP_US 100
#define LIMIT_NS (30ull * 1000000000u)

static uint64_t rng_state;

static uint64_t
rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double
pct(const double *v, size_t n, double p)
{
	size_t k = (size_t)(p * (double)n + 0.999999);

	if (k == 0)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static void
send_status(int fd)
{
	struct ctl_req *req;

	if (ctl_req_new("status", 2, &req) != 0)
		benchlib_die("cannot build status");
	benchlib_send(fd, req);
	ctl_req_free(req);
}

static uint64_t
resp_entries(struct ctl_resp *resp)
{
	const char *kind;
	uint64_t n = 0;
	size_t i;

	benchlib_resp_ok(resp, "status");
	for (i = 0; i < ctl_resp_nrecords(resp); i++)
		if (ctl_resp_get_str(resp, i, "kind", &kind, NULL) == 0 &&
		    strcmp(kind, "group") == 0) {
			(void)ctl_resp_get_uint(resp, i, "entries", &n);
			break;
		}
	ctl_resp_free(resp);
	return n;
}

int
main(int argc, char **argv)
{
	int fd[MAX_MEMBERS];
	struct pollfd pfd[MAX_MEMBERS];
	uint64_t base, want, t0, t, sent_at[MAX_MEMBERS], count, n;
	double *last, *each, *wr, *rtt;
	size_t members, i, k, neach = 0, nrtt = 0, rttcap, bytes;
	struct ctl_req *req;
	struct ctl_resp *resp;
	int pending[MAX_MEMBERS], left, w;
	char *body;

	benchlib_prog(argv[0]);
	if (argc < 6)
		benchlib_die("usage: latency COUNT BYTES SEED HOME HOME...");
	count = strtoull(argv[1], NULL, 10);
	bytes = (size_t)strtoul(argv[2], NULL, 10);
	rng_state = strtoull(argv[3], NULL, 10) | 1;
	members = (size_t)(argc - 4);
	if (count == 0 || bytes == 0 || bytes > 65536 ||
	    members > MAX_MEMBERS)
		benchlib_die("bad COUNT, BYTES or too many members");
	rttcap = 64 * count * members;
	if ((last = calloc(count, sizeof(*last))) == NULL ||
	    (wr = calloc(count, sizeof(*wr))) == NULL ||
	    (each = calloc(count * members, sizeof(*each))) == NULL ||
	    (rtt = calloc(rttcap, sizeof(*rtt))) == NULL ||
	    (body = malloc(bytes)) == NULL)
		benchlib_die("out of memory");
	for (i = 0; i < members; i++)
		if ((fd[i] = benchlib_connect(argv[4 + i])) < 0)
			benchlib_die("no daemon answers at %s", argv[4 + i]);
	base = benchlib_entries(fd[0]);
	for (i = 1; i < members; i++)
		if ((n = benchlib_entries(fd[i])) != base)
			benchlib_die("members are not level (%llu and %llu "
			    "entries)", (unsigned long long)base,
			    (unsigned long long)n);
	for (k = 0; k < count; k++) {
		w = (int)(rng_next() % members);
		want = base + k + 1;
		benchlib_fill(body, bytes, k + 1000000);
		if (ctl_req_new("note.write", 3, &req) != 0 ||
		    ctl_req_add_strn(req, "body", body, bytes) != 0)
			benchlib_die("cannot build note.write");
		t = benchlib_now_ns();
		benchlib_send(fd[w], req);
		ctl_req_free(req);
		resp = benchlib_recv(fd[w]);
		benchlib_resp_ok(resp, "note.write");
		ctl_resp_free(resp);
		t0 = benchlib_now_ns();
		wr[k] = (double)(t0 - t) / 1e6;
		left = 0;
		for (i = 0; i < members; i++) {
			pending[i] = (int)i != w;
			if (pending[i]) {
				sent_at[i] = benchlib_now_ns();
				send_status(fd[i]);
				left++;
			}
		}
		while (left > 0) {
			for (i = 0; i < members; i++) {
				pfd[i].fd = pending[i] ? fd[i] : -1;
				pfd[i].events = POLLIN;
				pfd[i].revents = 0;
			}
			if (poll(pfd, members, 1000) < 0)
				benchlib_die("poll failed");
			if (benchlib_now_ns() - t0 > LIMIT_NS)
				benchlib_die("note %zu did not arrive within "
				    "30 s", k);
			for (i = 0; i < members; i++) {
				if (!pending[i] || !(pfd[i].revents & POLLIN))
					continue;
				n = resp_entries(benchlib_recv(fd[i]));
				t = benchlib_now_ns();
				if (nrtt < rttcap)
					rtt[nrtt++] = (double)(t -
					    sent_at[i]) / 1e3;
				if (n >= want) {
					pending[i] = 0;
					left--;
					each[neach++] = (double)(t - t0) /
					    1e6;
					last[k] = (double)(t - t0) / 1e6;
					continue;
				}
				benchlib_sleep_us(POLL_GAP_US);
				sent_at[i] = benchlib_now_ns();
				send_status(fd[i]);
			}
		}
	}
	qsort(last, count, sizeof(*last), cmp_double);
	qsort(each, neach, sizeof(*each), cmp_double);
	qsort(wr, count, sizeof(*wr), cmp_double);
	qsort(rtt, nrtt, sizeof(*rtt), cmp_double);
	printf("notes %llu p50_ms %.3f p99_ms %.3f max_ms %.3f "
	    "each_p50_ms %.3f each_p99_ms %.3f write_p50_ms %.3f "
	    "poll_us %.0f\n", (unsigned long long)count,
	    pct(last, count, 0.50), pct(last, count, 0.99), last[count - 1],
	    pct(each, neach, 0.50), pct(each, neach, 0.99),
	    pct(wr, count, 0.50), pct(rtt, nrtt, 0.50));
	for (i = 0; i < members; i++)
		close(fd[i]);
	free(last);
	free(wr);
	free(each);
	free(rtt);
	free(body);
	return 0;
}
