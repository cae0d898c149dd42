/* SPDX-License-Identifier: ISC */
/*
 * The Assert state machines (pimd/assert.c) against RFC 7761 §4.6.1 and
 * §4.6.2: every row of both tables, the macros sg.c reads (§4.6.5), the
 * metric order (§4.6.3), and the checks on received Asserts.
 *
 * Everything assert.c calls is faked here, so the archive gives assert.o
 * and the codec (pim_msg.o): entries the tests make by hand, an olist table
 * that stands for sg.c's joins + pim_include, one route per entry, PIM
 * neighbours, and a pim_send() that decodes and records every Assert.
 * sg_update() re-evaluates as sg.c does: assert_update() last, once more
 * when it changed something.  Time is injected (fake_event.c).
 *
 * The world:
 *   eth1  10.0.1.1  VIF 1  RPF_interface(S) and RPF_interface(RP); neighbours .2 .3
 *   eth2  10.0.2.1  VIF 2  the LAN the Asserts are about; neighbours .2 .3 .9
 *   eth3  10.0.3.1  VIF 3
 *   S = 198.51.100.10 (preference 1, metric 20), RP = 192.0.2.1 (1, 30), G = 239.1.1.1
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert.h"
#include "config.h"
#include "fake_event.h"
#include "iface.h"
#include "log.h"
#include "nbr.h"
#include "pim.h"
#include "pim_msg.h"
#include "pimd.h"
#include "rpf.h"
#include "sg.h"

#define T0		1000000u
#define NIF		3
#define ASSERT_TIME	180
#define OVERRIDE	3
#define MAX_SENT	64
#define PREF_INF	0x7fffffffu
#define METRIC_INF	0xffffffffu

static const char *const S_ADDR = "198.51.100.10";
static const char *const G_ADDR = "239.1.1.1";
static const char *const RP_ADDR = "192.0.2.1";
static const char *const B = "10.0.2.2";	/* a router on the LAN above us */
static const char *const C = "10.0.2.3";
static const struct in_addr any = { INADDR_ANY };

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* ---- log, the daemon --------------------------------------------------------- */

static struct config conf;
struct pimd pimd;

bool
log_debug_on(int sub)
{
	return true;
}

void
log_debugx(int sub, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

void
log_rl_warnx(struct log_rl *rl, const char *fmt, ...)
{
}

void
fatal(const char *fmt, ...)
{
	fail_msg("fatal() called: %s", fmt);
	abort();
}

/* ---- interfaces, neighbours --------------------------------------------------- */

struct iface_list ifaces = TAILQ_HEAD_INITIALIZER(ifaces);
static struct iface ifs[NIF];
static struct pim_if pifs[NIF];

#define ETH1	(&ifs[0])
#define ETH2	(&ifs[1])
#define ETH3	(&ifs[2])

struct iface *
iface_find_vif(int vif)
{
	return vif >= 1 && vif <= NIF ? &ifs[vif - 1] : NULL;
}

static const char *const nbr_addrs[] = { "10.0.1.2", "10.0.1.3", B, C, "10.0.2.9" };
static struct pim_nbr nbrs[sizeof(nbr_addrs) / sizeof(nbr_addrs[0])];

struct pim_nbr *
nbr_find(struct pim_if *pif, struct in_addr a)
{
	for (size_t i = 0; i < sizeof(nbrs) / sizeof(nbrs[0]); i++)
		if (ip(nbr_addrs[i]).s_addr == a.s_addr &&
		    ((ntohl(a.s_addr) ^ ntohl(pif->addr.s_addr)) & 0xffffff00u) == 0)
			return &nbrs[i];
	return NULL;
}

#define PROPAGATION_MS	500u

uint16_t
nbr_effective_propagation_delay(const struct pim_if *pif)
{
	return PROPAGATION_MS;
}

/* ---- sending: every Assert decoded ------------------------------------------- */

struct sent {
	struct iface	*ifp;
	struct pim_assert a;
	uint64_t	at;
};

static struct sent sent[MAX_SENT];
static unsigned nsent;

void
pim_send(struct pim_if *pif, struct in_addr dst, const uint8_t *buf, size_t len,
    enum pim_type type)
{
	assert_int_equal(type, PIM_ASSERT);
	assert_int_equal(dst.s_addr, ip("224.0.0.13").s_addr);
	assert_true(nsent < MAX_SENT);
	assert_int_equal(buf[0], 0x20 | PIM_ASSERT);
	assert_int_equal(pim_assert_decode(buf + PIM_HDR_LEN, len - PIM_HDR_LEN,
	    &sent[nsent].a), PIM_OK);
	sent[nsent].ifp = pif->ifp;
	sent[nsent].at = clock_ms();
	nsent++;
}

/* The last Assert sent went out of ifp with this source, RPT bit and metric. */
static void
assert_sent(struct iface *ifp, const char *src, bool rpt, uint32_t pref, uint32_t metric)
{
	const struct pim_assert *a;

	assert_true(nsent > 0);
	a = &sent[nsent - 1].a;
	assert_ptr_equal(sent[nsent - 1].ifp, ifp);
	assert_int_equal(a->group.s_addr, ip(G_ADDR).s_addr);
	assert_int_equal(a->masklen, 32);
	assert_int_equal(a->source.s_addr, ip(src).s_addr);
	assert_int_equal(a->rpt, rpt);
	assert_int_equal(a->preference, pref);
	assert_int_equal(a->metric, metric);
}

/* ---- routes -------------------------------------------------------------------- */

static struct sg sgS, sgW;			/* (S,G) and (*,G) */
static struct rpf rS, rRP;			/* their routes */

const struct rpf *
rpf_get(const struct rpf_watch *w)
{
	return w == &sgS.rpf ? &rS : w == &sgW.rpf ? &rRP : NULL;
}

/* ---- entries: what sg.c would have --------------------------------------------- */

/* Any order does for the tests' two entries. */
static int
entry_cmp(const struct sg *a, const struct sg *b)
{
	return memcmp(&a->src, &b->src, sizeof(a->src)) ?: memcmp(&a->grp, &b->grp,
	    sizeof(a->grp));
}

RB_GENERATE(sg_tree, sg, entry, entry_cmp)
struct sg_tree sgs = RB_INITIALIZER(&sgs);

static bool olist[2][NIF];			/* [wc][interface]: joins + pim_include */
static unsigned nupdate, nrpf_assert;

struct sg *
sg_find(struct in_addr src, struct in_addr grp)
{
	struct sg key = { .src = src, .grp = grp };

	return RB_FIND(sg_tree, &sgs, &key);
}

const char *
sg_str(const struct sg *sg)
{
	return sg_is_wc(sg) ? "(*,G)" : "(S,G)";
}

bool
sg_in_olist(struct sg *sg, const struct iface *ifp)
{
	return olist[sg_is_wc(sg)][ifp - ifs];
}

/* No (S,G,rpt) prunes or EXCLUDE members here: the (*,G) olist as it is. */
bool
sg_in_rpt_joins(const struct sg *sg, const struct iface *ifp)
{
	return olist[1][ifp - ifs];
}

/* As sg.c: the olists, then assert_update(), again when that changed something. */
void
sg_update(struct sg *sg)
{
	nupdate++;
	if (assert_update(sg))
		sg_update(sg);
}

/* As sg.c: RPF' is the winner where we lost on the RPF interface. */
void
sg_rpf_assert_changed(struct sg *sg)
{
	struct in_addr nbr = ip("10.0.1.2");	/* MRIB.next_hop */

	nrpf_assert++;
	assert_rpf_nbr(sg, sg->rpf_ifp, &nbr);
	sg->rpf_nbr = nbr;
}

static void
route(struct rpf *r, const char *target, uint32_t pref, uint32_t metric)
{
	*r = (struct rpf){ .target = ip(target), .valid = true, .ifindex = 11,
	    .nexthop = ip("10.0.1.2"), .metric = metric, .preference = pref };
}

static void
entry_add(struct sg *e, const char *src)
{
	memset(e, 0, sizeof(*e));
	e->src = src != NULL ? ip(src) : any;
	e->grp = ip(G_ADDR);
	e->rpf_ifp = ETH1;
	e->rpf_nbr = ip("10.0.1.2");
	e->rp = ip(RP_ADDR);
	LIST_INIT(&e->ds);
	RB_INSERT(sg_tree, &sgs, e);
}

/* ---- the world ------------------------------------------------------------- */

static void
iface_make(unsigned i, const char *name, int vif, const char *addr)
{
	struct iface *ifp = &ifs[i];

	memset(ifp, 0, sizeof(*ifp));
	memset(&pifs[i], 0, sizeof(pifs[i]));
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	ifp->ifindex = 11 + (int)i;
	ifp->vif = vif;
	ifp->primary = ip(addr);
	pifs[i].ifp = ifp;
	pifs[i].addr = ifp->primary;
	TAILQ_INIT(&pifs[i].nbrs);
	ifp->pim = &pifs[i];
	TAILQ_INSERT_TAIL(&ifaces, ifp, entry);
}

static int
setup(void **state)
{
	fake_time_reset(T0);
	TAILQ_INIT(&ifaces);
	iface_make(0, "eth1", 1, "10.0.1.1");
	iface_make(1, "eth2", 2, "10.0.2.1");
	iface_make(2, "eth3", 3, "10.0.3.1");
	RB_INIT(&sgs);
	memset(&sgS, 0, sizeof(sgS));
	memset(&sgW, 0, sizeof(sgW));
	route(&rS, S_ADDR, 1, 20);
	route(&rRP, RP_ADDR, 1, 30);
	memset(olist, 0, sizeof(olist));
	nsent = nupdate = nrpf_assert = 0;
	memset(&assert_cnt, 0, sizeof(assert_cnt));
	memset(&conf, 0, sizeof(conf));
	conf.assert_time = ASSERT_TIME;
	conf.assert_override_interval = OVERRIDE;
	pimd.conf = &conf;
	return 0;
}

static int
teardown(void **state)
{
	struct sg *e;

	while ((e = RB_MIN(sg_tree, &sgs)) != NULL) {
		assert_free(e);
		assert_null(e->asserts);
		RB_REMOVE(sg_tree, &sgs, e);
	}
	assert_int_equal(fake_timers_pending(), 0);
	return 0;
}

/* ---- helpers: one machine at a time ---------------------------------------------- */

/* The entry whose machine a test walks: (S,G), or (*,G) with wc. */
static struct sg *
E(bool wc)
{
	return wc ? &sgW : &sgS;
}

/* Entries for the machine: (S,G) on the SPT, or (*,G) alone; both forward onto eth2. */
static void
world(bool wc)
{
	if (wc)
		entry_add(&sgW, NULL);
	else
		entry_add(&sgS, S_ADDR);
	olist[wc][1] = true;
}

static const struct assert_if *
st(bool wc, const struct iface *ifp)
{
	const struct assert_if *a;

	if (E(wc)->asserts == NULL)
		return NULL;
	TAILQ_FOREACH(a, E(wc)->asserts, entry)
		if (a->ifp == ifp)
			return a;
	return NULL;
}

static enum assert_state
state(bool wc, const struct iface *ifp)
{
	const struct assert_if *a = st(wc, ifp);

	return a != NULL ? a->state : ASSERT_NOINFO;
}

/* A received Assert on ifp from `from`, naming src (NULL: S for (S,G), the RP for (*,G)). */
static void
recv_assert(struct iface *ifp, const char *from, bool wc, const char *src, bool rpt,
    uint32_t pref, uint32_t metric)
{
	struct pim_assert a = { .group = ip(G_ADDR), .masklen = 32, .rpt = rpt,
	    .preference = pref, .metric = metric };
	uint8_t buf[64];
	size_t len;

	a.source = ip(src != NULL ? src : wc ? RP_ADDR : S_ADDR);
	len = pim_assert_encode(buf, sizeof(buf), &a);
	assert_true(len > PIM_HDR_LEN);
	assert_recv(ifp->pim, ip(from), buf + PIM_HDR_LEN, len - PIM_HDR_LEN);
}

/* Asserts with the machine's own RPT bit: worse, better than ours, from `from`. */
static void
inferior(bool wc, const char *from)
{
	recv_assert(ETH2, from, wc, NULL, wc, 100, 1);
}

static void
preferred(bool wc, const char *from)
{
	recv_assert(ETH2, from, wc, NULL, wc, 0, 5);
}

static void
data(void)
{
	assert_wrongvif(ip(S_ADDR), ip(G_ADDR), 2);
}

static uint32_t
my_metric(bool wc)
{
	return wc ? 30 : 20;
}

/*
 * Our own Assert went out on eth2 for the machine.  A (*,G) one names the
 * source of the data that set it off, else the RP.
 */
static void
assert_mine(bool wc, const char *wc_src)
{
	assert_sent(ETH2, wc ? wc_src : S_ADDR, wc, 1, my_metric(wc));
}

static void
to_winner(bool wc)
{
	world(wc);
	data();
	assert_int_equal(state(wc, ETH2), ASSERT_WINNER);
	nsent = 0;
}

static void
to_loser(bool wc)
{
	world(wc);
	preferred(wc, B);
	assert_int_equal(state(wc, ETH2), ASSERT_LOSER);
	nsent = 0;
}

/* ---- NoInfo ------------------------------------------------------------------ */

/* NI, data and CouldAssert -> W, A1: our Assert, AT = Assert_Time - Override, winner me. */
static void
ni_data_could_assert(bool wc)
{
	const struct assert_if *a;

	world(wc);
	olist[wc][1] = false;
	data();					/* CouldAssert false: nothing */
	assert_int_equal(state(wc, ETH2), ASSERT_NOINFO);
	assert_int_equal(nsent, 0);
	olist[wc][1] = true;
	data();
	a = st(wc, ETH2);
	assert_non_null(a);
	assert_int_equal(a->state, ASSERT_WINNER);
	assert_int_equal(a->winner.addr.s_addr, ip("10.0.2.1").s_addr);
	assert_int_equal(timer_remaining(&a->timer), (ASSERT_TIME - OVERRIDE) * 1000u);
	assert_int_equal(nsent, 1);
	assert_mine(wc, S_ADDR);
	assert_true(assert_won(E(wc), ETH2));
	assert_false(assert_lost(E(wc), ETH2));
	assert_int_equal(assert_cnt.won, 1);
}

/* NI, Inferior Assert and CouldAssert -> W, A1. */
static void
ni_inferior_could_assert(bool wc)
{
	world(wc);
	olist[wc][1] = false;
	inferior(wc, B);			/* without CouldAssert: ignored */
	assert_int_equal(state(wc, ETH2), ASSERT_NOINFO);
	assert_int_equal(assert_cnt.ignored, 1);
	olist[wc][1] = true;
	inferior(wc, B);
	assert_int_equal(state(wc, ETH2), ASSERT_WINNER);
	assert_int_equal(nsent, 1);
	assert_mine(wc, RP_ADDR);
}

/* (S,G) NI, Assert with the RPT bit (even a better metric) and CouldAssert -> W, A1. */
static void
ni_rpt_assert_could_assert_sg(void **state_)
{
	world(false);
	recv_assert(ETH2, B, false, NULL, true, 0, 0);
	assert_int_equal(state(false, ETH2), ASSERT_WINNER);
	assert_mine(false, S_ADDR);
}

/* NI, Acceptable Assert and AssertTrackingDesired -> L, A6 / A2: winner stored, AT = Assert_Time. */
static void
ni_acceptable_tracking(bool wc)
{
	const struct assert_if *a;

	world(wc);
	olist[wc][1] = false;
	preferred(wc, B);			/* AssertTrackingDesired false: ignored */
	assert_int_equal(state(wc, ETH2), ASSERT_NOINFO);
	olist[wc][1] = true;
	preferred(wc, B);
	a = st(wc, ETH2);
	assert_non_null(a);
	assert_int_equal(a->state, ASSERT_LOSER);
	assert_int_equal(a->winner.addr.s_addr, ip(B).s_addr);
	assert_int_equal(a->winner.preference, 0);
	assert_int_equal(a->winner.metric, 5);
	assert_int_equal(timer_remaining(&a->timer), ASSERT_TIME * 1000u);
	assert_int_equal(nsent, 0);
	assert_true(assert_lost(E(wc), ETH2));
	assert_false(assert_won(E(wc), ETH2));
	assert_int_equal(assert_cnt.lost, 1);
}

/*
 * A6 on the RPF interface, where we are downstream and joined: the winner
 * becomes RPF' (§4.6.5) and, for (S,G), the SPT bit is set.
 */
static void
ni_acceptable_on_rpf_interface(bool wc)
{
	struct in_addr nbr = any;

	world(wc);
	if (!wc)
		entry_add(&sgW, NULL);	/* so that the SPT bit matters */
	E(wc)->up = SG_UP_JOINED;
	recv_assert(ETH1, "10.0.1.3", wc, NULL, wc, 0, 5);
	assert_int_equal(state(wc, ETH1), ASSERT_LOSER);
	assert_int_equal(nrpf_assert, 1);
	assert_int_equal(E(wc)->rpf_nbr.s_addr, ip("10.0.1.3").s_addr);
	assert_rpf_nbr(E(wc), ETH1, &nbr);
	assert_int_equal(nbr.s_addr, ip("10.0.1.3").s_addr);
	assert_false(assert_lost(E(wc), ETH1));	/* the RPF interface is never lost */
	assert_int_equal(sgS.spt, !wc);
}

/* ---- I am Assert Winner ---------------------------------------------------------- */

/* W, the Assert Timer expires -> W, A3: our Assert again, AT restarted. */
static void
w_timer(bool wc)
{
	to_winner(wc);
	fake_advance((ASSERT_TIME - OVERRIDE) * 1000u);
	assert_int_equal(state(wc, ETH2), ASSERT_WINNER);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].at, T0 + (ASSERT_TIME - OVERRIDE) * 1000u);
	assert_mine(wc, S_ADDR);
	assert_int_equal(timer_remaining(&st(wc, ETH2)->timer), (ASSERT_TIME - OVERRIDE) * 1000u);
}

/* W, Inferior Assert -> W, A3. */
static void
w_inferior(bool wc)
{
	to_winner(wc);
	inferior(wc, B);
	assert_int_equal(state(wc, ETH2), ASSERT_WINNER);
	assert_int_equal(nsent, 1);
	assert_mine(wc, S_ADDR);
}

/* W, Preferred Assert -> L, A2. */
static void
w_preferred(bool wc)
{
	to_winner(wc);
	preferred(wc, B);
	assert_int_equal(state(wc, ETH2), ASSERT_LOSER);
	assert_int_equal(st(wc, ETH2)->winner.addr.s_addr, ip(B).s_addr);
	assert_int_equal(timer_remaining(&st(wc, ETH2)->timer), ASSERT_TIME * 1000u);
	assert_int_equal(nsent, 0);
	assert_true(nupdate > 0);
}

/* W, CouldAssert -> FALSE -> NI, A4: AssertCancel (RPT bit, infinite metric). */
static void
w_could_assert_false(bool wc)
{
	to_winner(wc);
	olist[wc][1] = false;
	sg_update(E(wc));
	assert_int_equal(state(wc, ETH2), ASSERT_NOINFO);
	assert_null(E(wc)->asserts);
	assert_int_equal(nsent, 1);
	/* an AssertCancel(*,G) names RP(G), one for (S,G) names S */
	assert_sent(ETH2, wc ? RP_ADDR : S_ADDR, true, PREF_INF, METRIC_INF);
	assert_int_equal(assert_cnt.cancels_sent, 1);
}

/* W, data on the interface (another router forwards too) -> W, A3 (see assert.c). */
static void
w_data(bool wc)
{
	to_winner(wc);
	data();
	assert_int_equal(state(wc, ETH2), ASSERT_WINNER);
	assert_int_equal(nsent, 1);
	assert_mine(wc, S_ADDR);
}

/* ---- I am Assert Loser ------------------------------------------------------------ */

/* L, Preferred Assert -> L, A2: the new winner. */
static void
l_preferred(bool wc)
{
	to_loser(wc);
	fake_advance(10000);
	recv_assert(ETH2, C, wc, NULL, wc, 0, 1);
	assert_int_equal(state(wc, ETH2), ASSERT_LOSER);
	assert_int_equal(st(wc, ETH2)->winner.addr.s_addr, ip(C).s_addr);
	assert_int_equal(timer_remaining(&st(wc, ETH2)->timer), ASSERT_TIME * 1000u);
	/* one not better than the winner's, from another router: ignored */
	recv_assert(ETH2, B, wc, NULL, wc, 0, 4);
	assert_int_equal(st(wc, ETH2)->winner.addr.s_addr, ip(C).s_addr);
	assert_int_equal(assert_cnt.ignored, 1);
}

/* L, Acceptable Assert from the winner (worse than before, better than ours) -> L, A2. */
static void
l_acceptable_from_winner(bool wc)
{
	to_loser(wc);
	fake_advance(10000);
	recv_assert(ETH2, B, wc, NULL, wc, 1, 2);
	assert_int_equal(state(wc, ETH2), ASSERT_LOSER);
	assert_int_equal(st(wc, ETH2)->winner.metric, 2);
	assert_int_equal(timer_remaining(&st(wc, ETH2)->timer), ASSERT_TIME * 1000u);
}

/* L, Inferior Assert or AssertCancel from the winner -> NI, A5. */
static void
l_inferior_or_cancel_from_winner(bool wc)
{
	to_loser(wc);
	inferior(wc, C);			/* not from the winner: ignored */
	assert_int_equal(state(wc, ETH2), ASSERT_LOSER);
	inferior(wc, B);
	assert_int_equal(state(wc, ETH2), ASSERT_NOINFO);
	assert_false(assert_lost(E(wc), ETH2));
	preferred(wc, B);
	assert_int_equal(state(wc, ETH2), ASSERT_LOSER);
	recv_assert(ETH2, B, wc, NULL, true, PREF_INF, METRIC_INF);
	assert_int_equal(state(wc, ETH2), ASSERT_NOINFO);
	assert_int_equal(nsent, 0);
}

/* L, the Assert Timer expires -> NI, A5: forwarding again. */
static void
l_timer(bool wc)
{
	to_loser(wc);
	fake_advance(ASSERT_TIME * 1000u - 1);
	assert_int_equal(state(wc, ETH2), ASSERT_LOSER);
	fake_advance(1);
	assert_int_equal(state(wc, ETH2), ASSERT_NOINFO);
	assert_false(assert_lost(E(wc), ETH2));
}

/* L, the winner's GenID changes or its NLT expires -> NI, A5; RPF' is for sg.c's refresh. */
static void
l_winner_gone(bool wc)
{
	to_loser(wc);
	assert_nbr_gone(ETH2->pim, ip(C));	/* someone else */
	assert_int_equal(state(wc, ETH2), ASSERT_LOSER);
	assert_nbr_gone(ETH2->pim, ip(B));
	assert_int_equal(state(wc, ETH2), ASSERT_NOINFO);
	/* on the RPF interface the change is a neighbour one, not an Assert one */
	E(wc)->up = SG_UP_JOINED;
	recv_assert(ETH1, "10.0.1.3", wc, NULL, wc, 0, 5);
	assert_int_equal(state(wc, ETH1), ASSERT_LOSER);
	nrpf_assert = 0;
	assert_nbr_gone(ETH1->pim, ip("10.0.1.3"));
	assert_int_equal(state(wc, ETH1), ASSERT_NOINFO);
	assert_int_equal(nrpf_assert, 0);
}

/* L, AssertTrackingDesired -> FALSE -> NI, A5. */
static void
l_tracking_false(bool wc)
{
	to_loser(wc);
	olist[wc][1] = false;
	sg_update(E(wc));
	assert_int_equal(state(wc, ETH2), ASSERT_NOINFO);
	assert_int_equal(nsent, 0);
}

/*
 * L, my_metric -> better than the winner's -> NI, A5; the old winner still
 * forwards, so we assert at once: -> W, A1, and forward once it has had
 * the LAN's propagation delay to stop.
 */
static void
l_metric_better(bool wc)
{
	to_loser(wc);
	route(wc ? &rRP : &rS, wc ? RP_ADDR : S_ADDR, 0, 4);
	sg_update(E(wc));
	assert_int_equal(state(wc, ETH2), ASSERT_WINNER);
	assert_int_equal(nsent, 1);
	assert_sent(ETH2, wc ? RP_ADDR : S_ADDR, wc, 0, 4);
	assert_int_equal(assert_cnt.won, 1);
	assert_true(assert_won(E(wc), ETH2));
	assert_true(assert_lost(E(wc), ETH2));	/* handing over */
	nupdate = 0;
	fake_advance(PROPAGATION_MS - 1);
	assert_true(assert_lost(E(wc), ETH2));
	fake_advance(1);
	assert_false(assert_lost(E(wc), ETH2));
	assert_int_equal(nupdate, 1);		/* and the olists follow */
}

/* L, RPF_interface stops being I -> NI, A5. */
static void
l_rpf_moved(bool wc)
{
	world(wc);
	E(wc)->up = SG_UP_JOINED;
	recv_assert(ETH1, "10.0.1.3", wc, NULL, wc, 0, 5);
	assert_int_equal(state(wc, ETH1), ASSERT_LOSER);
	sg_update(E(wc));
	assert_int_equal(state(wc, ETH1), ASSERT_LOSER);
	E(wc)->rpf_ifp = ETH3;
	sg_update(E(wc));
	assert_int_equal(state(wc, ETH1), ASSERT_NOINFO);
}

/* L, Receive Join on I -> NI, A5. */
static void
l_join(bool wc)
{
	to_loser(wc);
	assert_join_received(E(wc), ETH3);	/* another interface */
	assert_int_equal(state(wc, ETH2), ASSERT_LOSER);
	assert_join_received(E(wc), ETH2);
	assert_int_equal(state(wc, ETH2), ASSERT_NOINFO);
}

#define BOTH(fn) \
	static void fn##_sg(void **s) { fn(false); } \
	static void fn##_wc(void **s) { fn(true); }

BOTH(ni_data_could_assert)
BOTH(ni_inferior_could_assert)
BOTH(ni_acceptable_tracking)
BOTH(ni_acceptable_on_rpf_interface)
BOTH(w_timer)
BOTH(w_inferior)
BOTH(w_preferred)
BOTH(w_could_assert_false)
BOTH(w_data)
BOTH(l_preferred)
BOTH(l_acceptable_from_winner)
BOTH(l_inferior_or_cancel_from_winner)
BOTH(l_timer)
BOTH(l_winner_gone)
BOTH(l_tracking_false)
BOTH(l_metric_better)
BOTH(l_rpf_moved)
BOTH(l_join)

/* ---- across the machines ------------------------------------------------------------ */

/* §4.6.3: RPT bit first (clear wins), then preference, metric, and the higher address. */
static void
metric_order(void **state_)
{
	world(false);
	data();					/* we: 0 / 1 / 20 / 10.0.2.1 */
	recv_assert(ETH2, B, false, NULL, false, 2, 0);	/* worse preference */
	assert_int_equal(state(false, ETH2), ASSERT_WINNER);
	recv_assert(ETH2, B, false, NULL, false, 1, 21);	/* worse metric */
	assert_int_equal(state(false, ETH2), ASSERT_WINNER);
	recv_assert(ETH2, "10.0.2.9", false, NULL, true, 0, 0);	/* RPT bit */
	assert_int_equal(state(false, ETH2), ASSERT_WINNER);
	recv_assert(ETH2, B, false, NULL, false, 1, 20);	/* a tie: B's address is higher */
	assert_int_equal(state(false, ETH2), ASSERT_LOSER);
	assert_int_equal(st(false, ETH2)->winner.addr.s_addr, ip(B).s_addr);
}

/*
 * §4.6: the (S,G) machine first; an Assert it takes (here one with the RPT
 * bit, which our SPT state beats) makes no (*,G) transition, while one
 * naming a source without (S,G) state goes to the (*,G) machine.
 */
static void
sg_before_wc(void **state_)
{
	world(false);
	world(true);
	sgS.spt = true;
	recv_assert(ETH2, B, true, S_ADDR, true, 0, 0);
	assert_int_equal(state(false, ETH2), ASSERT_WINNER);
	assert_int_equal(state(true, ETH2), ASSERT_NOINFO);
	recv_assert(ETH2, B, true, "198.51.100.99", true, 0, 0);
	assert_int_equal(state(true, ETH2), ASSERT_LOSER);
	/* an (S,G) Assert for a source we have no (S,G) for is nobody's */
	recv_assert(ETH2, B, false, "198.51.100.98", false, 0, 0);
	assert_int_equal(assert_cnt.ignored, 1);
}

/* §4.2: data of an (S,G) on the RP tree (no SPT bit) sets off the (*,G) machine. */
static void
rp_tree_data_is_wc(void **state_)
{
	world(true);
	world(false);
	sgS.spt = true;
	data();
	assert_int_equal(state(false, ETH2), ASSERT_WINNER);
	assert_int_equal(state(true, ETH2), ASSERT_NOINFO);
	assert_free(&sgS);
	sgS.spt = false;
	data();
	assert_int_equal(state(false, ETH2), ASSERT_NOINFO);
	assert_int_equal(state(true, ETH2), ASSERT_WINNER);
	assert_sent(ETH2, S_ADDR, true, 1, 30);
}

/* Malformed Asserts are counted and dropped, so are Asserts from non-neighbours. */
static void
recv_checks(void **state_)
{
	static const uint8_t too_short[] = { 1, 0, 0, 32, 239, 1, 1, 1 };
	struct pim_assert a = { .group = ip(G_ADDR), .masklen = 24, .source = ip(S_ADDR) };
	uint8_t buf[64];
	size_t len;

	world(false);
	assert_recv(ETH2->pim, ip(B), too_short, sizeof(too_short));
	assert_int_equal(ETH2->pim->cnt.decode[PIM_ERR_SHORT], 1);
	len = pim_assert_encode(buf, sizeof(buf), &a);
	assert_recv(ETH2->pim, ip(B), buf + PIM_HDR_LEN, len - PIM_HDR_LEN);
	assert_int_equal(ETH2->pim->cnt.decode[PIM_ERR_ENCODING], 1);
	a.masklen = 32;
	len = pim_assert_encode(buf, sizeof(buf), &a);
	buf[PIM_HDR_LEN + 4] = 10;		/* the group: 10.1.1.1 */
	assert_recv(ETH2->pim, ip(B), buf + PIM_HDR_LEN, len - PIM_HDR_LEN);
	assert_int_equal(ETH2->pim->cnt.decode[PIM_ERR_GROUP], 1);
	assert_int_equal(ETH2->pim->cnt.drop[PIM_DROP_DECODE], 3);
	assert_int_equal(assert_cnt.malformed, 3);
	recv_assert(ETH2, "10.0.2.77", false, NULL, false, 0, 0);
	assert_int_equal(ETH2->pim->cnt.drop[PIM_DROP_NOT_NEIGHBOR], 1);
	assert_int_equal(assert_cnt.received, 0);
	assert_int_equal(state(false, ETH2), ASSERT_NOINFO);
	assert_string_equal(assert_state_name(ASSERT_LOSER), "loser");
}

/* Nothing asserts where PIM does not speak, and show's metric is the infinite one there. */
static void
passive_interface(void **state_)
{
	struct assert_metric m;

	world(false);
	pifs[1].passive = true;
	data();
	assert_int_equal(state(false, ETH2), ASSERT_NOINFO);
	pifs[1].passive = false;
	data();
	assert_my_metric(st(false, ETH2), &m);
	assert_int_equal(m.metric, 20);
	pifs[1].passive = true;
	sg_update(&sgS);			/* CouldAssert false: A4, but nothing to send on */
	assert_int_equal(state(false, ETH2), ASSERT_NOINFO);
	assert_int_equal(nsent, 1);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define M(fn)	T(fn##_sg), T(fn##_wc)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* NoInfo, §4.6.1 (S,G) and §4.6.2 (*,G) */
		M(ni_data_could_assert),
		M(ni_inferior_could_assert),
		T(ni_rpt_assert_could_assert_sg),
		M(ni_acceptable_tracking),
		M(ni_acceptable_on_rpf_interface),
		/* I am Assert Winner */
		M(w_timer),
		M(w_inferior),
		M(w_preferred),
		M(w_could_assert_false),
		M(w_data),
		/* I am Assert Loser */
		M(l_preferred),
		M(l_acceptable_from_winner),
		M(l_inferior_or_cancel_from_winner),
		M(l_timer),
		M(l_winner_gone),
		M(l_tracking_false),
		M(l_metric_better),
		M(l_rpf_moved),
		M(l_join),
		/* across */
		T(metric_order),
		T(sg_before_wc),
		T(rp_tree_data_is_wc),
		T(recv_checks),
		T(passive_interface),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
