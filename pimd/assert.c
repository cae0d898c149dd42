/* SPDX-License-Identifier: ISC */
/*
 * Asserts, RFC 7761 §4.6.
 *
 * When two routers forward the same packets onto a LAN, each sees the
 * other's copies arrive on an interface it forwards onto.  The kernel
 * reports them as WRONGVIF (mroute.c -> assert_wrongvif), and the machine
 * of the entry on that interface sends an Assert with its metric: the
 * route toward S for (S,G), toward RP(G) for (*,G) (§4.6.3).  The loser
 * takes the interface out of its olists (lost_assert, read by sg.c while it
 * builds the MFC entry, §4.1.6); routers downstream track the Asserts and
 * send their Joins to the winner (RPF', §4.6.5).  The winner repeats its
 * Assert every Assert_Time - Assert_Override_Interval; a loser that does
 * not hear it for Assert_Time forgets it and forwards again.
 *
 * State exists per entry and interface while it is not NoInfo, in a list
 * hung off the struct sg.  The machines are the RFC's tables below; each
 * transition is logged in words ("-d pim").  Events come from received
 * Asserts, data on an outgoing interface, the Assert Timer, neighbours
 * restarting or leaving, received Joins, and assert_update(), which
 * sg_update() calls last so that the "-> FALSE" and metric events are
 * seen whenever the entry's inputs change.
 *
 * The kernel reports wrong-interface data for an entry at most once every
 * 3 s (MFC_ASSERT_THRESH), so a router cannot count on seeing the other's
 * packets soon: a winner answers such data with its Assert at once (§4.2
 * sends an Assert whenever data fails the RPF check on an interface of the
 * olist), and a loser whose own route becomes the better one asserts at
 * once instead of waiting for the old winner's next report.  That one is
 * a handover between two routers that both work: the new winner starts
 * forwarding only once the old one has had the LAN's propagation delay
 * (§4.3.3) to hear the Assert and stop, trading a gap that short for the
 * duplicates of forwarding both at once.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "assert.h"
#include "config.h"
#include "iface.h"
#include "nbr.h"
#include "pim.h"
#include "pim_msg.h"
#include "pimd.h"
#include "rpf.h"
#include "sg.h"

#define ASSERT_PREF_INF		0x7fffffffu
#define ASSERT_METRIC_INF	0xffffffffu
#define ASSERT_MAX_LEN		64

struct assert_counters assert_cnt;

static const struct assert_metric infinite_metric = {
	true, ASSERT_PREF_INF, ASSERT_METRIC_INF, { INADDR_ANY }
};

enum assert_event {
	AE_DATA,		/* data arrives on I, and CouldAssert */
	AE_INFERIOR,		/* Receive Inferior Assert */
	AE_RPT_COULD,		/* Receive Assert with RPTbit set and CouldAssert(S,G,I) */
	AE_ACCEPTABLE,		/* Receive Acceptable Assert and AssertTrackingDesired */
	AE_PREFERRED,		/* Receive Preferred Assert */
	AE_WINNER_ACCEPTABLE,	/* Receive Acceptable Assert from Current Winner */
	AE_WINNER_INFERIOR,	/* Receive Inferior Assert or AssertCancel from Current Winner */
	AE_TIMER,		/* the Assert Timer expires */
	AE_COULD_FALSE,		/* CouldAssert -> FALSE */
	AE_TRACKING_FALSE,	/* AssertTrackingDesired -> FALSE */
	AE_METRIC_BETTER,	/* my_metric -> better than the Winner's metric */
	AE_RPF_MOVED,		/* RPF_interface(S) or RPF_interface(RP(G)) stops being I */
	AE_JOIN,		/* Receive Join(S,G) or Join(*,G) on I */
	AE_WINNER_GONE,		/* Current Winner's GenID changes or its NLT expires */
	AE_MAX
};

enum assert_action {
	AA_NONE,	/* no such transition: the event is ignored */
	AA_A1,		/* send Assert; AT = Assert_Time - Override; winner = me */
	AA_A2,		/* store the winner and its metric; AT = Assert_Time */
	AA_A3,		/* send Assert; AT = Assert_Time - Override */
	AA_A4,		/* send AssertCancel; delete the assert info */
	AA_A5,		/* delete the assert info */
	AA_A6,		/* A2, and set SPTbit(S,G) if I is RPF_interface(S), Joined */
	AA_MAX
};

struct assert_tr {
	enum assert_action action;
	enum assert_state next;
};

static const char *const state_names[ASSERT_STATE_MAX] = {
	[ASSERT_NOINFO] = "no-info",
	[ASSERT_WINNER] = "winner",
	[ASSERT_LOSER] = "loser",
};

static const char *const event_names[AE_MAX] = {
	[AE_DATA] = "data arrives and CouldAssert",
	[AE_INFERIOR] = "inferior Assert",
	[AE_RPT_COULD] = "Assert with the RPT bit and CouldAssert(S,G)",
	[AE_ACCEPTABLE] = "acceptable Assert and AssertTrackingDesired",
	[AE_PREFERRED] = "preferred Assert",
	[AE_WINNER_ACCEPTABLE] = "acceptable Assert from the winner",
	[AE_WINNER_INFERIOR] = "inferior Assert or AssertCancel from the winner",
	[AE_TIMER] = "Assert Timer expired",
	[AE_COULD_FALSE] = "CouldAssert false",
	[AE_TRACKING_FALSE] = "AssertTrackingDesired false",
	[AE_METRIC_BETTER] = "my metric better than the winner's",
	[AE_RPF_MOVED] = "RPF interface moved away",
	[AE_JOIN] = "Join received",
	[AE_WINNER_GONE] = "winner restarted or gone",
};

static const char *const action_names[AA_MAX] = {
	[AA_NONE] = "-",
	[AA_A1] = "A1: send Assert, winner is me",
	[AA_A2] = "A2: store the winner",
	[AA_A3] = "A3: send Assert again",
	[AA_A4] = "A4: send AssertCancel, forget",
	[AA_A5] = "A5: forget the winner",
	[AA_A6] = "A6: store the winner, SPT bit",
};

/*
 * §4.6.1 and §4.6.2: the (S,G) and (*,G) machines differ only in NoInfo,
 * where (S,G) has the RPT-bit row and A6.  One row more than the RFC's
 * tables: data in the Winner state sends the Assert again (A3), see the top.
 */
static const struct assert_tr noinfo_sg[AE_MAX] = {
	[AE_DATA]		= { AA_A1, ASSERT_WINNER },
	[AE_INFERIOR]		= { AA_A1, ASSERT_WINNER },
	[AE_RPT_COULD]		= { AA_A1, ASSERT_WINNER },
	[AE_ACCEPTABLE]		= { AA_A6, ASSERT_LOSER },
};

static const struct assert_tr noinfo_wc[AE_MAX] = {
	[AE_DATA]		= { AA_A1, ASSERT_WINNER },
	[AE_INFERIOR]		= { AA_A1, ASSERT_WINNER },
	[AE_ACCEPTABLE]		= { AA_A2, ASSERT_LOSER },
};

static const struct assert_tr winner[AE_MAX] = {
	[AE_DATA]		= { AA_A3, ASSERT_WINNER },
	[AE_TIMER]		= { AA_A3, ASSERT_WINNER },
	[AE_INFERIOR]		= { AA_A3, ASSERT_WINNER },
	[AE_PREFERRED]		= { AA_A2, ASSERT_LOSER },
	[AE_COULD_FALSE]	= { AA_A4, ASSERT_NOINFO },
};

static const struct assert_tr loser[AE_MAX] = {
	[AE_PREFERRED]		= { AA_A2, ASSERT_LOSER },
	[AE_WINNER_ACCEPTABLE]	= { AA_A2, ASSERT_LOSER },
	[AE_WINNER_INFERIOR]	= { AA_A5, ASSERT_NOINFO },
	[AE_TIMER]		= { AA_A5, ASSERT_NOINFO },
	[AE_WINNER_GONE]	= { AA_A5, ASSERT_NOINFO },
	[AE_TRACKING_FALSE]	= { AA_A5, ASSERT_NOINFO },
	[AE_METRIC_BETTER]	= { AA_A5, ASSERT_NOINFO },
	[AE_RPF_MOVED]		= { AA_A5, ASSERT_NOINFO },
	[AE_JOIN]		= { AA_A5, ASSERT_NOINFO },
};

static const struct assert_tr *const fsm_sg[ASSERT_STATE_MAX] = {
	[ASSERT_NOINFO] = noinfo_sg, [ASSERT_WINNER] = winner, [ASSERT_LOSER] = loser,
};

static const struct assert_tr *const fsm_wc[ASSERT_STATE_MAX] = {
	[ASSERT_NOINFO] = noinfo_wc, [ASSERT_WINNER] = winner, [ASSERT_LOSER] = loser,
};

const char *
assert_state_name(enum assert_state s)
{
	return s < ASSERT_STATE_MAX ? state_names[s] : "?";
}

static uint32_t
assert_time_ms(void)
{
	return pimd.conf->assert_time * 1000u;
}

/* Assert_Time - Assert_Override_Interval; the model keeps it positive. */
static uint32_t
winner_period_ms(void)
{
	return assert_time_ms() - pimd.conf->assert_override_interval * 1000u;
}

/* ---- state ------------------------------------------------------------------ */

static struct assert_if *
find(const struct sg *e, const struct iface *ifp)
{
	struct assert_if *a;

	if (e == NULL || e->asserts == NULL)
		return NULL;
	TAILQ_FOREACH(a, e->asserts, entry)
		if (a->ifp == ifp)
			return a;
	return NULL;
}

static enum assert_state
state_of(const struct sg *e, const struct iface *ifp)
{
	const struct assert_if *a = find(e, ifp);

	return a != NULL ? a->state : ASSERT_NOINFO;
}

static void timer_expired(void *);
static void handover_done(void *);

static struct assert_if *
get(struct sg *e, struct iface *ifp)
{
	struct assert_if *a;

	if ((a = find(e, ifp)) != NULL)
		return a;
	if (e->asserts == NULL) {
		if ((e->asserts = malloc(sizeof(*e->asserts))) == NULL)
			fatal("assert: out of memory");
		TAILQ_INIT(e->asserts);
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		fatal("assert: out of memory");
	a->sg = e;
	a->ifp = ifp;
	a->state = ASSERT_NOINFO;
	a->src = sg_is_wc(e) ? e->rp : e->src;
	timer_init(&a->timer, timer_expired, a);
	timer_init(&a->handover, handover_done, a);
	TAILQ_INSERT_TAIL(e->asserts, a, entry);
	return a;
}

/* NoInfo: AssertWinner and AssertWinnerMetric are back to their defaults. */
static void
forget(struct assert_if *a)
{
	struct sg *e = a->sg;

	timer_free(&a->timer);
	timer_free(&a->handover);
	TAILQ_REMOVE(e->asserts, a, entry);
	free(a);
	if (TAILQ_EMPTY(e->asserts)) {
		free(e->asserts);
		e->asserts = NULL;
	}
}

void
assert_free(struct sg *e)
{
	while (e->asserts != NULL)
		forget(TAILQ_FIRST(e->asserts));
}

/* ---- the macros of §4.6.5 ----------------------------------------------------- */

/* §4.6.3: is a better than b?  Addresses differ, so there are no ties. */
static bool
better(const struct assert_metric *a, const struct assert_metric *b)
{
	if (a->rpt != b->rpt)
		return !a->rpt;
	if (a->preference != b->preference)
		return a->preference < b->preference;
	if (a->metric != b->metric)
		return a->metric < b->metric;
	return ntohl(a->addr.s_addr) > ntohl(b->addr.s_addr);
}

static bool
speaks_pim(const struct iface *ifp)
{
	return ifp->pim != NULL && !ifp->pim->passive;
}

static struct sg *
wc_of(const struct sg *sg)
{
	return sg_find((struct in_addr){ INADDR_ANY }, sg->grp);
}

/* lost_assert(*,G,I) */
static bool
lost_wc(const struct sg *wc, const struct iface *ifp)
{
	return wc != NULL && ifp != wc->rpf_ifp && state_of(wc, ifp) == ASSERT_LOSER;
}

/*
 * The (S,G) packets come in from RPF_interface(S), as sg.c's incoming
 * interface has it: SPTbit(S,G), a connected source, or no (*,G) entry.
 */
static bool
on_spt(const struct sg *sg, const struct sg *wc)
{
	return sg->spt || sg->src_local || wc == NULL;
}

/* CouldAssert(*,G,I) = I in joins(*,G) + pim_include(*,G), not RPF_interface(RP(G)). */
static bool
could_assert_wc(struct sg *wc, const struct iface *ifp)
{
	return wc != NULL && speaks_pim(ifp) && wc->rpf_ifp != NULL &&
	    ifp != wc->rpf_ifp && sg_in_olist(wc, ifp);
}

/*
 * CouldAssert(S,G,I) = SPTbit(S,G) AND RPF_interface(S) != I AND I in
 * joins(*,G) - prunes(S,G,rpt) + pim_include(*,G) - pim_exclude(S,G) -
 * lost_assert(*,G) + joins(S,G) + pim_include(S,G).
 */
static bool
could_assert_sg(struct sg *sg, const struct iface *ifp)
{
	struct sg *wc = wc_of(sg);

	return speaks_pim(ifp) && sg->rpf_ifp != NULL && ifp != sg->rpf_ifp &&
	    on_spt(sg, wc) && (sg_in_olist(sg, ifp) ||
	    (sg_in_rpt_joins(sg, ifp) && !lost_wc(wc, ifp)));
}

static bool
could_assert(struct sg *e, const struct iface *ifp)
{
	return sg_is_wc(e) ? could_assert_wc(e, ifp) : could_assert_sg(e, ifp);
}

/*
 * AssertTrackingDesired: we forward onto I, or would if we won, or I is
 * where we receive from.  sg_in_olist() is joins plus local members where
 * we are the DR or the winner, which is what both macros ask of the entry.
 */
static bool
tracking_desired(struct sg *e, const struct iface *ifp)
{
	struct sg *wc;

	if (!speaks_pim(ifp))
		return false;
	if (sg_in_olist(e, ifp) || (ifp == e->rpf_ifp && e->up == SG_UP_JOINED))
		return true;
	if (sg_is_wc(e) || (wc = wc_of(e)) == NULL)
		return false;
	return (sg_in_rpt_joins(e, ifp) && !lost_wc(wc, ifp)) ||
	    (ifp == wc->rpf_ifp && wc->up == SG_UP_JOINED && !e->spt);
}

/* spt_assert_metric(S,I) or rpt_assert_metric(G,I); false: no route to compare. */
static bool
route_metric(const struct sg *e, const struct iface *ifp, struct assert_metric *m)
{
	const struct rpf *r = rpf_get(&e->rpf);

	if (r == NULL || !r->valid || ifp->pim == NULL)
		return false;
	m->rpt = sg_is_wc(e);
	m->preference = r->preference < ASSERT_PREF_INF ? r->preference : ASSERT_PREF_INF;
	m->metric = r->metric;
	m->addr = ifp->pim->addr;
	return true;
}

/* my_assert_metric(S,G,I) or (*,G,I): false when it is the infinite one. */
static bool
my_metric(struct sg *e, const struct iface *ifp, struct assert_metric *m)
{
	struct sg *wc = sg_is_wc(e) ? e : wc_of(e);

	if (!sg_is_wc(e) && could_assert_sg(e, ifp) && route_metric(e, ifp, m))
		return true;
	if (could_assert_wc(wc, ifp) && route_metric(wc, ifp, m))
		return true;
	*m = infinite_metric;
	return false;
}

void
assert_my_metric(const struct assert_if *a, struct assert_metric *m)
{
	my_metric(a->sg, a->ifp, m);
}

/* lost_assert, or a winner still handing over (see the top). */
bool
assert_lost(const struct sg *e, const struct iface *ifp)
{
	const struct assert_if *a = find(e, ifp);

	return ifp != e->rpf_ifp && a != NULL && (a->state == ASSERT_LOSER ||
	    (a->state == ASSERT_WINNER && timer_pending(&a->handover)));
}

bool
assert_won(const struct sg *e, const struct iface *ifp)
{
	return state_of(e, ifp) == ASSERT_WINNER;
}

void
assert_rpf_nbr(const struct sg *e, const struct iface *ifp, struct in_addr *nbr)
{
	const struct assert_if *a = find(e, ifp);

	if (a != NULL && a->state == ASSERT_LOSER)
		*nbr = a->winner.addr;
}

/* ---- sending ---------------------------------------------------------------- */

/* Assert(S,G) or Assert(*,G) with metric m on the state's interface (§4.9.6). */
static bool
assert_send(const struct assert_if *a, const struct assert_metric *m)
{
	struct pim_assert msg = {
		.group = a->sg->grp, .masklen = 32, .source = a->src, .rpt = m->rpt,
		.preference = m->preference, .metric = m->metric,
	};
	uint8_t buf[ASSERT_MAX_LEN];
	struct in_addr dst;
	size_t len;

	if (!speaks_pim(a->ifp) || (len = pim_assert_encode(buf, sizeof(buf), &msg)) == 0)
		return false;
	inet_pton(AF_INET, PIM_ALL_ROUTERS, &dst);
	pim_send(a->ifp->pim, dst, buf, len, PIM_ASSERT);
	assert_cnt.sent++;
	return true;
}

/* ---- the machines ------------------------------------------------------------ */

static void
act(struct assert_if *a, enum assert_action action, const struct assert_metric *m)
{
	struct sg *e = a->sg;
	struct assert_metric mine;

	switch (action) {
	case AA_A1:
	case AA_A3:
		my_metric(e, a->ifp, &mine);
		a->winner = mine;
		assert_send(a, &mine);
		timer_start(&a->timer, winner_period_ms());
		break;
	case AA_A6:
		/* The winner forwards S's data onto our RPF interface: native data. */
		if (a->ifp == e->rpf_ifp && e->up == SG_UP_JOINED)
			e->spt = true;
		/* FALLTHROUGH */
	case AA_A2:
		a->winner = *m;
		timer_start(&a->timer, assert_time_ms());
		break;
	case AA_A4:
		/* An AssertCancel(*,G) names RP(G); one for (S,G) names S. */
		if (sg_is_wc(e))
			a->src = e->rp;
		if (assert_send(a, &infinite_metric))
			assert_cnt.cancels_sent++;
		break;
	case AA_A5:
	case AA_NONE:
	case AA_MAX:
		break;
	}
}

/*
 * One event for the machine of entry e on ifp; m is the Assert received,
 * if any, and src the source a (*,G) Assert should name (INADDR_ANY: the
 * last one).  Returns whether the table had a transition; one to NoInfo
 * frees the state.  The caller brings the olists up to date.
 */
static bool
fsm(struct sg *e, struct iface *ifp, enum assert_event ev, const struct assert_metric *m,
    struct in_addr src)
{
	const struct assert_tr *const *table = sg_is_wc(e) ? fsm_wc : fsm_sg;
	struct assert_if *a = find(e, ifp);
	enum assert_state from = a != NULL ? a->state : ASSERT_NOINFO;
	const struct assert_tr *t = &table[from][ev];

	if (t->action == AA_NONE)
		return false;
	if (a == NULL)
		a = get(e, ifp);
	if (sg_is_wc(e) && src.s_addr != INADDR_ANY)
		a->src = src;
	log_debug(DBG_PIM, "assert %s on %s: %s: %s -> %s (%s)", sg_str(e), ifp->name,
	    event_names[ev], state_names[from], state_names[t->next],
	    action_names[t->action]);
	act(a, t->action, m);
	if (t->next != from) {
		a->since = clock_ms();
		assert_cnt.won += t->next == ASSERT_WINNER;
		assert_cnt.lost += t->next == ASSERT_LOSER;
		a->upstream = ifp == e->rpf_ifp;
	}
	a->state = t->next;
	if (t->next == ASSERT_NOINFO)
		forget(a);
	/*
	 * §4.5.4/§4.5.5: RPF' follows the winner on the RPF interface, without
	 * Join/Prune.  A winner that went away is a neighbour change, which
	 * the caller's re-evaluation answers with a Join to the new RPF'.
	 */
	if (ifp == e->rpf_ifp && ev != AE_WINNER_GONE)
		sg_rpf_assert_changed(e);
	return true;
}

/* What a received Assert is to the machine of e on ifp (§4.6.1, §4.6.2); AE_MAX: nothing. */
static enum assert_event
classify(struct sg *e, struct iface *ifp, const struct assert_metric *m)
{
	const struct assert_if *a = find(e, ifp);
	bool wc = sg_is_wc(e), cancel;
	struct assert_metric mine;

	/* (S,G) Asserts are for the (S,G) machines; without one, nothing here forwards S. */
	if (wc && !m->rpt)
		return AE_MAX;
	my_metric(e, ifp, &mine);
	switch (a != NULL ? a->state : ASSERT_NOINFO) {
	case ASSERT_NOINFO:
		if (!wc && m->rpt)
			return could_assert_sg(e, ifp) ? AE_RPT_COULD : AE_MAX;
		if (better(&mine, m))
			return could_assert(e, ifp) ? AE_INFERIOR : AE_MAX;
		return tracking_desired(e, ifp) ? AE_ACCEPTABLE : AE_MAX;
	case ASSERT_WINNER:
		return better(m, &mine) ? AE_PREFERRED : AE_INFERIOR;
	case ASSERT_LOSER:
		if (better(m, &a->winner))
			return AE_PREFERRED;
		if (m->addr.s_addr != a->winner.addr.s_addr)
			return AE_MAX;
		cancel = m->rpt && m->preference == ASSERT_PREF_INF &&
		    m->metric == ASSERT_METRIC_INF;
		if (cancel || better(&mine, m))
			return AE_WINNER_INFERIOR;
		return m->rpt == wc ? AE_WINNER_ACCEPTABLE : AE_MAX;
	default:
		return AE_MAX;
	}
}

static bool
machine_recv(struct sg *e, struct iface *ifp, const struct assert_metric *m)
{
	enum assert_event ev = classify(e, ifp, m);

	return ev != AE_MAX && fsm(e, ifp, ev, m, (struct in_addr){ INADDR_ANY });
}

static void
handover_done(void *arg)
{
	struct assert_if *a = arg;

	sg_update(a->sg);
}

static void
timer_expired(void *arg)
{
	struct assert_if *a = arg;
	struct sg *e = a->sg;

	if (fsm(e, a->ifp, AE_TIMER, NULL, (struct in_addr){ INADDR_ANY }))
		sg_update(e);
}

/* ---- events -------------------------------------------------------------------- */

void
assert_recv(struct pim_if *pif, struct in_addr src, const uint8_t *body, size_t len)
{
	struct in_addr any = { INADDR_ANY };
	struct pim_assert msg;
	struct assert_metric m;
	struct sg *sg = NULL, *wc;
	char a[INET_ADDRSTRLEN];
	enum pim_err e;

	/* An Assert names one group: a range is not an encoding we accept. */
	if ((e = pim_assert_decode(body, len, &msg)) == PIM_OK && msg.masklen != 32)
		e = PIM_ERR_ENCODING;
	if (e != PIM_OK) {
		pif->cnt.decode[e]++;
		pif->cnt.drop[PIM_DROP_DECODE]++;
		assert_cnt.malformed++;
		log_warnx_rl("pim %s: dropped an Assert from %s: %s", pif->ifp->name,
		    inet_ntop(AF_INET, &src, a, sizeof(a)), pim_err_name(e));
		return;
	}
	if (nbr_find(pif, src) == NULL) {
		pif->cnt.drop[PIM_DROP_NOT_NEIGHBOR]++;
		log_warnx_rl("pim %s: dropped an Assert from %s: not a neighbor",
		    pif->ifp->name, inet_ntop(AF_INET, &src, a, sizeof(a)));
		return;
	}
	assert_cnt.received++;
	m = (struct assert_metric){ msg.rpt, msg.preference, msg.metric, src };
	/*
	 * §4.6: the (S,G) machine first.  The (*,G) machine sees the Assert
	 * only if that one took no transition and is in NoInfo.
	 */
	if (msg.source.s_addr != INADDR_ANY && (sg = sg_find(msg.source, msg.group)) != NULL &&
	    machine_recv(sg, pif->ifp, &m)) {
		sg_update(sg);
		return;
	}
	if (state_of(sg, pif->ifp) == ASSERT_NOINFO &&
	    (wc = sg_find(any, msg.group)) != NULL && machine_recv(wc, pif->ifp, &m)) {
		sg_update(wc);
		return;
	}
	assert_cnt.ignored++;
}

/*
 * §4.2: data failed the RPF check on an interface we forward onto: an
 * (S,G) event when the entry takes S from the shortest path tree, else a
 * (*,G) one.
 */
void
assert_wrongvif(struct in_addr src, struct in_addr grp, int vif)
{
	struct sg *sg = sg_find(src, grp), *wc = sg_find((struct in_addr){ INADDR_ANY }, grp);
	struct iface *ifp = iface_find_vif(vif);

	if (ifp == NULL)
		return;
	if (sg != NULL && could_assert_sg(sg, ifp)) {
		if (fsm(sg, ifp, AE_DATA, NULL, src))
			sg_update(sg);
	} else if ((sg == NULL || !on_spt(sg, wc)) && could_assert_wc(wc, ifp)) {
		if (fsm(wc, ifp, AE_DATA, NULL, src))
			sg_update(wc);
	}
}

void
assert_nbr_gone(struct pim_if *pif, struct in_addr nbr)
{
	struct sg *e;
	struct assert_if *a;

	RB_FOREACH(e, sg_tree, &sgs)
		if ((a = find(e, pif->ifp)) != NULL && a->state == ASSERT_LOSER &&
		    a->winner.addr.s_addr == nbr.s_addr)
			fsm(e, pif->ifp, AE_WINNER_GONE, NULL, (struct in_addr){ INADDR_ANY });
}

void
assert_join_received(struct sg *e, struct iface *ifp)
{
	fsm(e, ifp, AE_JOIN, NULL, (struct in_addr){ INADDR_ANY });
}

bool
assert_update(struct sg *e)
{
	struct in_addr any = { INADDR_ANY };
	struct assert_if *a, *next;
	struct assert_metric mine;
	struct iface *ifp;
	bool changed = false;

	for (a = e->asserts != NULL ? TAILQ_FIRST(e->asserts) : NULL; a != NULL; a = next) {
		next = TAILQ_NEXT(a, entry);
		ifp = a->ifp;
		if (a->state == ASSERT_WINNER) {
			if (!could_assert(e, ifp))
				changed |= fsm(e, ifp, AE_COULD_FALSE, NULL, any);
		} else if (a->upstream && ifp != e->rpf_ifp) {
			changed |= fsm(e, ifp, AE_RPF_MOVED, NULL, any);
		} else if (!tracking_desired(e, ifp)) {
			changed |= fsm(e, ifp, AE_TRACKING_FALSE, NULL, any);
		} else if (my_metric(e, ifp, &mine) && better(&mine, &a->winner)) {
			changed |= fsm(e, ifp, AE_METRIC_BETTER, NULL, any);
			/*
			 * The winner just forgotten is forwarding onto I: its
			 * packets arrive now, though the kernel may report them
			 * only seconds later.  Take over from it (see the top).
			 */
			if (could_assert(e, ifp) && fsm(e, ifp, AE_DATA, NULL, any))
				timer_start(&find(e, ifp)->handover,
				    nbr_effective_propagation_delay(ifp->pim));
		}
	}
	return changed;
}
