/* SPDX-License-Identifier: ISC */
/*
 * (S,G) and (*,G) state, RFC 7761 §4.5 (downstream §4.5.1/§4.5.2, upstream
 * §4.5.4/§4.5.5), §4.1.6 (olists), §4.2 (data, SPT switch), and the MFC
 * entries that follow from them.
 *
 * Every event ends in sg_update(), which computes the entry's
 * immediate_olist = joins + pim_include, and for (S,G) inherited_olist,
 * drives the upstream machines with JoinDesired (and the (S,G,rpt) one of
 * rpt.c with PruneDesired), programs the kernel and frees an entry nothing
 * needs; a (*,G) update carries on to the (S,G) entries of its group, whose
 * inherited olists include it.  RPF' comes from a watch on the route to S,
 * or to RP(G) for (*,G) (rpf.c).
 *
 * (S,G) entries a (*,G) or a Register brings about are made by data: the
 * kernel's NOCACHE upcall.  They live while the Keepalive Timer runs, which
 * restarts as long as the kernel's packet counter for the entry moves.
 * The kernel has no (*,G) entries here; each source gets an (S,G) one.
 *
 * Per-route events are logged at debug level ("-d pim"): a router with
 * thousands of routes must not write thousands of lines for them.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "assert.h"
#include "config.h"
#include "iface.h"
#include "igmp.h"
#include "join_prune.h"
#include "mroute.h"
#include "nbr.h"
#include "pim.h"
#include "pimd.h"
#include "register.h"
#include "rp.h"
#include "rpf.h"
#include "rpt.h"
#include "sg.h"

static int
sg_cmp(const struct sg *a, const struct sg *b)
{
	uint32_t x = ntohl(a->grp.s_addr), y = ntohl(b->grp.s_addr);

	if (x != y)
		return x < y ? -1 : 1;
	x = ntohl(a->src.s_addr);
	y = ntohl(b->src.s_addr);
	return x < y ? -1 : x > y;
}

RB_GENERATE(sg_tree, sg, entry, sg_cmp)
struct sg_tree sgs = RB_INITIALIZER(&sgs);


const char *
sg_up_name(enum sg_up s)
{
	return s == SG_UP_JOINED ? "joined" : "not-joined";
}

const char *
sg_ds_name(enum sg_ds s)
{
	static const char *const names[] = {
		[SG_DS_NO_INFO] = "no-info",
		[SG_DS_JOIN] = "join",
		[SG_DS_PRUNE_PENDING] = "prune-pending",
	};

	return names[s];
}

const char *
sg_str(const struct sg *sg)
{
	static char buf[2 * INET_ADDRSTRLEN + 4];
	char s[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	snprintf(buf, sizeof(buf), "(%s, %s)", sg_is_wc(sg) ? "*" :
	    inet_ntop(AF_INET, &sg->src, s, sizeof(s)),
	    inet_ntop(AF_INET, &sg->grp, g, sizeof(g)));
	return buf;
}

struct sg *
sg_find(struct in_addr src, struct in_addr grp)
{
	struct sg key = { .src = src, .grp = grp };

	return RB_FIND(sg_tree, &sgs, &key);
}

/* The tree sorts by group, then source: (*,G), source 0, comes first. */
struct sg *
sg_first_source(struct in_addr grp)
{
	struct sg key = { .grp = grp }, *sg = RB_NFIND(sg_tree, &sgs, &key);

	if (sg != NULL && sg_is_wc(sg) && sg->grp.s_addr == grp.s_addr)
		sg = RB_NEXT(sg_tree, &sgs, sg);
	return sg != NULL && sg->grp.s_addr == grp.s_addr ? sg : NULL;
}

struct sg *
sg_next_source(struct sg *sg)
{
	struct sg *next = RB_NEXT(sg_tree, &sgs, sg);

	return next != NULL && next->grp.s_addr == sg->grp.s_addr ? next : NULL;
}

/* ---- RPF'(S,G) ------------------------------------------------------------ */

/*
 * RPF'(S,G) = NBR(RPF_interface(S), MRIB.next_hop(S)) and RPF'(*,G) the same
 * toward RP(G), §4.5 and §4.3.4.  *local: S is on a connected subnet, or
 * for (*,G) this router is the RP.
 */
static void
rpf_resolve(struct sg *sg, struct iface **ifp, struct in_addr *nbr, bool *local)
{
	const struct rpf *r = rpf_get(&sg->rpf);

	*ifp = NULL;
	nbr->s_addr = INADDR_ANY;
	*local = false;
	if (r == NULL || !r->valid)
		return;
	if (r->local) {
		*local = sg_is_wc(sg);
		return;
	}
	if ((*ifp = iface_find_index(r->ifindex)) == NULL)
		return;
	if (!sg_is_wc(sg) && r->nexthop.s_addr == sg->src.s_addr) {
		*local = true;		/* S is on a connected subnet */
		return;
	}
	if ((*ifp)->pim != NULL && nbr_find((*ifp)->pim, r->nexthop) != NULL)
		*nbr = r->nexthop;
	/* §4.6.5: where we lost an Assert on RPF_interface, RPF' is the winner. */
	assert_rpf_nbr(sg, *ifp, nbr);
}

static void
send_jp(struct sg *sg, struct iface *ifp, struct in_addr nbr, bool join)
{
	if (ifp == NULL || ifp->pim == NULL || nbr.s_addr == INADDR_ANY)
		return;
	/*
	 * A (*,G) entry goes as the RP's address with the WC and RPT bits, a
	 * Join with the group's Prune(S,G,rpt)s beside it (§4.5.6).
	 */
	if (!sg_is_wc(sg))
		jp_send(ifp->pim, nbr, sg->src, sg->grp, JP_SG, join);
	else {
		jp_send(ifp->pim, nbr, sg->rp, sg->grp, JP_WC, join);
		if (join)
			rpt_wc_join_sent(ifp, nbr, sg->grp);
	}
}

static void
join_timer_restart(struct sg *sg)
{
	if (sg->rpf_ifp != NULL && sg->rpf_ifp->pim != NULL)
		timer_start(&sg->join_timer, jp_period_ms(sg->rpf_ifp->pim));
}

/* RPF'(S,G) may have changed: a route, an interface or a neighbour did. */
static void
rpf_refresh(struct sg *sg)
{
	struct iface *ifp;
	struct in_addr nbr;
	bool local;
	char a[INET_ADDRSTRLEN];

	rpf_resolve(sg, &ifp, &nbr, &local);
	if (sg_is_wc(sg))
		sg->i_am_rp = local;
	else
		sg->src_local = local;
	if (ifp == sg->rpf_ifp && nbr.s_addr == sg->rpf_nbr.s_addr)
		return;
	log_debug(DBG_PIM, "%s: RPF' is %s on %s", sg_str(sg),
	    nbr.s_addr ? inet_ntop(AF_INET, &nbr, a, sizeof(a)) :
	    !local ? "none" : sg_is_wc(sg) ? "this router, the RP" :
	    "the source itself", ifp ? ifp->name : "no interface");
	/* §4.5.5 Joined, RPF'(S,G) changes: Join to the new one, Prune to the old. */
	if (sg->up == SG_UP_JOINED) {
		send_jp(sg, ifp, nbr, true);
		send_jp(sg, sg->rpf_ifp, sg->rpf_nbr, false);
	}
	sg->rpf_ifp = ifp;
	sg->rpf_nbr = nbr;
	if (sg->up == SG_UP_JOINED)
		join_timer_restart(sg);
}

static void
rpf_changed(const struct rpf *r, struct rpf_watch *w)
{
	struct sg *sg = (struct sg *)((char *)w - offsetof(struct sg, rpf));

	rpf_refresh(sg);
	sg_update(sg);
}

/* ---- entries ---------------------------------------------------------------- */

static void
join_timer_expired(void *arg)
{
	struct sg *sg = arg;

	/* §4.5.5 Joined, Join Timer expires: send Join(S,G), restart it. */
	if (sg->up != SG_UP_JOINED)
		return;
	send_jp(sg, sg->rpf_ifp, sg->rpf_nbr, true);
	join_timer_restart(sg);
}

static void kat_expired(void *);

struct sg *
sg_get(struct in_addr src, struct in_addr grp)
{
	struct sg *sg;

	if ((sg = sg_find(src, grp)) != NULL)
		return sg;
	if ((sg = calloc(1, sizeof(*sg))) == NULL)
		fatal("sg_get");
	sg->src = src;
	sg->grp = grp;
	sg->created_s = (uint32_t)(clock_ms() / 1000);
	sg->mfc_iif = MRT_VIF_NONE;
	LIST_INIT(&sg->ds);
	rpt_init(sg);
	timer_init(&sg->join_timer, join_timer_expired, sg);
	timer_init(&sg->kat, kat_expired, sg);
	RB_INSERT(sg_tree, &sgs, sg);
	if (sg_is_wc(sg))
		sg->rp = rp_for_group(grp);
	if (!sg_is_wc(sg) || sg->rp.s_addr != INADDR_ANY)
		rpf_watch(&sg->rpf, sg_is_wc(sg) ? sg->rp : src, rpf_changed);
	rpf_refresh(sg);
	log_debug(DBG_PIM, "%s: new entry", sg_str(sg));
	return sg;
}

static void
sg_free(struct sg *sg)
{
	log_debug(DBG_PIM, "%s: entry removed", sg_str(sg));
	if (sg->mfc)
		mrt_mfc_del(sg->src, sg->grp);
	rpf_unwatch(&sg->rpf);
	assert_free(sg);
	reg_free(sg);
	rpt_free(sg);
	timer_free(&sg->kat);
	timer_free(&sg->join_timer);
	RB_REMOVE(sg_tree, &sgs, sg);
	free(sg);
}

/* ---- downstream (§4.5.1, §4.5.2) -------------------------------------------- */

static void ds_expired(void *);
static void ds_ppt_expired(void *);

static struct sg_if *
ds_find(const struct sg *sg, const struct iface *ifp)
{
	struct sg_if *d;

	LIST_FOREACH(d, &sg->ds, entry)
		if (d->ifp == ifp)
			return d;
	return NULL;
}

static struct sg_if *
ds_get(struct sg *sg, struct iface *ifp)
{
	struct sg_if *d;

	if ((d = ds_find(sg, ifp)) != NULL)
		return d;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("ds_get");
	d->sg = sg;
	d->ifp = ifp;
	d->state = SG_DS_NO_INFO;
	timer_init(&d->expiry, ds_expired, d);
	timer_init(&d->ppt, ds_ppt_expired, d);
	LIST_INSERT_HEAD(&sg->ds, d, entry);
	return d;
}

static void
ds_set(struct sg_if *d, enum sg_ds state)
{
	struct sg *sg = d->sg;

	if (d->state != state)
		log_debug(DBG_PIM, "%s on %s: %s -> %s", sg_str(sg), d->ifp->name,
		    sg_ds_name(d->state), sg_ds_name(state));
	d->state = state;
	d->since_s = (uint32_t)(clock_ms() / 1000);
	if (state != SG_DS_NO_INFO)
		return;
	timer_free(&d->expiry);
	timer_free(&d->ppt);
	LIST_REMOVE(d, entry);
	free(d);
}

/*
 * ET = max(ET, holdtime); 0xffff holds forever (§4.9.5).  A stopped ET in
 * Join or PrunePending is such an infinite one, which no finite holdtime
 * shortens; a new state's ET starts at any holdtime, 0 included.
 */
static void
ds_extend(struct sg_if *d, uint16_t holdtime)
{
	if (holdtime == 0xffff)
		timer_stop(&d->expiry);
	else if (d->state == SG_DS_NO_INFO || (timer_pending(&d->expiry) &&
	    timer_remaining(&d->expiry) < holdtime * 1000u))
		timer_start(&d->expiry, holdtime * 1000u);
}

static void
ds_expired(void *arg)
{
	struct sg_if *d = arg;
	struct sg *sg = d->sg;

	ds_set(d, SG_DS_NO_INFO);
	sg_update(sg);
}

static void
ds_ppt_expired(void *arg)
{
	struct sg_if *d = arg;
	struct sg *sg = d->sg;

	ds_set(d, SG_DS_NO_INFO);
	sg_update(sg);
}

void
sg_join_received(struct iface *ifp, struct in_addr src, struct in_addr grp,
    uint16_t holdtime)
{
	struct sg *sg;
	struct sg_if *d;

	/* SSM groups have no (*,G) state (§4.8.1, RFC 4607). */
	if (src.s_addr == INADDR_ANY && rp_in_ssm(grp))
		return;
	sg = sg_get(src, grp);
	d = ds_get(sg, ifp);
	/* NoInfo -> Join, Join -> Join, PrunePending -> Join: ET = max(ET, HT). */
	timer_stop(&d->ppt);
	ds_extend(d, holdtime);
	ds_set(d, SG_DS_JOIN);
	assert_join_received(sg, ifp);
	sg_update(sg);
	/* For the group's (S,G,rpt) state, the message may yet prune a source. */
	if (src.s_addr == INADDR_ANY)
		rpt_wc_join_received(ifp, grp);
}

void
sg_prune_received(struct iface *ifp, struct in_addr src, struct in_addr grp,
    uint16_t holdtime)
{
	struct sg *sg = sg_find(src, grp);
	struct sg_if *d;
	uint32_t ppt;

	if (sg == NULL || (d = ds_find(sg, ifp)) == NULL || d->state != SG_DS_JOIN)
		return;		/* NoInfo and PrunePending ignore it */
	/*
	 * Join -> PrunePending; others on the LAN get J/P_Override_Interval to
	 * override.  With one neighbour there is no one to wait for.
	 */
	ppt = ifp->pim != NULL && ifp->pim->nnbr > 1 ? jp_override_ms(ifp->pim) : 0;
	ds_set(d, SG_DS_PRUNE_PENDING);
	timer_start(&d->ppt, ppt);
}

/* ---- olists and upstream (§4.1.6, §4.5.4, §4.5.5) ------------------------ */

/* I_am_DR(I), with an interface where PIM does not speak counting as ours. */
static bool
iface_dr(const struct iface *ifp)
{
	return ifp->pim == NULL || ifp->pim->passive || pim_is_dr(ifp->pim);
}

/*
 * Is ifp in the entry's immediate_olist = joins + pim_include (§4.1.6)?
 * pim_include(*,G) counts EXCLUDE-mode members, pim_include(S,G) INCLUDE ones.
 */
static bool
in_olist(struct sg *sg, const struct iface *ifp)
{
	if (sg == NULL)
		return false;
	if (ds_find(sg, ifp) != NULL)
		return true;
	/* pim_include: where we are the DR, or won the Assert (§4.1.6). */
	return ifp->igmp != NULL && (iface_dr(ifp) || assert_won(sg, ifp)) &&
	    igmp_local_include(ifp, sg->src, sg->grp);
}

bool
sg_in_olist(struct sg *sg, const struct iface *ifp)
{
	return in_olist(sg, ifp);
}

static struct sg *
wc_of(const struct sg *sg)
{
	return sg_is_wc(sg) ? NULL : sg_find((struct in_addr){ INADDR_ANY }, sg->grp);
}

/* Is ifp in joins(*,G) - prunes(S,G,rpt) + pim_include(*,G) - pim_exclude(S,G)? */
static bool
in_rpt_joins(const struct sg *sg, const struct sg *wc, const struct iface *ifp)
{
	if (wc == NULL)
		return false;
	if (ds_find(wc, ifp) != NULL && !rpt_pruned(sg, ifp))
		return true;
	return ifp->igmp != NULL && (iface_dr(ifp) || assert_won(wc, ifp)) &&
	    igmp_local_include(ifp, wc->src, sg->grp) &&
	    !igmp_local_exclude(ifp, sg->src, sg->grp);
}

bool
sg_in_rpt_joins(const struct sg *sg, const struct iface *ifp)
{
	return in_rpt_joins(sg, wc_of(sg), ifp);
}

/* Is ifp in inherited_olist(S,G,rpt): the same, less lost_assert(*,G) (§4.1.6)? */
static bool
in_rpt_olist(const struct sg *sg, const struct sg *wc, const struct iface *ifp)
{
	return in_rpt_joins(sg, wc, ifp) && !assert_lost(wc, ifp);
}

/*
 * inherited_olist(S,G) = inherited_olist(S,G,rpt) + immediate_olist(S,G)
 * - lost_assert(S,G).
 */
static bool
in_inherited_olist(struct sg *sg, const struct sg *wc, const struct iface *ifp)
{
	return !assert_lost(sg, ifp) &&
	    ((ifp != sg->rpf_ifp && in_olist(sg, ifp)) || in_rpt_olist(sg, wc, ifp));
}

/* RPF'(S,G) == RPF'(*,G): the same neighbour, on the same interface. */
static bool
same_rpf(const struct sg *sg, const struct sg *wc)
{
	return wc->rpf_ifp == sg->rpf_ifp && wc->rpf_nbr.s_addr == sg->rpf_nbr.s_addr;
}

/*
 * The incoming VIF.  (S,G) on the shortest path tree, or with S connected,
 * takes RPF_interface(S); otherwise packets come down the RP tree: through
 * the register VIF on the RP, from RPF_interface(RP(G)) elsewhere.
 */
static int
sg_iif(const struct sg *sg, const struct sg *wc)
{
	const struct iface *ifp = sg->rpf_ifp;

	if (!sg->spt && !sg->src_local && wc != NULL) {
		if (wc->i_am_rp)
			return IFACE_REGISTER_VIF;
		ifp = wc->rpf_ifp;
	}
	return ifp != NULL ? ifp->vif : MRT_VIF_NONE;
}

static void
mfc_sync(struct sg *sg, int iif, const uint8_t oifs[MRT_MAXVIFS], bool install)
{
	uint32_t mask = 0;

	for (int v = 0; v < MRT_MAXVIFS; v++)
		if (oifs[v])
			mask |= 1u << v;
	if (!install || iif == MRT_VIF_NONE) {
		if (sg->mfc) {
			mrt_mfc_del(sg->src, sg->grp);
			log_debug(DBG_PIM, "%s: MFC entry removed", sg_str(sg));
		}
		sg->mfc = false;
		return;
	}
	if (sg->mfc && sg->mfc_iif == iif && sg->mfc_oifs == mask)
		return;
	if (mrt_mfc_add(sg->src, sg->grp, iif, oifs) < 0)
		return;
	if (!sg->mfc || sg->mfc_iif != iif)
		log_debug(DBG_PIM, "%s: MFC entry, incoming VIF %d", sg_str(sg), iif);
	sg->mfc = true;
	sg->mfc_iif = (int16_t)iif;
	sg->mfc_oifs = mask;
}

static void
upstream(struct sg *sg, bool desired)
{
	if (desired && sg->up == SG_UP_NOT_JOINED) {
		sg->up = SG_UP_JOINED;
		log_debug(DBG_PIM, "%s: joined upstream", sg_str(sg));
		send_jp(sg, sg->rpf_ifp, sg->rpf_nbr, true);
		join_timer_restart(sg);
	} else if (!desired && sg->up == SG_UP_JOINED) {
		sg->up = SG_UP_NOT_JOINED;
		log_debug(DBG_PIM, "%s: pruned upstream", sg_str(sg));
		send_jp(sg, sg->rpf_ifp, sg->rpf_nbr, false);
		timer_stop(&sg->join_timer);
	}
}

/*
 * CouldRegister(S,G) = I_am_DR(RPF_interface(S)) AND KeepaliveTimer(S,G)
 * running AND DirectlyConnected(S) — and someone else is the RP (§4.4.1).
 */
static bool
could_register(const struct sg *sg)
{
	struct in_addr rp = rp_for_group(sg->grp);

	return sg->src_local && timer_pending(&sg->kat) && sg->rpf_ifp != NULL &&
	    iface_dr(sg->rpf_ifp) && rp.s_addr != INADDR_ANY && !rp_is_local(rp);
}

static void
wc_update(struct sg *wc)
{
	struct iface *ifp;
	struct sg key = { .grp = wc->grp }, *sg, *next;
	bool any = false, needed = false;

	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp != wc->rpf_ifp && in_olist(wc, ifp)) {
			needed = true;
			any |= !assert_lost(wc, ifp);
		}
	/* JoinDesired(*,G): immediate_olist(*,G) != NULL, and the RP is elsewhere. */
	upstream(wc, any && !wc->i_am_rp && wc->rp.s_addr != INADDR_ANY);
	if (assert_update(wc)) {
		sg_update(wc);
		return;
	}
	/* A (*,G) nothing needs goes first, so its (S,G) entries see it gone. */
	if (!needed && LIST_EMPTY(&wc->ds) && wc->up == SG_UP_NOT_JOINED)
		sg_free(wc);
	/* The (S,G) entries of the group inherit the (*,G) olist. */
	for (sg = RB_NFIND(sg_tree, &sgs, &key); sg != NULL &&
	    sg->grp.s_addr == key.grp.s_addr; sg = next) {
		next = RB_NEXT(sg_tree, &sgs, sg);
		if (!sg_is_wc(sg))
			sg_update(sg);
	}
}

/*
 * PruneDesired(S,G,rpt) (§4.5.7), given RPTJoinDesired(G): nobody here
 * wants S from the RP tree, or S comes on the shortest path tree from a
 * neighbour other than RPF'(*,G).  A directly connected S comes the
 * shortest way by definition.
 */
static bool
prune_desired(const struct sg *sg, const struct sg *wc, bool rpt_olist)
{
	return !rpt_olist || ((sg->spt || sg->src_local) && !same_rpf(sg, wc));
}

void
sg_update(struct sg *sg)
{
	uint8_t oifs[MRT_MAXVIFS] = { 0 };
	struct sg *wc;
	struct iface *ifp;
	bool own = false, inherited = false, inherited_jd = false, needed = false;
	bool rpt_olist = false;
	int iif;

	if (sg_is_wc(sg)) {
		wc_update(sg);
		return;
	}
	wc = wc_of(sg);
	iif = sg_iif(sg, wc);
	TAILQ_FOREACH(ifp, &ifaces, entry) {
		bool mine, rpt, lost;

		if (ifp->vif < 0)
			continue;
		mine = ifp != sg->rpf_ifp && in_olist(sg, ifp);
		needed |= mine;
		rpt = in_rpt_olist(sg, wc, ifp);
		rpt_olist |= rpt && ifp != wc->rpf_ifp;
		/* lost_assert(S,G) leaves both olists (in_inherited_olist) */
		lost = assert_lost(sg, ifp);
		mine &= !lost;
		own |= mine;
		/* inherited_olist(S,G) = inherited_olist(S,G,rpt) + immediate_olist(S,G) */
		if (mine || (rpt && !lost)) {
			inherited_jd = true;
			if (ifp->vif != iif) {
				oifs[ifp->vif] = 1;	/* forward packets with TTL > 1 */
				inherited = true;
			}
		}
	}
	/*
	 * JoinDesired(S,G) = immediate_olist(S,G) != NULL OR (KeepaliveTimer
	 * running AND inherited_olist(S,G) != NULL), where the KAT counts on
	 * a last-hop router switching to the SPT, on the RP, and on a router
	 * that data reached on the SPT (§4.5.5).  The olist here still has the
	 * incoming interface: an RP whose one link leads both to S and to the
	 * receivers ("on a stick") stays joined, and its upstream forwards.
	 */
	upstream(sg, !sg->src_local && (own || (sg->kat_join &&
	    timer_pending(&sg->kat) && inherited_jd)));
	/*
	 * Joined toward S through the neighbour packets already come from:
	 * on the SPT (Update_SPTbit, §4.2.2).  So is an RP that told the DR
	 * to stop registering: the data can only come natively now, and
	 * waiting for a WRONGVIF upcall would wait up to 3 s, the kernel's
	 * limit of one per entry (MFC_ASSERT_THRESH).
	 */
	if (!sg->spt && sg->up == SG_UP_JOINED && wc != NULL &&
	    ((wc->i_am_rp && sg->registers_stopped) || same_rpf(sg, wc)))
		sg->spt = true;
	rpt_upstream(sg, wc != NULL && wc->up == SG_UP_JOINED,
	    wc != NULL && prune_desired(sg, wc, rpt_olist));
	reg_could_register(sg, could_register(sg));
	if (sg->reg == SG_REG_JOIN)
		oifs[IFACE_REGISTER_VIF] = 1;
	iif = sg_iif(sg, wc);
	mfc_sync(sg, iif, oifs, own || inherited || timer_pending(&sg->kat));
	if (assert_update(sg)) {
		sg_update(sg);
		return;
	}
	if (!needed && LIST_EMPTY(&sg->ds) && LIST_EMPTY(&sg->rpt_ds) &&
	    sg->up == SG_UP_NOT_JOINED && !timer_pending(&sg->kat))
		sg_free(sg);
}

/* ---- data (§4.2, §4.4) ------------------------------------------------------ */

static uint32_t
kat_ms(void)
{
	return pimd.conf->keepalive_period * 1000u;
}

/* A keepalive period after the data last seen. */
static uint32_t
kat_left(const struct sg *sg)
{
	uint32_t seen = (uint32_t)clock_ms() - sg->kat_last;

	return seen < kat_ms() ? kat_ms() - seen : 0;
}

uint32_t
sg_kat_remaining(const struct sg *sg)
{
	return timer_pending(&sg->kat) ? kat_left(sg) : 0;
}

/*
 * The KAT runs while packets flow (§4.1.4), and the kernel counts them:
 * the timer samples the entry's counter every KAT_SAMPLE_MS, so it
 * expires that close to a keepalive period after the last packet.  The
 * samples of all entries fall on one grid of the clock, so thousands of
 * entries cost one wakeup per KAT_SAMPLE_MS, not thousands.
 */
static void
kat_arm(struct sg *sg)
{
	uint64_t now = clock_ms();
	uint32_t left = kat_left(sg);
	uint32_t grid = (uint32_t)(KAT_SAMPLE_MS - now % KAT_SAMPLE_MS);

	timer_start(&sg->kat, left < grid ? left : grid);
}

static void
kat_expired(void *arg)
{
	struct sg *sg = arg;
	struct mrt_sg_stats st;

	if (sg->mfc && mrt_sg_stats(sg->src, sg->grp, &st) == 0 && (uint32_t)st.pkts != sg->kat_pkts) {
		sg->kat_pkts = (uint32_t)st.pkts;
		sg->kat_last = (uint32_t)clock_ms();
	}
	if (kat_left(sg) > 0) {
		kat_arm(sg);
		return;
	}
	log_debug(DBG_PIM, "%s: no data for the keepalive period", sg_str(sg));
	sg->kat_join = false;
	sg->spt = false;
	sg->registers_stopped = false;
	sg_update(sg);
}

/* Data for the entry (a NOCACHE upcall, a Register): (re)start the KAT. */
static void
kat_start(struct sg *sg, bool counts_for_join)
{
	sg->kat_last = (uint32_t)clock_ms();
	if (!timer_pending(&sg->kat))
		kat_arm(sg);
	sg->kat_join |= counts_for_join;
}

/* CheckSwitchToSpt (§4.2.1): a last hop with (*,G) members and a policy that switches. */
static bool
switch_to_spt(const struct sg *wc)
{
	struct iface *ifp;

	if (wc == NULL || pimd.conf->spt == CFG_SPT_NEVER)
		return false;
	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->igmp != NULL && iface_dr(ifp) &&
		    igmp_local_include(ifp, wc->src, wc->grp))
			return true;
	return false;
}

void
sg_nocache(struct in_addr src, struct in_addr grp, int vif)
{
	struct sg *sg = sg_find(src, grp), *wc;
	struct iface *ifp;
	bool first_hop = false;

	if (rp_in_ssm(grp) && sg == NULL)
		return;		/* SSM traffic nobody joined */
	/*
	 * §4.2: every router on the source's LAN keeps (S,G) and its KAT, DR
	 * or not, so that a new DR registers the next packet (CouldRegister)
	 * instead of waiting for the kernel to report the source again.
	 */
	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->vif == vif && iface_on_link(ifp, src))
			first_hop = true;
	wc = sg_find((struct in_addr){ INADDR_ANY }, grp);
	/*
	 * State for the packet: a first-hop router keeps it (the DR registers
	 * it), the RP gets it through the register VIF, a router on the RP
	 * tree forwards it.
	 */
	if (!first_hop && vif != IFACE_REGISTER_VIF && wc == NULL && sg == NULL)
		return;
	if (rp_in_ssm(grp) || (!first_hop && wc == NULL && vif != IFACE_REGISTER_VIF)) {
		if (sg != NULL)
			sg_update(sg);
		return;
	}
	sg = sg_get(src, grp);
	kat_start(sg, switch_to_spt(wc) || vif == IFACE_REGISTER_VIF);
	sg_update(sg);
}

void
sg_wrongvif(struct in_addr src, struct in_addr grp, int vif, const uint8_t *pkt,
    size_t len)
{
	struct sg *sg = sg_find(src, grp);

	/* Update_SPTbit (§4.2.2): native packets arrive on RPF_interface(S). */
	if (sg == NULL || sg->spt || sg->rpf_ifp == NULL || sg->rpf_ifp->vif != vif ||
	    sg->up != SG_UP_JOINED)
		return;
	log_debug(DBG_PIM, "%s: on the shortest path tree", sg_str(sg));
	sg->spt = true;
	/*
	 * §4.2: data on RPF_interface(S) while Joined sets the KAT, which
	 * keeps JoinDesired(S,G) for inherited_olist(S,G): a router between
	 * the RP and the receivers stays on the SPT when the RP prunes it.
	 */
	sg->kat_join = true;
	sg_update(sg);
	/*
	 * The kernel dropped this packet, the first to come natively, and its
	 * copy on the old tree (through the RP or in a Register) comes later
	 * than the switch of incoming interface, to be dropped in its turn:
	 * forward it here, so the switch loses nothing.
	 */
	if ((sg = sg_find(src, grp)) != NULL && sg->mfc && sg->mfc_iif == vif)
		mroute_forward(pkt, len, sg->mfc_oifs);
}

void
sg_wholepkt(struct in_addr src, struct in_addr grp, const uint8_t *pkt, size_t len)
{
	struct sg *sg = sg_find(src, grp);

	if (sg != NULL)
		reg_send_data(sg, pkt, len);
}

void
sg_register_stop(struct in_addr src, struct in_addr grp)
{
	struct sg *sg, *next, key = { .grp = grp };

	for (sg = RB_NFIND(sg_tree, &sgs, &key); sg != NULL &&
	    sg->grp.s_addr == grp.s_addr; sg = next) {
		next = RB_NEXT(sg_tree, &sgs, sg);
		if (!sg_is_wc(sg) && (src.s_addr == INADDR_ANY ||
		    src.s_addr == sg->src.s_addr))
			reg_stop_received(sg);
	}
}

/*
 * §4.4.2 at the RP: answer with Register-Stop once the data comes natively
 * (SPTbit) or nobody wants it; otherwise keep (S,G) alive and join toward S.
 */
bool
sg_register_received(struct in_addr src, struct in_addr grp, bool null_register)
{
	struct sg *wc = sg_find((struct in_addr){ INADDR_ANY }, grp);
	struct sg *sg = sg_get(src, grp);
	bool receivers = false;
	struct iface *ifp;

	TAILQ_FOREACH(ifp, &ifaces, entry)
		receivers |= in_inherited_olist(sg, wc, ifp);
	/* The RP keeps (S,G) while Registers come, to join toward S when asked. */
	kat_start(sg, true);
	sg_update(sg);
	if ((sg = sg_find(src, grp)) == NULL)
		return true;
	if (receivers && !sg->spt)
		return false;
	sg->registers_stopped = true;
	return true;
}

void
sg_rp_changed(void)
{
	struct sg *sg, *next;

	/* (*,G) entries follow RP(G): a new RP is a new entry. */
	for (sg = RB_MIN(sg_tree, &sgs); sg != NULL; sg = next) {
		next = RB_NEXT(sg_tree, &sgs, sg);
		if (!sg_is_wc(sg))
			reg_rp_changed(sg);
		if (!sg_is_wc(sg) || sg->rp.s_addr == rp_for_group(sg->grp).s_addr)
			continue;
		upstream(sg, false);
		rpf_unwatch(&sg->rpf);
		sg->rp = rp_for_group(sg->grp);
		if (sg->rp.s_addr != INADDR_ANY)
			rpf_watch(&sg->rpf, sg->rp, rpf_changed);
		rpf_refresh(sg);
	}
	sg_reevaluate_all();
}

/*
 * §4.5.5: Joined, see Join(S,G) to RPF'(S,G): increase JT to t_joinsuppress
 * = min(t_suppressed, the Join's holdtime), so that our Join still comes
 * before the upstream's state would time out should the other router go;
 * t_suppressed is 0 where the neighbours track Joins (T bit, §4.3.3).
 */
void
sg_join_seen(struct iface *ifp, struct in_addr upstream, struct in_addr src,
    struct in_addr grp, uint16_t holdtime)
{
	struct sg *sg = sg_find(src, grp);
	uint32_t t;

	if (sg == NULL || sg->up != SG_UP_JOINED || sg->rpf_ifp != ifp ||
	    sg->rpf_nbr.s_addr != upstream.s_addr || ifp->pim == NULL ||
	    !nbr_suppression_enabled(ifp->pim))
		return;
	t = jitter_ms(jp_period_ms(ifp->pim), 110, 140);
	if (holdtime != 0xffff && t > holdtime * 1000u)
		t = holdtime * 1000u;
	if (timer_remaining(&sg->join_timer) < t)
		timer_start(&sg->join_timer, t);
}

/* Joined, see a Prune to RPF': decrease JT to t_override (§4.5.4, §4.5.5). */
static void
jt_override(struct sg *sg, struct iface *ifp, struct in_addr upstream)
{
	uint32_t t;

	if (sg->up != SG_UP_JOINED || sg->rpf_ifp != ifp ||
	    sg->rpf_nbr.s_addr != upstream.s_addr || ifp->pim == NULL)
		return;
	t = rand_ms(0, nbr_effective_override_interval(ifp->pim));
	if (timer_remaining(&sg->join_timer) > t)
		timer_start(&sg->join_timer, t);
}

/*
 * §4.5.5 (and §4.5.4): Joined, RPF' changes due to an Assert: no Join or
 * Prune now; the Join Timer drops to t_override, so the next Join goes to
 * the winner soon, without a burst from every router downstream.
 */
void
sg_rpf_assert_changed(struct sg *sg)
{
	struct iface *ifp;
	struct in_addr nbr;
	bool local;
	char a[INET_ADDRSTRLEN];

	rpf_resolve(sg, &ifp, &nbr, &local);
	if (ifp != sg->rpf_ifp || nbr.s_addr == sg->rpf_nbr.s_addr)
		return;
	log_debug(DBG_PIM, "%s: RPF' is %s after an Assert", sg_str(sg),
	    inet_ntop(AF_INET, &nbr, a, sizeof(a)));
	sg->rpf_nbr = nbr;
	jt_override(sg, ifp, nbr);
}

/*
 * Prune(S,G) to RPF'(S,G) overrides for (S,G); Prune(*,G) does for (*,G)
 * and for every (S,G) of the group whose RPF'(S,G) it went to (§4.5.5).
 */
void
sg_prune_seen(struct iface *ifp, struct in_addr upstream, struct in_addr src,
    struct in_addr grp)
{
	struct sg *sg, key = { .grp = grp };

	if (src.s_addr != INADDR_ANY) {
		if ((sg = sg_find(src, grp)) != NULL)
			jt_override(sg, ifp, upstream);
		rpt_prune_seen(ifp, upstream, src, grp);
		return;
	}
	for (sg = RB_NFIND(sg_tree, &sgs, &key); sg != NULL &&
	    sg->grp.s_addr == grp.s_addr; sg = RB_NEXT(sg_tree, &sgs, sg))
		jt_override(sg, ifp, upstream);
}

void
sg_nbr_restarted(struct pim_if *pif, struct in_addr nbr)
{
	struct sg *sg;
	uint32_t t;

	RB_FOREACH(sg, sg_tree, &sgs) {
		if (sg->up != SG_UP_JOINED || sg->rpf_ifp != pif->ifp ||
		    sg->rpf_nbr.s_addr != nbr.s_addr)
			continue;
		t = rand_ms(0, nbr_effective_override_interval(pif));
		if (timer_remaining(&sg->join_timer) > t)
			timer_start(&sg->join_timer, t);
	}
}

/* ---- local members (§4.1.6) -------------------------------------------------- */

void
sg_membership_changed(struct iface *ifp, struct in_addr grp)
{
	struct igmp_group *g = NULL;
	struct igmp_source *s;
	struct sg key = { .grp = grp }, *sg, *next;

	if (ifp->igmp != NULL)
		g = igmp_group_find(&ifp->igmp->groups, grp);
	/*
	 * EXCLUDE-mode members want (*,G) — but not in the SSM range, where
	 * only (S,G) exists (RFC 4607 §2); INCLUDE-mode sources want (S,G).
	 */
	if (g != NULL && g->mode == IGMP_FILTER_EXCLUDE && !rp_in_ssm(grp))
		sg_get((struct in_addr){ INADDR_ANY }, grp);
	if (g != NULL && g->mode == IGMP_FILTER_INCLUDE)
		RB_FOREACH(s, igmp_source_tree, &g->sources)
			if (igmp_group_forwards(g, s->addr))
				sg_get(s->addr, grp);
	for (sg = RB_NFIND(sg_tree, &sgs, &key); sg != NULL && sg->grp.s_addr == grp.s_addr;
	    sg = next) {
		next = RB_NEXT(sg_tree, &sgs, sg);
		if (!sg_is_wc(sg))
			sg_update(sg);
	}
	if ((sg = sg_find((struct in_addr){ INADDR_ANY }, grp)) != NULL)
		sg_update(sg);
}

void
sg_reevaluate_all(void)
{
	struct sg *sg, *next;
	struct sg_if *d, *dn;

	for (sg = RB_MIN(sg_tree, &sgs); sg != NULL; sg = next) {
		next = RB_NEXT(sg_tree, &sgs, sg);
		/* Downstream state on an interface where PIM stopped goes with it. */
		for (d = LIST_FIRST(&sg->ds); d != NULL; d = dn) {
			dn = LIST_NEXT(d, entry);
			if (d->ifp->pim == NULL)
				ds_set(d, SG_DS_NO_INFO);
		}
		rpt_flush_stopped(sg);
		rpf_refresh(sg);
		sg_update(sg);
	}
}

void
sg_fini(void)
{
	struct sg *sg;
	struct sg_if *d;

	while ((sg = RB_MIN(sg_tree, &sgs)) != NULL) {
		while ((d = LIST_FIRST(&sg->ds)) != NULL)
			ds_set(d, SG_DS_NO_INFO);
		if (sg->up == SG_UP_JOINED)
			send_jp(sg, sg->rpf_ifp, sg->rpf_nbr, false);
		sg_free(sg);
	}
}
