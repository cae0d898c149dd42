/* SPDX-License-Identifier: ISC */
/*
 * The Non-Candidate-BSR (RFC 5059 §3.1.2): every cell of the table, then
 * Bootstrap messages through bsr_recv() on injected time, with what bsr.o
 * calls faked: the interfaces, neighbours, the route toward the BSR,
 * sending, drops and the RP set.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bsr.h"
#include "bsr_crp.h"
#include "config.h"
#include "fake_event.h"
#include "iface.h"
#include "nbr.h"
#include "netlink.h"
#include "pim.h"
#include "rawsock.h"
#include "rp.h"

/* RFC 5059 §5 with the default BS_Period of 60 s. */
#define BS_TIMEOUT_MS	130000u
#define SZ_TIMEOUT_MS	1300000u

/* ---- fakes -------------------------------------------------------------- */

struct iface_list ifaces = TAILQ_HEAD_INITIALIZER(ifaces);
static struct iface if1, if2;
static struct cfg_iface cfg_if = { .pim = { .enable = true, .bsm = true, .unicast_bsm = true } };
static struct pim_if pif1, pif2;
static struct in_addr upstream;		/* the RPF neighbour, on if1 */
static unsigned sent_on[3];		/* Bootstraps sent, by ifindex */
static unsigned drops[PIM_DROP_MAX];
static struct rp_bsr last_set[64];
static unsigned last_n, publishes;
static uint8_t last_hash;

struct pim_nbr *
nbr_find(struct pim_if *pif, struct in_addr a)
{
	return a.s_addr == upstream.s_addr ? (struct pim_nbr *)pif : NULL;
}

int
netlink_route_lookup(struct in_addr dst, struct netlink_route *r)
{
	memset(r, 0, sizeof(*r));
	r->type = RTN_UNICAST;
	r->ifindex = 1;
	r->gateway = upstream;
	return 0;
}

/* The last Bootstraps sent on if2, as a BSM fragment each. */
static uint8_t sent_msg[8][1500];
static size_t sent_len[8];
static unsigned nsent;
static struct in_addr sent_dst;

void
pim_send(struct pim_if *pif, struct in_addr dst, const uint8_t *buf, size_t len,
    enum pim_type type)
{
	assert_int_equal(type, PIM_BOOTSTRAP);
	sent_on[pif->ifp->ifindex]++;
	if (pif->ifp->ifindex != 2)
		return;
	assert_true(len <= sizeof(sent_msg[0]));
	memcpy(sent_msg[nsent % 8], buf, len);
	sent_len[nsent++ % 8] = len;
	sent_dst = dst;
}

bool
pim_is_dr(const struct pim_if *pif)
{
	return true;
}

struct iface *
iface_find_index(int ifindex)
{
	return ifindex == 1 ? &if1 : ifindex == 2 ? &if2 : NULL;
}

bool
iface_candidate_addr(const struct cfg_candidate *c, struct in_addr *addr)
{
	*addr = c->addr;
	return c->addr.s_addr != INADDR_ANY;
}

void
pim_drop(struct pim_if *pif, enum pim_drop why, struct in_addr src, const char *detail)
{
	drops[why]++;
}

void
rp_set_bsr(const struct rp_bsr *set, unsigned n, uint8_t hash_masklen)
{
	assert_true(n <= 64);
	if (n > 0)
		memcpy(last_set, set, n * sizeof(*set));
	last_n = n;
	last_hash = hash_masklen;
	publishes++;
}

/* ---- building Bootstrap messages ----------------------------------------- */

static struct in_addr
ip(const char *a)
{
	struct in_addr in;

	assert_int_equal(inet_pton(AF_INET, a, &in), 1);
	return in;
}

struct msg {
	uint8_t	b[512];
	size_t	len;
	struct pim_bsm m;
};

static void
put(struct msg *p, const void *v, size_t n)
{
	assert_true(p->len + n <= sizeof(p->b));
	memcpy(p->b + p->len, v, n);
	p->len += n;
}

static void
put_addr(struct msg *p, uint8_t family_hdr_len, const char *a)
{
	struct in_addr in = ip(a);
	uint8_t hdr[] = { 1, 0 };

	put(p, hdr, family_hdr_len);
	put(p, &in, 4);
}

/* BSR bsr (priority prio), tag tag, then n ranges of one RP each. */
static void
bsm(struct msg *p, const char *bsr_addr, uint8_t prio, uint16_t tag, bool no_forward)
{
	uint8_t hdr[] = { 0x24, no_forward ? 0x80 : 0, 0, 0,
	    (uint8_t)(tag >> 8), (uint8_t)tag, 30, prio };

	p->len = 0;
	put(p, hdr, sizeof(hdr));
	put_addr(p, 2, bsr_addr);
}

static void
range(struct msg *p, const char *grp, uint8_t masklen, uint8_t count, uint8_t frag)
{
	uint8_t g[] = { 1, 0, 0, masklen };
	uint8_t c[] = { count, frag, 0, 0 };

	put(p, g, sizeof(g));
	put_addr(p, 0, grp);
	put(p, c, sizeof(c));
}

static void
rp(struct msg *p, const char *addr, uint16_t holdtime, uint8_t prio)
{
	uint8_t t[] = { (uint8_t)(holdtime >> 8), (uint8_t)holdtime, prio, 0 };

	put_addr(p, 2, addr);
	put(p, t, sizeof(t));
}

/* Decode (the checksum is not bsr.c's business) and hand it to bsr_recv(). */
static void
recv_from(struct msg *p, struct pim_if *pif, const char *src, const char *dst)
{
	struct raw_rx rx = { .ifindex = pif->ifp->ifindex, .src = ip(src), .dst = ip(dst),
	    .ttl = 1, .payload = p->b, .len = p->len };

	assert_int_equal(pim_bsm_decode(p->b, p->len, &p->m), PIM_OK);
	bsr_recv(pif, &rx, &p->m);
}

static void
recv_bsm(struct msg *p)
{
	recv_from(p, &pif1, "10.0.0.2", PIM_ALL_ROUTERS);
}

static void
one_rp_bsm(struct msg *p, const char *bsr_addr, uint8_t prio, uint16_t tag,
    const char *rp_addr)
{
	bsm(p, bsr_addr, prio, tag, false);
	range(p, "239.0.0.0", 8, 1, 1);
	rp(p, rp_addr, 150, 10);
}

static enum bsr_state
state(void)
{
	struct bsr_info b;

	bsr_get(&b);
	return b.state;
}

static struct in_addr
bsr_addr(void)
{
	struct bsr_info b;

	bsr_get(&b);
	return b.addr;
}

static int
setup(void **st)
{
	fake_time_reset(1000000);
	memset(sent_on, 0, sizeof(sent_on));
	memset(drops, 0, sizeof(drops));
	last_n = publishes = nsent = 0;
	upstream = ip("10.0.0.2");
	TAILQ_INIT(&ifaces);
	if1 = (struct iface){ .ifindex = 1, .pim = &pif1, .cfg = &cfg_if };
	if2 = (struct iface){ .ifindex = 2, .pim = &pif2, .cfg = &cfg_if };
	pif1 = (struct pim_if){ .ifp = &if1 };
	pif2 = (struct pim_if){ .ifp = &if2 };
	TAILQ_INSERT_TAIL(&ifaces, &if1, entry);
	TAILQ_INSERT_TAIL(&ifaces, &if2, entry);
	return 0;
}

static int
teardown(void **st)
{
	bsr_fini();
	return 0;
}

/* ---- the table ------------------------------------------------------------ */

struct cell {
	enum bsr_state	s;
	enum bsr_event	e;
	enum bsr_action	a;
	enum bsr_state	n;
};

static void
check_cells(const struct cell *cells, size_t n)
{
	enum bsr_state next;

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(bsr_fsm(cells[i].s, cells[i].e, &next), cells[i].a);
		assert_int_equal(next, cells[i].n);
	}
}

/* RFC 5059 §3.1.2, written out again here, cell by cell. */
static void
table_every_cell(void **st)
{
	static const struct cell cells[] = {
		{ BSR_NO_INFO, BSR_EV_PREFERRED, BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		{ BSR_NO_INFO, BSR_EV_NOT_PREFERRED, BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		{ BSR_NO_INFO, BSR_EV_BS_TIMER, BSR_ACT_NONE, BSR_NO_INFO },
		{ BSR_NO_INFO, BSR_EV_SZ_TIMER, BSR_ACT_NONE, BSR_NO_INFO },
		{ BSR_ACCEPT_ANY, BSR_EV_PREFERRED, BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		{ BSR_ACCEPT_ANY, BSR_EV_NOT_PREFERRED, BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		{ BSR_ACCEPT_ANY, BSR_EV_BS_TIMER, BSR_ACT_NONE, BSR_ACCEPT_ANY },
		{ BSR_ACCEPT_ANY, BSR_EV_SZ_TIMER, BSR_ACT_CLEAR, BSR_NO_INFO },
		{ BSR_ACCEPT_PREFERRED, BSR_EV_PREFERRED, BSR_ACT_ACCEPT, BSR_ACCEPT_PREFERRED },
		{ BSR_ACCEPT_PREFERRED, BSR_EV_NOT_PREFERRED, BSR_ACT_DROP, BSR_ACCEPT_PREFERRED },
		{ BSR_ACCEPT_PREFERRED, BSR_EV_BS_TIMER, BSR_ACT_NONE, BSR_ACCEPT_ANY },
		{ BSR_ACCEPT_PREFERRED, BSR_EV_SZ_TIMER, BSR_ACT_NONE, BSR_ACCEPT_PREFERRED },
	};

	check_cells(cells, sizeof(cells) / sizeof(cells[0]));
	assert_string_equal(bsr_state_name(BSR_ACCEPT_ANY), "accept-any");
}

/* ---- the same rows, driven by Bootstrap messages and timers --------------------- */

static void
accept_forward_and_timers(void **st)
{
	struct msg p;

	assert_int_equal(state(), BSR_NO_INFO);
	/* NoInfo, any BSM -> Accept Preferred: forwarded on if2 only, RP-set stored. */
	one_rp_bsm(&p, "10.9.9.9", 64, 1, "10.1.1.1");
	recv_bsm(&p);
	assert_int_equal(state(), BSR_ACCEPT_PREFERRED);
	assert_int_equal(bsr_addr().s_addr, ip("10.9.9.9").s_addr);
	assert_int_equal(sent_on[1], 0);
	assert_int_equal(sent_on[2], 1);
	assert_int_equal(last_n, 1);
	assert_int_equal(last_hash, 30);
	assert_int_equal(last_set[0].rp.s_addr, ip("10.1.1.1").s_addr);
	assert_int_equal(last_set[0].priority, 10);

	/* Accept Preferred, a worse BSR: dropped, not forwarded. */
	one_rp_bsm(&p, "10.9.9.1", 64, 2, "10.1.1.2");
	recv_bsm(&p);
	assert_int_equal(drops[PIM_DROP_BSM_NOT_PREFERRED], 1);
	assert_int_equal(sent_on[2], 1);
	assert_int_equal(bsr_addr().s_addr, ip("10.9.9.9").s_addr);

	/* Accept Preferred, BST -> Accept Any; the RP-set stays. */
	fake_advance(BS_TIMEOUT_MS);
	assert_int_equal(state(), BSR_ACCEPT_ANY);
	assert_int_equal(last_n, 1);

	/* Accept Any, the worse BSR now -> Accept Preferred with it. */
	recv_bsm(&p);
	assert_int_equal(state(), BSR_ACCEPT_PREFERRED);
	assert_int_equal(bsr_addr().s_addr, ip("10.9.9.1").s_addr);
	assert_int_equal(sent_on[2], 2);

	/* A better one (higher priority) is preferred: taken at once. */
	one_rp_bsm(&p, "10.9.9.0", 65, 3, "10.1.1.3");
	recv_bsm(&p);
	assert_int_equal(bsr_addr().s_addr, ip("10.9.9.0").s_addr);
	/* So is the same priority with a higher address. */
	one_rp_bsm(&p, "10.9.9.5", 65, 4, "10.1.1.3");
	recv_bsm(&p);
	assert_int_equal(bsr_addr().s_addr, ip("10.9.9.5").s_addr);
	assert_int_equal(state(), BSR_ACCEPT_PREFERRED);

	/* Silence: BST -> Accept Any, then SZT -> NoInfo, everything cleared. */
	fake_advance(BS_TIMEOUT_MS);
	assert_int_equal(state(), BSR_ACCEPT_ANY);
	fake_advance(SZ_TIMEOUT_MS);
	assert_int_equal(state(), BSR_NO_INFO);
	assert_int_equal(last_n, 0);
	assert_int_equal(bsr_addr().s_addr, htonl(INADDR_ANY));
}

static void
rpf_unicast_and_no_forward(void **st)
{
	struct msg p;

	one_rp_bsm(&p, "10.9.9.9", 64, 1, "10.1.1.1");
	/* Multicast from another router than the RPF neighbour, or on if2. */
	recv_from(&p, &pif1, "10.0.0.3", PIM_ALL_ROUTERS);
	recv_from(&p, &pif2, "10.0.0.2", PIM_ALL_ROUTERS);
	assert_int_equal(drops[PIM_DROP_BSM_RPF], 2);
	assert_int_equal(state(), BSR_NO_INFO);
	/* Unicast from a non-neighbour: dropped; from a neighbour: taken, not forwarded. */
	recv_from(&p, &pif2, "10.0.0.3", "10.0.0.1");
	assert_int_equal(drops[PIM_DROP_BSM_RPF], 3);
	recv_from(&p, &pif2, "10.0.0.2", "10.0.0.1");
	assert_int_equal(state(), BSR_ACCEPT_PREFERRED);
	assert_int_equal(sent_on[1] + sent_on[2], 0);
	/* The No-Forward bit: taken, not forwarded. */
	bsm(&p, "10.9.9.9", 64, 2, true);
	recv_bsm(&p);
	assert_int_equal(sent_on[1] + sent_on[2], 0);
}

/* §3.1.3: a unicast or No-Forward BSM primes a router only in its first BS_Period. */
static void
unicast_only_at_startup(void **st)
{
	struct msg p;

	one_rp_bsm(&p, "10.9.9.9", 64, 1, "10.1.1.1");
	recv_from(&p, &pif2, "10.0.0.3", "10.0.0.1");	/* starts the module: dropped */
	fake_advance(60001);
	recv_from(&p, &pif2, "10.0.0.2", "10.0.0.1");
	assert_int_equal(drops[PIM_DROP_BSM_UNEXPECTED], 1);
	bsm(&p, "10.9.9.9", 64, 2, true);
	range(&p, "239.0.0.0", 8, 1, 1);
	rp(&p, "10.1.1.1", 150, 10);
	recv_bsm(&p);
	assert_int_equal(drops[PIM_DROP_BSM_UNEXPECTED], 2);
	assert_int_equal(state(), BSR_NO_INFO);
	/* The flood from the RPF neighbour is taken as ever. */
	one_rp_bsm(&p, "10.9.9.9", 64, 3, "10.1.1.1");
	recv_bsm(&p);
	assert_int_equal(state(), BSR_ACCEPT_PREFERRED);
}

static void
rpset_fragments_replace_and_expire(void **st)
{
	struct msg p;

	/* One BSM (tag 7) in two fragments: 239/8's two RPs, split. */
	bsm(&p, "10.9.9.9", 64, 7, false);
	range(&p, "239.0.0.0", 8, 2, 1);
	rp(&p, "10.1.1.1", 150, 10);
	recv_bsm(&p);
	assert_int_equal(last_n, 1);
	bsm(&p, "10.9.9.9", 64, 7, false);
	range(&p, "239.0.0.0", 8, 2, 1);
	rp(&p, "10.1.1.2", 60, 20);
	range(&p, "232.0.0.0", 8, 0, 0);
	recv_bsm(&p);
	assert_int_equal(last_n, 2);

	/* Holdtimes run on their own: 10.1.1.2's 60 s first. */
	fake_advance(60000);
	assert_int_equal(last_n, 1);
	assert_int_equal(last_set[0].rp.s_addr, ip("10.1.1.1").s_addr);

	/* The next BSM (tag 8) replaces the range's RPs; holdtime 0 adds none. */
	bsm(&p, "10.9.9.9", 64, 8, false);
	range(&p, "239.0.0.0", 8, 2, 2);
	rp(&p, "10.1.1.3", 150, 5);
	rp(&p, "10.1.1.4", 0, 5);
	range(&p, "239.1.0.0", 16, 1, 1);
	rp(&p, "10.1.1.4", 150, 5);
	recv_bsm(&p);
	assert_int_equal(last_n, 2);
	for (unsigned i = 0; i < last_n; i++)
		assert_int_not_equal(last_set[i].rp.s_addr, ip("10.1.1.1").s_addr);

	/* An admin-scope range is left out (no scope zones here). */
	bsm(&p, "10.9.9.9", 64, 9, false);
	range(&p, "239.2.0.0", 16, 1, 1);
	p.b[16] = 1;					/* Z bit */
	rp(&p, "10.1.1.5", 150, 5);
	recv_bsm(&p);
	assert_int_equal(last_n, 2);
	/* Everything expires in the end, BSR or not. */
	fake_advance(150000);
	assert_int_equal(last_n, 0);
}

/* ---- the Candidate-BSR (§3.1.1) -------------------------------------------- */

/* RFC 5059 §3.1.1, written out again here, cell by cell. */
static void
candidate_table_every_cell(void **st)
{
	static const struct cell cells[] = {
		{ BSR_CANDIDATE, BSR_EV_PREFERRED, BSR_ACT_ACCEPT, BSR_CANDIDATE },
		{ BSR_CANDIDATE, BSR_EV_NOT_PREFERRED, BSR_ACT_DROP, BSR_CANDIDATE },
		{ BSR_CANDIDATE, BSR_EV_NOT_PREFERRED_ELECTED, BSR_ACT_FORWARD_OVERRIDE,
		  BSR_PENDING },
		{ BSR_CANDIDATE, BSR_EV_BS_TIMER, BSR_ACT_OVERRIDE, BSR_PENDING },
		{ BSR_CANDIDATE, BSR_EV_SZ_TIMER, BSR_ACT_NONE, BSR_CANDIDATE },
		{ BSR_PENDING, BSR_EV_PREFERRED, BSR_ACT_ACCEPT, BSR_CANDIDATE },
		{ BSR_PENDING, BSR_EV_NOT_PREFERRED, BSR_ACT_FORWARD, BSR_PENDING },
		{ BSR_PENDING, BSR_EV_NOT_PREFERRED_ELECTED, BSR_ACT_NONE, BSR_PENDING },
		{ BSR_PENDING, BSR_EV_BS_TIMER, BSR_ACT_ORIGINATE, BSR_ELECTED },
		{ BSR_PENDING, BSR_EV_SZ_TIMER, BSR_ACT_NONE, BSR_PENDING },
		{ BSR_ELECTED, BSR_EV_PREFERRED, BSR_ACT_ACCEPT, BSR_CANDIDATE },
		{ BSR_ELECTED, BSR_EV_NOT_PREFERRED, BSR_ACT_ORIGINATE, BSR_ELECTED },
		{ BSR_ELECTED, BSR_EV_NOT_PREFERRED_ELECTED, BSR_ACT_NONE, BSR_ELECTED },
		{ BSR_ELECTED, BSR_EV_BS_TIMER, BSR_ACT_ORIGINATE, BSR_ELECTED },
		{ BSR_ELECTED, BSR_EV_SZ_TIMER, BSR_ACT_NONE, BSR_ELECTED },
	};
	enum bsr_state next;

	check_cells(cells, sizeof(cells) / sizeof(cells[0]));
	/* The non-candidate rows never see the candidate-only event. */
	for (enum bsr_state s = BSR_NO_INFO; s <= BSR_ACCEPT_PREFERRED; s++) {
		assert_int_equal(bsr_fsm(s, BSR_EV_NOT_PREFERRED_ELECTED, &next), BSR_ACT_NONE);
		assert_int_equal(next, s);
	}
}

/* §5: 5 s for the best candidate, longer the worse one is, at most 23 s. */
static void
rand_override_values(void **st)
{
	struct in_addr lo = ip("10.0.0.1"), hi = ip("10.0.0.9"), top = ip("255.255.255.254");
	uint32_t same = bsr_rand_override_ms(64, lo, 64, lo);
	uint32_t addr_worse = bsr_rand_override_ms(64, lo, 64, hi);
	uint32_t prio_worse = bsr_rand_override_ms(50, lo, 100, hi);
	uint32_t prio_worst = bsr_rand_override_ms(0, lo, 255, hi);

	assert_int_equal(same, 5000);
	/* log2(1 + 8) / 16 = 0.198 s (linear between powers of two: 0.195) */
	assert_in_range(addr_worse, 5190, 5200);
	assert_true(prio_worse > addr_worse && prio_worst > prio_worse);
	/* 5 + 2 x log2(256) + 2 - 10.0.0.1 / 2^31 */
	assert_in_range(prio_worst, 22900, 23000);
	assert_in_range(bsr_rand_override_ms(0, top, 255, top), 21000, 21001);
	/* A better candidate waits less. */
	assert_true(bsr_rand_override_ms(60, lo, 100, hi) < prio_worse);
	assert_int_equal(bsr_bs_timeout_ms(60), 130000);
	assert_int_equal(bsr_bs_timeout_ms(1), 12000);
}

static struct config cand_conf;

static void
be_candidate(const char *addr, uint8_t prio, uint16_t period)
{
	memset(&cand_conf, 0, sizeof(cand_conf));
	cand_conf.bsr.bootstrap_period = period;
	cand_conf.bsr.cbsr.enable = true;
	cand_conf.bsr.cbsr.addr = ip(addr);
	cand_conf.bsr.cbsr.priority = prio;
	cand_conf.bsr.hash_masklen = 30;
	bsr_apply_config(&cand_conf);
}

/* A C-RP-Advertisement for rp, one range, as pim_crp_adv_decode() gives it. */
static void
crp_adv(const char *rp_addr, const char *grp, uint8_t masklen, uint8_t prio,
    uint16_t holdtime, struct pim_crp_adv *a, uint8_t *buf, size_t size)
{
	struct pim_crp_adv in = { .priority = prio, .holdtime = holdtime, .rp = ip(rp_addr) };
	struct in_addr g = ip(grp);
	size_t len = pim_crp_adv_encode(buf, size, &in, &g, &masklen, 1);

	assert_true(len > 0);
	assert_int_equal(pim_crp_adv_decode(buf + 4, len - 4, a), PIM_OK);
}

static void
last_sent(struct pim_bsm *m)
{
	assert_true(nsent > 0);
	assert_int_equal(pim_bsm_decode(sent_msg[(nsent - 1) % 8], sent_len[(nsent - 1) % 8], m),
	    PIM_OK);
}

static void
candidate_elected_then_preempted(void **st)
{
	struct pim_crp_adv a;
	struct pim_bsm m;
	struct msg p;
	uint8_t buf[64];

	be_candidate("10.5.5.5", 64, 60);
	assert_int_equal(state(), BSR_PENDING);
	/* Pending, no BSR known: BS_Rand_Override is 5 s; then elected, a BSM out. */
	fake_advance(4999);
	assert_int_equal(state(), BSR_PENDING);
	assert_int_equal(nsent, 0);
	fake_advance(1);
	assert_int_equal(state(), BSR_ELECTED);
	assert_int_equal(bsr_addr().s_addr, ip("10.5.5.5").s_addr);
	last_sent(&m);
	assert_int_equal(m.priority, 64);
	assert_int_equal(m.ngroups, 0);			/* no C-RP yet: empty */
	assert_int_equal(sent_on[1], 1);		/* out of every interface */

	/* A C-RP advertises: the next BSM, BS_Min_Interval after the last. */
	crp_adv("10.1.1.1", "239.0.0.0", 8, 10, 150, &a, buf, sizeof(buf));
	bsr_crp_adv_local(&a);
	assert_int_equal(nsent, 1);
	fake_advance(BSR_MIN_INTERVAL_MS);
	assert_int_equal(nsent, 2);
	last_sent(&m);
	assert_int_equal(m.ngroups, 1);
	assert_int_equal(last_n, 1);			/* its own RP-set, stored */
	assert_int_equal(last_set[0].rp.s_addr, ip("10.1.1.1").s_addr);
	/* Then every BS_Period. */
	fake_advance(60000);
	assert_int_equal(nsent, 3);

	/* A worse BSR's BSM: not taken, answered with ours (rate-limited). */
	one_rp_bsm(&p, "10.5.5.1", 64, 7, "10.1.1.9");
	recv_bsm(&p);
	assert_int_equal(state(), BSR_ELECTED);
	assert_int_equal(drops[PIM_DROP_BSM_NOT_PREFERRED], 1);
	fake_advance(BSR_MIN_INTERVAL_MS);
	assert_int_equal(nsent, 4);

	/* A better one: this router follows it, forwards it, drops its C-RP set. */
	one_rp_bsm(&p, "10.5.5.9", 64, 8, "10.1.1.2");
	recv_bsm(&p);
	assert_int_equal(state(), BSR_CANDIDATE);
	assert_int_equal(bsr_addr().s_addr, ip("10.5.5.9").s_addr);
	assert_int_equal(nsent, 5);			/* forwarded on if2 */
	bsr_crp_adv_local(&a);				/* no longer the BSR: ignored */
	fake_advance(59000);
	assert_int_equal(nsent, 5);

	/* Its BSM grows worse than us: pending at once, elected after the override. */
	one_rp_bsm(&p, "10.5.5.9", 10, 9, "10.1.1.2");
	recv_bsm(&p);
	assert_int_equal(state(), BSR_PENDING);
	assert_int_equal(nsent, 6);			/* forwarded */
	fake_advance(bsr_rand_override_ms(64, ip("10.5.5.5"), 64, ip("10.5.5.9")));
	assert_int_equal(state(), BSR_ELECTED);

	/* Silence from a better BSR for BS_Timeout: the override, then elected. */
	one_rp_bsm(&p, "10.5.5.9", 200, 10, "10.1.1.2");
	recv_bsm(&p);
	assert_int_equal(state(), BSR_CANDIDATE);
	fake_advance(BS_TIMEOUT_MS);
	assert_int_equal(state(), BSR_PENDING);
	fake_advance(bsr_rand_override_ms(64, ip("10.5.5.5"), 200, ip("10.5.5.9")));
	assert_int_equal(state(), BSR_ELECTED);

	/* The candidacy ends: a last BSM at priority 0, then a follower again. */
	cand_conf.bsr.cbsr.enable = false;
	bsr_apply_config(&cand_conf);
	last_sent(&m);
	assert_int_equal(m.priority, 0);
	assert_int_equal(state(), BSR_ACCEPT_ANY);
}

/* The rows the scenario above leaves out, on injected time. */
static void
candidate_pending_and_candidate_rows(void **st)
{
	struct msg p;

	be_candidate("10.5.5.5", 64, 60);
	/* Pending, a worse BSR: forwarded, still pending, elected on time. */
	one_rp_bsm(&p, "10.5.5.1", 64, 1, "10.1.1.1");
	recv_bsm(&p);
	assert_int_equal(state(), BSR_PENDING);
	assert_int_equal(nsent, 1);
	/* Pending, a better one: followed. */
	one_rp_bsm(&p, "10.5.5.9", 64, 2, "10.1.1.1");
	recv_bsm(&p);
	assert_int_equal(state(), BSR_CANDIDATE);
	assert_int_equal(bsr_addr().s_addr, ip("10.5.5.9").s_addr);
	assert_int_equal(nsent, 2);
	/* Candidate, another BSR worse than ours: dropped, nothing changes. */
	one_rp_bsm(&p, "10.5.5.6", 64, 3, "10.1.1.2");
	recv_bsm(&p);
	assert_int_equal(state(), BSR_CANDIDATE);
	assert_int_equal(drops[PIM_DROP_BSM_NOT_PREFERRED], 1);
	assert_int_equal(nsent, 2);
	/* The Scope-Zone timer plays no part for a candidate. */
	fake_advance(BS_TIMEOUT_MS - 1);
	assert_int_equal(state(), BSR_CANDIDATE);
}

/* Only the elected BSR takes Candidate-RP-Advertisements. */
static void
crp_adv_needs_elected_bsr(void **st)
{
	struct raw_rx rx = { .ifindex = 1, .src = ip("10.0.0.2"), .dst = ip("10.5.5.5") };
	struct pim_crp_adv a;
	uint8_t buf[64];

	crp_adv("10.1.1.1", "239.0.0.0", 8, 10, 150, &a, buf, sizeof(buf));
	bsr_crp_adv_recv(&pif1, &rx, &a);
	assert_int_equal(drops[PIM_DROP_CRP_NOT_BSR], 1);
	be_candidate("10.5.5.5", 64, 60);
	fake_advance(5000);
	bsr_crp_adv_recv(&pif1, &rx, &a);
	assert_int_equal(drops[PIM_DROP_CRP_NOT_BSR], 1);
	fake_advance(BSR_MIN_INTERVAL_MS);
	assert_int_equal(last_n, 1);
	/* Holdtime 0: gone at once, and the range withdrawn (RP count 0). */
	crp_adv("10.1.1.1", "239.0.0.0", 8, 10, 0, &a, buf, sizeof(buf));
	bsr_crp_adv_recv(&pif1, &rx, &a);
	fake_advance(BSR_MIN_INTERVAL_MS);
	assert_int_equal(last_n, 0);
}

static uint8_t frags[32][576];
static size_t frag_len[32];
static unsigned nfrags;

static void
keep_frag(uint8_t *msg, size_t len, void *arg)
{
	assert_true(nfrags < 32 && len <= sizeof(frags[0]));
	memcpy(frags[nfrags], msg, len);
	frag_len[nfrags++] = len;
}

/* 200 ranges and a range of 100 RPs, in fragments of 576 bytes, all read back. */
static void
crpset_fragments(void **st)
{
	struct pim_crp_adv a;
	struct pim_bsm hdr = { .frag_tag = 7, .hash_masklen = 30, .priority = 64,
	    .bsr = ip("10.5.5.5") }, m;
	struct pim_bsm_group g;
	struct pim_bsm_rp r;
	uint8_t buf[64];
	char grp[32], rpa[32];
	unsigned ranges = 0, rps = 0, nfrag;
	size_t off;

	nfrags = 0;

	be_candidate("10.5.5.5", 64, 60);
	fake_advance(5000);
	for (unsigned i = 0; i < 200; i++) {
		snprintf(grp, sizeof(grp), "239.%u.%u.0", i / 256, i % 256);
		crp_adv("10.1.1.1", grp, 24, 10, 150, &a, buf, sizeof(buf));
		bsr_crp_adv_local(&a);
	}
	for (unsigned i = 0; i < 100; i++) {
		snprintf(rpa, sizeof(rpa), "10.2.0.%u", i + 1);
		crp_adv(rpa, "238.0.0.0", 8, 20, 150, &a, buf, sizeof(buf));
		bsr_crp_adv_local(&a);
	}
	nfrag = crpset_build(&hdr, 0, 576, 0, keep_frag, NULL);
	assert_int_equal(nfrag, nfrags);
	assert_true(nfrags >= 10 && nfrags <= 16);
	for (unsigned f = 0; f < nfrags; f++) {
		assert_true(frag_len[f] <= 576);
		assert_int_equal(pim_bsm_decode(frags[f], frag_len[f], &m), PIM_OK);
		assert_int_equal(m.frag_tag, 7);
		assert_int_equal(m.bsr.s_addr, hdr.bsr.s_addr);
		for (off = 0; pim_bsm_next_group(&m, &off, &g);) {
			if (g.group.s_addr == ip("238.0.0.0").s_addr) {
				/* the long range: its RPs go on under the same header */
				assert_int_equal(g.rp_count, 100);
				for (unsigned i = 0; i < g.frag_rp_count; i++, rps++) {
					pim_bsm_rp(&g, i, &r);
					assert_int_equal(r.holdtime, 150);
				}
				continue;
			}
			assert_int_equal(g.rp_count, 1);
			assert_int_equal(g.frag_rp_count, 1);
			ranges++;
		}
	}
	assert_int_equal(ranges, 200);
	assert_int_equal(rps, 100);
}

/* bsm false: the interface neither takes Bootstraps nor sends them. */
static void
bsm_filtered_interface(void **st)
{
	static struct cfg_iface off = { .pim = { .enable = true, .bsm = false,
	    .unicast_bsm = true } };
	struct msg p;

	if2.cfg = &off;
	one_rp_bsm(&p, "10.9.9.9", 64, 1, "10.1.1.1");
	recv_from(&p, &pif2, "10.0.0.2", PIM_ALL_ROUTERS);
	assert_int_equal(drops[PIM_DROP_BSM_FILTERED], 1);
	assert_int_equal(state(), BSR_NO_INFO);
	recv_bsm(&p);					/* on if1: taken ... */
	assert_int_equal(state(), BSR_ACCEPT_PREFERRED);
	assert_int_equal(sent_on[2], 0);		/* ... but not sent on if2 */
}

/* §3.5: a new neighbour gets the kept BSM, with N set, once our Hello is out. */
static void
new_neighbor_primed(void **st)
{
	struct in_addr nbr = ip("10.0.0.2");	/* a neighbour (the fake nbr_find) */
	struct pim_bsm m;
	struct msg p;

	bsr_nbr_new(&pif2, nbr);			/* nothing kept yet */
	assert_int_equal(fake_timers_pending(), 0);
	one_rp_bsm(&p, "10.9.9.9", 64, 1, "10.1.1.1");
	recv_bsm(&p);
	assert_int_equal(nsent, 1);			/* the flood on if2 */
	pif2.dr = nbr;					/* it is the DR: we send as well */
	bsr_nbr_new(&pif2, nbr);
	fake_advance(99);
	assert_int_equal(nsent, 1);
	fake_advance(1);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent_dst.s_addr, nbr.s_addr);
	last_sent(&m);
	assert_true(m.no_forward);
	assert_int_equal(m.frag_tag, 1);
	assert_int_equal(m.ngroups, 1);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(table_every_cell),
		T(accept_forward_and_timers),
		T(rpf_unicast_and_no_forward),
		T(unicast_only_at_startup),
		T(rpset_fragments_replace_and_expire),
		T(candidate_table_every_cell),
		T(rand_override_values),
		T(candidate_elected_then_preempted),
		T(candidate_pending_and_candidate_rows),
		T(crp_adv_needs_elected_bsr),
		T(crpset_fragments),
		T(bsm_filtered_interface),
		T(new_neighbor_primed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
