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
#include "fake_event.h"
#include "iface.h"
#include "nbr.h"
#include "netlink.h"
#include "pim.h"
#include "rawsock.h"
#include "rp.h"

/* ---- fakes -------------------------------------------------------------- */

struct iface_list ifaces = TAILQ_HEAD_INITIALIZER(ifaces);
static struct iface if1, if2;
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

void
pim_send(struct pim_if *pif, struct in_addr dst, const uint8_t *buf, size_t len,
    enum pim_type type)
{
	assert_int_equal(type, PIM_BOOTSTRAP);
	sent_on[pif->ifp->ifindex]++;
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
	last_n = publishes = 0;
	upstream = ip("10.0.0.2");
	TAILQ_INIT(&ifaces);
	if1 = (struct iface){ .ifindex = 1, .pim = &pif1 };
	if2 = (struct iface){ .ifindex = 2, .pim = &pif2 };
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

/* RFC 5059 §3.1.2, written out again here, cell by cell. */
static void
table_every_cell(void **st)
{
	static const struct {
		enum bsr_state s;
		enum bsr_event e;
		enum bsr_action a;
		enum bsr_state n;
	} cells[] = {
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
	enum bsr_state next;

	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		assert_int_equal(bsr_fsm(cells[i].s, cells[i].e, &next), cells[i].a);
		assert_int_equal(next, cells[i].n);
	}
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
	fake_advance(BSR_BS_TIMEOUT_MS);
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
	fake_advance(BSR_BS_TIMEOUT_MS);
	assert_int_equal(state(), BSR_ACCEPT_ANY);
	fake_advance(BSR_SZ_TIMEOUT_MS);
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

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(table_every_cell),
		T(accept_forward_and_timers),
		T(rpf_unicast_and_no_forward),
		T(rpset_fragments_replace_and_expire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
