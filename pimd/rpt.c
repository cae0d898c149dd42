/* SPDX-License-Identifier: ISC */
/*
 * (S,G,rpt) state, RFC 7761 §4.5.3 (downstream), §4.5.6 and §4.5.7
 * (upstream), and the Prunes(S,G,rpt) that go with every Join(*,G).
 *
 * Downstream, a router below us that gets S on the shortest path tree, or
 * has nobody who wants S, prunes S off our (*,G) forwarding on that
 * interface.  Its periodic Join(*,G) repeats the Prune(S,G,rpt) in the
 * same message; a Join(*,G) without it ends the prune, which is what the
 * two Tmp states of the table are for: a Join(*,G) moves Prune state to
 * PruneTmp, the Prune(S,G,rpt) later in the message moves it back, and at
 * the end of the message what is still Tmp goes (sg.c calls
 * rpt_end_of_message after each group's record).
 *
 * Upstream, the state follows from RPTJoinDesired(G) and
 * PruneDesired(S,G,rpt), which sg.c computes from the olists: the
 * machine's own transitions send a Prune or a Join(S,G,rpt) toward RPF'(*,G),
 * and in NotPruned the Override Timer answers another router's Prune on
 * the LAN with our Join.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "iface.h"
#include "join_prune.h"
#include "nbr.h"
#include "pim.h"
#include "pimd.h"
#include "rpt.h"
#include "sg.h"

const char *
rpt_ds_name(enum rpt_ds s)
{
	static const char *const names[RPT_DS_MAX] = {
		[RPT_DS_NO_INFO] = "no-info",
		[RPT_DS_PRUNE] = "prune",
		[RPT_DS_PRUNE_PENDING] = "prune-pending",
		[RPT_DS_PRUNE_TMP] = "prune-tmp",
		[RPT_DS_PRUNE_PENDING_TMP] = "prune-pending-tmp",
	};

	return s < RPT_DS_MAX ? names[s] : "?";
}

const char *
rpt_up_name(enum rpt_up s)
{
	static const char *const names[] = {
		[RPT_UP_NOT_JOINED] = "rpt-not-joined",
		[RPT_UP_PRUNED] = "pruned",
		[RPT_UP_NOT_PRUNED] = "not-pruned",
	};

	return names[s];
}

static const char *
sgr_str(const struct sg *sg)
{
	static char buf[2 * INET_ADDRSTRLEN + 8];
	char s[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	snprintf(buf, sizeof(buf), "(%s, %s, rpt)",
	    inet_ntop(AF_INET, &sg->src, s, sizeof(s)),
	    inet_ntop(AF_INET, &sg->grp, g, sizeof(g)));
	return buf;
}

/* ---- downstream (§4.5.3) ---------------------------------------------------- */

enum rpt_ev {
	RPT_EV_JOIN_WC,		/* Receive Join(*,G) */
	RPT_EV_JOIN,		/* Receive Join(S,G,rpt) */
	RPT_EV_PRUNE,		/* Receive Prune(S,G,rpt) */
	RPT_EV_END,		/* End of Message */
	RPT_EV_PPT,		/* Prune-Pending Timer expires */
	RPT_EV_ET,		/* Expiry Timer expires */
	RPT_EV_MAX
};

static const char *const ev_names[RPT_EV_MAX] = {
	[RPT_EV_JOIN_WC] = "Join(*,G)",
	[RPT_EV_JOIN] = "Join(S,G,rpt)",
	[RPT_EV_PRUNE] = "Prune(S,G,rpt)",
	[RPT_EV_END] = "end of message",
	[RPT_EV_PPT] = "PPT expiry",
	[RPT_EV_ET] = "ET expiry",
};

/* Actions, besides the change of state. */
#define A_PPT		0x01	/* start the PPT: J/P_Override_Interval(I) */
#define A_ET		0x02	/* ET = max(ET, holdtime); a new state's starts at it */

struct rpt_tr {
	bool		valid;	/* false: the event changes nothing */
	enum rpt_ds	next;
	unsigned	act;
};

#define TR(n, a)	{ true, RPT_DS_##n, a }

/*
 * The table of §4.5.3.  NoInfo ignores everything but a Prune, which
 * needs J/P_Override_Interval for others on the LAN to override it; a
 * Join(S,G,rpt) ends the prune at once; PPT expiry makes it take effect.
 */
static const struct rpt_tr rpt_fsm[RPT_DS_MAX][RPT_EV_MAX] = {
	[RPT_DS_NO_INFO] = {
		[RPT_EV_PRUNE] = TR(PRUNE_PENDING, A_PPT | A_ET),
	},
	[RPT_DS_PRUNE] = {
		[RPT_EV_JOIN_WC] = TR(PRUNE_TMP, 0),
		[RPT_EV_JOIN] = TR(NO_INFO, 0),
		[RPT_EV_PRUNE] = TR(PRUNE, A_ET),
		[RPT_EV_ET] = TR(NO_INFO, 0),
	},
	[RPT_DS_PRUNE_PENDING] = {
		[RPT_EV_JOIN_WC] = TR(PRUNE_PENDING_TMP, 0),
		[RPT_EV_JOIN] = TR(NO_INFO, 0),
		[RPT_EV_PRUNE] = TR(PRUNE_PENDING, A_ET),
		[RPT_EV_PPT] = TR(PRUNE, 0),
		[RPT_EV_ET] = TR(NO_INFO, 0),
	},
	[RPT_DS_PRUNE_TMP] = {
		[RPT_EV_PRUNE] = TR(PRUNE, A_ET),
		[RPT_EV_END] = TR(NO_INFO, 0),
	},
	[RPT_DS_PRUNE_PENDING_TMP] = {
		[RPT_EV_PRUNE] = TR(PRUNE_PENDING, A_ET),
		[RPT_EV_END] = TR(NO_INFO, 0),
	},
};

static void ds_et_expired(void *);
static void ds_ppt_expired(void *);

static struct rpt_if *
ds_find(const struct sg *sg, const struct iface *ifp)
{
	struct rpt_if *d;

	LIST_FOREACH(d, &sg->rpt_ds, entry)
		if (d->ifp == ifp)
			return d;
	return NULL;
}

static struct rpt_if *
ds_new(struct sg *sg, struct iface *ifp)
{
	struct rpt_if *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("rpt ds_new");
	d->sg = sg;
	d->ifp = ifp;
	timer_init(&d->expiry, ds_et_expired, d);
	timer_init(&d->ppt, ds_ppt_expired, d);
	LIST_INSERT_HEAD(&sg->rpt_ds, d, entry);
	return d;
}

static void
ds_del(struct rpt_if *d)
{
	timer_free(&d->expiry);
	timer_free(&d->ppt);
	LIST_REMOVE(d, entry);
	free(d);
}

/* A prune pruned until the others on the LAN had a chance to override it. */
static uint32_t
ppt_ms(const struct iface *ifp)
{
	return ifp->pim != NULL && ifp->pim->nnbr > 1 ? jp_override_ms(ifp->pim) : 0;
}

/*
 * Run event ev on the state of sg on ifp (NULL: NoInfo).  Returns whether
 * the state changed in a way the olists see; the caller updates the entry.
 */
static bool
ds_event(struct sg *sg, struct iface *ifp, enum rpt_ev ev, uint16_t holdtime)
{
	struct rpt_if *d = ds_find(sg, ifp);
	enum rpt_ds from = d != NULL ? d->state : RPT_DS_NO_INFO;
	const struct rpt_tr *tr = &rpt_fsm[from][ev];
	bool was_pruned = rpt_pruned(sg, ifp);

	if (!tr->valid)
		return false;
	if (tr->next != from)
		log_debug(DBG_PIM, "%s on %s: %s -> %s (%s)", sgr_str(sg), ifp->name,
		    rpt_ds_name(from), rpt_ds_name(tr->next), ev_names[ev]);
	if (tr->next == RPT_DS_NO_INFO) {
		if (d != NULL)
			ds_del(d);
		return was_pruned;
	}
	if (d == NULL)
		d = ds_new(sg, ifp);
	if (tr->next != from)
		d->since_s = (uint32_t)(clock_ms() / 1000);
	d->state = tr->next;
	if (tr->act & A_ET) {
		/* 0xffff holds forever (§4.9.5), as a stopped timer. */
		if (holdtime == 0xffff)
			timer_stop(&d->expiry);
		else if (from == RPT_DS_NO_INFO || (timer_pending(&d->expiry) &&
		    timer_remaining(&d->expiry) < holdtime * 1000u))
			timer_start(&d->expiry, holdtime * 1000u);
	}
	if (tr->act & A_PPT)
		timer_start(&d->ppt, ppt_ms(ifp));
	if (tr->next == RPT_DS_PRUNE)
		timer_stop(&d->ppt);
	return was_pruned != rpt_pruned(sg, ifp);
}

static void
ds_et_expired(void *arg)
{
	struct rpt_if *d = arg;
	struct sg *sg = d->sg;

	if (ds_event(sg, d->ifp, RPT_EV_ET, 0))
		sg_update(sg);
}

static void
ds_ppt_expired(void *arg)
{
	struct rpt_if *d = arg;
	struct sg *sg = d->sg;

	if (ds_event(sg, d->ifp, RPT_EV_PPT, 0))
		sg_update(sg);
}

void
rpt_flush_stopped(struct sg *sg)
{
	struct rpt_if *d, *next;

	for (d = LIST_FIRST(&sg->rpt_ds); d != NULL; d = next) {
		next = LIST_NEXT(d, entry);
		if (d->ifp->pim == NULL)
			ds_del(d);
	}
}

/* prunes(S,G,rpt): Prune state, and PruneTmp until the message says otherwise. */
bool
rpt_pruned(const struct sg *sg, const struct iface *ifp)
{
	const struct rpt_if *d = ds_find(sg, ifp);

	return d != NULL && (d->state == RPT_DS_PRUNE || d->state == RPT_DS_PRUNE_TMP);
}

/* Run ev on every (S,G) of grp that has (S,G,rpt) state on ifp. */
static void
ds_event_group(struct iface *ifp, struct in_addr grp, enum rpt_ev ev)
{
	struct sg *sg, *next;

	for (sg = sg_first_source(grp); sg != NULL; sg = next) {
		next = sg_next_source(sg);
		if (ds_find(sg, ifp) != NULL && ds_event(sg, ifp, ev, 0))
			sg_update(sg);
	}
}

void
rpt_wc_join_received(struct iface *ifp, struct in_addr grp)
{
	ds_event_group(ifp, grp, RPT_EV_JOIN_WC);
}

void
rpt_end_of_message(struct iface *ifp, struct in_addr grp)
{
	ds_event_group(ifp, grp, RPT_EV_END);
}

void
rpt_join_received(struct iface *ifp, struct in_addr src, struct in_addr grp)
{
	struct sg *sg = sg_find(src, grp);

	if (sg != NULL && ds_event(sg, ifp, RPT_EV_JOIN, 0))
		sg_update(sg);
}

void
rpt_prune_received(struct iface *ifp, struct in_addr src, struct in_addr grp,
    uint16_t holdtime)
{
	struct sg *sg;

	/* Pruning a source off a shared tree that is not there means nothing. */
	if (sg_find((struct in_addr){ INADDR_ANY }, grp) == NULL)
		return;
	sg = sg_get(src, grp);
	ds_event(sg, ifp, RPT_EV_PRUNE, holdtime);
	sg_update(sg);
}

/* ---- upstream (§4.5.6, §4.5.7) ---------------------------------------------- */

/* Join or Prune(S,G,rpt) to RPF'(S,G,rpt), which is RPF'(*,G) here. */
static void
up_send(struct sg *sg, bool join)
{
	struct sg *wc = sg_find((struct in_addr){ INADDR_ANY }, sg->grp);

	if (wc == NULL || wc->rpf_ifp == NULL || wc->rpf_ifp->pim == NULL ||
	    wc->rpf_nbr.s_addr == INADDR_ANY)
		return;
	jp_send(wc->rpf_ifp->pim, wc->rpf_nbr, sg->src, sg->grp, JP_SG_RPT, join);
}

/*
 * The Override Timer runs for a few seconds at most, on few entries, so
 * an entry has one only while it runs.
 */
static void
ot_stop(struct sg *sg)
{
	if (sg->rpt_ot == NULL)
		return;
	timer_free(sg->rpt_ot);
	free(sg->rpt_ot);
	sg->rpt_ot = NULL;
}

static void
ot_expired(void *arg)
{
	struct sg *sg = arg;

	ot_stop(sg);
	/* NotPruned, Override Timer expires: send Join(S,G,rpt). */
	if (sg->rpt_up == RPT_UP_NOT_PRUNED)
		up_send(sg, true);
}

/* OT = min(OT, ms) */
static void
ot_lower(struct sg *sg, uint32_t ms)
{
	if (sg->rpt_ot == NULL) {
		if ((sg->rpt_ot = malloc(sizeof(*sg->rpt_ot))) == NULL)
			fatal("rpt: out of memory");
		timer_init(sg->rpt_ot, ot_expired, sg);
	} else if (timer_remaining(sg->rpt_ot) <= ms)
		return;
	timer_start(sg->rpt_ot, ms);
}

void
rpt_init(struct sg *sg)
{
	LIST_INIT(&sg->rpt_ds);
	sg->rpt_up = RPT_UP_NOT_JOINED;
}

void
rpt_free(struct sg *sg)
{
	struct rpt_if *d;

	while ((d = LIST_FIRST(&sg->rpt_ds)) != NULL)
		ds_del(d);
	ot_stop(sg);
}

/*
 * The machine's transitions as a table: [from][to] says whether to send a
 * Prune or a Join(S,G,rpt).  NotJoined -> Pruned sends the Prune too: the
 * Join(*,G) that RPTJoinDesired(G) just sent is still queued, so the
 * Prune goes in its message, as §4.5.6 wants.
 */
enum up_msg { UP_NONE, UP_PRUNE, UP_JOIN };

static const enum up_msg up_fsm[3][3] = {
	[RPT_UP_NOT_JOINED] = { [RPT_UP_PRUNED] = UP_PRUNE },
	[RPT_UP_PRUNED] = { [RPT_UP_NOT_PRUNED] = UP_JOIN },
	[RPT_UP_NOT_PRUNED] = { [RPT_UP_PRUNED] = UP_PRUNE },
};

void
rpt_upstream(struct sg *sg, bool rpt_join_desired, bool prune_desired)
{
	enum rpt_up to = !rpt_join_desired ? RPT_UP_NOT_JOINED :
	    prune_desired ? RPT_UP_PRUNED : RPT_UP_NOT_PRUNED;

	if (to == sg->rpt_up)
		return;
	log_debug(DBG_PIM, "%s: upstream %s -> %s", sgr_str(sg), rpt_up_name(sg->rpt_up),
	    rpt_up_name(to));
	if (up_fsm[sg->rpt_up][to] != UP_NONE)
		up_send(sg, up_fsm[sg->rpt_up][to] == UP_JOIN);
	sg->rpt_up = to;
	ot_stop(sg);		/* only NotPruned runs it, and starts unset */
}

void
rpt_wc_join_sent(struct iface *ifp, struct in_addr nbr, struct in_addr grp)
{
	struct sg *sg;

	for (sg = sg_first_source(grp); sg != NULL; sg = sg_next_source(sg))
		if (sg->rpt_up == RPT_UP_PRUNED)
			jp_send(ifp->pim, nbr, sg->src, sg->grp, JP_SG_RPT, false);
}

/* Is this message to our RPF'(S,G,rpt), on RPF_interface(RP(G))? */
static struct sg *
up_target(struct iface *ifp, struct in_addr upstream, struct in_addr src,
    struct in_addr grp)
{
	struct sg *wc = sg_find((struct in_addr){ INADDR_ANY }, grp);
	struct sg *sg = sg_find(src, grp);

	if (sg == NULL || wc == NULL || sg->rpt_up != RPT_UP_NOT_PRUNED ||
	    wc->rpf_ifp != ifp || wc->rpf_nbr.s_addr != upstream.s_addr ||
	    ifp->pim == NULL)
		return NULL;
	return sg;
}

/* NotPruned, see Prune(S,G,rpt) or Prune(S,G) to RPF'(S,G,rpt): OT = min(OT, t_override). */
void
rpt_prune_seen(struct iface *ifp, struct in_addr upstream, struct in_addr src,
    struct in_addr grp)
{
	struct sg *sg = up_target(ifp, upstream, src, grp);
	uint32_t t;

	if (sg == NULL)
		return;
	t = rand_ms(0, nbr_effective_override_interval(ifp->pim));
	ot_lower(sg, t);
}

/* NotPruned, see Join(S,G,rpt) to RPF'(S,G,rpt): someone else overrode; cancel OT. */
void
rpt_join_seen(struct iface *ifp, struct in_addr upstream, struct in_addr src,
    struct in_addr grp)
{
	struct sg *sg = up_target(ifp, upstream, src, grp);

	if (sg != NULL)
		ot_stop(sg);
}
