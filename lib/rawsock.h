/* SPDX-License-Identifier: ISC */
/*
 * Raw IP sockets for the protocols (IGMP: 2, PIM: 103): per-interface group
 * membership, receive with the arrival interface, send out of one interface
 * with TTL 1 and optionally the IP Router Alert option (RFC 2113); and
 * forwarding a received multicast packet by hand.
 */
#ifndef LIB_RAWSOCK_H
#define LIB_RAWSOCK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct raw_rx {
	int		ifindex;	/* arrival interface (IP_PKTINFO) */
	struct in_addr	src;
	struct in_addr	dst;
	uint8_t		ttl;
	bool		router_alert;	/* IP option 148 present */
	const uint8_t	*payload;	/* after the IP header and its options */
	size_t		len;
};

#define RAW_RCVBUF	(8 * 1024 * 1024)

int	raw_open(int proto, bool router_alert);	/* fd or -1 */
void	raw_set_rcvbuf(int fd, int bytes);
/* Drop everything the socket would receive: for sockets that only send. */
int	raw_sendonly(int fd);
int	raw_join(int fd, int ifindex, struct in_addr grp);
int	raw_leave(int fd, int ifindex, struct in_addr grp);
/*
 * Read one datagram into buf and check its IP header: 1 read; 0 one was
 * dropped (logged), read on; -1 nothing left to read, or an error (logged).
 */
int	raw_recv(int fd, uint8_t *buf, size_t size, struct raw_rx *rx);
/* Parse an IP header (with options) in buf; -1 when it is not a sane IPv4 header. */
int	raw_parse_ip(const uint8_t *buf, size_t len, struct raw_rx *rx);
/* Send payload to dst out of ifindex from src (INADDR_ANY: kernel's choice). */
ssize_t	raw_send(int fd, int ifindex, struct in_addr src, struct in_addr dst,
	    const void *payload, size_t len, uint8_t ttl);

/* A socket that sends whole IP packets (IPPROTO_RAW), header included. */
int	raw_open_forward(void);
/* Forward a copy of an IP packet out of ifindex: TTL - 1; 0: its TTL ran out. */
ssize_t	raw_forward(int fd, int ifindex, const uint8_t *pkt, size_t len);

#endif
