/* contract-text.c — the text form of the group contract (see contract.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bal.h"
#include "contract.h"
#include "contract-internal.h"
#include "identity.h"

/* How much of an offending input an error message quotes. */
#define QUOTE_MAX 60
#define QUOTE_BUF (QUOTE_MAX + 4)

/* Longest Co-leader value we hand to identity_id_decode. */
#define MEMBER_ID_INPUT_MAX 160

enum {
	K_NAME,
	K_HISTORY,
	K_CADENCE,
	K_RETENTION,
	K_COLEADER,
	K_IDENTIFIERS,
	K_NETWORK,
	K_COUNT
};

static const char *const keys[K_COUNT] = {
	"Name", "History", "Cadence", "Retention", "Co-leader", "Identifiers",
	"Network"
};
#define KEYS_ALLOWED "Name, History, Cadence, Retention, Co-leader, " \
	"Identifiers, Network"

static const char template_text[] =
"# Contract of a Balint group.\n"
"#\n"
"# The lines at the top are \"Key: value\" settings; lines that start with\n"
"# '#' are comments.  One blank line ends the settings: everything after\n"
"# it is the contract text that every member reads and accepts on joining.\n"
"#\n"
"# Name: the group's name as members see it (required, at most 80 bytes).\n"
"Name: " CONTRACT_TEMPLATE_NAME "\n"
"#\n"
"# History: what a new member can read.  from-join: only what is written\n"
"# after they join.  full: everything since the group began.\n"
"History: from-join\n"
"#\n"
"# Cadence: when the group meets (optional, free text).\n"
"Cadence: every other week, 90 minutes\n"
"#\n"
"# Retention: notes older than this many days are deleted (optional;\n"
"# without it, notes are kept until their authors delete them).\n"
"#Retention: 730\n"
"#\n"
"# Co-leader: the member id of a second leader (optional).  They run\n"
"# \"balint init\" and tell you the member id it prints.\n"
"#Co-leader: bm...\n"
"#\n"
"# Identifiers: what balint does when a note seems to hold a detail that\n"
"# identifies a patient (a personal number, a phone, a name, a date of\n"
"# birth).  refuse: the note is not written unless its author confirms;\n"
"# warn: it is written and the details are shown; off: no check.\n"
"#Identifiers: refuse\n"
"# Network: how members reach each other.  any (the default): directly\n"
"# when they can, else through Tor onion services.  tor-only: through\n"
"# onion services only, so that no member learns another's IP address.\n"
"#Network: tor-only\n"
"\n"
"GOALS\n"
"\n"
"We meet to reflect on relationships with patients and clients that\n"
"trouble or puzzle us.  The aim is to understand these relationships and\n"
"our own part in them better, not to advise on diagnosis or treatment.\n"
"\n"
"ROLES\n"
"\n"
"The leader (or the two co-leaders) holds the frame: the time, the\n"
"membership and this contract.  In a session one member presents a case\n"
"from memory, without details that could identify the patient.  The group\n"
"associates freely while the presenter listens, and the presenter joins\n"
"the discussion at the end.  At a later meeting the presenter gives a\n"
"short follow-up report on how the case developed.\n"
"\n"
"CONFIDENTIALITY\n"
"\n"
"What is discussed in the group stays in the group.  We do not talk about\n"
"the cases, or about what members said, with anyone outside the group, and\n"
"we do not pass on notes or reports.  Notes never contain names, dates of\n"
"birth or other details that could identify a patient.\n"
"\n"
"MEMBERSHIP\n"
"\n"
"A leader invites new members after talking it over with the group; each\n"
"new member accepts this contract when joining.  A member who wants to\n"
"leave says so in a session first.  A member who leaves or is removed can\n"
"no longer read anything written afterwards, but what they have already\n"
"read cannot be taken back: we keep notes brief and free of identifying\n"
"details.\n"
"\n"
"CHANGES\n"
"\n"
"Only the leaders change this contract, after discussing it in the group.\n"
"Every member sees each new version.\n";

const char *
contract_template(void)
{
	return template_text;
}

/*
 * One step of quote(): the length *k of the character at s[i] and the
 * bytes it takes in the quote (4 for a byte shown as \xNN).
 */
static size_t
quote_step(const char *s, size_t len, size_t i, size_t *k)
{
	const unsigned char c = (unsigned char)s[i];

	if (c < 0x80)
		*k = 1;
	else if ((c & 0xe0) == 0xc0)
		*k = 2;
	else if ((c & 0xf0) == 0xe0)
		*k = 3;
	else if ((c & 0xf8) == 0xf0)
		*k = 4;
	else
		*k = 0;
	if (*k == 0 || *k > len - i ||
	    contract_chars_check(s + i, *k, 0) != CONTRACT_CH_OK) {
		*k = 1;
		return 4;
	}
	return *k;
}

/*
 * Copies s[0..len) into buf for an error message: control characters and
 * bytes that are not UTF-8 become \xNN, and long input is cut with "...".
 */
static const char *
quote(char buf[QUOTE_BUF], const char *s, size_t len)
{
	size_t i, o, k, need, total = 0, limit = QUOTE_MAX;

	for (i = 0; i < len && total <= QUOTE_MAX; i += k)
		total += quote_step(s, len, i, &k);
	if (total > QUOTE_MAX)
		limit = QUOTE_MAX - 3;
	for (i = 0, o = 0; i < len; i += k) {
		need = quote_step(s, len, i, &k);
		if (o + need > limit)
			break;
		if (need == 4 && k == 1)
			snprintf(buf + o, 5, "\\x%02x", (unsigned char)s[i]);
		else
			memcpy(buf + o, s + i, k);
		o += need;
	}
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static void fail(char *err, size_t errlen, unsigned line, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* Writes "line N: <message>" into err. */
static void
fail(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One format around the message, each translated by the CLI. */
	snprintf(err, errlen, N_("line %u: %s"), line, msg);
}

/* Explains a contract_chars_check outcome for an error message. */
static const char *
chars_why(int ch)
{
	switch (ch) {
	case CONTRACT_CH_NUL:
		return "contains a NUL byte";
	case CONTRACT_CH_UTF8:
		return "is not valid UTF-8 (save the file as UTF-8)";
	case CONTRACT_CH_CR:
		return "contains a stray carriage return";
	default:
		return "contains a control character";
	}
}

static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

/* Trims spaces and tabs from both ends of s[0..*len). */
static const char *
trim(const char *s, size_t *len)
{
	while (*len > 0 && is_blank(s[0])) {
		s++;
		(*len)--;
	}
	while (*len > 0 && is_blank(s[*len - 1]))
		(*len)--;
	return s;
}

/* Case-insensitive comparison of s[0..len) with the C string w. */
static int
word_eq(const char *s, size_t len, const char *w)
{
	size_t i;
	int a, b;

	if (strlen(w) != len)
		return 0;
	for (i = 0; i < len; i++) {
		a = (unsigned char)s[i];
		b = (unsigned char)w[i];
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return 1;
}

static char *
dup_n(const char *s, size_t n)
{
	char *p;

	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Parses "730", "730 days" or "1 day" into 1..CONTRACT_RETENTION_MAX. */
static int
parse_days(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		v = v * 10 + (uint32_t)(s[i] - '0');
		if (v > CONTRACT_RETENTION_MAX)
			return BAL_ESYNTAX;
		i++;
	}
	if (i == 0 || v == 0)
		return BAL_ESYNTAX;
	while (i < n && is_blank(s[i]))
		i++;
	if (i < n && !word_eq(s + i, n - i, "days") &&
	    !word_eq(s + i, n - i, "day"))
		return BAL_ESYNTAX;
	*out = v;
	return 0;
}

/* Checks a one-line value (Name, Cadence) and reports why it is refused. */
static int
value_line(const char *key, const char *v, size_t n, size_t max,
    unsigned line, char *err, size_t errlen)
{
	char q[QUOTE_BUF];
	int ch;

	if (n > max) {
		fail(err, errlen, line, N_("%s is %zu bytes long, at most %zu "
		    "allowed: '%s'"), key, n, max, quote(q, v, n));
		return BAL_ESYNTAX;
	}
	if ((ch = contract_chars_check(v, n, 0)) != CONTRACT_CH_OK) {
		fail(err, errlen, line, "%s %s: '%s'", key,
		    chars_why(ch == CONTRACT_CH_CR ? CONTRACT_CH_CTRL : ch),
		    quote(q, v, n));
		return BAL_ESYNTAX;
	}
	return 0;
}

/* Handles one "Key: value" line of the header. */
static int
header_line(struct contract *c, const char *s, size_t n, unsigned line,
    unsigned seen[K_COUNT], char *err, size_t errlen)
{
	char q[QUOTE_BUF], idtext[MEMBER_ID_INPUT_MAX + 1];
	const char *colon, *key, *v;
	size_t kn, vn;
	char *dup;
	int k, rc;

	if ((colon = memchr(s, ':', n)) == NULL) {
		fail(err, errlen, line, N_("expected 'Key: value', a '#' comment "
		    "or the blank line that ends the header, got '%s'"),
		    quote(q, s, n));
		return BAL_ESYNTAX;
	}
	kn = (size_t)(colon - s);
	key = trim(s, &kn);
	vn = n - (size_t)(colon - s) - 1;
	v = trim(colon + 1, &vn);
	if (kn == 0) {
		fail(err, errlen, line, N_("missing key before ':' in '%s'"),
		    quote(q, s, n));
		return BAL_ESYNTAX;
	}
	for (k = 0; k < K_COUNT; k++)
		if (word_eq(key, kn, keys[k]))
			break;
	if (k == K_COUNT) {
		fail(err, errlen, line, "unknown key '%s' (allowed: "
		    KEYS_ALLOWED ")", quote(q, key, kn));
		return BAL_ESYNTAX;
	}
	if (seen[k] != 0) {
		fail(err, errlen, line, N_("duplicate key '%s' (first given on "
		    "line %u)"), keys[k], seen[k]);
		return BAL_ESYNTAX;
	}
	seen[k] = line;
	if (vn == 0) {
		fail(err, errlen, line, N_("'%s:' has no value (give one, or "
		    "remove the line for the default)"), keys[k]);
		return BAL_ESYNTAX;
	}

	switch (k) {
	case K_NAME:
	case K_CADENCE:
		if ((rc = value_line(keys[k], v, vn, k == K_NAME ?
		    CONTRACT_NAME_MAX : CONTRACT_CADENCE_MAX, line, err,
		    errlen)) != 0)
			return rc;
		if ((dup = dup_n(v, vn)) == NULL)
			return BAL_ENOMEM;
		if (k == K_NAME) {
			free(c->name);
			c->name = dup;
		} else {
			free(c->cadence);
			c->cadence = dup;
		}
		break;
	case K_HISTORY:
		if (word_eq(v, vn, "from-join")) {
			c->history = CONTRACT_HISTORY_FROM_JOIN;
		} else if (word_eq(v, vn, "full")) {
			c->history = CONTRACT_HISTORY_FULL;
		} else {
			fail(err, errlen, line, N_("History must be 'from-join' "
			    "or 'full', not '%s'"), quote(q, v, vn));
			return BAL_ESYNTAX;
		}
		break;
	case K_RETENTION:
		if (parse_days(v, vn, &c->retention_days) != 0) {
			fail(err, errlen, line, N_("Retention must be a whole "
			    "number of days from 1 to %u (e.g. 'Retention: "
			    "730'), not '%s'"), CONTRACT_RETENTION_MAX,
			    quote(q, v, vn));
			return BAL_ESYNTAX;
		}
		break;
	case K_IDENTIFIERS:
		if (word_eq(v, vn, "refuse")) {
			c->identifiers = CONTRACT_IDS_REFUSE;
		} else if (word_eq(v, vn, "warn")) {
			c->identifiers = CONTRACT_IDS_WARN;
		} else if (word_eq(v, vn, "off")) {
			c->identifiers = CONTRACT_IDS_OFF;
		} else {
			fail(err, errlen, line, N_("Identifiers must be 'refuse', "
			    "'warn' or 'off', not '%s'"), quote(q, v, vn));
			return BAL_ESYNTAX;
		}
		break;
	case K_COLEADER:
		rc = BAL_EPROTO;
		if (vn <= MEMBER_ID_INPUT_MAX &&
		    contract_chars_check(v, vn, 0) == CONTRACT_CH_OK) {
			memcpy(idtext, v, vn);
			idtext[vn] = '\0';
			rc = identity_id_decode(idtext, c->leaders[1]);
		}
		if (rc != 0) {
			fail(err, errlen, line, N_("Co-leader '%s' is not a "
			    "member id (%s)"), quote(q, v, vn),
			    rc == BAL_ECHECKSUM ?
			    "checksum mismatch: a typing error?" :
			    "expected the 'bm...' id that 'balint init' "
			    "prints");
			return BAL_ESYNTAX;
		}
		if (memcmp(c->leaders[1], c->leaders[0], BAL_PK_BYTES) == 0) {
			fail(err, errlen, line, N_("Co-leader '%s' is yourself; "
			    "name another member or remove the line"),
			    quote(q, v, vn));
			return BAL_ESYNTAX;
		}
		c->nleaders = 2;
		break;
	case K_NETWORK:
		if (word_eq(v, vn, "any")) {
			c->network = CONTRACT_NETWORK_ANY;
		} else if (word_eq(v, vn, "tor-only")) {
			c->network = CONTRACT_NETWORK_TOR_ONLY;
		} else {
			fail(err, errlen, line, N_("Network must be 'any' or "
			    "'tor-only', not '%s'"), quote(q, v, vn));
			return BAL_ESYNTAX;
		}
		break;
	}
	return 0;
}

/*
 * Copies the free text s[0..n), which starts on line `line`, into c->text:
 * CRLF becomes LF; NUL, control characters, stray CR and bad UTF-8 are
 * refused with their line number.
 */
static int
free_text(struct contract *c, const char *s, size_t n, unsigned line,
    char *err, size_t errlen)
{
	const unsigned first = line;
	const char *nl;
	size_t pos = 0, o = 0, ln, adv;
	char q[QUOTE_BUF];
	char *t;
	int ch;

	if ((t = malloc((n < CONTRACT_TEXT_MAX ? n : CONTRACT_TEXT_MAX) +
	    1)) == NULL)
		return BAL_ENOMEM;
	for (; pos < n; line++) {
		nl = memchr(s + pos, '\n', n - pos);
		ln = nl != NULL ? (size_t)(nl - (s + pos)) : n - pos;
		adv = nl != NULL ? ln + 1 : ln;
		if (nl != NULL && ln > 0 && s[pos + ln - 1] == '\r')
			ln--;
		ch = contract_chars_check(s + pos, ln, 1);
		if (ch != CONTRACT_CH_OK) {
			fail(err, errlen, line, N_("the contract text %s: '%s'"),
			    chars_why(ch), quote(q, s + pos, ln));
			free(t);
			return BAL_ESYNTAX;
		}
		if (ln + (nl != NULL) > CONTRACT_TEXT_MAX - o) {
			fail(err, errlen, line, N_("the contract text (from line "
			    "%u) is longer than %u bytes"), first,
			    CONTRACT_TEXT_MAX);
			free(t);
			return BAL_ETOOBIG;
		}
		memcpy(t + o, s + pos, ln);
		o += ln;
		if (nl != NULL)
			t[o++] = '\n';
		pos += adv;
	}
	t[o] = '\0';
	free(c->text);
	c->text = t;
	return 0;
}

int
contract_parse(const char *text, size_t len,
    const uint8_t founder_pk[BAL_PK_BYTES], uint64_t created_ms,
    const uint8_t salt[CONTRACT_SALT_BYTES], struct contract **out,
    char *err, size_t errlen)
{
	struct contract *c = NULL;
	unsigned seen[K_COUNT] = { 0 };
	unsigned line = 0;
	const char *nl, *s;
	size_t pos = 0, ln, i;
	char q[QUOTE_BUF];
	int ret, ch, ended = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if ((text == NULL && len > 0) || founder_pk == NULL || salt == NULL)
		return BAL_EINVAL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return BAL_ENOMEM;
	c->version = CONTRACT_VERSION;
	c->nleaders = 1;
	memcpy(c->leaders[0], founder_pk, BAL_PK_BYTES);
	c->history = CONTRACT_HISTORY_FROM_JOIN;
	c->created_ms = created_ms;
	memcpy(c->salt, salt, CONTRACT_SALT_BYTES);
	ret = BAL_ENOMEM;
	if ((c->cadence = dup_n("", 0)) == NULL ||
	    (c->text = dup_n("", 0)) == NULL)
		goto out;

	/* A UTF-8 byte order mark, as some editors write, is skipped. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		line++;
		s = text + pos;
		nl = memchr(s, '\n', len - pos);
		ln = nl != NULL ? (size_t)(nl - s) : len - pos;
		pos += nl != NULL ? ln + 1 : ln;
		if (ln > 0 && s[ln - 1] == '\r')
			ln--;
		ch = contract_chars_check(s, ln, 0);
		if (ch == CONTRACT_CH_NUL || ch == CONTRACT_CH_UTF8) {
			fail(err, errlen, line, N_("the header %s: '%s'"),
			    chars_why(ch), quote(q, s, ln));
			ret = BAL_ESYNTAX;
			goto out;
		}
		for (i = 0; i < ln && is_blank(s[i]); i++)
			;
		if (i == ln) {
			ended = 1;
			break;
		}
		if (s[i] == '#')
			continue;
		if ((ret = header_line(c, s, ln, line, seen, err,
		    errlen)) != 0)
			goto out;
	}
	if (seen[K_NAME] == 0) {
		fail(err, errlen, line > 0 ? line : 1, N_("the header %s without "
		    "the required 'Name:' line"), ended ? "ends here" :
		    "ends with the file");
		ret = BAL_ESYNTAX;
		goto out;
	}
	if ((ret = free_text(c, text + pos, len - pos, line + 1, err,
	    errlen)) != 0)
		goto out;
	if (contract_check(c) != 0) {
		/* Every field was checked above; this is a broken invariant. */
		fail(err, errlen, line, N_("internal error: out of limits"));
		ret = BAL_EINVAL;
		goto out;
	}
	*out = c;
	c = NULL;
	ret = 0;
out:
	if (ret == BAL_ENOMEM)
		fail(err, errlen, line > 0 ? line : 1, N_("out of memory"));
	contract_free(c);
	return ret;
}

int
contract_text(const struct contract *c, const uint8_t *self_pk, char **out,
    size_t *outlen)
{
	char id[IDENTITY_ID_TEXT_BYTES];
	char days[32];
	const uint8_t *other = NULL;
	size_t cap;
	char *buf;
	int n;

	if (out == NULL)
		return BAL_EINVAL;
	*out = NULL;
	if (contract_check(c) != 0)
		return BAL_EINVAL;
	if (c->nleaders == 2) {
		if (self_pk != NULL &&
		    memcmp(self_pk, c->leaders[1], BAL_PK_BYTES) == 0)
			other = c->leaders[0];
		else
			other = c->leaders[1];
	}
	if (other != NULL)
		identity_id_encode(other, id);
	snprintf(days, sizeof(days), "%u", c->retention_days);
	cap = strlen(c->name) + (c->cadence ? strlen(c->cadence) : 0) +
	    (c->text ? strlen(c->text) : 0) + sizeof(id) + 160;
	if ((buf = malloc(cap)) == NULL)
		return BAL_ENOMEM;
	n = snprintf(buf, cap, "Name: %s\nHistory: %s\n%s%s%s%s%s%s%s%s%s%s%s%s"
	    "%s\n%s",
	    c->name, contract_history_name(c->history),
	    c->cadence && c->cadence[0] ? "Cadence: " : "",
	    c->cadence && c->cadence[0] ? c->cadence : "",
	    c->cadence && c->cadence[0] ? "\n" : "",
	    c->retention_days ? "Retention: " : "",
	    c->retention_days ? days : "",
	    c->retention_days ? "\n" : "",
	    other ? "Co-leader: " : "", other ? id : "", other ? "\n" : "",
	    c->identifiers ? "Identifiers: " : "",
	    c->identifiers ? contract_identifiers_name(c->identifiers) : "",
	    c->identifiers ? "\n" : "",
	    c->network == CONTRACT_NETWORK_TOR_ONLY ? "Network: tor-only\n" :
	    "", c->text ? c->text : "");
	if (n < 0 || (size_t)n >= cap) {
		free(buf);
		return BAL_EINVAL;
	}
	*out = buf;
	if (outlen != NULL)
		*outlen = (size_t)n;
	return 0;
}
