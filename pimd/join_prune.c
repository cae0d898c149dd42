/* SPDX-License-Identifier: ISC */
/*
 * Join/Prune, RFC 7761 §4.5 and §4.9.5.
 *
 * jp_recv checks the message (pim_jp_decode has checked every group and
 * source already) and that it comes from a neighbour, then hands each
 * entry to sg.c, (S,G,rpt) ones to rpt.c: as a received Join or Prune when
 * the upstream neighbour field names us, as one seen on the LAN otherwise
 * (for join suppression and prune override).  After each group's record
 * comes its end of message for the (S,G,rpt) machine (§4.5.3).
 *
 * Sending queues entries for one pass of the event loop (JP_BATCH_MS
 * after the last flush, when that was recent) and packs them per upstream
 * neighbour; a group's entries stay in one message, since a Join(*,G)
 * without the Prune(S,G,rpt)s beside it would end those prunes.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "config.h"
#include "iface.h"
#include "join_prune.h"
#include "nbr.h"
#include "pim.h"
#include "pimd.h"
#include "rpt.h"
#include "sg.h"

#define JP_MAX_LEN	1500
/*
 * The least time between two flushes on an interface.  In a burst of
 * changes (thousands of sources starting at once) entries come one or two
 * per pass of the event loop; a flush per pass would cost a message per
 * entry here and a wakeup per message at the neighbour.  The first
 * Join/Prune after a quiet spell still goes at once.
 */
#define JP_BATCH_MS	10
#define JP_QUEUE_MIN	64	/* entries the queue keeps room for between flushes */

uint32_t
jp_period_ms(const struct pim_if *pif)
{
	return pif->ifp->cfg->pim.jp_interval * 1000u;
}

uint16_t
jp_holdtime(const struct pim_if *pif)
{
	uint32_t h = pif->ifp->cfg->pim.jp_interval * 7u / 2;

	return h > 0xfffe ? 0xfffe : (uint16_t)h;
}

uint32_t
jp_override_ms(const struct pim_if *pif)
{
	return nbr_effective_propagation_delay(pif) + nbr_effective_override_interval(pif);
}

/* Is addr one of our addresses on this interface (the upstream field)? */
static bool
addressed_to_us(const struct pim_if *pif, struct in_addr addr)
{
	const struct iface *ifp = pif->ifp;

	for (unsigned i = 0; i < ifp->naddr; i++)
		if (ifp->addrs[i].addr.s_addr == addr.s_addr)
			return true;
	return false;
}

static void
jp_entry(struct pim_if *pif, const struct pim_jp *jp, bool to_us,
    const struct pim_jp_group *g, const struct pim_jp_source *s, bool join)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	struct in_addr src = s->addr, grp = g->group;
	struct iface *ifp = pif->ifp;

	/* (*,G) is the RP's address with WC and RPT; (S,G) has neither. */
	if ((s->wildcard && !s->rpt) || s->masklen != 32 || g->masklen != 32) {
		log_debug(DBG_PIM, "%s: ignored %s (%s%s, %s)", ifp->name,
		    join ? "Join" : "Prune", inet_ntop(AF_INET, &s->addr, a, sizeof(a)),
		    s->rpt ? ",rpt" : "", inet_ntop(AF_INET, &grp, b, sizeof(b)));
		return;
	}
	if (s->rpt && !s->wildcard) {
		if (to_us && join)
			rpt_join_received(ifp, src, grp);
		else if (to_us)
			rpt_prune_received(ifp, src, grp, jp->holdtime);
		else if (join)
			rpt_join_seen(ifp, jp->upstream, src, grp);
		else
			rpt_prune_seen(ifp, jp->upstream, src, grp);
		return;
	}
	if (s->wildcard)
		src.s_addr = INADDR_ANY;
	if (to_us && join)
		sg_join_received(ifp, src, grp, jp->holdtime);
	else if (to_us)
		sg_prune_received(ifp, src, grp, jp->holdtime);
	else if (join)
		sg_join_seen(ifp, jp->upstream, src, grp, jp->holdtime);
	else
		sg_prune_seen(ifp, jp->upstream, src, grp);
}

void
jp_recv(struct pim_if *pif, struct in_addr src, const uint8_t *body, size_t len)
{
	struct pim_jp_group g;
	struct pim_jp jp;
	enum pim_err e;
	size_t off = 0;
	bool to_us;

	if ((e = pim_jp_decode(body, len, &jp)) != PIM_OK) {
		pif->cnt.decode[e]++;
		pif->cnt.drop[PIM_DROP_DECODE]++;
		log_warnx_rl("pim %s: dropped a Join/Prune: %s", pif->ifp->name,
		    pim_err_name(e));
		return;
	}
	/* §4.5: Join/Prunes count only from routers we have heard a Hello from. */
	if (nbr_find(pif, src) == NULL) {
		char a[INET_ADDRSTRLEN];

		pif->cnt.drop[PIM_DROP_NOT_NEIGHBOR]++;
		log_warnx_rl("pim %s: dropped a Join/Prune from %s: not a neighbor",
		    pif->ifp->name, inet_ntop(AF_INET, &src, a, sizeof(a)));
		return;
	}
	to_us = addressed_to_us(pif, jp.upstream);
	while (pim_jp_next_group(&jp, &off, &g)) {
		for (unsigned i = 0; i < (unsigned)g.njoin + g.nprune; i++) {
			struct pim_jp_source s;

			pim_jp_source(&g, i, &s);
			jp_entry(pif, &jp, to_us, &g, &s, i < g.njoin);
		}
		if (to_us && g.masklen == 32)
			rpt_end_of_message(pif->ifp, g.group);
	}
}

/* 0 (the next pass of the loop) unless the last flush was under JP_BATCH_MS ago. */
static uint32_t
jp_batch_wait(const struct pim_if *pif)
{
	uint64_t since = clock_ms() - pif->jp_sent;

	return since >= JP_BATCH_MS ? 0 : (uint32_t)(JP_BATCH_MS - since);
}

void
jp_send(struct pim_if *pif, struct in_addr upstream, struct in_addr addr,
    struct in_addr grp, enum jp_kind kind, bool join)
{
	char a[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];

	log_debug(DBG_PIM, "%s: %s (%s%s, %s%s) to %s", pif->ifp->name,
	    join ? "Join" : "Prune", kind == JP_WC ? "*, RP " : "",
	    inet_ntop(AF_INET, &addr, a, sizeof(a)),
	    inet_ntop(AF_INET, &grp, c, sizeof(c)), kind == JP_SG_RPT ? ", rpt" : "",
	    inet_ntop(AF_INET, &upstream, d, sizeof(d)));
	/* A later Join or Prune for the same entry replaces it: jp_dedup(). */
	if (pif->jpq_len == pif->jpq_size) {
		unsigned size = pif->jpq_size ? pif->jpq_size * 2 : JP_QUEUE_MIN;
		struct jp_entry *q = reallocarray(pif->jpq, size, sizeof(*q));

		if (q == NULL)
			fatal("jp_send");
		pif->jpq = q;
		pif->jpq_size = size;
	}
	pif->jpq[pif->jpq_len] = (struct jp_entry){ upstream, addr, grp, kind, join,
	    pif->jpq_len };
	pif->jpq_len++;
	if (!timer_pending(&pif->jp_flush))
		timer_start(&pif->jp_flush, jp_batch_wait(pif));
}

static int
by_upstream_group(const void *x, const void *y)
{
	const struct jp_entry *a = x, *b = y;
	uint32_t p = ntohl(a->upstream.s_addr), q = ntohl(b->upstream.s_addr);

	if (p != q)
		return p < q ? -1 : 1;
	p = ntohl(a->grp.s_addr);
	q = ntohl(b->grp.s_addr);
	return p < q ? -1 : p > q;
}

/* Then by what the entry names, and the order the entries were queued in. */
static int
by_entry(const void *x, const void *y)
{
	const struct jp_entry *a = x, *b = y;
	int c;
	uint32_t p, q;

	if ((c = by_upstream_group(a, b)) != 0)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	p = ntohl(a->addr.s_addr);
	q = ntohl(b->addr.s_addr);
	if (p != q)
		return p < q ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool
same_entry(const struct jp_entry *a, const struct jp_entry *b)
{
	return a->upstream.s_addr == b->upstream.s_addr && a->grp.s_addr == b->grp.s_addr &&
	    a->kind == b->kind && a->addr.s_addr == b->addr.s_addr;
}

/*
 * Sort the queue by upstream neighbour and group, and keep only the last
 * Join or Prune queued for each entry.  Looking for the entry in jp_send
 * instead cost a scan of the queue per entry queued: quadratic in a burst
 * of thousands.
 */
static void
jp_dedup(struct pim_if *pif)
{
	unsigned n = 0;

	qsort(pif->jpq, pif->jpq_len, sizeof(*pif->jpq), by_entry);
	for (unsigned i = 0; i < pif->jpq_len; i++) {
		if (i + 1 < pif->jpq_len && same_entry(&pif->jpq[i], &pif->jpq[i + 1]))
			continue;
		pif->jpq[n++] = pif->jpq[i];
	}
	pif->jpq_len = n;
}

/* Empty the queue; the room a burst took goes back rather than sit idle. */
static void
jp_queue_drop(struct pim_if *pif)
{
	pif->jpq_len = 0;
	if (pif->jpq_size > JP_QUEUE_MIN) {
		free(pif->jpq);
		pif->jpq = NULL;
		pif->jpq_size = 0;
	}
}

static void
jp_out(struct pim_if *pif, struct pim_jp_builder *b)
{
	struct in_addr dst;
	size_t len;

	if ((len = pim_jp_finish(b)) == 0)
		return;
	inet_pton(AF_INET, PIM_ALL_ROUTERS, &dst);
	pim_send(pif, dst, b->buf, len, PIM_JOIN_PRUNE);
}

/* Entries from i on with the upstream neighbour and group of entry i. */
static unsigned
run_length(const struct pim_if *pif, unsigned i)
{
	const struct jp_entry *e = &pif->jpq[i];
	unsigned n = 1;

	while (i + n < pif->jpq_len && by_upstream_group(e, &pif->jpq[i + n]) == 0)
		n++;
	return n;
}

/*
 * One message per upstream neighbour, more when the MTU is reached; a
 * group's entries start a new message rather than straddle two, unless
 * they fill one on their own.
 */
static void
jp_flush(void *arg)
{
	struct pim_if *pif = arg;
	size_t size = (pif->ifp->mtu > 576 ? pif->ifp->mtu : 576) - 24;
	struct pim_jp_builder b;
	uint8_t buf[JP_MAX_LEN];
	unsigned run = 0;

	if (pif->jpq_len == 0)
		return;
	if (size > sizeof(buf))
		size = sizeof(buf);
	jp_dedup(pif);
	for (unsigned i = 0; i < pif->jpq_len; i++) {
		const struct jp_entry *e = &pif->jpq[i];
		struct pim_jp_source s = {
			.addr = e->addr, .masklen = 32, .sparse = true,
			.wildcard = e->kind == JP_WC, .rpt = e->kind != JP_SG,
		};

		if (i == 0 || e->upstream.s_addr != pif->jpq[i - 1].upstream.s_addr) {
			if (i > 0)
				jp_out(pif, &b);
			pim_jp_begin(&b, buf, size, e->upstream, jp_holdtime(pif));
		}
		if (run == 0) {
			run = run_length(pif, i);
			if (!pim_jp_fits(&b, run)) {
				jp_out(pif, &b);
				pim_jp_begin(&b, buf, size, e->upstream, jp_holdtime(pif));
			}
		}
		run--;
		if (!pim_jp_add(&b, e->grp, &s, e->join)) {
			jp_out(pif, &b);
			pim_jp_begin(&b, buf, size, e->upstream, jp_holdtime(pif));
			pim_jp_add(&b, e->grp, &s, e->join);
		}
	}
	jp_out(pif, &b);
	jp_queue_drop(pif);
	pif->jp_sent = clock_ms();
}

void
jp_init(struct pim_if *pif)
{
	timer_init(&pif->jp_flush, jp_flush, pif);
}

void
jp_fini(struct pim_if *pif)
{
	timer_free(&pif->jp_flush);
	if (iface_oper(pif->ifp) == IFACE_UP)
		jp_flush(pif);
	free(pif->jpq);
	pif->jpq = NULL;
	pif->jpq_len = pif->jpq_size = 0;
}
