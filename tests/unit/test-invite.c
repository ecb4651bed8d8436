/* test-invite.c — invite codes (proto/invcode) and join messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include <unistd.h>
#include <uv.h>

#include "daemon.h"
#include "entry.h"
#include "group.h"
#include "invcode.h"
#include "invite.h"
#include "joinmsg.h"
#include "note.h"
#include "net.h"
#include "store.h"

static void
sample(struct invcode *ic, int named)
{
	memset(ic, 0, sizeof(*ic));
	memset(ic->group, 0x11, sizeof(ic->group));
	memset(ic->inviter, 0x22, sizeof(ic->inviter));
	memset(ic->secret, 0x33, sizeof(ic->secret));
	snprintf(ic->addrs[0], sizeof(ic->addrs[0]), "127.0.0.1:7001");
	snprintf(ic->addrs[1], sizeof(ic->addrs[1]), "[::1]:7001");
	ic->naddrs = 2;
	ic->expires_ms = 1900000000000ULL;
	if (named)
		snprintf(ic->name, sizeof(ic->name), "Zsófia");
}

static void
test_code_roundtrip(void **state)
{
	struct invcode ic, back;
	char *code = NULL;
	int named;

	(void)state;
	for (named = 0; named < 2; named++) {
		sample(&ic, named);
		assert_int_equal(invcode_encode(&ic, &code), 0);
		assert_true(strncmp(code, INVCODE_PREFIX,
		    strlen(INVCODE_PREFIX)) == 0);
		assert_int_equal(invcode_decode(code, &back), 0);
		assert_memory_equal(&ic, &back, sizeof(ic));
		free(code);
	}
}

static void
test_code_whitespace_and_case(void **state)
{
	struct invcode ic, back;
	char *code = NULL, *spaced;
	size_t i, n = 0, len;

	(void)state;
	sample(&ic, 1);
	assert_int_equal(invcode_encode(&ic, &code), 0);
	len = strlen(code);
	spaced = malloc(len * 2 + 4);
	assert_non_null(spaced);
	spaced[n++] = ' ';
	for (i = 0; i < len; i++) {
		spaced[n++] = code[i];
		if (i % 20 == 19)
			spaced[n++] = '\n';
	}
	spaced[n] = '\0';
	memcpy(spaced + 1, "BALINT-INVITE:", 14);
	assert_int_equal(invcode_decode(spaced, &back), 0);
	assert_memory_equal(&ic, &back, sizeof(ic));
	free(spaced);
	free(code);
}

static void
test_code_typo(void **state)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct invcode ic, back;
	char *code = NULL;
	size_t i, k, plen = strlen(INVCODE_PREFIX), len;
	char orig;
	int rc;

	(void)state;
	sample(&ic, 0);
	assert_int_equal(invcode_encode(&ic, &code), 0);
	len = strlen(code);
	/* Every single-character substitution in the body is caught. */
	for (i = plen; i < len; i++) {
		orig = code[i];
		for (k = 0; k < 64; k += 7) {
			if (b64[k] == orig)
				continue;
			code[i] = b64[k];
			rc = invcode_decode(code, &back);
			assert_true(rc == BAL_ECHECKSUM);
		}
		code[i] = orig;
	}
	/* Every truncation too. */
	for (i = 0; i < len; i++) {
		char *t = strndup(code, i);

		assert_non_null(t);
		rc = invcode_decode(t, &back);
		assert_true(rc == BAL_ECHECKSUM || rc == BAL_EPROTO);
		free(t);
	}
	assert_int_equal(invcode_decode(code, &back), 0);
	free(code);
}

static void
test_code_garbage(void **state)
{
	struct invcode ic, back;
	char buf[3000];
	char *code = NULL;

	(void)state;
	assert_int_equal(invcode_decode("hello", &back), BAL_EPROTO);
	assert_int_equal(invcode_decode("", &back), BAL_EPROTO);
	assert_int_equal(invcode_decode("balint-invite:", &back),
	    BAL_ECHECKSUM);
	assert_int_equal(invcode_decode("balint-invite:!!!!", &back),
	    BAL_ECHECKSUM);
	memset(buf, 'A', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	memcpy(buf, INVCODE_PREFIX, strlen(INVCODE_PREFIX));
	assert_int_equal(invcode_decode(buf, &back), BAL_ETOOBIG);
	buf[1500] = '\0';
	assert_int_equal(invcode_decode(buf, &back), BAL_ECHECKSUM);
	/* Bad fields are refused when encoding. */
	sample(&ic, 0);
	ic.naddrs = 0;
	assert_int_equal(invcode_encode(&ic, &code), BAL_EINVAL);
	sample(&ic, 0);
	ic.addrs[0][0] = '\0';
	assert_int_equal(invcode_encode(&ic, &code), BAL_EINVAL);
	sample(&ic, 0);
	ic.addrs[0][3] = '\n';
	assert_int_equal(invcode_encode(&ic, &code), BAL_EINVAL);
	sample(&ic, 0);
	ic.name[0] = '\t';
	ic.name[1] = '\0';
	assert_int_equal(invcode_encode(&ic, &code), BAL_EINVAL);
	assert_null(code);
}

static void
msgs(struct joinmsg *m, size_t *n, uint8_t *contract)
{
	memset(m, 0, 5 * sizeof(*m));
	m[0].type = JOIN_HELLO;
	memset(m[0].group, 7, sizeof(m[0].group));
	m[0].preview = 1;
	m[0].version = JOINMSG_VERSION;
	m[1].type = JOIN_CONTRACT;
	m[1].contract = contract;
	m[1].contract_len = 100;
	snprintf(m[1].name, sizeof(m[1].name), "Ben (inviter)");
	m[1].confirm = 1;
	m[2].type = JOIN_ACCEPT;
	snprintf(m[2].name, sizeof(m[2].name), "Anna");
	memset(m[2].sig, 9, sizeof(m[2].sig));
	m[3].type = JOIN_WELCOME;
	m[4].type = JOIN_REFUSE;
	snprintf(m[4].text, sizeof(m[4].text), "this invite was already used");
	*n = 5;
}

static void
test_joinmsg(void **state)
{
	struct joinmsg m[5], back;
	uint8_t contract[100], *buf = NULL, *t;
	size_t n, i, j, len;
	int rc;

	(void)state;
	memset(contract, 0x5a, sizeof(contract));
	msgs(m, &n, contract);
	for (i = 0; i < n; i++) {
		assert_int_equal(joinmsg_encode(&m[i], &buf, &len), 0);
		assert_int_equal(joinmsg_decode(buf, len, &back), 0);
		assert_int_equal(back.type, m[i].type);
		switch (m[i].type) {
		case JOIN_HELLO:
			assert_memory_equal(back.group, m[i].group, 32);
			assert_int_equal(back.preview, 1);
			break;
		case JOIN_CONTRACT:
			assert_int_equal(back.contract_len, 100);
			assert_memory_equal(back.contract, contract, 100);
			assert_string_equal(back.name, "Ben (inviter)");
			assert_int_equal(back.confirm, 1);
			break;
		case JOIN_ACCEPT:
			assert_string_equal(back.name, "Anna");
			assert_memory_equal(back.sig, m[i].sig, 64);
			break;
		case JOIN_REFUSE:
			assert_string_equal(back.text, m[i].text);
			break;
		}
		joinmsg_clear(&back);
		/* Truncations are refused. */
		for (j = 0; j < len; j++) {
			rc = joinmsg_decode(buf, j, &back);
			assert_true(rc < 0);
			assert_null(back.contract);
		}
		/* Trailing bytes are refused. */
		t = malloc(len + 1);
		assert_non_null(t);
		memcpy(t, buf, len);
		t[len] = 0xc0;
		assert_true(joinmsg_decode(t, len + 1, &back) < 0);
		/* Byte flips never crash (some still decode: values). */
		for (j = 0; j < len; j++) {
			memcpy(t, buf, len);
			t[j] ^= 0xff;
			if (joinmsg_decode(t, len, &back) == 0)
				joinmsg_clear(&back);
		}
		free(t);
		free(buf);
	}
	/* Wrong version, unknown type, bad fields. */
	{
		static const uint8_t v2[] = { 0x94, 0x10, 0x02, 0xc4, 0x00,
		    0xc2 };
		static const uint8_t t7[] = { 0x91, 0x07 };

		assert_true(joinmsg_decode(v2, sizeof(v2), &back) < 0);
		assert_int_equal(joinmsg_decode(t7, sizeof(t7), &back),
		    BAL_EPROTO);
	}
	m[2].name[0] = '\0';
	assert_int_equal(joinmsg_encode(&m[2], &buf, &len), BAL_EINVAL);
	snprintf(m[2].name, sizeof(m[2].name), "a\nb");
	assert_int_equal(joinmsg_encode(&m[2], &buf, &len), BAL_EINVAL);
	m[1].contract_len = 0;
	assert_int_equal(joinmsg_encode(&m[1], &buf, &len), BAL_EINVAL);
	m[0].type = 99;
	assert_int_equal(joinmsg_encode(&m[0], &buf, &len), BAL_EINVAL);
}

/* ---- joining over loopback: real daemons on one loop ---- */

struct member {
	struct daemon d;
	char dir[64];
	char path[96];
};

struct done {
	int called;
	int status;
	struct group *g;
	char text[4096];
	char inviter[128];
	char err[512];
};

static const char *contract_src = "Name: Loopback group\n\nWe meet.\n";

static void
member_open(struct member *m, int i, uv_loop_t *loop)
{
	uint8_t seed[32];

	memset(m, 0, sizeof(*m));
	memset(seed, 0x60 + i, sizeof(seed));
	assert_int_equal(identity_from_seed(seed, &m->d.id), 0);
	snprintf(m->d.name, sizeof(m->d.name), "member%d", i);
	snprintf(m->dir, sizeof(m->dir), "/tmp/balint-test-invite-XXXXXX");
	assert_non_null(mkdtemp(m->dir));
	snprintf(m->path, sizeof(m->path), "%s/store.db", m->dir);
	snprintf(m->d.home, sizeof(m->d.home), "%s", m->dir);
	snprintf(m->d.listen, sizeof(m->d.listen), "127.0.0.1:0");
	m->d.loop = loop;
	assert_int_equal(store_open(m->path, &m->d.store), 0);
}

static void
member_close(struct member *m)
{
	char p[160];

	group_free_all(&m->d);
	store_close(m->d.store);
	identity_free(m->d.id);
	snprintf(p, sizeof(p), "%s/store.db-wal", m->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/store.db-shm", m->dir);
	unlink(p);
	unlink(m->path);
	rmdir(m->dir);
}

static void
done_cb(void *ctx, int status, struct group *g, const char *text,
    const char *inviter, int confirm, const char *err)
{
	struct done *dn = ctx;

	(void)confirm;
	snprintf(dn->inviter, sizeof(dn->inviter), "%s", inviter);
	dn->called++;
	dn->status = status;
	dn->g = g;
	snprintf(dn->text, sizeof(dn->text), "%s", text ? text : "");
	snprintf(dn->err, sizeof(dn->err), "%s", err ? err : "");
}

static void
level_cb(void *ctx, int status)
{
	struct done *dn = ctx;

	dn->called++;
	dn->status = status;
}

static size_t
notes_of(struct group *g)
{
	struct group_note *notes = NULL;
	size_t n = 0;

	if (g == NULL || g->roster == NULL)
		return 0;
	assert_int_equal(group_notes(g, &notes, &n), 0);
	group_notes_free(notes, n);
	return n;
}

static void
write_note(struct group *g, const char *text)
{
	struct note n;
	uint8_t *buf = NULL;
	size_t len = 0;

	memset(&n, 0, sizeof(n));
	note_id_generate(NULL, g->d->id->pk, n.id);
	n.kind = NOTE_KIND_CASE;
	n.case_ref = "";
	n.title = "t";
	n.body = (char *)text;
	assert_int_equal(note_encode(&n, &buf, &len), 0);
	assert_int_equal(group_append(g, ENTRY_KIND_NOTE, buf, len, NULL), 0);
	note_buf_free(buf, len);
}

/* Runs the loop until *flag becomes non-zero or 10 s pass. */
static void
run_until(uv_loop_t *loop, const int *flag)
{
	int i;

	for (i = 0; i < 10000 && *flag == 0; i++) {
		uv_run(loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	assert_true(*flag != 0);
}

static void
run_until_notes(uv_loop_t *loop, struct group *g, size_t n)
{
	int i;

	for (i = 0; i < 10000 && notes_of(g) < n; i += 5) {
		uv_run(loop, UV_RUN_NOWAIT);
		usleep(5000);
	}
	assert_int_equal(notes_of(g), n);
}

/* invite_create with the addresses of d's listener, as the daemon does. */
static int
make_invite(struct daemon *d, struct group *g, const char *name, char **code,
    char *err, size_t errlen)
{
	char addrs[INVCODE_MAX_ADDRS][WIRE_MAX_ADDR + 1];
	size_t n = net_reach_addrs(d->listen, addrs, INVCODE_MAX_ADDRS);

	return invite_create(d, g, name, 0, 0, (const char
	    (*)[WIRE_MAX_ADDR + 1])addrs, n, code, err, errlen);
}

static void
test_join_loopback(void **state)
{
	uv_loop_t loop;
	struct member m[3];
	struct group *ga = NULL, *gc;
	struct done dn;
	char err[512], *code = NULL, *code2 = NULL;
	size_t plen = strlen(INVCODE_PREFIX);
	int i;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	for (i = 0; i < 3; i++)
		member_open(&m[i], i, &loop);
	assert_int_equal(group_create(&m[0].d, contract_src,
	    strlen(contract_src), &ga, err, sizeof(err)), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(net_start(&m[i].d), 0);
	assert_string_not_equal(m[0].d.listen, "127.0.0.1:0");

	/* Only a leader invites. */
	assert_int_equal(make_invite(&m[0].d, ga, NULL, &code, err,
	    sizeof(err)), 0);

	/* A mistyped code is caught by its checksum. */
	code2 = strdup(code);
	assert_non_null(code2);
	code2[plen + 5] = code2[plen + 5] == 'A' ? 'B' : 'A';
	assert_int_equal(join_start(&m[1].d, code2, 0, 5000, 0, done_cb, &dn,
	    err, sizeof(err)), BAL_ECHECKSUM);
	free(code2);

	/* Preview: the contract, nothing joined. */
	memset(&dn, 0, sizeof(dn));
	assert_int_equal(join_start(&m[1].d, code, 1, 5000, 0, done_cb, &dn, err,
	    sizeof(err)), 0);
	run_until(&loop, &dn.called);
	assert_int_equal(dn.status, 0);
	assert_non_null(strstr(dn.text, "Loopback group"));
	assert_null(dn.g);
	/* With the name the group knows the inviter by. */
	assert_string_equal(dn.inviter, m[0].d.name);

	/* Accept: B holds the roster and the write key. */
	memset(&dn, 0, sizeof(dn));
	assert_int_equal(join_start(&m[1].d, code, 0, 5000, 0, done_cb, &dn, err,
	    sizeof(err)), 0);
	run_until(&loop, &dn.called);
	assert_int_equal(dn.status, 0);
	assert_non_null(dn.g);
	assert_true(roster_is_active(dn.g->roster, m[1].d.id->pk));

	/* The code is used up. */
	memset(&dn, 0, sizeof(dn));
	assert_int_equal(join_start(&m[2].d, code, 0, 5000, 0, done_cb, &dn, err,
	    sizeof(err)), 0);
	run_until(&loop, &dn.called);
	assert_true(dn.status < 0);
	assert_non_null(strstr(dn.err, "already used"));
	free(code);

	/* A member who is not a leader cannot invite. */
	assert_int_equal(make_invite(&m[1].d, dn.g ? dn.g : group_find(
	    &m[1].d, ga->id), NULL, &code, err, sizeof(err)), BAL_EPERM);
	assert_non_null(strstr(err, "only a leader"));

	/* A note by A reaches B live. */
	write_note(ga, "case one");
	run_until_notes(&loop, group_find(&m[1].d, ga->id), 1);

	/* C joins with a fresh code and gets the history it may read. */
	assert_int_equal(make_invite(&m[0].d, ga, "member2", &code, err,
	    sizeof(err)), 0);
	memset(&dn, 0, sizeof(dn));
	assert_int_equal(join_start(&m[2].d, code, 0, 5000, 0, done_cb, &dn, err,
	    sizeof(err)), 0);
	run_until(&loop, &dn.called);
	assert_int_equal(dn.status, 0);
	free(code);
	gc = group_find(&m[2].d, ga->id);
	assert_non_null(gc);

	/* C writes; A and B get it. */
	write_note(gc, "follow-up");
	run_until_notes(&loop, ga, 2);
	run_until_notes(&loop, group_find(&m[1].d, ga->id), 2);

	/* sync --wait on A returns once level. */
	memset(&dn, 0, sizeof(dn));
	assert_int_equal(net_level_wait(&m[0].d, ga, 5000, level_cb, &dn), 0);
	run_until(&loop, &dn.called);
	assert_int_equal(dn.status, 0);

	for (i = 0; i < 3; i++)
		net_stop(&m[i].d);
	uv_run(&loop, UV_RUN_DEFAULT);
	for (i = 0; i < 3; i++)
		assert_null(m[i].d.net);
	assert_int_equal(uv_loop_close(&loop), 0);
	for (i = 0; i < 3; i++)
		member_close(&m[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_roundtrip),
		cmocka_unit_test(test_code_whitespace_and_case),
		cmocka_unit_test(test_code_typo),
		cmocka_unit_test(test_code_garbage),
		cmocka_unit_test(test_joinmsg),
		cmocka_unit_test(test_join_loopback),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
