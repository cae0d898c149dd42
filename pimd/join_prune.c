/* SPDX-License-Identifier: ISC */
/*
 * Join/Prune, RFC 7761 §4.5 and §4.9.5.
 *
 * jp_recv checks the message (pim_jp_decode has checked every group and
 * source already) and that it comes from a neighbour, then hands each
 * (S,G) entry to sg.c: as a received Join or Prune when the upstream
 * neighbour field names us, as one seen on the LAN otherwise (for join
 * suppression and prune override).  (S,G,rpt) entries are ignored: after
 * a switch to the shortest path tree the RP tree may carry a copy too,
 * which the kernel drops as arriving on the wrong interface.
 */
#include <arpa/inet.h>

#include "config.h"
#include "iface.h"
#include "join_prune.h"
#include "nbr.h"
#include "pim.h"
#include "pimd.h"
#include "sg.h"

#define JP_MAX_LEN	1500

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
	struct in_addr src = s->addr;

	/* (*,G) is the RP's address with WC and RPT; (S,G) has neither. */
	if (s->wildcard != s->rpt || s->masklen != 32 || g->masklen != 32) {
		log_debug(DBG_PIM, "%s: ignored %s (%s%s, %s)", pif->ifp->name,
		    join ? "Join" : "Prune", inet_ntop(AF_INET, &s->addr, a, sizeof(a)),
		    s->rpt ? ",rpt" : "", inet_ntop(AF_INET, &g->group, b, sizeof(b)));
		return;
	}
	if (s->wildcard)
		src.s_addr = INADDR_ANY;
	if (to_us && join)
		sg_join_received(pif->ifp, src, g->group, jp->holdtime);
	else if (to_us)
		sg_prune_received(pif->ifp, src, g->group, jp->holdtime);
	else if (join)
		sg_join_seen(pif->ifp, jp->upstream, src, g->group);
	else
		sg_prune_seen(pif->ifp, jp->upstream, src, g->group);
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
	while (pim_jp_next_group(&jp, &off, &g))
		for (unsigned i = 0; i < (unsigned)g.njoin + g.nprune; i++) {
			struct pim_jp_source s;

			pim_jp_source(&g, i, &s);
			jp_entry(pif, &jp, to_us, &g, &s, i < g.njoin);
		}
}

void
jp_send(struct pim_if *pif, struct in_addr upstream, struct in_addr addr,
    struct in_addr grp, bool wc, bool join)
{
	struct pim_jp_source s = {
		.addr = addr, .masklen = 32, .sparse = true, .wildcard = wc, .rpt = wc,
	};
	struct pim_jp_builder b;
	uint8_t buf[JP_MAX_LEN];
	struct in_addr dst;
	char a[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	size_t len;

	pim_jp_begin(&b, buf, sizeof(buf), upstream, jp_holdtime(pif));
	pim_jp_add(&b, grp, &s, join);
	len = pim_jp_finish(&b);
	inet_pton(AF_INET, PIM_ALL_ROUTERS, &dst);
	log_debug(DBG_PIM, "%s: %s (%s%s, %s) to %s", pif->ifp->name,
	    join ? "Join" : "Prune", wc ? "*, RP " : "",
	    inet_ntop(AF_INET, &addr, a, sizeof(a)),
	    inet_ntop(AF_INET, &grp, c, sizeof(c)),
	    inet_ntop(AF_INET, &upstream, d, sizeof(d)));
	pim_send(pif, dst, buf, len, PIM_JOIN_PRUNE);
}
