/*
 * fuzz-ctl-req.c — ctl_req_decode (proto/ctl.c), the CLI's requests to the
 * daemon, and ctl_frame_len, the length prefix in front of them.
 *
 * Input: one encoded request (the first 4 bytes are also read as a length
 * prefix).  Checked: no memory error; every argument's key and value are
 * within their limits and found again by ctl_req_get; the typed getters
 * agree with the value's type; a decoded request re-encodes with exactly
 * ctl_req_size bytes and the round trip is stable.
 */
#include "fuzz.h"
#include "ctl.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

/* Checks the prefix reader against the writer. */
static void
check_prefix(const uint8_t *data, size_t size)
{
	uint8_t hdr[CTL_HDR_BYTES];
	size_t len;

	if (size < CTL_HDR_BYTES)
		return;
	if (ctl_frame_len(data, &len) != 0)
		return;
	fuzz_check(len >= 1 && len <= CTL_MAX_MSG);
	fuzz_check(ctl_frame_hdr(len, hdr) == 0);
	fuzz_check(memcmp(hdr, data, CTL_HDR_BYTES) == 0);
}

/* Reads value v through its typed getter, by key k. */
static void
check_value(const struct ctl_req *req, const char *k,
    const struct ctl_value *v)
{
	const char *s;
	const uint8_t *p;
	size_t len;
	uint64_t u;
	int b;

	fuzz_check(ctl_req_get(req, k) == v);
	switch (v->type) {
	case CTL_NIL:
		fuzz_check(ctl_req_get_str(req, k, &s, &len) == BAL_ENOENT);
		break;
	case CTL_STR:
		fuzz_check(ctl_req_get_str(req, k, &s, &len) == 0);
		fuzz_check(s[len] == '\0' && strlen(s) == len);
		fuzz_check(ctl_req_get_uint(req, k, &u) == BAL_EPROTO);
		break;
	case CTL_UINT:
		fuzz_check(ctl_req_get_uint(req, k, &u) == 0 && u == v->u);
		fuzz_check(ctl_req_get_bin(req, k, &p, &len) == BAL_EPROTO);
		break;
	case CTL_BOOL:
		fuzz_check(ctl_req_get_bool(req, k, &b) == 0);
		fuzz_check(b == 0 || b == 1);
		break;
	case CTL_BIN:
		fuzz_check(ctl_req_get_bin(req, k, &p, &len) == 0);
		fuzz_check(p != NULL && len <= CTL_MAX_MSG);
		fuzz_touch(p, len);
		fuzz_check(ctl_req_get_bool(req, k, &b) == BAL_EPROTO);
		break;
	default:
		fuzz_check(!"unknown value type decoded");
	}
}

static void
check_req(const struct ctl_req *req)
{
	const struct ctl_kv *kv;
	size_t i, n, klen;
	const char *cmd = ctl_req_cmd(req);

	fuzz_check(ctl_req_version(req) == CTL_VERSION);
	fuzz_check(strlen(cmd) >= 1 && strlen(cmd) <= CTL_MAX_CMD);
	n = ctl_req_nargs(req);
	fuzz_check(n <= CTL_MAX_ARGS);
	for (i = 0; i < n; i++) {
		kv = ctl_req_arg(req, i);
		fuzz_check(kv != NULL);
		klen = strlen(kv->key);
		fuzz_check(klen >= 1 && klen <= CTL_MAX_KEY);
		fuzz_check(strspn(kv->key,
		    "abcdefghijklmnopqrstuvwxyz0123456789._-") == klen);
		check_value(req, kv->key, &kv->val);
	}
	fuzz_check(ctl_req_arg(req, n) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_req *req = NULL, *req2 = NULL;
	uint8_t *e1 = NULL, *e2 = NULL;
	size_t l1, l2;
	int rc;

	fuzz_reset();
	check_prefix(data, size);
	rc = ctl_req_decode(data, size, &req);
	if (rc == BAL_EVERSION) {
		fuzz_check(req != NULL);
		fuzz_check(ctl_req_version(req) != CTL_VERSION);
		fuzz_check(ctl_req_nargs(req) == 0);
		fuzz_check(ctl_req_encode(req, &e1, &l1) == BAL_EINVAL);
		goto out;
	}
	if (rc != 0) {
		fuzz_check(req == NULL);
		goto out;
	}
	check_req(req);
	fuzz_check(ctl_req_encode(req, &e1, &l1) == 0);
	fuzz_check(l1 == ctl_req_size(req) && l1 <= size);
	fuzz_check(ctl_req_decode(e1, l1, &req2) == 0);
	check_req(req2);
	fuzz_check(ctl_req_encode(req2, &e2, &l2) == 0);
	fuzz_check(l1 == l2 && memcmp(e1, e2, l1) == 0);
out:
	ctl_req_free(req);
	ctl_req_free(req2);
	free(e1);
	free(e2);
	return 0;
}
