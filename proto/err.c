/* err.c — error names and the default random source. */
#include <sodium.h>

#include "bal.h"

const char *
bal_strerror(int err)
{
	switch (err) {
	case BAL_OK:		return "success";
	case BAL_EINVAL:	return "invalid argument";
	case BAL_EPROTO:	return "malformed input";
	case BAL_ECRYPTO:	return "authentication failed";
	case BAL_ENOMEM:	return "out of memory";
	case BAL_ETOOBIG:	return "input too large";
	case BAL_EAGAIN:	return "more input needed";
	case BAL_ECHECKSUM:	return "checksum mismatch (typing error?)";
	case BAL_EPERM:		return "not permitted";
	case BAL_EVERSION:	return "unsupported version";
	case BAL_ESTATE:	return "invalid state";
	case BAL_ENOENT:	return "not found";
	case BAL_EEOF:		return "end of stream";
	case BAL_ESYNTAX:	return "syntax error";
	case BAL_EEXPIRED:	return "expired";
	case BAL_ECHAIN:	return "broken hash chain";
	case BAL_EIO:		return "storage or I/O error";
	case BAL_EEXIST:	return "already exists";
	default:		return "unknown error";
	}
}

void
bal_random(const struct bal_rng *rng, void *buf, size_t len)
{
	if (rng != NULL && rng->fill != NULL)
		rng->fill(rng->ctx, buf, len);
	else
		randombytes_buf(buf, len);
}
