/* err.c — error names and the default random source. */
#include <sodium.h>

#include "bal.h"

const char *
bal_strerror(int err)
{
	switch (err) {
	case BAL_OK:		return N_("success");
	case BAL_EINVAL:	return N_("invalid argument");
	case BAL_EPROTO:	return N_("malformed input");
	case BAL_ECRYPTO:	return N_("authentication failed");
	case BAL_ENOMEM:	return N_("out of memory");
	case BAL_ETOOBIG:	return N_("input too large");
	case BAL_EAGAIN:	return N_("more input needed");
	case BAL_ECHECKSUM:	return N_("checksum mismatch (typing error?)");
	case BAL_EPERM:		return N_("not permitted");
	case BAL_EVERSION:	return N_("unsupported version");
	case BAL_ESTATE:	return N_("invalid state");
	case BAL_ENOENT:	return N_("not found");
	case BAL_EEOF:		return N_("end of stream");
	case BAL_ESYNTAX:	return N_("syntax error");
	case BAL_EEXPIRED:	return N_("expired");
	case BAL_ECHAIN:	return N_("broken hash chain");
	case BAL_EIO:		return N_("storage or I/O error");
	case BAL_EEXIST:	return N_("already exists");
	default:		return N_("unknown error");
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
