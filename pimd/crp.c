/* SPDX-License-Identifier: ISC */
/*
 * A Candidate-RP (RFC 5059 §3.2).
 *
 * It unicasts a Candidate-RP-Advertisement to the elected BSR every
 * C_RP_Adv_Period: its address, priority, holdtime and group ranges.  When
 * a new BSR is elected it advertises three times, C_RP_Adv_Backoff (random,
 * up to 3 s) apart, so that the new BSR has it in its next BSM.  Ranges it
 * stops serving (a reload) and, on an orderly shutdown, all of them are
 * advertised once with holdtime 0, and the BSR drops them at once rather
 * than when the holdtime runs out.  When this router is the BSR the
 * advertisement goes to bsr.c directly.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "bsr.h"
#include "config.h"
#include "crp.h"
#include "event.h"
#include "iface.h"
#include "log.h"
#include "pim.h"
#include "pimd.h"

#define CRP_BACKOFF_MAX_MS	3000u	/* C_RP_Adv_Backoff (§5) */
#define CRP_TRIGGERED		3	/* advertisements to a new BSR */

static struct {
	bool		enable;
	struct cfg_candidate cand;
	uint16_t	period_s, holdtime;
	struct cfg_prefix *groups;
	unsigned	ngroups;
	struct timer	timer;
	bool		timer_ready;
	unsigned	triggered;	/* advertisements still due at backoff pace */
} crp;

/* One advertisement of ranges with holdtime, to the BSR. */
static void
advertise(const struct cfg_candidate *c, const struct cfg_prefix *ranges, unsigned n,
    uint16_t holdtime)
{
	struct pim_crp_adv a = { .priority = c->priority, .holdtime = holdtime };
	struct in_addr groups[UINT8_MAX];
	uint8_t masklens[UINT8_MAX], buf[PIM_HDR_LEN + 10 + UINT8_MAX * 8];
	struct bsr_info b;
	char r[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	size_t len;

	bsr_get(&b);
	if (b.addr.s_addr == INADDR_ANY || n == 0 || !iface_candidate_addr(c, &a.rp))
		return;
	n = n > UINT8_MAX ? UINT8_MAX : n;	/* the YANG allows no more */
	for (unsigned i = 0; i < n; i++) {
		groups[i] = ranges[i].addr;
		masklens[i] = ranges[i].len;
	}
	if ((len = pim_crp_adv_encode(buf, sizeof(buf), &a, groups, masklens, n)) == 0)
		return;
	log_debug(DBG_PIM, "crp: advertising %s (%u ranges, holdtime %us) to BSR %s",
	    inet_ntop(AF_INET, &a.rp, r, sizeof(r)), n, holdtime,
	    inet_ntop(AF_INET, &b.addr, d, sizeof(d)));
	if (b.state == BSR_ELECTED) {
		if (pim_crp_adv_decode(buf + PIM_HDR_LEN, len - PIM_HDR_LEN, &a) == PIM_OK)
			bsr_crp_adv_local(&a);
	} else
		pim_send_unicast(a.rp, b.addr, buf, len, PIM_CRP_ADV);
}

static uint32_t
backoff_ms(void)
{
	uint32_t max = crp.period_s * 500u;

	return rand_ms(0, max < CRP_BACKOFF_MAX_MS ? max : CRP_BACKOFF_MAX_MS);
}

static void
fired(void *arg)
{
	advertise(&crp.cand, crp.groups, crp.ngroups, crp.holdtime);
	if (crp.triggered > 0 && --crp.triggered > 0)
		timer_start(&crp.timer, backoff_ms());
	else
		timer_start(&crp.timer, crp.period_s * 1000u);
}

void
crp_bsr_changed(void)
{
	if (!crp.enable)
		return;
	crp.triggered = CRP_TRIGGERED;
	timer_start(&crp.timer, backoff_ms());
}

static bool
range_in(const struct cfg_prefix *p, const struct cfg_prefix *set, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (set[i].addr.s_addr == p->addr.s_addr && set[i].len == p->len)
			return true;
	return false;
}

/* Holdtime 0 for what the old candidacy had and the new one has not. */
static void
withdraw_dropped(const struct cfg_bsr *new)
{
	struct cfg_prefix *gone;
	struct in_addr old_addr, new_addr;
	unsigned n = 0;
	bool moved;

	if (!crp.enable)
		return;
	moved = !new->crp.enable || !iface_candidate_addr(&crp.cand, &old_addr) ||
	    !iface_candidate_addr(&new->crp, &new_addr) || old_addr.s_addr != new_addr.s_addr;
	if ((gone = calloc(crp.ngroups ? crp.ngroups : 1, sizeof(*gone))) == NULL)
		fatal("crp: out of memory");
	for (unsigned i = 0; i < crp.ngroups; i++)
		if (moved || !range_in(&crp.groups[i], new->crp_groups, new->ncrp_groups))
			gone[n++] = crp.groups[i];
	advertise(&crp.cand, gone, n, 0);
	free(gone);
}

void
crp_apply_config(const struct config *c)
{
	const struct cfg_bsr *b = &c->bsr;
	bool was = crp.enable;

	if (!crp.timer_ready) {
		timer_init(&crp.timer, fired, NULL);
		crp.timer_ready = true;
	}
	withdraw_dropped(b);
	free(crp.groups);
	crp.groups = NULL;
	crp.ngroups = 0;
	crp.enable = b->crp.enable;
	crp.cand = b->crp;
	crp.period_s = b->crp_period;
	crp.holdtime = b->crp_holdtime;
	if (!crp.enable) {
		if (was)
			log_info("crp: no longer a Candidate-RP");
		timer_stop(&crp.timer);
		return;
	}
	if ((crp.groups = calloc(b->ncrp_groups, sizeof(*crp.groups))) == NULL)
		fatal("crp: out of memory");
	memcpy(crp.groups, b->crp_groups, b->ncrp_groups * sizeof(*crp.groups));
	crp.ngroups = b->ncrp_groups;
	if (!was)
		log_info("crp: Candidate-RP for %u group ranges, priority %u, holdtime %us",
		    crp.ngroups, crp.cand.priority, crp.holdtime);
	/* Whatever changed, the BSR hears it soon. */
	crp_bsr_changed();
}

void
crp_shutdown(void)
{
	if (crp.enable)
		advertise(&crp.cand, crp.groups, crp.ngroups, 0);
}

void
crp_fini(void)
{
	if (crp.timer_ready)
		timer_free(&crp.timer);
	free(crp.groups);
	memset(&crp, 0, sizeof(crp));
}
