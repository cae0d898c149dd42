/* SPDX-License-Identifier: ISC */
/*
 * The kernel's IPv4 multicast routing socket (see ip(7) and mroute.h):
 * VIFs, MFC entries, counters and upcalls.  Protocol code uses only this
 * interface and never calls setsockopt on the socket itself.
 *
 * The socket is a raw IGMP socket, so besides upcalls it receives the IGMP
 * packets the kernel hands to the multicast router; they go to the igmp
 * handler with the interface they arrived on.
 */
#ifndef LIB_MRT_H
#define LIB_MRT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MRT_MAXVIFS	32		/* MAXVIFS in linux/mroute.h */
#define MRT_VIF_NONE	(-1)

enum mrt_upcall_type {
	MRT_UPCALL_NOCACHE = 1,		/* IGMPMSG_NOCACHE: no MFC entry for (S,G) */
	MRT_UPCALL_WRONGVIF = 2,	/* IGMPMSG_WRONGVIF: arrived on a non-incoming VIF */
	MRT_UPCALL_WHOLEPKT = 3,	/* IGMPMSG_WHOLEPKT: whole packet for the register VIF */
	MRT_UPCALL_WRVIFWHOLE = 4,	/* IGMPMSG_WRVIFWHOLE: WRONGVIF with the whole packet */
};

struct mrt_upcall {
	enum mrt_upcall_type type;
	int		vif;
	struct in_addr	src;
	struct in_addr	grp;
	const uint8_t	*pkt;		/* the IP packet for WHOLEPKT / WRVIFWHOLE */
	size_t		len;
};

struct mrt_handlers {
	void	(*upcall)(const struct mrt_upcall *, void *arg);
	/* An IGMP packet (IP header included) and the interface it came in on. */
	void	(*igmp)(const uint8_t *pkt, size_t len, int ifindex, void *arg);
	void	*arg;
};

struct mrt_sg_stats {
	uint64_t	pkts;
	uint64_t	bytes;
	uint64_t	wrong_if;
};

struct mrt_vif_stats {
	uint64_t	ipkts, opkts, ibytes, obytes;
};

/*
 * MRT_INIT on a new socket and start reading it.  -EADDRINUSE means another
 * multicast routing daemon owns this network namespace's table.
 */
int	mrt_open(const struct mrt_handlers *h);
/* Delete every VIF added through this module, then MRT_DONE, which takes their MFC entries. */
void	mrt_close(void);
int	mrt_fd(void);
/*
 * MRT_PIM: kernel register processing and Asserts.  While it is on, a
 * WRONGVIF upcall is delivered as WRVIFWHOLE only, with the packet.
 */
int	mrt_set_pim(bool on);
int	mrt_set_assert(bool on);	/* MRT_ASSERT: WRONGVIF upcalls */

/* Add a VIF for ifindex (register: the PIM register VIF, ifindex ignored). */
int	mrt_vif_add(int vif, int ifindex, bool reg);
int	mrt_vif_del(int vif);
bool	mrt_vif_used(int vif);
int	mrt_vif_free(void);		/* lowest unused VIF index, or -1 */

/* ttls[vif] != 0 forwards on vif (packets with TTL > ttls[vif]). */
int	mrt_mfc_add(struct in_addr src, struct in_addr grp, int iif,
	    const uint8_t ttls[MRT_MAXVIFS]);
int	mrt_mfc_del(struct in_addr src, struct in_addr grp);

int	mrt_sg_stats(struct in_addr src, struct in_addr grp, struct mrt_sg_stats *out);
int	mrt_vif_stats(int vif, struct mrt_vif_stats *out);

/* Parse one message read from the socket; exposed for unit tests and fuzzing. */
enum mrt_msg_kind { MRT_MSG_BAD, MRT_MSG_UPCALL, MRT_MSG_IGMP };
enum mrt_msg_kind mrt_parse(const uint8_t *buf, size_t len, struct mrt_upcall *up);

#endif
