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

void
daemon_log(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char when[32];
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	if (to_journal())
		fputs("balintd: ", stderr);
	else
		fprintf(stderr, "%s.%03ldZ balintd: ", when,
		    ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
