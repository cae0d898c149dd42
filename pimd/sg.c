/* SPDX-License-Identifier: ISC */
/*
 * (S,G) state, RFC 7761 §4.5.3 (downstream), §4.5.7 (upstream), §4.1.6
 * (pim_include), and the MFC entry that follows from them.
 *
 * Every event ends in sg_update(), which computes immediate_olist(S,G) =
 * joins(S,G) + pim_include(S,G), drives the upstream machine with
 * JoinDesired(S,G), programs the kernel and frees an entry nothing needs.
 * RPF'(S,G) comes from a watch on the route to S (rpf.c).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "iface.h"
#include "igmp.h"
#include "join_prune.h"
#include "nbr.h"
#include "pim.h"
#include "pimd.h"
#include "rpf.h"
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

static void sg_update(struct sg *);

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

static const char *
sg_str(const struct sg *sg)
{
	static char buf[2 * INET_ADDRSTRLEN + 4];
	char s[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	snprintf(buf, sizeof(buf), "(%s, %s)", inet_ntop(AF_INET, &sg->src, s, sizeof(s)),
	    inet_ntop(AF_INET, &sg->grp, g, sizeof(g)));
	return buf;
}

struct sg *
sg_find(struct in_addr src, struct in_addr grp)
{
	struct sg key = { .src = src, .grp = grp };

	return RB_FIND(sg_tree, &sgs, &key);
}

/* ---- RPF'(S,G) ------------------------------------------------------------ */

/* RPF'(S,G) = NBR(RPF_interface(S), MRIB.next_hop(S)), §4.5 and §4.3.4. */
static void
rpf_resolve(struct sg *sg, struct iface **ifp, struct in_addr *nbr, bool *local)
{
	const struct rpf *r = rpf_get(sg->rpf);

	*ifp = NULL;
	nbr->s_addr = INADDR_ANY;
	*local = false;
	if (!r->valid || r->local || (*ifp = iface_find_index(r->ifindex)) == NULL)
		return;
	if (r->nexthop.s_addr == sg->src.s_addr) {
		*local = true;		/* S is on a connected subnet */
		return;
	}
	if ((*ifp)->pim != NULL && nbr_find((*ifp)->pim, r->nexthop) != NULL)
		*nbr = r->nexthop;
}

static void
send_jp(struct sg *sg, struct iface *ifp, struct in_addr nbr, bool join)
{
	if (ifp == NULL || ifp->pim == NULL || nbr.s_addr == INADDR_ANY)
		return;
	jp_send_sg(ifp->pim, nbr, sg->src, sg->grp, join);
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
	sg->src_local = local;
	if (ifp == sg->rpf_ifp && nbr.s_addr == sg->rpf_nbr.s_addr)
		return;
	log_info("pim %s: RPF' is %s on %s", sg_str(sg),
	    nbr.s_addr ? inet_ntop(AF_INET, &nbr, a, sizeof(a)) :
	    local ? "the source itself" : "none", ifp ? ifp->name : "no interface");
	/* §4.5.7 Joined, RPF'(S,G) changes: Join to the new one, Prune to the old. */
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
rpf_changed(const struct rpf *r, void *arg)
{
	struct sg *sg = arg;

	rpf_refresh(sg);
	sg_update(sg);
}

/* ---- entries ---------------------------------------------------------------- */

static void
join_timer_expired(void *arg)
{
	struct sg *sg = arg;

	/* §4.5.7 Joined, Join Timer expires: send Join(S,G), restart it. */
	if (sg->up != SG_UP_JOINED)
		return;
	send_jp(sg, sg->rpf_ifp, sg->rpf_nbr, true);
	join_timer_restart(sg);
}

static struct sg *
sg_get(struct in_addr src, struct in_addr grp)
{
	struct sg *sg;

	if ((sg = sg_find(src, grp)) != NULL)
		return sg;
	if ((sg = calloc(1, sizeof(*sg))) == NULL)
		fatal("sg_get");
	sg->src = src;
	sg->grp = grp;
	sg->created = clock_ms();
	sg->mfc_iif = MRT_VIF_NONE;
	TAILQ_INIT(&sg->ds);
	timer_init(&sg->join_timer, join_timer_expired, sg);
	RB_INSERT(sg_tree, &sgs, sg);
	sg->rpf = rpf_watch(src, rpf_changed, sg);
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
	rpf_unwatch(sg->rpf);
	timer_free(&sg->join_timer);
	RB_REMOVE(sg_tree, &sgs, sg);
	free(sg);
}

/* ---- downstream (§4.5.3) ---------------------------------------------------- */

static void ds_expired(void *);
static void ds_ppt_expired(void *);

static struct sg_if *
ds_find(struct sg *sg, const struct iface *ifp)
{
	struct sg_if *d;

	TAILQ_FOREACH(d, &sg->ds, entry)
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
	TAILQ_INSERT_TAIL(&sg->ds, d, entry);
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
	d->since = clock_ms();
	if (state != SG_DS_NO_INFO)
		return;
	timer_free(&d->expiry);
	timer_free(&d->ppt);
	TAILQ_REMOVE(&sg->ds, d, entry);
	free(d);
}

/* ET = max(ET, holdtime); 0xffff holds forever (§4.9.5). */
static void
ds_extend(struct sg_if *d, uint16_t holdtime)
{
	if (holdtime == 0xffff)
		timer_stop(&d->expiry);
	else if (timer_remaining(&d->expiry) < holdtime * 1000u)
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
	struct sg *sg = sg_get(src, grp);
	struct sg_if *d = ds_get(sg, ifp);

	/* NoInfo -> Join, Join -> Join, PrunePending -> Join: ET = max(ET, HT). */
	timer_stop(&d->ppt);
	ds_extend(d, holdtime);
	ds_set(d, SG_DS_JOIN);
	sg_update(sg);
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

/* ---- upstream (§4.5.7) ------------------------------------------------------ */

/* I_am_DR(I), with an interface where PIM does not speak counting as ours. */
static bool
iface_dr(const struct iface *ifp)
{
	return ifp->pim == NULL || ifp->pim->passive || pim_is_dr(ifp->pim);
}

/* §4.1.6: is ifp in immediate_olist(S,G) = joins(S,G) + pim_include(S,G)? */
static bool
in_olist(struct sg *sg, const struct iface *ifp)
{
	if (ds_find(sg, ifp) != NULL)
		return true;
	return ifp->igmp != NULL && iface_dr(ifp) &&
	    igmp_local_include(ifp, sg->src, sg->grp);
}

static void
mfc_sync(struct sg *sg, const uint8_t oifs[MRT_MAXVIFS], bool any)
{
	int iif = sg->rpf_ifp != NULL ? sg->rpf_ifp->vif : MRT_VIF_NONE;

	if (!any || iif == MRT_VIF_NONE) {
		if (sg->mfc) {
			mrt_mfc_del(sg->src, sg->grp);
			log_info("mroute %s: removed", sg_str(sg));
		}
		sg->mfc = false;
		return;
	}
	if (sg->mfc && sg->mfc_iif == iif && memcmp(sg->mfc_oifs, oifs, MRT_MAXVIFS) == 0)
		return;
	if (mrt_mfc_add(sg->src, sg->grp, iif, oifs) < 0)
		return;
	if (!sg->mfc)
		log_info("mroute %s: installed, incoming %s", sg_str(sg), sg->rpf_ifp->name);
	sg->mfc = true;
	sg->mfc_iif = iif;
	memcpy(sg->mfc_oifs, oifs, MRT_MAXVIFS);
}

static void
sg_update(struct sg *sg)
{
	uint8_t oifs[MRT_MAXVIFS] = { 0 };
	struct iface *ifp;
	bool any = false, desired;

	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp != sg->rpf_ifp && ifp->vif >= 0 && in_olist(sg, ifp)) {
			oifs[ifp->vif] = 1;	/* forward packets with TTL > 1 */
			any = true;
		}
	/* JoinDesired(S,G): immediate_olist(S,G) != NULL. */
	desired = any && !sg->src_local;
	if (desired && sg->up == SG_UP_NOT_JOINED) {
		sg->up = SG_UP_JOINED;
		log_info("pim %s: joined upstream", sg_str(sg));
		send_jp(sg, sg->rpf_ifp, sg->rpf_nbr, true);
		join_timer_restart(sg);
	} else if (!desired && sg->up == SG_UP_JOINED) {
		sg->up = SG_UP_NOT_JOINED;
		log_info("pim %s: pruned upstream", sg_str(sg));
		send_jp(sg, sg->rpf_ifp, sg->rpf_nbr, false);
		timer_stop(&sg->join_timer);
	}
	mfc_sync(sg, oifs, any);
	if (!any && TAILQ_EMPTY(&sg->ds) && sg->up == SG_UP_NOT_JOINED)
		sg_free(sg);
}

/* §4.5.7: Joined, see Join(S,G) to RPF'(S,G): increase JT to t_joinsuppress. */
void
sg_join_seen(struct iface *ifp, struct in_addr upstream, struct in_addr src,
    struct in_addr grp)
{
	struct sg *sg = sg_find(src, grp);
	uint32_t t;

	if (sg == NULL || sg->up != SG_UP_JOINED || sg->rpf_ifp != ifp ||
	    sg->rpf_nbr.s_addr != upstream.s_addr || ifp->pim == NULL)
		return;
	t = jitter_ms(jp_period_ms(ifp->pim), 110, 140);
	if (timer_remaining(&sg->join_timer) < t)
		timer_start(&sg->join_timer, t);
}

/* §4.5.7: Joined, see Prune(S,G) to RPF'(S,G): decrease JT to t_override. */
void
sg_prune_seen(struct iface *ifp, struct in_addr upstream, struct in_addr src,
    struct in_addr grp)
{
	struct sg *sg = sg_find(src, grp);
	uint32_t t;

	if (sg == NULL || sg->up != SG_UP_JOINED || sg->rpf_ifp != ifp ||
	    sg->rpf_nbr.s_addr != upstream.s_addr || ifp->pim == NULL)
		return;
	t = rand_ms(0, nbr_effective_override_interval(ifp->pim));
	if (timer_remaining(&sg->join_timer) > t)
		timer_start(&sg->join_timer, t);
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
	struct igmp_group *g;
	struct igmp_source *s;
	struct sg key = { .grp = grp }, *sg, *next;

	/* INCLUDE-mode sources wanted here get an entry; EXCLUDE mode is (*,G). */
	if (ifp->igmp != NULL && (g = igmp_group_find(&ifp->igmp->groups, grp)) != NULL &&
	    g->mode == IGMP_FILTER_INCLUDE)
		RB_FOREACH(s, igmp_source_tree, &g->sources)
			if (igmp_group_forwards(g, s->addr))
				sg_get(s->addr, grp);
	for (sg = RB_NFIND(sg_tree, &sgs, &key); sg != NULL && sg->grp.s_addr == grp.s_addr;
	    sg = next) {
		next = RB_NEXT(sg_tree, &sgs, sg);
		sg_update(sg);
	}
}

void
sg_reevaluate_all(void)
{
	struct sg *sg, *next;
	struct sg_if *d, *dn;

	for (sg = RB_MIN(sg_tree, &sgs); sg != NULL; sg = next) {
		next = RB_NEXT(sg_tree, &sgs, sg);
		/* Downstream state on an interface where PIM stopped goes with it. */
		for (d = TAILQ_FIRST(&sg->ds); d != NULL; d = dn) {
			dn = TAILQ_NEXT(d, entry);
			if (d->ifp->pim == NULL)
				ds_set(d, SG_DS_NO_INFO);
		}
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
		while ((d = TAILQ_FIRST(&sg->ds)) != NULL)
			ds_set(d, SG_DS_NO_INFO);
		if (sg->up == SG_UP_JOINED)
			send_jp(sg, sg->rpf_ifp, sg->rpf_nbr, false);
		sg_free(sg);
	}
}
