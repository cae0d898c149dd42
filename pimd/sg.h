/* SPDX-License-Identifier: ISC */
/*
 * (S,G) routing state, RFC 7761 §4.5: per entry the upstream Join/Prune
 * state machine (§4.5.7) toward RPF'(S,G), per interface the downstream
 * state machine (§4.5.3) driven by received Joins and Prunes, local
 * members from IGMP (§4.1.6 pim_include), and the kernel MFC entry that
 * follows from them.
 */
#ifndef PIMD_SG_H
#define PIMD_SG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "event.h"
#include "mrt.h"
#include "tree.h"

struct iface;
struct pim_if;
struct rpf;

enum sg_up { SG_UP_NOT_JOINED, SG_UP_JOINED };
enum sg_ds { SG_DS_NO_INFO, SG_DS_JOIN, SG_DS_PRUNE_PENDING };

/* Downstream (S,G) state on one interface (§4.5.3); exists while not NoInfo. */
struct sg_if {
	TAILQ_ENTRY(sg_if) entry;
	struct sg	*sg;
	struct iface	*ifp;
	enum sg_ds	state;
	struct timer	expiry;		/* Expiry Timer (ET) */
	struct timer	ppt;		/* Prune-Pending Timer (PPT) */
	uint64_t	since;
};

struct sg {
	RB_ENTRY(sg)	entry;
	struct in_addr	src;
	struct in_addr	grp;
	uint64_t	created;
	/* upstream (§4.5.7) */
	enum sg_up	up;
	struct timer	join_timer;	/* Join Timer (JT) */
	struct rpf_watch *rpf;
	struct iface	*rpf_ifp;	/* RPF_interface(S); NULL: no route */
	struct in_addr	rpf_nbr;	/* RPF'(S,G); 0: no PIM neighbour there */
	bool		src_local;	/* S is on a connected subnet: first hop */
	/* downstream */
	TAILQ_HEAD(, sg_if) ds;
	/* the kernel's MFC entry */
	bool		mfc;
	int		mfc_iif;
	uint8_t		mfc_oifs[MRT_MAXVIFS];
};

RB_HEAD(sg_tree, sg);
RB_PROTOTYPE(sg_tree, sg, entry, sg_cmp)
extern struct sg_tree sgs;

void	sg_fini(void);
struct sg *sg_find(struct in_addr src, struct in_addr grp);

/* Join/Prune addressed to us on ifp (§4.5.3). */
void	sg_join_received(struct iface *, struct in_addr src, struct in_addr grp,
	    uint16_t holdtime);
void	sg_prune_received(struct iface *, struct in_addr src, struct in_addr grp,
	    uint16_t holdtime);
/* Join/Prune from another router to `upstream` on ifp: suppression, override (§4.5.7). */
void	sg_join_seen(struct iface *, struct in_addr upstream, struct in_addr src,
	    struct in_addr grp);
void	sg_prune_seen(struct iface *, struct in_addr upstream, struct in_addr src,
	    struct in_addr grp);
/* IGMP changed group grp on ifp (the igmp_set_listener callback). */
void	sg_membership_changed(struct iface *, struct in_addr grp);
/* Something every entry may depend on changed: DR, neighbours, interfaces. */
void	sg_reevaluate_all(void);
/* A neighbour restarted (new GenID): joins to it go again soon (§4.5.7). */
void	sg_nbr_restarted(struct pim_if *, struct in_addr nbr);

const char *sg_up_name(enum sg_up);
const char *sg_ds_name(enum sg_ds);

#endif
