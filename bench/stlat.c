/*
 * stlat — Syncthing's latency for one new file when a rescan is requested,
 * the comparison for balint's live latency.
 *
 *	stlat GUI_PORT APIKEY FOLDER SRC_DIR DST_DIR COUNT [BYTES [GAP_MS]]
 *
 * COUNT times: writes a new file of BYTES bytes (default 1024) into
 * SRC_DIR (instance A's folder), asks A to rescan just that file (POST
 * /rest/db/scan?folder=FOLDER&sub=NAME on 127.0.0.1:GUI_PORT with the
 * X-API-Key header), and polls DST_DIR (instance B's folder) every 200 us
 * until the file is there with all its bytes.  Syncthing writes a
 * temporary file and renames it, so a file of the full size is complete.
 * The time runs from the moment the file is written until B has it.
 * Files are GAP_MS apart (default 500): after sending an index update,
 * Syncthing's index sender waits 250 ms to batch further changes
 * (lib/model/indexhandler.go), so a file written sooner after the last
 * one would measure that batching window, not one lone new file.
 *
 * Prints "files N p50_ms A p99_ms B max_ms C scan_p50_ms D" (D: how long
 * the scan request itself took).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "benchlib.h"

#define LIMIT_NS (60ull * 1000000000u)

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

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

/* POSTs path to the REST API and reads the whole answer; dies unless 200. */
static void
rest_post(int port, const char *key, const char *path)
{
	struct sockaddr_in sa;
	char req[1024], resp[4096];
	size_t got = 0;
	ssize_t n;
	int fd, len;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		benchlib_die("cannot reach Syncthing's REST API on port %d: "
		    "%s", port, strerror(errno));
	len = snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: "
	    "127.0.0.1:%d\r\nX-API-Key: %s\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", path, port, key);
	if (len < 0 || (size_t)len >= sizeof(req) ||
	    write(fd, req, (size_t)len) != len)
		benchlib_die("cannot send the scan request");
	while (got < sizeof(resp) - 1 &&
	    (n = read(fd, resp + got, sizeof(resp) - 1 - got)) > 0)
		got += (size_t)n;
	resp[got] = '\0';
	close(fd);
	if (strncmp(resp, "HTTP/1.1 200", 12) != 0)
		benchlib_die("scan request refused: %.60s", resp);
}

int
main(int argc, char **argv)
{
	char src[4096], dst[4096], name[64], path[256], *buf;
	double *lat, *scan;
	uint64_t t0, t1, t;
	size_t count, bytes = 1024, i;
	uint64_t gap_ms = 500;
	struct stat sb;
	int port, fd;

	benchlib_prog(argv[0]);
	if (argc < 7 || argc > 9)
		benchlib_die("usage: stlat GUI_PORT APIKEY FOLDER SRC_DIR "
		    "DST_DIR COUNT [BYTES [GAP_MS]]");
	port = atoi(argv[1]);
	count = (size_t)strtoul(argv[6], NULL, 10);
	if (argc > 7)
		bytes = (size_t)strtoul(argv[7], NULL, 10);
	if (argc > 8)
		gap_ms = strtoull(argv[8], NULL, 10);
	if (count == 0 || bytes == 0 || bytes > 1024 * 1024)
		benchlib_die("bad COUNT or BYTES");
	if ((lat = calloc(count, sizeof(*lat))) == NULL ||
	    (scan = calloc(count, sizeof(*scan))) == NULL ||
	    (buf = malloc(bytes)) == NULL)
		benchlib_die("out of memory");
	for (i = 0; i < count; i++) {
		benchlib_sleep_us(gap_ms * 1000);
		snprintf(name, sizeof(name), "latency-%05zu.txt", i);
		snprintf(src, sizeof(src), "%s/%s", argv[4], name);
		snprintf(dst, sizeof(dst), "%s/%s", argv[5], name);
		snprintf(path, sizeof(path), "/rest/db/scan?folder=%s&sub=%s",
		    argv[3], name);
		benchlib_fill(buf, bytes, i + 7000000);
		if ((fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
		    write(fd, buf, bytes) != (ssize_t)bytes || close(fd) != 0)
			benchlib_die("cannot write %s", src);
		t0 = benchlib_now_ns();
		rest_post(port, argv[2], path);
		t1 = benchlib_now_ns();
		scan[i] = (double)(t1 - t0) / 1e6;
		for (;;) {
			t = benchlib_now_ns();
			if (stat(dst, &sb) == 0 && (size_t)sb.st_size == bytes)
				break;
			if (t - t0 > LIMIT_NS)
				benchlib_die("%s did not arrive within 60 s",
				    name);
			benchlib_sleep_us(200);
		}
		lat[i] = (double)(t - t0) / 1e6;
	}
	qsort(lat, count, sizeof(*lat), cmp_double);
	qsort(scan, count, sizeof(*scan), cmp_double);
	printf("files %zu p50_ms %.3f p99_ms %.3f max_ms %.3f "
	    "scan_p50_ms %.3f\n", count, pct(lat, count, 0.5),
	    pct(lat, count, 0.99), lat[count - 1], pct(scan, count, 0.5));
	free(lat);
	free(scan);
	free(buf);
	return 0;
}
