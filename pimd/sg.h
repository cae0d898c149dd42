/* SPDX-License-Identifier: ISC */
/*
 * Routing state, RFC 7761 §4.5: (S,G) entries and (*,G) entries (source
 * 0.0.0.0), each with the upstream Join/Prune state machine (§4.5.4,
 * §4.5.5) toward RPF'(S,G) or RPF'(*,G), per interface the downstream state
 * machine (§4.5.1, §4.5.2) driven by received Joins and Prunes, local
 * members from IGMP (§4.1.6 pim_include), for (S,G) the data-driven state
 * (Keepalive Timer, SPT bit, the first-hop DR's Register state, §4.4.1),
 * and the kernel MFC entry that follows from all of it.
 */
#ifndef PIMD_SG_H
#define PIMD_SG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "event.h"
#include "mrt.h"
#include "rpf.h"
#include "rpt.h"
#include "tree.h"

struct assert_if_list;
struct iface;
struct pim_if;

enum sg_up { SG_UP_NOT_JOINED, SG_UP_JOINED };
/* §4.4.1 Register state of a first-hop DR. */
enum sg_reg { SG_REG_NO_INFO, SG_REG_JOIN, SG_REG_JOIN_PENDING, SG_REG_PRUNE };
enum sg_ds { SG_DS_NO_INFO, SG_DS_JOIN, SG_DS_PRUNE_PENDING };

/* Downstream state on one interface (§4.5.1, §4.5.2); exists while not NoInfo. */
struct sg_if {
	LIST_ENTRY(sg_if) entry;
	struct sg	*sg;
	struct iface	*ifp;
	struct timer	expiry;		/* Expiry Timer (ET) */
	struct timer	ppt;		/* Prune-Pending Timer (PPT) */
	uint32_t	since_s;	/* clock_ms() / 1000 at the last change */
	enum sg_ds	state;
};

struct sg_reg_state;

/*
 * There is one of these per (S,G) and per (*,G) on every router on the
 * path, so its size times the mroute count is most of the daemon's memory:
 * state that few entries have (the first-hop DR's Register state, the
 * (S,G,rpt) Override Timer, Asserts) hangs off it while it exists, and the
 * small enums and flags are bit-fields.
 */
struct sg {
	RB_ENTRY(sg)	entry;
	struct in_addr	src;
	struct in_addr	grp;
	/* upstream (§4.5.4, §4.5.5) */
	struct timer	join_timer;	/* Join Timer (JT) */
	struct rpf_watch rpf;		/* toward S, or RP(G) for (*,G) */
	struct iface	*rpf_ifp;	/* RPF_interface(S) or (RP); NULL: no route */
	struct in_addr	rpf_nbr;	/* RPF'; 0: no PIM neighbour there */
	/* (*,G) */
	struct in_addr	rp;		/* RP(G) the entry follows; 0: none */
	/* (S,G) data-driven state */
	struct timer	kat;		/* Keepalive Timer (§4.1.4), as samples */
	uint32_t	kat_pkts;	/* MFC packet count at the last sample, mod 2^32 */
	uint32_t	kat_last;	/* (uint32_t)clock_ms() when data was last seen */
	uint32_t	created_s;	/* clock_ms() / 1000 when it was made */
	struct sg_reg_state *regst;	/* register.c's, while reg is not NoInfo */
	/* downstream */
	LIST_HEAD(, sg_if) ds;
	/* (S,G,rpt), rpt.c: downstream prunes per interface, upstream state */
	struct rpt_if_list rpt_ds;
	struct timer	*rpt_ot;	/* Override Timer (OT); NULL: not running */
	struct assert_if_list *asserts;	/* assert.c's, per interface; NULL: none */
	/* the kernel's MFC entry */
	uint32_t	mfc_oifs;	/* bit v: VIF v is an outgoing interface */
	int16_t		mfc_iif;
	enum sg_up	up : 1;
	enum sg_reg	reg : 2;	/* §4.4.1 */
	enum rpt_up	rpt_up : 2;
	bool		src_local : 1;	/* (S,G): S is on a connected subnet */
	bool		i_am_rp : 1;	/* (*,G): the RP is this router: the tree's root */
	bool		kat_join : 1;	/* the KAT counts in JoinDesired(S,G) */
	bool		spt : 1;	/* SPTbit(S,G) */
	bool		registers_stopped : 1; /* RP: we sent the DR a Register-Stop */
	bool		mfc : 1;
};

_Static_assert(MRT_MAXVIFS <= 32, "sg.mfc_oifs is a 32-bit mask of VIFs");
/* An enum bit-field holds its values only if the enum's type is unsigned. */
_Static_assert((enum sg_up)-1 > 0 && (enum sg_reg)-1 > 0 && (enum rpt_up)-1 > 0,
    "the enums of struct sg's bit-fields must be unsigned");

/* Is VIF vif in the outgoing list of the entry's MFC entry? */
static inline bool
sg_mfc_oif(const struct sg *sg, int vif)
{
	return vif >= 0 && vif < MRT_MAXVIFS && (sg->mfc_oifs & (1u << vif)) != 0;
}

RB_HEAD(sg_tree, sg);
RB_PROTOTYPE(sg_tree, sg, entry, sg_cmp)
extern struct sg_tree sgs;

void	sg_fini(void);
static inline bool
sg_is_wc(const struct sg *sg)
{
	return sg->src.s_addr == INADDR_ANY;
}
struct sg *sg_find(struct in_addr src, struct in_addr grp);
/* Find the entry, or make it; src 0: (*,G). */
struct sg *sg_get(struct in_addr src, struct in_addr grp);
/* The (S,G) entries of grp in turn, without its (*,G) entry; NULL at the end. */
struct sg *sg_first_source(struct in_addr grp);
struct sg *sg_next_source(struct sg *);

/* Recompute an entry after any change to what it depends on; may free it. */
void	sg_update(struct sg *);
/* For assert.c: ifp in joins + pim_include (§4.1.6), before lost_assert. */
bool	sg_in_olist(struct sg *, const struct iface *);
/*
 * For assert.c: ifp in joins(*,G) - prunes(S,G,rpt) + pim_include(*,G) -
 * pim_exclude(S,G) of an (S,G) entry's group (§4.1.6), before lost_assert.
 */
bool	sg_in_rpt_joins(const struct sg *, const struct iface *);
/* For assert.c: RPF' changed due to an Assert (§4.5.4, §4.5.5). */
void	sg_rpf_assert_changed(struct sg *);

/* Join/Prune addressed to us on ifp (§4.5.1, §4.5.2); src 0: (*,G). */
void	sg_join_received(struct iface *, struct in_addr src, struct in_addr grp,
	    uint16_t holdtime);
void	sg_prune_received(struct iface *, struct in_addr src, struct in_addr grp,
	    uint16_t holdtime);
/* Join/Prune from another router to `upstream` on ifp: suppression, override (§4.5.5). */
void	sg_join_seen(struct iface *, struct in_addr upstream, struct in_addr src,
	    struct in_addr grp, uint16_t holdtime);
void	sg_prune_seen(struct iface *, struct in_addr upstream, struct in_addr src,
	    struct in_addr grp);
/* The kernel: no MFC entry for (S,G) arriving on vif (NOCACHE). */
void	sg_nocache(struct in_addr src, struct in_addr grp, int vif);
/* The kernel: (S,G) arrived on vif, not its incoming interface (WRONGVIF); pkt may be NULL. */
void	sg_wrongvif(struct in_addr src, struct in_addr grp, int vif, const uint8_t *pkt,
	    size_t len);
/* The kernel hands a packet for the register VIF (WHOLEPKT): encapsulate it. */
void	sg_wholepkt(struct in_addr src, struct in_addr grp, const uint8_t *pkt, size_t len);
/* Register-Stop(S,G) from the RP (§4.4.1); src 0: every source of grp. */
void	sg_register_stop(struct in_addr src, struct in_addr grp);
/* A Register for (S,G) reached us as RP; true: answer with Register-Stop (§4.4.2). */
bool	sg_register_received(struct in_addr src, struct in_addr grp, bool null_register);
/* RP(G) may have changed for some groups. */
void	sg_rp_changed(void);
/* IGMP changed group grp on ifp (the igmp_set_listener callback). */
void	sg_membership_changed(struct iface *, struct in_addr grp);
/* Something every entry may depend on changed: DR, neighbours, interfaces. */
void	sg_reevaluate_all(void);
/* A neighbour restarted (new GenID): joins to it go again soon (§4.5.5). */
void	sg_nbr_restarted(struct pim_if *, struct in_addr nbr);

/* The KAT's granularity: how often the kernel's packet counter is read. */
#define KAT_SAMPLE_MS	5000u
/* Milliseconds until the KAT expires; 0 when it is not running. */
uint32_t sg_kat_remaining(const struct sg *);

/* "(S, G)" or "(*, G)", for logs; a static buffer. */
const char *sg_str(const struct sg *);
const char *sg_up_name(enum sg_up);
const char *sg_reg_name(enum sg_reg);
const char *sg_ds_name(enum sg_ds);

#endif
