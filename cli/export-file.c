/*
 * export-file.c — the file balint export writes, made so that an export
 * that is stopped or fails half-way leaves no partial plaintext behind
 * (in a synced folder, say) that the member does not know of.
 *
 * The notes go to a file with no name in FILE's directory (O_TMPFILE,
 * 0600) where the file system has them, else to a hidden file beside
 * FILE, .FILE.balint-partial-XXXXXX (mkstemp: O_EXCL, 0600).  It takes
 * FILE's name only once it is whole and on disk, and never over an
 * existing FILE (linkat; renameat2 RENAME_NOREPLACE, else link(2): all
 * refuse an existing name).  A failure removes the hidden file; so does
 * SIGINT, SIGTERM or SIGHUP, in a handler (unlink and kill are
 * async-signal-safe) that then ends balint by the same signal.  SIGKILL
 * or a power cut cannot be caught: a file with no name goes with the
 * process, but a hidden one stays, so the next export into that
 * directory removes such files of ours that no running export holds
 * (each holds an flock on its own) and that were last written at least
 * SWEEP_AGE_S before it started — regular files of this user with one
 * link, never through a symlink.  SIGXFSZ is ignored meanwhile: a file
 * size limit is a write error said in one line, not a kill that would
 * leave the file.
 */
#define _GNU_SOURCE	/* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "cli.h"

#define PARTIAL ".balint-partial-"
#define PARTIAL_RAND 6		/* mkstemp's XXXXXX */
/*
 * A hidden file younger than this is never swept, locked or not: file
 * times lag a clock read by up to a timer tick (a file made after
 * clock_gettime mostly has an mtime before it), and a new export's file
 * exists for a moment (a round trip on FUSE) before it holds its lock.
 */
#define SWEEP_AGE_S 2

/* What the signal handler needs, set before it can run. */
static char tmp_path[PATH_MAX];
static volatile sig_atomic_t tmp_live;
static volatile pid_t renderer;
static char stop_msg[PATH_MAX + 512];
static size_t stop_len;
static int lock_fd = -1;
static int unnamed;		/* O_TMPFILE: the file has no name yet */
static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction old_act[3], old_xfsz;
static int handled[3];

static void
on_stop(int sig)
{
	if (renderer > 0)
		(void)kill(renderer, SIGKILL);
	if (tmp_live)
		(void)unlink(tmp_path);
	if (stop_len > 0)
		(void)!write(STDERR_FILENO, stop_msg, stop_len);
	/* Ended by the signal itself, once the handler returns. */
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/* Holds the stopping signals off (a file made or named meanwhile). */
static void
block_stops(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		sigaddset(&set, stop_sigs[i]);
	(void)sigprocmask(SIG_BLOCK, &set, old);
}

static void
unblock_stops(const sigset_t *old)
{
	(void)sigprocmask(SIG_SETMASK, old, NULL);
}

/* The directory of path: ".", "/" or what comes before its last '/'. */
static void
dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else
		snprintf(dir, len, "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
}

/* 1 when name is .SOMETHING.balint-partial-XXXXXX (mkstemp's letters). */
static int
is_partial(const char *name)
{
	size_t n = strlen(name), tail = sizeof(PARTIAL) - 1 + PARTIAL_RAND, i;

	if (name[0] != '.' || n < tail + 2 ||
	    strncmp(name + n - tail, PARTIAL, sizeof(PARTIAL) - 1) != 0)
		return 0;
	for (i = n - PARTIAL_RAND; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return 1;
}

/*
 * Removes from dir the partial files of ours an export that was killed
 * left: this user's regular files with a single link (a second name of
 * some other file is not ours to count), last written SWEEP_AGE_S
 * before this export or earlier, that no running export holds (flock),
 * never through a symlink.  Opened for writing: on NFS (and SMB) flock
 * is a byte-range lock, and an exclusive one needs a writable fd.
 */
static void
sweep(const char *dir, const struct timespec *start)
{
	struct dirent *de;
	struct stat st, again;
	DIR *d;
	size_t removed = 0;
	int dfd, fd;

	if ((d = opendir(dir)) == NULL)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (!is_partial(de->d_name) || (fd = openat(dfd, de->d_name,
		    O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC)) < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == getuid() && st.st_nlink == 1 &&
		    (st.st_mtim.tv_sec < start->tv_sec - SWEEP_AGE_S ||
		    (st.st_mtim.tv_sec == start->tv_sec - SWEEP_AGE_S &&
		    st.st_mtim.tv_nsec < start->tv_nsec)) &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    fstatat(dfd, de->d_name, &again, AT_SYMLINK_NOFOLLOW) == 0 &&
		    again.st_dev == st.st_dev && again.st_ino == st.st_ino &&
		    unlinkat(dfd, de->d_name, 0) == 0)
			removed++;
		close(fd);
	}
	closedir(d);
	if (removed > 0)
		util_err(ngettext("removed %zu unfinished export in %s (a "
		    "partial plaintext file left by an export that was "
		    "killed)", "removed %zu unfinished exports in %s (partial "
		    "plaintext files left by exports that were killed)",
		    removed), removed, dir);
}

/* Says why path cannot be made, the rule said when it exists. */
static void
say_cannot_create(const char *path, int err)
{
	util_err(_("cannot create '%s': %s%s"), path, strerror(err),
	    err == EEXIST ? _(" (export never overwrites a file: choose "
	    "another name)") : "");
}

/* Puts balint's handlers in (signals blocked), keeping an ignored one. */
static void
handlers_on(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++) {
		handled[i] = 0;
		if (sigaction(stop_sigs[i], NULL, &old_act[i]) != 0 ||
		    old_act[i].sa_handler == SIG_IGN)
			continue;
		handled[i] = sigaction(stop_sigs[i], &sa, NULL) == 0;
	}
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGXFSZ, &sa, &old_xfsz);
}

static void
handlers_off(void)
{
	size_t i;

	for (i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		if (handled[i])
			(void)sigaction(stop_sigs[i], &old_act[i], NULL);
	(void)sigaction(SIGXFSZ, &old_xfsz, NULL);
}

int
export_file_open(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base;
	struct timespec start;
	struct stat st;
	sigset_t old;
	const char *v;
	int fd = -1, err;

	(void)clock_gettime(CLOCK_REALTIME, &start);
	base = slash != NULL ? slash + 1 : path;
	dir_of(path, dir, sizeof(dir));
	/* Never over an existing name, a symlink's included (as O_EXCL). */
	if (lstat(path, &st) == 0 || *base == '\0') {
		say_cannot_create(path, *base == '\0' ? EISDIR : EEXIST);
		return -1;
	}
	sweep(dir, &start);
	/* The name leaves room for our ending within NAME_MAX. */
	if (snprintf(tmp_path, sizeof(tmp_path), "%s/.%.*s" PARTIAL "XXXXXX",
	    dir, (int)(NAME_MAX - 1 - (sizeof(PARTIAL) - 1) - PARTIAL_RAND),
	    base) >= (int)sizeof(tmp_path)) {
		say_cannot_create(path, ENAMETOOLONG);
		return -1;
	}
	snprintf(stop_msg, sizeof(stop_msg), "balint: %s\n", _("export "
	    "stopped: nothing was written"));
	stop_len = strlen(stop_msg);
	block_stops(&old);
	handlers_on();
	/*
	 * Where the file system can (ext4, xfs, btrfs, tmpfs), the file has
	 * no name at all until it is whole (O_TMPFILE, named by linkat
	 * through /proc): a kill -9 or a power cut then leaves nothing.
	 * Elsewhere (FAT, NFS, most FUSE), the hidden name.
	 */
	v = getenv("BALINT_TEST_EXPORT_NAMED");
	unnamed = (v == NULL || *v == '\0') &&
	    access("/proc/self/fd", X_OK) == 0 && (fd = open(dir, O_TMPFILE |
	    O_WRONLY | O_CLOEXEC, 0600)) >= 0;
	if (!unnamed && (fd = mkostemp(tmp_path, O_CLOEXEC)) < 0) {
		err = errno;
		handlers_off();
		unblock_stops(&old);
		say_cannot_create(path, err);
		return -1;
	}
	tmp_live = !unnamed;
	/*
	 * Kept open to the end: the file linkat names (unnamed), or the one
	 * a sweeping export leaves alone for its lock (named), taken at
	 * once; until then (the syscalls between) SWEEP_AGE_S guards it.
	 * No one else can hold a lock on a file this new: LOCK_NB.
	 */
	if ((lock_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
		err = errno;
		unblock_stops(&old);
		util_err(_("cannot write '%s': %s"), path, strerror(err));
		close(fd);
		export_file_abort();
		return -1;
	}
	unblock_stops(&old);
	if (fchmod(fd, 0600) != 0) {
		util_err(_("cannot write '%s': %s"), path, strerror(errno));
		close(fd);
		export_file_abort();
		return -1;
	}
	return fd;
}

void
export_file_renderer(pid_t pid)
{
	renderer = pid;
}

void
export_file_test_pause(FILE *f)
{
	const char *v = getenv("BALINT_TEST_EXPORT_PAUSE");

	if (v == NULL || *v == '\0')
		return;
	if (f != NULL)
		(void)fflush(f);
	fputs("balint: paused for a test (BALINT_TEST_EXPORT_PAUSE)\n",
	    stderr);
	for (;;)
		pause();
}

/* Ends the export's state: the handlers out, the lock released. */
static void
finish(void)
{
	sigset_t old;

	block_stops(&old);
	if (tmp_live)
		(void)unlink(tmp_path);
	tmp_live = 0;
	unnamed = 0;
	renderer = 0;
	stop_len = 0;
	handlers_off();
	unblock_stops(&old);
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
}

void
export_file_abort(void)
{
	finish();
}

/* Gives the whole file its name, never over an existing one: 0 or errno. */
static int
place(const char *path)
{
	char fdpath[64];
	struct stat st;

	if (unnamed) {
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", lock_fd);
		return linkat(AT_FDCWD, fdpath, AT_FDCWD, path,
		    AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
	}
	if (renameat2(AT_FDCWD, tmp_path, AT_FDCWD, path,
	    RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return errno;
	/* A file system without it (FUSE, NFS): a hard link refuses too. */
	if (link(tmp_path, path) == 0) {
		(void)unlink(tmp_path);
		return 0;
	}
	if (errno != EPERM && errno != ENOTSUP && errno != ENOSYS)
		return errno;
	/* Nor links (FAT): a check just before, a window of microseconds. */
	if (lstat(path, &st) == 0)
		return EEXIST;
	return rename(tmp_path, path) == 0 ? 0 : errno;
}

int
export_file_commit(const char *path)
{
	char dir[PATH_MAX];
	sigset_t old;
	int err, dfd;

	block_stops(&old);
	/*
	 * FILE is whole once named: a stop signal held off meanwhile (it
	 * ends balint at the unblock) must say so, not "nothing written".
	 */
	if ((err = place(path)) == 0) {
		tmp_live = 0;
		snprintf(stop_msg, sizeof(stop_msg), "balint: ");
		/* Room kept for the '\n' (a long path cut, not the line). */
		snprintf(stop_msg + 8, sizeof(stop_msg) - 9, _("export "
		    "stopped, but only once %s was complete: this file is "
		    "plaintext, not encrypted: keep it safe, delete it when "
		    "done."), path);
		stop_len = strlen(stop_msg);
		stop_msg[stop_len++] = '\n';
	}
	unblock_stops(&old);
	finish();
	if (err != 0) {
		say_cannot_create(path, err);
		return -1;
	}
	/* The new name on disk too. */
	dir_of(path, dir, sizeof(dir));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}
