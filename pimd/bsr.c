/* SPDX-License-Identifier: ISC */
/*
 * The Bootstrap Router mechanism (RFC 5059): which BSR this router follows
 * or whether it is the BSR, the RP-set, and the Bootstrap messages.
 *
 * A Bootstrap message (BSM) is flooded hop by hop to ALL-PIM-ROUTERS.  A
 * router takes one only from its RPF neighbour toward the BSR, on the RPF
 * interface (§3.4), which stops the flood from looping; a BSM a neighbour
 * sends a router that has none yet (unicast, or with the No-Forward bit,
 * §3.5) is taken from any neighbour and not passed on.  Whether it is
 * taken then depends on the machine: §3.1.2's for a router that is no
 * Candidate-BSR, §3.1.1's for one that is.  A BSM taken is sent on out of
 * the other PIM interfaces (and back out of a LAN it came from) unless its
 * No-Forward bit is set, kept for new neighbours, and its RP-set stored.
 *
 * A Candidate-BSR that hears no better BSR for BS_Timeout waits
 * BS_Rand_Override, shorter the better it is, and then is the BSR: it
 * originates BSMs every BS_Period from the Candidate-RP set (bsr_crp.c),
 * and sooner, but at most every BS_Min_Interval, when that set changes.
 * It stores its own BSM's RP-set as any router does.
 *
 * The RP-set is stored range by range: the RPs a BSM lists for a range
 * replace what an earlier BSM (another fragment tag) listed for it, and
 * fragments of one BSM (one tag) add to each other (§4.1.1's semantic
 * fragmentation: every range a fragment holds is whole, or its RPs go on
 * in the next).  A range listed without RPs is withdrawn.  Each RP lives
 * for the holdtime the BSM gave it, on its own, so a lost BSR or BSM
 * changes nothing until they run out.  rp.c is handed the whole set after
 * each change and picks RP(G) (§4.7.1).
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "bsr.h"
#include "bsr_crp.h"
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
 * RFC 5059 §3.1.2, Non-Candidate-BSR, and §3.1.1, Candidate-BSR.  BST is
 * the Bootstrap Timer (BS_Timeout after a BSM taken), SZT the Scope-Zone
 * Expiry Timer (set with BST; it cannot run out in Accept Preferred).  A
 * Candidate-BSR compares a BSM with the BSR it follows, or in P-BSR and
 * E-BSR with itself; "from the Elected BSR" is that BSR's BSM grown worse
 * than this router.  The cells the RFC leaves empty do nothing: a
 * C-BSR's BSM from a worse BSR than the one it follows is dropped.
 */
static const struct bsr_tr table[BSR_STATE_MAX][BSR_EV_MAX] = {
	[BSR_NO_INFO] = {
		[BSR_EV_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		[BSR_EV_NOT_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		[BSR_EV_NOT_PREFERRED_ELECTED] = { BSR_ACT_NONE, BSR_NO_INFO },
		[BSR_EV_BS_TIMER]	= { BSR_ACT_NONE, BSR_NO_INFO },
		[BSR_EV_SZ_TIMER]	= { BSR_ACT_NONE, BSR_NO_INFO },
	},
	[BSR_ACCEPT_ANY] = {
		[BSR_EV_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		[BSR_EV_NOT_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		[BSR_EV_NOT_PREFERRED_ELECTED] = { BSR_ACT_NONE, BSR_ACCEPT_ANY },
		[BSR_EV_BS_TIMER]	= { BSR_ACT_NONE, BSR_ACCEPT_ANY },
		[BSR_EV_SZ_TIMER]	= { BSR_ACT_CLEAR, BSR_NO_INFO },
	},
	[BSR_ACCEPT_PREFERRED] = {
		[BSR_EV_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		[BSR_EV_NOT_PREFERRED]	= { BSR_ACT_DROP, BSR_ACCEPT_PREFERRED },
		[BSR_EV_NOT_PREFERRED_ELECTED] = { BSR_ACT_NONE, BSR_ACCEPT_PREFERRED },
		[BSR_EV_BS_TIMER]	= { BSR_ACT_NONE, BSR_ACCEPT_ANY },
		[BSR_EV_SZ_TIMER]	= { BSR_ACT_NONE, BSR_ACCEPT_PREFERRED },
	},
	[BSR_CANDIDATE] = {
		[BSR_EV_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_CANDIDATE },
		[BSR_EV_NOT_PREFERRED]	= { BSR_ACT_DROP, BSR_CANDIDATE },
		[BSR_EV_NOT_PREFERRED_ELECTED] = { BSR_ACT_FORWARD_OVERRIDE, BSR_PENDING },
		[BSR_EV_BS_TIMER]	= { BSR_ACT_OVERRIDE, BSR_PENDING },
		[BSR_EV_SZ_TIMER]	= { BSR_ACT_NONE, BSR_CANDIDATE },
	},
	[BSR_PENDING] = {
		[BSR_EV_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_CANDIDATE },
		[BSR_EV_NOT_PREFERRED]	= { BSR_ACT_FORWARD, BSR_PENDING },
		[BSR_EV_NOT_PREFERRED_ELECTED] = { BSR_ACT_NONE, BSR_PENDING },
		[BSR_EV_BS_TIMER]	= { BSR_ACT_ORIGINATE, BSR_ELECTED },
		[BSR_EV_SZ_TIMER]	= { BSR_ACT_NONE, BSR_PENDING },
	},
	[BSR_ELECTED] = {
		[BSR_EV_PREFERRED]	= { BSR_ACT_ACCEPT, BSR_CANDIDATE },
		[BSR_EV_NOT_PREFERRED]	= { BSR_ACT_ORIGINATE, BSR_ELECTED },
		[BSR_EV_NOT_PREFERRED_ELECTED] = { BSR_ACT_NONE, BSR_ELECTED },
		[BSR_EV_BS_TIMER]	= { BSR_ACT_ORIGINATE, BSR_ELECTED },
		[BSR_EV_SZ_TIMER]	= { BSR_ACT_NONE, BSR_ELECTED },
	},
};

static const char *const state_names[BSR_STATE_MAX] = {
	[BSR_NO_INFO] = "no-info",
	[BSR_ACCEPT_ANY] = "accept-any",
	[BSR_ACCEPT_PREFERRED] = "accept-preferred",
	[BSR_CANDIDATE] = "candidate-bsr",
	[BSR_PENDING] = "pending-bsr",
	[BSR_ELECTED] = "elected-bsr",
};

static const char *const event_names[BSR_EV_MAX] = {
	[BSR_EV_PREFERRED] = "preferred BSM",
	[BSR_EV_NOT_PREFERRED] = "non-preferred BSM",
	[BSR_EV_NOT_PREFERRED_ELECTED] = "non-preferred BSM from the elected BSR",
	[BSR_EV_BS_TIMER] = "Bootstrap Timer expired",
	[BSR_EV_SZ_TIMER] = "Scope-Zone Expiry Timer expired",
};

/* An RP of the stored RP-set. */
struct bsr_rp {
	struct rp_bsr	e;
	uint16_t	tag;		/* fragment tag of the BSM that gave it */
	uint64_t	expires;	/* clock_ms() */
};

/* A fragment of the current BSM, as taken or originated, for new neighbours. */
struct bsr_frag {
	uint8_t		*msg;
	size_t		len;
};

/* A new neighbour waiting for our Hello before it gets the BSM. */
struct bsr_pending {
	int		ifindex;
	struct in_addr	addr;
	uint64_t	due;		/* clock_ms() */
};

#define BSR_FRAGS_MAX	64	/* fragments of one BSM kept; 64 x MTU bytes at most */
#define BSR_PENDING_MAX	64

static struct {
	enum bsr_state	state;
	struct in_addr	addr;
	uint8_t		priority;
	uint8_t		hash_masklen;
	uint64_t	since;
	bool		timers_ready;
	struct timer	bs_timer, sz_timer, rp_timer, nbr_timer;
	struct bsr_rp	*rps;
	unsigned	nrps, size;
	/* config */
	uint16_t	period_s;	/* BS_Period; 0 before the first config */
	struct cfg_candidate cand;
	uint8_t		cand_hash_masklen;
	/* the current BSM */
	struct bsr_frag	frags[BSR_FRAGS_MAX];
	unsigned	nfrags;
	uint64_t	originated;	/* clock_ms() of our last BSM; 0: none */
	uint64_t	started;	/* clock_ms() when this module started */
	struct bsr_pending pending[BSR_PENDING_MAX];
	unsigned	npending;
	void		(*listener)(void);
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
	uint64_t first = UINT64_MAX;

	for (unsigned i = 0; i < bsr.nrps; i++)
		if (bsr.rps[i].expires < first)
			first = bsr.rps[i].expires;
	timer_start_at(&bsr.rp_timer, first);
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

/* ---- timers and the candidate ------------------------------------------- */

uint32_t
bsr_bs_timeout_ms(uint16_t period_s)
{
	return (2u * period_s + 10u) * 1000u;
}

static uint16_t
period_s(void)
{
	return bsr.period_s ? bsr.period_s : BSR_DEFAULT_PERIOD_S;
}

/* BS_Min_Interval, but never more than half a (short, test) BS_Period. */
static uint32_t
min_interval_ms(void)
{
	uint32_t half = period_s() * 500u;

	return half < BSR_MIN_INTERVAL_MS ? half : BSR_MIN_INTERVAL_MS;
}

/*
 * log2(x) for x >= 1, exact at powers of two and linear between them: the
 * delay it gives still grows with the distance to the best BSR, which is
 * all §5 asks of it, without libm.
 */
static double
log2_approx(double x)
{
	unsigned k = 0;

	while (x >= 2.0) {
		x /= 2.0;
		k++;
	}
	return k + (x - 1.0);
}

uint32_t
bsr_rand_override_ms(uint8_t prio, struct in_addr addr, uint8_t best_prio,
    struct in_addr best_addr)
{
	uint32_t me = ntohl(addr.s_addr), best = ntohl(best_addr.s_addr);
	double s;

	if (best_prio < prio)
		best_prio = prio;
	if (best < me)
		best = me;
	s = 5.0 + 2.0 * log2_approx(1.0 + best_prio - prio);
	if (best_prio == prio)
		s += log2_approx(1.0 + (double)(best - me)) / 16.0;
	else
		s += 2.0 - me / 2147483648.0;
	return (uint32_t)(s * 1000.0);
}

static bool
is_candidate(enum bsr_state s)
{
	return s == BSR_CANDIDATE || s == BSR_PENDING || s == BSR_ELECTED;
}

/* The candidate's address: configured, or its interface's first (§3.1). */
static bool
self_addr(struct in_addr *addr)
{
	return iface_candidate_addr(&bsr.cand, addr);
}

static uint32_t
override_ms(void)
{
	struct in_addr self;

	(void)self_addr(&self);
	if (bsr.addr.s_addr == INADDR_ANY)
		return bsr_rand_override_ms(bsr.cand.priority, self, bsr.cand.priority, self);
	return bsr_rand_override_ms(bsr.cand.priority, self, bsr.priority, bsr.addr);
}

static void
new_bsr(struct in_addr addr, uint8_t priority)
{
	char a[INET_ADDRSTRLEN];
	bool changed = addr.s_addr != bsr.addr.s_addr;

	if (changed) {
		log_info("bsr: BSR is %s (priority %u)%s",
		    inet_ntop(AF_INET, &addr, a, sizeof(a)), priority,
		    bsr.state == BSR_ELECTED ? ": this router" : "");
		bsr.since = clock_ms();
	}
	bsr.addr = addr;
	bsr.priority = priority;
	if (changed && bsr.listener != NULL)
		bsr.listener();
}

/* ---- the current BSM ------------------------------------------------------ */

static void
frags_clear(void)
{
	for (unsigned i = 0; i < bsr.nfrags; i++)
		free(bsr.frags[i].msg);
	bsr.nfrags = 0;
}

/* Keep a fragment; a new tag or BSR starts a new BSM. */
static void
frags_keep(const struct pim_bsm *m, const uint8_t *msg, size_t len)
{
	struct pim_bsm first;

	if (bsr.nfrags > 0 && (pim_bsm_decode(bsr.frags[0].msg, bsr.frags[0].len, &first) !=
	    PIM_OK || first.frag_tag != m->frag_tag || first.bsr.s_addr != m->bsr.s_addr))
		frags_clear();
	if (bsr.nfrags == BSR_FRAGS_MAX)
		return;
	if ((bsr.frags[bsr.nfrags].msg = malloc(len)) == NULL)
		fatal("bsr: out of memory");
	memcpy(bsr.frags[bsr.nfrags].msg, msg, len);
	bsr.frags[bsr.nfrags++].len = len;
}

/* Where a BSM goes: PIM, not passive, BSMs allowed. */
static bool
bsm_iface(const struct iface *ifp)
{
	return ifp->pim != NULL && !ifp->pim->passive && ifp->cfg->pim.bsm;
}

/*
 * Out of every interface for BSMs but the one it came in on, unless that
 * is a LAN with other routers, whose RPF choices may differ (§3.4).
 */
static void
flood(const struct pim_if *from, const uint8_t *msg, size_t len)
{
	struct iface *ifp;
	struct in_addr dst;

	inet_pton(AF_INET, PIM_ALL_ROUTERS, &dst);
	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (bsm_iface(ifp) && (ifp->pim != from || from->nnbr > 1))
			pim_send(ifp->pim, dst, msg, len, PIM_BOOTSTRAP);
}

/* ---- originating ------------------------------------------------------------ */

/* The largest BSM fragment every BSM interface carries unfragmented. */
static size_t
bsm_mtu(void)
{
	const struct iface *ifp;
	unsigned mtu = 0;

	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (bsm_iface(ifp) && ifp->mtu >= 576 && (mtu == 0 || ifp->mtu < mtu))
			mtu = ifp->mtu;
	return (mtu ? mtu : 1500) - 20;		/* the IP header, no options */
}

static void
emit_frag(uint8_t *msg, size_t len, void *arg)
{
	struct pim_bsm m;

	if (pim_bsm_decode(msg, len, &m) != PIM_OK)
		fatalx("bsr: a BSM of ours does not decode");
	frags_keep(&m, msg, len);
	rpset_store(&m);
	flood(NULL, msg, len);
}

static void
originate(uint8_t priority)
{
	struct pim_bsm h = { .hash_masklen = bsr.cand_hash_masklen, .priority = priority };
	/* §3.3: an RP's holdtime must outlast BS_Period, and should 2.5 of them. */
	uint16_t min_holdtime = (uint16_t)(period_s() * 5 / 2 + 1);
	unsigned n;

	if (!self_addr(&h.bsr)) {
		log_warnx_rl("bsr: no BSM sent: the candidate's interface %s has no address",
		    bsr.cand.ifname);
		return;
	}
	if (getrandom(&h.frag_tag, sizeof(h.frag_tag), 0) != sizeof(h.frag_tag))
		h.frag_tag = (uint16_t)random();
	new_bsr(h.bsr, priority);
	bsr.hash_masklen = h.hash_masklen;
	frags_clear();
	n = crpset_build(&h, min_holdtime, bsm_mtu(), bsr_bs_timeout_ms(period_s()),
	    emit_frag, NULL);
	bsr.originated = clock_ms();
	log_debug(DBG_PIM, "bsr: originated a BSM (tag %u, %u fragments)", h.frag_tag, n);
}

/* The Candidate-RP set changed: a BSM soon, at most every BS_Min_Interval. */
static void
crpset_changed(void)
{
	uint64_t now = clock_ms(), next = bsr.originated + min_interval_ms();
	uint32_t delay = next > now ? (uint32_t)(next - now) : 0;

	if (bsr.state == BSR_ELECTED && timer_remaining(&bsr.bs_timer) > delay)
		timer_start(&bsr.bs_timer, delay);
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

static void nbr_timer_fired(void *arg);

static void
timers_ready(void)
{
	if (bsr.timers_ready)
		return;
	timer_init(&bsr.bs_timer, bs_timer_fired, NULL);
	timer_init(&bsr.sz_timer, sz_timer_fired, NULL);
	timer_init(&bsr.rp_timer, rp_timer_fired, NULL);
	timer_init(&bsr.nbr_timer, nbr_timer_fired, NULL);
	crpset_init(crpset_changed);
	bsr.started = clock_ms();
	bsr.timers_ready = true;
}

/* Weight (§3.1.1): priority, then address; true when a >= b. */
static bool
weight_ge(uint8_t pa, struct in_addr a, uint8_t pb, struct in_addr b)
{
	if (pa != pb)
		return pa > pb;
	return ntohl(a.s_addr) >= ntohl(b.s_addr);
}

/* §3.1.2: a BSM is preferred when it comes from our BSR or a better one. */
static enum bsr_event
classify_non_candidate(const struct pim_bsm *m)
{
	if (bsr.state == BSR_NO_INFO || m->bsr.s_addr == bsr.addr.s_addr ||
	    weight_ge(m->priority, m->bsr, bsr.priority, bsr.addr))
		return BSR_EV_PREFERRED;
	return BSR_EV_NOT_PREFERRED;
}

/*
 * §3.1.1: against the BSR followed in C-BSR, against this router in P-BSR
 * and E-BSR; our BSR's BSM is preferred while it is no worse than us.
 */
static enum bsr_event
classify(const struct pim_bsm *m)
{
	struct in_addr self;

	if (!is_candidate(bsr.state))
		return classify_non_candidate(m);
	(void)self_addr(&self);
	if (bsr.state == BSR_CANDIDATE && m->bsr.s_addr == bsr.addr.s_addr)
		return weight_ge(m->priority, m->bsr, bsr.cand.priority, self) ?
		    BSR_EV_PREFERRED : BSR_EV_NOT_PREFERRED_ELECTED;
	if (bsr.state == BSR_CANDIDATE)
		return weight_ge(m->priority, m->bsr, bsr.priority, bsr.addr) ?
		    BSR_EV_PREFERRED : BSR_EV_NOT_PREFERRED;
	return weight_ge(m->priority, m->bsr, bsr.cand.priority, self) ?
	    BSR_EV_PREFERRED : BSR_EV_NOT_PREFERRED;
}

static void
take(const struct pim_bsm *m)
{
	new_bsr(m->bsr, m->priority);
	timer_start(&bsr.bs_timer, bsr_bs_timeout_ms(period_s()));
	if (!is_candidate(bsr.state))
		timer_start(&bsr.sz_timer, 10 * bsr_bs_timeout_ms(period_s()));
	rpset_store(m);
}

static void
clear(void)
{
	timer_stop(&bsr.bs_timer);
	timer_stop(&bsr.sz_timer);
	timer_stop(&bsr.rp_timer);
	frags_clear();
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
	if (bsr.state == BSR_ELECTED && next != BSR_ELECTED)
		crpset_clear();		/* another BSR takes the advertisements now */
	switch (act) {
	case BSR_ACT_ACCEPT:
		bsr.state = next;
		take(m);
		break;
	case BSR_ACT_CLEAR:
		clear();
		break;
	case BSR_ACT_OVERRIDE:
	case BSR_ACT_FORWARD_OVERRIDE:
		timer_start(&bsr.bs_timer, override_ms());
		break;
	case BSR_ACT_ORIGINATE:
		bsr.state = next;
		/* A worse BSR's BSMs get ours, but no faster than BS_Min_Interval. */
		if (ev != BSR_EV_BS_TIMER && clock_ms() < bsr.originated + min_interval_ms()) {
			crpset_changed();
			break;
		}
		originate(bsr.cand.priority);
		timer_start(&bsr.bs_timer, period_s() * 1000u);
		break;
	default:
		break;
	}
	bsr.state = next;
	return act;
}

static bool
forwards(enum bsr_action act)
{
	return act == BSR_ACT_ACCEPT || act == BSR_ACT_FORWARD || act == BSR_ACT_FORWARD_OVERRIDE;
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

/*
 * §3.1.3: a multicast BSM from the RPF neighbour; one sent to a router
 * that has no BSR yet (unicast or No-Forward) from any neighbour, within
 * BS_Period of its start: later, or once it follows a BSR, such a BSM
 * could only be an attempt to plant another RP-set.
 */
static enum pim_drop
check_source(struct pim_if *pif, const struct raw_rx *rx, const struct pim_bsm *m,
    bool multicast)
{
	if (!pif->ifp->cfg->pim.bsm || (!multicast && !pif->ifp->cfg->pim.unicast_bsm))
		return PIM_DROP_BSM_FILTERED;
	if (multicast && !m->no_forward)
		return from_rpf_neighbor(pif, rx, m->bsr) ? PIM_DROP_MAX : PIM_DROP_BSM_RPF;
	if (nbr_find(pif, rx->src) == NULL)
		return PIM_DROP_BSM_RPF;
	return bsr.addr.s_addr == INADDR_ANY && clock_ms() - bsr.started <= period_s() * 1000u ?
	    PIM_DROP_MAX : PIM_DROP_BSM_UNEXPECTED;
}

void
bsr_recv(struct pim_if *pif, const struct raw_rx *rx, const struct pim_bsm *m)
{
	struct in_addr all;
	enum pim_drop why;
	enum bsr_action act;
	bool multicast;

	timers_ready();
	inet_pton(AF_INET, PIM_ALL_ROUTERS, &all);
	multicast = rx->dst.s_addr == all.s_addr;
	if ((why = check_source(pif, rx, m, multicast)) != PIM_DROP_MAX) {
		pim_drop(pif, why, rx->src, NULL);
		return;
	}
	act = bsr_event(classify(m), m);
	if (act == BSR_ACT_ACCEPT)
		frags_keep(m, rx->payload, rx->len);
	if (!forwards(act)) {
		pim_drop(pif, PIM_DROP_BSM_NOT_PREFERRED, rx->src, NULL);
		return;
	}
	if (multicast && !m->no_forward)
		flood(pif, rx->payload, rx->len);
}

void
bsr_crp_adv_local(const struct pim_crp_adv *a)
{
	if (bsr.state == BSR_ELECTED && crpset_adv(a))
		crpset_changed();
}

void
bsr_crp_adv_recv(struct pim_if *pif, const struct raw_rx *rx, const struct pim_crp_adv *a)
{
	timers_ready();
	if (bsr.state != BSR_ELECTED) {
		pim_drop(pif, PIM_DROP_CRP_NOT_BSR, rx->src, NULL);
		return;
	}
	bsr_crp_adv_local(a);
}

/* ---- new neighbours (§3.5) -------------------------------------------------- */

static void
nbr_timer_arm(void)
{
	uint64_t first = UINT64_MAX;

	for (unsigned i = 0; i < bsr.npending; i++)
		if (bsr.pending[i].due < first)
			first = bsr.pending[i].due;
	timer_start_at(&bsr.nbr_timer, first);
}

/* The BSM, with the No-Forward bit, unicast to the neighbour. */
static void
send_to_nbr(const struct bsr_pending *p)
{
	struct iface *ifp = iface_find_index(p->ifindex);
	uint8_t *copy;

	if (ifp == NULL || ifp->pim == NULL || nbr_find(ifp->pim, p->addr) == NULL)
		return;
	for (unsigned i = 0; i < bsr.nfrags; i++) {
		if ((copy = malloc(bsr.frags[i].len)) == NULL)
			fatal("bsr: out of memory");
		memcpy(copy, bsr.frags[i].msg, bsr.frags[i].len);
		pim_bsm_set_no_forward(copy, bsr.frags[i].len);
		pim_send(ifp->pim, p->addr, copy, bsr.frags[i].len, PIM_BOOTSTRAP);
		free(copy);
	}
}

static void
nbr_timer_fired(void *arg)
{
	uint64_t now = clock_ms();

	for (unsigned i = 0; i < bsr.npending;)
		if (bsr.pending[i].due <= now) {
			send_to_nbr(&bsr.pending[i]);
			bsr.pending[i] = bsr.pending[--bsr.npending];
		} else
			i++;
	nbr_timer_arm();
}

/*
 * §3.5: the DR sends it, or every router when the new one is the DR, once
 * its triggered Hello is out (a little after the Hello Timer fires).
 */
void
bsr_nbr_new(struct pim_if *pif, struct in_addr nbr)
{
	timers_ready();
	if (bsr.nfrags == 0 || pif->passive || !pif->ifp->cfg->pim.bsm ||
	    !pif->ifp->cfg->pim.unicast_bsm || bsr.npending == BSR_PENDING_MAX)
		return;
	if (!pim_is_dr(pif) && pif->dr.s_addr != nbr.s_addr)
		return;
	bsr.pending[bsr.npending++] = (struct bsr_pending){ .ifindex = pif->ifp->ifindex,
	    .addr = nbr, .due = clock_ms() + timer_remaining(&pif->hello_timer) + 100 };
	nbr_timer_arm();
}

/* ---- config and life -------------------------------------------------------- */

void
bsr_set_listener(void (*fn)(void))
{
	bsr.listener = fn;
}

/* §3.1.1: a router that becomes a candidate starts in P-BSR. */
static void
become_candidate(void)
{
	struct in_addr self;
	char a[INET_ADDRSTRLEN];

	(void)self_addr(&self);
	log_info("bsr: Candidate-BSR %s, priority %u",
	    bsr.cand.addr.s_addr != INADDR_ANY || bsr.cand.ifname[0] == '\0' ?
	    inet_ntop(AF_INET, &self, a, sizeof(a)) : bsr.cand.ifname, bsr.cand.priority);
	timer_stop(&bsr.sz_timer);
	bsr.state = BSR_PENDING;
	timer_start(&bsr.bs_timer, override_ms());
}

/* Back to following a BSR: the one we know, if another, until BST runs out. */
static void
stop_candidate(void)
{
	log_info("bsr: no longer a Candidate-BSR");
	if (bsr.state == BSR_ELECTED) {
		originate(0);		/* §3.3: the others take over sooner */
		crpset_clear();
		frags_clear();
		bsr.addr.s_addr = INADDR_ANY;
		timer_stop(&bsr.bs_timer);
	}
	bsr.state = bsr.addr.s_addr != INADDR_ANY ? BSR_ACCEPT_PREFERRED : BSR_ACCEPT_ANY;
	timer_start(&bsr.sz_timer, 10 * bsr_bs_timeout_ms(period_s()));
}

void
bsr_apply_config(const struct config *c)
{
	bool was = is_candidate(bsr.state), changed;

	timers_ready();
	changed = bsr.cand.priority != c->bsr.cbsr.priority ||
	    bsr.cand.addr.s_addr != c->bsr.cbsr.addr.s_addr ||
	    strcmp(bsr.cand.ifname, c->bsr.cbsr.ifname) != 0 ||
	    bsr.cand_hash_masklen != c->bsr.hash_masklen;
	/* The last BSM goes out as the candidate this router was. */
	if (!c->bsr.cbsr.enable && was)
		stop_candidate();
	bsr.period_s = c->bsr.bootstrap_period;
	bsr.cand = c->bsr.cbsr;
	bsr.cand_hash_masklen = c->bsr.hash_masklen;
	if (c->bsr.cbsr.enable && !was)
		become_candidate();
	else if (was && changed && bsr.state == BSR_ELECTED)
		crpset_changed();	/* the new priority or hash mask goes out soon */
}

void
bsr_shutdown(void)
{
	if (bsr.state == BSR_ELECTED)
		originate(0);
}

void
bsr_fini(void)
{
	if (bsr.timers_ready) {
		timer_free(&bsr.bs_timer);
		timer_free(&bsr.sz_timer);
		timer_free(&bsr.rp_timer);
		timer_free(&bsr.nbr_timer);
		crpset_fini();
	}
	frags_clear();
	free(bsr.rps);
	memset(&bsr, 0, sizeof(bsr));
}

/* ---- show ------------------------------------------------------------------ */

void
bsr_get(struct bsr_info *i)
{
	i->state = bsr.state;
	i->candidate = is_candidate(bsr.state);
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
