/* SPDX-License-Identifier: ISC */
/*
 * IGMPv3 router-side group state (RFC 3376 §6, with §7.3.2 compatibility):
 * per group a filter mode, a group timer and source records with timers,
 * changed only by igmp_group_record() (reports), igmp_group_query() (queries
 * heard) and the timers.  No sockets here: sending a query and telling the
 * routing side about a change go through igmp_send_query() and
 * igmp_group_changed(), so unit tests can drive every table row with
 * injected time.
 */
#ifndef PIMD_IGMP_GROUP_H
#define PIMD_IGMP_GROUP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "igmp_msg.h"
#include "tree.h"

enum igmp_filter { IGMP_FILTER_INCLUDE, IGMP_FILTER_EXCLUDE };

/*
 * Per-interface parameters and the groups under them.  igmp.c owns the rest
 * of the interface state; the group tables need only this.
 */
struct igmp_params {
	uint8_t		version;	/* 2 or 3: the version this router runs */
	uint8_t		robustness;	/* in force: ours, or the querier's QRV */
	uint32_t	qi_s;		/* in force: ours, or the querier's QQI */
	uint32_t	qri_ds;
	uint32_t	lmqi_ds;
	uint8_t		lmqc;
	uint32_t	max_groups;	/* 0: no limit */
};

struct igmp_source {
	RB_ENTRY(igmp_source) entry;
	struct in_addr	addr;
	struct timer	timer;		/* stopped: excluded (EXCLUDE mode's Y) */
	unsigned	rxmt;		/* Q(G,S) retransmissions left */
	uint64_t	created;
	struct igmp_group *grp;
};
RB_HEAD(igmp_source_tree, igmp_source);
RB_PROTOTYPE(igmp_source_tree, igmp_source, entry, igmp_source_cmp)

struct igmp_group {
	RB_ENTRY(igmp_group) entry;
	struct igmp_groups *set;
	struct in_addr	addr;
	enum igmp_filter mode;
	struct timer	timer;		/* group timer (§6.2.2), EXCLUDE mode */
	/*
	 * When the Older Version Host Present timers (§7.3.2) of IGMPv1 and
	 * v2 hosts end, clock_ms() (0: never started).  Nothing happens when
	 * they do, so they are times to compare with, not timers.
	 */
	uint64_t	v1_host_end, v2_host_end;
	struct timer	rxmt;		/* specific query retransmissions */
	unsigned	g_rxmt;		/* Q(G) retransmissions left */
	uint64_t	created;
	struct in_addr	last_reporter;
	bool		changed;	/* forwarding state changed: tell PIM */
	unsigned	nsrc;
	struct igmp_source_tree sources;
};
RB_HEAD(igmp_group_tree, igmp_group);
RB_PROTOTYPE(igmp_group_tree, igmp_group, entry, igmp_group_cmp)

/* The groups of one interface. */
struct igmp_groups {
	const struct igmp_params *p;
	void		*owner;		/* handed back in the callbacks */
	bool		querier;	/* only the querier sends queries */
	unsigned	ngroups;
	unsigned	limit_drops;	/* reports ignored at max-groups */
	struct igmp_group_tree groups;
};

void	igmp_groups_init(struct igmp_groups *, const struct igmp_params *, void *owner);
void	igmp_groups_flush(struct igmp_groups *);

struct igmp_group *igmp_group_find(struct igmp_groups *, struct in_addr grp);
struct igmp_source *igmp_source_find(struct igmp_group *, struct in_addr src);

/*
 * One group record (RFC 3376 §6.4), or an older report mapped to one by the
 * caller: v1/v2 report = IS_EX({}), v2 leave = TO_IN({}) (§7.3.2).  version
 * is the IGMP version of a membership report (it starts the older host
 * present timers), 0 for a leave.  srcs need not be sorted or unique.
 */
void	igmp_group_record(struct igmp_groups *, struct in_addr grp,
	    enum igmp_rec_type type, const struct in_addr *srcs, unsigned nsrc,
	    struct in_addr reporter, uint8_t version);
/* A query heard or sent with the S flag clear lowers timers (§6.6.1). */
void	igmp_group_query(struct igmp_groups *, struct in_addr grp,
	    const struct in_addr *srcs, unsigned nsrc);

/* The group's compatibility mode: 1, 2 or 3 (§7.3.2). */
uint8_t	igmp_group_compat(const struct igmp_group *);
/* Milliseconds left of the IGMPv1 or v2 Host Present timer; 0: not running. */
uint32_t igmp_group_host_left(const struct igmp_group *, uint8_t version);
/* §6.3: does this interface want traffic from src to the group? */
bool	igmp_group_forwards(const struct igmp_group *, struct in_addr src);

/* Timer values in ms (RFC 3376 §8). */
uint32_t igmp_gmi_ms(const struct igmp_params *);	/* RV * QI + QRI */
uint32_t igmp_lmqt_ms(const struct igmp_params *);	/* LMQI * LMQC */

/* Provided by the caller (igmp.c; a fake in unit tests). */
void	igmp_send_query(void *owner, struct in_addr grp, const struct in_addr *srcs,
	    unsigned nsrc, bool s_flag);
void	igmp_group_changed(void *owner, const struct igmp_group *, bool deleted);

#endif
