/*
 * contract-internal.h — shared by contract.c and contract-text.c only.
 *
 * contract_check (contract.c) and the text parser (contract-text.c) must
 * refuse exactly the same characters, and the parser must say why, so both
 * use this one classifier instead of two copies that could drift apart.
 * Not part of the public API: nothing outside those two files includes it.
 */
#ifndef BAL_CONTRACT_INTERNAL_H
#define BAL_CONTRACT_INTERNAL_H

#include <stddef.h>

/* Outcomes of contract_chars_check. */
enum {
	CONTRACT_CH_OK,
	CONTRACT_CH_NUL,	/* a NUL byte */
	CONTRACT_CH_UTF8,	/* not valid UTF-8 */
	CONTRACT_CH_CR,		/* a carriage return */
	CONTRACT_CH_CTRL	/* a control character (C0, DEL, C1) */
};

/*
 * contract_chars_check classifies s[0..len): CONTRACT_CH_OK for UTF-8
 * without NUL and control characters; with multiline 0, U+2028/U+2029,
 * tab and LF are refused too.
 */
int contract_chars_check(const char *s, size_t len, int multiline);

#endif
