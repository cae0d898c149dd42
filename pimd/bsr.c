/* SPDX-License-Identifier: ISC */
/*
 * The Bootstrap Router mechanism (RFC 5059) for a router that is no
 * Candidate-BSR: it listens to the elected BSR and uses its RP-set.
 *
 * A Bootstrap message (BSM) is flooded hop by hop to ALL-PIM-ROUTERS.  A
 * router takes one only from its RPF neighbour toward the BSR, on the RPF
 * interface (§3.4), which stops the flood from looping; a BSM unicast to a
 * new neighbour is taken from any neighbour and not passed on.  Whether it
 * is taken then depends on the §3.1.2 machine below: in Accept Preferred a
 * BSM from a BSR worse than ours (priority, then address) is dropped.  A
 * BSM taken is sent on out of every other PIM interface unless its
 * No-Forward bit is set, and its RP-set stored.
 *
 * The RP-set is stored range by range: the RPs a BSM lists for a range
 * replace what an earlier BSM (another fragment tag) listed for it, and
 * fragments of one BSM (one tag) add to each other (§3.5's semantic
 * fragmentation: every range a fragment holds is whole, or its RPs go on
 * in the next).  Each RP lives for the holdtime the BSM gave it, on its
 * own, so a lost BSR or BSM changes nothing until they run out.  rp.c is
 * handed the whole set after each change and picks RP(G) (§4.7.1).
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "bsr.h"
#include "config.h"
#include "iface.h"
#include "log.h"
#include "nbr.h"
#include "netlink.h"
#include "pim.h"
#include "pimd.h"
#include "rawsock.h"
#include "rp.h"

struct bsr_tr {
	enum bsr_action	action;
	enum bsr_state	next;
};

/*
 * RFC 5059 §3.1.2, Non-Candidate-BSR.  BST is the Bootstrap Timer
 * (BS_Timeout), SZT the Scope-Zone Expiry Timer; set on every BSM taken,
 * SZT cannot run out in Accept Preferred.
 */
static const struct bsr_tr table[BSR_STATE_MAX][BSR_EV_MAX] = {
	[BSR_NO_INFO] = {
		[BSR_EV_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		[BSR_EV_NOT_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		[BSR_EV_BS_TIMER]	= { BSR_ACT_NONE, BSR_NO_INFO },
		[BSR_EV_SZ_TIMER]	= { BSR_ACT_NONE, BSR_NO_INFO },
	},
	[BSR_ACCEPT_ANY] = {
		[BSR_EV_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		[BSR_EV_NOT_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		[BSR_EV_BS_TIMER]	= { BSR_ACT_NONE, BSR_ACCEPT_ANY },
		[BSR_EV_SZ_TIMER]	= { BSR_ACT_CLEAR, BSR_NO_INFO },
	},
	[BSR_ACCEPT_PREFERRED] = {
		[BSR_EV_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		[BSR_EV_NOT_PREFERRED]	= { BSR_ACT_DROP, BSR_ACCEPT_PREFERRED },
		[BSR_EV_BS_TIMER]	= { BSR_ACT_NONE, BSR_ACCEPT_ANY },
		[BSR_EV_SZ_TIMER]	= { BSR_ACT_NONE, BSR_ACCEPT_PREFERRED },
	},
};

static const char *const state_names[BSR_STATE_MAX] = {
	[BSR_NO_INFO] = "no-info",
	[BSR_ACCEPT_ANY] = "accept-any",
	[BSR_ACCEPT_PREFERRED] = "accept-preferred",
};

static const char *const event_names[BSR_EV_MAX] = {
	[BSR_EV_PREFERRED] = "preferred BSM",
	[BSR_EV_NOT_PREFERRED] = "non-preferred BSM",
	[BSR_EV_BS_TIMER] = "Bootstrap Timer expired",
	[BSR_EV_SZ_TIMER] = "Scope-Zone Expiry Timer expired",
};

/* An RP of the stored RP-set. */
struct bsr_rp {
	struct rp_bsr	e;
	uint16_t	tag;		/* fragment tag of the BSM that gave it */
	uint64_t	expires;	/* clock_ms() */
};

static struct {
	enum bsr_state	state;
	struct in_addr	addr;
	uint8_t		priority;
	uint8_t		hash_masklen;
	uint64_t	since;
	bool		timers_ready;
	struct timer	bs_timer, sz_timer, rp_timer;
	struct bsr_rp	*rps;
	unsigned	nrps, size;
} bsr;

static enum bsr_action bsr_event(enum bsr_event ev, const struct pim_bsm *m);

enum bsr_action
bsr_fsm(enum bsr_state state, enum bsr_event ev, enum bsr_state *next)
{
	*next = table[state][ev].next;
	return table[state][ev].action;
}

const char *
bsr_state_name(enum bsr_state s)
{
	return s < BSR_STATE_MAX ? state_names[s] : "?";
}

/* ---- the RP-set --------------------------------------------------------- */

static bool
same_range(const struct cfg_prefix *a, struct in_addr g, uint8_t masklen)
{
	return a->addr.s_addr == g.s_addr && a->len == masklen;
}

/* rp.c gets the set after every change; its listener re-points the joins. */
static void
rpset_publish(void)
{
	struct rp_bsr *set = NULL;

	if (bsr.nrps > 0 && (set = calloc(bsr.nrps, sizeof(*set))) == NULL)
		fatal("bsr: out of memory");
	for (unsigned i = 0; i < bsr.nrps; i++)
		set[i] = bsr.rps[i].e;
	rp_set_bsr(set, bsr.nrps, bsr.hash_masklen);
	free(set);
}

static void
rp_timer_arm(void)
{
	uint64_t first = UINT64_MAX, now = clock_ms();

	for (unsigned i = 0; i < bsr.nrps; i++)
		if (bsr.rps[i].expires < first)
			first = bsr.rps[i].expires;
	if (first == UINT64_MAX)
		timer_stop(&bsr.rp_timer);
	else
		timer_start(&bsr.rp_timer, first > now ? (uint32_t)(first - now) : 0);
}

static void
rp_remove(unsigned i)
{
	bsr.rps[i] = bsr.rps[--bsr.nrps];
}

static void
rp_add(struct in_addr g, uint8_t masklen, const struct pim_bsm_rp *rp, uint16_t tag,
    uint64_t now)
{
	struct bsr_rp *r;

	for (unsigned i = 0; i < bsr.nrps; i++) {
		r = &bsr.rps[i];
		if (same_range(&r->e.grp, g, masklen) && r->e.rp.s_addr == rp->addr.s_addr) {
			r->e.priority = rp->priority;
			r->expires = now + rp->holdtime * 1000ull;
			return;
		}
	}
	if (bsr.nrps == bsr.size) {
		bsr.size = bsr.size ? bsr.size * 2 : 16;
		if ((bsr.rps = reallocarray(bsr.rps, bsr.size, sizeof(*bsr.rps))) == NULL)
			fatal("bsr: out of memory");
	}
	r = &bsr.rps[bsr.nrps++];
	r->e.grp.addr = g;
	r->e.grp.len = masklen;
	r->e.rp = rp->addr;
	r->e.priority = rp->priority;
	r->tag = tag;
	r->expires = now + rp->holdtime * 1000ull;
}

/* One range of a BSM taken: its RPs replace those of another BSM. */
static void
rpset_store_range(const struct pim_bsm_group *g, uint16_t tag, uint64_t now)
{
	struct pim_bsm_rp rp;
	char a[INET_ADDRSTRLEN];

	if (g->admin_scope) {
		log_debug(DBG_PIM, "bsr: admin-scope range %s/%u ignored (no zones)",
		    inet_ntop(AF_INET, &g->group, a, sizeof(a)), g->masklen);
		return;
	}
	for (unsigned i = 0; i < bsr.nrps;)
		if (same_range(&bsr.rps[i].e.grp, g->group, g->masklen) &&
		    bsr.rps[i].tag != tag)
			rp_remove(i);
		else
			i++;
	for (unsigned i = 0; i < g->frag_rp_count; i++) {
		pim_bsm_rp(g, i, &rp);
		if (rp.holdtime > 0)
			rp_add(g->group, g->masklen, &rp, tag, now);
	}
}

static void
rpset_store(const struct pim_bsm *m)
{
	struct pim_bsm_group g;
	size_t off = 0;
	uint64_t now = clock_ms();

	bsr.hash_masklen = m->hash_masklen;
	while (pim_bsm_next_group(m, &off, &g))
		rpset_store_range(&g, m->frag_tag, now);
	rp_timer_arm();
	rpset_publish();
}

static void
rp_timer_fired(void *arg)
{
	uint64_t now = clock_ms();
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	for (unsigned i = 0; i < bsr.nrps;)
		if (bsr.rps[i].expires <= now) {
			log_info("bsr: RP %s for %s/%u expired",
			    inet_ntop(AF_INET, &bsr.rps[i].e.rp, a, sizeof(a)),
			    inet_ntop(AF_INET, &bsr.rps[i].e.grp.addr, g, sizeof(g)),
			    bsr.rps[i].e.grp.len);
			rp_remove(i);
		} else
			i++;
	rp_timer_arm();
	rpset_publish();
}

/* ---- the machine ---------------------------------------------------------- */

static void
bs_timer_fired(void *arg)
{
	bsr_event(BSR_EV_BS_TIMER, NULL);
}

static void
sz_timer_fired(void *arg)
{
	bsr_event(BSR_EV_SZ_TIMER, NULL);
}

static void
timers_ready(void)
{
	if (bsr.timers_ready)
		return;
	timer_init(&bsr.bs_timer, bs_timer_fired, NULL);
	timer_init(&bsr.sz_timer, sz_timer_fired, NULL);
	timer_init(&bsr.rp_timer, rp_timer_fired, NULL);
	bsr.timers_ready = true;
}

/* §3.1.2: a BSM is preferred when it comes from our BSR or a better one. */
static bool
preferred(const struct pim_bsm *m)
{
	if (bsr.state == BSR_NO_INFO || m->bsr.s_addr == bsr.addr.s_addr)
		return true;
	if (m->priority != bsr.priority)
		return m->priority > bsr.priority;
	return ntohl(m->bsr.s_addr) > ntohl(bsr.addr.s_addr);
}

static void
take(const struct pim_bsm *m)
{
	char a[INET_ADDRSTRLEN];

	if (m->bsr.s_addr != bsr.addr.s_addr || bsr.state == BSR_NO_INFO) {
		log_info("bsr: BSR is %s (priority %u)",
		    inet_ntop(AF_INET, &m->bsr, a, sizeof(a)), m->priority);
		bsr.since = clock_ms();
	}
	bsr.addr = m->bsr;
	bsr.priority = m->priority;
	timer_start(&bsr.bs_timer, BSR_BS_TIMEOUT_MS);
	timer_start(&bsr.sz_timer, BSR_SZ_TIMEOUT_MS);
	rpset_store(m);
}

static void
clear(void)
{
	timer_stop(&bsr.bs_timer);
	timer_stop(&bsr.sz_timer);
	timer_stop(&bsr.rp_timer);
	bsr.addr.s_addr = INADDR_ANY;
	bsr.priority = 0;
	bsr.nrps = 0;
	rpset_publish();
}

static enum bsr_action
bsr_event(enum bsr_event ev, const struct pim_bsm *m)
{
	enum bsr_state next;
	enum bsr_action act = bsr_fsm(bsr.state, ev, &next);

	if (act == BSR_ACT_NONE && next == bsr.state)
		return act;
	log_debug(DBG_PIM, "bsr: %s: %s -> %s", event_names[ev], state_names[bsr.state],
	    state_names[next]);
	if (act == BSR_ACT_ACCEPT)
		take(m);
	else if (act == BSR_ACT_CLEAR)
		clear();
	bsr.state = next;
	return act;
}

/* ---- receiving ------------------------------------------------------------ */

/* §3.4: from the RPF neighbour toward the BSR, on the RPF interface. */
static bool
from_rpf_neighbor(const struct pim_if *pif, const struct raw_rx *rx, struct in_addr bsr_addr)
{
	struct netlink_route r;
	struct in_addr up;

	if (netlink_route_lookup(bsr_addr, &r) < 0 || r.type != RTN_UNICAST ||
	    r.ifindex != pif->ifp->ifindex)
		return false;
	up = r.gateway.s_addr != INADDR_ANY ? r.gateway : bsr_addr;
	return up.s_addr == rx->src.s_addr;
}

/* Out of every other interface where PIM runs and is not passive. */
static void
forward(const struct pim_if *from, const struct raw_rx *rx)
{
	struct iface *ifp;
	struct in_addr dst;

	inet_pton(AF_INET, PIM_ALL_ROUTERS, &dst);
	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->pim != NULL && ifp->pim != from && !ifp->pim->passive)
			pim_send(ifp->pim, dst, rx->payload, rx->len, PIM_BOOTSTRAP);
}

void
bsr_recv(struct pim_if *pif, const struct raw_rx *rx, const struct pim_bsm *m)
{
	struct in_addr all;
	bool multicast;

	timers_ready();
	inet_pton(AF_INET, PIM_ALL_ROUTERS, &all);
	multicast = rx->dst.s_addr == all.s_addr;
	if (multicast ? !from_rpf_neighbor(pif, rx, m->bsr) : nbr_find(pif, rx->src) == NULL) {
		pim_drop(pif, PIM_DROP_BSM_RPF, rx->src, NULL);
		return;
	}
	if (bsr_event(preferred(m) ? BSR_EV_PREFERRED : BSR_EV_NOT_PREFERRED, m) !=
	    BSR_ACT_ACCEPT) {
		pim_drop(pif, PIM_DROP_BSM_NOT_PREFERRED, rx->src, NULL);
		return;
	}
	if (multicast && !m->no_forward)
		forward(pif, rx);
}

void
bsr_fini(void)
{
	if (bsr.timers_ready) {
		timer_free(&bsr.bs_timer);
		timer_free(&bsr.sz_timer);
		timer_free(&bsr.rp_timer);
	}
	free(bsr.rps);
	memset(&bsr, 0, sizeof(bsr));
}

/* ---- show ------------------------------------------------------------------ */

void
bsr_get(struct bsr_info *i)
{
	i->state = bsr.state;
	i->addr = bsr.addr;
	i->priority = bsr.priority;
	i->hash_masklen = bsr.hash_masklen;
	i->since_ms = bsr.since;
	i->bs_timer_ms = bsr.timers_ready ? timer_remaining(&bsr.bs_timer) : 0;
}

void
bsr_rpset_foreach(void (*fn)(struct in_addr, uint8_t, struct in_addr, uint8_t, uint32_t,
    void *), void *arg)
{
	uint64_t now = clock_ms();

	for (unsigned i = 0; i < bsr.nrps; i++)
		fn(bsr.rps[i].e.grp.addr, bsr.rps[i].e.grp.len, bsr.rps[i].e.rp,
		    bsr.rps[i].e.priority,
		    bsr.rps[i].expires > now ? (uint32_t)(bsr.rps[i].expires - now) : 0, arg);
}
