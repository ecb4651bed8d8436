/* web-check.c — the page's request checks (web-check.h). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "web-check.h"

/*
 * 1 when s[0..len) is exactly scheme, one of this server's names, ':' and
 * the decimal port.
 */
static int
names_us(const char *s, size_t len, const char *scheme, unsigned port)
{
	static const char *const names[] = { "127.0.0.1", "localhost" };
	char want[64];
	size_t i;
	int n;

	if (s == NULL || port == 0)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = snprintf(want, sizeof(want), "%s%s:%u", scheme, names[i],
		    port);
		if (n > 0 && (size_t)n == len && memcmp(s, want, len) == 0)
			return 1;
	}
	return 0;
}

int
web_check_host(const char *h, size_t len, unsigned port)
{
	return names_us(h, len, "", port);
}

int
web_check_origin(const char *o, size_t len, unsigned port)
{
	return names_us(o, len, "http://", port);
}

int
web_check_token(const char *given, size_t len, const char *want)
{
	if (given == NULL || want == NULL || len != WEB_TOKEN_HEX ||
	    strlen(want) != WEB_TOKEN_HEX)
		return 0;
	return sodium_memcmp(given, want, WEB_TOKEN_HEX) == 0;
}

const char *
web_check_query_token(const char *q, size_t len)
{
	size_t i;

	if (q == NULL || len != 3 + WEB_TOKEN_HEX || memcmp(q, "?t=", 3) != 0)
		return NULL;
	for (i = 3; i < len; i++)
		if (!((q[i] >= '0' && q[i] <= '9') || (q[i] >= 'a' &&
		    q[i] <= 'f')))
			return NULL;
	return q + 3;
}

int
web_check_request(const struct web_check_in *in)
{
	if (!web_check_host(in->host, in->host_len, in->port))
		return WEB_BAD_HOST;
	/* A browser sends Origin on every POST and on cross-site fetches. */
	if (in->origin != NULL &&
	    !web_check_origin(in->origin, in->origin_len, in->port))
		return WEB_BAD_ORIGIN;
	if (in->post && in->origin == NULL)
		return WEB_BAD_ORIGIN;
	if (!in->needs_session && !in->post)
		return WEB_OK;
	if (in->session_csrf == NULL)
		return WEB_NO_SESSION;
	if (in->post && !web_check_token(in->csrf, in->csrf_len,
	    in->session_csrf))
		return WEB_BAD_CSRF;
	return WEB_OK;
}

const char *
web_check_why(int verdict)
{
	switch (verdict) {
	case WEB_BAD_HOST:
		return "this page answers only as 127.0.0.1 (open it with: "
		    "balint open)";
	case WEB_BAD_ORIGIN:
		return "refused: the request came from another site";
	case WEB_NO_SESSION:
		return "not logged in (open the page with: balint open)";
	case WEB_BAD_CSRF:
		return "refused: the request lacks this page's token (reload "
		    "the page)";
	default:
		return "ok";
	}
}
