/* SPDX-License-Identifier: ISC */
/* The Internet checksum (RFC 1071), and UDP's over an IPv4 datagram. */
#ifndef LIB_CKSUM_H
#define LIB_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * The one's complement of the one's complement sum, in network byte order;
 * 0 over data that carries a valid checksum.
 */
uint16_t in_cksum(const void *buf, size_t len);

/*
 * Compute and store the UDP checksum of the IPv4 datagram ip (len bytes).
 * A packet a local sender or a virtual NIC passed on with the checksum left
 * for offload (CHECKSUM_PARTIAL) reaches a multicast router so, and must
 * be completed before it is sent on by hand.  Anything but an unfragmented
 * UDP datagram with a checksum is left as it is.
 */
void	udp_cksum_fill(uint8_t *ip, size_t len);

#endif
