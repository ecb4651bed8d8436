/*
 * control.h — the face of daemon/ctl/: balintd's control socket
 * (DIR/balintd.sock) and the CLI's commands.  The folder owns the socket,
 * its clients and the dispatch of requests (control.c) and the command
 * handlers, one file per family (handlers.c: the table, shared helpers,
 * status, groups, contract, members; handlers-note.c; handlers-search.c,
 * handlers-case.c, handlers-marks.c: finding notes; handlers-roster.c;
 * handlers-net.c; handlers-lock.c: unlock, lock, stop; handlers-guard.c:
 * the de-identification guard; handlers-bundle.c: bundle files;
 * handlers-web.c: web.open for the page); the second half of this header is for
 * those files.  It
 * sits at the top with net/: it calls the group and net folders, the store
 * and proto/; only the process (main.c, loop.c) calls it.
 *
 * The socket is created under umask 077 and chmod 0600; every client's
 * uid is checked with SO_PEERCRED.  Messages travel behind the 4-byte
 * length prefix of proto/ctl.h.  A client that sends garbage is closed
 * (one log line); a request of another control version is answered with
 * status 2 naming both versions.
 *
 * A request becomes a struct ctl_call that its handler owns until it
 * answers with control_reply or control_fail, exactly once, now or later
 * (join, sync --wait).  If the client disconnects in the meantime the call
 * stays valid and the answer is dropped; control_stop does not free calls
 * still pending (their asynchronous operation must still finish them).
 */
#ifndef BAL_CONTROL_H
#define BAL_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "bal.h"
#include "ctl.h"

struct daemon;
struct ctl_call;

/*
 * control_start listens on DIR/balintd.sock.  A stale socket file (no
 * daemon answers on it) is removed first.  BAL_EEXIST: a live balintd
 * already answers on it; other negative codes for other failures.  err
 * gets one line for the user in every failure.
 */
int control_start(struct daemon *d, char *err, size_t errlen);
/* control_stop closes the listener and every client, removes the socket. */
void control_stop(struct daemon *d);

/*
 * control_call_local runs the handler of req's command for a caller inside
 * balintd (the page, daemon/web/), exactly as for a CLI client: the same
 * handler, the same locked-daemon rule.  cb gets the answer exactly once,
 * now or later: the status, its error (NULL or "" with CTL_OK) and resp
 * (valid during cb only; NULL for a bare error, records also with a
 * refusal: the guard's hits).  req is read only during this call.
 */
typedef void (*control_local_cb)(void *arg, int status, const char *err,
    const struct ctl_resp *resp);
void control_call_local(struct daemon *d, const struct ctl_req *req,
    control_local_cb cb, void *arg);

/* control_call_daemon is the daemon a call belongs to. */
struct daemon *control_call_daemon(const struct ctl_call *call);
/*
 * control_call_resp starts the (status 0) response of a call; NULL when
 * out of memory.  Hand it to control_reply.
 */
struct ctl_resp *control_call_resp(const struct ctl_call *call);
/*
 * control_reply sends resp (taken over, freed) as the answer to call and
 * ends the call (freed).  resp NULL or too large becomes a status 1 error.
 */
void control_reply(struct ctl_call *call, struct ctl_resp *resp);
/* control_fail answers call with status 1 or 2 and a message, ends it. */
void control_fail(struct ctl_call *call, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A command handler: req is valid only during the call of fn; fn must
 * eventually answer call (control_reply / control_fail) exactly once.
 */
struct handlers_cmd {
	const char *name;
	void (*fn)(struct ctl_call *call, const struct ctl_req *req);
};

/* handlers_find is the handler of command name, or NULL. */
const struct handlers_cmd *handlers_find(const char *name);

/*
 * Helpers shared by the handlers-*.c files.  Those that take a call fail it
 * (status 1 or 2, the message quoting the input) and return NULL or -1;
 * the handler then returns without touching the call again.
 */
struct group;

/* handlers_group resolves the optional "group" argument (group_select). */
struct group *handlers_group(struct ctl_call *call, const struct ctl_req *req);
/* handlers_str reads a str argument; *s is NULL when absent and optional. */
int handlers_str(struct ctl_call *call, const struct ctl_req *req,
    const char *key, int required, const char **s, size_t *len);
/* handlers_uint reads a uint argument; *u keeps its value when absent. */
int handlers_uint(struct ctl_call *call, const struct ctl_req *req,
    const char *key, uint64_t *u);
/*
 * handlers_kind reads a note kind's name into *k (dflt when kind is absent
 * or empty); handlers_limit checks a page size (1..CTL_LIST_PAGE_MAX, or
 * UINT64_MAX for "all" when all_ok). Each fails the call and returns -1.
 */
int handlers_kind(struct ctl_call *call, const char *kind, int dflt, int *k);
int handlers_limit(struct ctl_call *call, uint64_t limit, int all_ok);
/* handlers_bool reads a bool argument; *b keeps its value when absent. */
int handlers_bool(struct ctl_call *call, const struct ctl_req *req,
    const char *key, int *b);
/*
 * handlers_line checks that the optional argument s (what names it in the
 * message) is one line without control characters (C0, DEL, C1); fails the
 * call with status 2 and returns -1 when it is not.
 */
int handlers_line(struct ctl_call *call, const char *what, const char *s);
/* handlers_hex writes n bytes as lower-case hex (out: 2n+1 bytes). */
void handlers_hex(const uint8_t *p, size_t n, char *out);
/*
 * handlers_member_name is the roster name of pk in g, else its member id
 * text written into buf (IDENTITY_ID_TEXT_BYTES).
 */
const char *handlers_member_name(const struct group *g, const uint8_t *pk,
    char *buf);
/*
 * handlers_roster_member resolves sel (a name, a member id, or a unique
 * prefix of one) against g's roster (handlers-roster.c).  Fails the call
 * and returns -1 when it cannot.
 */
int handlers_roster_member(struct ctl_call *call, const struct group *g,
    const char *sel, uint8_t pk[BAL_PK_BYTES]);
/* handlers_active_count counts g's active members. */
uint64_t handlers_active_count(const struct group *g);

/*
 * The de-identification guard (handlers-guard.c).  A note's fields to
 * check: name ("title", "case", "text"), the UTF-8 text (NULL: not
 * changed, skipped) and its length.
 */
struct handlers_guard_field {
	const char *name;
	const char *text;
	size_t len;
};
struct handlers_guard_hits;
/*
 * handlers_guard_note checks a note before it is written, by the group's
 * rule: 0 when it may be written (*hits then holds what to show with the
 * answer, or NULL; free with handlers_guard_hits_free); -1 when the call
 * has been answered (refused with the hits as records, or an error).
 */
int handlers_guard_note(struct ctl_call *call, const struct ctl_req *req,
    const struct group *g, const struct handlers_guard_field *f, size_t n,
    struct handlers_guard_hits **hits);
/* handlers_guard_hits_add copies the hit records into resp (gh may be NULL). */
int handlers_guard_hits_add(struct ctl_resp *resp,
    const struct handlers_guard_hits *gh);
void handlers_guard_hits_free(struct handlers_guard_hits *gh);
/* handlers_guard_free releases the daemon's guard (at exit). */
void handlers_guard_free(struct daemon *d);
void handlers_guard_check(struct ctl_call *call, const struct ctl_req *req);
void handlers_guard_allow(struct ctl_call *call, const struct ctl_req *req);
void handlers_guard_allowed(struct ctl_call *call, const struct ctl_req *req);

/* Handlers living in handlers-note.c and handlers-net.c. */
void handlers_note_write(struct ctl_call *call, const struct ctl_req *req);
void handlers_note_list(struct ctl_call *call, const struct ctl_req *req);
void handlers_note_show(struct ctl_call *call, const struct ctl_req *req);
void handlers_note_edit(struct ctl_call *call, const struct ctl_req *req);
void handlers_note_delete(struct ctl_call *call, const struct ctl_req *req);
void handlers_note_log(struct ctl_call *call, const struct ctl_req *req);
/*
 * handlers-marks.c: read marks.  handlers_marks_load reads g's marks (0,
 * or a BAL_E* code); handlers_marks_new is 1 when gn (from group_notes)
 * is live, by another member, and its latest version unmarked;
 * handlers_marks_read marks gn's latest version read; handlers_marks_count
 * counts g's new notes; handlers_marks_last_meeting is the local start of
 * the day of the newest session note (0: none).
 */
struct group_note;
struct group;
struct handlers_marks {
	uint8_t *ids;			/* sorted entry ids, n * BAL_HASH_BYTES */
	size_t n;
	const uint8_t *self;		/* this member's key */
};
int handlers_marks_load(struct group *g, struct handlers_marks *m);
void handlers_marks_free(struct handlers_marks *m);
int handlers_marks_new(const struct handlers_marks *m,
    const struct group_note *gn);
int handlers_marks_read(struct group *g, const struct group_note *gn);
int handlers_marks_count(struct group *g, uint64_t *count);
uint64_t handlers_marks_last_meeting(const struct group_note *notes,
    size_t n);
/* handlers-case.c: case.list, case.show (case references folded). */
void handlers_case_list(struct ctl_call *call, const struct ctl_req *req);
void handlers_case_show(struct ctl_call *call, const struct ctl_req *req);
/*
 * handlers_case_order writes into *idx (malloc'd, n entries) the order of
 * the n notes by case: each case's notes together where the case first
 * appears, its case notes first, then the others as written; notes of no
 * case stay where they are.  0 or BAL_ENOMEM.
 */
int handlers_case_order(const struct group_note *notes, size_t n,
    size_t **idx);
/*
 * handlers-search.c: note.search.  handlers_search_fold folds len bytes
 * of UTF-8 for matching (NFD, case folded, combining marks dropped) into
 * malloc'd, NUL-terminated *out: 0, BAL_EINVAL (not UTF-8), BAL_ENOMEM.
 * handlers_search_free wipes and frees it.
 */
int handlers_search_fold(const char *s, size_t len, char **out,
    size_t *outlen);
void handlers_search_free(char *s, size_t len);
/* handlers_search_same is 1 when a and b fold alike (NULL is ""), else 0. */
int handlers_search_same(const char *a, const char *b);
void handlers_note_search(struct ctl_call *call, const struct ctl_req *req);
/*
 * handlers_net_status_self adds to the daemon record of status the
 * addresses it listens on that work only locally, and whether members
 * elsewhere can reach it.
 */
int handlers_net_status_self(struct daemon *d, struct ctl_resp *resp);
/* handlers_net_status adds one "peer" record per session to resp. */
int handlers_net_status(struct daemon *d, struct ctl_resp *resp);
/* handlers_net_lan adds LAN discovery's fields to the daemon record. */
int handlers_net_lan(struct daemon *d, struct ctl_resp *resp);
void handlers_net_invite(struct ctl_call *call, const struct ctl_req *req);
/* handlers-invites.c: a group's open invites, and cancelling one. */
void handlers_invite_list(struct ctl_call *call, const struct ctl_req *req);
void handlers_invite_cancel(struct ctl_call *call,
    const struct ctl_req *req);
void handlers_net_join(struct ctl_call *call, const struct ctl_req *req);
/* handlers-admit.c: newcomers held until a leader confirms them. */
void handlers_admit(struct ctl_call *call, const struct ctl_req *req);
/* handlers_admit_status adds one "waiting" record per held newcomer. */
int handlers_admit_status(struct daemon *d, struct ctl_resp *resp);
void handlers_net_peer_add(struct ctl_call *call, const struct ctl_req *req);
void handlers_net_peer_remove(struct ctl_call *call,
    const struct ctl_req *req);
void handlers_net_peer_list(struct ctl_call *call, const struct ctl_req *req);
void handlers_net_sync(struct ctl_call *call, const struct ctl_req *req);
/* Handlers living in handlers-lock.c: the daemon's lock and its stop. */
void handlers_lock_unlock(struct ctl_call *call, const struct ctl_req *req);
void handlers_lock_forget(struct ctl_call *call, const struct ctl_req *req);
void handlers_lock_lock(struct ctl_call *call, const struct ctl_req *req);
void handlers_lock_stop(struct ctl_call *call, const struct ctl_req *req);
/* handlers_lock_serves is 1 when d serves cmd now (locked: a few only). */
int handlers_lock_serves(const struct daemon *d, const char *cmd);
/*
 * handlers_lock_process adds the fields of this process to the current
 * record: pid, locked, systemd (run by systemd: its log is the journal).
 */
int handlers_lock_process(struct daemon *d, struct ctl_resp *resp);
/*
 * handlers_lock_status adds the "daemon" record of a locked daemon (name,
 * version, pid, locked) to resp; 0 or BAL_ENOMEM.
 */
int handlers_lock_status(struct daemon *d, struct ctl_resp *resp);
/* Handlers living in handlers-roster.c: revoke, leave (asynchronous). */
void handlers_roster_revoke(struct ctl_call *call, const struct ctl_req *req);
/* handlers-web.c: web.open, a one-time login URL for the page. */
void handlers_web_open(struct ctl_call *call, const struct ctl_req *req);
/* handlers-bundle.c: bundle.write, bundle.read (a file by absolute path). */
void handlers_bundle_write(struct ctl_call *call, const struct ctl_req *req);
void handlers_bundle_read(struct ctl_call *call, const struct ctl_req *req);
void handlers_roster_leave(struct ctl_call *call, const struct ctl_req *req);
/*
 * handlers_roster_kept (note.kept): a page of this member's own notes of a
 * group it was revoked from (group-kept.c), as note.list's records.
 */
void handlers_roster_kept(struct ctl_call *call, const struct ctl_req *req);
/*
 * handlers_removed_records adds one {kind:"removed", group, name, by, how,
 * time} record per group this member was removed from (status).
 */
int handlers_removed_records(struct daemon *d, struct ctl_resp *resp);

#endif
