/* SPDX-License-Identifier: ISC */
/*
 * The RP set (pimd/rp.c): RP(G) by longest group range, then the
 * highest RP address; the SSM range; what a new config logs and whether
 * the listener hears of it; rp_is_local(); the RFC 7761 §4.7.2 hash; and
 * the BSR's RP-set beside the static RPs (§4.7.1).
 *
 * This file stands in for the log functions and netlink_addr_foreach(), so
 * the test sees every log line and chooses the router's addresses; nothing
 * of lib/log.c or lib/netlink.c is linked.
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

#include "config.h"
#include "log.h"
#include "netlink.h"
#include "rp.h"

#define MAX_LINES	32
#define MAX_RPS		8
#define MAX_GROUPS	8
#define MAX_LOCAL	4

/* ---- fakes ---------------------------------------------------------------- */

static char lines[MAX_LINES][160];
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

static struct netlink_addr local[MAX_LOCAL];
static unsigned nlocal;
static unsigned addr_walks;

int
netlink_addr_foreach(int ifindex, void (*fn)(const struct netlink_addr *, void *),
    void *arg)
{
	assert_int_equal(ifindex, 0);	/* every interface */
	addr_walks++;
	for (unsigned i = 0; i < nlocal; i++)
		fn(&local[i], arg);
	return (int)nlocal;
}

/* ---- helpers --------------------------------------------------------------- */

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct cfg_prefix
pfx(const char *s)
{
	char buf[32], *slash;
	struct cfg_prefix p;

	snprintf(buf, sizeof(buf), "%s", s);
	assert_non_null(slash = strchr(buf, '/'));
	*slash = '\0';
	p.addr = ip(buf);
	p.len = (uint8_t)atoi(slash + 1);
	return p;
}

static struct config conf;
static struct cfg_rp rpbuf[MAX_RPS];
static struct cfg_prefix grpbuf[MAX_RPS][MAX_GROUPS];
static unsigned nrp;

static void
conf_clear(void)
{
	memset(&conf, 0, sizeof(conf));
	TAILQ_INIT(&conf.ifaces);
	TAILQ_INIT(&conf.rps);
	conf.ssm_range = pfx("232.0.0.0/8");
	nrp = 0;
}

/* An RP serving the comma-separated ranges, as config.c would build it. */
static void
conf_rp(const char *addr, const char *groups)
{
	char buf[256], *save = NULL;
	struct cfg_rp *r;

	assert_true(nrp < MAX_RPS);
	r = &rpbuf[nrp];
	memset(r, 0, sizeof(*r));
	r->addr = ip(addr);
	r->groups = grpbuf[nrp];
	snprintf(buf, sizeof(buf), "%s", groups);
	for (char *g = strtok_r(buf, ",", &save); g != NULL;
	    g = strtok_r(NULL, ",", &save)) {
		assert_true(r->ngroups < MAX_GROUPS);
		r->groups[r->ngroups++] = pfx(g);
	}
	TAILQ_INSERT_TAIL(&conf.rps, r, entry);
	conf.nrp = ++nrp;
}

static unsigned nchanged;

static void
rp_changed(void)
{
	nchanged++;
}

static void
apply(void)
{
	nlines = 0;
	nchanged = 0;
	rp_apply_config(&conf);
}

static void
assert_rp(const char *grp, const char *rp)
{
	char got[INET_ADDRSTRLEN];
	struct in_addr a = rp_for_group(ip(grp));

	inet_ntop(AF_INET, &a, got, sizeof(got));
	if (strcmp(got, rp) != 0)
		fail_msg("RP(%s) = %s, expected %s", grp, got, rp);
}

static void
assert_logged(const char *const *want, unsigned n)
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

static int
setup(void **state)
{
	conf_clear();
	nlocal = 0;
	addr_walks = 0;
	nlines = 0;
	nchanged = 0;
	rp_set_listener(rp_changed);
	return 0;
}

static int
teardown(void **state)
{
	rp_fini();
	return 0;
}

/* ---- RP(G) ------------------------------------------------------------------ */

static void
no_rp(void **state)
{
	apply();
	assert_rp("239.1.1.1", "0.0.0.0");
	assert_rp("224.1.1.1", "0.0.0.0");
	/* Nothing configured and the SSM range at its default: no change. */
	assert_int_equal(nchanged, 0);
	assert_logged(NULL, 0);
}

static void
before_any_config(void **state)
{
	assert_rp("239.1.1.1", "0.0.0.0");
	assert_true(rp_in_ssm(ip("232.0.0.1")));
	assert_false(rp_in_ssm(ip("233.0.0.1")));
}

static void
one_rp_all_groups(void **state)
{
	static const char *const want[] = { "rp: 224.0.0.0/4 -> 198.18.1.1" };

	conf_rp("198.18.1.1", "224.0.0.0/4");
	apply();
	assert_logged(want, 1);
	assert_int_equal(nchanged, 1);
	assert_rp("224.0.1.1", "198.18.1.1");
	assert_rp("239.255.255.255", "198.18.1.1");
	assert_rp("231.255.255.255", "198.18.1.1");
	assert_rp("233.0.0.0", "198.18.1.1");
	/* Not multicast: no range matches. */
	assert_rp("10.1.1.1", "0.0.0.0");
	assert_rp("240.0.0.1", "0.0.0.0");
}

static void
longest_match_wins(void **state)
{
	/* Highest address on the shortest range: length must beat address. */
	conf_rp("198.18.9.9", "224.0.0.0/4");
	conf_rp("198.18.2.2", "239.0.0.0/8");
	conf_rp("198.18.1.1", "239.1.0.0/16");
	conf_rp("198.18.3.3", "239.1.2.3/32");
	apply();
	assert_rp("225.0.0.1", "198.18.9.9");
	assert_rp("239.2.0.1", "198.18.2.2");
	assert_rp("239.0.255.255", "198.18.2.2");
	assert_rp("239.1.0.0", "198.18.1.1");
	assert_rp("239.1.255.255", "198.18.1.1");
	assert_rp("239.1.2.3", "198.18.3.3");
	assert_rp("239.1.2.4", "198.18.1.1");
}

static void
equal_ranges_highest_address(void **state)
{
	static const char *const want[] = { "rp: 239.0.0.0/8 -> 198.18.1.2" };

	/* Configured low first ... */
	conf_rp("198.18.1.1", "239.0.0.0/8");
	conf_rp("198.18.1.2", "239.0.0.0/8");
	conf_rp("10.0.0.1", "239.0.0.0/8");
	apply();
	assert_rp("239.1.1.1", "198.18.1.2");
	/* One range, one winner: one line, naming only the winner. */
	assert_logged(want, 1);

	/* ... and high first: the order of the config does not matter. */
	rp_fini();
	rp_set_listener(rp_changed);
	conf_clear();
	conf_rp("198.18.1.2", "239.0.0.0/8");
	conf_rp("198.18.1.1", "239.0.0.0/8");
	apply();
	assert_rp("239.1.1.1", "198.18.1.2");

	/* Compared as numbers, not as bytes in network order. */
	rp_fini();
	conf_clear();
	conf_rp("1.0.0.2", "239.0.0.0/8");
	conf_rp("2.0.0.1", "239.0.0.0/8");
	apply();
	assert_rp("239.1.1.1", "2.0.0.1");
}

static void
several_rps_several_ranges(void **state)
{
	conf_rp("198.18.1.1", "224.0.0.0/5,238.0.0.0/8");
	conf_rp("198.18.2.2", "232.0.0.0/5,239.1.0.0/16");
	apply();
	assert_rp("224.1.1.1", "198.18.1.1");
	assert_rp("231.1.1.1", "198.18.1.1");
	assert_rp("238.1.1.1", "198.18.1.1");
	assert_rp("233.1.1.1", "198.18.2.2");
	assert_rp("239.2.1.1", "198.18.2.2");
	assert_rp("239.1.1.1", "198.18.2.2");
	/* 232.0.0.0/8 is in 232.0.0.0/5 but SSM. */
	assert_rp("232.1.1.1", "0.0.0.0");
}

/* ---- SSM -------------------------------------------------------------------- */

static void
ssm_has_no_rp(void **state)
{
	conf_rp("198.18.1.1", "224.0.0.0/4");
	/* Even an RP configured for exactly the SSM range does not serve it. */
	conf_rp("198.18.2.2", "232.0.0.0/8");
	apply();
	assert_true(rp_in_ssm(ip("232.0.0.0")));
	assert_true(rp_in_ssm(ip("232.255.255.255")));
	assert_false(rp_in_ssm(ip("231.255.255.255")));
	assert_false(rp_in_ssm(ip("233.0.0.0")));
	assert_rp("232.1.1.1", "0.0.0.0");
	assert_rp("232.255.255.255", "0.0.0.0");
	assert_rp("233.0.0.0", "198.18.1.1");
	assert_rp("231.255.255.255", "198.18.1.1");
}

static void
ssm_range_from_config(void **state)
{
	static const char *const want[] = {
		"rp: ssm-range -> 239.232.0.0/16 (was 232.0.0.0/8)",
	};

	conf_rp("198.18.1.1", "224.0.0.0/4");
	apply();
	conf.ssm_range = pfx("239.232.0.0/16");
	apply();
	assert_logged(want, 1);
	assert_int_equal(nchanged, 1);
	assert_rp("232.1.1.1", "198.18.1.1");
	assert_rp("239.232.1.1", "0.0.0.0");
	assert_rp("239.233.1.1", "198.18.1.1");
	assert_false(rp_in_ssm(ip("232.1.1.1")));
	assert_true(rp_in_ssm(ip("239.232.255.255")));
}

/* ---- reloads ---------------------------------------------------------------- */

static void
reload_logs_each_range(void **state)
{
	static const char *const first[] = {
		"rp: 224.0.0.0/4 -> 198.18.1.1",
		"rp: 239.0.0.0/8 -> 198.18.2.2",
		"rp: 239.1.0.0/16 -> 198.18.3.3",
	};
	static const char *const second[] = {
		"rp: 224.0.0.0/4 removed (was 198.18.1.1)",
		"rp: 225.0.0.0/8 -> 198.18.1.1",
		"rp: 239.0.0.0/8 -> 198.18.4.4 (was 198.18.2.2)",
	};
	static const char *const third[] = {
		"rp: 225.0.0.0/8 removed (was 198.18.1.1)",
		"rp: 239.0.0.0/8 removed (was 198.18.4.4)",
		"rp: 239.1.0.0/16 removed (was 198.18.3.3)",
	};

	conf_rp("198.18.3.3", "239.1.0.0/16");
	conf_rp("198.18.2.2", "239.0.0.0/8");
	conf_rp("198.18.1.1", "224.0.0.0/4");
	apply();
	assert_logged(first, 3);
	assert_int_equal(nchanged, 1);

	/* The same config again: nothing to say, nobody to wake. */
	apply();
	assert_logged(NULL, 0);
	assert_int_equal(nchanged, 0);

	/* 198.18.1.1 narrows its range, 198.18.4.4 outranks 198.18.2.2. */
	conf_clear();
	conf_rp("198.18.3.3", "239.1.0.0/16");
	conf_rp("198.18.2.2", "239.0.0.0/8");
	conf_rp("198.18.1.1", "225.0.0.0/8");
	conf_rp("198.18.4.4", "239.0.0.0/8");
	apply();
	assert_logged(second, 3);
	assert_int_equal(nchanged, 1);
	assert_rp("224.1.1.1", "0.0.0.0");
	assert_rp("225.1.1.1", "198.18.1.1");
	assert_rp("239.2.2.2", "198.18.4.4");

	conf_clear();
	apply();
	assert_logged(third, 3);
	assert_int_equal(nchanged, 1);
	assert_rp("239.1.1.1", "0.0.0.0");
}

static void
standby_rp_changes_nothing(void **state)
{
	conf_rp("198.18.2.2", "239.0.0.0/8");
	apply();
	/* A lower RP for the same range never serves a group. */
	conf_rp("198.18.1.1", "239.0.0.0/8");
	apply();
	assert_logged(NULL, 0);
	assert_int_equal(nchanged, 0);
	/* Its removal as well, though it still shows up while configured. */
	conf_clear();
	conf_rp("198.18.2.2", "239.0.0.0/8");
	apply();
	assert_logged(NULL, 0);
	assert_int_equal(nchanged, 0);
}

static void
no_listener(void **state)
{
	rp_set_listener(NULL);
	conf_rp("198.18.1.1", "224.0.0.0/4");
	apply();
	assert_int_equal(nchanged, 0);
	assert_rp("239.1.1.1", "198.18.1.1");
}

/* The config's own memory can go after rp_apply_config(): rp.c keeps copies. */
static void
config_not_referenced(void **state)
{
	conf_rp("198.18.1.1", "239.0.0.0/8");
	apply();
	memset(grpbuf, 0xff, sizeof(grpbuf));
	memset(rpbuf, 0xff, sizeof(rpbuf));
	conf_clear();
	assert_rp("239.1.1.1", "198.18.1.1");
}

/* ---- local RPs and show --------------------------------------------------- */

static void
add_local(const char *a, int ifindex)
{
	assert_true(nlocal < MAX_LOCAL);
	local[nlocal].addr = ip(a);
	local[nlocal].ifindex = ifindex;
	local[nlocal].prefixlen = 24;
	nlocal++;
}

static void
is_local(void **state)
{
	add_local("10.0.0.1", 2);
	add_local("198.18.1.1", 1);
	add_local("10.0.1.1", 3);
	assert_true(rp_is_local(ip("198.18.1.1")));
	assert_true(rp_is_local(ip("10.0.1.1")));
	assert_false(rp_is_local(ip("198.18.1.2")));
	assert_false(rp_is_local(ip("10.0.0.0")));
	nlocal = 0;
	assert_false(rp_is_local(ip("198.18.1.1")));
}

struct shown {
	char		line[MAX_RPS][128];
	unsigned	n;
};

static void
show_one(struct in_addr rp, const struct cfg_prefix *groups, unsigned ngroups,
    bool loc, void *arg)
{
	struct shown *s = arg;
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
	size_t off;

	assert_true(s->n < MAX_RPS);
	off = (size_t)snprintf(s->line[s->n], sizeof(s->line[0]), "%s%s",
	    inet_ntop(AF_INET, &rp, a, sizeof(a)), loc ? " local" : "");
	for (unsigned i = 0; i < ngroups; i++)
		off += (size_t)snprintf(s->line[s->n] + off,
		    sizeof(s->line[0]) - off, " %s/%u",
		    inet_ntop(AF_INET, &groups[i].addr, g, sizeof(g)),
		    groups[i].len);
	s->n++;
}

static void
foreach_in_address_order(void **state)
{
	struct shown s = { .n = 0 };

	add_local("198.18.2.2", 4);
	conf_rp("198.18.3.3", "239.0.0.0/8");
	conf_rp("198.18.2.2", "239.0.0.0/8,225.0.0.0/8");
	conf_rp("10.9.9.9", "224.0.0.0/4");
	apply();
	rp_foreach(show_one, &s);
	assert_int_equal(s.n, 3);
	/* Every configured RP, the standby 198.18.2.2 for 239/8 included. */
	assert_string_equal(s.line[0], "10.9.9.9 224.0.0.0/4");
	assert_string_equal(s.line[1], "198.18.2.2 local 239.0.0.0/8 225.0.0.0/8");
	assert_string_equal(s.line[2], "198.18.3.3 239.0.0.0/8");
	assert_int_equal(addr_walks, 3);

	s.n = 0;
	conf_clear();
	apply();
	rp_foreach(show_one, &s);
	assert_int_equal(s.n, 0);
}

/* ---- §4.7.2 hash -------------------------------------------------------------- */

/*
 * Expected values computed independently with Python's unbounded integers,
 * straight from the RFC's formula:
 *
 *   def value(g, m, c):     # g, c: ints of the addresses; m: mask length
 *       mask = (0xffffffff << (32 - m)) & 0xffffffff if m else 0
 *       return (1103515245 * ((1103515245 * (g & mask) + 12345) ^ c)
 *               + 12345) % 2**31
 */
struct hash_vector {
	const char	*grp;
	uint8_t		masklen;
	const char	*rp;
	uint32_t	value;
};

static const struct hash_vector hash_vectors[] = {
	{ "239.1.2.3", 30, "198.18.1.1", 989333265 },
	{ "239.1.2.3", 30, "198.18.1.2", 4911704 },
	/* Same /30 as 239.1.2.3: the same value. */
	{ "239.1.2.0", 30, "198.18.1.1", 989333265 },
	/* The next /30: another value. */
	{ "239.1.2.4", 30, "198.18.1.1", 1826985653 },
	{ "224.0.1.1", 32, "10.0.0.1", 1289709652 },
	/* Mask length 0: every group hashes alike, only C matters. */
	{ "224.0.1.1", 0, "10.0.0.1", 1410713617 },
	{ "232.255.255.255", 4, "192.0.2.200", 1191268054 },
	{ "239.255.255.255", 32, "255.255.255.254", 2067416963 },
	{ "225.1.1.1", 30, "10.1.1.1", 1163772945 },
	{ "225.1.1.1", 30, "10.1.1.2", 179351384 },
	{ "225.1.1.1", 30, "10.1.1.3", 1223319787 },
};

static void
hash_vectors_match(void **state)
{
	for (size_t i = 0; i < sizeof(hash_vectors) / sizeof(hash_vectors[0]); i++) {
		const struct hash_vector *v = &hash_vectors[i];
		uint32_t got = rp_hash(ip(v->grp), v->masklen, ip(v->rp));

		if (got != v->value)
			fail_msg("Value(%s/%u, %s) = %u, expected %u", v->grp,
			    v->masklen, v->rp, got, v->value);
	}
}

static void
hash_properties(void **state)
{
	/* Always below 2^31, and the mask hides the bits below it. */
	for (uint32_t g = 0; g < 4096; g++) {
		struct in_addr grp = { .s_addr = htonl(0xef000000u + g * 977u) };
		struct in_addr masked = { .s_addr = grp.s_addr & htonl(0xfffffffcu) };

		assert_true(rp_hash(grp, 30, ip("198.18.1.1")) < 0x80000000u);
		assert_int_equal(rp_hash(grp, 30, ip("198.18.1.1")),
		    rp_hash(masked, 32, ip("198.18.1.1")));
	}
	/* A mask length beyond 32 is the whole address. */
	assert_int_equal(rp_hash(ip("239.1.2.3"), 40, ip("10.0.0.1")),
	    rp_hash(ip("239.1.2.3"), 32, ip("10.0.0.1")));
}

/* ---- the BSR's RP-set ---------------------------------------------------------- */

static void
bsr_set(const struct rp_bsr *set, unsigned n, uint8_t masklen)
{
	nlines = 0;
	nchanged = 0;
	rp_set_bsr(set, n, masklen);
}

/*
 * §4.7.1 among the BSR's RPs: the longest range, the lowest priority, the
 * highest hash (225.1.1.1/30's values: hash_vectors), the highest address.
 */
static void
bsr_rp_selection(void **state)
{
	struct rp_bsr set[] = {
		{ pfx("224.0.0.0/4"), ip("10.1.1.1"), 10 },
		{ pfx("224.0.0.0/4"), ip("10.1.1.2"), 10 },
		{ pfx("224.0.0.0/4"), ip("10.1.1.3"), 10 },
		{ pfx("239.0.0.0/8"), ip("10.2.2.2"), 200 },
		{ pfx("239.1.0.0/16"), ip("10.3.3.1"), 20 },
		{ pfx("239.1.0.0/16"), ip("10.3.3.2"), 5 },
	};

	apply();
	bsr_set(set, 6, 30);
	assert_int_equal(nchanged, 1);
	/* Equal priorities: 10.1.1.3 has 225.1.1.1/30's highest hash. */
	assert_rp("225.1.1.1", "10.1.1.3");
	/* The longer range wins over a better priority. */
	assert_rp("239.9.9.9", "10.2.2.2");
	/* Same range: the lower priority value. */
	assert_rp("239.1.2.3", "10.3.3.2");
	assert_rp("232.1.1.1", "0.0.0.0");		/* SSM: never an RP */

	/* The same set again changes nothing; one RP fewer does. */
	bsr_set(set, 6, 30);
	assert_int_equal(nchanged, 0);
	bsr_set(set, 5, 30);
	assert_int_equal(nchanged, 1);
	assert_rp("239.1.2.3", "10.3.3.1");
	bsr_set(NULL, 0, 30);
	assert_int_equal(nchanged, 1);
	assert_rp("239.1.2.3", "0.0.0.0");
}

/* A static range wins over the BSR's range of the same length, not a longer one. */
static void
bsr_and_static(void **state)
{
	struct rp_bsr set[] = {
		{ pfx("239.0.0.0/8"), ip("10.2.2.2"), 1 },
		{ pfx("239.1.0.0/16"), ip("10.3.3.3"), 1 },
	};

	conf_rp("198.18.0.1", "239.0.0.0/8");
	apply();
	bsr_set(set, 2, 30);
	assert_rp("239.9.9.9", "198.18.0.1");
	assert_rp("239.1.1.1", "10.3.3.3");
	assert_rp("224.1.1.1", "0.0.0.0");
}

/* rp-precedence bsr: a BSR range as long as a static one wins it. */
static void
bsr_precedence(void **state)
{
	struct rp_bsr set[] = { { pfx("239.0.0.0/8"), ip("10.2.2.2"), 1 } };

	conf_rp("198.18.0.1", "239.0.0.0/8");
	apply();
	bsr_set(set, 1, 30);
	assert_rp("239.9.9.9", "198.18.0.1");
	conf.rp_precedence = CFG_RP_BSR;
	apply();
	assert_int_equal(nchanged, 1);
	assert_rp("239.9.9.9", "10.2.2.2");
	/* A longer static range still wins. */
	conf_rp("198.18.0.2", "239.9.0.0/16");
	apply();
	assert_rp("239.9.9.9", "198.18.0.2");
	assert_rp("239.8.8.8", "10.2.2.2");
	conf.rp_precedence = CFG_RP_STATIC;
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(no_rp),
		T(before_any_config),
		T(one_rp_all_groups),
		T(longest_match_wins),
		T(equal_ranges_highest_address),
		T(several_rps_several_ranges),
		T(ssm_has_no_rp),
		T(ssm_range_from_config),
		T(reload_logs_each_range),
		T(standby_rp_changes_nothing),
		T(no_listener),
		T(config_not_referenced),
		T(is_local),
		T(foreach_in_address_order),
		T(hash_vectors_match),
		T(hash_properties),
		T(bsr_rp_selection),
		T(bsr_and_static),
		T(bsr_precedence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
