/* SPDX-License-Identifier: ISC */
/*
 * PIM-SM routing state (pimd/sg.c) against RFC 7761: the downstream
 * per-interface machines of §4.5.1 and §4.5.2, the upstream machines of
 * §4.5.4 and §4.5.5, the (S,G,rpt) ones of §4.5.3 and §4.5.7, the olists of §4.1.6 as they reach the kernel's MFC,
 * and the data-driven state of §4.2 (Keepalive Timer, SPT bit).
 *
 * Everything sg.c calls is faked here, so the archive gives only sg.o:
 * three interfaces with VIFs 1-3, PIM neighbours, one route per target
 * that a test sets and "changes" by calling the RPF watch callbacks the
 * way rpf.c does, IGMP groups, the RP set, and a kernel MFC table that
 * records every add and delete.  Every Join/Prune sg.c sends is recorded.
 * The Assert machines (assert.c) are a table of won and lost interfaces a
 * test fills in, as assert_lost()/assert_won() would answer.
 * Time is injected (fake_event.c), whose rand_ms() and jitter_ms() return
 * the middle of their range.
 *
 * The world:
 *   eth1  10.0.1.1/24  VIF 1  neighbour 10.0.1.2 (toward S and the RP)
 *   eth2  10.0.2.1/24  VIF 2  neighbour 10.0.2.2 (downstream)
 *   eth3  10.0.3.1/24  VIF 3  neighbour 10.0.3.2, IGMP hosts
 *   S = 198.51.100.10, G = 239.1.1.1, RP = 192.0.2.1, SSM = 232.0.0.0/8
 * We are the DR on every interface unless a test says otherwise.
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
#include "igmp.h"
#include "join_prune.h"
#include "log.h"
#include "mroute.h"
#include "mrt.h"
#include "nbr.h"
#include "pim.h"
#include "pimd.h"
#include "register.h"
#include "rp.h"
#include "rpf.h"
#include "rpt.h"
#include "sg.h"

#define T0		1000000u
#define NIF		3
#define MAX_NBRS	16
#define MAX_ROUTES	16
#define MAX_WATCHES	64
#define MAX_JP		256
#define MAX_MFC		32
#define MAX_MEMBERS	8

#define PERIOD_MS	60000u		/* t_periodic */
#define OVERRIDE_MS	2500u		/* Effective_Override_Interval */
#define JP_OVERRIDE_MS	3000u		/* J/P_Override_Interval = 500 + 2500 */
#define KAT_MS		210000u
#define HT		210		/* a Join's holdtime, s */

static const char *const S_ADDR = "198.51.100.10";
static const char *const G_ADDR = "239.1.1.1";
static const char *const RP_ADDR = "192.0.2.1";
static const char *const SSM_ADDR = "232.1.1.1";

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static const struct in_addr any = { INADDR_ANY };

/* ---- log, the daemon --------------------------------------------------------- */

static char last_log[256];
static struct config conf;
struct pimd pimd;

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
}

/* Debug on: every debug line is formatted, so its arguments are checked. */
bool
log_debug_on(int sub)
{
	return true;
}

void
log_debugx(int sub, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	fail_msg("fatal() called: %s", fmt);
	abort();
}

/* ---- interfaces, neighbours, DR ------------------------------------------- */

struct iface_list ifaces = TAILQ_HEAD_INITIALIZER(ifaces);
static struct iface ifs[NIF];
static struct pim_if pifs[NIF];
static struct igmp_if igis[NIF];
static bool dr[NIF];

#define ETH1	(&ifs[0])
#define ETH2	(&ifs[1])
#define ETH3	(&ifs[2])

struct iface *
iface_find_index(int ifindex)
{
	struct iface *ifp;

	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->ifindex == ifindex)
			return ifp;
	return NULL;
}

bool
iface_on_link(const struct iface *ifp, struct in_addr a)
{
	return ((ntohl(a.s_addr) ^ ntohl(ifp->primary.s_addr)) & 0xffffff00u) == 0;
}

bool
pim_is_dr(const struct pim_if *pif)
{
	return dr[pif - pifs];
}

static struct pim_nbr nbrs[MAX_NBRS];
static unsigned nnbrs;

struct pim_nbr *
nbr_find(struct pim_if *pif, struct in_addr a)
{
	for (unsigned i = 0; i < nnbrs; i++)
		if (nbrs[i].pif == pif && nbrs[i].addr.s_addr == a.s_addr)
			return &nbrs[i];
	return NULL;
}

static void
nbr_add(struct iface *ifp, const char *a)
{
	assert_true(nnbrs < MAX_NBRS);
	nbrs[nnbrs].pif = ifp->pim;
	nbrs[nnbrs].addr = ip(a);
	nnbrs++;
	ifp->pim->nnbr++;
}

uint16_t
nbr_effective_override_interval(const struct pim_if *pif)
{
	return OVERRIDE_MS;
}

static bool tracking;		/* every neighbour sets the T bit */

bool
nbr_suppression_enabled(const struct pim_if *pif)
{
	return !tracking;
}

/* ---- Join/Prune sending ------------------------------------------------------ */

struct jp {
	struct pim_if	*pif;
	struct in_addr	upstream, addr, grp;
	enum jp_kind	kind;
	bool		join;
	uint64_t	at;
};

static struct jp jps[MAX_JP];
static unsigned njp;		/* every one sent; the first MAX_JP are kept */
static uint32_t period_ms;

void
jp_send(struct pim_if *pif, struct in_addr upstream, struct in_addr addr,
    struct in_addr grp, enum jp_kind kind, bool join)
{
	if (njp < MAX_JP)
		jps[njp] = (struct jp){ pif, upstream, addr, grp, kind, join, clock_ms() };
	njp++;
}

uint32_t
jp_period_ms(const struct pim_if *pif)
{
	return period_ms;
}

uint32_t
jp_override_ms(const struct pim_if *pif)
{
	return JP_OVERRIDE_MS;
}

/* Message i went out of ifp to upstream: Join or Prune of (addr, G) of a kind. */
static void
assert_jp_kind(unsigned i, struct iface *ifp, const char *upstream, const char *addr,
    const char *grp, enum jp_kind kind, bool join)
{
	assert_true(i < njp);
	assert_ptr_equal(jps[i].pif, ifp->pim);
	assert_int_equal(jps[i].upstream.s_addr, ip(upstream).s_addr);
	assert_int_equal(jps[i].addr.s_addr, ip(addr).s_addr);
	assert_int_equal(jps[i].grp.s_addr, ip(grp).s_addr);
	assert_int_equal(jps[i].kind, kind);
	assert_int_equal(jps[i].join, join);
}

/* The same for (*,G) (wc) or (S,G). */
static void
assert_jp(unsigned i, struct iface *ifp, const char *upstream, const char *addr,
    const char *grp, bool wc, bool join)
{
	assert_jp_kind(i, ifp, upstream, addr, grp, wc ? JP_WC : JP_SG, join);
}

/* How many Joins (join) or Prunes of (addr, G), or of (addr, G, rpt), were sent. */
static unsigned
njp_count(const char *addr, bool rpt, bool is_join)
{
	unsigned n = 0;

	for (unsigned i = 0; i < njp && i < MAX_JP; i++)
		n += jps[i].addr.s_addr == ip(addr).s_addr && jps[i].join == is_join &&
		    (jps[i].kind == JP_SG_RPT) == rpt;
	return n;
}

/* The index of the first of them. */
static unsigned
jp_first(const char *addr, bool rpt, bool is_join)
{
	for (unsigned i = 0; i < njp && i < MAX_JP; i++)
		if (jps[i].addr.s_addr == ip(addr).s_addr && jps[i].join == is_join &&
		    (jps[i].kind == JP_SG_RPT) == rpt)
			return i;
	fail_msg("no such Join/Prune");
	return 0;
}

static unsigned
njp_find(const char *addr, bool is_join)
{
	return njp_count(addr, false, is_join);
}

static unsigned
jp_index(const char *addr, bool is_join)
{
	return jp_first(addr, false, is_join);
}

/* ---- routes and RPF watches (rpf.c) ----------------------------------------- */

struct route {
	struct in_addr	target;
	bool		valid, local;
	int		ifindex;
	struct in_addr	nexthop;
};

static struct route routes[MAX_ROUTES];
static unsigned nroutes;

/* The fake's own entry: one per watch, so the tests see each watcher. */
struct rpf_entry {
	bool		used;
	unsigned	round;
	struct rpf	r;
	struct rpf_watch *w;
};

static struct rpf_entry watches[MAX_WATCHES];
static unsigned round_no;

static void
lookup(struct in_addr target, struct rpf *out)
{
	memset(out, 0, sizeof(*out));
	out->target = target;
	for (unsigned i = 0; i < nroutes; i++)
		if (routes[i].target.s_addr == target.s_addr) {
			out->valid = routes[i].valid;
			out->local = routes[i].local;
			out->ifindex = routes[i].ifindex;
			out->nexthop = routes[i].nexthop;
			return;
		}
}

void
rpf_watch(struct rpf_watch *w, struct in_addr target,
    void (*cb)(const struct rpf *, struct rpf_watch *))
{
	assert_null(w->e);
	for (unsigned i = 0; i < MAX_WATCHES; i++) {
		struct rpf_entry *e = &watches[i];

		if (e->used)
			continue;
		e->used = true;
		e->round = round_no;
		e->w = w;
		lookup(target, &e->r);
		w->e = e;
		w->cb = cb;
		return;
	}
	fail_msg("out of watches");
}

const struct rpf *
rpf_get(const struct rpf_watch *w)
{
	return w->e != NULL ? &w->e->r : NULL;
}

void
rpf_unwatch(struct rpf_watch *w)
{
	if (w->e == NULL)
		return;
	w->e->used = false;
	w->e = NULL;
}

static unsigned
watches_used(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MAX_WATCHES; i++)
		n += watches[i].used;
	return n;
}

/* Set the route to target; each watcher whose answer changed is called, as rpf.c does. */
static void
route_set(const char *target, bool valid, bool local, const struct iface *ifp,
    const char *nexthop)
{
	struct in_addr t = ip(target);
	struct route *r = NULL;

	for (unsigned i = 0; i < nroutes; i++)
		if (routes[i].target.s_addr == t.s_addr)
			r = &routes[i];
	if (r == NULL) {
		assert_true(nroutes < MAX_ROUTES);
		r = &routes[nroutes++];
	}
	*r = (struct route){ t, valid, local, ifp != NULL ? ifp->ifindex : 0,
	    nexthop != NULL ? ip(nexthop) : any };
	round_no++;
	for (unsigned i = 0; i < MAX_WATCHES; i++) {
		struct rpf_entry *e = &watches[i];
		struct rpf now;

		if (!e->used || e->round == round_no || e->r.target.s_addr != t.s_addr)
			continue;
		lookup(t, &now);
		if (memcmp(&now, &e->r, sizeof(now)) == 0)
			continue;
		e->r = now;
		e->w->cb(&e->r, e->w);
	}
}

static void
route_via(const char *target, struct iface *ifp, const char *nexthop)
{
	route_set(target, true, false, ifp, nexthop);
}

/* ---- the RP set ------------------------------------------------------------ */

static struct in_addr rp_addr;
static bool rp_local;

bool
rp_in_ssm(struct in_addr grp)
{
	return (ntohl(grp.s_addr) >> 24) == 232;
}

struct in_addr
rp_for_group(struct in_addr grp)
{
	return rp_in_ssm(grp) ? any : rp_addr;
}

bool
rp_is_local(struct in_addr rp)
{
	return rp_local && rp.s_addr == rp_addr.s_addr;
}

/* ---- Register (register.c) ---------------------------------------------- */

static int could_register = -1;		/* the last value sg.c gave; -1: none */
static unsigned nreg_stop;

void
reg_could_register(struct sg *sg, bool could)
{
	could_register = could;
}

void
reg_free(struct sg *sg)
{
}

void
reg_send_data(struct sg *sg, const uint8_t *pkt, size_t len)
{
}

void
reg_stop_received(struct sg *sg)
{
	nreg_stop++;
}

void
reg_rp_changed(struct sg *sg)
{
}

/* ---- Asserts (assert.c) ------------------------------------------------------ */

struct fake_assert {
	struct in_addr	src, grp;
	const struct iface *ifp;
	enum assert_state state;
	struct in_addr	winner;
};

static struct fake_assert fas[4];
static unsigned nfas, nassert_update, nassert_join, nrpf_assert;

static enum assert_state
fake_assert_state(const struct sg *sg, const struct iface *ifp, struct in_addr *winner)
{
	for (unsigned i = 0; i < nfas; i++)
		if (fas[i].src.s_addr == sg->src.s_addr && fas[i].grp.s_addr == sg->grp.s_addr &&
		    fas[i].ifp == ifp) {
			if (winner != NULL)
				*winner = fas[i].winner;
			return fas[i].state;
		}
	return ASSERT_NOINFO;
}

/* The machine of (src, G) on ifp is in state now; winner for the Loser state. */
static void
fake_assert_set(const char *src, struct iface *ifp, enum assert_state state,
    const char *winner)
{
	assert_true(nfas < sizeof(fas) / sizeof(fas[0]));
	fas[nfas++] = (struct fake_assert){ src != NULL ? ip(src) : any, ip(G_ADDR), ifp, state,
	    winner != NULL ? ip(winner) : any };
}

bool
assert_lost(const struct sg *sg, const struct iface *ifp)
{
	return ifp != sg->rpf_ifp && fake_assert_state(sg, ifp, NULL) == ASSERT_LOSER;
}

bool
assert_won(const struct sg *sg, const struct iface *ifp)
{
	return fake_assert_state(sg, ifp, NULL) == ASSERT_WINNER;
}

void
assert_rpf_nbr(const struct sg *sg, const struct iface *ifp, struct in_addr *nbr)
{
	struct in_addr w;

	if (fake_assert_state(sg, ifp, &w) == ASSERT_LOSER)
		*nbr = w;
}

bool
assert_update(struct sg *sg)
{
	nassert_update++;
	return false;
}

void
assert_join_received(struct sg *sg, struct iface *ifp)
{
	nassert_join++;
}

void
assert_free(struct sg *sg)
{
}

/* ---- the kernel's MFC ------------------------------------------------------ */

struct mfc {
	bool		used;
	struct in_addr	src, grp;
	int		iif;
	uint8_t		oifs[MRT_MAXVIFS];
	uint64_t	pkts;
};

static struct mfc mfcs[MAX_MFC];
static unsigned nmfc_add, nmfc_del;

static struct mfc *
mfc_find(struct in_addr src, struct in_addr grp)
{
	for (unsigned i = 0; i < MAX_MFC; i++)
		if (mfcs[i].used && mfcs[i].src.s_addr == src.s_addr &&
		    mfcs[i].grp.s_addr == grp.s_addr)
			return &mfcs[i];
	return NULL;
}

int
mrt_mfc_add(struct in_addr src, struct in_addr grp, int iif, const uint8_t ttls[MRT_MAXVIFS])
{
	struct mfc *m = mfc_find(src, grp);

	assert_int_not_equal(src.s_addr, INADDR_ANY);	/* no (*,G) in the kernel */
	assert_true(iif >= 0 && iif < MRT_MAXVIFS);
	for (unsigned i = 0; m == NULL && i < MAX_MFC; i++)
		if (!mfcs[i].used) {
			m = &mfcs[i];
			memset(m, 0, sizeof(*m));
			m->used = true;
			m->src = src;
			m->grp = grp;
		}
	assert_non_null(m);
	m->iif = iif;
	memcpy(m->oifs, ttls, MRT_MAXVIFS);
	nmfc_add++;
	return 0;
}

int
mrt_mfc_del(struct in_addr src, struct in_addr grp)
{
	struct mfc *m = mfc_find(src, grp);

	assert_non_null(m);		/* sg.c deletes only what it added */
	m->used = false;
	nmfc_del++;
	return 0;
}

int
mrt_sg_stats(struct in_addr src, struct in_addr grp, struct mrt_sg_stats *out)
{
	struct mfc *m = mfc_find(src, grp);

	if (m == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	out->pkts = m->pkts;
	return 0;
}

/* mroute.c: the packets sg.c forwards by hand, and the oifs of the last one. */
static unsigned nforwarded;
static uint32_t forwarded_oifs;
static const uint8_t PKT[28] = { 0x45 };

void
mroute_forward(const uint8_t *pkt, size_t len, uint32_t oifs)
{
	assert_ptr_equal(pkt, PKT);
	assert_int_equal(len, sizeof(PKT));
	forwarded_oifs = oifs;
	nforwarded++;
}

static unsigned
mfc_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MAX_MFC; i++)
		n += mfcs[i].used;
	return n;
}

/* The oifs of an entry as a bit mask of VIFs. */
static uint32_t
oifs_of(const struct mfc *m)
{
	uint32_t mask = 0;

	for (unsigned v = 0; v < MRT_MAXVIFS; v++)
		if (m->oifs[v])
			mask |= 1u << v;
	return mask;
}

#define VIF(n)	(1u << (n))

static void
assert_mfc(const char *src, const char *grp, int iif, uint32_t oifs)
{
	struct mfc *m = mfc_find(ip(src), ip(grp));

	assert_non_null(m);
	assert_int_equal(m->iif, iif);
	assert_int_equal(oifs_of(m), oifs);
}

/* ---- IGMP ------------------------------------------------------------------ */

static int
fake_source_cmp(const struct igmp_source *a, const struct igmp_source *b)
{
	uint32_t x = ntohl(a->addr.s_addr), y = ntohl(b->addr.s_addr);

	return x < y ? -1 : x > y;
}

RB_GENERATE(igmp_source_tree, igmp_source, entry, fake_source_cmp)

/* One group on one interface: EXCLUDE({}) or INCLUDE(one source). */
struct member {
	bool		used;
	struct iface	*ifp;
	struct igmp_group g;
	struct igmp_source src;
};

static struct member members[MAX_MEMBERS];

struct igmp_group *
igmp_group_find(struct igmp_groups *gs, struct in_addr grp)
{
	for (unsigned i = 0; i < MAX_MEMBERS; i++)
		if (members[i].used && &members[i].ifp->igmp->groups == gs &&
		    members[i].g.addr.s_addr == grp.s_addr)
			return &members[i].g;
	return NULL;
}

bool
igmp_group_forwards(const struct igmp_group *g, struct in_addr src)
{
	struct igmp_source key = { .addr = src };
	bool listed = RB_FIND(igmp_source_tree,
	    &((struct igmp_group *)g)->sources, &key) != NULL;

	return g->mode == IGMP_FILTER_INCLUDE ? listed : !listed;
}

/* As igmp.c answers it. */
bool
igmp_local_include(const struct iface *ifp, struct in_addr src, struct in_addr grp)
{
	struct igmp_group *g;

	if (ifp->igmp == NULL || (g = igmp_group_find(&ifp->igmp->groups, grp)) == NULL)
		return false;
	if (src.s_addr == INADDR_ANY)
		return g->mode == IGMP_FILTER_EXCLUDE;
	return g->mode == IGMP_FILTER_INCLUDE && igmp_group_forwards(g, src);
}

bool
igmp_local_exclude(const struct iface *ifp, struct in_addr src, struct in_addr grp)
{
	struct igmp_group *g;

	if (ifp->igmp == NULL || (g = igmp_group_find(&ifp->igmp->groups, grp)) == NULL)
		return false;
	return g->mode == IGMP_FILTER_EXCLUDE && !igmp_group_forwards(g, src);
}

static void member_set(struct iface *, const char *, const char *, bool);

/* A host on ifp joins grp: src NULL is EXCLUDE({}), else INCLUDE({src}); IGMP tells PIM. */
static void
member_add(struct iface *ifp, const char *src, const char *grp)
{
	member_set(ifp, src, grp, false);
}

/* A host on ifp joins grp in EXCLUDE({src}). */
static void
member_exclude(struct iface *ifp, const char *src, const char *grp)
{
	member_set(ifp, src, grp, true);
}

static void
member_set(struct iface *ifp, const char *src, const char *grp, bool exclude)
{
	struct member *m = NULL;

	for (unsigned i = 0; m == NULL && i < MAX_MEMBERS; i++)
		if (!members[i].used)
			m = &members[i];
	/* fail() returns as far as the compiler knows: no memset on NULL. */
	if (m == NULL) {
		fail_msg("more than %d members", MAX_MEMBERS);
		return;
	}
	memset(m, 0, sizeof(*m));
	m->used = true;
	m->ifp = ifp;
	m->g.addr = ip(grp);
	RB_INIT(&m->g.sources);
	if (src == NULL) {
		m->g.mode = IGMP_FILTER_EXCLUDE;
	} else {
		m->g.mode = exclude ? IGMP_FILTER_EXCLUDE : IGMP_FILTER_INCLUDE;
		m->src.addr = ip(src);
		RB_INSERT(igmp_source_tree, &m->g.sources, &m->src);
		m->g.nsrc = 1;
	}
	sg_membership_changed(ifp, m->g.addr);
}

static void
member_del(struct iface *ifp, const char *grp)
{
	for (unsigned i = 0; i < MAX_MEMBERS; i++)
		if (members[i].used && members[i].ifp == ifp &&
		    members[i].g.addr.s_addr == ip(grp).s_addr)
			members[i].used = false;
	sg_membership_changed(ifp, ip(grp));
}

/* ---- the world ------------------------------------------------------------- */

static void
iface_make(unsigned i, const char *name, int ifindex, int vif, const char *addr)
{
	struct iface *ifp = &ifs[i];

	memset(ifp, 0, sizeof(*ifp));
	memset(&pifs[i], 0, sizeof(pifs[i]));
	memset(&igis[i], 0, sizeof(igis[i]));
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	ifp->ifindex = ifindex;
	ifp->vif = vif;
	ifp->up = ifp->running = true;
	ifp->mtu = 1500;
	ifp->primary = ip(addr);
	ifp->naddr = 1;
	ifp->addrs[0] = (struct netlink_addr){ ifindex, ifp->primary, 24, false };
	pifs[i].ifp = ifp;
	pifs[i].addr = ifp->primary;
	TAILQ_INIT(&pifs[i].nbrs);
	ifp->pim = &pifs[i];
	igis[i].ifp = ifp;
	igis[i].addr = ifp->primary;
	ifp->igmp = &igis[i];
	dr[i] = true;
	TAILQ_INSERT_TAIL(&ifaces, ifp, entry);
}

static int
setup(void **state)
{
	fake_time_reset(T0);
	TAILQ_INIT(&ifaces);
	iface_make(0, "eth1", 11, 1, "10.0.1.1");
	iface_make(1, "eth2", 12, 2, "10.0.2.1");
	iface_make(2, "eth3", 13, 3, "10.0.3.1");
	nnbrs = 0;
	nbr_add(ETH1, "10.0.1.2");
	nbr_add(ETH2, "10.0.2.2");
	nbr_add(ETH3, "10.0.3.2");
	memset(watches, 0, sizeof(watches));
	nroutes = 0;
	round_no = 0;
	rp_addr = ip(RP_ADDR);
	rp_local = false;
	route_via(RP_ADDR, ETH1, "10.0.1.2");
	route_via(S_ADDR, ETH1, "10.0.1.2");
	njp = 0;
	period_ms = PERIOD_MS;
	memset(mfcs, 0, sizeof(mfcs));
	nmfc_add = nmfc_del = 0;
	nforwarded = 0;
	memset(members, 0, sizeof(members));
	could_register = -1;
	nreg_stop = 0;
	nfas = nassert_update = nassert_join = nrpf_assert = 0;
	tracking = false;
	memset(&conf, 0, sizeof(conf));
	conf.keepalive_period = KAT_MS / 1000;
	conf.spt = CFG_SPT_IMMEDIATE;
	conf.ssm_range = (struct cfg_prefix){ ip("232.0.0.0"), 8 };
	pimd.conf = &conf;
	return 0;
}

/* Everything sg.c made goes with sg_fini(): no entry, watch or MFC entry left. */
static int
teardown(void **state)
{
	sg_fini();
	assert_true(RB_EMPTY(&sgs));
	assert_int_equal(watches_used(), 0);
	assert_int_equal(mfc_count(), 0);
	return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

static struct sg *
find(const char *src, const char *grp)
{
	return sg_find(src != NULL ? ip(src) : any, ip(grp));
}

static struct sg_if *
ds_of(const struct sg *sg, const struct iface *ifp)
{
	struct sg_if *d;

	if (sg == NULL)
		return NULL;
	LIST_FOREACH(d, &sg->ds, entry)
		if (d->ifp == ifp)
			return d;
	return NULL;
}

/* The downstream state of (src, G) on ifp; NoInfo when there is none. */
static enum sg_ds
ds_state(const char *src, const struct iface *ifp)
{
	struct sg_if *d = ds_of(find(src, G_ADDR), ifp);

	return d != NULL ? d->state : SG_DS_NO_INFO;
}

static struct sg_if *
ds(const char *src, const struct iface *ifp)
{
	struct sg_if *d = ds_of(find(src, G_ADDR), ifp);

	assert_non_null(d);
	return d;
}

static struct in_addr
addr_or_any(const char *src)
{
	return src != NULL ? ip(src) : any;
}

static void
join(struct iface *ifp, const char *src, uint16_t holdtime)
{
	sg_join_received(ifp, addr_or_any(src), ip(G_ADDR), holdtime);
}

static void
prune(struct iface *ifp, const char *src)
{
	sg_prune_received(ifp, addr_or_any(src), ip(G_ADDR), HT);
}

static uint32_t
jt(const char *src)
{
	struct sg *sg = find(src, G_ADDR);

	assert_non_null(sg);
	assert_true(timer_pending(&sg->join_timer));
	return timer_remaining(&sg->join_timer);
}

/* ---- §4.5.2 / §4.5.1 downstream, run for (S,G) and for (*,G) ---------------- */

/* NoInfo, receive Join: -> Join, ET = HoldTime. */
static void
ds_noinfo_join_to_join_et_holdtime(const char *src)
{
	assert_int_equal(ds_state(src, ETH2), SG_DS_NO_INFO);
	join(ETH2, src, HT);
	assert_int_equal(ds_state(src, ETH2), SG_DS_JOIN);
	assert_int_equal(timer_remaining(&ds(src, ETH2)->expiry), HT * 1000u);
	assert_false(timer_pending(&ds(src, ETH2)->ppt));
	/* the other interfaces stay in NoInfo */
	assert_int_equal(ds_state(src, ETH1), SG_DS_NO_INFO);
	assert_int_equal(ds_state(src, ETH3), SG_DS_NO_INFO);
}

/* Join, receive Join: ET = max(ET, HoldTime). */
static void
ds_join_join_et_max(const char *src)
{
	join(ETH2, src, HT);
	fake_advance(100000);
	join(ETH2, src, 60);		/* 60 s < 110 s left: ET unchanged */
	assert_int_equal(ds_state(src, ETH2), SG_DS_JOIN);
	assert_int_equal(timer_remaining(&ds(src, ETH2)->expiry), 110000);
	join(ETH2, src, HT);		/* 210 s > 110 s: ET = 210 s */
	assert_int_equal(timer_remaining(&ds(src, ETH2)->expiry), HT * 1000u);
}

/* Join, receive Prune, one neighbour on the interface: PPT = 0, NoInfo at once. */
static void
ds_join_prune_one_nbr_ppt_zero(const char *src)
{
	join(ETH2, src, HT);
	prune(ETH2, src);
	assert_int_equal(ds_state(src, ETH2), SG_DS_PRUNE_PENDING);
	assert_true(timer_pending(&ds(src, ETH2)->ppt));
	assert_int_equal(timer_remaining(&ds(src, ETH2)->ppt), 0);
	fake_advance(0);
	assert_int_equal(ds_state(src, ETH2), SG_DS_NO_INFO);
	assert_null(find(src, G_ADDR));		/* nothing else needs the entry */
}

/* Join, receive Prune on a LAN: PPT = J/P_Override_Interval; PPT expires -> NoInfo. */
static void
ds_join_prune_lan_ppt_override_then_noinfo(const char *src)
{
	nbr_add(ETH2, "10.0.2.3");
	join(ETH2, src, HT);
	prune(ETH2, src);
	assert_int_equal(ds_state(src, ETH2), SG_DS_PRUNE_PENDING);
	assert_int_equal(timer_remaining(&ds(src, ETH2)->ppt), JP_OVERRIDE_MS);
	fake_advance(JP_OVERRIDE_MS - 1);
	assert_int_equal(ds_state(src, ETH2), SG_DS_PRUNE_PENDING);
	/* PrunePending still forwards: joins(S,G) holds Join and PrunePending */
	assert_int_equal(find(src, G_ADDR)->up, SG_UP_JOINED);
	fake_advance(1);
	assert_int_equal(ds_state(src, ETH2), SG_DS_NO_INFO);
	assert_null(find(src, G_ADDR));
}

/* PrunePending, receive Join: -> Join, PPT stopped, ET = max(ET, HT). */
static void
ds_prune_pending_join_to_join(const char *src)
{
	nbr_add(ETH2, "10.0.2.3");
	join(ETH2, src, HT);
	prune(ETH2, src);
	fake_advance(1000);
	join(ETH2, src, HT);
	assert_int_equal(ds_state(src, ETH2), SG_DS_JOIN);
	assert_false(timer_pending(&ds(src, ETH2)->ppt));
	assert_int_equal(timer_remaining(&ds(src, ETH2)->expiry), HT * 1000u);
	fake_advance(JP_OVERRIDE_MS);
	assert_int_equal(ds_state(src, ETH2), SG_DS_JOIN);
}

/* PrunePending, receive Prune: no change (the PPT is not restarted). */
static void
ds_prune_pending_prune_no_change(const char *src)
{
	nbr_add(ETH2, "10.0.2.3");
	join(ETH2, src, HT);
	prune(ETH2, src);
	fake_advance(1000);
	prune(ETH2, src);
	assert_int_equal(ds_state(src, ETH2), SG_DS_PRUNE_PENDING);
	assert_int_equal(timer_remaining(&ds(src, ETH2)->ppt), JP_OVERRIDE_MS - 1000);
}

/* Join, ET expires: -> NoInfo. */
static void
ds_join_et_expiry_to_noinfo(const char *src)
{
	join(ETH2, src, HT);
	fake_advance(HT * 1000u - 1);
	assert_int_equal(ds_state(src, ETH2), SG_DS_JOIN);
	fake_advance(1);
	assert_int_equal(ds_state(src, ETH2), SG_DS_NO_INFO);
	assert_null(find(src, G_ADDR));
}

/* PrunePending, ET expires (before the PPT): -> NoInfo. */
static void
ds_prune_pending_et_expiry_to_noinfo(const char *src)
{
	nbr_add(ETH2, "10.0.2.3");
	join(ETH2, src, 2);		/* ET 2 s < PPT 3 s */
	prune(ETH2, src);
	fake_advance(1999);
	assert_int_equal(ds_state(src, ETH2), SG_DS_PRUNE_PENDING);
	fake_advance(1);
	assert_int_equal(ds_state(src, ETH2), SG_DS_NO_INFO);
	assert_null(find(src, G_ADDR));
}

/* NoInfo, receive Prune: nothing happens, no state is made. */
static void
ds_noinfo_prune_ignored(const char *src)
{
	prune(ETH2, src);
	assert_null(find(src, G_ADDR));
	assert_int_equal(njp, 0);
	assert_int_equal(nmfc_add, 0);
	/* with the entry there through another interface */
	join(ETH3, src, HT);
	prune(ETH2, src);
	assert_int_equal(ds_state(src, ETH2), SG_DS_NO_INFO);
	assert_null(ds_of(find(src, G_ADDR), ETH2));
	assert_int_equal(ds_state(src, ETH3), SG_DS_JOIN);
}

/* HoldTime 0xffff is infinity (§4.9.5): the ET never expires. */
static void
ds_holdtime_ffff_never_expires(const char *src)
{
	join(ETH2, src, 0xffff);
	fake_advance(10ull * 24 * 3600 * 1000);	/* ten days */
	assert_int_equal(ds_state(src, ETH2), SG_DS_JOIN);
	/* Join with a finite HoldTime: ET = max(infinity, HT) stays infinite */
	join(ETH2, src, HT);
	fake_advance(HT * 1000u + 1000);
	assert_int_equal(ds_state(src, ETH2), SG_DS_JOIN);
}

/* A finite Join, then an infinite one: the ET stops. */
static void
ds_holdtime_ffff_after_finite(const char *src)
{
	join(ETH2, src, HT);
	join(ETH2, src, 0xffff);
	fake_advance(HT * 1000u + 1000);
	assert_int_equal(ds_state(src, ETH2), SG_DS_JOIN);
}

/* NoInfo, receive Join with HoldTime 0: ET = 0, it expires at once -> NoInfo. */
static void
ds_noinfo_join_holdtime_zero_expires(const char *src)
{
	join(ETH2, src, 0);
	fake_advance(0);
	assert_int_equal(ds_state(src, ETH2), SG_DS_NO_INFO);
	assert_null(find(src, G_ADDR));
}

#define DS_TEST(name)							\
static void name##_sg(void **state) { name(S_ADDR); }			\
static void name##_wc(void **state) { name(NULL); }

DS_TEST(ds_noinfo_join_to_join_et_holdtime)
DS_TEST(ds_join_join_et_max)
DS_TEST(ds_join_prune_one_nbr_ppt_zero)
DS_TEST(ds_join_prune_lan_ppt_override_then_noinfo)
DS_TEST(ds_prune_pending_join_to_join)
DS_TEST(ds_prune_pending_prune_no_change)
DS_TEST(ds_join_et_expiry_to_noinfo)
DS_TEST(ds_prune_pending_et_expiry_to_noinfo)
DS_TEST(ds_noinfo_prune_ignored)
DS_TEST(ds_holdtime_ffff_never_expires)
DS_TEST(ds_holdtime_ffff_after_finite)
DS_TEST(ds_noinfo_join_holdtime_zero_expires)

/* ---- §4.5.5 upstream (S,G) -------------------------------------------------- */

/* NotJoined, JoinDesired(S,G) -> true: send Join(S,G) to RPF'(S,G), JT = t_periodic. */
static void
up_sg_join_desired_sends_join(void **state)
{
	join(ETH2, S_ADDR, HT);
	assert_int_equal(find(S_ADDR, G_ADDR)->up, SG_UP_JOINED);
	assert_int_equal(njp, 1);
	assert_jp(0, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, true);
	assert_int_equal(jt(S_ADDR), PERIOD_MS);
	/* a second Join downstream changes nothing upstream */
	join(ETH3, S_ADDR, HT);
	assert_int_equal(njp, 1);
}

/* Joined, JT expires: send Join(S,G), JT = t_periodic. */
static void
up_sg_jt_expiry_sends_join(void **state)
{
	join(ETH2, S_ADDR, 0xffff);
	fake_advance(PERIOD_MS - 1);
	assert_int_equal(njp, 1);
	fake_advance(1);
	assert_int_equal(njp, 2);
	assert_jp(1, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, true);
	assert_int_equal(jt(S_ADDR), PERIOD_MS);
	fake_advance(PERIOD_MS);
	assert_int_equal(njp, 3);
	assert_int_equal(jps[2].at, T0 + 2 * PERIOD_MS);
}

/* Joined, JoinDesired(S,G) -> false: send Prune(S,G), NotJoined, JT stopped. */
static void
up_sg_join_desired_false_sends_prune(void **state)
{
	struct sg *sg;

	join(ETH2, S_ADDR, HT);
	join(ETH3, S_ADDR, HT);
	prune(ETH2, S_ADDR);
	fake_advance(0);
	assert_int_equal(njp, 1);		/* eth3 still wants it */
	prune(ETH3, S_ADDR);
	sg = find(S_ADDR, G_ADDR);
	assert_non_null(sg);			/* PrunePending still joins */
	fake_advance(0);
	assert_int_equal(njp, 2);
	assert_jp(1, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, false);
	assert_null(find(S_ADDR, G_ADDR));
	/* no Join goes out after that */
	fake_advance(10 * PERIOD_MS);
	assert_int_equal(njp, 2);
}

/* Joined, RPF'(S,G) changes: Join to the new, Prune to the old, JT = t_periodic. */
static void
up_sg_rpf_change_join_new_prune_old(void **state)
{
	join(ETH2, S_ADDR, 0xffff);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2));
	fake_advance(10000);
	route_via(S_ADDR, ETH3, "10.0.3.2");
	assert_int_equal(njp, 3);
	assert_jp(1, ETH3, "10.0.3.2", S_ADDR, G_ADDR, false, true);
	assert_jp(2, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, false);
	assert_int_equal(jt(S_ADDR), PERIOD_MS);
	assert_mfc(S_ADDR, G_ADDR, 3, VIF(2));
	/* another neighbour on the same interface is a change of RPF' too */
	nbr_add(ETH3, "10.0.3.3");
	route_via(S_ADDR, ETH3, "10.0.3.3");
	assert_int_equal(njp, 5);
	assert_jp(3, ETH3, "10.0.3.3", S_ADDR, G_ADDR, false, true);
	assert_jp(4, ETH3, "10.0.3.2", S_ADDR, G_ADDR, false, false);
	/* a route change that leaves RPF' alone sends nothing */
	route_set(S_ADDR, true, false, ETH3, "10.0.3.3");
	assert_int_equal(njp, 5);
}

/* NotJoined, RPF'(S,G) changes: nothing is sent (the state follows the route). */
static void
up_sg_rpf_change_not_joined_silent(void **state)
{
	conf.spt = CFG_SPT_NEVER;	/* (S,G) from data, NotJoined */
	route_via(S_ADDR, ETH2, "10.0.2.2");
	member_add(ETH3, NULL, G_ADDR);
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	assert_int_equal(find(S_ADDR, G_ADDR)->up, SG_UP_NOT_JOINED);
	njp = 0;
	route_via(S_ADDR, ETH3, "10.0.3.2");
	assert_int_equal(njp, 0);
	assert_ptr_equal(find(S_ADDR, G_ADDR)->rpf_ifp, ETH3);
	assert_int_equal(find(S_ADDR, G_ADDR)->rpf_nbr.s_addr, ip("10.0.3.2").s_addr);
}

/* Joined, see Join(S,G) to RPF'(S,G): JT raised to t_joinsuppress, only if lower. */
static void
up_sg_see_join_raises_jt_to_joinsuppress(void **state)
{
	uint32_t t;

	join(ETH2, S_ADDR, 0xffff);
	fake_advance(10000);
	assert_int_equal(jt(S_ADDR), PERIOD_MS - 10000);
	sg_join_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR), HT);
	t = jt(S_ADDR);
	assert_true(t >= PERIOD_MS * 11 / 10 && t <= PERIOD_MS * 14 / 10);
	assert_int_equal(t, PERIOD_MS * 125 / 100);	/* the fake jitter's middle */
	/* a t_joinsuppress lower than the JT leaves it alone */
	period_ms = PERIOD_MS / 2;
	sg_join_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR), HT);
	assert_int_equal(jt(S_ADDR), t);
	period_ms = PERIOD_MS;
	/* Joins to another router, or on another interface, do not count */
	fake_advance(t - 1000);
	sg_join_seen(ETH1, ip("10.0.1.3"), ip(S_ADDR), ip(G_ADDR), HT);
	sg_join_seen(ETH2, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR), HT);
	assert_int_equal(jt(S_ADDR), 1000);
	/* the suppressed Join is not sent until the JT expires */
	assert_int_equal(njp, 1);
	fake_advance(1000);
	assert_int_equal(njp, 2);
}

/*
 * t_joinsuppress = min(t_suppressed, the seen Join's holdtime), and no
 * suppression where every neighbour tracks Joins (T bit, §4.3.3).
 */
static void
up_sg_see_join_suppress_holdtime_t_bit(void **state)
{
	join(ETH2, S_ADDR, 0xffff);
	fake_advance(PERIOD_MS - 10000);
	sg_join_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR), 7);
	assert_int_equal(jt(S_ADDR), 10000);		/* 7 s is below the JT */
	sg_join_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR), 30);
	assert_int_equal(jt(S_ADDR), 30000);
	tracking = true;
	fake_advance(20000);
	sg_join_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR), HT);
	assert_int_equal(jt(S_ADDR), 10000);
}

/* Joined, see Prune(S,G) to RPF'(S,G): JT lowered to t_override, only if higher. */
static void
up_sg_see_prune_lowers_jt_to_override(void **state)
{
	join(ETH2, S_ADDR, 0xffff);
	sg_prune_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR));
	assert_true(jt(S_ADDR) <= OVERRIDE_MS);
	assert_int_equal(jt(S_ADDR), OVERRIDE_MS / 2);	/* the fake rand's middle */
	fake_advance(OVERRIDE_MS / 2);
	assert_int_equal(njp, 2);		/* the overriding Join */
	assert_jp(1, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, true);
	assert_int_equal(jt(S_ADDR), PERIOD_MS);
	/* a JT already below t_override stays */
	fake_advance(PERIOD_MS - 1000);
	sg_prune_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR));
	assert_int_equal(jt(S_ADDR), 1000);
	/* a Prune to another router does not count */
	fake_advance(1000);
	sg_prune_seen(ETH1, ip("10.0.1.3"), ip(S_ADDR), ip(G_ADDR));
	assert_int_equal(jt(S_ADDR), PERIOD_MS);
}

/* Joined, see Prune(*,G) to RPF'(S,G): the (S,G) JT is lowered to t_override too. */
static void
up_sg_see_prune_wc_to_rpf_lowers_jt(void **state)
{
	join(ETH2, S_ADDR, 0xffff);
	sg_prune_seen(ETH1, ip("10.0.1.2"), any, ip(G_ADDR));
	assert_true(jt(S_ADDR) <= OVERRIDE_MS);
}

/* Joined, RPF'(S,G)'s GenID changes (sg_nbr_restarted): JT lowered to t_override. */
static void
up_sg_nbr_restarted_lowers_jt(void **state)
{
	join(ETH2, S_ADDR, 0xffff);
	sg_nbr_restarted(&pifs[0], ip("10.0.1.3"));	/* not RPF' */
	assert_int_equal(jt(S_ADDR), PERIOD_MS);
	sg_nbr_restarted(&pifs[1], ip("10.0.2.2"));	/* downstream */
	assert_int_equal(jt(S_ADDR), PERIOD_MS);
	sg_nbr_restarted(&pifs[0], ip("10.0.1.2"));
	assert_true(jt(S_ADDR) <= OVERRIDE_MS);
	fake_advance(OVERRIDE_MS);
	assert_int_equal(njp, 2);
	assert_jp(1, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, true);
}

/* No PIM neighbour at RPF'(S,G): no message, but the state is tracked. */
static void
up_sg_no_rpf_nbr_no_message_state_tracked(void **state)
{
	route_via(S_ADDR, ETH1, "10.0.1.9");	/* no Hello heard from it */
	join(ETH2, S_ADDR, 0xffff);
	assert_int_equal(find(S_ADDR, G_ADDR)->up, SG_UP_JOINED);
	assert_int_equal(njp, 0);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2));
	fake_advance(3 * PERIOD_MS);
	assert_int_equal(njp, 0);
	/* the neighbour comes up: RPF' changes to it, the Join goes */
	nbr_add(ETH1, "10.0.1.9");
	sg_reevaluate_all();
	assert_int_equal(njp, 1);
	assert_jp(0, ETH1, "10.0.1.9", S_ADDR, G_ADDR, false, true);
	/* no route at all: joined still, but nothing to forward from */
	route_set(S_ADDR, false, false, NULL, NULL);
	assert_int_equal(njp, 2);
	assert_jp(1, ETH1, "10.0.1.9", S_ADDR, G_ADDR, false, false);
	assert_int_equal(find(S_ADDR, G_ADDR)->up, SG_UP_JOINED);
	assert_null(mfc_find(ip(S_ADDR), ip(G_ADDR)));
	fake_advance(3 * PERIOD_MS);
	assert_int_equal(njp, 2);
	/* the route comes back */
	route_via(S_ADDR, ETH1, "10.0.1.2");
	assert_int_equal(njp, 3);
	assert_jp(2, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, true);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2));
}

/* ---- §4.5.4 upstream (*,G) -------------------------------------------------- */

/* Joins toward the RP carry WC and the RP's address; JT, prune, as for (S,G). */
static void
up_wc_join_towards_rp_with_wc(void **state)
{
	join(ETH2, NULL, HT);
	assert_int_equal(find(NULL, G_ADDR)->up, SG_UP_JOINED);
	assert_int_equal(njp, 1);
	assert_jp(0, ETH1, "10.0.1.2", RP_ADDR, G_ADDR, true, true);
	assert_int_equal(jt(NULL), PERIOD_MS);
	fake_advance(PERIOD_MS);
	assert_int_equal(njp, 2);
	assert_jp(1, ETH1, "10.0.1.2", RP_ADDR, G_ADDR, true, true);
	/* see Join(*,G) to RPF'(*,G): suppression; see Prune(*,G): override */
	sg_join_seen(ETH1, ip("10.0.1.2"), any, ip(G_ADDR), HT);
	assert_int_equal(jt(NULL), PERIOD_MS * 125 / 100);
	sg_prune_seen(ETH1, ip("10.0.1.2"), any, ip(G_ADDR));
	assert_true(jt(NULL) <= OVERRIDE_MS);
	/* RPF'(*,G) changes: Join to the new, Prune to the old */
	route_via(RP_ADDR, ETH3, "10.0.3.2");
	assert_int_equal(njp, 4);
	assert_jp(2, ETH3, "10.0.3.2", RP_ADDR, G_ADDR, true, true);
	assert_jp(3, ETH1, "10.0.1.2", RP_ADDR, G_ADDR, true, false);
	/* JoinDesired(*,G) false: Prune(*,G) */
	prune(ETH2, NULL);
	fake_advance(0);
	assert_int_equal(njp, 5);
	assert_jp(4, ETH3, "10.0.3.2", RP_ADDR, G_ADDR, true, false);
	assert_null(find(NULL, G_ADDR));
}

/* The RP itself is the root of the tree: it sends no (*,G) Join. */
static void
up_wc_rp_itself_sends_nothing(void **state)
{
	rp_local = true;
	route_set(RP_ADDR, true, true, NULL, NULL);
	join(ETH2, NULL, HT);
	assert_non_null(find(NULL, G_ADDR));
	assert_true(find(NULL, G_ADDR)->i_am_rp);
	assert_int_equal(find(NULL, G_ADDR)->up, SG_UP_NOT_JOINED);
	fake_advance(3 * PERIOD_MS);
	assert_int_equal(njp, 0);
}

/* No RP for the group: (*,G) state downstream, nothing upstream. */
static void
up_wc_no_rp_sends_nothing(void **state)
{
	rp_addr = any;
	join(ETH2, NULL, HT);
	assert_int_equal(ds_state(NULL, ETH2), SG_DS_JOIN);
	assert_int_equal(find(NULL, G_ADDR)->up, SG_UP_NOT_JOINED);
	assert_int_equal(njp, 0);
}

/* ---- §4.1.6 olists and the MFC ---------------------------------------------- */

/* oifs(S,G) = joins(S,G) + joins(*,G) + pim_include, minus the incoming interface. */
static void
mfc_oifs_union_minus_iif(void **state)
{
	join(ETH2, NULL, HT);
	join(ETH3, S_ADDR, HT);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
	/* a (*,G) Join on the incoming interface does not make it an oif */
	join(ETH1, NULL, HT);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
	/* nor an (S,G) one */
	join(ETH1, S_ADDR, HT);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
	/* (*,G) leaves eth2: the (S,G) entry follows */
	prune(ETH2, NULL);
	fake_advance(0);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(3));
	/* no (S,G) MFC for other sources without data */
	assert_int_equal(mfc_count(), 1);
}

/* pim_include(S,G) members count where we are the DR only. */
static void
mfc_local_members_only_where_dr(void **state)
{
	member_add(ETH3, S_ADDR, G_ADDR);
	assert_non_null(find(S_ADDR, G_ADDR));
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(3));
	assert_int_equal(njp, 1);
	assert_jp(0, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, true);
	/* another router becomes DR on eth3 */
	dr[2] = false;
	sg_reevaluate_all();
	assert_null(mfc_find(ip(S_ADDR), ip(G_ADDR)));
	assert_int_equal(njp, 2);
	assert_jp(1, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, false);
	assert_null(find(S_ADDR, G_ADDR));
	member_add(ETH3, S_ADDR, G_ADDR);	/* a report: still not ours */
	assert_null(mfc_find(ip(S_ADDR), ip(G_ADDR)));
	assert_int_equal(njp, 2);
	/* back to DR */
	dr[2] = true;
	sg_membership_changed(ETH3, ip(G_ADDR));
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(3));
	assert_int_equal(njp, 3);
	/* a passive interface (no PIM routers there) counts as ours */
	dr[2] = false;
	pifs[2].passive = true;
	sg_reevaluate_all();
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(3));
	/* the member leaves */
	pifs[2].passive = false;
	dr[2] = true;
	member_del(ETH3, G_ADDR);
	assert_null(find(S_ADDR, G_ADDR));
	assert_null(mfc_find(ip(S_ADDR), ip(G_ADDR)));
}

/* pim_include(*,G): EXCLUDE-mode members make (*,G) and join toward the RP. */
static void
mfc_wc_members_join_rp_tree(void **state)
{
	member_add(ETH3, NULL, G_ADDR);
	assert_non_null(find(NULL, G_ADDR));
	assert_int_equal(njp, 1);
	assert_jp(0, ETH1, "10.0.1.2", RP_ADDR, G_ADDR, true, true);
	/* not the DR: no (*,G) join */
	dr[2] = false;
	sg_reevaluate_all();
	assert_int_equal(njp, 2);
	assert_jp(1, ETH1, "10.0.1.2", RP_ADDR, G_ADDR, true, false);
	assert_null(find(NULL, G_ADDR));
}

/* iif: RPF_interface(RP) on the RP tree, RPF_interface(S) once on the SPT. */
static void
mfc_iif_rp_tree_then_spt(void **state)
{
	route_via(S_ADDR, ETH3, "10.0.3.2");
	join(ETH2, NULL, HT);
	join(ETH2, S_ADDR, HT);
	assert_int_equal(find(S_ADDR, G_ADDR)->up, SG_UP_JOINED);
	assert_false(find(S_ADDR, G_ADDR)->spt);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2));
	/*
	 * native packets on RPF_interface(S): SPT bit, iif moves, and the
	 * packet the kernel dropped is forwarded on the olist
	 */
	sg_wrongvif(ip(S_ADDR), ip(G_ADDR), 3, PKT, sizeof(PKT));
	assert_true(find(S_ADDR, G_ADDR)->spt);
	assert_mfc(S_ADDR, G_ADDR, 3, VIF(2));
	assert_int_equal(nforwarded, 1);
	assert_int_equal(forwarded_oifs, oifs_of(mfc_find(ip(S_ADDR), ip(G_ADDR))));
	/* later upcalls change nothing and forward nothing */
	sg_wrongvif(ip(S_ADDR), ip(G_ADDR), 3, PKT, sizeof(PKT));
	assert_int_equal(nforwarded, 1);
}

/* iif: RPF_interface(S) for a directly connected source, whatever (*,G) says. */
static void
mfc_iif_connected_source(void **state)
{
	const char *s = "10.0.3.50";

	route_via(s, ETH3, s);
	join(ETH2, NULL, HT);
	sg_nocache(ip(s), ip(G_ADDR), 3);	/* first packet from the host */
	assert_non_null(find(s, G_ADDR));
	assert_true(find(s, G_ADDR)->src_local);
	assert_int_equal(find(s, G_ADDR)->up, SG_UP_NOT_JOINED);	/* no one upstream */
	assert_true(timer_pending(&find(s, G_ADDR)->kat));
	assert_mfc(s, G_ADDR, 3, VIF(2));
	assert_int_equal(could_register, 1);	/* first-hop DR, the RP is elsewhere */
	/* the (*,G) Join, and S pruned off the RP tree: it comes the direct way */
	assert_int_equal(njp, 2);
	assert_jp_kind(1, ETH1, "10.0.1.2", s, G_ADDR, JP_SG_RPT, false);
}

/* iif: the register VIF on the RP, until the SPT bit is set. */
static void
mfc_iif_register_vif_on_rp(void **state)
{
	rp_local = true;
	route_set(RP_ADDR, true, true, NULL, NULL);
	join(ETH2, NULL, HT);
	/*
	 * No receivers asked for it yet: Register-Stop, and (S,G) kept by its
	 * KAT, so that a later join goes straight to native forwarding.
	 */
	assert_true(sg_register_received(ip(S_ADDR), ip("239.9.9.9"), false));
	assert_non_null(find(S_ADDR, "239.9.9.9"));
	assert_true(find(S_ADDR, "239.9.9.9")->registers_stopped);
	assert_int_equal(find(S_ADDR, "239.9.9.9")->up, SG_UP_NOT_JOINED);
	/* the RP joins toward S (KAT counts on the RP) and forwards from the register VIF */
	assert_false(sg_register_received(ip(S_ADDR), ip(G_ADDR), false));
	assert_int_equal(find(S_ADDR, G_ADDR)->up, SG_UP_JOINED);
	assert_int_equal(njp, 1);
	assert_jp(0, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, true);
	assert_mfc(S_ADDR, G_ADDR, IFACE_REGISTER_VIF, VIF(2));
	/* native packets arrive: SPT bit, iif RPF_interface(S), and Register-Stop */
	sg_wrongvif(ip(S_ADDR), ip(G_ADDR), 1, PKT, sizeof(PKT));
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2));
	assert_int_equal(nforwarded, 1);	/* its Register comes too late */
	assert_true(sg_register_received(ip(S_ADDR), ip(G_ADDR), true));
}

/* The MFC entry goes when nothing needs it any more. */
static void
mfc_removed_when_unneeded(void **state)
{
	join(ETH2, S_ADDR, HT);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2));
	assert_int_equal(nmfc_del, 0);
	fake_advance(HT * 1000u);
	assert_int_equal(nmfc_del, 1);
	assert_int_equal(mfc_count(), 0);
	assert_null(find(S_ADDR, G_ADDR));
}

/* ---- §4.2 data ------------------------------------------------------------- */

/* Last hop: (*,G) members, S behind eth2 and the RP behind eth1. */
static void
last_hop(void)
{
	route_via(S_ADDR, ETH2, "10.0.2.2");
	member_add(ETH3, NULL, G_ADDR);
	assert_int_equal(njp, 1);		/* (*,G) toward the RP */
	njp = 0;
}

/* NOCACHE at a last hop with members: (S,G) with the KAT, JoinDesired via the KAT. */
static void
data_nocache_last_hop_switches_to_spt(void **state)
{
	struct sg *sg;

	last_hop();
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);	/* down the RP tree */
	assert_non_null(sg = find(S_ADDR, G_ADDR));
	assert_int_equal(sg_kat_remaining(sg), KAT_MS);
	assert_int_equal(sg->up, SG_UP_JOINED);
	assert_int_equal(njp, 1);
	assert_jp(0, ETH2, "10.0.2.2", S_ADDR, G_ADDR, false, true);
	assert_false(sg->spt);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(3));
}

/* The same with the SPT policy "never": no (S,G) Join, forwarding on the RP tree. */
static void
data_nocache_spt_never_stays_on_rp_tree(void **state)
{
	struct sg *sg;

	conf.spt = CFG_SPT_NEVER;
	last_hop();
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	assert_non_null(sg = find(S_ADDR, G_ADDR));
	assert_true(timer_pending(&sg->kat));
	assert_int_equal(sg->up, SG_UP_NOT_JOINED);
	assert_int_equal(njp, 0);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(3));
}

/* WRONGVIF on RPF_interface(S) sets the SPT bit and moves the iif; elsewhere nothing. */
static void
data_wrongvif_on_rpf_iface_sets_spt(void **state)
{
	struct sg *sg;

	last_hop();
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	sg_wrongvif(ip(S_ADDR), ip(G_ADDR), 3, PKT, sizeof(PKT));	/* not RPF_interface(S) */
	assert_false(find(S_ADDR, G_ADDR)->spt);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(3));
	assert_int_equal(nforwarded, 0);
	sg_wrongvif(ip(S_ADDR), ip(G_ADDR), 2, PKT, sizeof(PKT));
	assert_non_null(sg = find(S_ADDR, G_ADDR));
	assert_true(sg->spt);
	assert_mfc(S_ADDR, G_ADDR, 2, VIF(3));
	/* WRONGVIF for unknown state does nothing */
	sg_wrongvif(ip("198.51.100.99"), ip(G_ADDR), 2, PKT, sizeof(PKT));
	assert_null(find("198.51.100.99", G_ADDR));
}

/* KAT expiry: a moving counter restarts it; a still one ends the data-driven state. */
static void
data_kat_expiry_counter(void **state)
{
	struct sg *sg;

	last_hop();
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	sg_wrongvif(ip(S_ADDR), ip(G_ADDR), 2, PKT, sizeof(PKT));
	fake_advance(KAT_MS - 1000);
	mfc_find(ip(S_ADDR), ip(G_ADDR))->pkts = 500;
	fake_advance(1000);
	assert_non_null(sg = find(S_ADDR, G_ADDR));
	assert_int_equal(sg_kat_remaining(sg), KAT_MS);
	assert_int_equal(sg->up, SG_UP_JOINED);
	assert_true(sg->spt);
	njp = 0;
	/* no packet for a whole keepalive period: (S,G) pruned, entry and MFC gone */
	fake_advance(KAT_MS);
	assert_null(find(S_ADDR, G_ADDR));
	assert_null(mfc_find(ip(S_ADDR), ip(G_ADDR)));
	assert_int_equal(njp_find(S_ADDR, false), 1);
	assert_jp(jp_index(S_ADDR, false), ETH2, "10.0.2.2", S_ADDR, G_ADDR, false, false);
	assert_non_null(find(NULL, G_ADDR));	/* (*,G) stays with its members */
}

/* The counter is read every KAT_SAMPLE_MS: the KAT ends that close to a period after the data. */
static void
data_kat_granularity(void **state)
{
	struct sg *sg;

	last_hop();
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	assert_non_null(sg = find(S_ADDR, G_ADDR));
	assert_int_equal(sg_kat_remaining(sg), KAT_MS);
	assert_int_equal(timer_remaining(&sg->kat), KAT_SAMPLE_MS);
	fake_advance(3 * KAT_SAMPLE_MS + 1);
	mfc_find(ip(S_ADDR), ip(G_ADDR))->pkts = 7;	/* the last packet */
	fake_advance(KAT_MS);
	assert_non_null(find(S_ADDR, G_ADDR));
	fake_advance(KAT_SAMPLE_MS - 1);
	assert_null(find(S_ADDR, G_ADDR));
}

/* NOCACHE with no state, off any tree, not a first hop: nothing. */
static void
data_nocache_without_state_ignored(void **state)
{
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	assert_null(find(S_ADDR, G_ADDR));
	assert_int_equal(nmfc_add, 0);
}

/* SSM: never (*,G); NOCACHE without (S,G) state ignored; (S,G) from INCLUDE members. */
static void
data_ssm_no_wc_nocache_ignored(void **state)
{
	struct sg *sg;

	member_add(ETH3, NULL, SSM_ADDR);	/* EXCLUDE from an old host */
	assert_null(sg_find(any, ip(SSM_ADDR)));
	sg_join_received(ETH2, any, ip(SSM_ADDR), HT);	/* a (*,G) Join */
	assert_null(sg_find(any, ip(SSM_ADDR)));
	assert_int_equal(njp, 0);
	sg_nocache(ip(S_ADDR), ip(SSM_ADDR), 1);
	assert_null(sg_find(ip(S_ADDR), ip(SSM_ADDR)));
	/* a connected source on an SSM group does not register either */
	route_via("10.0.3.50", ETH3, "10.0.3.50");
	sg_nocache(ip("10.0.3.50"), ip(SSM_ADDR), 3);
	assert_null(sg_find(ip("10.0.3.50"), ip(SSM_ADDR)));
	assert_int_equal(nmfc_add, 0);
	/* INCLUDE(S): (S,G) and a Join toward S */
	member_add(ETH2, S_ADDR, SSM_ADDR);
	assert_non_null(sg = sg_find(ip(S_ADDR), ip(SSM_ADDR)));
	assert_int_equal(njp, 1);
	assert_jp(0, ETH1, "10.0.1.2", S_ADDR, SSM_ADDR, false, true);
	assert_mfc(S_ADDR, SSM_ADDR, 1, VIF(2));
	sg_nocache(ip(S_ADDR), ip(SSM_ADDR), 1);
	assert_false(timer_pending(&sg->kat));
	assert_null(sg_find(any, ip(SSM_ADDR)));
}

/* Register-Stop reaches the Register state of the matching sources only. */
static void
data_register_stop_matching_sources(void **state)
{
	const char *s = "10.0.3.50";

	route_via(s, ETH3, s);
	sg_nocache(ip(s), ip(G_ADDR), 3);
	assert_non_null(find(s, G_ADDR));
	sg_register_stop(ip("10.0.3.51"), ip(G_ADDR));
	assert_int_equal(nreg_stop, 0);
	sg_register_stop(ip(s), ip(G_ADDR));
	assert_int_equal(nreg_stop, 1);
	sg_register_stop(any, ip(G_ADDR));
	assert_int_equal(nreg_stop, 2);
	/* a first hop with no receivers keeps the entry for the KAT only */
	fake_advance(KAT_MS);
	assert_null(find(s, G_ADDR));
}

/* ---- §4.5.3 (S,G,rpt) downstream ------------------------------------------- */

/*
 * A router on the RP tree: (*,G) joined from eth2 and eth3 (two neighbours
 * on eth2 when lan), S's packets coming down the RP tree on eth1.
 */
static void
rpt_world(bool lan)
{
	if (lan)
		nbr_add(ETH2, "10.0.2.3");
	join(ETH2, NULL, HT);
	join(ETH3, NULL, HT);
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
	njp = 0;
}

static enum rpt_ds
rpt_state(const struct iface *ifp)
{
	struct sg *sg = find(S_ADDR, G_ADDR);
	struct rpt_if *d;

	if (sg == NULL)
		return RPT_DS_NO_INFO;
	LIST_FOREACH(d, &sg->rpt_ds, entry)
		if (d->ifp == ifp)
			return d->state;
	return RPT_DS_NO_INFO;
}

static struct rpt_if *
rpt_if_of(const struct iface *ifp)
{
	struct rpt_if *d;

	LIST_FOREACH(d, &find(S_ADDR, G_ADDR)->rpt_ds, entry)
		if (d->ifp == ifp)
			return d;
	fail_msg("no (S,G,rpt) state");
	return NULL;
}

static void
rpt_prune(struct iface *ifp, uint16_t holdtime)
{
	rpt_prune_received(ifp, ip(S_ADDR), ip(G_ADDR), holdtime);
}

/* A periodic Join(*,G) from downstream, with or without Prune(S,G,rpt) in it. */
static void
wc_join_message(struct iface *ifp, bool with_prune)
{
	join(ifp, NULL, HT);
	if (with_prune)
		rpt_prune(ifp, HT);
	rpt_end_of_message(ifp, ip(G_ADDR));
}

/* NoInfo, Prune(S,G,rpt): PrunePending for J/P_Override_Interval, then Prune. */
static void
rpt_ds_noinfo_prune_pending_then_prune(void **state)
{
	rpt_world(true);
	rpt_prune(ETH2, HT);
	assert_int_equal(rpt_state(ETH2), RPT_DS_PRUNE_PENDING);
	assert_int_equal(timer_remaining(&rpt_if_of(ETH2)->ppt), JP_OVERRIDE_MS);
	assert_int_equal(timer_remaining(&rpt_if_of(ETH2)->expiry), HT * 1000u);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));	/* not yet in prunes(S,G,rpt) */
	fake_advance(JP_OVERRIDE_MS);
	assert_int_equal(rpt_state(ETH2), RPT_DS_PRUNE);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(3));
	/* with one neighbour there is nobody to wait for */
	rpt_prune(ETH3, HT);
	fake_advance(0);
	assert_int_equal(rpt_state(ETH3), RPT_DS_PRUNE);
	assert_mfc(S_ADDR, G_ADDR, 1, 0);
}

/* A Prune(S,G,rpt) for a group without (*,G) state makes none. */
static void
rpt_ds_prune_without_wc_ignored(void **state)
{
	rpt_prune(ETH2, HT);
	assert_null(find(S_ADDR, G_ADDR));
}

/* Prune: a Join(*,G) with the Prune in its message keeps it; one without ends it. */
static void
rpt_ds_prune_wc_join_tmp_then_end(void **state)
{
	rpt_world(false);
	rpt_prune(ETH2, HT);
	fake_advance(0);
	assert_int_equal(rpt_state(ETH2), RPT_DS_PRUNE);
	nmfc_add = 0;
	join(ETH2, NULL, HT);
	assert_int_equal(rpt_state(ETH2), RPT_DS_PRUNE_TMP);
	rpt_prune(ETH2, HT);
	assert_int_equal(rpt_state(ETH2), RPT_DS_PRUNE);
	rpt_end_of_message(ETH2, ip(G_ADDR));
	assert_int_equal(rpt_state(ETH2), RPT_DS_PRUNE);
	assert_int_equal(nmfc_add, 0);		/* no flap of the MFC entry */
	/* the next Join(*,G) comes without it: the prune ends */
	wc_join_message(ETH2, false);
	assert_int_equal(rpt_state(ETH2), RPT_DS_NO_INFO);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
}

/* PrunePending: the same through PrunePendingTmp. */
static void
rpt_ds_prune_pending_wc_join_tmp_then_end(void **state)
{
	rpt_world(true);
	rpt_prune(ETH2, HT);
	join(ETH2, NULL, HT);
	assert_int_equal(rpt_state(ETH2), RPT_DS_PRUNE_PENDING_TMP);
	rpt_prune(ETH2, HT);
	assert_int_equal(rpt_state(ETH2), RPT_DS_PRUNE_PENDING);
	rpt_end_of_message(ETH2, ip(G_ADDR));
	assert_int_equal(rpt_state(ETH2), RPT_DS_PRUNE_PENDING);
	wc_join_message(ETH2, false);
	assert_int_equal(rpt_state(ETH2), RPT_DS_NO_INFO);
	fake_advance(JP_OVERRIDE_MS);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
}

/* Prune and PrunePending: Join(S,G,rpt) ends the prune at once. */
static void
rpt_ds_join_rpt_to_noinfo(void **state)
{
	rpt_world(true);
	rpt_prune(ETH2, HT);
	rpt_join_received(ETH2, ip(S_ADDR), ip(G_ADDR));	/* an override */
	assert_int_equal(rpt_state(ETH2), RPT_DS_NO_INFO);
	fake_advance(JP_OVERRIDE_MS);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
	rpt_prune(ETH2, HT);
	fake_advance(JP_OVERRIDE_MS);
	assert_int_equal(rpt_state(ETH2), RPT_DS_PRUNE);
	rpt_join_received(ETH2, ip(S_ADDR), ip(G_ADDR));
	assert_int_equal(rpt_state(ETH2), RPT_DS_NO_INFO);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
	/* NoInfo ignores it, and the Tmp-free end of message */
	rpt_join_received(ETH2, ip(S_ADDR), ip(G_ADDR));
	rpt_end_of_message(ETH2, ip(G_ADDR));
	assert_int_equal(rpt_state(ETH2), RPT_DS_NO_INFO);
}

/* Prune: ET = max(ET, HT); expiry ends the prune.  PrunePending: expiry ends it too. */
static void
rpt_ds_et_max_and_expiry(void **state)
{
	rpt_world(true);
	rpt_prune(ETH2, 20);
	fake_advance(JP_OVERRIDE_MS);
	rpt_prune(ETH2, 10);			/* shorter: no change */
	assert_int_equal(timer_remaining(&rpt_if_of(ETH2)->expiry), 20000 - JP_OVERRIDE_MS);
	rpt_prune(ETH2, 30);
	assert_int_equal(timer_remaining(&rpt_if_of(ETH2)->expiry), 30000);
	fake_advance(30000);
	assert_int_equal(rpt_state(ETH2), RPT_DS_NO_INFO);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
	/* a holdtime shorter than the PPT: PrunePending expires to NoInfo */
	rpt_prune(ETH2, 1);
	fake_advance(1000);
	assert_int_equal(rpt_state(ETH2), RPT_DS_NO_INFO);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
}

/* An entry lives while it has (S,G,rpt) state, without data or joins. */
static void
rpt_ds_state_keeps_entry(void **state)
{
	join(ETH2, NULL, HT);
	rpt_prune(ETH2, 10);
	assert_non_null(find(S_ADDR, G_ADDR));
	fake_advance(0);
	assert_non_null(find(S_ADDR, G_ADDR));
	/* S is pruned off the only (*,G) interface there is: pruned upstream too */
	assert_int_equal(njp_count(S_ADDR, true, false), 1);
	fake_advance(10000);
	assert_null(find(S_ADDR, G_ADDR));
}

/* ---- §4.5.7 (S,G,rpt) upstream ------------------------------------------- */

/* Last hop on the SPT from another neighbour than RPF'(*,G): Prune(S,G,rpt). */
static void
rpt_up_spt_elsewhere_prunes(void **state)
{
	unsigned i;

	last_hop();				/* S via eth2, the RP via eth1 */
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	assert_int_equal(find(S_ADDR, G_ADDR)->rpt_up, RPT_UP_NOT_PRUNED);
	assert_int_equal(njp_count(S_ADDR, true, false), 0);	/* not before the data */
	sg_wrongvif(ip(S_ADDR), ip(G_ADDR), 2, PKT, sizeof(PKT));
	assert_int_equal(find(S_ADDR, G_ADDR)->rpt_up, RPT_UP_PRUNED);
	assert_int_equal(njp, 2);
	assert_jp_kind(1, ETH1, "10.0.1.2", S_ADDR, G_ADDR, JP_SG_RPT, false);
	assert_mfc(S_ADDR, G_ADDR, 2, VIF(3));
	/* the periodic Join(*,G) carries the Prune(S,G,rpt) */
	njp = 0;
	fake_advance(timer_remaining(&find(NULL, G_ADDR)->join_timer));
	i = jp_index(RP_ADDR, true);
	assert_jp(i, ETH1, "10.0.1.2", RP_ADDR, G_ADDR, true, true);
	assert_jp_kind(i + 1, ETH1, "10.0.1.2", S_ADDR, G_ADDR, JP_SG_RPT, false);
	/* no data for a keepalive period: the entry goes, and the prune with it */
	fake_advance(KAT_MS);
	assert_null(find(S_ADDR, G_ADDR));
	njp = 0;
	fake_advance(timer_remaining(&find(NULL, G_ADDR)->join_timer));
	assert_int_equal(njp, 1);
	assert_jp(0, ETH1, "10.0.1.2", RP_ADDR, G_ADDR, true, true);
}

/* RPF'(S,G) == RPF'(*,G): the trees share the link; nothing to prune. */
static void
rpt_up_same_rpf_no_prune(void **state)
{
	member_add(ETH3, NULL, G_ADDR);		/* S and the RP both via eth1 */
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	assert_true(find(S_ADDR, G_ADDR)->spt);
	assert_int_equal(find(S_ADDR, G_ADDR)->rpt_up, RPT_UP_NOT_PRUNED);
	assert_int_equal(njp_count(S_ADDR, true, false), 0);
}

/* Nobody below wants S from the RP tree: Prune(S,G,rpt); somebody again: Join(S,G,rpt). */
static void
rpt_up_empty_olist_prunes_then_joins(void **state)
{
	rpt_world(false);
	member_del(ETH3, G_ADDR);
	sg_prune_received(ETH3, any, ip(G_ADDR), HT);
	fake_advance(0);			/* eth3 leaves (*,G): eth2 is left */
	rpt_prune(ETH2, HT);
	fake_advance(0);
	assert_int_equal(find(S_ADDR, G_ADDR)->rpt_up, RPT_UP_PRUNED);
	assert_int_equal(njp_count(S_ADDR, true, false), 1);
	assert_jp_kind(jp_first(S_ADDR, true, false), ETH1, "10.0.1.2", S_ADDR, G_ADDR,
	    JP_SG_RPT, false);
	assert_mfc(S_ADDR, G_ADDR, 1, 0);
	rpt_join_received(ETH2, ip(S_ADDR), ip(G_ADDR));
	assert_int_equal(find(S_ADDR, G_ADDR)->rpt_up, RPT_UP_NOT_PRUNED);
	assert_int_equal(njp_count(S_ADDR, true, true), 1);
	assert_jp_kind(jp_first(S_ADDR, true, true), ETH1, "10.0.1.2", S_ADDR, G_ADDR,
	    JP_SG_RPT, true);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2));
}

/* pim_exclude(S,G): a member in EXCLUDE({S}) wants G, not S. */
static void
rpt_up_local_exclude_prunes(void **state)
{
	member_exclude(ETH3, S_ADDR, G_ADDR);
	assert_int_equal(njp, 1);		/* Join(*,G) */
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	assert_mfc(S_ADDR, G_ADDR, 1, 0);
	assert_int_equal(find(S_ADDR, G_ADDR)->rpt_up, RPT_UP_PRUNED);
	assert_jp_kind(1, ETH1, "10.0.1.2", S_ADDR, G_ADDR, JP_SG_RPT, false);
	/* another source of the group is forwarded */
	sg_nocache(ip("198.51.100.11"), ip(G_ADDR), 1);
	assert_mfc("198.51.100.11", G_ADDR, 1, VIF(3));
	member_del(ETH3, G_ADDR);
}

/* RPTJoinDesired(G) false: RPTNotJoined, and no (S,G,rpt) message. */
static void
rpt_up_rpt_not_joined_silent(void **state)
{
	last_hop();
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	sg_wrongvif(ip(S_ADDR), ip(G_ADDR), 2, PKT, sizeof(PKT));
	assert_int_equal(find(S_ADDR, G_ADDR)->rpt_up, RPT_UP_PRUNED);
	njp = 0;
	dr[2] = false;				/* no longer the DR of the members */
	sg_reevaluate_all();
	/* Prune(*,G), Prune(S,G), and nothing for (S,G,rpt) */
	assert_int_equal(njp, 2);
	assert_jp(jp_index(RP_ADDR, false), ETH1, "10.0.1.2", RP_ADDR, G_ADDR, true, false);
	assert_jp(jp_index(S_ADDR, false), ETH2, "10.0.2.2", S_ADDR, G_ADDR, false, false);
	assert_int_equal(find(S_ADDR, G_ADDR)->rpt_up, RPT_UP_NOT_JOINED);
}

/* The (S,G,rpt) Override Timer exists only while it runs. */
static bool
ot_pending(const struct sg *sg)
{
	return sg->rpt_ot != NULL && timer_pending(sg->rpt_ot);
}

/* NotPruned: another router's Prune(S,G,rpt) or Prune(S,G) to RPF'(*,G) is overridden. */
static void
rpt_up_override_timer(void **state)
{
	struct sg *sg;

	rpt_world(false);
	sg = find(S_ADDR, G_ADDR);
	assert_int_equal(sg->rpt_up, RPT_UP_NOT_PRUNED);
	rpt_prune_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR));
	assert_true(ot_pending(sg));
	assert_int_equal(timer_remaining(sg->rpt_ot), OVERRIDE_MS / 2);
	fake_advance(OVERRIDE_MS / 2);
	assert_int_equal(njp, 1);
	assert_jp_kind(0, ETH1, "10.0.1.2", S_ADDR, G_ADDR, JP_SG_RPT, true);
	/* a Join(S,G,rpt) from someone else first: ours is not needed */
	sg_prune_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR));
	assert_true(ot_pending(sg));
	rpt_join_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR));
	assert_false(ot_pending(sg));
	/* a Prune to another router, or on another interface, does not count */
	rpt_prune_seen(ETH1, ip("10.0.1.9"), ip(S_ADDR), ip(G_ADDR));
	rpt_prune_seen(ETH2, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR));
	assert_false(ot_pending(sg));
	fake_advance(OVERRIDE_MS);
	assert_int_equal(njp, 1);
}

/* Pruned: others' Prunes change nothing. */
static void
rpt_up_pruned_ignores_seen_prunes(void **state)
{
	member_exclude(ETH3, S_ADDR, G_ADDR);
	sg_nocache(ip(S_ADDR), ip(G_ADDR), 1);
	assert_int_equal(find(S_ADDR, G_ADDR)->rpt_up, RPT_UP_PRUNED);
	rpt_prune_seen(ETH1, ip("10.0.1.2"), ip(S_ADDR), ip(G_ADDR));
	assert_false(ot_pending(find(S_ADDR, G_ADDR)));
	member_del(ETH3, G_ADDR);
}

/* The RP: with S pruned off every (*,G) interface, Register-Stop and Prune(S,G) toward S. */
static void
rpt_rp_all_pruned_stops_registers(void **state)
{
	rp_local = true;
	route_set(RP_ADDR, true, true, NULL, NULL);
	join(ETH2, NULL, HT);
	assert_false(sg_register_received(ip(S_ADDR), ip(G_ADDR), false));
	assert_int_equal(find(S_ADDR, G_ADDR)->up, SG_UP_JOINED);
	rpt_prune(ETH2, HT);
	fake_advance(0);
	assert_int_equal(find(S_ADDR, G_ADDR)->up, SG_UP_NOT_JOINED);
	assert_jp(jp_index(S_ADDR, false), ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, false);
	assert_true(sg_register_received(ip(S_ADDR), ip(G_ADDR), false));
}

/* ---- the Assert hooks (§4.1.6, §4.6.5) ------------------------------------------ */

/* lost_assert(S,G,I): the interface leaves the olist, JoinDesired follows, the entry stays. */
static void
assert_lost_leaves_olist_entry_stays(void **state)
{
	join(ETH2, S_ADDR, HT);
	assert_int_equal(nassert_join, 1);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2));
	fake_assert_set(S_ADDR, ETH2, ASSERT_LOSER, "10.0.2.9");
	sg_update(find(S_ADDR, G_ADDR));
	assert_null(mfc_find(ip(S_ADDR), ip(G_ADDR)));
	assert_jp(njp - 1, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, false);
	/* the Join state is still there, to forward again when the Assert state goes */
	assert_non_null(ds_of(find(S_ADDR, G_ADDR), ETH2));
	assert_true(nassert_update > 0);
	nfas = 0;
	sg_update(find(S_ADDR, G_ADDR));
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2));
	assert_jp(njp - 1, ETH1, "10.0.1.2", S_ADDR, G_ADDR, false, true);
}

/* Local members keep a lost entry alive: pim_include without lost_assert is still wanted. */
static void
assert_lost_members_keep_entry(void **state)
{
	member_add(ETH3, S_ADDR, G_ADDR);
	fake_assert_set(S_ADDR, ETH3, ASSERT_LOSER, "10.0.3.9");
	sg_update(find(S_ADDR, G_ADDR));
	assert_non_null(find(S_ADDR, G_ADDR));
	assert_null(mfc_find(ip(S_ADDR), ip(G_ADDR)));
	member_del(ETH3, G_ADDR);
	assert_null(find(S_ADDR, G_ADDR));
}

/* pim_include(S,G): AssertWinner == me counts local members where we are not the DR. */
static void
assert_won_members_without_dr(void **state)
{
	dr[2] = false;
	fake_assert_set(S_ADDR, ETH3, ASSERT_WINNER, NULL);
	member_add(ETH3, S_ADDR, G_ADDR);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(3));
	nfas = 0;
	sg_update(find(S_ADDR, G_ADDR));
	assert_null(find(S_ADDR, G_ADDR));
}

/* lost_assert(*,G,I) leaves the inherited olist of every (S,G), and JoinDesired(*,G). */
static void
assert_lost_wc_leaves_inherited(void **state)
{
	join(ETH2, NULL, HT);
	join(ETH3, S_ADDR, HT);
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2) | VIF(3));
	fake_assert_set(NULL, ETH2, ASSERT_LOSER, "10.0.2.9");
	sg_update(find(NULL, G_ADDR));
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(3));
	assert_jp(njp - 1, ETH1, "10.0.1.2", RP_ADDR, G_ADDR, true, false);
	assert_non_null(find(NULL, G_ADDR));
}

/* §4.6.5, §4.5.7: RPF' is the winner; it changes without Join/Prune, JT to t_override. */
static void
assert_rpf_winner_without_join_prune(void **state)
{
	struct sg *sg;

	nbr_add(ETH1, "10.0.1.3");
	join(ETH2, S_ADDR, HT);
	sg = find(S_ADDR, G_ADDR);
	assert_int_equal(njp, 1);
	fake_assert_set(S_ADDR, ETH1, ASSERT_LOSER, "10.0.1.3");
	sg_rpf_assert_changed(sg);
	assert_int_equal(sg->rpf_nbr.s_addr, ip("10.0.1.3").s_addr);
	assert_int_equal(njp, 1);
	assert_int_equal(jt(S_ADDR), OVERRIDE_MS / 2);
	/* the lost Assert on the RPF interface leaves the olist alone */
	assert_mfc(S_ADDR, G_ADDR, 1, VIF(2));
	fake_advance(OVERRIDE_MS / 2);
	assert_jp(1, ETH1, "10.0.1.3", S_ADDR, G_ADDR, false, true);
	/* a route change is not an Assert one: sg_rpf_assert_changed leaves it */
	route_via(S_ADDR, ETH2, "10.0.2.2");
	sg_rpf_assert_changed(sg);
	assert_ptr_equal(sg->rpf_ifp, ETH2);
}

/* §4.2: a first hop keeps (S,G) whether it is the DR or not, so a new DR registers at once. */
static void
data_nocache_first_hop_not_dr_keeps_state(void **state)
{
	const char *s = "10.0.3.50";

	route_via(s, ETH3, s);
	dr[2] = false;
	sg_nocache(ip(s), ip(G_ADDR), 3);
	assert_non_null(find(s, G_ADDR));
	assert_int_equal(could_register, 0);
	assert_mfc(s, G_ADDR, 3, 0);
	dr[2] = true;
	sg_reevaluate_all();
	assert_int_equal(could_register, 1);
}

/* Shutting down prunes every joined entry upstream. */
static void
fini_prunes_joined(void **state)
{
	join(ETH2, S_ADDR, HT);
	join(ETH2, NULL, HT);
	njp = 0;
	sg_fini();
	assert_int_equal(njp, 2);
	assert_false(jps[0].join);
	assert_false(jps[1].join);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define DS(fn)	T(fn##_sg), T(fn##_wc)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* §4.5.2 (S,G) and §4.5.1 (*,G) downstream */
		DS(ds_noinfo_join_to_join_et_holdtime),
		DS(ds_join_join_et_max),
		DS(ds_join_prune_one_nbr_ppt_zero),
		DS(ds_join_prune_lan_ppt_override_then_noinfo),
		DS(ds_prune_pending_join_to_join),
		DS(ds_prune_pending_prune_no_change),
		DS(ds_join_et_expiry_to_noinfo),
		DS(ds_prune_pending_et_expiry_to_noinfo),
		DS(ds_noinfo_prune_ignored),
		DS(ds_holdtime_ffff_never_expires),
		DS(ds_holdtime_ffff_after_finite),
		DS(ds_noinfo_join_holdtime_zero_expires),
		/* §4.5.5 (S,G) upstream */
		T(up_sg_join_desired_sends_join),
		T(up_sg_jt_expiry_sends_join),
		T(up_sg_join_desired_false_sends_prune),
		T(up_sg_rpf_change_join_new_prune_old),
		T(up_sg_rpf_change_not_joined_silent),
		T(up_sg_see_join_raises_jt_to_joinsuppress),
		T(up_sg_see_join_suppress_holdtime_t_bit),
		T(up_sg_see_prune_lowers_jt_to_override),
		T(up_sg_see_prune_wc_to_rpf_lowers_jt),
		T(up_sg_nbr_restarted_lowers_jt),
		T(up_sg_no_rpf_nbr_no_message_state_tracked),
		/* §4.5.4 (*,G) upstream */
		T(up_wc_join_towards_rp_with_wc),
		T(up_wc_rp_itself_sends_nothing),
		T(up_wc_no_rp_sends_nothing),
		/* §4.1.6 olists, MFC */
		T(mfc_oifs_union_minus_iif),
		T(mfc_local_members_only_where_dr),
		T(mfc_wc_members_join_rp_tree),
		T(mfc_iif_rp_tree_then_spt),
		T(mfc_iif_connected_source),
		T(mfc_iif_register_vif_on_rp),
		T(mfc_removed_when_unneeded),
		/* §4.2 data */
		T(data_nocache_last_hop_switches_to_spt),
		T(data_nocache_spt_never_stays_on_rp_tree),
		T(data_wrongvif_on_rpf_iface_sets_spt),
		T(data_kat_expiry_counter),
		T(data_kat_granularity),
		T(data_nocache_without_state_ignored),
		T(data_ssm_no_wc_nocache_ignored),
		T(data_register_stop_matching_sources),
		/* §4.5.3 (S,G,rpt) downstream */
		T(rpt_ds_noinfo_prune_pending_then_prune),
		T(rpt_ds_prune_without_wc_ignored),
		T(rpt_ds_prune_wc_join_tmp_then_end),
		T(rpt_ds_prune_pending_wc_join_tmp_then_end),
		T(rpt_ds_join_rpt_to_noinfo),
		T(rpt_ds_et_max_and_expiry),
		T(rpt_ds_state_keeps_entry),
		/* §4.5.7 (S,G,rpt) upstream */
		T(rpt_up_spt_elsewhere_prunes),
		T(rpt_up_same_rpf_no_prune),
		T(rpt_up_empty_olist_prunes_then_joins),
		T(rpt_up_local_exclude_prunes),
		T(rpt_up_rpt_not_joined_silent),
		T(rpt_up_override_timer),
		T(rpt_up_pruned_ignores_seen_prunes),
		T(rpt_rp_all_pruned_stops_registers),
		T(fini_prunes_joined),
		/* §4.1.6, §4.6.5 the Assert hooks */
		T(assert_lost_leaves_olist_entry_stays),
		T(assert_lost_members_keep_entry),
		T(assert_won_members_without_dr),
		T(assert_lost_wc_leaves_inherited),
		T(assert_rpf_winner_without_join_prune),
		T(data_nocache_first_hop_not_dr_keeps_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
