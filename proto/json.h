/*
 * json.h — a JSON string escaper for the CLI's --json output (pure).
 *
 * Quotes, backslash and control characters (U+0000..U+001F, DEL) are
 * escaped; valid UTF-8 passes through unchanged; every byte of an invalid
 * UTF-8 sequence becomes \ufffd, so the output is always valid JSON.
 */
#ifndef BAL_JSON_H
#define BAL_JSON_H

#include <stddef.h>

/*
 * json_escape writes s[0..len) as a JSON string, with its quotes and a
 * terminating NUL, into out (outlen bytes).  It returns the length the
 * whole string needs (NUL excluded), like snprintf: the output is
 * complete only when that is below outlen.
 */
size_t json_escape(const char *s, size_t len, char *out, size_t outlen);

/*
 * json_quote is json_escape into a malloc'd string (free() it); NULL when
 * out of memory.
 */
char *json_quote(const char *s, size_t len);

#endif
