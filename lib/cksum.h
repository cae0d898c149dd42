/* SPDX-License-Identifier: ISC */
/* The Internet checksum (RFC 1071). */
#ifndef LIB_CKSUM_H
#define LIB_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * The one's complement of the one's complement sum, in network byte order;
 * 0 over data that carries a valid checksum.
 */
uint16_t in_cksum(const void *buf, size_t len);

#endif
