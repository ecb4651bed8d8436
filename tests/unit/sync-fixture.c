/* sync-fixture.c — see sync-fixture.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "contract.h"
#include "store.h"
#include "sync-fixture.h"

static int
member_open(struct sync_member *m, uint8_t seed_byte, int i,
    const char *dir)
{
	uint8_t seed[32];

	memset(m, 0, sizeof(*m));
	memset(seed, seed_byte, sizeof(seed));
	if (identity_from_seed(seed, &m->d.id) != 0)
		return -1;
	snprintf(m->d.name, sizeof(m->d.name), "member%d", i);
	snprintf(m->dir, sizeof(m->dir), "/tmp/balint-test-%s-XXXXXX", dir);
	if (mkdtemp(m->dir) == NULL)
		return -1;
	snprintf(m->path, sizeof(m->path), "%s/store.db", m->dir);
	snprintf(m->d.home, sizeof(m->d.home), "%s", m->dir);
	return store_open(m->path, &m->d.store);
}

static void
member_close(struct sync_member *m)
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

int
sync_fix_setup(void **state, int n, uint8_t seed, const char *contract,
    const char *dir)
{
	struct sync_fix *f = calloc(1, sizeof(*f));
	char err[256];
	int i;

	if (f == NULL || n > SYNC_NMEM_MAX)
		return -1;
	f->n = n;
	for (i = 0; i < n; i++)
		if (member_open(&f->m[i], (uint8_t)(seed + i), i, dir) != 0)
			return -1;
	if (group_create(&f->m[0].d, contract, strlen(contract), &f->m[0].g,
	    err, sizeof(err)) != 0)
		return -1;
	for (i = 1; i < n; i++)
		if (group_join_new(&f->m[i].d, f->m[0].g->id,
		    &f->m[i].g) != 0)
			return -1;
	*state = f;
	return 0;
}

int
sync_fix_teardown(void **state)
{
	struct sync_fix *f = *state;
	int i;

	for (i = 0; i < f->n; i++)
		member_close(&f->m[i]);
	free(f);
	return 0;
}

void
sync_fix_add(struct sync_fix *f, int i)
{
	uint8_t sig[BAL_SIG_BYTES];

	assert_int_equal(contract_accept_sign(f->m[i].d.id, f->m[0].g->id,
	    f->m[i].d.name, sig), 0);
	assert_int_equal(invite_add_member(f->m[0].g, f->m[i].d.id->pk,
	    f->m[i].d.name, sig), 0);
}
