/* log.c — the daemon's log lines and clock (no libuv, so tests link it). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "daemon.h"

/*
 * The test hook BALINT_CLOCK_OFFSET_MS shifts daemon_now_ms by a signed
 * number of milliseconds, at most about 100 years either way.
 */
#define CLOCK_OFFSET_ENV "BALINT_CLOCK_OFFSET_MS"
#define CLOCK_OFFSET_MAX (100LL * 366 * 86400 * 1000)

static int clock_loaded;
static int64_t clock_offset;

/*
 * 1 when stderr is the journal (systemd runs balintd: JOURNAL_STREAM names
 * stderr's device and inode); the journal stamps each line itself.
 */
static int
to_journal(void)
{
	static int known, journal;
	unsigned long long dev, ino;
	const char *v;
	struct stat sb;

	if (!known) {
		known = 1;
		journal = (v = getenv("JOURNAL_STREAM")) != NULL &&
		    sscanf(v, "%llu:%llu", &dev, &ino) == 2 &&
		    fstat(STDERR_FILENO, &sb) == 0 &&
		    (unsigned long long)sb.st_dev == dev &&
		    (unsigned long long)sb.st_ino == ino;
	}
	return journal;
}

/*
 * Makes line one line a terminal shows as it is: control characters (C0,
 * DEL, and C1 as UTF-8 encodes them, U+0080..U+009F) become '?'.  Text
 * from outside (a router's answer, a peer's words) may carry a newline
 * that forges a line, or an escape sequence that rewrites the screen.
 */
static void
log_safe(char *line)
{
	unsigned char *p = (unsigned char *)line;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			*p = '?';
			*++p = '?';
		}
	}
}

void
daemon_log(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char when[32], buf[1024], *line = buf;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf) && (line = malloc((size_t)n + 1)) !=
	    NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(line, (size_t)n + 1, fmt, ap);
		va_end(ap);
	} else if (line == NULL)
		line = buf;		/* truncated rather than lost */
	log_safe(line);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	if (to_journal())
		fprintf(stderr, "balintd: %s\n", line);
	else
		fprintf(stderr, "%s.%03ldZ balintd: %s\n", when,
		    ts.tv_nsec / 1000000, line);
	if (line != buf)
		free(line);
}

/* Reads the clock offset from the environment, once. */
static void
clock_load(void)
{
	const char *s;
	char *end;
	long long v;

	if (clock_loaded)
		return;
	clock_loaded = 1;
	if ((s = getenv(CLOCK_OFFSET_ENV)) == NULL || *s == '\0')
		return;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > CLOCK_OFFSET_MAX ||
	    v < -CLOCK_OFFSET_MAX) {
		daemon_log("%s='%.40s' is not a whole number of milliseconds "
		    "within +-%lld; ignored", CLOCK_OFFSET_ENV, s,
		    CLOCK_OFFSET_MAX);
		return;
	}
	clock_offset = v;
}

int64_t
daemon_clock_offset_ms(void)
{
	clock_load();
	return clock_offset;
}

uint64_t
daemon_now_ms(void)
{
	struct timespec ts;
	int64_t now;

	clock_load();
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset;
	return now > 0 ? (uint64_t)now : 0;
}
