/* SPDX-License-Identifier: ISC */
/*
 * PIM-SM on an interface (RFC 7761): the per-interface state, the PIM
 * socket and its one receive path.  Hello and neighbours are in hello.c and
 * nbr.c; later message types get a file each.
 */
#ifndef PIMD_PIM_H
#define PIMD_PIM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "event.h"
#include "pim_msg.h"

struct iface;
struct pim_nbr;
struct jp_entry;

/* Why a received PIM message was dropped, besides what pim_msg.c rejects. */
enum pim_drop {
	PIM_DROP_DECODE,	/* see pim_err */
	PIM_DROP_SUBNET,	/* source not on the interface's subnet */
	PIM_DROP_DESTINATION,	/* link-local type not sent to ALL-PIM-ROUTERS */
	PIM_DROP_PASSIVE,	/* PIM is passive on the interface */
	PIM_DROP_NOT_NEIGHBOR,	/* needs a Hello first (§4.3.1) */
	PIM_DROP_UNSUPPORTED,	/* a type this version does not handle yet */
	PIM_DROP_BSM_RPF,	/* Bootstrap not from the RPF neighbour toward its BSR */
	PIM_DROP_BSM_NOT_PREFERRED, /* Bootstrap from a worse BSR than ours */
	PIM_DROP_BSM_FILTERED,	/* Bootstrap on an interface configured without */
	PIM_DROP_BSM_UNEXPECTED, /* unicast or No-Forward Bootstrap, a BSR known */
	PIM_DROP_CRP_NOT_BSR,	/* C-RP-Advertisement, this router not the BSR */
	PIM_DROP_MAX
};

struct pim_counters {
	uint64_t	rx[PIM_TYPE_MAX];
	uint64_t	tx[PIM_TYPE_MAX];
	uint64_t	drop[PIM_DROP_MAX];
	uint64_t	decode[PIM_ERR_MAX];
};

TAILQ_HEAD(pim_nbr_list, pim_nbr);

struct pim_if {
	struct iface	*ifp;
	struct in_addr	addr;		/* our primary address: Hello source */
	uint32_t	genid;		/* new each time PIM starts here (§4.3.1) */
	bool		passive;	/* no Hellos sent or heard */
	struct pim_hello sent;		/* the options of our last Hello */
	struct timer	hello_timer;
	struct in_addr	dr;		/* the elected DR (§4.3.2) */
	unsigned	nnbr;
	struct pim_nbr_list nbrs;
	uint64_t	started;
	struct pim_counters cnt;
	/* Join/Prune entries waiting to go out, packed per upstream neighbour */
	struct jp_entry	*jpq;
	unsigned	jpq_len, jpq_size;
	struct timer	jp_flush;
	uint64_t	jp_sent;	/* clock_ms() of the last flush */
};

#define PIM_ALL_ROUTERS		"224.0.0.13"
#define PIM_TRIGGERED_HELLO_DELAY_MS 5000	/* §4.11 */

int	pim_init(void);
void	pim_fini(void);
/* Start, stop or retune PIM on an interface after any change to it. */
void	pim_iface_update(struct iface *);
/* Send a message (PIM header on) out of the interface. */
void	pim_send(struct pim_if *, struct in_addr dst, const uint8_t *buf, size_t len,
	    enum pim_type type);

/* Send a message unicast (Register, Register-Stop) from src to dst. */
void	pim_send_unicast(struct in_addr src, struct in_addr dst, const uint8_t *buf,
	    size_t len, enum pim_type type);

bool	pim_is_dr(const struct pim_if *);
const char *pim_drop_name(enum pim_drop);
/* Count a received message dropped, and log it (rate-limited). */
void	pim_drop(struct pim_if *, enum pim_drop why, struct in_addr src, const char *detail);

#endif
