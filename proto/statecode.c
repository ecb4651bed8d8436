/* statecode.c — the group state code read aloud at meetings (statecode.h). */
#include <sodium.h>

#include "statecode.h"

void
statecode_make(const uint8_t group_id[BAL_GROUP_ID_BYTES],
    const uint8_t state_hash[BAL_HASH_BYTES], char out[STATECODE_TEXT_BYTES])
{
	static const char domain[] = "balint-state-code-v1";
	crypto_generichash_state st;
	uint8_t h[16];
	uint32_t v;
	size_t g, o = 0;

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)domain,
	    sizeof(domain) - 1);
	crypto_generichash_update(&st, group_id, BAL_GROUP_ID_BYTES);
	crypto_generichash_update(&st, state_hash, BAL_HASH_BYTES);
	crypto_generichash_final(&st, h, sizeof(h));
	/* 4 x (32 bits mod 10^4): about 53 bits, bias below 10^-5. */
	for (g = 0; g < 4; g++) {
		v = ((uint32_t)h[4 * g] << 24 | (uint32_t)h[4 * g + 1] << 16 |
		    (uint32_t)h[4 * g + 2] << 8 | h[4 * g + 3]) % 10000;
		if (g > 0)
			out[o++] = '-';
		out[o++] = (char)('0' + v / 1000);
		out[o++] = (char)('0' + v / 100 % 10);
		out[o++] = (char)('0' + v / 10 % 10);
		out[o++] = (char)('0' + v % 10);
	}
	out[o] = '\0';
}
