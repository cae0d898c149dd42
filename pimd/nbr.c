/* SPDX-License-Identifier: ISC */
/*
 * PIM neighbours, RFC 7761 §4.3.
 *
 * A neighbour exists from its first Hello until its holdtime runs out, a
 * Hello with holdtime 0 arrives, or PIM stops on the interface.  A Hello
 * with a new Generation ID means the neighbour restarted: it is treated as
 * new (§4.3.1), so it gets a triggered Hello and our joins again, and an
 * Assert it had won is forgotten (§4.6).  Every change re-runs the DR
 * election; a new DR takes over the local members at once (§4.3.2).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "assert.h"
#include "bsr.h"
#include "config.h"
#include "hello.h"
#include "iface.h"
#include "igmp.h"
#include "nbr.h"
#include "pimd.h"
#include "sg.h"

static const char *
ntoa(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

struct pim_nbr *
nbr_find(struct pim_if *pif, struct in_addr addr)
{
	struct pim_nbr *n;

	TAILQ_FOREACH(n, &pif->nbrs, entry)
		if (n->addr.s_addr == addr.s_addr)
			return n;
	return NULL;
}

static void
nbr_free(struct pim_nbr *n, const char *why)
{
	struct pim_if *pif = n->pif;
	char a[INET_ADDRSTRLEN];

	log_info("pim %s: neighbor %s down: %s", pif->ifp->name, ntoa(n->addr, a), why);
	assert_nbr_gone(pif, n->addr);
	timer_free(&n->liveness);
	TAILQ_REMOVE(&pif->nbrs, n, entry);
	pif->nnbr--;
	free(n);
}

static void
nbr_expired(void *arg)
{
	struct pim_nbr *n = arg;
	struct pim_if *pif = n->pif;

	nbr_free(n, "holdtime expired");
	nbr_elect_dr(pif);
	sg_reevaluate_all();
}

/* 0xffff never expires; the option is mandatory but be lenient: 3.5 x 30 s. */
static void
nbr_set_liveness(struct pim_nbr *n)
{
	uint16_t holdtime = n->hello.has_holdtime ? n->hello.holdtime : 105;

	if (holdtime == 0xffff)
		timer_stop(&n->liveness);
	else
		timer_start(&n->liveness, holdtime * 1000u);
}

static struct pim_nbr *
nbr_new(struct pim_if *pif, struct in_addr src)
{
	struct pim_nbr *n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		fatal("nbr_new");
	n->pif = pif;
	n->addr = src;
	n->created = clock_ms();
	timer_init(&n->liveness, nbr_expired, n);
	TAILQ_INSERT_TAIL(&pif->nbrs, n, entry);
	pif->nnbr++;
	return n;
}

void
nbr_hello(struct pim_if *pif, struct in_addr src, const struct pim_hello *h)
{
	struct pim_nbr *n = nbr_find(pif, src);
	char a[INET_ADDRSTRLEN];
	bool fresh = false;

	if (h->has_holdtime && h->holdtime == 0) {
		if (n != NULL) {
			nbr_free(n, "Hello with holdtime 0");
			nbr_elect_dr(pif);
			sg_reevaluate_all();
		}
		return;
	}
	if (n == NULL) {
		n = nbr_new(pif, src);
		fresh = true;
		log_info("pim %s: neighbor %s up (holdtime %us, DR priority %s%u)",
		    pif->ifp->name, ntoa(src, a), h->has_holdtime ? h->holdtime : 105,
		    h->has_dr_priority ? "" : "none, ", h->dr_priority);
	} else if (n->hello.has_genid && h->has_genid && n->hello.genid != h->genid) {
		fresh = true;
		log_info("pim %s: neighbor %s restarted (generation ID %08x -> %08x)",
		    pif->ifp->name, ntoa(src, a), n->hello.genid, h->genid);
		/* §4.5.5: it lost our joins; send them again soon. */
		sg_nbr_restarted(pif, src);
		assert_nbr_gone(pif, src);
	}
	n->hello = *h;
	nbr_set_liveness(n);
	/* §4.3.1: a new or restarted neighbour hears from us soon. */
	if (fresh)
		hello_trigger(pif);
	/* A new neighbour can be an RPF' and a new DR changes pim_include. */
	if (nbr_elect_dr(pif) || fresh)
		sg_reevaluate_all();
	/* RFC 5059 §3.5: it has no BSM yet. */
	if (fresh)
		bsr_nbr_new(pif, src);
}

void
nbr_flush(struct pim_if *pif)
{
	struct pim_nbr *n;

	while ((n = TAILQ_FIRST(&pif->nbrs)) != NULL)
		nbr_free(n, "PIM stopped on the interface");
	pif->dr = pif->addr;
}

/* §4.3.2: priority decides only while every router advertises one. */
static bool
all_have_priority(const struct pim_if *pif)
{
	const struct pim_nbr *n;

	TAILQ_FOREACH(n, &pif->nbrs, entry)
		if (!n->hello.has_dr_priority)
			return false;
	return true;
}

static bool
dr_is_better(uint32_t pa, struct in_addr a, uint32_t pb, struct in_addr b, bool by_priority)
{
	if (by_priority && pa != pb)
		return pa > pb;
	return ntohl(a.s_addr) > ntohl(b.s_addr);
}

bool
nbr_elect_dr(struct pim_if *pif)
{
	bool by_priority = all_have_priority(pif);
	uint32_t best_prio = pif->ifp->cfg->pim.dr_priority;
	struct in_addr best = pif->addr, old = pif->dr;
	const struct pim_nbr *n;
	char a[INET_ADDRSTRLEN];

	TAILQ_FOREACH(n, &pif->nbrs, entry)
		if (dr_is_better(n->hello.dr_priority, n->addr, best_prio, best,
		    by_priority)) {
			best = n->addr;
			best_prio = n->hello.dr_priority;
		}
	pif->dr = best;
	if (old.s_addr == best.s_addr)
		return false;
	log_info("pim %s: DR is %s%s", pif->ifp->name, ntoa(best, a),
	    best.s_addr == pif->addr.s_addr ? " (this router)" : "");
	/* pim_include follows the DR: entries for local members come and go. */
	igmp_replay(pif->ifp);
	return true;
}

/* §4.3.3: LAN Prune Delay values count only when every neighbour sends them. */
bool
nbr_lan_delay_enabled(const struct pim_if *pif)
{
	const struct pim_nbr *n;

	TAILQ_FOREACH(n, &pif->nbrs, entry)
		if (!n->hello.has_lan_prune_delay)
			return false;
	return true;
}

/*
 * §4.3.3 Suppression_Enabled(I): Joins are suppressed unless every
 * neighbour sends the LAN Prune Delay option with the T bit, that is,
 * tracks each downstream router's Joins itself.
 */
bool
nbr_suppression_enabled(const struct pim_if *pif)
{
	const struct pim_nbr *n;

	if (!nbr_lan_delay_enabled(pif))
		return true;
	TAILQ_FOREACH(n, &pif->nbrs, entry)
		if (!n->hello.t_bit)
			return true;
	return false;
}

uint16_t
nbr_effective_propagation_delay(const struct pim_if *pif)
{
	uint16_t d = pif->ifp->cfg->pim.propagation_delay;
	const struct pim_nbr *n;

	if (!nbr_lan_delay_enabled(pif))
		return 500;	/* Propagation_delay_default, §4.11 */
	TAILQ_FOREACH(n, &pif->nbrs, entry)
		if (n->hello.propagation_delay > d)
			d = n->hello.propagation_delay;
	return d;
}

uint16_t
nbr_effective_override_interval(const struct pim_if *pif)
{
	uint16_t d = pif->ifp->cfg->pim.override_interval;
	const struct pim_nbr *n;

	if (!nbr_lan_delay_enabled(pif))
		return 2500;	/* t_override_default, §4.11 */
	TAILQ_FOREACH(n, &pif->nbrs, entry)
		if (n->hello.override_interval > d)
			d = n->hello.override_interval;
	return d;
}
