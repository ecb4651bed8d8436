/*
 * test-export-file.c — export-file.c (balint export's unfinished file)
 * where the integration scenario cannot reach: a stop signal that comes
 * while the whole file is being named, and a directory on NFS, where
 * flock is a byte-range lock that needs a writable fd.  linkat,
 * renameat2 and flock are wrapped (ld --wrap, the Makefile) in this
 * binary only; balint calls the real ones.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "cli.h"

static int stop_at_naming;	/* raise SIGTERM just before the naming */
static int nfs_locks;		/* flock refuses LOCK_EX on a read-only fd */

int __real_linkat(int, const char *, int, const char *, int);
int __real_renameat2(int, const char *, int, const char *, unsigned);
int __real_flock(int, int);
int __wrap_linkat(int, const char *, int, const char *, int);
int __wrap_renameat2(int, const char *, int, const char *, unsigned);
int __wrap_flock(int, int);

int
__wrap_linkat(int ofd, const char *old, int nfd, const char *new, int fl)
{
	if (stop_at_naming)
		(void)raise(SIGTERM);
	return __real_linkat(ofd, old, nfd, new, fl);
}

int
__wrap_renameat2(int ofd, const char *old, int nfd, const char *new,
    unsigned fl)
{
	if (stop_at_naming)
		(void)raise(SIGTERM);
	return __real_renameat2(ofd, old, nfd, new, fl);
}

/* flock(2), NOTES: NFS emulates it with fcntl locks (F_WRLCK). */
int
__wrap_flock(int fd, int op)
{
	if (nfs_locks && (op & LOCK_EX) &&
	    (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY) {
		errno = EBADF;
		return -1;
	}
	return __real_flock(fd, op);
}

/* balint's util.c, which this test does not link. */
void
util_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("balint: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static char dir[] = "/tmp/test-export-file-XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* What the file at path holds (at most len - 1 bytes), "" if none. */
static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/*
 * SIGTERM pending (held off) while FILE gets its name: balint ends by it,
 * FILE is whole, and the line says FILE was written, never "nothing".
 */
static void
stop_while_naming(const char *name, int named)
{
	char path[256], errpath[256], got[1024];
	pid_t pid;
	int st, fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(errpath, sizeof(errpath), "%s/%s.err", dir, name);
	if ((pid = fork()) == 0) {
		if (freopen(errpath, "w", stderr) == NULL)
			_exit(3);
		setvbuf(stderr, NULL, _IONBF, 0);
		if (named)
			setenv("BALINT_TEST_EXPORT_NAMED", "1", 1);
		if ((fd = export_file_open(path)) < 0 ||
		    write(fd, "the notes\n", 10) != 10 || close(fd) != 0)
			_exit(4);
		stop_at_naming = 1;
		(void)export_file_commit(path);
		_exit(5);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	slurp(path, got, sizeof(got));
	assert_string_equal(got, "the notes\n");
	slurp(errpath, got, sizeof(got));
	assert_null(strstr(got, "nothing was written"));
	assert_non_null(strstr(got, "export stopped, but only once"));
	assert_non_null(strstr(got, path));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(unlink(errpath), 0);
}

static void
test_stop_while_naming(void **state)
{
	(void)state;
	stop_while_naming("unnamed.md", 0);	/* O_TMPFILE, linkat */
	stop_while_naming("named.md", 1);	/* hidden file, renameat2 */
}

/* On NFS the sweep still removes a killed export's old hidden file. */
static void
test_sweep_on_nfs(void **state)
{
	char old[256], path[256];
	struct timespec t[2] = { { 0, 0 }, { 0, 0 } };
	struct stat st;
	int fd;

	(void)state;
	snprintf(old, sizeof(old), "%s/.k.md.balint-partial-AbC123", dir);
	snprintf(path, sizeof(path), "%s/next.md", dir);
	assert_true((fd = open(old, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	assert_int_equal(write(fd, "half\n", 5), 5);
	t[0].tv_sec = t[1].tv_sec = time(NULL) - 3600;
	assert_int_equal(futimens(fd, t), 0);
	close(fd);
	nfs_locks = 1;
	setenv("BALINT_TEST_EXPORT_NAMED", "1", 1);
	assert_true((fd = export_file_open(path)) >= 0);
	close(fd);
	export_file_abort();
	nfs_locks = 0;
	unsetenv("BALINT_TEST_EXPORT_NAMED");
	assert_int_equal(lstat(old, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(lstat(path, &st), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_while_naming),
		cmocka_unit_test(test_sweep_on_nfs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
