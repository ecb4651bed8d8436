/* onion.c — the form of v3 onion addresses (see onion.h). */
#include <string.h>

#include "bal.h"
#include "onion.h"

int
onion_addr_parse(const char *addr, char *host, uint16_t *port)
{
	unsigned long p = 0;
	size_t i;

	if (addr == NULL || strnlen(addr, ONION_HOST_LEN + 8) >
	    ONION_HOST_LEN + 6)
		return BAL_EINVAL;
	for (i = 0; i < ONION_ID_LEN; i++)
		if (!((addr[i] >= 'a' && addr[i] <= 'z') ||
		    (addr[i] >= '2' && addr[i] <= '7')))
			return BAL_EINVAL;
	if (strncmp(addr + ONION_ID_LEN, ".onion:", 7) != 0)
		return BAL_EINVAL;
	for (i = ONION_HOST_LEN + 1; addr[i] != '\0'; i++) {
		if (addr[i] < '0' || addr[i] > '9')
			return BAL_EINVAL;
		p = p * 10 + (unsigned long)(addr[i] - '0');
		if (p > 65535)
			return BAL_EINVAL;
	}
	if (i == ONION_HOST_LEN + 1 || p == 0)
		return BAL_EINVAL;
	if (host != NULL) {
		memcpy(host, addr, ONION_HOST_LEN);
		host[ONION_HOST_LEN] = '\0';
	}
	if (port != NULL)
		*port = (uint16_t)p;
	return 0;
}

int
onion_addr_is(const char *addr)
{
	return onion_addr_parse(addr, NULL, NULL) == 0;
}
