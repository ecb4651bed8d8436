/*
 * handlers-bundle.c — bundle.write and bundle.read: a bundle file
 * (group-bundle.c) written to or read from a path the CLI made absolute.
 * The daemon does the file I/O: a bundle may be larger than one control
 * message.  Written 0600 to a temporary file, synced, then renamed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "bundle.h"
#include "control.h"
#include "ctl.h"
#include "daemon.h"
#include "group.h"

#define PATH_MAX_BYTES 4096

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes buf to path atomically (temp + rename), mode 0600; errno kept. */
static int
file_put(const char *path, const uint8_t *buf, size_t len)
{
	char tmp[PATH_MAX_BYTES + 16];
	int fd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0)
		return -1;
	if (fchmod(fd, 0600) != 0 || write_all(fd, buf, len) != 0 ||
	    fsync(fd) != 0) {
		e = errno;
		close(fd);
		(void)unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		(void)unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* Reads path whole (at most max bytes; EFBIG above). */
static int
file_get(const char *path, size_t max, uint8_t **out, size_t *len)
{
	struct stat sb;
	uint8_t *buf;
	size_t off = 0;
	ssize_t n;
	int fd, e;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size > max) {
		e = S_ISREG(sb.st_mode) ? EFBIG : EINVAL;
		close(fd);
		errno = e;
		return -1;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while (off < (size_t)sb.st_size) {
		if ((n = read(fd, buf + off, (size_t)sb.st_size - off)) < 0 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	*out = buf;
	*len = off;
	return 0;
}

/* The "path" argument: absolute, one line. */
static int
path_arg(struct ctl_call *call, const struct ctl_req *req, const char **p)
{
	size_t len;

	if (handlers_str(call, req, "path", 1, p, &len) != 0 ||
	    handlers_line(call, N_("path"), *p) != 0)
		return -1;
	if ((*p)[0] != '/' || len > PATH_MAX_BYTES) {
		control_fail(call, CTL_USAGE, N_("the bundle's path must be "
		    "absolute"));
		return -1;
	}
	return 0;
}

void
handlers_bundle_write(struct ctl_call *call, const struct ctl_req *req)
{
	struct ctl_resp *resp;
	struct group *g;
	const char *path, *sel = NULL;
	char hex[2 * BAL_GROUP_ID_BYTES + 1], idbuf[64];
	uint8_t pk[BAL_PK_BYTES], *file = NULL;
	uint64_t since = 0;
	size_t len = 0, n = 0;
	int known = 0, ret;

	if ((g = handlers_group(call, req)) == NULL ||
	    path_arg(call, req, &path) != 0 ||
	    handlers_str(call, req, "for", 0, &sel, NULL) != 0 ||
	    handlers_uint(call, req, "since", &since) != 0)
		return;
	if (sel != NULL && handlers_roster_member(call, g, sel, pk) != 0)
		return;
	if ((ret = group_bundle_write(g, sel != NULL ? pk : NULL, since,
	    &known, &file, &len, &n)) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot write a bundle of this "
		    "group: %s"), ret == BAL_ESTATE || ret == BAL_ENOENT ?
		    "this member holds no current epoch key" :
		    ret == BAL_ETOOBIG ? "too many entries for one bundle "
		    "(use --since or --for)" : bal_strerror(ret));
		return;
	}
	if (file_put(path, file, len) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot write '%s': %s"), path,
		    strerror(errno));
		free(file);
		return;
	}
	free(file);
	handlers_hex(g->id, BAL_GROUP_ID_BYTES, hex);
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "group", hex) != 0 ||
	    ctl_resp_add_str(resp, "path", path) != 0 ||
	    ctl_resp_add_uint(resp, "entries", n) != 0 ||
	    ctl_resp_add_uint(resp, "bytes", len) != 0 ||
	    (sel != NULL && (ctl_resp_add_str(resp, "for",
	    handlers_member_name(g, pk, idbuf)) != 0 ||
	    ctl_resp_add_bool(resp, "for_known", known) != 0))) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	control_reply(call, resp);
}

void
handlers_bundle_read(struct ctl_call *call, const struct ctl_req *req)
{
	struct daemon *d = control_call_daemon(call);
	struct group_bundle_read r;
	struct ctl_resp *resp;
	const char *path;
	char hex[2 * BAL_GROUP_ID_BYTES + 1], why[512], idbuf[64];
	uint8_t *file = NULL;
	size_t len = 0, i;
	int ret, bad = 0;

	if (path_arg(call, req, &path) != 0)
		return;
	if (file_get(path, BUNDLE_MAX_FILE, &file, &len) != 0) {
		control_fail(call, CTL_FAILED, N_("cannot read '%s': %s"), path,
		    errno == EFBIG ? "larger than any bundle" :
		    strerror(errno));
		return;
	}
	ret = group_bundle_read(d, file, len, &r, why, sizeof(why));
	free(file);
	if (ret != 0) {
		control_fail(call, CTL_FAILED, N_("bundle '%s' refused, nothing "
		    "taken in: %s"), path, why);
		group_bundle_read_free(&r);
		return;
	}
	handlers_hex(r.g->id, BAL_GROUP_ID_BYTES, hex);
	if ((resp = control_call_resp(call)) == NULL ||
	    ctl_resp_record_begin(resp) != 0 ||
	    ctl_resp_add_str(resp, "group", hex) != 0 ||
	    ctl_resp_add_str(resp, "name", group_name(r.g)) != 0 ||
	    ctl_resp_add_str(resp, "writer", handlers_member_name(r.g,
	    r.writer, idbuf)) != 0 ||
	    ctl_resp_add_uint(resp, "written_ms", r.time_ms) != 0 ||
	    ctl_resp_add_uint(resp, "entries", r.total) != 0 ||
	    ctl_resp_add_uint(resp, "added", r.added) != 0 ||
	    ctl_resp_add_uint(resp, "refused", r.refused) != 0)
		bad = 1;
	for (i = 0; !bad && i < r.nauthors; i++)
		if (ctl_resp_record_begin(resp) != 0 ||
		    ctl_resp_add_str(resp, "author", handlers_member_name(r.g,
		    r.authors[i].author, idbuf)) != 0 ||
		    ctl_resp_add_uint(resp, "added", r.authors[i].added) != 0 ||
		    ctl_resp_add_uint(resp, "refused",
		    r.authors[i].refused) != 0)
			bad = 1;
	if (bad) {
		ctl_resp_free(resp);
		resp = NULL;
	}
	group_bundle_read_free(&r);
	control_reply(call, resp);
}
