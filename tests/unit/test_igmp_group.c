/* SPDX-License-Identifier: ISC */
/*
 * IGMPv3 router-side group state against RFC 3376: every row of the action
 * tables in §6.4.1 and §6.4.2, timer expiry (§6.5), specific queries and
 * their retransmissions (§6.6.3), queries heard (§6.6.1) and older version
 * compatibility (§7.3.2).  Time is injected (fake_event.c): nothing sleeps.
 *
 * Sources are named by number: "1,2" is {10.0.0.1, 10.0.0.2}.  The group is
 * 232.1.1.1 unless a test says otherwise.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_event.h"
#include "igmp_group.h"

#define T0		1000000u
#define MAX_SRCS	32
#define MAX_LOG		256

/* robustness 2, QI 125 s, QRI 10 s, LMQI 1 s, LMQC 2 */
#define GMI		260000u		/* 2 * 125 s + 10 s */
#define OHPI		GMI		/* §8.13: the same formula */
#define LMQI		1000u
#define LMQT		2000u		/* 2 * 1 s */

static const struct igmp_params default_params = {
	.version = 3,
	.robustness = 2,
	.qi_s = 125,
	.qri_ds = 100,
	.lmqi_ds = 10,
	.lmqc = 2,
	.max_groups = 0,
};

static struct igmp_params params;
static struct igmp_groups gs;
static int owner_tag;

/* ---- what the group code tells its caller ---------------------------- */

struct sent_query {
	struct in_addr	grp;
	struct in_addr	srcs[MAX_SRCS];
	unsigned	nsrc;
	bool		s_flag;
	uint64_t	at;
	bool		seen;
};

struct change {
	struct in_addr	grp;
	bool		deleted;
	bool		seen;
};

static struct sent_query sent[MAX_LOG];
static unsigned nsent;
static struct change changes[MAX_LOG];
static unsigned nchanges;

void
igmp_send_query(void *owner, struct in_addr grp, const struct in_addr *srcs,
    unsigned nsrc, bool s_flag)
{
	struct sent_query *q;

	assert_ptr_equal(owner, &owner_tag);
	assert_true(nsent < MAX_LOG);
	assert_true(nsrc <= MAX_SRCS);
	q = &sent[nsent++];
	memset(q, 0, sizeof(*q));
	q->grp = grp;
	if (nsrc > 0) {
		assert_non_null(srcs);
		memcpy(q->srcs, srcs, nsrc * sizeof(*srcs));
	}
	q->nsrc = nsrc;
	q->s_flag = s_flag;
	q->at = clock_ms();
}

void
igmp_group_changed(void *owner, const struct igmp_group *g, bool deleted)
{
	assert_ptr_equal(owner, &owner_tag);
	assert_true(nchanges < MAX_LOG);
	changes[nchanges].grp = g->addr;
	changes[nchanges].deleted = deleted;
	changes[nchanges].seen = false;
	nchanges++;
}

static void
clear_log(void)
{
	nsent = 0;
	nchanges = 0;
}

/* ---- addresses ----------------------------------------------------------- */

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct in_addr
S(unsigned n)
{
	struct in_addr a = { htonl(0x0a000000u | n) };

	return a;
}

static struct in_addr G;		/* 232.1.1.1 */

/* inet_ntoa with a few buffers, for several addresses in one message. */
static const char *
ntoa(struct in_addr a)
{
	static char buf[4][INET_ADDRSTRLEN];
	static unsigned i;

	i = (i + 1) % 4;
	return inet_ntop(AF_INET, &a, buf[i], sizeof(buf[i]));
}

/* "1,2,3" -> {S(1), S(2), S(3)}, in the order given. */
static unsigned
srclist(const char *list, struct in_addr *out)
{
	unsigned n = 0;
	const char *p = list;

	while (*p != '\0') {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		assert_true(end != p && n < MAX_SRCS);
		out[n++] = S((unsigned)v);
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int
addr_order(const void *x, const void *y)
{
	uint32_t a = ntohl(((const struct in_addr *)x)->s_addr);
	uint32_t b = ntohl(((const struct in_addr *)y)->s_addr);

	return a < b ? -1 : a > b;
}

/* ---- driving ------------------------------------------------------------- */

/* A record for group grp from a host of IGMP version `version`. */
static void
rx_grp(struct in_addr grp, enum igmp_rec_type type, const char *list, uint8_t version)
{
	struct in_addr srcs[MAX_SRCS];
	unsigned n = srclist(list, srcs);

	igmp_group_record(&gs, grp, type, n ? srcs : NULL, n, ip("192.0.2.7"),
	    version);
}

static void
rx(enum igmp_rec_type type, const char *list)
{
	rx_grp(G, type, list, 3);
}

static void
heard_query(const char *list)
{
	struct in_addr srcs[MAX_SRCS];
	unsigned n = srclist(list, srcs);

	igmp_group_query(&gs, G, n ? srcs : NULL, n);
}

static struct igmp_group *
grp(void)
{
	return igmp_group_find(&gs, G);
}

/* ---- checks, reporting the caller's line ------------------------------- */

#define CHECK(line, cond, ...) do {					\
	if (!(cond)) {							\
		print_error("%s:%d: ", __FILE__, line);			\
		print_error(__VA_ARGS__);				\
		print_error("\n");					\
		fail();							\
	}								\
} while (0)

static struct igmp_group *
need_group(int line)
{
	struct igmp_group *g = grp();

	CHECK(line, g != NULL, "group 232.1.1.1 does not exist");
	return g;
}

static void
check_mode_(int line, enum igmp_filter mode)
{
	struct igmp_group *g = need_group(line);

	CHECK(line, g->mode == mode, "filter mode %s, expected %s",
	    g->mode == IGMP_FILTER_INCLUDE ? "INCLUDE" : "EXCLUDE",
	    mode == IGMP_FILTER_INCLUDE ? "INCLUDE" : "EXCLUDE");
	/* §6.2.2: the group timer only runs in EXCLUDE mode. */
	if (mode == IGMP_FILTER_INCLUDE)
		CHECK(line, !timer_pending(&g->timer),
		    "group timer runs in INCLUDE mode");
}
#define check_mode(m)	check_mode_(__LINE__, IGMP_FILTER_##m)

/* The group's sources are exactly `list` (X and Y together in EXCLUDE). */
static void
check_sources_(int line, const char *list)
{
	struct igmp_group *g = need_group(line);
	struct in_addr want[MAX_SRCS];
	unsigned n = srclist(list, want);

	/* The tree holds each address once: present + same count = same set. */
	for (unsigned i = 0; i < n; i++)
		CHECK(line, igmp_source_find(g, want[i]) != NULL,
		    "source %s missing", ntoa(want[i]));
	CHECK(line, g->nsrc == n, "%u sources, expected %u: {%s}", g->nsrc, n,
	    list);
}
#define check_sources(l)	check_sources_(__LINE__, l)

/* Source n is requested (INCLUDE's A or EXCLUDE's X) with ms left. */
static void
check_x_(int line, unsigned n, uint32_t ms)
{
	struct igmp_source *s = igmp_source_find(need_group(line), S(n));

	CHECK(line, s != NULL, "source %u missing", n);
	CHECK(line, timer_pending(&s->timer), "source %u timer stopped", n);
	CHECK(line, timer_remaining(&s->timer) == ms,
	    "source %u timer %u ms, expected %u", n,
	    timer_remaining(&s->timer), ms);
}
#define check_x(n, ms)	check_x_(__LINE__, n, ms)

/* Source n is excluded: EXCLUDE's Y, its timer stopped. */
static void
check_y_(int line, unsigned n)
{
	struct igmp_source *s = igmp_source_find(need_group(line), S(n));

	CHECK(line, s != NULL, "source %u missing", n);
	CHECK(line, !timer_pending(&s->timer),
	    "source %u timer runs (%u ms): not in Y", n,
	    timer_remaining(&s->timer));
}
#define check_y(n)	check_y_(__LINE__, n)

static void
check_gt_(int line, uint32_t ms)
{
	struct igmp_group *g = need_group(line);

	CHECK(line, timer_remaining(&g->timer) == ms,
	    "group timer %u ms, expected %u", timer_remaining(&g->timer), ms);
}
#define check_gt(ms)	check_gt_(__LINE__, ms)

static void
check_no_group_(int line)
{
	CHECK(line, grp() == NULL, "group 232.1.1.1 exists");
}
#define check_no_group()	check_no_group_(__LINE__)

/* A query sent just now for grp with exactly the sources `list` and s_flag. */
static void
expect_query_(int line, struct in_addr qgrp, const char *list, bool s_flag)
{
	struct in_addr want[MAX_SRCS];
	unsigned n = srclist(list, want);

	qsort(want, n, sizeof(*want), addr_order);
	for (unsigned i = 0; i < nsent; i++) {
		struct sent_query *q = &sent[i];
		struct in_addr got[MAX_SRCS];

		if (q->seen || q->at != clock_ms() ||
		    q->grp.s_addr != qgrp.s_addr || q->s_flag != s_flag ||
		    q->nsrc != n)
			continue;
		memcpy(got, q->srcs, n * sizeof(*got));
		qsort(got, n, sizeof(*got), addr_order);
		if (n > 0 && memcmp(got, want, n * sizeof(*got)) != 0)
			continue;
		q->seen = true;
		return;
	}
	for (unsigned i = 0; i < nsent; i++)
		print_error("sent%s: %s, %u sources, S=%d, at +%llu ms\n",
		    sent[i].seen ? " (matched)" : "", ntoa(sent[i].grp),
		    sent[i].nsrc, sent[i].s_flag,
		    (unsigned long long)(sent[i].at - T0));
	CHECK(line, false, "no query {%s} S=%d sent at +%llu ms", list, s_flag,
	    (unsigned long long)(clock_ms() - T0));
}
#define expect_query(l, s)	expect_query_(__LINE__, G, l, s)

static void
check_no_queries_(int line)
{
	for (unsigned i = 0; i < nsent; i++)
		CHECK(line, sent[i].seen,
		    "unexpected query: %s, %u sources, first %s, S=%d, at +%llu ms",
		    ntoa(sent[i].grp), sent[i].nsrc,
		    sent[i].nsrc ? ntoa(sent[i].srcs[0]) : "-",
		    sent[i].s_flag, (unsigned long long)(sent[i].at - T0));
}
#define check_no_queries()	check_no_queries_(__LINE__)

/* The next unseen change callback is for grp, deleted or not. */
static void
expect_change_(int line, struct in_addr cgrp, bool deleted)
{
	for (unsigned i = 0; i < nchanges; i++) {
		if (changes[i].seen)
			continue;
		CHECK(line, changes[i].grp.s_addr == cgrp.s_addr &&
		    changes[i].deleted == deleted,
		    "change for %s deleted=%d, expected %s deleted=%d",
		    ntoa(changes[i].grp), changes[i].deleted,
		    ntoa(cgrp), deleted);
		changes[i].seen = true;
		return;
	}
	CHECK(line, false, "no change reported");
}
#define expect_change(d)	expect_change_(__LINE__, G, d)

static void
check_no_changes_(int line)
{
	for (unsigned i = 0; i < nchanges; i++)
		CHECK(line, changes[i].seen, "unexpected change for %s deleted=%d",
		    ntoa(changes[i].grp), changes[i].deleted);
}
#define check_no_changes()	check_no_changes_(__LINE__)

/* ---- fixtures ------------------------------------------------------------ */

static int
setup(void **state)
{
	fake_time_reset(T0);
	params = default_params;
	igmp_groups_init(&gs, &params, &owner_tag);
	gs.querier = true;
	G = ip("232.1.1.1");
	clear_log();
	return 0;
}

static int
teardown(void **state)
{
	igmp_groups_flush(&gs);
	assert_int_equal(gs.ngroups, 0);
	assert_true(RB_EMPTY(&gs.groups));
	/* Every timer of every group and source went with it. */
	assert_int_equal(fake_timers_pending(), 0);
	return 0;
}

/* INCLUDE ({1,2,3}): 1 at GMI - 10 s, 2 and 3 at GMI - 5 s. */
static void
make_include_123(void)
{
	rx(IGMP_ALLOW_NEW_SOURCES, "1");
	fake_advance(5000);
	rx(IGMP_ALLOW_NEW_SOURCES, "2,3");
	fake_advance(5000);
	check_mode(INCLUDE);
	check_sources("1,2,3");
	check_x(1, GMI - 10000);
	check_x(2, GMI - 5000);
	check_x(3, GMI - 5000);
	clear_log();
}

/* EXCLUDE ({1,2}, {3,4}): X at GMI - 15 s, group timer at GMI - 10 s. */
static void
make_exclude_12_34(void)
{
	rx(IGMP_ALLOW_NEW_SOURCES, "1,2");
	fake_advance(5000);
	rx(IGMP_MODE_IS_EXCLUDE, "1,2,3,4");
	fake_advance(10000);
	check_mode(EXCLUDE);
	check_sources("1,2,3,4");
	check_x(1, GMI - 15000);
	check_x(2, GMI - 15000);
	check_y(3);
	check_y(4);
	check_gt(GMI - 10000);
	clear_log();
}

/*
 * Each table row runs twice: as querier, where "Send Q(...)" sends and
 * lowers timers (§6.6.3), and as non-querier, where it does neither.
 */
#define BOTH(row)							\
static void row##__querier(void **state) { gs.querier = true; row(); }	\
static void row##__non_querier(void **state) { gs.querier = false; row(); }

/* ---- §6.4.1 Reception of Current-State Records ----------------------- */

/* INCLUDE (A)  IS_IN (B)  ->  INCLUDE (A+B)   (B)=GMI */
static void
include_is_in(void)
{
	make_include_123();
	rx(IGMP_MODE_IS_INCLUDE, "3,4");
	check_mode(INCLUDE);
	check_sources("1,2,3,4");
	check_x(1, GMI - 10000);
	check_x(2, GMI - 5000);
	check_x(3, GMI);
	check_x(4, GMI);
	check_no_queries();
	expect_change(false);
	check_no_changes();
}
BOTH(include_is_in)

/*
 * INCLUDE (A)  IS_EX (B)  ->  EXCLUDE (A*B, B-A)   (B-A)=0, Delete (A-B),
 * Group Timer=GMI
 */
static void
include_is_ex(void)
{
	make_include_123();
	rx(IGMP_MODE_IS_EXCLUDE, "3,4");
	check_mode(EXCLUDE);
	check_sources("3,4");
	check_x(3, GMI - 5000);		/* A*B keeps its timer */
	check_y(4);
	check_gt(GMI);
	check_no_queries();
	expect_change(false);
	check_no_changes();
}
BOTH(include_is_ex)

/* EXCLUDE (X,Y)  IS_IN (A)  ->  EXCLUDE (X+A, Y-A)   (A)=GMI */
static void
exclude_is_in(void)
{
	make_exclude_12_34();
	rx(IGMP_MODE_IS_INCLUDE, "2,4,5");
	check_mode(EXCLUDE);
	check_sources("1,2,3,4,5");
	check_x(1, GMI - 15000);
	check_x(2, GMI);
	check_x(4, GMI);		/* out of Y */
	check_x(5, GMI);
	check_y(3);
	check_gt(GMI - 10000);
	check_no_queries();
	expect_change(false);
	check_no_changes();
}
BOTH(exclude_is_in)

/*
 * EXCLUDE (X,Y)  IS_EX (A)  ->  EXCLUDE (A-Y, Y*A)   (A-X-Y)=GMI,
 * Delete (X-A), Delete (Y-A), Group Timer=GMI
 */
static void
exclude_is_ex(void)
{
	make_exclude_12_34();
	rx(IGMP_MODE_IS_EXCLUDE, "2,4,5");
	check_mode(EXCLUDE);
	check_sources("2,4,5");
	check_x(2, GMI - 15000);
	check_x(5, GMI);
	check_y(4);
	check_gt(GMI);
	check_no_queries();
	expect_change(false);
	check_no_changes();
}
BOTH(exclude_is_ex)

/* ---- §6.4.2 Reception of Filter-Mode-Change and Source-List-Change ---- */

/* INCLUDE (A)  ALLOW (B)  ->  INCLUDE (A+B)   (B)=GMI */
static void
include_allow(void)
{
	make_include_123();
	rx(IGMP_ALLOW_NEW_SOURCES, "3,4");
	check_mode(INCLUDE);
	check_sources("1,2,3,4");
	check_x(1, GMI - 10000);
	check_x(2, GMI - 5000);
	check_x(3, GMI);
	check_x(4, GMI);
	check_no_queries();
	expect_change(false);
	check_no_changes();
}
BOTH(include_allow)

/* INCLUDE (A)  BLOCK (B)  ->  INCLUDE (A)   Send Q(G,A*B) */
static void
include_block(void)
{
	make_include_123();
	rx(IGMP_BLOCK_OLD_SOURCES, "3,4");
	check_mode(INCLUDE);
	check_sources("1,2,3");
	check_x(1, GMI - 10000);
	check_x(2, GMI - 5000);
	if (gs.querier) {
		check_x(3, LMQT);	/* §6.6.3.2: lowered to LMQT */
		expect_query("3", false);
	} else
		check_x(3, GMI - 5000);
	check_no_queries();
	check_no_changes();		/* nothing forwarded changes yet */
}
BOTH(include_block)

/*
 * INCLUDE (A)  TO_EX (B)  ->  EXCLUDE (A*B, B-A)   (B-A)=0, Delete (A-B),
 * Send Q(G,A*B), Group Timer=GMI
 */
static void
include_to_ex(void)
{
	make_include_123();
	rx(IGMP_CHANGE_TO_EXCLUDE, "3,4");
	check_mode(EXCLUDE);
	check_sources("3,4");
	if (gs.querier) {
		check_x(3, LMQT);
		expect_query("3", false);
	} else
		check_x(3, GMI - 5000);
	check_y(4);
	check_gt(GMI);
	check_no_queries();
	expect_change(false);
	check_no_changes();
}
BOTH(include_to_ex)

/* INCLUDE (A)  TO_IN (B)  ->  INCLUDE (A+B)   (B)=GMI, Send Q(G,A-B) */
static void
include_to_in(void)
{
	make_include_123();
	rx(IGMP_CHANGE_TO_INCLUDE, "3,4");
	check_mode(INCLUDE);
	check_sources("1,2,3,4");
	check_x(3, GMI);
	check_x(4, GMI);
	if (gs.querier) {
		check_x(1, LMQT);
		check_x(2, LMQT);
		expect_query("1,2", false);
	} else {
		check_x(1, GMI - 10000);
		check_x(2, GMI - 5000);
	}
	check_no_queries();
	expect_change(false);
	check_no_changes();
}
BOTH(include_to_in)

/* EXCLUDE (X,Y)  ALLOW (A)  ->  EXCLUDE (X+A, Y-A)   (A)=GMI */
static void
exclude_allow(void)
{
	make_exclude_12_34();
	rx(IGMP_ALLOW_NEW_SOURCES, "2,4,5");
	check_mode(EXCLUDE);
	check_sources("1,2,3,4,5");
	check_x(1, GMI - 15000);
	check_x(2, GMI);
	check_x(4, GMI);
	check_x(5, GMI);
	check_y(3);
	check_gt(GMI - 10000);
	check_no_queries();
	expect_change(false);
	check_no_changes();
}
BOTH(exclude_allow)

/*
 * EXCLUDE (X,Y)  BLOCK (A)  ->  EXCLUDE (X+(A-Y), Y)   (A-X-Y)=Group Timer,
 * Send Q(G,A-Y)
 */
static void
exclude_block(void)
{
	make_exclude_12_34();
	rx(IGMP_BLOCK_OLD_SOURCES, "2,4,5");
	check_mode(EXCLUDE);
	check_sources("1,2,3,4,5");
	check_x(1, GMI - 15000);
	if (gs.querier) {
		check_x(2, LMQT);
		check_x(5, LMQT);
		expect_query("2,5", false);
	} else {
		check_x(2, GMI - 15000);
		check_x(5, GMI - 10000);	/* the group timer */
	}
	check_y(3);
	check_y(4);
	check_gt(GMI - 10000);
	check_no_queries();
	expect_change(false);		/* 5 is new */
	check_no_changes();
}
BOTH(exclude_block)

/*
 * EXCLUDE (X,Y)  TO_EX (A)  ->  EXCLUDE (A-Y, Y*A)   (A-X-Y)=Group Timer,
 * Delete (X-A), Delete (Y-A), Send Q(G,A-Y), Group Timer=GMI
 */
static void
exclude_to_ex(void)
{
	make_exclude_12_34();
	rx(IGMP_CHANGE_TO_EXCLUDE, "2,4,5");
	check_mode(EXCLUDE);
	check_sources("2,4,5");
	if (gs.querier) {
		check_x(2, LMQT);
		check_x(5, LMQT);
		expect_query("2,5", false);
	} else {
		check_x(2, GMI - 15000);
		check_x(5, GMI - 10000);	/* the old group timer */
	}
	check_y(4);
	check_gt(GMI);
	check_no_queries();
	expect_change(false);
	check_no_changes();
}
BOTH(exclude_to_ex)

/*
 * EXCLUDE (X,Y)  TO_IN (A)  ->  EXCLUDE (X+A, Y-A)   (A)=GMI,
 * Send Q(G,X-A), Send Q(G)
 */
static void
exclude_to_in(void)
{
	make_exclude_12_34();
	rx(IGMP_CHANGE_TO_INCLUDE, "2,4,5");
	check_mode(EXCLUDE);
	check_sources("1,2,3,4,5");
	check_x(2, GMI);
	check_x(4, GMI);
	check_x(5, GMI);
	check_y(3);
	if (gs.querier) {
		check_x(1, LMQT);
		check_gt(LMQT);		/* §6.6.3.1 */
		expect_query("1", false);
		expect_query("", false);	/* Q(G): timer not above LMQT */
	} else {
		check_x(1, GMI - 15000);
		check_gt(GMI - 10000);
	}
	check_no_queries();
	expect_change(false);
	check_no_changes();
}
BOTH(exclude_to_in)

/* ---- §6.5 Switching router filter modes --------------------------------- */

/* Group timer expiry with X sources: EXCLUDE (X,Y) -> INCLUDE (X), Y deleted. */
static void
group_timer_expiry_with_x_switches_to_include(void **state)
{
	make_exclude_12_34();
	/* X outlives the group timer: 1 by 10 s, 2 by 15 s. */
	rx(IGMP_ALLOW_NEW_SOURCES, "1");
	fake_advance(5000);
	rx(IGMP_ALLOW_NEW_SOURCES, "2");
	clear_log();
	fake_advance(GMI - 15000 - 1);
	check_mode(EXCLUDE);
	check_gt(1);
	check_no_changes();
	fake_advance(1);
	check_mode(INCLUDE);
	check_sources("1,2");		/* Y = {3,4} deleted */
	check_x(1, 10000);
	check_x(2, 15000);
	expect_change(false);
	check_no_changes();
	assert_false(igmp_group_forwards(grp(), S(5)));
	/* INCLUDE now: source expiry deletes, the last one the group. */
	fake_advance(10000);
	check_sources("2");
	expect_change(false);
	fake_advance(5000);
	check_no_group();
	expect_change(true);
	check_no_changes();
	check_no_queries();
}

/* Group timer expiry without X sources: the group record is deleted. */
static void
group_timer_expiry_without_x_deletes_group(void **state)
{
	rx(IGMP_MODE_IS_EXCLUDE, "3,4");
	check_mode(EXCLUDE);
	check_y(3);
	check_y(4);
	clear_log();
	fake_advance(GMI - 1);
	check_gt(1);
	fake_advance(1);
	check_no_group();
	expect_change(true);
	check_no_changes();
	check_no_queries();
	assert_int_equal(gs.ngroups, 0);
}

/* INCLUDE: an expired source is deleted; the group goes with the last one. */
static void
source_expiry_in_include(void **state)
{
	rx(IGMP_MODE_IS_INCLUDE, "1");
	fake_advance(1000);
	rx(IGMP_MODE_IS_INCLUDE, "2");
	clear_log();
	fake_advance(GMI - 1000);
	check_mode(INCLUDE);
	check_sources("2");
	check_x(2, 1000);
	expect_change(false);
	check_no_changes();
	assert_false(igmp_group_forwards(grp(), S(1)));
	fake_advance(1000);
	check_no_group();
	expect_change(true);
	check_no_changes();
}

/* EXCLUDE: an expired source stays, excluded: it moves from X to Y. */
static void
source_expiry_in_exclude_moves_to_y(void **state)
{
	make_exclude_12_34();
	rx(IGMP_MODE_IS_EXCLUDE, "1,2,3,4");	/* group timer back to GMI */
	clear_log();
	assert_true(igmp_group_forwards(grp(), S(1)));
	fake_advance(GMI - 15000);
	check_mode(EXCLUDE);
	check_sources("1,2,3,4");
	check_y(1);
	check_y(2);
	check_gt(15000);
	assert_false(igmp_group_forwards(grp(), S(1)));
	expect_change(false);		/* forwarding of 1 stopped */
	expect_change(false);		/* and of 2 */
	check_no_changes();
	check_no_queries();
}

/* ---- §6.6.3.1 Group specific queries ------------------------------------ */

/* Q(G) goes out LMQC times, LMQI apart; with no report the group goes at LMQT. */
static void
q_g_sent_lmqc_times_then_group_deleted(void **state)
{
	rx(IGMP_MODE_IS_EXCLUDE, "");
	clear_log();
	rx(IGMP_CHANGE_TO_INCLUDE, "");		/* the last member leaves */
	check_gt(LMQT);
	expect_query("", false);
	check_no_queries();
	fake_advance(LMQI - 1);
	check_no_queries();
	fake_advance(1);
	expect_query("", false);
	check_no_queries();
	fake_advance(LMQT - LMQI - 1);
	check_mode(EXCLUDE);
	fake_advance(1);
	check_no_group();
	check_no_queries();
	assert_int_equal(fake_timers_pending(), 0);
}

/* The same with LMQC 3, LMQI 0.5 s: three queries, 0, 0.5 and 1 s in. */
static void
q_g_follows_lmqc_and_lmqi(void **state)
{
	params.lmqc = 3;
	params.lmqi_ds = 5;
	rx(IGMP_MODE_IS_EXCLUDE, "");
	clear_log();
	rx(IGMP_CHANGE_TO_INCLUDE, "");
	check_gt(1500);
	expect_query("", false);
	for (int i = 0; i < 2; i++) {
		fake_advance(499);
		check_no_queries();
		fake_advance(1);
		expect_query("", false);
	}
	fake_advance(499);
	check_no_queries();
	check_mode(EXCLUDE);
	fake_advance(1);
	check_no_group();
	check_no_queries();
}

/*
 * A report during the retransmissions refreshes the group: the group timer is
 * GMI again, so the queries still due carry the S flag (§6.6.3.1), and the
 * group stays.
 */
static void
report_during_q_g_refreshes_group(void **state)
{
	rx(IGMP_MODE_IS_EXCLUDE, "");
	rx(IGMP_CHANGE_TO_INCLUDE, "");
	clear_log();
	fake_advance(500);
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 3);
	check_gt(GMI);
	fake_advance(500);
	expect_query("", true);
	check_no_queries();
	fake_advance(LMQT * 10);
	check_mode(EXCLUDE);
	check_gt(GMI - 500 - LMQT * 10);
	check_no_queries();
}

/* As non-querier, a leave sends nothing and leaves the group timer alone. */
static void
q_g_not_sent_by_non_querier(void **state)
{
	gs.querier = false;
	rx(IGMP_MODE_IS_EXCLUDE, "");
	fake_advance(1000);
	rx(IGMP_CHANGE_TO_INCLUDE, "");
	check_gt(GMI - 1000);
	fake_advance(LMQT * 2);
	check_mode(EXCLUDE);
	check_no_queries();
}

/* ---- §6.6.3.2 Group and source specific queries -------------------------- */

/* Q(G,S) goes out LMQC times; the sources nobody wants then expire. */
static void
q_gs_retransmitted_then_sources_expire(void **state)
{
	make_include_123();
	rx(IGMP_BLOCK_OLD_SOURCES, "2,3");
	expect_query("2,3", false);
	fake_advance(LMQI - 1);
	check_no_queries();
	fake_advance(1);
	expect_query("2,3", false);
	check_no_queries();
	fake_advance(LMQT - LMQI - 1);
	check_sources("1,2,3");
	fake_advance(1);
	check_sources("1");
	check_no_queries();
	assert_true(igmp_group_forwards(grp(), S(1)));
	assert_false(igmp_group_forwards(grp(), S(2)));
}

/*
 * A source refreshed during the retransmissions has its timer above LMQT:
 * the next retransmission splits into an S-set query for it and an S-clear
 * one for the rest (§6.6.3.2).
 */
static void
q_gs_split_by_s_flag(void **state)
{
	make_include_123();
	rx(IGMP_BLOCK_OLD_SOURCES, "1,2,3");
	expect_query("1,2,3", false);
	fake_advance(500);
	rx(IGMP_ALLOW_NEW_SOURCES, "2");
	check_x(2, GMI);
	check_no_queries();
	fake_advance(500);
	expect_query("2", true);
	expect_query("1,3", false);
	check_no_queries();
	fake_advance(LMQT - LMQI);
	check_sources("2");
	check_x(2, GMI - LMQT + 500);
	check_no_queries();
}

/* EXCLUDE: Q(G,A-Y) retransmitted, then the unwanted sources move to Y. */
static void
q_gs_in_exclude_sources_move_to_y(void **state)
{
	make_exclude_12_34();
	rx(IGMP_BLOCK_OLD_SOURCES, "2,5");
	expect_query("2,5", false);
	fake_advance(LMQI);
	expect_query("2,5", false);
	fake_advance(LMQT - LMQI);
	check_mode(EXCLUDE);
	check_sources("1,2,3,4,5");
	check_x(1, GMI - 15000 - LMQT);
	check_y(2);
	check_y(5);
	check_no_queries();
}

/*
 * EXCLUDE TO_IN: Q(G,X-A) and Q(G) each go out LMQC times, LMQI apart (no
 * duplicates at once); then the group timer expires into INCLUDE (A).
 */
static void
exclude_to_in_queries_then_include(void **state)
{
	make_exclude_12_34();
	rx(IGMP_CHANGE_TO_INCLUDE, "2,4,5");
	expect_query("1", false);
	expect_query("", false);
	check_no_queries();
	fake_advance(LMQI - 1);
	check_no_queries();
	fake_advance(1);
	expect_query("1", false);
	expect_query("", false);
	check_no_queries();
	fake_advance(LMQT - LMQI);
	check_mode(INCLUDE);
	check_sources("2,4,5");
	check_x(2, GMI - LMQT);
	check_no_queries();
}

/* A BLOCK of sources whose timers are already at or under LMQT sends nothing. */
static void
q_gs_skips_sources_at_lmqt(void **state)
{
	make_include_123();
	rx(IGMP_BLOCK_OLD_SOURCES, "1");
	expect_query("1", false);
	fake_advance(LMQT / 2);
	expect_query("1", false);
	rx(IGMP_BLOCK_OLD_SOURCES, "1");
	check_x(1, LMQT / 2);
	check_no_queries();
}

/* ---- §6.6.1 Timer updates on queries heard ------------------------------ */

static void
query_lowers_group_timer(void **state)
{
	gs.querier = false;
	make_exclude_12_34();
	heard_query("");
	check_gt(LMQT);
	check_x(1, GMI - 15000);	/* Q(G) leaves source timers alone */
	/* Never raised. */
	fake_advance(500);
	heard_query("");
	check_gt(LMQT - 500);
	check_no_queries();
}

static void
query_lowers_source_timers(void **state)
{
	gs.querier = false;
	make_exclude_12_34();
	rx(IGMP_ALLOW_NEW_SOURCES, "2");
	heard_query("1,3,9");
	check_x(1, LMQT);
	check_x(2, GMI);		/* not queried */
	check_y(3);			/* Y stays stopped */
	check_sources("1,2,3,4");	/* 9 not created */
	check_gt(GMI - 10000);		/* Q(G,S) leaves the group timer */
	fake_advance(500);
	heard_query("1");
	check_x(1, LMQT - 500);
	check_no_queries();
}

static void
query_for_unknown_group_creates_nothing(void **state)
{
	heard_query("");
	heard_query("1,2");
	check_no_group();
	assert_int_equal(gs.ngroups, 0);
	check_no_changes();
}

/* INCLUDE: a Q(G) has no group timer to lower; the sources keep theirs. */
static void
query_g_in_include_changes_nothing(void **state)
{
	make_include_123();
	heard_query("");
	check_mode(INCLUDE);
	check_x(1, GMI - 10000);
	check_x(2, GMI - 5000);
}

/* ---- §7.3.2 Older version compatibility -------------------------------- */

/* A v2 report starts the IGMPv2 Host Present timer: compatibility mode 2. */
static void
v2_host_present_timer(void **state)
{
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 2);
	assert_int_equal(igmp_group_compat(grp()), 2);
	assert_int_equal(igmp_group_host_left(grp(), 2), OHPI);
	assert_int_equal(igmp_group_host_left(grp(), 1), 0);
	check_mode(EXCLUDE);
	check_gt(GMI);
}

/* In v2 mode BLOCK is ignored: no query, no timer lowered. */
static void
v2_compat_ignores_block(void **state)
{
	rx(IGMP_MODE_IS_EXCLUDE, "3");
	rx(IGMP_ALLOW_NEW_SOURCES, "1");
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 2);	/* a v2 host; X and Y go */
	rx(IGMP_ALLOW_NEW_SOURCES, "1");
	clear_log();
	rx(IGMP_BLOCK_OLD_SOURCES, "1,5");
	check_sources("1");
	check_x(1, GMI);
	check_no_queries();
	check_no_changes();
}

/* In v2 mode TO_EX (B) is TO_EX ({}): the source list is ignored. */
static void
v2_compat_to_ex_without_sources(void **state)
{
	make_include_123();
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 2);
	check_sources("");
	rx(IGMP_ALLOW_NEW_SOURCES, "1,2");
	clear_log();
	rx(IGMP_CHANGE_TO_EXCLUDE, "2,3");
	check_mode(EXCLUDE);
	check_sources("");		/* Delete (X-{}), no 3 in Y */
	check_gt(GMI);
	check_no_queries();
	assert_true(igmp_group_forwards(grp(), S(3)));
}

/* In v2 mode a leave (TO_IN ({})) still sends Q(G). */
static void
v2_compat_leave_queries_group(void **state)
{
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 2);
	clear_log();
	rx_grp(G, IGMP_CHANGE_TO_INCLUDE, "", 0);	/* as igmp.c maps a leave */
	expect_query("", false);
	check_gt(LMQT);
	fake_advance(LMQI);
	expect_query("", false);
	fake_advance(LMQT - LMQI);
	check_no_group();
	check_no_queries();
}

/* Back to IGMPv3 once no v2 report came for the Older Host Present Interval. */
static void
v2_compat_ends_after_ohpi(void **state)
{
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 2);
	fake_advance(OHPI / 2);
	rx(IGMP_MODE_IS_EXCLUDE, "");		/* v3 hosts keep the group */
	fake_advance(OHPI / 2 - 1);
	assert_int_equal(igmp_group_compat(grp()), 2);
	fake_advance(1);
	assert_int_equal(igmp_group_compat(grp()), 3);
	check_mode(EXCLUDE);
	/* BLOCK and TO_EX sources count again. */
	rx(IGMP_ALLOW_NEW_SOURCES, "1");
	clear_log();
	rx(IGMP_BLOCK_OLD_SOURCES, "1");
	expect_query("1", false);
	check_x(1, LMQT);
	/* (A-X-Y) = Group Timer, then Q(G,A-Y) lowers it to LMQT. */
	rx(IGMP_CHANGE_TO_EXCLUDE, "4");
	check_sources("4");
	check_x(4, LMQT);
	check_gt(GMI);
	expect_query("4", false);
	check_no_queries();
}

/* A v2 report during v2 mode restarts the timer. */
static void
v2_report_restarts_host_timer(void **state)
{
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 2);
	fake_advance(OHPI - 10);
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 2);
	assert_int_equal(igmp_group_host_left(grp(), 2), OHPI);
	fake_advance(OHPI - 1);
	assert_int_equal(igmp_group_compat(grp()), 2);
}

/* A v1 report: compatibility mode 1, which wins over a v2 host present. */
static void
v1_host_present_timer(void **state)
{
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 2);
	fake_advance(1000);
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 1);
	assert_int_equal(igmp_group_compat(grp()), 1);
	assert_int_equal(igmp_group_host_left(grp(), 1), OHPI);
	assert_int_equal(igmp_group_host_left(grp(), 2), OHPI - 1000);
	/* The v2 timer outlives the v1 one: back to 2, then 3. */
	fake_advance(1000);
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 2);
	fake_advance(OHPI - 1000 - 1);
	assert_int_equal(igmp_group_compat(grp()), 1);
	fake_advance(1);
	assert_int_equal(igmp_group_compat(grp()), 2);
	rx(IGMP_MODE_IS_EXCLUDE, "");		/* v3 hosts keep the group */
	fake_advance(1000 - 1);
	assert_int_equal(igmp_group_compat(grp()), 2);
	fake_advance(1);
	assert_int_equal(igmp_group_compat(grp()), 3);
}

/* v1 mode: BLOCK ignored, TO_EX sources ignored, TO_IN (and leaves) ignored. */
static void
v1_compat_ignores_block_to_ex_sources_and_to_in(void **state)
{
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 1);
	rx(IGMP_ALLOW_NEW_SOURCES, "1");
	clear_log();
	rx(IGMP_BLOCK_OLD_SOURCES, "1");
	check_x(1, GMI);
	check_no_queries();
	rx(IGMP_CHANGE_TO_INCLUDE, "2");
	rx_grp(G, IGMP_CHANGE_TO_INCLUDE, "", 0);
	rx_grp(G, IGMP_CHANGE_TO_INCLUDE, "", 2);
	check_no_queries();
	check_sources("1");
	check_gt(GMI);
	check_no_changes();
	rx(IGMP_CHANGE_TO_EXCLUDE, "1,2");
	check_sources("");
	check_mode(EXCLUDE);
	check_no_queries();
}

/* A router running IGMPv2 (params.version 2) is always in v2 mode. */
static void
router_version_2_is_v2_mode(void **state)
{
	params.version = 2;
	rx(IGMP_MODE_IS_EXCLUDE, "");
	assert_int_equal(igmp_group_compat(grp()), 2);
	rx(IGMP_ALLOW_NEW_SOURCES, "1");
	clear_log();
	rx(IGMP_BLOCK_OLD_SOURCES, "1");
	check_x(1, GMI);
	rx(IGMP_CHANGE_TO_EXCLUDE, "1,2");
	check_sources("");
	check_no_queries();
	fake_advance(OHPI * 2);
	check_no_group();
	rx(IGMP_MODE_IS_EXCLUDE, "");
	assert_int_equal(igmp_group_compat(grp()), 2);
	/* A BLOCK for a group that does not exist still creates nothing. */
	rx_grp(ip("232.9.9.9"), IGMP_BLOCK_OLD_SOURCES, "1", 3);
	assert_null(igmp_group_find(&gs, ip("232.9.9.9")));
}

/* ---- §6.3 Source-specific forwarding ------------------------------------ */

static void
forwards_include(void **state)
{
	make_include_123();
	for (unsigned n = 1; n <= 3; n++)
		assert_true(igmp_group_forwards(grp(), S(n)));
	assert_false(igmp_group_forwards(grp(), S(4)));
	assert_false(igmp_group_forwards(grp(), ip("198.51.100.1")));
}

static void
forwards_exclude(void **state)
{
	make_exclude_12_34();
	assert_true(igmp_group_forwards(grp(), S(1)));	/* X */
	assert_true(igmp_group_forwards(grp(), S(2)));
	assert_false(igmp_group_forwards(grp(), S(3)));	/* Y */
	assert_false(igmp_group_forwards(grp(), S(4)));
	assert_true(igmp_group_forwards(grp(), S(5)));	/* neither */
	rx(IGMP_MODE_IS_EXCLUDE, "");
	assert_true(igmp_group_forwards(grp(), S(3)));	/* EXCLUDE ({}) */
}

/* ---- records ---------------------------------------------------------- */

/* Duplicate and unsorted sources in a record count once each. */
static void
duplicate_and_unsorted_sources(void **state)
{
	rx(IGMP_MODE_IS_INCLUDE, "5,1,3,1,5,5");
	check_sources("1,3,5");
	expect_change(false);
	check_no_changes();
	rx(IGMP_MODE_IS_EXCLUDE, "9,3,9,7,3");
	check_mode(EXCLUDE);
	check_sources("3,7,9");
	check_x(3, GMI);
	check_y(7);
	check_y(9);
	clear_log();
	rx(IGMP_CHANGE_TO_INCLUDE, "7,7,3,3");
	check_sources("3,7,9");
	check_x(7, GMI);
	check_y(9);
	check_gt(LMQT);
	expect_query("", false);		/* X-A is empty: only Q(G) */
	check_no_queries();
}

/* Refreshing sources already there changes nothing the routing side sees. */
static void
refresh_reports_no_change(void **state)
{
	make_include_123();
	rx(IGMP_MODE_IS_INCLUDE, "1,2");
	check_x(1, GMI);
	check_no_changes();
}

/* Records that leave a missing group INCLUDE ({}) must not create it. */
static void
records_that_create_no_state(void **state)
{
	params.max_groups = 1;
	rx(IGMP_CHANGE_TO_INCLUDE, "");
	rx(IGMP_BLOCK_OLD_SOURCES, "1,2");
	rx(IGMP_ALLOW_NEW_SOURCES, "");
	rx(IGMP_MODE_IS_INCLUDE, "");
	rx_grp(G, IGMP_CHANGE_TO_INCLUDE, "", 0);	/* a leave */
	check_no_group();
	assert_int_equal(gs.ngroups, 0);
	assert_int_equal(gs.limit_drops, 0);
	check_no_changes();
	check_no_queries();
	assert_int_equal(fake_timers_pending(), 0);
	/* An unknown record type is ignored too. */
	rx(0, "1");
	rx(7, "1");
	check_no_group();
}

/* A missing group is INCLUDE ({}): TO_IN (B) creates INCLUDE (B), no query. */
static void
to_in_with_sources_creates_include(void **state)
{
	rx(IGMP_CHANGE_TO_INCLUDE, "2,1");
	check_mode(INCLUDE);
	check_sources("1,2");
	check_x(1, GMI);
	check_no_queries();
	expect_change(false);
}

/* max_groups: a record for a new group past the limit is dropped and counted. */
static void
max_groups_limit(void **state)
{
	struct in_addr g2 = ip("232.1.1.2"), g3 = ip("232.1.1.3");

	params.max_groups = 2;
	rx(IGMP_MODE_IS_EXCLUDE, "");
	rx_grp(g2, IGMP_ALLOW_NEW_SOURCES, "1", 3);
	rx_grp(g3, IGMP_MODE_IS_EXCLUDE, "", 3);
	rx_grp(g3, IGMP_ALLOW_NEW_SOURCES, "1", 3);
	assert_int_equal(gs.ngroups, 2);
	assert_int_equal(gs.limit_drops, 2);
	assert_null(igmp_group_find(&gs, g3));
	/* Existing groups still take records; non-creating records are no drop. */
	rx_grp(g2, IGMP_ALLOW_NEW_SOURCES, "2", 3);
	rx_grp(g3, IGMP_BLOCK_OLD_SOURCES, "1", 3);
	assert_int_equal(igmp_group_find(&gs, g2)->nsrc, 2);
	assert_int_equal(gs.limit_drops, 2);
	/* Room again once a group is gone. */
	rx(IGMP_CHANGE_TO_INCLUDE, "");
	fake_advance(LMQT);
	check_no_group();
	rx_grp(g3, IGMP_MODE_IS_EXCLUDE, "", 3);
	assert_non_null(igmp_group_find(&gs, g3));
	assert_int_equal(gs.ngroups, 2);
	assert_int_equal(gs.limit_drops, 2);
}

/* Groups are independent of each other. */
static void
groups_are_independent(void **state)
{
	struct in_addr g2 = ip("232.1.1.2");

	rx(IGMP_MODE_IS_EXCLUDE, "");
	rx_grp(g2, IGMP_MODE_IS_INCLUDE, "1", 3);
	clear_log();
	rx(IGMP_CHANGE_TO_INCLUDE, "");
	expect_query("", false);
	check_no_queries();
	fake_advance(LMQI);
	expect_query("", false);
	fake_advance(LMQT - LMQI);
	check_no_group();
	check_no_queries();
	assert_non_null(igmp_group_find(&gs, g2));
	assert_int_equal(gs.ngroups, 1);
}

/* igmp_groups_flush reports every group deleted, and stops every timer. */
static void
flush_reports_every_group(void **state)
{
	const char *names[] = { "232.1.1.1", "232.1.1.2", "239.0.0.9" };

	rx(IGMP_MODE_IS_EXCLUDE, "1");
	rx_grp(ip(names[1]), IGMP_MODE_IS_INCLUDE, "1,2", 3);
	rx_grp(ip(names[2]), IGMP_CHANGE_TO_EXCLUDE, "", 2);
	rx(IGMP_CHANGE_TO_INCLUDE, "");		/* retransmissions pending */
	clear_log();
	igmp_groups_flush(&gs);
	assert_int_equal(nchanges, 3);
	for (unsigned i = 0; i < 3; i++) {
		bool found = false;

		for (unsigned j = 0; j < nchanges; j++)
			if (changes[j].grp.s_addr == ip(names[i]).s_addr) {
				assert_true(changes[j].deleted);
				found = true;
			}
		assert_true(found);
	}
	assert_int_equal(gs.ngroups, 0);
	assert_int_equal(fake_timers_pending(), 0);
	fake_advance(GMI * 2);
	check_no_queries();
}

/* Other parameters: robustness 3, QI 60 s, QRI 5 s, LMQI 0.5 s, LMQC 3. */
static void
timers_follow_params(void **state)
{
	params.robustness = 3;
	params.qi_s = 60;
	params.qri_ds = 50;
	params.lmqi_ds = 5;
	params.lmqc = 3;
	assert_int_equal(igmp_gmi_ms(&params), 185000);
	assert_int_equal(igmp_lmqt_ms(&params), 1500);
	rx(IGMP_MODE_IS_INCLUDE, "1,2");
	check_x(1, 185000);
	rx(IGMP_CHANGE_TO_EXCLUDE, "2,3");
	check_gt(185000);
	check_x(2, 1500);
	check_y(3);
	expect_query("2", false);
	fake_advance(500);
	expect_query("2", false);
	fake_advance(500);
	expect_query("2", false);
	fake_advance(500);
	check_y(2);
	check_no_queries();
	rx_grp(G, IGMP_MODE_IS_EXCLUDE, "", 1);
	assert_int_equal(igmp_group_host_left(grp(), 1), 185000);
}

static void
default_timer_values(void **state)
{
	assert_int_equal(igmp_gmi_ms(&params), GMI);
	assert_int_equal(igmp_lmqt_ms(&params), LMQT);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define ROW(fn)	T(fn##__querier), T(fn##__non_querier)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(default_timer_values),
		/* §6.4.1 */
		ROW(include_is_in),
		ROW(include_is_ex),
		ROW(exclude_is_in),
		ROW(exclude_is_ex),
		/* §6.4.2 */
		ROW(include_allow),
		ROW(include_block),
		ROW(include_to_ex),
		ROW(include_to_in),
		ROW(exclude_allow),
		ROW(exclude_block),
		ROW(exclude_to_ex),
		ROW(exclude_to_in),
		/* §6.5 */
		T(group_timer_expiry_with_x_switches_to_include),
		T(group_timer_expiry_without_x_deletes_group),
		T(source_expiry_in_include),
		T(source_expiry_in_exclude_moves_to_y),
		/* §6.6.3 */
		T(q_g_sent_lmqc_times_then_group_deleted),
		T(q_g_follows_lmqc_and_lmqi),
		T(report_during_q_g_refreshes_group),
		T(q_g_not_sent_by_non_querier),
		T(q_gs_retransmitted_then_sources_expire),
		T(q_gs_split_by_s_flag),
		T(q_gs_in_exclude_sources_move_to_y),
		T(exclude_to_in_queries_then_include),
		T(q_gs_skips_sources_at_lmqt),
		/* §6.6.1 */
		T(query_lowers_group_timer),
		T(query_lowers_source_timers),
		T(query_for_unknown_group_creates_nothing),
		T(query_g_in_include_changes_nothing),
		/* §7.3.2 */
		T(v2_host_present_timer),
		T(v2_compat_ignores_block),
		T(v2_compat_to_ex_without_sources),
		T(v2_compat_leave_queries_group),
		T(v2_compat_ends_after_ohpi),
		T(v2_report_restarts_host_timer),
		T(v1_host_present_timer),
		T(v1_compat_ignores_block_to_ex_sources_and_to_in),
		T(router_version_2_is_v2_mode),
		/* §6.3 */
		T(forwards_include),
		T(forwards_exclude),
		/* records */
		T(duplicate_and_unsorted_sources),
		T(refresh_reports_no_change),
		T(records_that_create_no_state),
		T(to_in_with_sources_creates_include),
		T(max_groups_limit),
		T(groups_are_independent),
		T(flush_reports_every_group),
		T(timers_follow_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
