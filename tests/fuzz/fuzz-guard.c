/*
 * fuzz-guard.c — the de-identification guard's detectors (guard/), which
 * read every note a member writes: any bytes, valid UTF-8 or not.
 *
 * Input: [n u8] then the text; the first n % 64 bytes of the text also
 * go to the allow list.  Checked: no memory error; the hits are in text
 * order, do not overlap, and each lies inside the text in code points and
 * in bytes, on character boundaries, with its line and column; the same
 * text checked twice gives the same hits (the dictionary cache changes
 * nothing).  The guard loads its lists and dictionaries once.
 */
#include "fuzz.h"
#include "guard.h"

static struct guard *g;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	if ((g = guard_new(NULL, NULL)) == NULL)
		abort();
	if (*guard_warning(g) != '\0')
		fprintf(stderr, "fuzz-guard: %s\n", guard_warning(g));
	return 0;
}

/* The code points of text[0..len) as guard_check counts them. */
static size_t
count_cps(const uint8_t *p, size_t len, size_t *starts, size_t cap)
{
	size_t i = 0, n = 0, k, need;

	while (i < len) {
		if (n < cap)
			starts[n] = i;
		n++;
		/* As u8_mbtouc: a bad sequence is one byte. */
		need = p[i] < 0x80 ? 1 : (p[i] & 0xE0) == 0xC0 ? 2 :
		    (p[i] & 0xF0) == 0xE0 ? 3 : (p[i] & 0xF8) == 0xF0 ? 4 : 1;
		for (k = 1; k < need; k++)
			if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
				break;
		i += k == need ? need : 1;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guard_allow *a;
	struct guard_hit *h = NULL, *h2 = NULL;
	size_t n = 0, n2 = 0, i, ncp, nallow;
	const char *text;
	size_t len;

	if (size < 1)
		return 0;
	nallow = data[0] % 64;
	text = (const char *)data + 1;
	len = size - 1;
	if (nallow > len)
		nallow = len;
	if ((a = guard_allow_new()) == NULL ||
	    guard_allow_add(a, text, nallow) != 0)
		abort();
	if (guard_check(g, text, len, a, &h, &n) != 0 ||
	    guard_check(g, text, len, a, &h2, &n2) != 0)
		abort();
	ncp = count_cps((const uint8_t *)text, len, NULL, 0);
	if (n != n2 || (n > 0 && memcmp(h, h2, n * sizeof(*h)) != 0))
		abort();
	for (i = 0; i < n; i++) {
		if (h[i].start >= h[i].end || h[i].end > ncp ||
		    h[i].bstart >= h[i].bend || h[i].bend > len ||
		    h[i].line < 1 || h[i].col < 1 ||
		    (unsigned)h[i].cat >= GUARD_NCATS)
			abort();
		if (i > 0 && h[i].start < h[i - 1].end)
			abort();
		if (h[i].end - h[i].start > h[i].bend - h[i].bstart)
			abort();
	}
	free(h);
	free(h2);
	guard_allow_free(a);
	return 0;
}
