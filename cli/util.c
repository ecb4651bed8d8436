/* util.c — option parsing, errors, files and the terminal for balint. */
#define _XOPEN_SOURCE 700	/* strptime */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>

#include "bal.h"
#include "cli.h"
#include "mp.h"

int util_quiet;

void
util_err(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (util_quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("balint: ", stderr);
	output_safe(stderr, msg, 0);
	fputc('\n', stderr);
}

static int
opt_match(const struct util_opt *o, const char *arg, const char **inl)
{
	size_t n;

	*inl = NULL;
	if (o->lng != NULL && strncmp(arg, "--", 2) == 0) {
		n = strlen(o->lng);
		if (strncmp(arg, o->lng, n) != 0)
			return 0;
		if (arg[n] == '\0')
			return 1;
		if (arg[n] == '=' && o->val != NULL) {
			*inl = arg + n + 1;
			return 1;
		}
		return 0;
	}
	if (o->shrt != 0 && arg[0] == '-' && arg[1] == o->shrt) {
		if (arg[2] == '\0')
			return 1;
		if (o->val != NULL) {
			*inl = arg + 2;
			return 1;
		}
	}
	return 0;
}

int
util_getopt(struct cli *c, const char *what, const char *usage, int argc,
    char **argv, int first, const struct util_opt *opts, char **pos,
    int maxpos, int *npos)
{
	const struct util_opt *o;
	const char *inl = NULL;
	int i, only_pos = 0;

	*npos = 0;
	for (i = first; i < argc; i++) {
		const char *a = argv[i];

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (*npos >= maxpos) {
				util_err(_("unexpected argument '%s' (see: "
				    "balint %s --help)"), a, what);
				return CLI_USAGE;
			}
			pos[(*npos)++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(_(usage), stdout);
			return -1;
		}
		if (strcmp(a, "--json") == 0) {
			c->json = 1;
			continue;
		}
		for (o = opts; o != NULL && (o->lng != NULL || o->shrt != 0);
		    o++)
			if (opt_match(o, a, &inl))
				break;
		if (o == NULL || (o->lng == NULL && o->shrt == 0)) {
			util_err(_("unknown option '%s' for 'balint %s' (see: "
			    "balint %s --help)"), a, what, what);
			return CLI_USAGE;
		}
		if (o->val == NULL) {
			*o->flag = 1;
			continue;
		}
		if (inl == NULL) {
			if (i + 1 >= argc) {
				util_err(_("option '%s' needs a value (see: "
				    "balint %s --help)"), a, what);
				return CLI_USAGE;
			}
			inl = argv[++i];
		}
		*o->val = inl;
	}
	return 0;
}

int
util_home(struct cli *c)
{
	const char *v;
	int n;

	if (c->home_opt != NULL && *c->home_opt != '\0')
		n = snprintf(c->home, sizeof(c->home), "%s", c->home_opt);
	else if ((v = getenv("BALINT_HOME")) != NULL && *v != '\0')
		n = snprintf(c->home, sizeof(c->home), "%s", v);
	else if ((v = getenv("XDG_DATA_HOME")) != NULL && *v != '\0')
		n = snprintf(c->home, sizeof(c->home), "%s/balint", v);
	else if ((v = getenv("HOME")) != NULL && *v != '\0')
		n = snprintf(c->home, sizeof(c->home),
		    "%s/.local/share/balint", v);
	else {
		util_err(_("no profile directory: use --home DIR or set "
		    "BALINT_HOME"));
		return CLI_USAGE;
	}
	if (n <= 0 || (size_t)n >= sizeof(c->home)) {
		util_err(_("the profile directory path is too long"));
		return CLI_USAGE;
	}
	return 0;
}

int
util_read_file(const char *path, size_t max, const char *what, char **out,
    size_t *len)
{
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, ret = CLI_FAILED;

	*out = NULL;
	*len = 0;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		util_err(_("cannot open %s '%s': %s"), what, path,
		    strerror(errno));
		return CLI_FAILED;
	}
	if ((buf = sodium_malloc(max + 2)) == NULL) {
		util_err(_("out of memory"));
		goto out;
	}
	for (;;) {
		n = read(fd, buf + got, max + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got > max)
			break;
	}
	if (n < 0) {
		util_err(_("cannot read %s '%s': %s"), what, path,
		    strerror(errno));
		goto out;
	}
	if (got > max) {
		util_err(_("%s '%s' is too large (at most %zu bytes)"), what,
		    path, max);
		goto out;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
	ret = 0;
out:
	if (buf != NULL) {
		sodium_memzero(buf, max + 2);
		sodium_free(buf);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

void
util_buf_free(char *buf, size_t len)
{
	(void)len;
	sodium_free(buf);	/* sodium_free wipes the whole allocation */
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
util_write_atomic(const char *dir, const char *name, const void *buf,
    size_t len, int exclusive)
{
	char tmp[CLI_PATH_MAX], dst[CLI_PATH_MAX];
	int fd = -1, err = 0, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >=
	    (int)sizeof(tmp) ||
	    snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst))
		return ENAMETOOLONG;
	if ((fd = mkstemp(tmp)) < 0)
		return errno;
	if (fchmod(fd, 0600) != 0 || (err = write_all(fd, buf, len)) != 0 ||
	    fsync(fd) != 0) {
		if (err == 0)
			err = errno;
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		err = errno;
		goto fail;
	}
	fd = -1;
	if (exclusive) {
		if (link(tmp, dst) != 0) {
			err = errno;
			goto fail;
		}
		unlink(tmp);
	} else if (rename(tmp, dst) != 0) {
		err = errno;
		goto fail;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return err;
}

int
util_line_ok(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	if (len > max || !mp_utf8_valid(s, len))
		return 0;
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	}
	return 1;
}

int
util_duration(const char *s, uint64_t *seconds)
{
	unsigned long long v = 0, mul = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return BAL_EINVAL;
	while (*p >= '0' && *p <= '9') {
		if (v > 1000000000ULL)
			return BAL_EINVAL;
		v = v * 10 + (unsigned long long)(*p++ - '0');
	}
	switch (*p) {
	case '\0':
	case 's':	mul = 1; break;
	case 'm':	mul = 60; break;
	case 'h':	mul = 3600; break;
	case 'd':	mul = 86400; break;
	case 'w':	mul = 7 * 86400; break;
	default:	return BAL_EINVAL;
	}
	if (*p != '\0' && p[1] != '\0')
		return BAL_EINVAL;
	*seconds = v * mul;
	return 0;
}

/* Writes all of s to fd (the terminal), ignoring failure. */
static void
tty_write(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, s, len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

int
util_tty_line(const char *prompt, int secret, char *buf, size_t max)
{
	struct termios old, quiet;
	size_t len = 0;
	ssize_t n;
	char c;
	int fd, ret = BAL_EIO, restore = 0, over = 0;

	if (max == 0)
		return BAL_EINVAL;
	/* read(2) byte by byte: no stdio buffer ever holds the line. */
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return BAL_ENOENT;
	if (secret) {
		if (tcgetattr(fd, &old) != 0)
			goto out;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
			goto out;
		restore = 1;
	}
	tty_write(fd, prompt);
	for (;;) {
		if ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n')
			break;
		if (len + 1 < max)
			buf[len++] = c;
		else
			over = 1;
	}
	c = 0;
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (n < 0 || (n == 0 && len == 0))
		ret = BAL_EIO;
	else if (over) {
		sodium_memzero(buf, max);
		ret = BAL_ETOOBIG;
	} else
		ret = 0;
out:
	if (restore)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	return ret;
}

int
util_since_ms(const char *s, uint64_t *ms)
{
	struct tm tm;
	const char *end;
	uint64_t secs;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) != NULL && *end == '\0') {
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == (time_t)-1 || t < 0)
			return -1;
		*ms = (uint64_t)t * 1000;
		return 0;
	}
	if (util_duration(s, &secs) != 0 || secs == 0 ||
	    (uint64_t)time(NULL) < secs)
		return -1;
	*ms = ((uint64_t)time(NULL) - secs) * 1000;
	return 0;
}

int
util_yes(const char *answer)
{
	/* y or yes, and the word of the member's language (j, ja, כ, כן). */
	return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0 ||
	    strcasecmp(answer, _("y")) == 0 || strcasecmp(answer, _("yes")) == 0;
}

int
util_confirm(const char *prompt, const char *what)
{
	char answer[16];
	int fd;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0) {
		util_err(_("no terminal to confirm %s: add --yes to do it "
		    "without asking"), what);
		return CLI_USAGE;
	}
	close(fd);
	if (util_tty_line(prompt, 0, answer, sizeof(answer)) != 0) {
		util_err(_("no answer to confirm %s: add --yes to do it "
		    "without asking"), what);
		return CLI_USAGE;
	}
	if (!util_yes(answer)) {
		util_err(_("nothing done: you did not confirm %s"), what);
		return CLI_FAILED;
	}
	return CLI_OK;
}
