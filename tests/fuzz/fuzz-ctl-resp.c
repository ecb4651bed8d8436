/*
 * fuzz-ctl-resp.c — ctl_resp_decode (proto/ctl.c), the daemon's answers
 * that the CLI reads.
 *
 * Input: one encoded response.  Checked: no memory error; status, error
 * text and every record's fields are within their limits and found again
 * by ctl_resp_get; a decoded response re-encodes with exactly
 * ctl_resp_size bytes and the round trip is stable.
 */
#include "fuzz.h"
#include "ctl.h"
#include "mp.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

static void
check_resp(const struct ctl_resp *resp)
{
	const struct ctl_kv *kv;
	const char *err = ctl_resp_err(resp), *s;
	const uint8_t *p;
	size_t r, i, n, nrec, len;
	uint64_t u;
	int b, st = ctl_resp_status(resp);

	fuzz_check(ctl_resp_version(resp) == CTL_VERSION);
	fuzz_check(st == CTL_OK || st == CTL_FAILED || st == CTL_USAGE);
	fuzz_check((st == CTL_OK) == (err[0] == '\0'));
	fuzz_check(strlen(err) <= CTL_MAX_ERR);
	fuzz_check(mp_utf8_valid(err, strlen(err)));
	nrec = ctl_resp_nrecords(resp);
	fuzz_check(nrec <= CTL_MAX_RECORDS);
	for (r = 0; r < nrec; r++) {
		kv = ctl_resp_record(resp, r, &n);
		fuzz_check(n <= CTL_MAX_FIELDS && (n == 0 || kv != NULL));
		for (i = 0; i < n; i++) {
			fuzz_check(ctl_resp_get(resp, r, kv[i].key) ==
			    &kv[i].val);
			switch (kv[i].val.type) {
			case CTL_NIL:
				fuzz_check(ctl_resp_get_uint(resp, r,
				    kv[i].key, &u) == BAL_ENOENT);
				break;
			case CTL_STR:
				fuzz_check(ctl_resp_get_str(resp, r,
				    kv[i].key, &s, &len) == 0);
				fuzz_check(strlen(s) == len);
				break;
			case CTL_UINT:
				fuzz_check(ctl_resp_get_uint(resp, r,
				    kv[i].key, &u) == 0);
				break;
			case CTL_BOOL:
				fuzz_check(ctl_resp_get_bool(resp, r,
				    kv[i].key, &b) == 0);
				break;
			case CTL_BIN:
				fuzz_check(ctl_resp_get_bin(resp, r,
				    kv[i].key, &p, &len) == 0);
				fuzz_touch(p, len);
				break;
			default:
				fuzz_check(!"unknown value type decoded");
			}
		}
	}
	fuzz_check(ctl_resp_record(resp, nrec, &n) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_resp *resp = NULL, *resp2 = NULL;
	uint8_t *e1 = NULL, *e2 = NULL;
	size_t l1, l2;
	int rc;

	fuzz_reset();
	rc = ctl_resp_decode(data, size, &resp);
	if (rc == BAL_EVERSION) {
		fuzz_check(resp != NULL);
		fuzz_check(ctl_resp_version(resp) != CTL_VERSION);
		fuzz_check(ctl_resp_nrecords(resp) == 0);
		goto out;
	}
	if (rc != 0) {
		fuzz_check(resp == NULL);
		goto out;
	}
	check_resp(resp);
	fuzz_check(ctl_resp_encode(resp, &e1, &l1) == 0);
	fuzz_check(l1 == ctl_resp_size(resp) && l1 <= size);
	fuzz_check(ctl_resp_decode(e1, l1, &resp2) == 0);
	check_resp(resp2);
	fuzz_check(ctl_resp_encode(resp2, &e2, &l2) == 0);
	fuzz_check(l1 == l2 && memcmp(e1, e2, l1) == 0);
out:
	ctl_resp_free(resp);
	ctl_resp_free(resp2);
	free(e1);
	free(e2);
	return 0;
}
