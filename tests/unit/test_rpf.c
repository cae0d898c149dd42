/* SPDX-License-Identifier: ISC */
/*
 * The RPF cache (pimd/rpf.c): how a kernel route becomes struct rpf, shared
 * watches, re-resolution of only the targets a route change covers, bursts
 * of changes coalesced into one lookup per target, callbacks only on a
 * change, and callbacks that watch and unwatch while they are called.
 *
 * This file stands in for the kernel: netlink_route_lookup() answers from a
 * small FIB kept here (longest match, like the kernel's main table) and
 * counts the lookups; netlink_link_by_index() names the interfaces.  The
 * log functions are faked too, so the test sees every log line.  Time is
 * injected (fake_event.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_event.h"
#include "log.h"
#include "netlink.h"
#include "rpf.h"

#define T0		1000000u
#define COALESCE_MS	10	/* RPF_COALESCE_MS */
#define MAX_ROUTES	16
#define MAX_LOOKUPS	1024
#define MAX_LINES	32

/* ---- fake log -------------------------------------------------------------- */

static char lines[MAX_LINES][200];
static unsigned nlines;

void
log_info(const char *fmt, ...)
{
	va_list ap;

	assert_true(nlines < MAX_LINES);
	va_start(ap, fmt);
	vsnprintf(lines[nlines++], sizeof(lines[0]), fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	fail_msg("fatal() called: %s", fmt);
	abort();
}

/* ---- fake kernel --------------------------------------------------------- */

static struct netlink_route fib[MAX_ROUTES];
static unsigned nfib;
static struct in_addr lookups[MAX_LOOKUPS];
static unsigned nlookups;
static int lookup_errno;	/* nonzero: every lookup fails with it */

static uint32_t
mask(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

static bool
covers(const struct netlink_route *r, struct in_addr a)
{
	return ((ntohl(a.s_addr) ^ ntohl(r->dst.s_addr)) & mask(r->prefixlen)) == 0;
}

/* Longest match; unreachable routes answer as the kernel's do, with errors. */
int
netlink_route_lookup(struct in_addr dst, struct netlink_route *out)
{
	const struct netlink_route *best = NULL;

	assert_true(nlookups < MAX_LOOKUPS);
	lookups[nlookups++] = dst;
	if (lookup_errno != 0) {
		errno = lookup_errno;
		return -1;
	}
	for (unsigned i = 0; i < nfib; i++)
		if (covers(&fib[i], dst) &&
		    (best == NULL || fib[i].prefixlen > best->prefixlen))
			best = &fib[i];
	if (best == NULL) {
		errno = ENETUNREACH;
		return -1;
	}
	if (best->type == RTN_UNREACHABLE) {
		errno = EHOSTUNREACH;
		return -1;
	}
	*out = *best;
	return 0;
}

static const char *const ifnames[] = { NULL, "lo", "r1-r2", "r1-r3", "r1-lan" };

int
netlink_link_by_index(int ifindex, struct netlink_link *out)
{
	if (ifindex <= 0 || ifindex >= (int)(sizeof(ifnames) / sizeof(ifnames[0]))) {
		errno = ENODEV;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->ifindex = ifindex;
	snprintf(out->name, sizeof(out->name), "%s", ifnames[ifindex]);
	return 0;
}

/* ---- helpers ----------------------------------------------------------------- */

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void
parse_prefix(const char *s, struct in_addr *a, uint8_t *len)
{
	char buf[32], *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	assert_non_null(slash = strchr(buf, '/'));
	*slash = '\0';
	*a = ip(buf);
	*len = (uint8_t)atoi(slash + 1);
}

static struct netlink_route *
route_find(const char *prefix)
{
	struct in_addr a;
	uint8_t len;

	parse_prefix(prefix, &a, &len);
	for (unsigned i = 0; i < nfib; i++)
		if (fib[i].dst.s_addr == a.s_addr && fib[i].prefixlen == len)
			return &fib[i];
	return NULL;
}

/* Add or replace prefix: gw "0.0.0.0" for a connected route. */
static struct netlink_route *
route_set(const char *prefix, const char *gw, int ifindex, uint32_t metric,
    uint8_t protocol, uint8_t type)
{
	struct netlink_route *r = route_find(prefix);

	if (r == NULL) {
		assert_true(nfib < MAX_ROUTES);
		r = &fib[nfib++];
	}
	memset(r, 0, sizeof(*r));
	parse_prefix(prefix, &r->dst, &r->prefixlen);
	r->gateway = ip(gw);
	r->ifindex = ifindex;
	r->metric = metric;
	r->protocol = protocol;
	r->type = type;
	r->table = RT_TABLE_MAIN;
	return r;
}

static struct netlink_route *
route_static(const char *prefix, const char *gw, int ifindex)
{
	return route_set(prefix, gw, ifindex, 0, RTPROT_STATIC, RTN_UNICAST);
}

static void
route_del(const char *prefix)
{
	struct netlink_route *r = route_find(prefix);

	assert_non_null(r);
	*r = fib[--nfib];
}

/* What lib/netlink.c reports for a route change. */
static void
event(const char *prefix)
{
	struct in_addr a;
	uint8_t len;

	parse_prefix(prefix, &a, &len);
	rpf_route_event(NETLINK_CHANGE, a, len, NULL);
}

static unsigned
lookups_of(const char *target)
{
	struct in_addr a = ip(target);
	unsigned n = 0;

	for (unsigned i = 0; i < nlookups; i++)
		n += lookups[i].s_addr == a.s_addr;
	return n;
}

static void
clear_logs(void)
{
	nlookups = 0;
	nlines = 0;
}

static void
assert_lines(const char *const *want, unsigned n)
{
	bool same = nlines == n;

	for (unsigned i = 0; same && i < n; i++)
		same = strcmp(lines[i], want[i]) == 0;
	if (same)
		return;
	for (unsigned i = 0; i < nlines; i++)
		print_message("logged:   %s\n", lines[i]);
	for (unsigned i = 0; i < n; i++)
		print_message("expected: %s\n", want[i]);
	fail();
}

static void
assert_rpf(const struct rpf *p, const char *target, const char *nexthop,
    int ifindex, uint32_t metric, uint32_t pref, const char *prefix)
{
	struct in_addr a;
	uint8_t len;

	parse_prefix(prefix, &a, &len);
	assert_int_equal(p->target.s_addr, ip(target).s_addr);
	assert_true(p->valid);
	assert_false(p->local);
	assert_int_equal(p->nexthop.s_addr, ip(nexthop).s_addr);
	assert_int_equal(p->ifindex, ifindex);
	assert_int_equal(p->metric, metric);
	assert_int_equal(p->preference, pref);
	assert_int_equal(p->prefix.s_addr, a.s_addr);
	assert_int_equal(p->prefixlen, len);
}

static void
assert_invalid(const struct rpf *p, const char *target)
{
	struct rpf zero = { .target = ip(target) };

	assert_memory_equal(p, &zero, sizeof(zero));
}

/* ---- watchers ------------------------------------------------------------- */

struct watcher;
typedef void (*action_fn)(struct watcher *);

struct watcher {
	const char	*target;
	struct rpf_watch *w;		/* &watch while watching, else NULL */
	struct rpf_watch watch;
	unsigned	calls;
	struct rpf	seen;
	action_fn	then;		/* run inside the callback */
	struct watcher	*other;
};

static void
watcher_cb(const struct rpf *p, struct rpf_watch *w)
{
	struct watcher *x = (struct watcher *)((char *)w - offsetof(struct watcher, watch));

	assert_non_null(x->w);
	assert_ptr_equal(p, rpf_get(x->w));
	assert_int_equal(p->target.s_addr, ip(x->target).s_addr);
	x->calls++;
	x->seen = *p;
	if (x->then != NULL)
		x->then(x);
}

static void
watch(struct watcher *x, const char *target)
{
	x->target = target;
	rpf_watch(&x->watch, ip(target), watcher_cb);
	x->w = &x->watch;
	assert_non_null(x->w);
}

static void
unwatch(struct watcher *x)
{
	rpf_unwatch(x->w);
	x->w = NULL;
}

static int
setup(void **state)
{
	fake_time_reset(T0);
	nfib = 0;
	lookup_errno = 0;
	clear_logs();
	return 0;
}

static int
teardown(void **state)
{
	rpf_fini();
	assert_int_equal(fake_timers_pending(), 0);
	return 0;
}

/* ---- from a route to struct rpf -------------------------------------------- */

static void
gateway_route(void **state)
{
	struct watcher a = { 0 };

	route_static("198.18.0.0/16", "10.0.0.2", 2)->metric = 20;
	watch(&a, "198.18.1.1");
	assert_rpf(rpf_get(a.w), "198.18.1.1", "10.0.0.2", 2, 20, 1, "198.18.0.0/16");
	/* Looked up at once, and no callback for the first answer. */
	assert_int_equal(lookups_of("198.18.1.1"), 1);
	assert_int_equal(a.calls, 0);
	assert_int_equal(fake_timers_pending(), 0);
	assert_lines(NULL, 0);
}

static void
connected_route_nexthop_is_target(void **state)
{
	struct watcher a = { 0 };

	route_set("10.0.0.0/24", "0.0.0.0", 2, 0, RTPROT_KERNEL, RTN_UNICAST);
	watch(&a, "10.0.0.7");
	assert_rpf(rpf_get(a.w), "10.0.0.7", "10.0.0.7", 2, 0, 0, "10.0.0.0/24");
}

static void
local_target_has_no_upstream(void **state)
{
	struct watcher a = { 0 };
	const struct rpf *p;

	route_set("10.0.0.0/24", "0.0.0.0", 2, 0, RTPROT_KERNEL, RTN_UNICAST);
	/* What the local table answers for one of our addresses. */
	route_set("10.0.0.1/32", "0.0.0.0", 2, 0, RTPROT_KERNEL, RTN_LOCAL);
	watch(&a, "10.0.0.1");
	p = rpf_get(a.w);
	assert_true(p->valid);
	assert_true(p->local);
	assert_int_equal(p->ifindex, 0);
	assert_int_equal(p->nexthop.s_addr, htonl(INADDR_ANY));
	assert_int_equal(p->metric, 0);
	assert_int_equal(p->preference, 0);
	assert_int_equal(p->prefix.s_addr, ip("10.0.0.1").s_addr);
	assert_int_equal(p->prefixlen, 32);
}

static void
no_route_is_invalid(void **state)
{
	struct watcher a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	watch(&a, "198.18.1.1");
	assert_invalid(rpf_get(a.w), "198.18.1.1");

	route_set("203.0.113.0/24", "0.0.0.0", 0, 0, RTPROT_BOOT, RTN_UNREACHABLE);
	watch(&b, "203.0.113.9");
	assert_invalid(rpf_get(b.w), "203.0.113.9");

	/* Neither a broadcast route nor a unicast one without a device leads upstream. */
	route_set("10.0.0.255/32", "0.0.0.0", 2, 0, RTPROT_KERNEL, RTN_BROADCAST);
	watch(&c, "10.0.0.255");
	assert_invalid(rpf_get(c.w), "10.0.0.255");
	route_set("192.0.2.0/24", "10.0.0.2", 0, 0, RTPROT_STATIC, RTN_UNICAST);
	watch(&d, "192.0.2.1");
	assert_invalid(rpf_get(d.w), "192.0.2.1");
}

static void
lookup_error_is_invalid(void **state)
{
	struct watcher a = { 0 };

	route_static("198.18.0.0/16", "10.0.0.2", 2);
	lookup_errno = EIO;
	watch(&a, "198.18.1.1");
	assert_invalid(rpf_get(a.w), "198.18.1.1");
	/* Any later route change looks again. */
	lookup_errno = 0;
	event("0.0.0.0/0");
	fake_advance(COALESCE_MS);
	assert_rpf(rpf_get(a.w), "198.18.1.1", "10.0.0.2", 2, 0, 1, "198.18.0.0/16");
	assert_int_equal(a.calls, 1);
}

static void
preference_by_protocol(void **state)
{
	static const struct { uint8_t protocol; uint32_t pref; } table[] = {
		{ RTPROT_KERNEL, 0 }, { RTPROT_BOOT, 1 }, { RTPROT_STATIC, 1 },
		{ RTPROT_BGP, 20 }, { RTPROT_OSPF, 110 }, { RTPROT_ISIS, 115 },
		{ RTPROT_RIP, 120 }, { RTPROT_DHCP, 200 }, { RTPROT_RA, 200 },
		{ RTPROT_BABEL, 200 }, { RTPROT_ZEBRA, 200 }, { 250, 200 },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct watcher a = { 0 };

		nfib = 0;
		route_set("0.0.0.0/0", "10.0.0.2", 2, 7, table[i].protocol,
		    RTN_UNICAST);
		watch(&a, "198.18.1.1");
		assert_rpf(rpf_get(a.w), "198.18.1.1", "10.0.0.2", 2, 7,
		    table[i].pref, "0.0.0.0/0");
		unwatch(&a);
	}
}

/* ---- sharing ------------------------------------------------------------------- */

static void
watchers_share_one_entry(void **state)
{
	struct watcher a = { 0 }, b = { 0 }, c = { 0 };

	route_static("198.18.0.0/16", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	watch(&b, "198.18.1.1");
	watch(&c, "198.18.1.1");
	assert_int_equal(lookups_of("198.18.1.1"), 1);
	assert_ptr_equal(rpf_get(a.w), rpf_get(b.w));
	assert_ptr_equal(rpf_get(a.w), rpf_get(c.w));

	unwatch(&b);
	route_static("198.18.0.0/16", "10.0.1.2", 3);
	event("198.18.0.0/16");
	fake_advance(COALESCE_MS);
	assert_int_equal(lookups_of("198.18.1.1"), 2);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 0);
	assert_int_equal(c.calls, 1);
	assert_rpf(&a.seen, "198.18.1.1", "10.0.1.2", 3, 0, 1, "198.18.0.0/16");

	/* With the last watch gone the entry goes: a new watch looks up again. */
	unwatch(&a);
	unwatch(&c);
	watch(&a, "198.18.1.1");
	assert_int_equal(lookups_of("198.18.1.1"), 3);
}

static void
unwatched_target_not_looked_up(void **state)
{
	struct watcher a = { 0 };

	route_static("198.18.0.0/16", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	unwatch(&a);
	clear_logs();
	event("0.0.0.0/0");
	assert_int_equal(fake_timers_pending(), 0);
	fake_advance(1000);
	assert_int_equal(nlookups, 0);
}

/* Any route event moves the generation, watched targets or not. */
static void
generation_moves_on_route_events(void **state)
{
	uint32_t g = rpf_generation();

	event("203.0.113.0/24");
	assert_int_not_equal(rpf_generation(), g);
	g = rpf_generation();
	event("0.0.0.0/0");
	assert_int_not_equal(rpf_generation(), g);
	g = rpf_generation();
	fake_advance(1000);
	assert_int_equal(rpf_generation(), g);
}

/* ---- what a route change re-resolves -------------------------------------- */

static void
only_covered_targets(void **state)
{
	struct watcher a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	watch(&b, "198.18.255.255");
	watch(&c, "198.19.0.0");
	watch(&d, "203.0.113.5");
	clear_logs();

	event("198.18.0.0/16");
	fake_advance(COALESCE_MS);
	assert_int_equal(lookups_of("198.18.1.1"), 1);
	assert_int_equal(lookups_of("198.18.255.255"), 1);
	assert_int_equal(nlookups, 2);

	/* A host route covers its target only. */
	clear_logs();
	event("198.19.0.0/32");
	fake_advance(COALESCE_MS);
	assert_int_equal(lookups_of("198.19.0.0"), 1);
	assert_int_equal(nlookups, 1);

	/* Nothing watched under it: no timer at all. */
	clear_logs();
	event("192.0.2.0/24");
	assert_int_equal(fake_timers_pending(), 0);

	/* 0.0.0.0/0: everything. */
	event("0.0.0.0/0");
	fake_advance(COALESCE_MS);
	assert_int_equal(nlookups, 4);
	assert_int_equal(lookups_of("203.0.113.5"), 1);

	/* Host bits in dst do not narrow the range. */
	clear_logs();
	event("203.0.113.77/24");
	fake_advance(COALESCE_MS);
	assert_int_equal(nlookups, 1);
	assert_int_equal(lookups_of("203.0.113.5"), 1);

	/* Nothing changed for anyone. */
	assert_int_equal(a.calls + b.calls + c.calls + d.calls, 0);
	assert_lines(NULL, 0);
}

static void
burst_coalesced(void **state)
{
	struct watcher a = { 0 }, b = { 0 };
	static const char *const want[] = {
		"rpf: 198.18.1.1 via 10.0.1.2 on r1-r3 pref 110 metric 30 "
		"(was via 10.0.0.2 on r1-r2 pref 1 metric 0)",
		"rpf: 203.0.113.5 via 10.0.1.2 on r1-r3 pref 110 metric 30 "
		"(was via 10.0.0.2 on r1-r2 pref 1 metric 0)",
	};

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	watch(&b, "203.0.113.5");
	clear_logs();

	/* A routing protocol rewriting a whole table: many changes, 9 ms. */
	for (unsigned i = 0; i < 200; i++) {
		char p[32];

		snprintf(p, sizeof(p), "%u.%u.0.0/16", 198 + i % 8, i);
		event(p);
		event("0.0.0.0/0");
		if (i % 25 == 24)
			fake_advance(1);
	}
	route_set("0.0.0.0/0", "10.0.1.2", 3, 30, RTPROT_OSPF, RTN_UNICAST);
	assert_int_equal(nlookups, 0);
	/* Further changes did not push the timer back. */
	assert_int_equal(fake_timers_pending(), 1);
	fake_advance(COALESCE_MS - 8 - 1);
	assert_int_equal(nlookups, 0);
	fake_advance(1);
	assert_int_equal(lookups_of("198.18.1.1"), 1);
	assert_int_equal(lookups_of("203.0.113.5"), 1);
	assert_int_equal(nlookups, 2);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	assert_lines(want, 2);
	assert_int_equal(fake_timers_pending(), 0);

	/* A change after the pass starts another one. */
	event("0.0.0.0/0");
	assert_int_equal(fake_timers_pending(), 1);
	fake_advance(COALESCE_MS);
	assert_int_equal(nlookups, 4);
}

static void
late_change_joins_pending_pass(void **state)
{
	struct watcher a = { 0 }, b = { 0 };

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	watch(&b, "203.0.113.5");
	clear_logs();
	event("198.18.0.0/16");
	fake_advance(COALESCE_MS / 2);
	/* Another target dirty: the pass already due takes it along. */
	event("203.0.113.0/24");
	fake_advance(COALESCE_MS - COALESCE_MS / 2);
	assert_int_equal(lookups_of("198.18.1.1"), 1);
	assert_int_equal(lookups_of("203.0.113.5"), 1);
	assert_int_equal(fake_timers_pending(), 0);
}

/* ---- callbacks only on a change ------------------------------------------- */

static void
callback_only_on_change(void **state)
{
	struct watcher a = { 0 };

	route_static("198.18.0.0/16", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");

	/* Looked up again, same answer: silence. */
	event("198.18.0.0/16");
	fake_advance(COALESCE_MS);
	assert_int_equal(lookups_of("198.18.1.1"), 2);
	assert_int_equal(a.calls, 0);

	/* A more specific route the same way: only the prefix differs. */
	route_static("198.18.1.0/24", "10.0.0.2", 2);
	event("198.18.1.0/24");
	fake_advance(COALESCE_MS);
	assert_int_equal(a.calls, 0);
	assert_int_equal(rpf_get(a.w)->prefixlen, 24);
	assert_lines(NULL, 0);
}

static void
each_field_change_calls(void **state)
{
	struct watcher a = { 0 };
	struct netlink_route *r;
	static const char *const want[] = {
		"rpf: 198.18.1.1 via 10.0.0.2 on r1-r2 pref 1 metric 5 "
		"(was via 10.0.0.2 on r1-r2 pref 1 metric 0)",
		"rpf: 198.18.1.1 via 10.0.0.2 on r1-r2 pref 20 metric 5 "
		"(was via 10.0.0.2 on r1-r2 pref 1 metric 5)",
		"rpf: 198.18.1.1 via 10.0.0.3 on r1-r2 pref 20 metric 5 "
		"(was via 10.0.0.2 on r1-r2 pref 20 metric 5)",
		"rpf: 198.18.1.1 via 10.0.0.3 on ifindex 9 pref 20 metric 5 "
		"(was via 10.0.0.3 on r1-r2 pref 20 metric 5)",
		"rpf: 198.18.1.1 unreachable "
		"(was via 10.0.0.3 on ifindex 9 pref 20 metric 5)",
		"rpf: 198.18.1.1 connected on r1-lan pref 0 metric 0 (was unreachable)",
		"rpf: 198.18.1.1 local (was connected on r1-lan pref 0 metric 0)",
		"rpf: 198.18.1.1 unreachable (was local)",
	};

	r = route_static("198.18.0.0/16", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");

	r->metric = 5;
	event("198.18.0.0/16");
	fake_advance(COALESCE_MS);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.seen.metric, 5);

	r->protocol = RTPROT_BGP;
	event("198.18.0.0/16");
	fake_advance(COALESCE_MS);
	assert_int_equal(a.calls, 2);
	assert_int_equal(a.seen.preference, 20);

	r->gateway = ip("10.0.0.3");
	event("198.18.0.0/16");
	fake_advance(COALESCE_MS);
	assert_int_equal(a.calls, 3);
	assert_int_equal(a.seen.nexthop.s_addr, ip("10.0.0.3").s_addr);

	r->ifindex = 9;
	event("198.18.0.0/16");
	fake_advance(COALESCE_MS);
	assert_int_equal(a.calls, 4);
	assert_int_equal(a.seen.ifindex, 9);

	route_del("198.18.0.0/16");
	event("198.18.0.0/16");
	fake_advance(COALESCE_MS);
	assert_int_equal(a.calls, 5);
	assert_false(a.seen.valid);

	route_set("198.18.1.0/24", "0.0.0.0", 4, 0, RTPROT_KERNEL, RTN_UNICAST);
	event("198.18.1.0/24");
	fake_advance(COALESCE_MS);
	assert_int_equal(a.calls, 6);
	assert_int_equal(a.seen.nexthop.s_addr, ip("198.18.1.1").s_addr);

	route_set("198.18.1.1/32", "0.0.0.0", 4, 0, RTPROT_KERNEL, RTN_LOCAL);
	event("0.0.0.0/0");
	fake_advance(COALESCE_MS);
	assert_int_equal(a.calls, 7);
	assert_true(a.seen.local);

	nfib = 0;
	event("0.0.0.0/0");
	fake_advance(COALESCE_MS);
	assert_int_equal(a.calls, 8);
	assert_false(a.seen.valid);
	assert_false(a.seen.local);

	assert_lines(want, 8);
}

/* ---- watching and unwatching from callbacks -------------------------------- */

static void
unwatch_self(struct watcher *x)
{
	unwatch(x);
}

static void
unwatch_other(struct watcher *x)
{
	unwatch(x->other);
}

static void
watch_other(struct watcher *x)
{
	watch(x->other, x->other->target);
}

static void
change_default_route(void)
{
	route_static("0.0.0.0/0", "10.0.1.2", 3);
	event("0.0.0.0/0");
	fake_advance(COALESCE_MS);
}

static void
callback_unwatches_itself(void **state)
{
	struct watcher a = { 0 }, b = { 0 };

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	watch(&b, "198.18.1.1");
	a.then = unwatch_self;
	b.then = unwatch_self;
	change_default_route();
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	/* Both gone, so was the entry: a new watch looks up. */
	clear_logs();
	watch(&a, "198.18.1.1");
	assert_int_equal(nlookups, 1);
}

static void
callback_unwatches_the_next(void **state)
{
	struct watcher a = { 0 }, b = { 0 }, c = { 0 };

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	/* Called newest first: c, b, a. */
	watch(&a, "198.18.1.1");
	watch(&b, "198.18.1.1");
	watch(&c, "198.18.1.1");
	c.then = unwatch_other;
	c.other = &b;
	change_default_route();
	assert_int_equal(c.calls, 1);
	assert_int_equal(b.calls, 0);
	assert_int_equal(a.calls, 1);

	/* One already called this round goes: nothing more to do. */
	c.then = NULL;
	a.then = unwatch_other;
	a.other = &c;
	route_static("0.0.0.0/0", "10.0.0.2", 2);
	event("0.0.0.0/0");
	fake_advance(COALESCE_MS);
	assert_int_equal(c.calls, 2);
	assert_int_equal(a.calls, 2);
	assert_null(c.w);
}

static void
callback_watches_same_target(void **state)
{
	struct watcher a = { 0 }, b = { .target = "198.18.1.1" };

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	a.then = watch_other;
	a.other = &b;
	clear_logs();
	change_default_route();
	/* b joined during the round: it read the new answer, no call. */
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 0);
	assert_non_null(b.w);
	assert_rpf(rpf_get(b.w), "198.18.1.1", "10.0.1.2", 3, 0, 1, "0.0.0.0/0");
	/* Shared, not looked up again. */
	assert_int_equal(nlookups, 1);
}

static void
callback_watches_new_target(void **state)
{
	struct watcher a = { 0 }, b = { .target = "203.0.113.5" };

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	a.then = watch_other;
	a.other = &b;
	clear_logs();
	change_default_route();
	assert_int_equal(b.calls, 0);
	assert_int_equal(lookups_of("203.0.113.5"), 1);
	assert_rpf(rpf_get(b.w), "203.0.113.5", "10.0.1.2", 3, 0, 1, "0.0.0.0/0");
}

static void
callback_drops_other_changed_target(void **state)
{
	struct watcher a = { 0 }, b = { 0 };

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	/* Both change in one pass; a (lower address) is called first. */
	watch(&a, "198.18.1.1");
	watch(&b, "203.0.113.5");
	a.then = unwatch_other;
	a.other = &b;
	change_default_route();
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 0);
	assert_null(b.w);
}

static void
unwatch_while_dirty(void **state)
{
	struct watcher a = { 0 }, b = { 0 };

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	watch(&b, "203.0.113.5");
	clear_logs();
	event("0.0.0.0/0");
	unwatch(&a);
	fake_advance(COALESCE_MS);
	assert_int_equal(lookups_of("198.18.1.1"), 0);
	assert_int_equal(lookups_of("203.0.113.5"), 1);
}

static void
watch_while_dirty(void **state)
{
	struct watcher a = { 0 }, b = { 0 };

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	event("0.0.0.0/0");
	/* Made after the change: its lookup is already fresh. */
	clear_logs();
	watch(&b, "198.18.1.2");
	fake_advance(COALESCE_MS);
	assert_int_equal(lookups_of("198.18.1.2"), 1);
	assert_int_equal(lookups_of("198.18.1.1"), 1);
}

static void
fini_with_watches(void **state)
{
	struct watcher a = { 0 }, b = { 0 };

	route_static("0.0.0.0/0", "10.0.0.2", 2);
	watch(&a, "198.18.1.1");
	watch(&b, "198.18.1.1");
	event("0.0.0.0/0");
	assert_int_equal(fake_timers_pending(), 1);
	rpf_fini();
	assert_int_equal(fake_timers_pending(), 0);
	/* Usable again after. */
	watch(&a, "198.18.1.1");
	event("0.0.0.0/0");
	change_default_route();
	assert_int_equal(a.calls, 1);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(gateway_route),
		T(connected_route_nexthop_is_target),
		T(local_target_has_no_upstream),
		T(no_route_is_invalid),
		T(lookup_error_is_invalid),
		T(preference_by_protocol),
		T(watchers_share_one_entry),
		T(unwatched_target_not_looked_up),
		T(generation_moves_on_route_events),
		T(only_covered_targets),
		T(burst_coalesced),
		T(late_change_joins_pending_pass),
		T(callback_only_on_change),
		T(each_field_change_calls),
		T(callback_unwatches_itself),
		T(callback_unwatches_the_next),
		T(callback_watches_same_target),
		T(callback_watches_new_target),
		T(callback_drops_other_changed_target),
		T(unwatch_while_dirty),
		T(watch_while_dirty),
		T(fini_with_watches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
