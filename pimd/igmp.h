/* SPDX-License-Identifier: ISC */
/*
 * IGMP on an interface (RFC 3376 §5-§7, RFC 2236): the querier, receiving
 * and checking IGMP messages, and sending queries.  Group state lives in
 * igmp_group.c.
 */
#ifndef PIMD_IGMP_H
#define PIMD_IGMP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "igmp_group.h"
#include "igmp_msg.h"

struct iface;

/* Reasons a received IGMP message is dropped, counted per interface. */
enum igmp_drop {
	IGMP_DROP_DECODE,	/* igmp_msg.c rejected it; see igmp_err */
	IGMP_DROP_TTL,		/* IP TTL is not 1 */
	IGMP_DROP_ROUTER_ALERT,	/* no Router Alert and it is required */
	IGMP_DROP_SUBNET,	/* source not on the interface's subnet */
	IGMP_DROP_LINK_LOCAL,	/* membership for 224.0.0.0/24 */
	IGMP_DROP_VERSION,	/* IGMPv3 report on an IGMPv2 interface */
	IGMP_DROP_MAX_GROUPS,	/* the interface's max-groups is reached */
	IGMP_DROP_SSM_EXCLUDE,	/* EXCLUDE-mode record for an SSM group */
	IGMP_DROP_MAX
};

struct igmp_counters {
	uint64_t	rx_query[4];		/* by version, [0] unused */
	uint64_t	rx_report[4];		/* by version */
	uint64_t	rx_leave;
	uint64_t	tx_general, tx_group, tx_group_source;
	uint64_t	drop[IGMP_DROP_MAX];
	uint64_t	decode[IGMP_ERR_MAX];	/* IGMP_DROP_DECODE by reason */
};

struct igmp_if {
	struct iface	*ifp;
	struct in_addr	addr;		/* our address: the querier election's */
	struct igmp_params p;		/* in force */
	bool		querier;
	struct in_addr	querier_addr;
	uint8_t		querier_version;	/* version of the last query heard */
	struct timer	gq_timer;	/* General Query (ours, as querier) */
	struct timer	oqp_timer;	/* Other Querier Present */
	unsigned	startup_left;	/* startup queries still to send */
	uint64_t	started;
	struct igmp_counters cnt;
	struct igmp_groups groups;
};

int	igmp_init(void);
void	igmp_fini(void);
/* Start, stop or retune IGMP on an interface after any change to it. */
void	igmp_iface_update(struct iface *);
/* An IGMP packet (IP header on) from the mroute socket. */
void	igmp_input(const uint8_t *pkt, size_t len, int ifindex, void *arg);

/*
 * What IGMP tells the routing side (RFC 7761 §4.1.6): after any change to
 * group grp on an interface the listener is called and asks these.
 * src INADDR_ANY asks about (*,G).
 */
void	igmp_set_listener(void (*fn)(struct iface *, struct in_addr grp));
bool	igmp_local_include(const struct iface *, struct in_addr src, struct in_addr grp);
/* Call the listener for every group of the interface, as if each had changed. */
void	igmp_replay(struct iface *);
bool	igmp_local_exclude(const struct iface *, struct in_addr src, struct in_addr grp);

const char *igmp_drop_name(enum igmp_drop);
uint32_t igmp_oqpi_ms(const struct igmp_params *);	/* RV * QI + QRI / 2 */

#endif
