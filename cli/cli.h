/*
 * cli.h — what the parts of balint share: the invocation, option parsing,
 * the control client, output (tables, JSON, one-line errors), files and
 * the editor.  The CLI includes only proto/ headers, never daemon/ ones.
 */
#ifndef BAL_CLI_H
#define BAL_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ctl.h"
/* Messages and help in the member's language: _(), N_() (i18n/, po/). */
#include "i18n.h"
/*
 * daemon_text is en, a text balintd sent in English (an error, a status
 * line), in the member's language, written into buf (daemon-text.c);
 * en as it came when its format is unknown.
 */
const char *daemon_text(const char *en, char *buf, size_t len);

/* Exit codes (DESIGN.md §5), the same numbers as enum ctl_status. */
#define CLI_OK 0
#define CLI_FAILED 1
#define CLI_USAGE 2
#define CLI_NODAEMON 3

#define CLI_PATH_MAX 4096
#define CLI_NAME_MAX 64		/* bytes of a member name given to init */

struct cli {
	const char *home_opt;		/* --home, or NULL */
	char home[CLI_PATH_MAX];	/* the profile directory */
	int json;			/* --json */
	const char *group;		/* -g/--group before the command */
};

/* One subcommand: fn gets argv[0] = the command name. */
struct cli_cmd {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *help;
};

int cmd_init(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_group(struct cli *c, int argc, char **argv);
int cmd_contract(struct cli *c, int argc, char **argv);
int cmd_invite(struct cli *c, int argc, char **argv);
int cmd_join(struct cli *c, int argc, char **argv);
int cmd_admit(struct cli *c, int argc, char **argv);
int cmd_members(struct cli *c, int argc, char **argv);
int cmd_revoke(struct cli *c, int argc, char **argv);
int cmd_leave(struct cli *c, int argc, char **argv);
int cmd_note(struct cli *c, int argc, char **argv);
int cmd_peer(struct cli *c, int argc, char **argv);
int cmd_sync(struct cli *c, int argc, char **argv);
int cmd_bundle(struct cli *c, int argc, char **argv);
int cmd_complete(struct cli *c, int argc, char **argv);
int cmd_config(struct cli *c, int argc, char **argv);
int cmd_unlock(struct cli *c, int argc, char **argv);
int cmd_lock(struct cli *c, int argc, char **argv);
int cmd_open(struct cli *c, int argc, char **argv);
int cmd_passphrase(struct cli *c, int argc, char **argv);
int cmd_daemon(struct cli *c, int argc, char **argv);
/*
 * cmd_daemon_offer asks on the terminal (after init) whether to start
 * balintd now, and, when the systemd user unit is there, at every login.
 */
int cmd_daemon_offer(struct cli *c);
int cmd_check(struct cli *c, int argc, char **argv);
/* cmd_search is balint note search (cmd-search.c); argv[1] is "search". */
int cmd_search(struct cli *c, int argc, char **argv);
int cmd_case(struct cli *c, int argc, char **argv);
/*
 * cmd_case_check: a follow-up (kind "followup") must name a case some
 * note carries; asks on a terminal (the reference, if *cref is NULL, read
 * into buf; or whether to write anyway), refuses elsewhere unless yes.
 * CLI_OK to go on, else the exit code (the line printed).
 */
int cmd_case_check(struct cli *c, const char *group, const char *kind,
    const char **cref, char *buf, size_t buflen, int yes);
int cmd_export(struct cli *c, int argc, char **argv);
/*
 * cmd_export_notes writes the group's notes (only this member's: mine) in
 * format "md", "json" or "pdf" to a new 0600 file at path, warning on stderr that
 * it is plaintext (cmd-export.c; also offered by leave); kept: those kept
 * of a group this member was revoked from.  An exit code.
 */
int cmd_export_notes(struct cli *c, const char *group, int mine, int kept,
    const char *format, const char *path);
/* cmd_export_format_of: "pdf" or "json" by path's ending, else "md". */
const char *cmd_export_format_of(const char *path);
/*
 * export_pdf_write writes the records of all (note.list's, with bodies,
 * in the export's order) to the open file fd as an A4 PDF headed by the
 * group's name, through balint-export-pdf (export-pdf.c; pdf/ lays it
 * out with pango and cairo): 0, or -1 with the error said.
 */
int export_pdf_write(int fd, const struct ctl_resp *all, const char *group,
    int mine, int kept);
/*
 * export_file_open starts the file of an export to path (export-file.c):
 * a 0600 file with no name in its directory where the file system allows,
 * else a hidden .NAME.balint-partial-XXXXXX beside it, removed on SIGINT,
 * SIGTERM and SIGHUP from now on; stale ones a killed export left in that
 * directory are removed first.  The open fd (the caller closes
 * it), or -1 with the line said (path exists: export never overwrites).
 * export_file_commit then gives the written, fsynced file path's name,
 * never over an existing file: 0, or -1 with the line said and the file
 * removed; export_file_abort removes it.  Either ends the export's state.
 * export_file_renderer names the PDF renderer's pid, killed with the file
 * (0: none).  export_file_test_pause: with BALINT_TEST_EXPORT_PAUSE set,
 * flushes f and waits for a signal (tests stop an export mid-way).
 */
int export_file_open(const char *path);
int export_file_commit(const char *path);
void export_file_abort(void);
void export_file_renderer(pid_t pid);
void export_file_test_pause(FILE *f);
/*
 * cmd_note_append appends the records of a note.list page to all, skipping
 * notes already there (cmd-note.c).  An exit code.
 */
int cmd_note_append(struct ctl_resp *all, const struct ctl_resp *page);
/* cmd_history is balint note log (cmd-history.c); argv[1] is "log". */
int cmd_history(struct cli *c, int argc, char **argv);

/*
 * The de-identification guard's findings ({kind:"hit"} records of
 * note.write, note.edit and guard.check; hits.c).  A field the CLI sent:
 * its name ("title", "case", "text") and its text.
 */
struct hits_field {
	const char *name;
	const char *text;
	size_t len;
};
/* hits_count is the number of hit records in resp. */
size_t hits_count(const struct ctl_resp *resp);
/*
 * hits_print writes each hit to f: where (field line:column), what, the
 * matched text, and the line of the field's text it stands in.
 */
void hits_print(FILE *f, const struct ctl_resp *resp,
    const struct hits_field *fields, size_t nfields);

/*
 * suggest_word is the name in names[0..n) nearest to a mistyped word (one
 * edit for words of up to 4 bytes, two for longer ones, or a start of the
 * name), or NULL.
 */
const char *suggest_word(const char *word, const char *const *names,
    size_t n);
/*
 * suggest_sub is the subcommand word names: itself when it is one of
 * names, else the one its alias stands for (ls: list, rm: delete or
 * remove, cat: show, new: write or create), else NULL.
 */
const char *suggest_sub(const char *word, const char *const *names,
    size_t n);
/*
 * suggest_unknown_sub prints "unknown subcommand 'cmd word'", with the
 * nearest of names when there is one; returns CLI_USAGE.
 */
int suggest_unknown_sub(const char *cmd, const char *word,
    const char *const *names, size_t n);

/* An option of a subcommand: a flag (val NULL) or one with a value. */
struct util_opt {
	const char *lng;	/* "--kind", or NULL */
	char shrt;		/* 'm', or 0 */
	const char **val;	/* receives the value; NULL for a flag */
	int *flag;		/* set to 1 for a flag */
};

/*
 * util_getopt parses argv[first..argc): the options in opts, plus --json
 * and --help/-h everywhere; the rest (at most maxpos) go to pos.  Returns
 * -1 after printing usage for --help (exit 0), CLI_USAGE after printing an
 * error, else 0.  what is the command line shown in messages ("note
 * write"), usage its help text: a whole usage block marked N_() in the
 * command's file, one message of the catalogue, printed translated.
 */
int util_getopt(struct cli *c, const char *what, const char *usage,
    int argc, char **argv, int first, const struct util_opt *opts,
    char **pos, int maxpos, int *npos);
/*
 * util_err prints "balint: MESSAGE" on one line of stderr (made safe),
 * unless util_quiet is set (polling a daemon that is restarting).
 */
extern int util_quiet;
void util_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* util_home resolves the profile directory into c->home. */
int util_home(struct cli *c);
/*
 * util_read_file reads a whole file ("-": stdin) of at most max bytes into
 * sodium_malloc'd memory, NUL-terminated (util_buf_free).  Prints the error
 * and returns an exit code on failure.
 */
int util_read_file(const char *path, size_t max, const char *what,
    char **out, size_t *len);
/* util_buf_free wipes and releases a util_read_file buffer. */
void util_buf_free(char *buf, size_t len);
/*
 * util_write_atomic writes a 0600 file dir/name through a temporary file,
 * fsync and rename (or link, when exclusive: fails with EEXIST if the file
 * exists).  0 or an errno value.
 */
int util_write_atomic(const char *dir, const char *name, const void *buf,
    size_t len, int exclusive);
/*
 * util_line_ok is 1 when s is at most max bytes of UTF-8 on one line with
 * no control character (C0, DEL, C1), else 0.
 */
int util_line_ok(const char *s, size_t max);
/* util_since_ms: DATE as Unix ms: YYYY-MM-DD (local midnight) or an age (7d, 12h). */
int util_since_ms(const char *s, uint64_t *ms);
/* util_duration parses "90", "90s", "15m", "2h", "7d", "1w" into seconds. */
int util_duration(const char *s, uint64_t *seconds);
/*
 * util_tty_line reads one line from the terminal (echo off when secret,
 * with termios) after printing prompt there, with read(2) straight into
 * buf (no stdio buffer holds it; a secret's buf is the caller's
 * sodium_malloc'd memory).  BAL_ENOENT: no terminal; BAL_ETOOBIG: longer
 * than max - 1 bytes (buf wiped); BAL_EIO: end of input or read error.
 */
int util_tty_line(const char *prompt, int secret, char *buf, size_t max);
/*
 * util_confirm asks prompt ("... [y/N] ") on the terminal: CLI_OK for y or
 * yes; CLI_FAILED (said) for anything else; CLI_USAGE (said: add --yes)
 * when there is no terminal.  what names the act ("deleting the note").
 */
int util_confirm(const char *prompt, const char *what);
/* util_yes: answer is yes, in English or the member's language. */
int util_yes(const char *answer);

/* The longest passphrase read (bytes). */
#define PASSPHRASE_MAX 1024
/*
 * passphrase_read reads one passphrase from the file named by $env (first
 * line; refused when group or others may read the file) or else from the
 * terminal after prompt, into sodium_malloc'd *out (sodium_free it).  A
 * CLI_* code; on failure one line was printed.
 */
int passphrase_read(const char *env, const char *prompt, char **out,
    size_t *outlen);
/*
 * passphrase_new reads a new passphrase as passphrase_read does (twice on
 * the terminal) and refuses an empty or weak one (passphrase_weak).
 */
int passphrase_new(const char *env, char **out, size_t *outlen);
/*
 * passphrase_weak is 1, with libpwquality's reason in why, when pass fails
 * libpwquality's check (dictionary words, too short, too simple, ... with
 * the machine's /etc/security/pwquality.conf); else 0.
 */
int passphrase_weak(const char *pass, char *why, size_t whylen);

/*
 * settings_dir is the settings directory: $XDG_CONFIG_HOME/balint (an
 * absolute path), else ~/.config/balint.  BAL_ENOENT: neither is set.
 */
int settings_dir(char *out, size_t outlen);
/*
 * settings_read reads the settings file (its path into path): *text is
 * malloc'd and NUL-terminated, or NULL when there is no file (nothing
 * set).  BAL_ENOENT (no directory), BAL_EIO, BAL_ETOOBIG, BAL_ENOMEM.
 */
int settings_read(char *path, size_t pathlen, char **text, size_t *len);
/* settings_get reads one key's value (0), BAL_ENOENT when not set. */
int settings_get(const char *key, char *value, size_t vallen);
/* settings_write replaces the file (0600, directory 0700); errno or 0. */
int settings_write(const char *text, size_t len);

/*
 * client_call sends req to the daemon of c->home and reads its answer
 * (waiting at most wait_ms plus a margin).  Returns CLI_OK with *resp set,
 * or prints the error and returns the exit code.
 */
int client_call(struct cli *c, const struct ctl_req *req, uint64_t wait_ms,
    struct ctl_resp **resp);
/*
 * client_not_running prints what to do when no balintd answers for
 * c->home: create the profile first (balint init) when there is none,
 * else start balintd; returns CLI_NODAEMON.
 */
int client_not_running(const struct cli *c);
/*
 * client_call_keep is client_call, except that a refusal (exit code 1 or
 * 2) that carries records comes back in *resp, its message unprinted
 * (ctl_resp_err), for the caller to show with the records.
 */
int client_call_keep(struct cli *c, const struct ctl_req *req,
    uint64_t wait_ms, struct ctl_resp **resp);
/*
 * client_ask asks cmd (of group, if given) with no other argument:
 * client_call's codes; out of memory said on stderr.
 */
int client_ask(struct cli *c, const char *cmd, const char *group,
    struct ctl_resp **out);
/*
 * client_call_str asks cmd (of group, if given) with one string argument
 * key = value: client_call's codes; out of memory said on stderr.
 */
int client_call_str(struct cli *c, const char *cmd, const char *group,
    const char *key, const char *value, struct ctl_resp **out);
/*
 * client_group_name writes the name of the group the daemon selects for
 * group (NULL: the only one) into out: client_call's codes.
 */
int client_group_name(struct cli *c, const char *group, char *out,
    size_t outlen);
/* client_req builds a request of cmd with an optional "group" arg. */
struct ctl_req *client_req(const char *cmd, const char *group);

/* A column of a table: key of the record field, header, format. */
enum output_fmt {
	OUT_STR,
	OUT_UINT,
	OUT_TIME,		/* Unix ms shown as local "YYYY-MM-DD HH:MM" */
	OUT_BOOL,
	OUT_WORD,		/* a word balintd sends (a kind, a role, a state),
				   shown in the member's language */
};

struct output_col {
	const char *key;
	const char *head;
	int fmt;		/* enum output_fmt */
};

/*
 * output_safe prints s with control characters and bad UTF-8 as '?' (keeps
 * \n, \t if multiline; on one line, bidirectional controls too).
 */
void output_safe(FILE *f, const char *s, int multiline);
/*
 * output_name_ok is 1 when s can be a member name: 1..max bytes of UTF-8 on
 * one line, no control or bidirectional control character, no blank at
 * either end.
 */
int output_name_ok(const char *s, size_t max);
/* output_field formats field key of record rec into buf. */
const char *output_field(const struct ctl_resp *resp, size_t rec,
    const char *key, int fmt, char *buf, size_t buflen);
/* output_table prints the records as an aligned table (ncols columns). */
void output_table(const struct ctl_resp *resp, const struct output_col *cols,
    size_t ncols);
/* output_json prints every record as a JSON array of objects. */
int output_json(const struct ctl_resp *resp);
/* output_list prints a listing: JSON with --json, else the table. */
int output_list(const struct cli *c, const struct ctl_resp *resp,
    const struct output_col *cols, size_t ncols, const char *empty);
/* output_time writes Unix ms as local "YYYY-MM-DD HH:MM". */
void output_time(uint64_t ms, char *buf, size_t buflen);

/*
 * editor_text lets the user write text in the editor (the editor setting,
 * $VISUAL, $EDITOR, Debian's editor, vi: git's order), starting
 * from initial (may be NULL), in a private 0700 directory under c->home
 * that is wiped and removed on every path.  *out is sodium_malloc'd
 * (util_buf_free).  An editor back within 2 s with the file unchanged (a
 * window editor without its wait flag) is said so, and the file kept until
 * it is saved.  Prints the error and returns an exit code on failure.
 */
int editor_text(const struct cli *c, const char *initial, char **out,
    size_t *outlen);

/*
 * status_words prints the group of status record grec in plain words (its
 * members, notes, who is up to date, who was last seen when) and the
 * amendment waiting for this member's acceptance (status-words.c).
 */
void status_words(const struct ctl_resp *resp, size_t grec);

/* The header lines of the note template (template.c). */
struct template_fields {
	char title[201];	/* NOTE_MAX_TITLE + 1 */
	char kind[16];
	char cref[65];		/* NOTE_MAX_CASE + 1 */
	int has_title, has_kind, has_case;	/* the line was there */
};
/*
 * template_make is the starting file of balint note write in the editor
 * (sodium_malloc'd, NUL-terminated: util_buf_free): Title, Kind and Case
 * lines (the values given, or empty; kind session), a blank line, then
 * comment lines ('#') that say how.  NULL when out of memory.
 */
char *template_make(const char *kind, const char *cref, const char *title);
/*
 * template_parse takes the header lines off text (in place: comment
 * lines removed, blank lines at either end of the text too, *len
 * shortened) into f; an empty title becomes the text's first line
 * (shortened to NOTE_MAX_TITLE bytes).  0.
 */
int template_parse(char *text, size_t *len, struct template_fields *f);

/*
 * linediff_print writes the unified diff (diff -u's hunks, without the
 * ---/+++ header) of the NUL-terminated texts old and new to f, lines as
 * output_safe prints other members' text, with context lines of context;
 * returns the number of hunks (0: the same text), -1 out of memory.
 */
int linediff_print(FILE *f, const char *old, const char *new,
    size_t context);

#endif
