/* SPDX-License-Identifier: ISC */
/*
 * Sending Join/Prunes (pimd/join_prune.c): what jp_send queues, when the
 * queue goes out, and what the messages say.  join_prune.o, the codec
 * (pim_msg.o) and logging are real; pim_send records each message, the
 * receive side's calls into sg.c and rpt.c are stubs, and time is
 * injected (fake_event.c).
 *
 * One interface, eth1, MTU 1500; upstream neighbours 10.0.1.2 and 10.0.1.3.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "fake_event.h"
#include "iface.h"
#include "join_prune.h"
#include "nbr.h"
#include "pim.h"
#include "pim_msg.h"
#include "rpt.h"
#include "sg.h"

#define T0		1000000u
#define MAX_MSGS	64
#define PIM_HDR_LEN	4

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* ---- what join_prune.o calls ---------------------------------------------- */

enum iface_oper
iface_oper(const struct iface *ifp)
{
	return IFACE_UP;
}

struct pim_nbr *
nbr_find(struct pim_if *pif, struct in_addr addr)
{
	return NULL;
}

uint16_t
nbr_effective_propagation_delay(const struct pim_if *pif)
{
	return 500;
}

uint16_t
nbr_effective_override_interval(const struct pim_if *pif)
{
	return 2500;
}

void sg_join_received(struct iface *i, struct in_addr s, struct in_addr g, uint16_t h) {}
void sg_prune_received(struct iface *i, struct in_addr s, struct in_addr g, uint16_t h) {}
void sg_join_seen(struct iface *i, struct in_addr u, struct in_addr s, struct in_addr g,
    uint16_t h) {}
void sg_prune_seen(struct iface *i, struct in_addr u, struct in_addr s, struct in_addr g) {}
void rpt_join_received(struct iface *i, struct in_addr s, struct in_addr g) {}
void rpt_prune_received(struct iface *i, struct in_addr s, struct in_addr g, uint16_t h) {}
void rpt_end_of_message(struct iface *i, struct in_addr g) {}
void rpt_join_seen(struct iface *i, struct in_addr u, struct in_addr s, struct in_addr g) {}
void rpt_prune_seen(struct iface *i, struct in_addr u, struct in_addr s, struct in_addr g) {}

/* Every message sent, with the time it went. */
static struct {
	uint8_t		buf[1500];
	size_t		len;
	uint64_t	at;
} msgs[MAX_MSGS];
static unsigned nmsgs;

void
pim_send(struct pim_if *pif, struct in_addr dst, const uint8_t *buf, size_t len,
    enum pim_type type)
{
	assert_int_equal(type, PIM_JOIN_PRUNE);
	assert_true(nmsgs < MAX_MSGS && len <= sizeof(msgs[0].buf));
	memcpy(msgs[nmsgs].buf, buf, len);
	msgs[nmsgs].len = len;
	msgs[nmsgs++].at = clock_ms();
}

/* ---- the interface -------------------------------------------------------- */

static struct cfg_iface cfg = { .pim = { .enable = true, .jp_interval = 60 } };
static struct iface eth1 = { .name = "eth1", .cfg = &cfg, .ifindex = 1, .mtu = 1500 };
static struct pim_if pif = { .ifp = &eth1 };

static int
setup(void **state)
{
	fake_time_reset(T0);
	nmsgs = 0;
	pif.jp_sent = 0;
	jp_init(&pif);
	return 0;
}

static int
teardown(void **state)
{
	jp_fini(&pif);
	return 0;
}

/* ---- reading the messages back -------------------------------------------- */

struct seen {
	struct in_addr	upstream, grp, addr;
	bool		wc, rpt, join;
};

/* Every entry of message m, in order; returns how many. */
static unsigned
entries_of(unsigned m, struct seen *out, unsigned max)
{
	struct pim_jp jp;
	struct pim_jp_group g;
	size_t off = 0;
	unsigned n = 0;

	assert_int_equal(pim_jp_decode(msgs[m].buf + PIM_HDR_LEN,
	    msgs[m].len - PIM_HDR_LEN, &jp), PIM_OK);
	while (pim_jp_next_group(&jp, &off, &g))
		for (unsigned i = 0; i < (unsigned)g.njoin + g.nprune; i++) {
			struct pim_jp_source s;

			pim_jp_source(&g, i, &s);
			assert_true(n < max);
			out[n++] = (struct seen){ jp.upstream, g.group, s.addr,
			    s.wildcard, s.rpt, i < g.njoin };
		}
	return n;
}

static const struct seen *
find(const struct seen *e, unsigned n, const char *grp, const char *addr, bool rpt)
{
	for (unsigned i = 0; i < n; i++)
		if (e[i].grp.s_addr == ip(grp).s_addr && e[i].addr.s_addr == ip(addr).s_addr &&
		    e[i].rpt == rpt)
			return &e[i];
	return NULL;
}

/* ---- tests ---------------------------------------------------------------- */

/* The last Join or Prune queued for an entry is the one sent, once. */
static void
last_one_counts(void **state)
{
	struct in_addr up = ip("10.0.1.2"), g1 = ip("239.1.1.1"), g2 = ip("239.1.1.2");
	struct seen e[16];
	const struct seen *x;
	unsigned n;

	jp_send(&pif, up, ip("198.51.100.1"), g1, JP_SG, true);
	jp_send(&pif, up, ip("192.0.2.1"), g2, JP_WC, true);
	jp_send(&pif, up, ip("198.51.100.1"), g1, JP_SG, false);
	jp_send(&pif, up, ip("198.51.100.2"), g1, JP_SG, true);
	jp_send(&pif, up, ip("198.51.100.1"), g2, JP_SG_RPT, false);
	jp_send(&pif, up, ip("198.51.100.2"), g1, JP_SG, false);
	jp_send(&pif, up, ip("198.51.100.2"), g1, JP_SG, true);
	assert_int_equal(nmsgs, 0);
	fake_advance(0);
	assert_int_equal(nmsgs, 1);
	n = entries_of(0, e, 16);
	assert_int_equal(n, 4);
	assert_non_null(x = find(e, n, "239.1.1.1", "198.51.100.1", false));
	assert_false(x->join);
	assert_non_null(x = find(e, n, "239.1.1.1", "198.51.100.2", false));
	assert_true(x->join);
	assert_non_null(x = find(e, n, "239.1.1.2", "192.0.2.1", true));
	assert_true(x->join && x->wc);
	assert_non_null(x = find(e, n, "239.1.1.2", "198.51.100.1", true));
	assert_false(x->join || x->wc);
}

/* (S,G) and (S,G,rpt) of the same source are different entries; so are upstreams. */
static void
kinds_and_upstreams_apart(void **state)
{
	struct in_addr g = ip("239.1.1.1"), s = ip("198.51.100.1");
	struct seen e[8];
	unsigned total = 0;

	jp_send(&pif, ip("10.0.1.2"), s, g, JP_SG, true);
	jp_send(&pif, ip("10.0.1.2"), s, g, JP_SG_RPT, false);
	jp_send(&pif, ip("10.0.1.3"), s, g, JP_SG, true);
	fake_advance(0);
	assert_int_equal(nmsgs, 2);		/* one per upstream neighbour */
	for (unsigned m = 0; m < nmsgs; m++)
		total += entries_of(m, e, 8);
	assert_int_equal(total, 3);
}

/* A burst with repeats: each entry once, each group within one message. */
static void
burst_of_repeats(void **state)
{
	enum { NG = 3000 };
	struct in_addr up = ip("10.0.1.2"), s = ip("198.51.100.1"), rp = ip("192.0.2.1");
	static struct seen e[512];
	static unsigned hits[NG];
	unsigned total = 0;

	for (int round = 0; round < 2; round++)
		for (uint32_t i = 0; i < NG; i++) {
			struct in_addr g = { htonl(0xef010000u + i) };

			jp_send(&pif, up, rp, g, JP_WC, true);
			jp_send(&pif, up, s, g, JP_SG_RPT, round == 1);
		}
	fake_advance(0);
	assert_true(nmsgs > 1);
	memset(hits, 0, sizeof(hits));
	for (unsigned m = 0; m < nmsgs; m++) {
		unsigned n = entries_of(m, e, 512);

		for (unsigned k = 0; k < n; k++) {
			uint32_t i = ntohl(e[k].grp.s_addr) - 0xef010000u;

			assert_true(i < NG);
			assert_true(e[k].wc || e[k].join);	/* the second round's Join(S,G,rpt) */
			hits[i]++;
		}
		total += n;
	}
	assert_int_equal(total, 2 * NG);
	for (unsigned i = 0; i < NG; i++)
		assert_int_equal(hits[i], 2);
}

/* The first flush after a quiet spell goes in the next pass; the next waits 10 ms. */
static void
busy_interface_batches(void **state)
{
	struct in_addr up = ip("10.0.1.2"), s = ip("198.51.100.1");

	jp_send(&pif, up, s, ip("239.1.1.1"), JP_SG, true);
	fake_advance(0);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].at, T0);
	fake_advance(3);
	jp_send(&pif, up, s, ip("239.1.1.2"), JP_SG, true);
	fake_advance(6);
	jp_send(&pif, up, s, ip("239.1.1.3"), JP_SG, true);
	assert_int_equal(nmsgs, 1);
	fake_advance(1);
	assert_int_equal(nmsgs, 2);		/* both, 10 ms after the first */
	assert_int_equal(msgs[1].at, T0 + 10);
	fake_advance(50);
	jp_send(&pif, up, s, ip("239.1.1.4"), JP_SG, true);
	fake_advance(0);
	assert_int_equal(nmsgs, 3);		/* quiet again: at once */
	assert_int_equal(msgs[2].at, T0 + 60);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(last_one_counts),
		T(kinds_and_upstreams_apart),
		T(burst_of_repeats),
		T(busy_interface_batches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
