/* SPDX-License-Identifier: ISC */
/* The Internet checksum (RFC 1071), used by IGMP and PIM. */
#include <arpa/inet.h>

#include "cksum.h"

uint16_t
in_cksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t sum = 0;

	/* Sum big-endian 16-bit words; an odd last byte is padded with zero. */
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	/* In network byte order, ready to store in a header as it is. */
	return htons((uint16_t)~sum);
}
