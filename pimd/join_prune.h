/* SPDX-License-Identifier: ISC */
/* PIM Join/Prune messages (RFC 7761 §4.5, §4.9.5): receive and send. */
#ifndef PIMD_JOIN_PRUNE_H
#define PIMD_JOIN_PRUNE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pim_if;

/* What an entry names (§4.9.5): (S,G); (*,G), WC and RPT bits; (S,G,rpt), RPT bit. */
enum jp_kind { JP_SG, JP_WC, JP_SG_RPT };

struct jp_entry {
	struct in_addr	upstream;
	struct in_addr	addr;		/* S, or the RP for (*,G) */
	struct in_addr	grp;
	enum jp_kind	kind;
	bool		join;
	unsigned	seq;		/* place in the queue: the last one counts */
};

void	jp_init(struct pim_if *);
/* Send what is queued, then drop the queue (PIM stops on the interface). */
void	jp_fini(struct pim_if *);
void	jp_recv(struct pim_if *, struct in_addr src, const uint8_t *body, size_t len);
/*
 * Queue one Join or Prune to the upstream neighbour on pif: of (S,G) or
 * (S,G,rpt), or of (*,G), where addr is the RP.  Everything queued in one
 * pass of the event loop (or, when the interface sent Join/Prunes under
 * 10 ms ago, until 10 ms after them) goes out together, as few messages
 * per neighbour as the interface MTU allows, each group's entries in one
 * message.
 */
void	jp_send(struct pim_if *, struct in_addr upstream, struct in_addr addr,
	    struct in_addr grp, enum jp_kind, bool join);
/* t_periodic and the Holdtime our Join/Prunes carry on pif (3.5 x t_periodic). */
uint32_t jp_period_ms(const struct pim_if *);
uint16_t jp_holdtime(const struct pim_if *);
/* J/P_Override_Interval(I) (§4.5.1, §4.3.3): Effective_Propagation_Delay + Effective_Override_Interval. */
uint32_t jp_override_ms(const struct pim_if *);

#endif
