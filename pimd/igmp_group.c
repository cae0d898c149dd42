/* SPDX-License-Identifier: ISC */
/*
 * IGMPv3 router-side group and source state, RFC 3376 §6.
 *
 * A group is INCLUDE(A) or EXCLUDE(X,Y).  Sources are kept in one tree per
 * group; in EXCLUDE mode a source whose timer runs is in X (requested) and
 * one whose timer is stopped is in Y (excluded).  A group that does not
 * exist is INCLUDE({}), so a record for a new group creates it and applies
 * the INCLUDE row, and a group left INCLUDE({}) is deleted.
 *
 * The action tables of §6.4.1 and §6.4.2 are the table `rows` below, one
 * function per row, named for the row.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "igmp_group.h"
#include "log.h"

static int
group_cmp(const struct igmp_group *a, const struct igmp_group *b)
{
	uint32_t x = ntohl(a->addr.s_addr), y = ntohl(b->addr.s_addr);

	return x < y ? -1 : x > y;
}

static int
source_cmp(const struct igmp_source *a, const struct igmp_source *b)
{
	uint32_t x = ntohl(a->addr.s_addr), y = ntohl(b->addr.s_addr);

	return x < y ? -1 : x > y;
}

RB_GENERATE(igmp_group_tree, igmp_group, entry, group_cmp)
RB_GENERATE(igmp_source_tree, igmp_source, entry, source_cmp)

uint32_t
igmp_gmi_ms(const struct igmp_params *p)
{
	return p->robustness * p->qi_s * 1000 + p->qri_ds * 100;
}

uint32_t
igmp_lmqt_ms(const struct igmp_params *p)
{
	return p->lmqi_ds * 100 * p->lmqc;
}

/* A record's sources as a sorted set without duplicates. */
struct srcset {
	struct in_addr	*a;
	unsigned	n;
};

static int
addr_cmp(const void *x, const void *y)
{
	uint32_t a = ntohl(((const struct in_addr *)x)->s_addr);
	uint32_t b = ntohl(((const struct in_addr *)y)->s_addr);

	return a < b ? -1 : a > b;
}

static void
srcset_make(struct srcset *set, const struct in_addr *srcs, unsigned n)
{
	unsigned out = 0;

	set->a = NULL;
	set->n = 0;
	if (n == 0)
		return;
	if ((set->a = malloc(n * sizeof(*set->a))) == NULL)
		fatal("igmp: source set");
	memcpy(set->a, srcs, n * sizeof(*set->a));
	qsort(set->a, n, sizeof(*set->a), addr_cmp);
	for (unsigned i = 0; i < n; i++)
		if (out == 0 || set->a[out - 1].s_addr != set->a[i].s_addr)
			set->a[out++] = set->a[i];
	set->n = out;
}

static bool
srcset_has(const struct srcset *set, struct in_addr a)
{
	return set->n > 0 &&
	    bsearch(&a, set->a, set->n, sizeof(a), addr_cmp) != NULL;
}

struct igmp_group *
igmp_group_find(struct igmp_groups *gs, struct in_addr grp)
{
	struct igmp_group key = { .addr = grp };

	return RB_FIND(igmp_group_tree, &gs->groups, &key);
}

struct igmp_source *
igmp_source_find(struct igmp_group *g, struct in_addr src)
{
	struct igmp_source key = { .addr = src };

	return RB_FIND(igmp_source_tree, &g->sources, &key);
}

/* ---- sources ---------------------------------------------------------- */

static void source_expired(void *);

static bool
src_running(const struct igmp_source *s)
{
	return timer_pending(&s->timer);
}

/* Start (ms > 0) or stop (ms == 0, "timer = 0") a source timer. */
static void
src_set_timer(struct igmp_source *s, uint32_t ms)
{
	if ((ms > 0) != src_running(s))
		s->grp->changed = true;
	if (ms > 0)
		timer_start(&s->timer, ms);
	else
		timer_stop(&s->timer);
}

static struct igmp_source *
src_get(struct igmp_group *g, struct in_addr addr)
{
	struct igmp_source *s;

	if ((s = igmp_source_find(g, addr)) != NULL)
		return s;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("igmp: source");
	s->addr = addr;
	s->grp = g;
	s->created = clock_ms();
	timer_init(&s->timer, source_expired, s);
	RB_INSERT(igmp_source_tree, &g->sources, s);
	g->nsrc++;
	g->changed = true;
	return s;
}

static void
src_del(struct igmp_source *s)
{
	struct igmp_group *g = s->grp;

	timer_free(&s->timer);
	RB_REMOVE(igmp_source_tree, &g->sources, s);
	g->nsrc--;
	g->changed = true;
	free(s);
}

/* ---- groups ----------------------------------------------------------- */

static void group_expired(void *);
static void group_rxmt(void *);

static struct igmp_group *
group_new(struct igmp_groups *gs, struct in_addr addr)
{
	struct igmp_group *g;

	if (gs->p->max_groups != 0 && gs->ngroups >= gs->p->max_groups) {
		gs->limit_drops++;
		return NULL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL)
		fatal("igmp: group");
	g->set = gs;
	g->addr = addr;
	g->mode = IGMP_FILTER_INCLUDE;
	g->created = clock_ms();
	RB_INIT(&g->sources);
	timer_init(&g->timer, group_expired, g);
	timer_init(&g->rxmt, group_rxmt, g);
	RB_INSERT(igmp_group_tree, &gs->groups, g);
	gs->ngroups++;
	return g;
}

static void
group_free(struct igmp_group *g)
{
	struct igmp_source *s;

	while ((s = RB_MIN(igmp_source_tree, &g->sources)) != NULL)
		src_del(s);
	timer_free(&g->timer);
	timer_free(&g->rxmt);
	RB_REMOVE(igmp_group_tree, &g->set->groups, g);
	g->set->ngroups--;
	free(g);
}

/* Delete a group that is INCLUDE({}); otherwise report a change if there was one. */
static void
group_settle(struct igmp_group *g)
{
	void *owner = g->set->owner;

	if (g->mode == IGMP_FILTER_INCLUDE && g->nsrc == 0) {
		igmp_group_changed(owner, g, true);
		group_free(g);
		return;
	}
	if (g->changed)
		igmp_group_changed(owner, g, false);
	g->changed = false;
}

static void
group_set_mode(struct igmp_group *g, enum igmp_filter mode)
{
	if (g->mode != mode)
		g->changed = true;
	g->mode = mode;
	if (mode == IGMP_FILTER_INCLUDE)
		timer_stop(&g->timer);
}

uint32_t
igmp_group_host_left(const struct igmp_group *g, uint8_t version)
{
	uint64_t end = version == 1 ? g->v1_host_end : g->v2_host_end, now = clock_ms();

	return end > now ? (uint32_t)(end - now) : 0;
}

uint8_t
igmp_group_compat(const struct igmp_group *g)
{
	if (igmp_group_host_left(g, 1) > 0)
		return 1;
	if (igmp_group_host_left(g, 2) > 0 || g->set->p->version == 2)
		return 2;
	return 3;
}

bool
igmp_group_forwards(const struct igmp_group *g, struct in_addr src)
{
	const struct igmp_source *s;
	struct igmp_source key = { .addr = src };

	s = RB_FIND(igmp_source_tree, &((struct igmp_group *)g)->sources, &key);
	if (g->mode == IGMP_FILTER_INCLUDE)
		return s != NULL && src_running(s);
	return s == NULL || src_running(s);
}

/* ---- queries (§6.6.3) -------------------------------------------------- */

/* Send what is due now: Q(G) and the two halves of Q(G,S) (§6.6.3.2). */
static void
send_due(struct igmp_group *g)
{
	const struct igmp_params *p = g->set->p;
	uint32_t lmqt = igmp_lmqt_ms(p);
	struct in_addr *hi, *lo;
	struct igmp_source *s;
	unsigned nhi = 0, nlo = 0;
	bool more;

	if (g->g_rxmt > 0) {
		g->g_rxmt--;
		igmp_send_query(g->set->owner, g->addr, NULL, 0,
		    timer_remaining(&g->timer) > lmqt);
	}
	if ((hi = calloc(g->nsrc + 1, sizeof(*hi))) == NULL ||
	    (lo = calloc(g->nsrc + 1, sizeof(*lo))) == NULL)
		fatal("igmp: query");
	RB_FOREACH(s, igmp_source_tree, &g->sources) {
		if (s->rxmt == 0)
			continue;
		s->rxmt--;
		if (timer_remaining(&s->timer) > lmqt)
			hi[nhi++] = s->addr;
		else
			lo[nlo++] = s->addr;
	}
	if (nhi > 0)
		igmp_send_query(g->set->owner, g->addr, hi, nhi, true);
	if (nlo > 0)
		igmp_send_query(g->set->owner, g->addr, lo, nlo, false);
	free(hi);
	free(lo);
	more = g->g_rxmt > 0;
	RB_FOREACH(s, igmp_source_tree, &g->sources)
		more |= s->rxmt > 0;
	if (more)
		timer_start(&g->rxmt, p->lmqi_ds * 100);
}

static void
group_rxmt(void *arg)
{
	send_due(arg);
}

/* Send what is due now and schedule the retransmissions after it. */
static void
send_now(struct igmp_group *g)
{
	timer_stop(&g->rxmt);
	send_due(g);
}

/*
 * Q(G): lower the group timer to LMQT and set LMQC transmissions
 * (§6.6.3.1).  True when a query is to go out now: the caller sends it with
 * send_now(), once for everything a table row asks for.
 */
static bool
mark_q_g(struct igmp_group *g)
{
	const struct igmp_params *p = g->set->p;

	if (!g->set->querier)
		return false;
	if (timer_remaining(&g->timer) > igmp_lmqt_ms(p))
		timer_start(&g->timer, igmp_lmqt_ms(p));
	/* A host repeats its report; the queries already under way answer it. */
	if (g->g_rxmt > 0)
		return false;
	g->g_rxmt = p->lmqc;
	return true;
}

/* Q(G,S) (§6.6.3.2): as mark_q_g(), for the sources of set. */
static bool
mark_q_gs(struct igmp_group *g, const struct srcset *set)
{
	const struct igmp_params *p = g->set->p;
	uint32_t lmqt = igmp_lmqt_ms(p);
	struct igmp_source *s;
	bool any = false;

	if (!g->set->querier)
		return false;
	for (unsigned i = 0; i < set->n; i++) {
		if ((s = igmp_source_find(g, set->a[i])) == NULL ||
		    timer_remaining(&s->timer) <= lmqt)
			continue;
		s->rxmt = p->lmqc;
		timer_start(&s->timer, lmqt);
		any = true;
	}
	return any;
}

static void
send_q_gs(struct igmp_group *g, const struct srcset *set)
{
	if (mark_q_gs(g, set))
		send_now(g);
}

/* ---- the action tables (§6.4.1, §6.4.2) --------------------------------- */

/* (B) = GMI: every source of the record is (re)started at GMI. */
static void
sources_gmi(struct igmp_group *g, const struct srcset *b)
{
	uint32_t gmi = igmp_gmi_ms(g->set->p);

	for (unsigned i = 0; i < b->n; i++)
		src_set_timer(src_get(g, b->a[i]), gmi);
}

/* Delete every source not in the record: Delete (A-B), (X-A), (Y-A). */
static void
sources_keep_only(struct igmp_group *g, const struct srcset *b)
{
	struct igmp_source *s, *next;

	for (s = RB_MIN(igmp_source_tree, &g->sources); s != NULL; s = next) {
		next = RB_NEXT(igmp_source_tree, &g->sources, s);
		if (!srcset_has(b, s->addr))
			src_del(s);
	}
}

/* The existing sources, optionally only those with running timers, as a set. */
static void
sources_of(struct igmp_group *g, struct srcset *out, bool running_only,
    const struct srcset *in, bool in_set)
{
	struct igmp_source *s;
	unsigned n = 0;

	if ((out->a = calloc(g->nsrc + 1, sizeof(*out->a))) == NULL)
		fatal("igmp: source set");
	RB_FOREACH(s, igmp_source_tree, &g->sources)
		if ((!running_only || src_running(s)) &&
		    srcset_has(in, s->addr) == in_set)
			out->a[n++] = s->addr;
	out->n = n;
}

/* INCLUDE (A), IS_IN (B) or ALLOW (B) -> INCLUDE (A+B); (B)=GMI */
static void
inc_allow(struct igmp_group *g, const struct srcset *b)
{
	sources_gmi(g, b);
}

/* INCLUDE (A), IS_EX (B) -> EXCLUDE (A*B, B-A); (B-A)=0, Delete (A-B), GT=GMI */
static void
inc_is_ex(struct igmp_group *g, const struct srcset *b)
{
	sources_keep_only(g, b);
	for (unsigned i = 0; i < b->n; i++)
		src_get(g, b->a[i]);	/* new ones start stopped: in Y */
	group_set_mode(g, IGMP_FILTER_EXCLUDE);
	timer_start(&g->timer, igmp_gmi_ms(g->set->p));
}

/* INCLUDE (A), BLOCK (B) -> INCLUDE (A); Send Q(G,A*B) */
static void
inc_block(struct igmp_group *g, const struct srcset *b)
{
	send_q_gs(g, b);
}

/* INCLUDE (A), TO_EX (B) -> EXCLUDE (A*B, B-A); (B-A)=0, Delete (A-B), Send Q(G,A*B), GT=GMI */
static void
inc_to_ex(struct igmp_group *g, const struct srcset *b)
{
	inc_is_ex(g, b);
	send_q_gs(g, b);	/* only A*B have running timers to lower */
}

/* INCLUDE (A), TO_IN (B) -> INCLUDE (A+B); (B)=GMI, Send Q(G,A-B) */
static void
inc_to_in(struct igmp_group *g, const struct srcset *b)
{
	struct srcset a_minus_b;

	sources_of(g, &a_minus_b, false, b, false);
	sources_gmi(g, b);
	send_q_gs(g, &a_minus_b);
	free(a_minus_b.a);
}

/* EXCLUDE (X,Y), IS_IN (A) or ALLOW (A) -> EXCLUDE (X+A, Y-A); (A)=GMI */
static void
exc_allow(struct igmp_group *g, const struct srcset *a)
{
	sources_gmi(g, a);
}

/* Sources of the record the group does not have yet start at ms: (A-X-Y)=ms. */
static void
sources_new_at(struct igmp_group *g, const struct srcset *a, uint32_t ms)
{
	for (unsigned i = 0; i < a->n; i++)
		if (igmp_source_find(g, a->a[i]) == NULL)
			src_set_timer(src_get(g, a->a[i]), ms);
}

/* EXCLUDE (X,Y), IS_EX (A) -> EXCLUDE (A-Y, Y*A); (A-X-Y)=GMI, Delete (X-A), Delete (Y-A), GT=GMI */
static void
exc_is_ex(struct igmp_group *g, const struct srcset *a)
{
	uint32_t gmi = igmp_gmi_ms(g->set->p);

	sources_keep_only(g, a);
	sources_new_at(g, a, gmi);
	timer_start(&g->timer, gmi);
}

/* EXCLUDE (X,Y), BLOCK (A) -> EXCLUDE (X+(A-Y), Y); (A-X-Y)=Group Timer, Send Q(G,A-Y) */
static void
exc_block(struct igmp_group *g, const struct srcset *a)
{
	struct srcset a_minus_y;

	sources_new_at(g, a, timer_remaining(&g->timer));
	sources_of(g, &a_minus_y, true, a, true);
	send_q_gs(g, &a_minus_y);
	free(a_minus_y.a);
}

/*
 * EXCLUDE (X,Y), TO_EX (A) -> EXCLUDE (A-Y, Y*A); (A-X-Y)=Group Timer,
 * Delete (X-A), Delete (Y-A), Send Q(G,A-Y), GT=GMI
 */
static void
exc_to_ex(struct igmp_group *g, const struct srcset *a)
{
	struct srcset a_minus_y;

	sources_keep_only(g, a);
	sources_new_at(g, a, timer_remaining(&g->timer));
	sources_of(g, &a_minus_y, true, a, true);
	send_q_gs(g, &a_minus_y);
	free(a_minus_y.a);
	timer_start(&g->timer, igmp_gmi_ms(g->set->p));
}

/* EXCLUDE (X,Y), TO_IN (A) -> EXCLUDE (X+A, Y-A); (A)=GMI, Send Q(G,X-A), Send Q(G) */
static void
exc_to_in(struct igmp_group *g, const struct srcset *a)
{
	struct srcset x_minus_a;
	bool q_gs, q_g;

	sources_of(g, &x_minus_a, true, a, false);
	sources_gmi(g, a);
	/* One send for both: each query once now, then LMQI apart. */
	q_gs = mark_q_gs(g, &x_minus_a);
	q_g = mark_q_g(g);
	if (q_gs || q_g)
		send_now(g);
	free(x_minus_a.a);
}

typedef void (*row_fn)(struct igmp_group *, const struct srcset *);

/* rows[filter mode][record type]: RFC 3376 §6.4.1 and §6.4.2. */
static const row_fn rows[2][IGMP_BLOCK_OLD_SOURCES + 1] = {
	[IGMP_FILTER_INCLUDE] = {
		[IGMP_MODE_IS_INCLUDE] = inc_allow,
		[IGMP_MODE_IS_EXCLUDE] = inc_is_ex,
		[IGMP_CHANGE_TO_INCLUDE] = inc_to_in,
		[IGMP_CHANGE_TO_EXCLUDE] = inc_to_ex,
		[IGMP_ALLOW_NEW_SOURCES] = inc_allow,
		[IGMP_BLOCK_OLD_SOURCES] = inc_block,
	},
	[IGMP_FILTER_EXCLUDE] = {
		[IGMP_MODE_IS_INCLUDE] = exc_allow,
		[IGMP_MODE_IS_EXCLUDE] = exc_is_ex,
		[IGMP_CHANGE_TO_INCLUDE] = exc_to_in,
		[IGMP_CHANGE_TO_EXCLUDE] = exc_to_ex,
		[IGMP_ALLOW_NEW_SOURCES] = exc_allow,
		[IGMP_BLOCK_OLD_SOURCES] = exc_block,
	},
};

/* Older hosts present (§7.3.2): their reports start a compatibility timer. */
static void
note_host_version(struct igmp_group *g, uint8_t version)
{
	uint32_t ohpi = igmp_gmi_ms(g->set->p);	/* RV * QI + QRI */

	if (version == 1)
		g->v1_host_end = clock_ms() + ohpi;
	else if (version == 2)
		g->v2_host_end = clock_ms() + ohpi;
}

void
igmp_group_record(struct igmp_groups *gs, struct in_addr grp,
    enum igmp_rec_type type, const struct in_addr *srcs, unsigned nsrc,
    struct in_addr reporter, uint8_t version)
{
	struct igmp_group *g;
	struct srcset set;

	if (type < IGMP_MODE_IS_INCLUDE || type > IGMP_BLOCK_OLD_SOURCES)
		return;
	if ((g = igmp_group_find(gs, grp)) == NULL) {
		/* A record that cannot create state does not need a group. */
		if ((type == IGMP_MODE_IS_INCLUDE || type == IGMP_ALLOW_NEW_SOURCES ||
		    type == IGMP_CHANGE_TO_INCLUDE) && nsrc == 0)
			return;
		if (type == IGMP_BLOCK_OLD_SOURCES)
			return;
		if ((g = group_new(gs, grp)) == NULL)
			return;
	}
	note_host_version(g, version);
	/*
	 * §7.3.2: with older hosts about, BLOCK is ignored and TO_EX has no
	 * sources; with IGMPv1 hosts, TO_IN (and so a v2 leave) is ignored too.
	 */
	if (igmp_group_compat(g) < 3) {
		if (type == IGMP_BLOCK_OLD_SOURCES ||
		    (type == IGMP_CHANGE_TO_INCLUDE && igmp_group_compat(g) == 1)) {
			group_settle(g);
			return;
		}
		if (type == IGMP_CHANGE_TO_EXCLUDE)
			nsrc = 0;
	}
	g->last_reporter = reporter;
	srcset_make(&set, srcs, nsrc);
	rows[g->mode][type](g, &set);
	free(set.a);
	group_settle(g);
}

void
igmp_group_query(struct igmp_groups *gs, struct in_addr grp,
    const struct in_addr *srcs, unsigned nsrc)
{
	uint32_t lmqt = igmp_lmqt_ms(gs->p);
	struct igmp_group *g;
	struct igmp_source *s;

	if ((g = igmp_group_find(gs, grp)) == NULL)
		return;
	if (nsrc == 0) {
		if (timer_remaining(&g->timer) > lmqt)
			timer_start(&g->timer, lmqt);
		return;
	}
	for (unsigned i = 0; i < nsrc; i++)
		if ((s = igmp_source_find(g, srcs[i])) != NULL &&
		    timer_remaining(&s->timer) > lmqt)
			timer_start(&s->timer, lmqt);
}

/* ---- timers ----------------------------------------------------------- */

/* §6.5: a group timer expiring in EXCLUDE mode drops Y and falls back to INCLUDE (X). */
static void
group_expired(void *arg)
{
	struct igmp_group *g = arg;
	struct igmp_source *s, *next;

	if (g->mode != IGMP_FILTER_EXCLUDE)
		return;
	for (s = RB_MIN(igmp_source_tree, &g->sources); s != NULL; s = next) {
		next = RB_NEXT(igmp_source_tree, &g->sources, s);
		if (!src_running(s))
			src_del(s);
	}
	group_set_mode(g, IGMP_FILTER_INCLUDE);
	group_settle(g);
}

/* INCLUDE: the source goes.  EXCLUDE: it stays, excluded, in Y (§6.3). */
static void
source_expired(void *arg)
{
	struct igmp_source *s = arg;
	struct igmp_group *g = s->grp;

	g->changed = true;
	if (g->mode == IGMP_FILTER_INCLUDE)
		src_del(s);
	group_settle(g);
}

void
igmp_groups_init(struct igmp_groups *gs, const struct igmp_params *p, void *owner)
{
	memset(gs, 0, sizeof(*gs));
	gs->p = p;
	gs->owner = owner;
	RB_INIT(&gs->groups);
}

void
igmp_groups_flush(struct igmp_groups *gs)
{
	struct igmp_group *g;

	while ((g = RB_MIN(igmp_group_tree, &gs->groups)) != NULL) {
		igmp_group_changed(gs->owner, g, true);
		group_free(g);
	}
}
