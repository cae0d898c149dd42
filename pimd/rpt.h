/* SPDX-License-Identifier: ISC */
/*
 * (S,G,rpt) state, RFC 7761: pruning one source off the RP tree.  Per
 * (S,G) entry, the downstream state per interface (§4.5.3) from received
 * (S,G,rpt) Prunes and Joins, which takes the interface out of
 * inherited_olist(S,G,rpt), and the upstream state (§4.5.7), which sends
 * Prune(S,G,rpt) toward the RP once the source comes on the shortest path
 * tree from elsewhere, or once nobody below wants it from the RP tree.
 */
#ifndef PIMD_RPT_H
#define PIMD_RPT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "event.h"

struct iface;
struct sg;

/* §4.5.3 downstream states; the two Tmp ones last only through one message. */
enum rpt_ds {
	RPT_DS_NO_INFO,
	RPT_DS_PRUNE,
	RPT_DS_PRUNE_PENDING,
	RPT_DS_PRUNE_TMP,
	RPT_DS_PRUNE_PENDING_TMP,
	RPT_DS_MAX
};

/* §4.5.7 upstream states. */
enum rpt_up { RPT_UP_NOT_JOINED, RPT_UP_PRUNED, RPT_UP_NOT_PRUNED };

/* Downstream (S,G,rpt) state on one interface; exists while not NoInfo. */
struct rpt_if {
	LIST_ENTRY(rpt_if) entry;
	struct sg	*sg;
	struct iface	*ifp;
	struct timer	expiry;		/* Expiry Timer (ET) */
	struct timer	ppt;		/* Prune-Pending Timer (PPT) */
	uint32_t	since_s;	/* clock_ms() / 1000 at the last change */
	enum rpt_ds	state;
};

LIST_HEAD(rpt_if_list, rpt_if);

void	rpt_init(struct sg *);
void	rpt_free(struct sg *);

/* Forget the downstream state on interfaces where PIM stopped; no update. */
void	rpt_flush_stopped(struct sg *);
/* Is ifp in prunes(S,G,rpt) (§4.1.6)? */
bool	rpt_pruned(const struct sg *, const struct iface *);

/* Received on ifp, addressed to us: Join(*,G), Join/Prune(S,G,rpt), end of a group's record. */
void	rpt_wc_join_received(struct iface *, struct in_addr grp);
void	rpt_join_received(struct iface *, struct in_addr src, struct in_addr grp);
void	rpt_prune_received(struct iface *, struct in_addr src, struct in_addr grp,
	    uint16_t holdtime);
void	rpt_end_of_message(struct iface *, struct in_addr grp);

/*
 * Upstream: sg.c tells whether RPTJoinDesired(G) and PruneDesired(S,G,rpt)
 * hold after every change to the entry.
 */
void	rpt_upstream(struct sg *, bool rpt_join_desired, bool prune_desired);
/* A Join(*,G) goes to nbr on ifp: the Prune(S,G,rpt)s of the group go with it (§4.5.6). */
void	rpt_wc_join_sent(struct iface *, struct in_addr nbr, struct in_addr grp);
/* Seen on ifp to upstream from another router: override or suppress (§4.5.7). */
void	rpt_prune_seen(struct iface *, struct in_addr upstream, struct in_addr src,
	    struct in_addr grp);
void	rpt_join_seen(struct iface *, struct in_addr upstream, struct in_addr src,
	    struct in_addr grp);

const char *rpt_ds_name(enum rpt_ds);
const char *rpt_up_name(enum rpt_up);

#endif
