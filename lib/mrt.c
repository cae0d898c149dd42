/* SPDX-License-Identifier: ISC */
/*
 * The kernel's IPv4 multicast routing socket.  This module owns the one
 * socket per network namespace that may call MRT_INIT, remembers which VIFs
 * it added (so shutdown removes exactly those), and turns what the kernel
 * sends on the socket into upcalls or IGMP packets.  MFC entries are not
 * remembered: MRT_DONE flushes exactly those added on this socket (the
 * kernel marks entries added any other way static and keeps them), and
 * remembering thousands of them would cost memory for nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mroute.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "mrt.h"
#include "rawsock.h"

/* Read at most this many messages per wakeup so other sockets get a turn. */
#define MRT_READ_BURST	64
#define MRT_BUFSIZE	65536

static struct {
	int			fd;
	struct ev_io		*io;
	struct mrt_handlers	h;
	uint32_t		vifs;		/* bit per VIF added here */
	bool			wrvifwhole;	/* WRONGVIF comes with the packet */
	uint8_t			*buf;
} mrt = { .fd = -1 };

static void mrt_read(int, void *);

int
mrt_open(const struct mrt_handlers *h)
{
	int fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_IGMP)) < 0)
		return -errno;
	/* Only one socket per namespace wins MRT_INIT: EADDRINUSE otherwise. */
	if (setsockopt(fd, IPPROTO_IP, MRT_INIT, &on, sizeof(on)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	/* IGMP packets need their arrival interface. */
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0)
		log_warn("mroute: IP_PKTINFO");
	/* Reports and upcalls come in bursts when many groups or sources start. */
	raw_set_rcvbuf(fd, RAW_RCVBUF);
	mrt.fd = fd;
	mrt.h = *h;
	if ((mrt.buf = malloc(MRT_BUFSIZE)) == NULL ||
	    (mrt.io = ev_io_add(fd, mrt_read, NULL)) == NULL) {
		free(mrt.buf);
		close(fd);
		mrt.fd = -1;
		return -ENOMEM;
	}
	log_debug(LOG_SUB_MROUTE, "MRT_INIT on fd %d", fd);
	return 0;
}

void
mrt_close(void)
{
	int off = 0;

	if (mrt.fd < 0)
		return;
	for (int vif = 0; vif < MRT_MAXVIFS; vif++)
		if (mrt.vifs & (1u << vif))
			mrt_vif_del(vif);
	if (setsockopt(mrt.fd, IPPROTO_IP, MRT_DONE, &off, sizeof(off)) < 0)
		log_warn("mroute: MRT_DONE");
	ev_io_del(mrt.io);
	close(mrt.fd);
	free(mrt.buf);
	memset(&mrt, 0, sizeof(mrt));
	mrt.fd = -1;
}

int
mrt_fd(void)
{
	return mrt.fd;
}

/*
 * MRT_PIM with the value IGMPMSG_WRVIFWHOLE (Linux 4.16 and later) turns
 * on register processing and Asserts, and has every WRONGVIF upcall
 * followed by a WRVIFWHOLE one carrying the packet.  The kernel takes the
 * value only when it switches PIM on, so this must be the first MRT_PIM.
 */
int
mrt_set_pim(bool on)
{
	int v = on ? IGMPMSG_WRVIFWHOLE : 0;

	if (setsockopt(mrt.fd, IPPROTO_IP, MRT_PIM, &v, sizeof(v)) < 0) {
		log_warn("mroute: MRT_PIM %d", v);
		return -1;
	}
	mrt.wrvifwhole = on;
	return 0;
}

int
mrt_set_assert(bool on)
{
	int v = on;

	if (setsockopt(mrt.fd, IPPROTO_IP, MRT_ASSERT, &v, sizeof(v)) < 0) {
		log_warn("mroute: MRT_ASSERT %d", v);
		return -1;
	}
	return 0;
}

int
mrt_vif_add(int vif, int ifindex, bool reg)
{
	struct vifctl vc;

	if (vif < 0 || vif >= MRT_MAXVIFS) {
		errno = EINVAL;
		return -1;
	}
	memset(&vc, 0, sizeof(vc));
	vc.vifc_vifi = (vifi_t)vif;
	vc.vifc_threshold = 1;
	if (reg)
		vc.vifc_flags = VIFF_REGISTER;
	else {
		vc.vifc_flags = VIFF_USE_IFINDEX;
		vc.vifc_lcl_ifindex = ifindex;
	}
	if (setsockopt(mrt.fd, IPPROTO_IP, MRT_ADD_VIF, &vc, sizeof(vc)) < 0) {
		log_warn("mroute: add VIF %d (ifindex %d%s)", vif, ifindex,
		    reg ? ", register" : "");
		return -1;
	}
	mrt.vifs |= 1u << vif;
	log_debug(LOG_SUB_MROUTE, "added VIF %d ifindex %d%s", vif, ifindex,
	    reg ? " (register)" : "");
	return 0;
}

int
mrt_vif_del(int vif)
{
	struct vifctl vc;

	if (vif < 0 || vif >= MRT_MAXVIFS || !(mrt.vifs & (1u << vif))) {
		errno = EINVAL;
		return -1;
	}
	mrt.vifs &= ~(1u << vif);
	memset(&vc, 0, sizeof(vc));
	vc.vifc_vifi = (vifi_t)vif;
	if (setsockopt(mrt.fd, IPPROTO_IP, MRT_DEL_VIF, &vc, sizeof(vc)) < 0) {
		/* The kernel drops the VIF of a device that went away itself. */
		if (errno != EADDRNOTAVAIL)
			log_warn("mroute: delete VIF %d", vif);
		return -1;
	}
	log_debug(LOG_SUB_MROUTE, "deleted VIF %d", vif);
	return 0;
}

bool
mrt_vif_used(int vif)
{
	return vif >= 0 && vif < MRT_MAXVIFS && (mrt.vifs & (1u << vif));
}

int
mrt_vif_free(void)
{
	for (int vif = 0; vif < MRT_MAXVIFS; vif++)
		if (!(mrt.vifs & (1u << vif)))
			return vif;
	return -1;
}

int
mrt_mfc_add(struct in_addr src, struct in_addr grp, int iif,
    const uint8_t ttls[MRT_MAXVIFS])
{
	struct mfcctl mc;

	memset(&mc, 0, sizeof(mc));
	mc.mfcc_origin = src;
	mc.mfcc_mcastgrp = grp;
	mc.mfcc_parent = (vifi_t)iif;
	memcpy(mc.mfcc_ttls, ttls, MRT_MAXVIFS);
	/* MRT_ADD_MFC on an existing entry updates it in place. */
	if (setsockopt(mrt.fd, IPPROTO_IP, MRT_ADD_MFC, &mc, sizeof(mc)) < 0) {
		char s[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

		log_warn("mroute: add MFC (%s, %s) iif %d",
		    inet_ntop(AF_INET, &src, s, sizeof(s)),
		    inet_ntop(AF_INET, &grp, g, sizeof(g)), iif);
		return -1;
	}
	return 0;
}

int
mrt_mfc_del(struct in_addr src, struct in_addr grp)
{
	struct mfcctl mc;

	memset(&mc, 0, sizeof(mc));
	mc.mfcc_origin = src;
	mc.mfcc_mcastgrp = grp;
	if (setsockopt(mrt.fd, IPPROTO_IP, MRT_DEL_MFC, &mc, sizeof(mc)) < 0) {
		if (errno != ENOENT)
			log_warn("mroute: delete MFC");
		return -1;
	}
	return 0;
}

int
mrt_sg_stats(struct in_addr src, struct in_addr grp, struct mrt_sg_stats *out)
{
	struct sioc_sg_req req;

	memset(&req, 0, sizeof(req));
	req.src = src;
	req.grp = grp;
	if (ioctl(mrt.fd, SIOCGETSGCNT, &req) < 0)
		return -1;
	out->pkts = req.pktcnt;
	out->bytes = req.bytecnt;
	out->wrong_if = req.wrong_if;
	return 0;
}

int
mrt_vif_stats(int vif, struct mrt_vif_stats *out)
{
	struct sioc_vif_req req;

	memset(&req, 0, sizeof(req));
	req.vifi = (vifi_t)vif;
	if (ioctl(mrt.fd, SIOCGETVIFCNT, &req) < 0)
		return -1;
	out->ipkts = req.icount;
	out->opkts = req.ocount;
	out->ibytes = req.ibytes;
	out->obytes = req.obytes;
	return 0;
}

/*
 * An upcall is a struct igmpmsg laid over a copy of an IP header: the
 * protocol byte (im_mbz) is zero, which no real IGMP packet has.  For
 * WHOLEPKT and WRVIFWHOLE the original packet follows that header.
 */
enum mrt_msg_kind
mrt_parse(const uint8_t *buf, size_t len, struct mrt_upcall *up)
{
	const struct igmpmsg *im = (const struct igmpmsg *)buf;

	if (len < sizeof(struct ip) || (buf[0] >> 4) != 4)
		return MRT_MSG_BAD;
	if (im->im_mbz != 0)
		return ((const struct ip *)buf)->ip_p == IPPROTO_IGMP ?
		    MRT_MSG_IGMP : MRT_MSG_BAD;
	memset(up, 0, sizeof(*up));
	switch (im->im_msgtype) {
	case IGMPMSG_NOCACHE:
	case IGMPMSG_WRONGVIF:
	case IGMPMSG_WHOLEPKT:
	case IGMPMSG_WRVIFWHOLE:
		break;
	default:
		return MRT_MSG_BAD;
	}
	up->type = (enum mrt_upcall_type)im->im_msgtype;
	up->vif = im->im_vif | (im->im_vif_hi << 8);
	up->src = im->im_src;
	up->grp = im->im_dst;
	if (up->type == MRT_UPCALL_WHOLEPKT || up->type == MRT_UPCALL_WRVIFWHOLE) {
		if (len <= sizeof(struct ip))
			return MRT_MSG_BAD;
		up->pkt = buf + sizeof(struct ip);
		up->len = len - sizeof(struct ip);
	}
	return MRT_MSG_UPCALL;
}

static int
recv_ifindex(struct msghdr *msg)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm))
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
			return ((struct in_pktinfo *)CMSG_DATA(cm))->ipi_ifindex;
	return 0;
}

static void
mrt_read(int fd, void *arg)
{
	for (int i = 0; i < MRT_READ_BURST; i++) {
		union {
			struct cmsghdr	hdr;
			uint8_t		buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		} cmsg;
		struct iovec iov = { mrt.buf, MRT_BUFSIZE };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = &cmsg, .msg_controllen = sizeof(cmsg),
		};
		struct mrt_upcall up;
		ssize_t n;

		if ((n = recvmsg(fd, &msg, 0)) < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("mroute: recvmsg");
			return;
		}
		switch (mrt_parse(mrt.buf, (size_t)n, &up)) {
		case MRT_MSG_UPCALL:
			/* The WRVIFWHOLE right behind it says the same, and more. */
			if (up.type == MRT_UPCALL_WRONGVIF && mrt.wrvifwhole)
				break;
			log_debug(LOG_SUB_MROUTE, "upcall %d vif %d", up.type, up.vif);
			if (mrt.h.upcall != NULL)
				mrt.h.upcall(&up, mrt.h.arg);
			break;
		case MRT_MSG_IGMP:
			if (mrt.h.igmp != NULL)
				mrt.h.igmp(mrt.buf, (size_t)n, recv_ifindex(&msg),
				    mrt.h.arg);
			break;
		case MRT_MSG_BAD:
			log_warnx_rl("mroute: dropped a malformed message of %zd bytes", n);
			break;
		}
	}
}
