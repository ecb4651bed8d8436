/*
 * editor.c — writing note text in the editor (the editor setting, $VISUAL,
 * $EDITOR, Debian's editor, vi: git's order).  The text lives in a file in a
 * private directory (mkdtemp under the profile directory, 0700, named
 * .edit-PID-XXXXXX after this process); every file the editor left there
 * (the text, swap and backup files) is overwritten with zeros, synced and
 * unlinked, and the directory removed, on every path: also when balint is
 * told to end by SIGHUP (the terminal closed) or SIGTERM while the editor
 * runs (the editor is ended, the directory wiped, then balint ends by the
 * same signal).  Directories left by a balint that was killed outright
 * (SIGKILL, a crash, power loss) are wiped at the next editing, unless
 * their process still runs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "note.h"

/* Overwrites a regular file with zeros, syncs and unlinks it. */
static void
wipe_file(const char *path)
{
	static const char zeros[4096];
	struct stat sb;
	off_t left;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
			for (left = sb.st_size; left > 0; left -= n) {
				n = write(fd, zeros, left > (off_t)sizeof(zeros)
				    ? sizeof(zeros) : (size_t)left);
				if (n <= 0)
					break;
			}
			(void)fsync(fd);
		}
		close(fd);
	}
	unlink(path);
}

static void
wipe_dir(const char *dir)
{
	char path[CLI_PATH_MAX + 300];
	struct dirent *e;
	DIR *dp;

	if ((dp = opendir(dir)) != NULL) {
		while ((e = readdir(dp)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			wipe_file(path);
		}
		closedir(dp);
	}
	if (rmdir(dir) != 0)
		util_err(_("warning: cannot remove the editing directory '%s': "
		    "%s"), dir, strerror(errno));
}

/* The SIGHUP or SIGTERM that arrived while the editor ran, or 0. */
static volatile sig_atomic_t ended_by;

static void
on_end(int sig)
{
	ended_by = sig;
}

/* Wipes the editing directories of balint processes that no longer run. */
static void
wipe_leftovers(const char *home)
{
	char path[CLI_PATH_MAX + 300], *end;
	struct dirent *e;
	unsigned long pid;
	DIR *dp;

	if ((dp = opendir(home)) == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		if (strncmp(e->d_name, ".edit-", 6) != 0)
			continue;
		errno = 0;
		pid = strtoul(e->d_name + 6, &end, 10);
		/* Another balint still editing: its directory stays. */
		if (errno == 0 && *end == '-' && pid > 0 &&
		    pid <= (unsigned long)INT32_MAX &&
		    (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), "%s/%s", home, e->d_name);
		wipe_dir(path);
	}
	closedir(dp);
}

/* 1 when an executable named name is in $PATH. */
static int
in_path(const char *name)
{
	char dir[CLI_PATH_MAX + 64];
	const char *p = getenv("PATH"), *e;
	size_t n;

	for (; p != NULL && *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		if ((e = strchr(p, ':')) == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (n == 0 || n >= CLI_PATH_MAX)
			continue;
		snprintf(dir, sizeof(dir), "%.*s/%s", (int)n, p, name);
		if (access(dir, X_OK) == 0)
			return 1;
	}
	return 0;
}

/*
 * The editor, as git chooses it: the editor setting, $VISUAL, $EDITOR,
 * Debian's editor (the alternatives' choice), vi.  NULL for vi or editor
 * with no terminal to run on.
 */
static const char *
choose_editor(char *set, size_t setlen)
{
	const char *v;

	if (settings_get("editor", set, setlen) == 0 && *set != '\0')
		return set;
	if ((v = getenv("VISUAL")) != NULL && *v != '\0')
		return v;
	if ((v = getenv("EDITOR")) != NULL && *v != '\0')
		return v;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return NULL;
	return in_path("editor") ? "editor" : "vi";
}

/*
 * Runs the editor (a shell command line, as git runs it) on file; 0 when
 * it exits 0.  A SIGHUP or SIGTERM meanwhile ends the editor too
 * (ended_by says which).
 */
static int
run_editor(const char *editor, const char *file)
{
	struct sigaction ign, oint, oquit, end, ohup, oterm;
	char script[CONFIG_VALUE_MAX + 32];
	int status = 0, ret = -1;
	pid_t pid;

	snprintf(script, sizeof(script), "%s \"$@\"", editor);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	/* No SA_RESTART: waitpid returns EINTR, and the editor is ended. */
	memset(&end, 0, sizeof(end));
	end.sa_handler = on_end;
	sigemptyset(&end.sa_mask);
	ended_by = 0;
	sigaction(SIGHUP, &end, &ohup);
	sigaction(SIGTERM, &end, &oterm);
	if ((pid = fork()) < 0) {
		util_err(_("cannot start the editor: %s"), strerror(errno));
		goto out;
	}
	if (pid == 0) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		sigaction(SIGHUP, &ohup, NULL);
		sigaction(SIGTERM, &oterm, NULL);
		execl("/bin/sh", "sh", "-c", script, editor, file,
		    (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno == EINTR && ended_by != 0) {
			(void)kill(pid, SIGTERM);
			continue;
		}
		if (errno != EINTR) {
			util_err(_("waiting for the editor: %s"),
			    strerror(errno));
			goto out;
		}
	}
	if (ended_by != 0)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		util_err(_("the editor '%s' failed; nothing was written"),
		    editor);
		goto out;
	}
	ret = 0;
out:
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	sigaction(SIGHUP, &ohup, NULL);
	sigaction(SIGTERM, &oterm, NULL);
	return ret;
}

/* What tells a saved file from the one written: size, time, inode. */
static int
file_state(const char *file, struct stat *sb)
{
	return stat(file, sb);
}

static int
same_state(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_ino == b->st_ino &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * An editor that returned at once without a change (a GUI editor started
 * without its wait flag: code --wait, gedit -w, subl -w) still has the
 * file open: the text must not be lost.  Says so, and waits until the
 * file is saved (polled, so that any way of saving counts), or until
 * SIGINT, SIGHUP or SIGTERM (ended_by).  0 when saved.
 */
static int
wait_for_save(const char *file, const struct stat *before)
{
	struct sigaction end, oint, ohup, oterm;
	struct stat now, last;
	int ret = -1;

	util_err(_("the editor returned at once and the file is unchanged (a "
	    "window editor needs its wait flag, e.g. code --wait): the "
	    "file stays at %s until you save it there (Ctrl-C gives up)"),
	    file);
	fflush(stderr);
	memset(&end, 0, sizeof(end));
	end.sa_handler = on_end;
	sigemptyset(&end.sa_mask);
	ended_by = 0;
	sigaction(SIGINT, &end, &oint);
	sigaction(SIGHUP, &end, &ohup);
	sigaction(SIGTERM, &end, &oterm);
	while (ended_by == 0) {
		if (file_state(file, &now) == 0 && !same_state(&now, before)) {
			/*
			 * Let the save complete: read only once the file has
			 * held still for 200 ms (a save that takes longer than
			 * one look, a big file written in parts or a slow
			 * disk, is not read half-written).
			 */
			do {
				last = now;
				usleep(200 * 1000);
			} while (ended_by == 0 &&
			    file_state(file, &now) == 0 &&
			    !same_state(&now, &last));
			ret = 0;
			break;
		}
		usleep(200 * 1000);
	}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGHUP, &ohup, NULL);
	sigaction(SIGTERM, &oterm, NULL);
	return ret;
}

int
editor_text(const struct cli *c, const char *initial, char **out,
    size_t *outlen)
{
	char dir[CLI_PATH_MAX], file[CLI_PATH_MAX + 16];
	char set[CONFIG_VALUE_MAX + 1];
	struct timespec t0, t1;
	struct stat before, after;
	const char *ed;
	size_t len, off = 0;
	ssize_t n;
	int fd, rc = CLI_FAILED, made = 0;

	*out = NULL;
	*outlen = 0;
	if ((ed = choose_editor(set, sizeof(set))) == NULL) {
		util_err(_("no terminal for the editor: use -m TEXT or -F FILE"));
		return CLI_USAGE;
	}
	wipe_leftovers(c->home);
	if (snprintf(dir, sizeof(dir), "%s/.edit-%ld-XXXXXX", c->home,
	    (long)getpid()) >= (int)sizeof(dir) || mkdtemp(dir) == NULL) {
		util_err(_("cannot make a private directory in '%s': %s"),
		    c->home, strerror(errno));
		return CLI_FAILED;
	}
	made = 1;
	snprintf(file, sizeof(file), "%s/note.txt", dir);
	if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0) {
		util_err(_("cannot create '%s': %s"), file, strerror(errno));
		goto out;
	}
	len = initial != NULL ? strlen(initial) : 0;
	while (off < len) {
		if ((n = write(fd, initial + off, len - off)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			util_err(_("cannot write '%s': %s"), file,
			    strerror(errno));
			close(fd);
			goto out;
		}
		off += (size_t)n;
	}
	close(fd);
	if (file_state(file, &before) != 0) {
		util_err(_("cannot read '%s': %s"), file, strerror(errno));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (run_editor(ed, file) != 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Back within 2 s with nothing saved: an editor that did not wait. */
	if (file_state(file, &after) == 0 && same_state(&after, &before) &&
	    t1.tv_sec - t0.tv_sec < 2 && wait_for_save(file, &before) != 0) {
		if (ended_by == SIGINT)
			ended_by = 0;	/* given up: wiped, exit 1 */
		util_err(_("nothing was written (the file was wiped)"));
		goto out;
	}
	rc = util_read_file(file, NOTE_MAX_BODY, _("note text"), out, outlen);
out:
	if (made)
		wipe_dir(dir);
	if (ended_by != 0) {
		/* Wiped (nothing was read): end as the signal asked. */
		signal(ended_by, SIG_DFL);
		raise(ended_by);
	}
	return rc;
}
