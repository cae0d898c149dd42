/* SPDX-License-Identifier: ISC */
/*
 * The static RP set (RFC 7761 §4.7).
 *
 * Two tables are built from the config: the configured RPs, each with a
 * copy of its group ranges, for show; and the range map, one row per
 * distinct group range with the RP that wins it, for RP(G) and for telling
 * what a reload changed.  Both are small (a handful of RPs), so they are
 * sorted arrays rebuilt whole on every config and scanned linearly.
 *
 * Static RPs carry no priority, so of §4.7.1's order (longest range,
 * priority, hash, address) the longest range decides, and between RPs of
 * one range the highest address, as the YANG model and pimd.conf(5) say.
 * The §4.7.2 hash is here for the BSR's RP set.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "netlink.h"
#include "rp.h"

/* A configured RP. */
struct rp_static {
	struct in_addr	addr;
	unsigned	ngroups;
	struct cfg_prefix *groups;
};

/* A group range and the RP serving it. */
struct rp_range {
	struct cfg_prefix grp;
	struct in_addr	rp;
};

static struct rp_static *rps;
static unsigned nrps;
static struct rp_range *ranges;
static unsigned nranges;
/* The SSM range, host order: RFC 4607's 232.0.0.0/8 until a config says. */
#define RP_SSM_DEFAULT	0xe8000000u
static uint32_t ssm_addr = RP_SSM_DEFAULT;
static uint8_t ssm_len = 8;
static void (*listener)(void);
/* The BSR's RP-set, sorted (rp_bsr_cmp), and its hash mask length. */
static struct rp_bsr *bsr_set;
static unsigned nbsr;
static uint8_t bsr_hash_masklen;
static bool bsr_first;		/* rp-precedence bsr */

#define PREFIX_STRLEN	(INET_ADDRSTRLEN + 4)	/* "/255": what %u of a uint8_t may print */

/* ---- addresses and prefixes ------------------------------------------- */

static uint32_t
host(struct in_addr a)
{
	return ntohl(a.s_addr);
}

static uint32_t
prefix_mask(uint8_t len)
{
	/* A shift by 32 is undefined; a /0 mask is no bits at all. */
	return len == 0 ? 0 : len >= 32 ? 0xffffffffu : 0xffffffffu << (32 - len);
}

static bool
prefix_match(const struct cfg_prefix *p, struct in_addr a)
{
	uint32_t m = prefix_mask(p->len);

	return (host(a) & m) == (host(p->addr) & m);
}

static const char *
prefix_str(const struct cfg_prefix *p, char *buf)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->addr, a, sizeof(a));
	snprintf(buf, PREFIX_STRLEN, "%s/%u", a, p->len);
	return buf;
}

static struct cfg_prefix
ssm_range(void)
{
	return (struct cfg_prefix){ .addr.s_addr = htonl(ssm_addr), .len = ssm_len };
}

static void *
rp_calloc(size_t n, size_t size)
{
	void *p;

	if (n == 0)
		return NULL;
	if ((p = calloc(n, size)) == NULL)
		fatal("rp: out of memory");
	return p;
}

/* ---- building the tables ------------------------------------------------ */

static int
static_cmp(const void *x, const void *y)
{
	uint32_t a = host(((const struct rp_static *)x)->addr);
	uint32_t b = host(((const struct rp_static *)y)->addr);

	return a < b ? -1 : a > b;
}

static void
statics_build(const struct config *conf, struct rp_static **out, unsigned *n)
{
	const struct cfg_rp *r;
	struct rp_static *s;

	*n = 0;
	TAILQ_FOREACH(r, &conf->rps, entry)
		(*n)++;
	*out = rp_calloc(*n, sizeof(**out));
	s = *out;
	TAILQ_FOREACH(r, &conf->rps, entry) {
		s->addr = r->addr;
		s->ngroups = r->ngroups;
		s->groups = rp_calloc(r->ngroups, sizeof(*s->groups));
		if (r->ngroups > 0)
			memcpy(s->groups, r->groups, r->ngroups * sizeof(*s->groups));
		s++;
	}
	if (*n > 0)
		qsort(*out, *n, sizeof(**out), static_cmp);
}

static void
statics_free(struct rp_static *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(s[i].groups);
	free(s);
}

/* Group ranges by address, then length. */
static int
prefix_cmp(const struct cfg_prefix *a, const struct cfg_prefix *b)
{
	if (host(a->addr) != host(b->addr))
		return host(a->addr) < host(b->addr) ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* By range; within one range the highest RP first. */
static int
range_cmp(const void *x, const void *y)
{
	const struct rp_range *a = x, *b = y;
	int c = prefix_cmp(&a->grp, &b->grp);

	if (c != 0 || a->rp.s_addr == b->rp.s_addr)
		return c;
	return host(a->rp) > host(b->rp) ? -1 : 1;
}

/*
 * Every (range, RP) pair, sorted, then only the first of each range kept:
 * among RPs configured for the same range the highest address wins, so the
 * others never serve a group and need no row.
 */
static void
ranges_build(const struct rp_static *s, unsigned ns, struct rp_range **out,
    unsigned *n)
{
	struct rp_range *r;
	unsigned total = 0, kept = 0;

	for (unsigned i = 0; i < ns; i++)
		total += s[i].ngroups;
	r = rp_calloc(total, sizeof(*r));
	total = 0;
	for (unsigned i = 0; i < ns; i++)
		for (unsigned j = 0; j < s[i].ngroups; j++) {
			r[total].grp = s[i].groups[j];
			r[total].rp = s[i].addr;
			total++;
		}
	if (total > 0)
		qsort(r, total, sizeof(*r), range_cmp);
	for (unsigned i = 0; i < total; i++)
		if (kept == 0 || prefix_cmp(&r[kept - 1].grp, &r[i].grp) != 0)
			r[kept++] = r[i];
	*out = r;
	*n = kept;
}

/* ---- what a new config changes ------------------------------------------ */

static void
log_range(const struct rp_range *old, const struct rp_range *new)
{
	char p[PREFIX_STRLEN], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	if (old == NULL)
		log_info("rp: %s -> %s", prefix_str(&new->grp, p),
		    inet_ntop(AF_INET, &new->rp, b, sizeof(b)));
	else if (new == NULL)
		log_info("rp: %s removed (was %s)", prefix_str(&old->grp, p),
		    inet_ntop(AF_INET, &old->rp, a, sizeof(a)));
	else
		log_info("rp: %s -> %s (was %s)", prefix_str(&new->grp, p),
		    inet_ntop(AF_INET, &new->rp, b, sizeof(b)),
		    inet_ntop(AF_INET, &old->rp, a, sizeof(a)));
}

/* Walk both sorted range maps side by side; log and count the differences. */
static unsigned
ranges_diff(const struct rp_range *o, unsigned no, const struct rp_range *n,
    unsigned nn)
{
	unsigned i = 0, j = 0, changes = 0;

	while (i < no || j < nn) {
		int c = i == no ? 1 : j == nn ? -1 : prefix_cmp(&o[i].grp, &n[j].grp);

		if (c < 0) {
			log_range(&o[i++], NULL);
			changes++;
		} else if (c > 0) {
			log_range(NULL, &n[j++]);
			changes++;
		} else {
			if (o[i].rp.s_addr != n[j].rp.s_addr) {
				log_range(&o[i], &n[j]);
				changes++;
			}
			i++;
			j++;
		}
	}
	return changes;
}

static unsigned
ssm_diff(const struct cfg_prefix *new)
{
	struct cfg_prefix old = ssm_range();
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];

	if (prefix_cmp(&old, new) == 0)
		return 0;
	log_info("rp: ssm-range -> %s (was %s)", prefix_str(new, b),
	    prefix_str(&old, a));
	return 1;
}

void
rp_apply_config(const struct config *conf)
{
	struct rp_static *s;
	struct rp_range *r;
	unsigned ns, nr, changes;

	statics_build(conf, &s, &ns);
	ranges_build(s, ns, &r, &nr);
	changes = ranges_diff(ranges, nranges, r, nr) + ssm_diff(&conf->ssm_range);
	if (bsr_first != (conf->rp_precedence == CFG_RP_BSR)) {
		bsr_first = !bsr_first;
		log_info("rp: %s ranges win over %s ones of the same length",
		    bsr_first ? "BSR" : "static", bsr_first ? "static" : "BSR");
		changes++;
	}

	statics_free(rps, nrps);
	free(ranges);
	rps = s;
	nrps = ns;
	ranges = r;
	nranges = nr;
	ssm_addr = host(conf->ssm_range.addr);
	ssm_len = conf->ssm_range.len;
	if (changes > 0 && listener != NULL)
		listener();
}

static int
bsr_cmp(const void *x, const void *y)
{
	const struct rp_bsr *a = x, *b = y;
	int c = prefix_cmp(&a->grp, &b->grp);

	if (c != 0)
		return c;
	if (a->rp.s_addr != b->rp.s_addr)
		return host(a->rp) < host(b->rp) ? -1 : 1;
	return a->priority < b->priority ? -1 : a->priority > b->priority;
}

/* Field by field: the structs have padding. */
static bool
bsr_same(const struct rp_bsr *a, const struct rp_bsr *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (bsr_cmp(&a[i], &b[i]) != 0)
			return false;
	return true;
}

void
rp_set_bsr(const struct rp_bsr *set, unsigned n, uint8_t hash_masklen)
{
	struct rp_bsr *s = rp_calloc(n, sizeof(*s));

	for (unsigned i = 0; i < n; i++) {
		s[i].grp = set[i].grp;
		s[i].rp = set[i].rp;
		s[i].priority = set[i].priority;
	}
	if (n > 0)
		qsort(s, n, sizeof(*s), bsr_cmp);
	if (n == nbsr && hash_masklen == bsr_hash_masklen && bsr_same(s, bsr_set, n)) {
		free(s);
		return;
	}
	log_info("rp: the BSR's RP-set has %u RPs now (had %u)", n, nbsr);
	free(bsr_set);
	bsr_set = s;
	nbsr = n;
	bsr_hash_masklen = hash_masklen;
	if (listener != NULL)
		listener();
}

void
rp_fini(void)
{
	statics_free(rps, nrps);
	free(ranges);
	free(bsr_set);
	bsr_set = NULL;
	nbsr = 0;
	bsr_hash_masklen = 0;
	rps = NULL;
	ranges = NULL;
	nrps = nranges = 0;
	ssm_addr = RP_SSM_DEFAULT;
	ssm_len = 8;
	bsr_first = false;
	listener = NULL;
}

void
rp_set_listener(void (*fn)(void))
{
	listener = fn;
}

/* ---- queries -------------------------------------------------------------- */

bool
rp_in_ssm(struct in_addr grp)
{
	struct cfg_prefix p = ssm_range();

	return prefix_match(&p, grp);
}

/* §4.7.1 among the BSR's RPs whose range matches grp: is a better than b? */
static bool
bsr_better(const struct rp_bsr *a, const struct rp_bsr *b, struct in_addr grp)
{
	uint32_t ha, hb;

	if (a->grp.len != b->grp.len)
		return a->grp.len > b->grp.len;
	if (a->priority != b->priority)
		return a->priority < b->priority;
	ha = rp_hash(grp, bsr_hash_masklen, a->rp);
	hb = rp_hash(grp, bsr_hash_masklen, b->rp);
	if (ha != hb)
		return ha > hb;
	return host(a->rp) > host(b->rp);
}

/*
 * §4.7.1: the longest matching range; ranges_build() already chose the
 * highest address among static RPs of one range, bsr_better() orders the
 * BSR's.  Between a static range and a BSR range as long, rp-precedence
 * decides: static unless configured otherwise.
 */
void
rp_explain(struct in_addr grp, struct rp_choice *c)
{
	const struct rp_range *best = NULL;
	const struct rp_bsr *bbest = NULL;

	memset(c, 0, sizeof(*c));
	if (rp_in_ssm(grp)) {
		c->origin = RP_ORIGIN_SSM;
		c->range = ssm_range();
		return;
	}
	for (unsigned i = 0; i < nranges; i++)
		if (prefix_match(&ranges[i].grp, grp) &&
		    (best == NULL || ranges[i].grp.len > best->grp.len))
			best = &ranges[i];
	for (unsigned i = 0; i < nbsr; i++)
		if (prefix_match(&bsr_set[i].grp, grp) &&
		    (bbest == NULL || bsr_better(&bsr_set[i], bbest, grp)))
			bbest = &bsr_set[i];
	if (bbest != NULL && (best == NULL || bbest->grp.len > best->grp.len ||
	    (bsr_first && bbest->grp.len == best->grp.len))) {
		c->origin = RP_ORIGIN_BSR;
		c->rp = bbest->rp;
		c->range = bbest->grp;
		c->priority = bbest->priority;
		c->hash_masklen = bsr_hash_masklen;
		c->hash = rp_hash(grp, bsr_hash_masklen, bbest->rp);
	} else if (best != NULL) {
		c->origin = RP_ORIGIN_STATIC;
		c->rp = best->rp;
		c->range = best->grp;
	}
}

bool
rp_bsr_lists(struct in_addr grp, struct in_addr rp)
{
	for (unsigned i = 0; i < nbsr; i++)
		if (bsr_set[i].rp.s_addr == rp.s_addr && prefix_match(&bsr_set[i].grp, grp))
			return true;
	return false;
}

struct in_addr
rp_for_group(struct in_addr grp)
{
	struct rp_choice c;

	rp_explain(grp, &c);
	return c.rp;
}

const char *
rp_origin_name(enum rp_origin o)
{
	static const char *const names[] = {
		[RP_ORIGIN_NONE] = "none",
		[RP_ORIGIN_SSM] = "ssm",
		[RP_ORIGIN_STATIC] = "static",
		[RP_ORIGIN_BSR] = "bsr",
	};

	return o <= RP_ORIGIN_BSR ? names[o] : "?";
}

/*
 * §4.7.2.  The value is taken mod 2^31 at the end; since 2^31 divides 2^32,
 * doing every step in 32-bit unsigned arithmetic (mod 2^32) and keeping the
 * low 31 bits gives exactly the result of the unbounded formula.
 */
uint32_t
rp_hash(struct in_addr grp, uint8_t masklen, struct in_addr rp)
{
	uint32_t g = host(grp) & prefix_mask(masklen);
	uint32_t v = 1103515245u * g + 12345u;

	v = 1103515245u * (v ^ host(rp)) + 12345u;
	return v & 0x7fffffffu;
}

struct local_find {
	struct in_addr	addr;
	bool		found;
};

static void
local_addr(const struct netlink_addr *a, void *arg)
{
	struct local_find *lf = arg;

	if (a->addr.s_addr == lf->addr.s_addr)
		lf->found = true;
}

bool
rp_is_local(struct in_addr rp)
{
	struct local_find lf = { .addr = rp };

	netlink_addr_foreach(0, local_addr, &lf);
	return lf.found;
}

void
rp_foreach(void (*fn)(struct in_addr, const struct cfg_prefix *, unsigned,
    bool, void *), void *arg)
{
	for (unsigned i = 0; i < nrps; i++)
		fn(rps[i].addr, rps[i].groups, rps[i].ngroups,
		    rp_is_local(rps[i].addr), arg);
}
