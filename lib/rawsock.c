/* SPDX-License-Identifier: ISC */
/*
 * Raw IPv4 sockets for IGMP and PIM.
 *
 * Linux hands raw sockets the whole datagram, IP header as on the wire
 * (network byte order, options included), so every received packet goes
 * through raw_parse_ip() before the protocol sees the payload.  Sends let
 * the kernel build the header: interface, source and TTL travel with each
 * datagram as ancillary data, so one socket serves every interface.  The
 * one exception is raw_forward, which sends on a packet someone else built.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <string.h>
#include <unistd.h>

#include "cksum.h"
#include "log.h"
#include "rawsock.h"

#define RAW_IPHDR_MIN	20
#define RAW_RA_LEN	4	/* RFC 2113: type, length, 2-byte value */

/* Room for the one control message each way, suitably aligned. */
union raw_cmsgbuf {
	struct cmsghdr	align;
	char		buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
			    CMSG_SPACE(sizeof(int))];
};

static int
set_int(int fd, int opt, int val, const char *what)
{
	if (setsockopt(fd, IPPROTO_IP, opt, &val, sizeof(val)) < 0) {
		log_warn("raw socket: %s", what);
		return -1;
	}
	return 0;
}

/* Every datagram sent on the socket carries the option (RFC 2113). */
static int
set_router_alert(int fd)
{
	static const uint8_t ra[RAW_RA_LEN] = { IPOPT_RA, RAW_RA_LEN, 0, 0 };

	if (setsockopt(fd, IPPROTO_IP, IP_OPTIONS, ra, sizeof(ra)) < 0) {
		log_warn("raw socket: IP_OPTIONS router alert");
		return -1;
	}
	return 0;
}

/*
 * Protocol messages come in bursts (thousands of Join/Prunes or reports when
 * many groups change at once); the default receive buffer drops most of
 * such a burst.  Root may go past net.core.rmem_max with SO_RCVBUFFORCE.
 */
void
raw_set_rcvbuf(int fd, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0)
		log_warn("raw socket: receive buffer of %d bytes", bytes);
}

int
raw_open(int proto, bool router_alert)
{
	int fd;

	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0) {
		log_warn("raw socket for protocol %d", proto);
		return -1;
	}
	/* Arrival interface with each datagram; our own multicast not echoed. */
	if (set_int(fd, IP_PKTINFO, 1, "IP_PKTINFO") < 0 ||
	    set_int(fd, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP") < 0 ||
	    set_int(fd, IP_MULTICAST_TTL, 1, "IP_MULTICAST_TTL") < 0 ||
	    (router_alert && set_router_alert(fd) < 0)) {
		close(fd);
		return -1;
	}
	raw_set_rcvbuf(fd, RAW_RCVBUF);
	log_debug(LOG_SUB_SOCKET, "raw socket %d for protocol %d%s", fd, proto,
	    router_alert ? " with router alert" : "");
	return fd;
}

static int
membership(int fd, int op, int ifindex, struct in_addr grp)
{
	struct ip_mreqn mreq = {
		.imr_multiaddr = grp,
		.imr_ifindex = ifindex,
	};
	const char *what = op == IP_ADD_MEMBERSHIP ? "join" : "leave";
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &grp, buf, sizeof(buf));
	if (setsockopt(fd, IPPROTO_IP, op, &mreq, sizeof(mreq)) == 0) {
		log_debug(LOG_SUB_SOCKET, "raw socket %d: %s %s on ifindex %d",
		    fd, what, buf, ifindex);
		return 0;
	}
	/* A vanished interface took its memberships along: nothing to leave. */
	if (op == IP_DROP_MEMBERSHIP && (errno == EADDRNOTAVAIL || errno == ENODEV))
		log_debug(LOG_SUB_SOCKET, "raw socket %d: %s %s on ifindex %d: %s",
		    fd, what, buf, ifindex, strerror(errno));
	else
		log_warn("raw socket %d: %s %s on ifindex %d", fd, what, buf, ifindex);
	return -1;
}

/*
 * A raw socket gets a copy of every packet of its protocol delivered to the
 * host; one that only sends would fill up.  A filter that accepts nothing
 * stops the copies before they are queued.
 */
int
raw_sendonly(int fd)
{
	struct sock_filter none = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &none };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
		log_warn("raw socket: SO_ATTACH_FILTER");
		return -1;
	}
	return 0;
}

int
raw_join(int fd, int ifindex, struct in_addr grp)
{
	return membership(fd, IP_ADD_MEMBERSHIP, ifindex, grp);
}

int
raw_leave(int fd, int ifindex, struct in_addr grp)
{
	return membership(fd, IP_DROP_MEMBERSHIP, ifindex, grp);
}

/*
 * Walks the options (RFC 791): EOL ends the list, NOP is a lone byte, any
 * other option is type, length (counting those two bytes) and data, and
 * must fit in what is left.  Sets *ra when Router Alert is among them.
 */
static int
parse_options(const uint8_t *opt, size_t len, bool *ra)
{
	size_t i = 0, olen;

	*ra = false;
	while (i < len) {
		if (opt[i] == IPOPT_EOL)
			break;
		if (opt[i] == IPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return -1;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return -1;
		if (opt[i] == IPOPT_RA) {
			if (olen != RAW_RA_LEN)
				return -1;
			*ra = true;
		}
		i += olen;
	}
	return 0;
}

/* Fills everything but rx->ifindex, which only the socket knows. */
int
raw_parse_ip(const uint8_t *buf, size_t len, struct raw_rx *rx)
{
	struct ip ip;
	size_t hlen, tlen;
	bool ra;

	if (len < RAW_IPHDR_MIN)
		return -1;
	memcpy(&ip, buf, sizeof(ip));
	hlen = (size_t)ip.ip_hl * 4;
	tlen = ntohs(ip.ip_len);
	if (ip.ip_v != 4 || hlen < RAW_IPHDR_MIN || hlen > len ||
	    tlen < hlen || tlen > len)
		return -1;
	if (parse_options(buf + RAW_IPHDR_MIN, hlen - RAW_IPHDR_MIN, &ra) < 0)
		return -1;
	rx->src = ip.ip_src;
	rx->dst = ip.ip_dst;
	rx->ttl = ip.ip_ttl;
	rx->router_alert = ra;
	rx->payload = buf + hlen;
	rx->len = tlen - hlen;	/* link-layer padding after the datagram goes */
	return 0;
}

static int
pktinfo_ifindex(struct msghdr *msg)
{
	struct cmsghdr *cm;
	struct in_pktinfo pi;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(pi))) {
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			return pi.ipi_ifindex;
		}
	}
	return 0;
}

int
raw_recv(int fd, uint8_t *buf, size_t size, struct raw_rx *rx)
{
	struct sockaddr_in from;
	union raw_cmsgbuf cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	char addr[INET_ADDRSTRLEN];
	ssize_t n;

	/*
	 * An empty socket ends the caller's read loop like an error does: a
	 * loop that read on after EAGAIN would spin through its whole burst
	 * on every wakeup.
	 */
	if ((n = recvmsg(fd, &msg, 0)) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_warn("raw socket %d: recvmsg", fd);
		return -1;
	}
	/* A datagram that was cut or is not sane IPv4 is dropped here. */
	if (msg.msg_flags & MSG_TRUNC) {
		log_warnx_rl("raw socket %d: datagram longer than %zu bytes dropped",
		    fd, size);
		return 0;
	}
	if (raw_parse_ip(buf, (size_t)n, rx) < 0) {
		inet_ntop(AF_INET, &from.sin_addr, addr, sizeof(addr));
		log_warnx_rl("raw socket %d: bad IP header from %s, dropped", fd,
		    addr);
		return 0;
	}
	rx->ifindex = pktinfo_ifindex(&msg);
	return 1;
}

/*
 * Interface and source go in IP_PKTINFO (ipi_ifindex, ipi_spec_dst), the
 * TTL in IP_TTL: the kernel uses a per-datagram TTL for unicast and
 * multicast destinations alike, so no socket option changes per send.
 */
static void
tx_cmsgs(struct msghdr *msg, int ifindex, struct in_addr src, uint8_t ttl)
{
	struct cmsghdr *cm;
	struct in_pktinfo pi = { .ipi_ifindex = ifindex, .ipi_spec_dst = src };
	int ttl_val = ttl;

	cm = CMSG_FIRSTHDR(msg);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));

	cm = CMSG_NXTHDR(msg, cm);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_TTL;
	cm->cmsg_len = CMSG_LEN(sizeof(ttl_val));
	memcpy(CMSG_DATA(cm), &ttl_val, sizeof(ttl_val));
}

ssize_t
raw_send(int fd, int ifindex, struct in_addr src, struct in_addr dst,
    const void *payload, size_t len, uint8_t ttl)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = dst };
	union raw_cmsgbuf cbuf;
	struct iovec iov = { .iov_base = (void *)payload, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &to,
		.msg_namelen = sizeof(to),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	char buf[INET_ADDRSTRLEN];
	ssize_t n;

	memset(&cbuf, 0, sizeof(cbuf));
	tx_cmsgs(&msg, ifindex, src, ttl);
	if ((n = sendmsg(fd, &msg, 0)) < 0) {
		inet_ntop(AF_INET, &dst, buf, sizeof(buf));
		log_warnx_rl("raw socket %d: send to %s on ifindex %d: %s", fd, buf,
		    ifindex, strerror(errno));
		return -1;
	}
	return n;
}

int
raw_open_forward(void)
{
	int fd;

	if ((fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_RAW)) < 0) {
		log_warn("raw socket for forwarding");
		return -1;
	}
	/* A copy looped back would seem to arrive on the outgoing interface. */
	if (set_int(fd, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP") < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * As the kernel forwards: TTL decremented, and a packet whose TTL runs out
 * is not sent.  IPPROTO_RAW sockets send the header as given but fill in
 * its checksum, and let it keep a source address that is not ours.  A
 * UDP checksum left for offload is completed (udp_cksum_fill).
 */
ssize_t
raw_forward(int fd, int ifindex, const uint8_t *pkt, size_t len)
{
	static uint8_t copy[IP_MAXPACKET];
	struct raw_rx rx;
	size_t n;

	if (raw_parse_ip(pkt, len, &rx) < 0)
		return -1;
	if (rx.ttl <= 1)
		return 0;
	n = (size_t)(rx.payload - pkt) + rx.len;
	memcpy(copy, pkt, n);
	copy[8]--;			/* the TTL */
	udp_cksum_fill(copy, n);
	return raw_send(fd, ifindex, (struct in_addr){ INADDR_ANY }, rx.dst, copy, n, rx.ttl);
}
