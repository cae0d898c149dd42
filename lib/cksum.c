/* SPDX-License-Identifier: ISC */
/* The Internet checksum (RFC 1071), used by IGMP and PIM, and UDP's (RFC 768). */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "cksum.h"

/* Add big-endian 16-bit words to sum; an odd last byte is padded with zero. */
static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* The one's complement of the folded sum, in network byte order. */
static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

uint16_t
in_cksum(const void *buf, size_t len)
{
	return fold(sum16(0, buf, len));
}

void
udp_cksum_fill(uint8_t *ip, size_t len)
{
	size_t hl, ulen;
	uint32_t sum;
	uint16_t ck;

	if (len < 20 || (hl = (size_t)(ip[0] & 0x0f) * 4) < 20 || len < hl + 8 ||
	    ip[9] != IPPROTO_UDP || (ip[6] & 0x3f) != 0 || ip[7] != 0)
		return;		/* not UDP, or a fragment */
	ulen = (size_t)(ip[hl + 4] << 8 | ip[hl + 5]);
	if (ulen < 8 || ulen > len - hl || (ip[hl + 6] == 0 && ip[hl + 7] == 0))
		return;		/* a length that lies, or no checksum at all */
	/* Pseudo-header: source, destination, zero, protocol, UDP length. */
	sum = sum16(0, ip + 12, 8) + IPPROTO_UDP + (uint32_t)ulen;
	/* The UDP header without its checksum field, then the data. */
	sum = sum16(sum, ip + hl, 6);
	sum = sum16(sum, ip + hl + 8, ulen - 8);
	if ((ck = fold(sum)) == 0)
		ck = 0xffff;	/* 0 would mean "no checksum" */
	ip[hl + 6] = (uint8_t)(ntohs(ck) >> 8);
	ip[hl + 7] = (uint8_t)ntohs(ck);
}
