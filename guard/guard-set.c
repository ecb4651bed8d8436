/*
 * guard-set.c — the guard's word sets (name lists, allow lists) and the
 * one normal form every lookup uses (guard_key), with the character
 * classes the detectors share.  Unicode properties, case mapping and
 * normalisation come from libunistring.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "bal.h"
#include "guard-int.h"

struct guard_set {
	char **slot;		/* NULL or a NUL-terminated key */
	size_t cap;		/* power of two */
	size_t n;
};

static uint64_t
hash(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

struct guard_set *
guard_set_new(void)
{
	struct guard_set *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->cap = 256;
	if ((s->slot = calloc(s->cap, sizeof(*s->slot))) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
guard_set_free(struct guard_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	free(s);
}

static size_t
find(char *const *slot, size_t cap, const char *key, size_t len)
{
	size_t i = (size_t)hash(key, len) & (cap - 1);

	while (slot[i] != NULL &&
	    (strlen(slot[i]) != len || memcmp(slot[i], key, len) != 0))
		i = (i + 1) & (cap - 1);
	return i;
}

static int
grow(struct guard_set *s)
{
	size_t cap = s->cap * 2, i, j;
	char **slot = calloc(cap, sizeof(*slot));

	if (slot == NULL)
		return BAL_ENOMEM;
	for (i = 0; i < s->cap; i++) {
		if (s->slot[i] == NULL)
			continue;
		j = find(slot, cap, s->slot[i], strlen(s->slot[i]));
		slot[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
	return 0;
}

int
guard_set_add(struct guard_set *s, const char *key, size_t len)
{
	size_t i;

	if (len == 0 || memchr(key, '\0', len) != NULL)
		return 0;
	if ((s->n + 1) * 2 > s->cap && grow(s) != 0)
		return BAL_ENOMEM;
	i = find(s->slot, s->cap, key, len);
	if (s->slot[i] != NULL)
		return 0;
	if ((s->slot[i] = malloc(len + 1)) == NULL)
		return BAL_ENOMEM;
	memcpy(s->slot[i], key, len);
	s->slot[i][len] = '\0';
	s->n++;
	return 0;
}

int
guard_set_has(const struct guard_set *s, const char *key, size_t len)
{
	if (s == NULL || len == 0)
		return 0;
	return s->slot[find(s->slot, s->cap, key, len)] != NULL;
}

int
guard_set_load(struct guard_set *s, const char *path)
{
	char line[512], key[512];
	uint32_t cp[256];
	FILE *f;
	size_t len, n, klen;
	const uint8_t *p, *end;
	ucs4_t c;
	int ret = 0, k;

	if ((f = fopen(path, "r")) == NULL)
		return BAL_EIO;
	while (ret == 0 && fgets(line, sizeof(line), f) != NULL) {
		len = strcspn(line, "#\r\n");
		while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		p = (const uint8_t *)line;
		end = p + len;
		n = 0;
		/* Entries are separated by spaces or tabs. */
		while (ret == 0 && p <= end) {
			c = ' ';
			k = 1;
			if (p < end)
				k = u8_mbtouc(&c, p, (size_t)(end - p));
			p += k;
			if (c != ' ' && c != '\t') {
				if (n < sizeof(cp) / sizeof(cp[0]))
					cp[n++] = c;
				continue;
			}
			if (n > 0 && (klen = guard_key(cp, n, key,
			    sizeof(key))) > 0)
				ret = guard_set_add(s, key, klen);
			n = 0;
		}
	}
	if (ferror(f))
		ret = BAL_EIO;
	fclose(f);
	return ret;
}

int
guard_is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

int
guard_is_hebrew(uint32_t c)
{
	return c >= 0x05D0 && c <= 0x05EA;
}

int
guard_is_mark(uint32_t c)
{
	if (c < 0x0300)
		return 0;
	return uc_is_general_category(c, UC_CATEGORY_M);
}

int
guard_is_letter(uint32_t c)
{
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	if (guard_is_hebrew(c))
		return 1;
	return uc_is_alpha(c) && !guard_is_mark(c);
}

int
guard_is_upper(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z';
	return uc_is_upper(c);
}

int
guard_is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == 0xA0 || c == 0x2009 ||
	    c == 0x202F || c == 0x2007;
}

/* Hebrew points and cantillation: dropped from keys. */
static int
is_hebrew_point(uint32_t c)
{
	return c >= 0x0591 && c <= 0x05C7 && c != 0x05BE && c != 0x05C0 &&
	    c != 0x05C3 && c != 0x05C6;
}

size_t
guard_key(const uint32_t *cp, size_t n, char *out, size_t cap)
{
	uint32_t buf[128], low[160], *lp;
	uint8_t *u8;
	size_t i, m = 0, llen = sizeof(low) / sizeof(low[0]), olen = cap;
	int ascii = 1;

	if (n == 0 || n > sizeof(buf) / sizeof(buf[0]))
		return 0;
	for (i = 0; i < n; i++) {
		uint32_t c = cp[i];

		if (is_hebrew_point(c))
			continue;
		if (c == 0x05F3 || c == 0x2019 || c == 0x2018 || c == 0x00B4)
			c = '\'';
		else if (c == 0x05F4 || c == 0x201C || c == 0x201D)
			c = '"';
		if (c >= 0x80)
			ascii = 0;
		buf[m++] = c;
	}
	if (m == 0)
		return 0;
	if (ascii) {
		if (m >= cap)
			return 0;
		for (i = 0; i < m; i++)
			out[i] = (char)(buf[i] >= 'A' && buf[i] <= 'Z' ?
			    buf[i] + 32 : buf[i]);
		return m;
	}
	lp = u32_tolower(buf, m, NULL, UNINORM_NFC, low, &llen);
	if (lp == NULL)
		return 0;
	u8 = u32_to_u8(lp, llen, (uint8_t *)out, &olen);
	if (lp != low)
		free(lp);
	if (u8 == NULL)
		return 0;
	if (u8 != (uint8_t *)out) {
		free(u8);
		return 0;
	}
	return olen;
}

size_t
guard_ci_eq(const struct guard_scan *s, size_t i, size_t end, const char *w)
{
	const uint8_t *p = (const uint8_t *)w;
	size_t k = 0;
	ucs4_t c;
	int len;

	while (*p != '\0') {
		uint32_t t;

		if (i + k >= end)
			return 0;
		if (*p < 0x80)
			c = *p++;
		else {
			if ((len = u8_strmbtouc(&c, p)) <= 0)
				return 0;
			p += len;
		}
		t = s->cp[i + k];
		if (t >= 'A' && t <= 'Z')
			t += 32;
		else if (t == 0x05F3 || t == 0x2019)
			t = '\'';
		else if (t == 0x05F4)
			t = '"';
		if (t != c)
			return 0;
		k++;
	}
	return k;
}
